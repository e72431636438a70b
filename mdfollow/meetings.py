"""Meetings from calendars: past events with a contact in them become touches.

Pure: iCalendar bytes in, touches and skips out; today and the time zone are
passed in. An event with a contact as organizer or attendee is a meeting
(`met`, which calls for a thank-you); a recurring event is contact without a
thank-you (`spoke`), logged for its latest past occurrence only, so a weekly
meeting adds one line per harvest, not one per week of its history.
Occurrences come from `recurring_ical_events` (RRULE, RDATE, EXDATE, moved
occurrences, VTIMEZONE), each day in the user's zone.
"""

from __future__ import annotations

from datetime import date, timedelta, tzinfo
from typing import Any

from mdfollow.contact import Contact, address_key
from mdfollow.diagnostics import error, warning
from mdfollow.harvest import (
    SKIP_NO_DATE,
    SKIP_STRANGER,
    AddressBook,
    Harvested,
    Skip,
    Touch,
    clean_title,
    first_line,
    local_day,
    tag_for,
)

SKIP_NOT_MINE = "someone else's event, without you"
SKIP_CANCELLED = "cancelled"
SKIP_DECLINED = "declined"
SKIP_TODAY = "today or later (harvested once past)"
SKIP_EARLIER = "earlier occurrences of a recurring meeting"
_AHEAD = timedelta(days=366)  # read a year ahead, so that the summary can say what waits


def _people(component: Any) -> list[tuple[str, str, str]]:
    """(address key, PARTSTAT, ORGANIZER or ATTENDEE) of the organizer and every attendee."""
    found = []
    for name in ("ORGANIZER", "ATTENDEE"):
        values = component.get(name)
        if values is None:
            continue
        for value in values if isinstance(values, list) else [values]:
            text = str(value)
            if text[:7].lower() == "mailto:" or "@" in text:
                partstat = str(getattr(value, "params", {}).get("PARTSTAT", "")).upper()
                found.append((address_key(text), partstat, name))
    return found


def read_calendar(data: bytes, where: str, book: AddressBook, today: date, zone: tzinfo, harvested: Harvested) -> bool:
    """Touches from an iCalendar file's events; False when it is not iCalendar at all."""
    import icalendar
    import recurring_ical_events

    text = _calendar_text(data, where, harvested)
    if text is None:
        return False
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        harvested.problems.append(error(where, None, f"not an iCalendar file ({first_line(exc)}); skipped"))
        return False
    calendars = [c for c in calendars if getattr(c, "name", "") == "VCALENDAR"]
    if not calendars:
        harvested.problems.append(error(where, None, "not an iCalendar file (no VCALENDAR); skipped"))
        return False
    for calendar in calendars:
        _drop_broken_events(calendar, where, harvested)
    for calendar in calendars:
        masters: dict[str, Any] = {}
        recurring: set[str] = set()
        for component in calendar.walk("VEVENT"):
            uid = str(component.get("UID", ""))
            if "RECURRENCE-ID" in component:
                recurring.add(uid)
            else:
                masters[uid] = component
                if "RRULE" in component or "RDATE" in component:
                    recurring.add(uid)
        try:
            # A year ahead too, so that the summary can say what was left for later.
            occurrences = list(recurring_ical_events.of(calendar).between(date(1900, 1, 1), today + _AHEAD))
        except Exception as exc:  # the library raises its own and icalendar's errors on bad rules
            harvested.problems.append(error(where, None, f"cannot expand the events: {first_line(exc)}; skipped"))
            continue
        latest: dict[tuple[str, str], Touch] = {}
        for event in occurrences:
            _event_touches(event, where, book, today, zone, harvested, masters, recurring, latest)
        for touch in latest.values():
            harvested.touches.append(touch)
    return True


