"""The calendar feed parses with two independent parsers and keeps its UIDs."""

from datetime import datetime, time

import icalendar
import vobject

from tests.conftest import EXAMPLE_TODAY, snapshot


def write(run, vault, today=EXAMPLE_TODAY, *more):
    return run("--vault", vault, "--today", today, "ics", *more)


def test_ics_round_trips_through_two_parsers(run, example_vault):
    assert write(run, example_vault).exit_code == 0
    raw = (example_vault / "Agenda.ics").read_bytes()
    ours = icalendar.Calendar.from_ical(raw)
    every = [c for c in ours.walk() if c.name == "VEVENT"]
    events = [e for e in every if "birthday" not in str(e["categories"].to_ical())]
    assert len(events) == 14 and len(every) == 17  # and three yearly birthdays
    first = events[0]
    assert str(first["summary"]) == "Thank Priya Raman"
    assert first.decoded("dtstart").isoformat() == EXAMPLE_TODAY  # overdue: shown today
    assert "Overdue since 2026-11-18." in str(first["description"]) and "Note: People/Priya Raman.md" in str(
        first["description"]
    )
    assert [c.name for c in first.subcomponents] == ["VALARM"]
    other = vobject.readOne(raw.decode("utf-8"))
    assert [str(e.summary.value) for e in other.vevent_list] == [str(e["summary"]) for e in every]
    assert {str(e.uid.value) for e in other.vevent_list} == {str(e["uid"]) for e in every}
    assert len({str(e["uid"]) for e in every}) == 17


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
    assert len(list(cal.walk("VTODO"))) == 14
    assert [str(e["summary"]) for e in cal.walk("VEVENT")] == [  # birthdays stay events
        "Elena Petrova's birthday",
        "Kenji Watanabe's birthday",
        "Priya Raman's birthday",
    ]
    assert write(run, example_vault, EXAMPLE_TODAY, "--out", out, "--event").exit_code == 0
    assert len(list(icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT"))) == 17
    mine = tmp_path / "mine.ics"
    mine.write_text("BEGIN:VCALENDAR\r\nPRODID:-//Someone else//EN\r\nEND:VCALENDAR\r\n")
    result = write(run, example_vault, EXAMPLE_TODAY, "--out", mine)
    assert result.exit_code == 1 and "not written by mdfollow" in result.stderr
    assert "Someone else" in mine.read_text()


def test_birthdays_recur_yearly_and_29_february_falls_on_the_28th(run, example_vault):
    from dateutil.rrule import rrulestr

    assert write(run, example_vault).exit_code == 0
    cal = icalendar.Calendar.from_ical((example_vault / "Agenda.ics").read_bytes())
    births = {str(e["summary"]): e for e in cal.walk("VEVENT") if "birthday" in str(e["summary"])}
    kenji = births["Kenji Watanabe's birthday"]  # birthday: --02-29
    start = kenji.decoded("dtstart")
    rule = rrulestr(kenji["rrule"].to_ical().decode(), dtstart=datetime.combine(start, time()))
    assert [d.date().isoformat() for d in rule[:3]] == ["2026-02-28", "2027-02-28", "2028-02-29"]
    elena = births["Elena Petrova's birthday"]  # birthday: 1979-11-28
    assert elena.decoded("dtstart").isoformat() == "2026-11-28" and "Born 1979." in str(elena["description"])
    assert elena["rrule"].to_ical() == b"FREQ=YEARLY"
    uid = str(elena["uid"])
    assert write(run, example_vault, "2027-03-01").exit_code == 0  # a year on, the same event
    later = icalendar.Calendar.from_ical((example_vault / "Agenda.ics").read_bytes())
    assert uid in {str(e["uid"]) for e in later.walk("VEVENT")}
