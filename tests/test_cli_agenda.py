import json
from pathlib import Path

from tests.conftest import EXAMPLE, EXAMPLE_TODAY, snapshot
from tests.helpers import contact


def test_example_vault_agenda_markdown_is_golden(run, example_vault, golden):
    result = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "agenda", "--stdout")
    assert result.exit_code == 0
    golden("example/Agenda.md", result.stdout)
    # The committed example agenda is what the README's first command shows.
    assert (EXAMPLE / "Agenda.md").read_text(encoding="utf-8") == result.stdout


def test_example_vault_agenda_json_is_golden_and_matches_the_contract(run, example_vault, golden):
    result = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "agenda", "--json")
    assert result.exit_code == 0
    golden("example/agenda.json", result.stdout)
    data = json.loads(result.stdout)
    assert list(data) == ["today", "items", "gone_quiet", "problems", "birthdays"]
    assert data["birthdays"] == [
        {"contact": "Priya Raman", "note": "People/Priya Raman.md", "date": "2026-11-25"},
        {"contact": "Elena Petrova", "note": "People/Elena Petrova.md", "date": "2026-11-28"},
    ]
    assert data["today"] == EXAMPLE_TODAY
    for item in data["items"]:
        assert list(item) == ["contact", "note", "action", "due", "days_overdue", "light_touch", "reason", "also"]
        assert item["action"] in {
            "thank",
            "reach-out",
            "nudge",
            "tell-referrer",
            "report-back",
            "update",
            "scheduled",
            "check-in",
        }
    upcoming = [i for i in data["items"] if i["due"] > EXAMPLE_TODAY]
    assert upcoming and all(i["days_overdue"] < 0 for i in upcoming)
    assert [list(q) for q in data["gone_quiet"]] == [["contact", "note", "strikes", "last_outreach"]]
    assert all(list(p) == ["path", "line", "column", "severity", "message"] for p in data["problems"])
    dues = [(i["due"]) for i in data["items"]]
    assert dues == sorted(dues)


def test_agenda_writes_the_file_once_and_then_leaves_it_alone(run, example_vault):
    (example_vault / "Agenda.md").unlink()
    first = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "agenda")
    assert first.exit_code == 0 and "wrote Agenda.md" in first.stderr
    before = snapshot(example_vault)
    second = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "agenda")
    assert second.exit_code == 0 and "up to date" in second.stderr
    assert snapshot(example_vault) == before  # not even the mtime changed


def test_same_vault_and_date_give_the_same_bytes(run, example_vault, tmp_path):
    outs = []
    for name in ("a.md", "b.md"):
        out = tmp_path / name
        assert run("--vault", example_vault, "--today", EXAMPLE_TODAY, "agenda", "--out", out).exit_code == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_agenda_changes_with_the_date(run, example_vault):
    result = run("--vault", example_vault, "--today", "2026-11-24", "agenda")
    assert result.exit_code == 0 and "wrote Agenda.md" in result.stderr
    assert "# Follow-ups for Tuesday 24 November 2026" in (example_vault / "Agenda.md").read_text(encoding="utf-8")


def test_zero_contacts_never_wipes_the_agenda(run, make_vault, tmp_path):
    vault = make_vault({"Agenda.md": "precious\n", "Note.md": "hello\n"})
    result = run("--vault", vault, "agenda")
    assert result.exit_code == 1
    assert "no contact notes found" in result.stderr
    assert (vault / "Agenda.md").read_text() == "precious\n"
    empty = make_vault({}, root=tmp_path / "empty")
    assert run("--vault", empty, "agenda").exit_code == 1
    assert not (empty / "Agenda.md").exists()