def _calendar_text(data: bytes, where: str, harvested: Harvested) -> str | None:
    """The file as text: UTF-8 (else Windows-1252, said once), cut to its last whole event if truncated."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", "replace")
        harvested.problems.append(warning(where, None, "not UTF-8; read as Windows-1252"))
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        harvested.problems.append(error(where, 1, "not an iCalendar file (no BEGIN:VCALENDAR); skipped"))
        return None
    if "END:VCALENDAR" not in text.upper():
        last = text.upper().rfind("END:VEVENT")
        if last < 0:
            harvested.problems.append(error(where, None, "truncated before its first whole event; skipped"))
            return None
        cut = text.find("\n", last)
        line = text.count("\n", 0, last) + 1
        text = (text[: cut + 1] if cut >= 0 else text + "\r\n") + "END:VCALENDAR\r\n"
        harvested.problems.append(warning(where, line, "truncated; the events up to this line were read"))
    return text


def _drop_broken_events(calendar: Any, where: str, harvested: Harvested) -> None:
    """Events whose dates or rules cannot be read are reported and left out; the rest are read."""
    kept = []
    for component in calendar.subcomponents:
        if getattr(component, "name", "") == "VEVENT":
            try:
                for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
                    if name in component:
                        _ = component[name].dt
                for name in ("EXDATE", "RDATE"):
                    values = component.get(name)
                    for value in values if isinstance(values, list) else [values] if values is not None else []:
                        _ = value.dts
            except Exception as exc:  # icalendar raises many kinds on broken values
                summary = clean_title(str(component.get("SUMMARY", ""))) or str(component.get("UID", "an event"))
                harvested.problems.append(warning(where, None, f"event {summary!r}: {first_line(exc)}; skipped"))
                continue
        kept.append(component)
    calendar.subcomponents[:] = kept


def _event_touches(
    event: Any,
    where: str,
    book: AddressBook,
    today: date,
    zone: tzinfo,
    harvested: Harvested,
    masters: dict[str, Any],
    recurring: set[str],
    latest: dict[tuple[str, str], Touch],
) -> None:
    harvested.read += 1
    uid = str(event.get("UID", ""))
    summary = clean_title(str(event.get("SUMMARY", "")))
    shown = f"{where} ({summary or uid or 'an event'})"
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        harvested.skips.append(Skip(SKIP_CANCELLED, shown))
        return
    start = event.get("DTSTART")
    if start is None:
        harvested.skips.append(Skip(SKIP_NO_DATE, shown))
        return
    day = local_day(start.dt, zone)
    if day >= today:
        harvested.skips.append(Skip(SKIP_TODAY, shown))
        return
    people = _people(event) or (_people(masters[uid]) if uid in masters else [])
    if any(book.is_mine(a) and p == "DECLINED" for a, p, _ in people):
        harvested.skips.append(Skip(SKIP_DECLINED, shown))
        return
    organizer = next((a for a, _, role in people if role == "ORGANIZER"), None)
    if book.mine and organizer and not any(book.is_mine(a) for a, _, _ in people):
        # Organized by someone else and you are not invited: a shared or subscribed calendar.
        harvested.skips.append(Skip(SKIP_NOT_MINE, shown))
        return
    contacts: list[Contact] = []
    for address, partstat, _ in people:
        found = book.contacts_at(address)
        if len(found) == 1 and partstat != "DECLINED" and found[0] not in contacts:
            contacts.append(found[0])
    if not contacts:
        harvested.skips.append(Skip(SKIP_STRANGER, shown))
        return
    again = event.get("RECURRENCE-ID")
    moment = (again or start).dt
    identity = f"{uid or summary}|{moment.isoformat() if uid in recurring else ''}"
    if not uid:
        identity += f"|{start.dt.isoformat()}"
    tag = tag_for("cal", identity)
    what = f'meeting "{summary}"' if summary else "meeting"
    if uid in recurring:
        what = f'recurring meeting "{summary}"' if summary else "recurring meeting"
        for contact in contacts:
            key = (uid, contact.path)
            before = latest.get(key)
            if before is None or day > before.day:
                if before is not None:
                    harvested.skips.append(Skip(SKIP_EARLIER, before.where))
                latest[key] = Touch(contact.path, "spoke", day, what, tag, shown)
            else:
                harvested.skips.append(Skip(SKIP_EARLIER, shown))
        return
    for contact in contacts:
        harvested.touches.append(Touch(contact.path, "met", day, what, tag, shown))
