"""The weekly review: drift against each person's own rhythm, the file, its JSON."""

import json
import statistics
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mdfollow.review import drift, is_touch_line
from tests.conftest import EXAMPLE, EXAMPLE_TODAY, snapshot
from tests.helpers import contact

TODAY = date(2026, 11, 23)
days_before = st.lists(st.integers(0, 400), max_size=12).map(lambda ns: [TODAY - timedelta(days=n) for n in ns])


def plain_drift(days, today):
    """The definition, written as plainly as DOMAIN.md says it."""
    distinct = sorted(set(d for d in days if d <= today))
    if len(distinct) < 3:
        return None
    gaps = [(distinct[i + 1] - distinct[i]).days for i in range(len(distinct) - 1)]
    usual = statistics.median(gaps)
    since = (today - distinct[-1]).days
    return (usual, since) if since > 2 * usual and since > 14 else None


@given(days_before)
def test_drift_is_the_definition(days):
    found = drift(days, TODAY)
    expected = plain_drift(days, TODAY)
    assert (found.usual_gap, found.days_since) == expected if found else expected is None


@given(days_before, st.integers(1, 30))
def test_plans_and_repeated_days_change_nothing(days, ahead):
    plans = [TODAY + timedelta(days=ahead)]
    assert drift(days + days + plans, TODAY) == drift(days, TODAY)


@given(days_before)
def test_a_touch_today_ends_any_drift(days):
    assert drift([*days, TODAY], TODAY) is None


@given(days_before, st.integers(1, 200))
def test_waiting_longer_never_ends_a_drift(days, more):
    if drift(days, TODAY) is not None:
        assert drift(days, TODAY + timedelta(days=more)) is not None


def test_a_steady_rhythm_is_not_drift_and_a_broken_one_is():
    weekly = [TODAY - timedelta(weeks=n) for n in range(1, 6)]
    assert drift(weekly, TODAY) is None  # 7 days since, usual gap 7
    assert drift(weekly, TODAY + timedelta(days=7)) is None  # 14 days: twice the gap, not more
    assert drift(weekly, TODAY + timedelta(days=8)).days_since == 15
    quarterly = [TODAY - timedelta(days=90 * n) for n in range(1, 4)]
    assert drift(quarterly, TODAY) is None  # people on a slow rhythm are not drifting at 90 days
    assert drift(quarterly, TODAY + timedelta(days=100)).days_since == 190


def test_log_lines_that_are_not_touches():
    assert is_touch_line("met at the panel") and is_touch_line("sent: nudge, try 2") and is_touch_line("coffee")
    assert not is_touch_line("note: moved to Berlin") and not is_touch_line("referred me to [[Bo]]")


def test_example_vault_review_is_golden_and_writes_only_when_it_changes(run, example_vault, golden):
    committed = (example_vault / "Review.md").read_text(encoding="utf-8")
    (example_vault / "Review.md").unlink()
    before_notes = snapshot(example_vault)
    result = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "review")
    assert result.exit_code == 0, result.stderr
    assert "wrote Review.md (2 drifting, 3 waiting on them, 9 waiting on you, 0 never followed up)" in result.stderr
    text = (example_vault / "Review.md").read_text(encoding="utf-8")
    golden("example/Review.md", text)
    assert text == committed  # the example vault's own Review.md is what the README's command shows
    after = snapshot(example_vault)
    assert {k: v for k, v in after.items() if k != "Review.md"} == before_notes  # no note touched
    again = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "review")
    assert "Review.md is up to date" in again.stderr and snapshot(example_vault) == after
    # The review is never read as a note: its links are not mentions.
    agenda = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "agenda", "--stdout").stdout
    assert agenda == (example_vault / "Agenda.md").read_text(encoding="utf-8")


def test_review_json_is_exactly_the_contract(run, example_vault, golden):
    result = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "review", "--json")
    assert result.exit_code == 0
    golden("example/review.json", result.stdout)
    data = json.loads(result.stdout)
    assert list(data) == [
        "today",
        "weeks",
        "drifting",
        "waiting_on_them",
        "waiting_on_you",
        "never_followed_up",
        "companies",
        "referrals",
    ]
    assert len(data["weeks"]) == 12 and all(list(w) == ["week", "touches"] for w in data["weeks"])
    assert data["weeks"][-1]["week"] == "2026-11-23" and data["weeks"][0]["week"] == "2026-09-07"
    assert all(list(d) == ["contact", "note", "usual_gap_days", "days_since"] for d in data["drifting"])
    assert all(list(w) == ["contact", "note", "strikes", "days_since"] for w in data["waiting_on_them"])
    assert all(list(i)[:3] == ["contact", "note", "action"] for i in data["waiting_on_you"])
    assert all(i["days_overdue"] > 0 for i in data["waiting_on_you"])
    assert all(list(c) == ["company", "contacts", "touches"] for c in data["companies"])
    assert {"from": "People/Elena Petrova.md", "to": "People/Tomás Ortega.md"} in data["referrals"]
    assert (example_vault / "Review.md").read_bytes() == (EXAMPLE / "Review.md").read_bytes()  # --json writes nothing