def test_a_foreign_or_hand_edited_agenda_is_not_clobbered(run, make_vault):
    vault = make_vault(contact(met="2026-11-20") | {"Agenda.md": "my own notes\n"})
    result = run("--vault", vault, "--today", "2026-11-23", "agenda")
    assert result.exit_code == 1 and "was not written by mdfollow" in result.stderr
    assert (vault / "Agenda.md").read_text() == "my own notes\n"

    (vault / "Agenda.md").unlink()
    assert run("--vault", vault, "--today", "2026-11-23", "agenda").exit_code == 0
    text = (vault / "Agenda.md").read_text(encoding="utf-8")
    (vault / "Agenda.md").write_text(text.replace("# Follow-ups", "# My follow-ups"), encoding="utf-8")
    result = run("--vault", vault, "--today", "2026-11-24", "agenda")
    assert result.exit_code == 1 and "edited by hand" in result.stderr
    assert run("--vault", vault, "--today", "2026-11-24", "agenda", "--force").exit_code == 0
    assert "# Follow-ups" in (vault / "Agenda.md").read_text(encoding="utf-8")


def test_agenda_out_is_not_read_back_as_a_note(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    out = vault / "Daily" / "2026-11-23.md"
    assert run("--vault", vault, "--today", "2026-11-23", "agenda", "--out", out).exit_code == 0
    # Written into a dated-note path, it still must not count as a mention or a note.
    result = run("--vault", vault, "--today", "2026-11-23", "agenda", "--out", out, "--json")
    assert json.loads(result.stdout)["items"][0]["action"] == "thank"


def test_stdout_and_json_write_nothing(run, example_vault):
    before = snapshot(example_vault)
    assert run("--vault", example_vault, "--today", "2026-12-01", "agenda", "--stdout").exit_code == 0
    assert run("--vault", example_vault, "--today", "2026-12-01", "agenda", "--json").exit_code == 0
    assert snapshot(example_vault) == before


def test_check_on_the_example_vault(run, example_vault, golden):
    result = run("--vault", example_vault, "check")
    assert result.exit_code == 1
    golden("example/check.txt", result.stderr)
    for line in result.stderr.splitlines()[:-1]:
        path, lineno, *_ = line.split(":")
        assert (example_vault / path).is_file() and lineno.isdigit(), line


def test_check_json_and_strict(run, make_vault):
    vault = make_vault(contact(referred_by="[[Ann]]") | contact("Ann"))
    plain = run("--vault", vault, "check")
    assert plain.exit_code == 0 and "warning" in plain.stderr
    assert run("--vault", vault, "check", "--strict").exit_code == 1
    data = json.loads(run("--vault", vault, "check", "--json").stdout)
    assert (data["notes"], data["contacts"], data["errors"], data["warnings"]) == (2, 2, 0, 1)


def test_broken_note_is_skipped_and_counted(run, make_vault):
    vault = make_vault(contact(met="2026-11-20") | {"People/Bad.md": "---\ntype: contact\nmet: [2026\n---\n"})
    result = run("--vault", vault, "--today", "2026-11-23", "agenda", "--stdout")
    assert result.exit_code == 0
    assert (
        "People/Bad.md:3:6: error: front matter is not valid YAML: while parsing a flow sequence that is never closed"
        in result.stderr
    )
    assert "1 of 2 notes could not be read" not in result.stderr  # --stdout stays quiet about the summary
    assert "Thank [[Jane Doe]]" in result.stdout
    written = run("--vault", vault, "--today", "2026-11-23", "agenda")
    assert "1 of 2 notes could not be read" in written.stderr


def test_generated_and_hidden_files_are_never_read(run, make_vault):
    link = "[[Jane Doe]]\n"
    vault = make_vault(
        contact(cadence="weekly", last_contact="2026-01-01")
        | {
            ".obsidian/2026-11-20.md": link,
            ".trash/2026-11-20.md": link,
            "Drafts/2026-11-20 draft.md": link,
            "Templates/mdfollow/2026-11-20.md": link,
            ".hidden.md": "---\ntype: contact\n---\n",
        }
    )
    data = json.loads(run("--vault", vault, "--today", "2026-11-23", "agenda", "--json").stdout)
    assert data["items"][0]["due"] == "2026-01-08"
    assert data["problems"] == []


def test_vault_and_today_resolution(run, make_vault, monkeypatch, tmp_path):
    vault = make_vault(contact(met="2026-11-20") | {".obsidian/app.json": "{}", "Sub/Deeper/x.md": "x"})
    monkeypatch.chdir(vault / "Sub" / "Deeper")
    result = run("agenda", "--json", env={"MDFOLLOW_TODAY": "2026-11-22"})
    data = json.loads(result.stdout)
    assert data["today"] == "2026-11-22" and data["items"][0]["contact"] == "Jane Doe"
    monkeypatch.chdir(tmp_path)
    result = run("agenda", "--json", env={"MDFOLLOW_VAULT": str(vault), "MDFOLLOW_TODAY": "2026-11-22"})
    assert json.loads(result.stdout)["items"][0]["contact"] == "Jane Doe"
    # --today wins over the environment
    result = run(
        "--today", "2026-11-21", "agenda", "--json", env={"MDFOLLOW_VAULT": str(vault), "MDFOLLOW_TODAY": "2026-11-22"}
    )
    assert json.loads(result.stdout)["today"] == "2026-11-21"


def test_bad_usage_is_one_line_and_exit_2(run, tmp_path):
    bad_date = run("--today", "2026-02-30", "agenda", "--json")
    assert bad_date.exit_code == 2
    assert (
        bad_date.stderr.splitlines()[0]
        == "mdfollow: --today: '2026-02-30' is not a real date (February 2026 has 28 days) (see 'cli agenda --help')"
    )
    missing = run("--vault", tmp_path / "nope", "agenda")
    assert missing.exit_code == 2 and "is not a folder" in missing.stderr
    assert "Traceback" not in bad_date.output + missing.output
    assert run("agenda", "--bogus").exit_code == 2


def test_help_teaches(run):
    result = run("--help")
    assert result.exit_code == 0
    for word in ("agenda", "check", "show", "list", "milestone", "Exit codes"):
        assert word in result.stdout
    assert "Examples:" in run("agenda", "--help").stdout


def test_settings_change_the_rules(run, make_vault):
    vault = make_vault(contact(met="2026-11-20") | {".mdfollow.toml": "thank_after_days = 5\nhorizon_days = 1\n"})
    data = json.loads(run("--vault", vault, "--today", "2026-11-23", "agenda", "--json").stdout)
    assert data["items"] == []
    data = json.loads(run("--vault", vault, "--today", "2026-11-24", "agenda", "--json").stdout)
    assert data["items"][0]["due"] == "2026-11-25"


def test_a_note_outside_utf8_does_not_stop_the_run(run, make_vault):
    vault = make_vault(
        contact(met="2026-11-20") | {"People/Bad.md": "---\ntype: contact\nname: Jos\xe9\n---\n".encode("latin-1")}
    )
    result = run("--vault", vault, "--today", "2026-11-23", "agenda", "--json")
    data = json.loads(result.stdout)
    assert [i["contact"] for i in data["items"]] == ["Jane Doe"]
    assert data["problems"][0]["path"] == "People/Bad.md"


def test_agenda_file_is_utf8_and_lf(run, example_vault):
    raw = (example_vault / "Agenda.md").read_bytes()
    assert b"\r" not in raw and raw.endswith(b"%%\n")
    assert Path(example_vault / "Agenda.md").read_text(encoding="utf-8").count("^mf-") == 14


def test_progress_is_drawn_only_after_a_second_and_only_on_a_terminal(run, example_vault):
    from mdfollow.cli.app import App, ProgressBar

    now = [0.0]
    out: list[str] = []
    bar = ProgressBar(clock=lambda: now[0], write=out.append)
    bar(100, 1000)
    assert out == []  # a quick build shows nothing
    now[0] = 1.5
    bar(500, 1000)
    assert out and "500/1000 notes" in out[-1] and out[-1].startswith("\r")
    now[0] = 1.55
    bar(600, 1000)
    assert len(out) == 1  # at most ten redraws a second
    now[0] = 2.0
    bar(1000, 1000)
    assert out[-1] == "\r\x1b[K"  # wiped when done
    app = App(example_vault, EXAMPLE_TODAY, None, False, 0)
    assert app.progress(as_json=True) is None
    assert app.progress(as_json=False) is None  # stderr is not a terminal here
    result = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "agenda")
    assert "indexing" not in result.stderr
