"""The agenda as an iCalendar feed (RFC 5545). icalendar lives here and nowhere else.

Pure: the agenda in, bytes out, the same bytes for the same vault and day.
Each item is an all-day event (or a to-do), each birthday a yearly event,
with a UID that depends only on the contact and the action, so a calendar that
re-imports the file updates the event instead of adding another.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import icalendar

from mdfollow import __version__
from mdfollow.contact import Contact
from mdfollow.render import one_line, plain_verb
from mdfollow.rules import Agenda, FollowUp

PRODID = "-//mdfollow//mdfollow//EN"


def uid(item: FollowUp) -> str:
    key = f"{item.contact.path}\n{item.action}".encode()
    return f"{hashlib.blake2b(key, digest_size=10).hexdigest()}@mdfollow"


def agenda_calendar(
    agenda: Agenda, *, todo: bool = False, alarm_hour: int = 9, contacts: Iterable[Contact] = ()
) -> bytes:
    """The agenda's items, and a yearly event for the birthday of each of `contacts` that has one."""
    today = agenda.today
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "mdfollow follow-ups")
    cal.add("x-mdfollow-version", __version__)
    stamp = datetime(today.year, today.month, today.day, tzinfo=UTC)
    for item in agenda.items:
        component = icalendar.Todo() if todo else icalendar.Event()
        summary = plain_verb(item)
        when = max(item.due, today)  # overdue items show today, where they still need doing
        lines = [one_line(item.reason)]
        if item.due < today:
            lines.append(f"Overdue since {item.due.isoformat()}.")
        if item.also:
            lines.append(f"Also: {', '.join(item.also)}.")
        lines.append(f"Note: {item.contact.path}")
        component.add("uid", uid(item))
        component.add("dtstamp", stamp)
        component.add("summary", summary)
        component.add("description", "\n".join(lines))
        component.add("categories", ["mdfollow", item.action])
        if todo:
            component.add("dtstart", when)
            component.add("due", when)
            component.add("status", "NEEDS-ACTION")
        else:
            component.add("dtstart", when)
            component.add("dtend", when + timedelta(days=1))
            component.add("transp", "TRANSPARENT")
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", timedelta(hours=alarm_hour), parameters={"RELATED": "START"})
        component.add_component(alarm)
        cal.add_component(component)
    for event in birthday_events(contacts, today, stamp):
        cal.add_component(event)
    return bytes(cal.to_ical())


def birthday_events(contacts: Iterable[Contact], today: date, stamp: datetime) -> list[icalendar.Event]:
    """One yearly all-day event per birthday (closed contacts have none).

    29 February recurs on the last day of February (BYMONTHDAY=-1), so that it
    falls on the 28th in other years, as the agenda keeps it. The first
    occurrence is this year's, so the event is the same all year long.
    """
    events = []
    for contact in sorted(contacts, key=lambda c: c.path):
        birthday = contact.birthday
        if birthday is None or contact.status == "closed":
            continue
        start = birthday.in_year(today.year)
        rule: dict[str, object] = {"freq": "yearly"}
        if birthday.month == 2 and birthday.day == 29:
            rule.update(bymonth=2, bymonthday=-1)
        event = icalendar.Event()
        key = f"{contact.path}\nbirthday".encode()
        event.add("uid", f"{hashlib.blake2b(key, digest_size=10).hexdigest()}@mdfollow")
        event.add("dtstamp", stamp)
        event.add("summary", f"{contact.name}'s birthday")
        born = f"Born {birthday.year}. " if birthday.year is not None else ""
        event.add("description", f"{born}Note: {contact.path}")
        event.add("categories", ["mdfollow", "birthday"])
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(days=1))
        event.add("rrule", rule)
        event.add("transp", "TRANSPARENT")
        events.append(event)
    return events


def is_ours(data: bytes) -> bool:
    return PRODID.encode() in data[:512]