def test_sections_on_a_small_vault(run, make_vault):
    vault = make_vault(
        contact("Ann Lee", company="Acme", added="2026-09-01")  # never followed up
        | contact("Bo Chen", added="2026-11-10")  # too new to count as never followed up
        | contact("Cy Dahl", cadence="monthly", added="2026-01-01")  # a cadence will bring them up
        | contact("Di Eng", company="acme", last_outreach="2026-11-01", strikes=3)  # gone quiet
        | contact("Ed Fox", referred_by='["[[Di Eng]]", "[[Cy Dahl]]"]', added="2026-11-20")
        | {
            "People/Fay Gold.md": "---\ntype: contact\ncompany: Acme\n---\n# Fay\n\n## Interactions\n\n"
            "- 2026-08-01 met\n- 2026-08-08 replied\n- 2026-08-15 sent: a question\n- 2026-08-20 note: likes tea\n"
        }
        | {"Daily/2026-11-20.md": "- [ ] call [[Ann Lee]]\n"}
    )
    result = run("--vault", vault, "--today", EXAMPLE_TODAY, "review", "--json")
    data = json.loads(result.stdout)
    assert [n["contact"] for n in data["never_followed_up"]] == ["Ann Lee"]
    assert data["drifting"] == [
        {"contact": "Fay Gold", "note": "People/Fay Gold.md", "usual_gap_days": 7, "days_since": 100}
    ]
    assert data["waiting_on_them"] == [
        {"contact": "Di Eng", "note": "People/Di Eng.md", "strikes": 3, "days_since": 22}
    ]
    assert data["companies"] == [{"company": "Acme", "contacts": 3, "touches": 1}]
    assert data["referrals"] == [
        {"from": "People/Cy Dahl.md", "to": "People/Ed Fox.md"},
        {"from": "People/Di Eng.md", "to": "People/Ed Fox.md"},
    ]
    assert run("--vault", vault, "--today", EXAMPLE_TODAY, "review").exit_code == 0
    text = (vault / "Review.md").read_text(encoding="utf-8")
    assert "- [[Fay Gold]]: 100 days since 2026-08-15; usually every 7 days" in text
    assert '  p0["Cy Dahl"]\n  p1["Di Eng"]\n  p2["Ed Fox"]\n  p0 --> p2\n  p1 --> p2\n' in text
    assert "  class p0,p1,p2 internal-link\n" in text
    assert "- [[Di Eng]]: gone quiet, 3 unanswered, 22 days since your last message" in text


def test_ownership_like_the_agenda_file(run, make_vault, tmp_path):
    vault = make_vault(contact("Ann Lee", met="2026-11-01"))
    review = vault / "Review.md"
    review.write_text("# My own review\n", encoding="utf-8")
    result = run("--vault", vault, "--today", EXAMPLE_TODAY, "review")
    assert result.exit_code == 1 and "was not written by mdfollow" in result.stderr
    assert review.read_text(encoding="utf-8") == "# My own review\n"
    review.unlink()
    assert run("--vault", vault, "--today", EXAMPLE_TODAY, "review").exit_code == 0
    review.write_text(review.read_text(encoding="utf-8").replace("## Drifting", "## Drifting (mine)"), encoding="utf-8")
    edited = review.read_text(encoding="utf-8")
    result = run("--vault", vault, "--today", EXAMPLE_TODAY, "review")
    assert result.exit_code == 1 and "edited by hand" in result.stderr and review.read_text(encoding="utf-8") == edited
    assert run("--vault", vault, "--today", EXAMPLE_TODAY, "review", "--force").exit_code == 0
    assert "(mine)" not in review.read_text(encoding="utf-8")
    # --out outside the vault; an empty vault never writes.
    out = tmp_path / "elsewhere.md"
    assert run("--vault", vault, "--today", EXAMPLE_TODAY, "review", "--out", out).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# Weekly review, Monday 23 November 2026")
    empty = make_vault({"note.md": "hello\n"}, tmp_path / "empty")
    result = run("--vault", empty, "--today", EXAMPLE_TODAY, "review")
    assert result.exit_code == 1 and "no contact notes" in result.stderr and not (empty / "Review.md").exists()


def test_the_weekly_chart_setting(run, make_vault):
    vault = make_vault(contact("Ann Lee", met="2026-11-01") | {".mdfollow.toml": "review_xychart = true\n"})
    assert run("--vault", vault, "--today", EXAMPLE_TODAY, "review").exit_code == 0
    text = (vault / "Review.md").read_text(encoding="utf-8")
    assert "```mermaid\nxychart-beta\n" in text and "  bar [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]\n" in text
    assert "| 2026-10-26 | 1 | ██████████ |" in text  # the table stays: older Obsidian lacks the chart


def test_review_commit(run, make_vault):
    import subprocess

    vault = make_vault(contact("Ann Lee", met="2026-11-01"))
    subprocess.run(["git", "init", "-q", str(vault)], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(vault),
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "start",
        ],
        check=True,
    )
    result = run("--vault", vault, "--today", EXAMPLE_TODAY, "review", "--commit")
    assert result.exit_code == 0, result.stderr
    shown = subprocess.run(
        ["git", "-C", str(vault), "show", "--name-only", "--format=%s"], capture_output=True, text=True
    ).stdout
    assert shown.split() == ["review:", "2026-11-23", "Review.md"]


def test_a_review_file_setting_that_leads_outside_the_vault_is_refused(run, make_vault, tmp_path):
    vault = make_vault(contact("Ann Lee", met="2026-11-01") | {".mdfollow.toml": 'review_file = "../Review.md"\n'})
    result = run("--vault", vault, "--today", EXAMPLE_TODAY, "review")
    assert result.exit_code == 1 and "Review.md" in result.stderr
    assert not (tmp_path / "Review.md").exists()
