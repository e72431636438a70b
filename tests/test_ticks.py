"""Ticked agenda items flow back into the notes: once, and never lost."""

import json

import pytest

from mdfollow import refresh as refresh_module
from tests.conftest import EXAMPLE_TODAY
from tests.helpers import contact


def agenda(run, vault, today="2026-11-23", *more):
    return run("--vault", vault, "--today", today, "agenda", *more)


def tick(vault, needle, name="Agenda.md"):
    path = vault / name
    lines = path.read_text(encoding="utf-8").split("\n")
    hits = [i for i, line in enumerate(lines) if needle in line and line.startswith("- [ ]")]
    assert len(hits) == 1, needle
    lines[hits[0]] = lines[hits[0]].replace("- [ ]", "- [x]", 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def front(vault, name):
    from mdfollow.note import parse_note

    return parse_note("x.md", (vault / "People" / f"{name}.md").read_bytes()).front


@pytest.mark.parametrize(
    "needle, name, expected",
    [
        ("Thank [[Priya Raman]]", "Priya Raman", {"thanked": EXAMPLE_TODAY}),
        ("Report back to [[Hannah Schulz]]", "Hannah Schulz", {"reported_back": EXAMPLE_TODAY}),
        ("Nudge [[Nina Kovacs]]", "Nina Kovacs", {"last_outreach": EXAMPLE_TODAY, "strikes": 2}),
        ("light nudge to [[Daniel Okafor]]", "Daniel Okafor", {"last_outreach": EXAMPLE_TODAY, "strikes": 3}),
        # News needs no answer: `informed`, no strike.
        ("Tell [[Elena Petrova]]", "Elena Petrova", {"last_outreach": EXAMPLE_TODAY, "strikes": None}),
        ("Update [[Aisha Mensah]]", "Aisha Mensah", {"last_outreach": EXAMPLE_TODAY, "strikes": None}),
        ("Reach out to [[Grace Liu]]", "Grace Liu", {"last_outreach": EXAMPLE_TODAY, "strikes": 1}),
        ("Follow up with [[Marcus Bell]]", "Marcus Bell", {"last_outreach": EXAMPLE_TODAY}),
    ],
)
def test_a_tick_records_the_matching_event_then_the_item_moves_on(run, example_vault, needle, name, expected):
    tick(example_vault, needle)
    result = agenda(run, example_vault)
    assert result.exit_code == 0, result.stderr
    assert "recorded:" in result.stderr
    got = front(example_vault, name)
    for key, value in expected.items():
        assert got.get(key) == value
    text = (example_vault / f"People/{name}.md").read_text(encoding="utf-8")
    event = {"thank": "thanked", "report": "reported back", "tell": "informed", "update": "informed"}
    assert f"{EXAMPLE_TODAY} {event.get(needle.split()[0].lower(), 'sent')}" in text
    assert text.count("%%mf-") == 1
    new_agenda = (example_vault / "Agenda.md").read_text(encoding="utf-8")
    assert "- [x]" not in new_agenda and needle not in new_agenda
    if name == "Marcus Bell":
        assert "next_follow_up" not in got  # the promise is kept


def test_a_tick_is_recorded_once_even_if_the_agenda_write_fails(run, example_vault, monkeypatch):
    tick(example_vault, "Thank [[Priya Raman]]")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(refresh_module, "write_file", disk_full)
    failed = agenda(run, example_vault)
    assert failed.exit_code == 1 and "No space left" in failed.stderr
    assert "- [x] Thank [[Priya Raman]]" in (example_vault / "Agenda.md").read_text(encoding="utf-8")
    monkeypatch.undo()
    again = agenda(run, example_vault)
    assert again.exit_code == 0
    note = (example_vault / "People/Priya Raman.md").read_text(encoding="utf-8")
    assert note.count("thanked") == 1 + 1  # the front-matter key and one log line
    assert note.count("%%mf-") == 1
    assert "no longer matches" not in again.stderr


def test_a_stale_tick_is_kept_and_reported_not_recorded(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    assert agenda(run, vault).exit_code == 0
    tick(vault, "Thank [[Jane Doe]]")
    # Meanwhile the note changed: a newer meeting makes a different thank-you item.
    path = vault / "People/Jane Doe.md"
    path.write_text(path.read_text(encoding="utf-8").replace("met: 2026-11-20", "met: 2026-11-22"), encoding="utf-8")
    result = agenda(run, vault)
    assert result.exit_code == 0
    assert "Agenda.md:" in result.stderr and "no longer matches" in result.stderr
    assert "thanked" not in path.read_text(encoding="utf-8")
    text = (vault / "Agenda.md").read_text(encoding="utf-8")
    assert "## Ticked, not recorded" in text and "- [x] Thank [[Jane Doe]]: met 2026-11-20" in text
    assert "- [ ] Thank [[Jane Doe]]: met 2026-11-22" in text
    # Still there on the next run; deleting the carried line by hand is not a hand edit.
    assert (
        "- [x] Thank [[Jane Doe]]: met 2026-11-20"
        in (agenda(run, vault), (vault / "Agenda.md").read_text(encoding="utf-8"))[1]
    )
    lines = [line for line in text.split("\n") if "met 2026-11-20" not in line]
    (vault / "Agenda.md").write_text("\n".join(lines), encoding="utf-8")
    cleaned = agenda(run, vault)
    assert cleaned.exit_code == 0, cleaned.stderr
    assert "Ticked, not recorded" not in (vault / "Agenda.md").read_text(encoding="utf-8")


def test_a_tick_on_a_note_with_errors_is_kept(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    assert agenda(run, vault).exit_code == 0
    tick(vault, "Thank [[Jane Doe]]")
    path = vault / "People/Jane Doe.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("type: contact", "type: contact\nwarmth: hot"), encoding="utf-8"
    )
    result = agenda(run, vault)
    assert "tick not recorded" in result.stderr and "warmth" in result.stderr
    assert "- [x] Thank [[Jane Doe]]" in (vault / "Agenda.md").read_text(encoding="utf-8")


def test_undated_items_keep_their_block_id_from_day_to_day(run, make_vault):
    vault = make_vault(contact("Ann Lee") | contact(referred_by='"[[Ann Lee]]"'))
    first = json.loads(agenda(run, vault, "2026-11-23", "--json").stdout)
    assert first["items"][0]["due"] == "2026-11-23"
    agenda(run, vault, "2026-11-23")
    tick(vault, "Reach out to [[Jane Doe]]")
    result = agenda(run, vault, "2026-11-24")
    assert "recorded: reach-out for Jane Doe" in result.stderr


def test_unticking_and_json_write_nothing_to_notes(run, example_vault):
    tick(example_vault, "Thank [[Priya Raman]]")
    before = (example_vault / "People/Priya Raman.md").read_bytes()
    assert agenda(run, example_vault, EXAMPLE_TODAY, "--json").exit_code == 0
    assert agenda(run, example_vault, EXAMPLE_TODAY, "--stdout").exit_code == 0
    assert (example_vault / "People/Priya Raman.md").read_bytes() == before


def test_a_tick_already_logged_by_hand_is_dropped_quietly(run, make_vault):
    vault = make_vault(contact(met="2026-11-20") | contact("Ann Bell", strikes=1, last_outreach="2026-11-10"))
    assert agenda(run, vault).exit_code == 0
    tick(vault, "Thank [[Jane Doe]]")
    tick(vault, "Nudge [[Ann Bell]]")
    # The user logged both by hand before the next run (a day later).
    assert run("--vault", vault, "--today", "2026-11-24", "log", "Jane Doe", "thanked").exit_code == 0
    assert run("--vault", vault, "--today", "2026-11-24", "log", "Ann Bell", "sent").exit_code == 0
    result = agenda(run, vault, "2026-11-24")
    assert result.exit_code == 0, result.stderr
    assert "no longer matches" not in result.stderr
    text = (vault / "Agenda.md").read_text(encoding="utf-8")
    assert "Ticked, not recorded" not in text and "- [x]" not in text
    jane = (vault / "People/Jane Doe.md").read_text(encoding="utf-8")
    assert jane.count("thanked") == 2 and "%%mf-" not in jane  # the key and the one log line, nothing doubled
