"""The calendar feed parses with two independent parsers and keeps its UIDs."""

import icalendar
import vobject

from tests.conftest import EXAMPLE_TODAY, snapshot


def write(run, vault, today=EXAMPLE_TODAY, *more):
    return run("--vault", vault, "--today", today, "ics", *more)


def test_ics_round_trips_through_two_parsers(run, example_vault):
    assert write(run, example_vault).exit_code == 0
    raw = (example_vault / "Agenda.ics").read_bytes()
    ours = icalendar.Calendar.from_ical(raw)
    events = [c for c in ours.walk() if c.name == "VEVENT"]
    assert len(events) == 14
    first = events[0]
    assert str(first["summary"]) == "Thank Priya Raman"
    assert first.decoded("dtstart").isoformat() == EXAMPLE_TODAY  # overdue: shown today
    assert "Overdue since 2026-11-18." in str(first["description"]) and "Note: People/Priya Raman.md" in str(
        first["description"]
    )
    assert [c.name for c in first.subcomponents] == ["VALARM"]
    other = vobject.readOne(raw.decode("utf-8"))
    assert [str(e.summary.value) for e in other.vevent_list] == [str(e["summary"]) for e in events]
    assert {str(e.uid.value) for e in other.vevent_list} == {str(e["uid"]) for e in events}
    assert len({str(e["uid"]) for e in events}) == 14


def test_uids_are_stable_across_days_and_unchanged_output_is_not_rewritten(run, example_vault):
    write(run, example_vault)
    day1 = icalendar.Calendar.from_ical((example_vault / "Agenda.ics").read_bytes())
    before = snapshot(example_vault)
    assert "up to date" in write(run, example_vault).stderr
    assert snapshot(example_vault) == before
    write(run, example_vault, "2026-11-24")
    day2 = icalendar.Calendar.from_ical((example_vault / "Agenda.ics").read_bytes())
    uids1 = {str(e["summary"]): str(e["uid"]) for e in day1.walk("VEVENT")}
    uids2 = {str(e["summary"]): str(e["uid"]) for e in day2.walk("VEVENT")}
    common = set(uids1) & set(uids2)
    assert common and all(uids1[s] == uids2[s] for s in common)


def test_todo_setting_and_foreign_file(run, example_vault, tmp_path):
    (example_vault / ".mdfollow.toml").write_text('calendar_todo = true\n[me]\nname = "Alex"\n')
    out = tmp_path / "feed.ics"
    assert write(run, example_vault, EXAMPLE_TODAY, "--out", out).exit_code == 0
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    assert len(list(cal.walk("VTODO"))) == 14 and not list(cal.walk("VEVENT"))
    assert write(run, example_vault, EXAMPLE_TODAY, "--out", out, "--event").exit_code == 0
    assert len(list(icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT"))) == 14
    mine = tmp_path / "mine.ics"
    mine.write_text("BEGIN:VCALENDAR\r\nPRODID:-//Someone else//EN\r\nEND:VCALENDAR\r\n")
    result = write(run, example_vault, EXAMPLE_TODAY, "--out", mine)
    assert result.exit_code == 1 and "not written by mdfollow" in result.stderr
    assert "Someone else" in mine.read_text()
