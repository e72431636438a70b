"""`log` and `new` against real vaults: state changes, log lines, untouched bytes."""

import json
from datetime import date

import pytest

from mdfollow import record as record_module
from tests.conftest import snapshot
from tests.helpers import contact

TODAY = "2026-11-23"


def front(vault, name="Jane Doe"):
    from mdfollow.note import parse_note

    return parse_note("x.md", (vault / "People" / f"{name}.md").read_bytes()).front


def log(run, vault, *args):
    return run("--vault", vault, "--today", TODAY, "log", *args)


@pytest.mark.parametrize(
    "event, keys, expected",
    [
        ("met", {"strikes": 2, "last_outreach": "2026-11-01"}, {"met": TODAY, "last_contact": TODAY, "strikes": 0}),
        ("replied", {"strikes": 1, "last_outreach": "2026-11-01"}, {"last_contact": TODAY, "strikes": 0}),
        ("sent", {}, {"last_outreach": TODAY, "strikes": 1}),
        ("sent", {"strikes": 1, "last_outreach": "2026-11-01"}, {"last_outreach": TODAY, "strikes": 2}),
        ("sent", {"strikes": 2, "last_outreach": "2026-11-01", "last_contact": "2026-11-05"}, {"strikes": 1}),
        ("thanked", {"met": "2026-11-20"}, {"thanked": TODAY}),
        ("reported", {"thanked": "2026-10-20"}, {"reported_back": TODAY}),
    ],
)
def test_each_event_changes_the_state_the_domain_says(run, make_vault, event, keys, expected):
    vault = make_vault(contact(**keys))
    result = log(run, vault, "Jane Doe", event)
    assert result.exit_code == 0, result.stderr
    got = front(vault)
    for key, value in expected.items():
        assert got[key] == value, key
    if event in ("thanked", "reported"):
        assert "strikes" not in got  # gratitude is not a try


def test_log_appends_one_line_and_changes_no_other_byte(run, make_vault):
    original = (
        "\ufeff---\r\ntype: contact   # keep me\r\ncompany: 'Acme, Inc.'\r\ntags: [a, b]\r\n"
        'last_outreach: "2026-11-01"\r\nstrikes: 1\r\n---\r\n# Jane\r\n\r\n## Interactions\r\n\r\n'
        "- 2026-11-01 sent: first try\r\n\r\n## Notes\r\n\r\nKeep this.\r\n"
    ).encode()
    vault = make_vault({"People/Jane Doe.md": original})
    assert log(run, vault, "jane doe", "sent", "--note", "second try").exit_code == 0
    raw = (vault / "People/Jane Doe.md").read_bytes()
    assert raw == original.replace(b'"2026-11-01"', f'"{TODAY}"'.encode()).replace(
        b"strikes: 1", b"strikes: 2"
    ).replace(
        b"- 2026-11-01 sent: first try\r\n", f"- 2026-11-01 sent: first try\r\n- {TODAY} sent: second try\r\n".encode()
    )


def test_advice_outcome_warmth_and_a_kept_promise(run, make_vault):
    vault = make_vault(contact(next_follow_up="2026-11-28", warmth="neutral"))
    result = log(
        run, vault, "Jane Doe", "met", "--advice", "Ask: which metric?", "--outcome", "It worked", "--warmth", "warm"
    )
    assert result.exit_code == 0
    got = front(vault)
    assert (got["advice"], got["advice_outcome"], got["warmth"]) == ("Ask: which metric?", "It worked", "warm")
    assert "next_follow_up" not in got  # met within a week before the promise keeps it
    text = (vault / "People/Jane Doe.md").read_text(encoding="utf-8")
    assert f"- {TODAY} met: advice: Ask: which metric?; outcome: It worked (warm)" in text


def test_a_promise_far_ahead_is_not_cleared_and_notes_change_nothing(run, make_vault):
    vault = make_vault(contact(next_follow_up="2027-05-01"))
    assert log(run, vault, "Jane Doe", "sent").exit_code == 0
    assert front(vault)["next_follow_up"] == "2027-05-01"
    before = front(vault)
    assert log(run, vault, "Jane Doe", "note", "--note", "saw her post").exit_code == 0
    assert front(vault) == before


def test_logging_an_older_event_never_moves_dates_back(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    assert log(run, vault, "Jane Doe", "met", "--date", "2026-10-01").exit_code == 0
    assert front(vault)["met"] == "2026-11-20"
    assert "- 2026-10-01 met" in (vault / "People/Jane Doe.md").read_text(encoding="utf-8")


def test_referred_creates_the_contact_with_referred_by(run, make_vault):
    vault = make_vault(contact("Elena Petrova"))
    result = log(run, vault, "Elina", "referred", "--to", "Grace Liu")
    assert result.exit_code == 1 and "did you mean 'Elena Petrova'?" in result.stderr
    assert not (vault / "People/Grace Liu.md").exists()
    result = log(run, vault, "Elena Petrova", "referred", "--to", "Grace Liu")
    assert result.exit_code == 0, result.stderr
    grace = front(vault, "Grace Liu")
    assert grace["referred_by"] == "[[Elena Petrova]]" and grace["added"] == TODAY and grace["type"] == "contact"
    assert f"- {TODAY} referred me to [[Grace Liu]]" in (vault / "People/Elena Petrova.md").read_text(encoding="utf-8")
    data = json.loads(run("--vault", vault, "--today", TODAY, "agenda", "--json").stdout)
    assert [(i["contact"], i["action"], i["due"]) for i in data["items"]] == [("Grace Liu", "reach-out", "2026-11-25")]


def test_bad_usage_writes_nothing(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    before = snapshot(vault)
    for args, code in [
        (("Jane Doe", "waved"), 2),
        (("Jane Doe", "referred"), 2),
        (("Jane Doe", "sent", "--to", "X"), 2),
        (("Jane Doe", "sent", "--date", "2026-11-24"), 2),
        (("Jane Doe", "sent", "--date", "24/11/2026"), 2),
        (("Jane Doe", "sent", "--warmth", "hot"), 2),
        (("Nobody", "sent"), 1),
    ]:
        result = log(run, vault, *args)
        assert result.exit_code == code, (args, result.output)
        assert "Traceback" not in result.output
    assert snapshot(vault) == before


def test_a_note_with_errors_is_never_written(run, make_vault):
    vault = make_vault(contact(met="2026-11-20", warmth="hot"))
    before = snapshot(vault)
    result = log(run, vault, "Jane Doe", "thanked")
    assert result.exit_code == 1
    assert "has errors, so mdfollow will not write to it" in result.stderr and "warmth" in result.stderr
    assert snapshot(vault) == before


def test_a_note_changed_while_logging_is_reread_and_the_event_reapplied(run, make_vault, monkeypatch):
    vault = make_vault(contact(strikes=1, last_outreach="2026-11-01"))
    path = vault / "People/Jane Doe.md"
    real = record_module.set_keys
    calls = []

    def user_saves_meanwhile(raw, changes, keys=None):
        if not calls:  # the editor saves between our read and our write
            path.write_bytes(raw.replace(b"# Jane Doe", b"# Jane Doe\n\nA line typed meanwhile."))
        calls.append(changes)
        return real(raw, changes, keys)

    monkeypatch.setattr(record_module, "set_keys", user_saves_meanwhile)
    assert log(run, vault, "Jane Doe", "sent").exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert "A line typed meanwhile." in text and f"last_outreach: {TODAY}" in text and "strikes: 2" in text
    assert len(calls) == 2


def test_new_creates_a_contact_and_never_overwrites(run, make_vault):
    vault = make_vault(contact("Elena Petrova"))
    result = run(
        "--vault",
        vault,
        "--today",
        TODAY,
        "new",
        "  Priya   Raman ",
        "--met",
        "2026-11-17",
        "--company",
        "Larkspur: Foods",
        "--advice",
        "Sit in on a readout",
        "--cadence",
        "monthly",
        "--referred-by",
        "elena petrova",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "People/Priya Raman.md\n"
    got = front(vault, "Priya Raman")
    assert got == {
        "type": "contact",
        "name": "Priya Raman",
        "company": "Larkspur: Foods",
        "met": "2026-11-17",
        "referred_by": "[[Elena Petrova]]",
        "advice": "Sit in on a readout",
        "cadence": "monthly",
        "added": TODAY,
    }
    before = snapshot(vault)
    again = run("--vault", vault, "--today", TODAY, "new", "priya raman")
    assert again.exit_code == 1 and "already a contact: People/Priya Raman.md" in again.stderr
    assert snapshot(vault) == before
    checked = run("--vault", vault, "check")
    assert checked.exit_code == 0, checked.stderr


@pytest.mark.parametrize(
    "name, message",
    [
        ("../../etc/passwd", "cannot be in a note's file name"),
        ("Jane/Doe", "cannot be in a note's file name"),
        ("..", "not a usable name"),
        (".hidden", "starts with a dot"),
        ("CON", "reserved file name on Windows"),
        ("nul.txt", "reserved file name on Windows"),
        ("Jane\n---\ntype: x", "cannot be in a note's file name"),
        ("Jane\x00Doe", "control character"),
        ("C:\\Users", "cannot be in a note's file name"),
        ("   ", "not a usable name"),
    ],
)
def test_new_refuses_names_that_could_escape_or_break(run, make_vault, name, message):
    vault = make_vault(contact())
    before = snapshot(vault)
    result = run("--vault", vault, "--today", TODAY, "new", name)
    assert result.exit_code == 1 and message in result.stderr, result.stderr
    assert snapshot(vault) == before


def test_new_cleans_trailing_dots_and_long_names(run, make_vault):
    vault = make_vault(contact())
    assert run("--vault", vault, "--today", TODAY, "new", "Sam Lee Jr.").exit_code == 0
    assert (vault / "People/Sam Lee Jr.md").exists()
    long = "Ä" * 200
    result = run("--vault", vault, "--today", TODAY, "new", long)
    assert result.exit_code == 0
    [made] = [p for p in (vault / "People").iterdir() if p.name.startswith("Ä")]
    assert len(made.name.encode()) <= 255 and made.name.endswith(".md")
    assert front(vault, made.name[:-3])["name"] == long


def test_contacts_folder_outside_the_vault_is_refused(run, make_vault, tmp_path):
    vault = make_vault(contact() | {".mdfollow.toml": 'contacts_folder = "../outside"\n'})
    result = run("--vault", vault, "--today", TODAY, "new", "Ann Lee")
    # The setting is refused when read (with its file and line); the note goes to the default folder.
    assert ".mdfollow.toml:1: error: contacts_folder '../outside' leads outside the vault" in result.stderr
    assert not (tmp_path / "outside").exists()
    assert (vault / "People/Ann Lee.md").exists()


def test_history_shows_log_lines_and_mentions(run, make_vault):
    vault = make_vault(contact() | {"Daily/2026-11-20.md": "- [x] call [[Jane Doe]]\n"})
    assert log(run, vault, "Jane Doe", "sent", "--note", "hello", "--date", "2026-11-21").exit_code == 0
    data = json.loads(run("--vault", vault, "history", "Jane Doe", "--json").stdout)
    assert data == [
        {"date": "2026-11-20", "source": "mention", "text": "Daily/2026-11-20.md:1"},
        {"date": "2026-11-21", "source": "log", "text": "sent: hello"},
    ]


def test_events_module_directly():
    from mdfollow.contact import Contact
    from mdfollow.events import Event, changes_for, log_line

    jane = Contact(
        "People/Jane.md", "Jane", strikes=2, last_outreach=date(2026, 11, 1), next_follow_up=date(2026, 11, 30)
    )
    assert changes_for(jane, Event("replied", date(2026, 11, 23))) == {
        "last_contact": date(2026, 11, 23),
        "strikes": 0,
        "next_follow_up": None,
    }
    assert changes_for(jane, Event("replied", date(2026, 10, 1))) == {"last_contact": date(2026, 10, 1)}
    assert (
        log_line(Event("sent", date(2026, 11, 23), note="a\nb", tag="mf-1234abcd"))
        == "- 2026-11-23 sent: a b %%mf-1234abcd%%"
    )


def test_an_unknown_event_is_named_as_event_in_usage_and_error(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    result = log(run, vault, "Jane Doe", "waved")
    assert result.exit_code == 2
    assert "Invalid value for 'EVENT': 'waved'" in result.output
    assert "{met|" not in result.output
    assert "log [OPTIONS] NAME EVENT\n" in run("log", "--help").output
