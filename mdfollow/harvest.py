"""Harvesting touches from mail and calendars: messages and events in, log events out.

Pure: header bytes and calendar bytes in, values out; the time zone and today
are passed in. A message from a contact to you is a reply; a message from you
is news (`informed`) for every contact it went to; a past calendar event with a
contact in it is a meeting (`met`), and a recurring one is contact (`spoke`)
without a thank-you. Harvests never add strikes: a machine cannot tell an ask
from news. What was logged is remembered in the note itself, as a hidden
`%%mf-mail-…%%` / `%%mf-cal-…%%` tag on the log line (like the agenda's tick
tags), so a wiped cache, another machine or a synced copy of the vault never
logs the same message twice.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from mdfollow.contact import Contact, address_key
from mdfollow.diagnostics import Diagnostic, error, warning
from mdfollow.events import Event, changes_for

# Why a message or an event was not logged, as the summary counts them.
SKIP_BROKEN = "not mail"
SKIP_NO_SENDER = "no sender"
SKIP_LIST = "mailing list"
SKIP_SPAM = "spam"
SKIP_NOT_MINE = "someone else's event, without you"
SKIP_STRANGER = "from or to no contact"
SKIP_NOT_TO_ME = "from a contact but not to you"
SKIP_NO_ME = "neither from nor to you"
SKIP_FUTURE = "dated after today"
SKIP_NO_DATE = "no date"
SKIP_SHARED = "address of several contacts"
SKIP_CANCELLED = "cancelled"
SKIP_DECLINED = "declined"
SKIP_TODAY = "today or later (harvested once past)"
SKIP_EARLIER = "earlier occurrences of a recurring meeting"

_HEADER_NAME = re.compile(rb"^[!-9;-~]+[ \t]*:")
_FOLD = re.compile(rb"\r?\n(?=[ \t])")
_SUBJECT_MAX = 80
_AHEAD = timedelta(days=366)
_NO_DATE = datetime(1, 1, 1)


class BrokenMessage(Exception):
    """The header block is not mail; the message says why."""


@dataclass(frozen=True)
class Touch:
    """One contact touched by one message or event."""

    contact: str  # the contact's note path
    kind: str  # replied, informed, met, spoke
    day: date
    what: str  # 'e-mail "Re: a quick question"'
    tag: str  # mf-mail-… / mf-cal-…: remembered in the note so it is logged once
    where: str  # file:line, for -v


@dataclass(frozen=True)
class Skip:
    reason: str
    where: str


@dataclass
class Harvested:
    """What reading a source gave: touches, skips, problems."""

    touches: list[Touch] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    read: int = 0  # messages or events read


class AddressBook:
    """Your addresses and the contacts', compared as `address_key` does."""

    def __init__(self, contacts: Iterable[Contact], mine: Iterable[str]) -> None:
        self.mine = frozenset(address_key(a) for a in mine if a and "@" in a)
        self._by_address: dict[str, list[Contact]] = {}
        for contact in contacts:
            for address in contact.addresses():
                if address not in self.mine:
                    self._by_address.setdefault(address, []).append(contact)

    def is_mine(self, address: str) -> bool:
        return address in self.mine

    def contacts_at(self, address: str) -> list[Contact]:
        return self._by_address.get(address, [])


def tag_for(prefix: str, identity: str) -> str:
    return f"mf-{prefix}-{hashlib.sha1(identity.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"


# ---------------------------------------------------------------- mail headers


class MailHeaders:
    """The header block of one message, read lazily: a header is looked up only when asked for.

    Most messages in a mailbox are from strangers, and for them only From and
    List-Id are ever needed; each lookup is a search in C over the block (once
    lowered), never a walk over its lines in Python.
    """

    __slots__ = ("_found", "_head", "_low")

    def __init__(self, head: bytes) -> None:
        if not _HEADER_NAME.match(head):
            raise BrokenMessage("does not start with mail headers")
        self._head = head
        self._low = b"\n" + head.lower()  # one byte ahead of head: every header starts after a newline
        self._found: dict[bytes, list[bytes]] = {}

    def get(self, name: bytes) -> list[bytes]:
        """Every value of the header `name` (lower case), unfolded; empty when absent."""
        found = self._found.get(name)
        if found is None:
            found = self._found[name] = self._values(name)
        return found

    def _values(self, name: bytes) -> list[bytes]:
        head, low = self._head, self._low
        key = b"\n" + name
        values = []
        at = low.find(key)
        while at >= 0:
            after = at + len(key)  # in low; head's index is one less
            colon = after
            while colon < len(low) and low[colon] in (32, 9):
                colon += 1
            if colon < len(low) and low[colon] == 58:  # ':'
                end = low.find(b"\n", colon)
                while end >= 0 and low[end + 1 : end + 2] in (b" ", b"\t"):
                    end = low.find(b"\n", end + 1)
                value = head[colon : (end if end >= 0 else len(low)) - 1]
                if b"\n" in value:
                    value = _FOLD.sub(b" ", value)
                values.append(value.strip())
            at = low.find(key, after)
        return values


def split_headers(head: bytes) -> MailHeaders:
    """The message's headers; raises BrokenMessage when the block does not start like mail headers."""
    return MailHeaders(head)


def _text(value: bytes) -> tuple[str, bool]:
    """Header bytes as text, and whether they were not valid UTF-8 (then read as Latin-1)."""
    try:
        return value.decode("utf-8"), False
    except UnicodeDecodeError:
        return value.decode("latin-1"), True


def decode_words(text: str) -> str:
    """RFC 2047 encoded words (`=?UTF-8?Q?...?=`) decoded; undecodable ones kept as written."""
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text)))
    except (LookupError, UnicodeError, ValueError, AssertionError):
        return text


def _addresses(values: list[bytes]) -> tuple[list[str], bool]:
    bad = False
    found: list[str] = []
    for value in values:
        text, undecodable = _text(value)
        bad = bad or undecodable
        if '"' in text or "(" in text or "\\" in text or ";" in text:
            found.extend(address_key(addr) for _, addr in getaddresses([text]) if "@" in addr)
            continue
        # No quoted names, comments or groups: a comma separates addresses (the common case, and fast).
        for part in text.split(","):
            if "<" in part:
                part = part.rsplit("<", 1)[1].split(">", 1)[0]
            part = part.strip()
            if "@" in part and " " not in part:
                found.append(address_key(part))
    return found, bad


def mail_datetime(text: str) -> datetime | None:
    """A Date header in any form clients send: RFC 2822 with or without weekday, two-digit
    years, obsolete zones (EST, GMT, UT), trailing comments, asctime, ISO 8601."""
    text = " ".join(text.split())
    if not text:
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    try:
        return datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        pass
    from dateutil import parser

    try:
        # A fixed default, not dateutil's "now": a date without its year is no date (and no clock is read).
        moment = parser.parse(re.sub(r"\([^)]*\)", "", text), default=_NO_DATE)
    except (ValueError, OverflowError, TypeError):
        return None
    return None if moment.year == _NO_DATE.year else moment


def local_day(moment: datetime | date, zone: tzinfo) -> date:
    """The date in the user's zone; a time without a zone (`-0000`, floating) counts as written."""
    if not isinstance(moment, datetime):
        return moment
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.date()
    return moment.astimezone(zone).date()


def _subject(values: list[bytes]) -> tuple[str, bool]:
    if not values:
        return "", False
    text, bad = _text(values[0])
    return clean_title(decode_words(text)), bad


def clean_title(text: str) -> str:
    """A subject or summary fit for one log line: one line, no comment markers, not too long."""
    text = " ".join(text.replace("%%", "%").split())
    return text if len(text) <= _SUBJECT_MAX else text[: _SUBJECT_MAX - 1].rstrip() + "…"


def read_message(
    head: bytes,
    shown: str,
    line: int | None,
    number: int,
    book: AddressBook,
    today: date,
    zone: tzinfo,
    harvested: Harvested,
) -> None:
    """Classify one message by its header block; adds its touches, or why it was skipped.

    `shown` is its file, `line` where it starts, `number` its place in an mbox (0: a file of its own).
    """
    harvested.read += 1
    where = f"{shown}:{line}" if line else shown

    def warn(message: str) -> None:
        harvested.problems.append(warning(shown, line, f"message {number}: {message}" if number else message))

    try:
        headers = split_headers(head)
    except BrokenMessage as exc:
        warn(f"{exc}; skipped")
        harvested.skips.append(Skip(SKIP_BROKEN, where))
        return
    if headers.get(b"list-id"):
        harvested.skips.append(Skip(SKIP_LIST, where))
        return
    if any(
        b"spam" in (label.strip() for label in labels.lower().split(b",")) for labels in headers.get(b"x-gmail-labels")
    ):
        harvested.skips.append(Skip(SKIP_SPAM, where))  # a Gmail Takeout of all mail includes the spam folder
        return
    senders, bad_from = _addresses(headers.get(b"from"))
    if not senders:
        warn("no sender address (From header); skipped")
        harvested.skips.append(Skip(SKIP_NO_SENDER, where))
        return
    sender = senders[0]
    undecodable = bad_from
    if book.is_mine(sender):
        recipients, bad = _addresses(headers.get(b"to") + headers.get(b"cc") + headers.get(b"bcc"))
        undecodable = undecodable or bad
        kind = "informed"
        people: list[Contact] = []
        shared = False
        for address in dict.fromkeys(recipients):
            found = book.contacts_at(address)
            if len(found) > 1:
                shared = True
            elif found and found[0] not in people:
                people.append(found[0])
        if not people:
            harvested.skips.append(Skip(SKIP_SHARED if shared else SKIP_STRANGER, where))
            return
    else:
        found = book.contacts_at(sender)
        if not found:
            harvested.skips.append(Skip(SKIP_STRANGER, where))
            return
        if len(found) > 1:
            harvested.skips.append(Skip(SKIP_SHARED, where))
            return
        if book.mine:
            delivered, bad = _addresses(
                headers.get(b"to")
                + headers.get(b"cc")
                + headers.get(b"bcc")
                + headers.get(b"delivered-to")
                + headers.get(b"x-original-to")
            )
            undecodable = undecodable or bad
            if not any(book.is_mine(a) for a in delivered):
                harvested.skips.append(Skip(SKIP_NOT_TO_ME, where))
                return
        kind = "replied"
        people = found
    day = _message_day(headers, zone)
    if day is None:
        warn("no readable Date or Received header; skipped")
        harvested.skips.append(Skip(SKIP_NO_DATE, where))
        return
    if day > today:
        harvested.skips.append(Skip(SKIP_FUTURE, where))
        return
    subject, bad_subject = _subject(headers.get(b"subject"))
    if undecodable or bad_subject:
        warn("headers with bytes that are not UTF-8; read as Latin-1")
    ids = headers.get(b"message-id")
    identity = _text(ids[0])[0].strip().strip("<>").strip() if ids else ""
    if not identity:  # no Message-ID: what the message says about itself stands in for it
        identity = "|".join(_text(b" ".join(headers.get(k)))[0] for k in (b"from", b"date", b"subject", b"to"))
    tag = tag_for("mail", identity)
    what = f'e-mail "{subject}"' if subject else "e-mail (no subject)"
    for person in people:
        harvested.touches.append(Touch(person.path, kind, day, what, tag, where))


def _message_day(headers: MailHeaders, zone: tzinfo) -> date | None:
    for value in headers.get(b"date"):
        moment = mail_datetime(_text(value)[0])
        if moment is not None:
            return local_day(moment, zone)
    # No Date: the first (newest) Received header's stamp is when it reached you.
    for value in headers.get(b"received"):
        _, semicolon, stamp = _text(value)[0].rpartition(";")
        if semicolon:
            moment = mail_datetime(stamp)
            if moment is not None:
                return local_day(moment, zone)
    return None


# ---------------------------------------------------------------- calendars


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
        harvested.problems.append(error(where, None, f"not an iCalendar file ({_first_line(exc)}); skipped"))
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
            harvested.problems.append(error(where, None, f"cannot expand the events: {_first_line(exc)}; skipped"))
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
                harvested.problems.append(warning(where, None, f"event {summary!r}: {_first_line(exc)}; skipped"))
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


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


# ---------------------------------------------------------------- planning


@dataclass(frozen=True)
class Planned:
    """The events to log into one note, and the touches already logged before."""

    events: tuple[Event, ...]
    already: tuple[Touch, ...]
    changes: dict[str, Any]


def _logged_days(text: str, labels: dict[str, str]) -> set[tuple[date, str]]:
    found = set()
    for m in re.finditer(r"^[ \t]*[-*+][ \t]+(\d{4}-\d{2}-\d{2})[ \t]+([a-z ]+?)(?=[:( %]|$)", text, re.MULTILINE):
        try:
            day = date.fromisoformat(m.group(1))
        except ValueError:
            continue
        for kind, label in labels.items():
            if m.group(2).strip() == label:
                found.add((day, kind))
    return found


def plan_note(contact: Contact, text: str, touches: Iterable[Touch]) -> Planned:
    """One log event per day and kind for the touches not yet in the note; the keys they change.

    A touch is already logged when its tag is in the note, or when the note has
    a log line of the same day and kind (logged by hand, or by an earlier
    harvest of another copy of the message). Events fold in date order, so
    dates only move forward and a reply after your last message resets strikes.
    """
    from mdfollow.events import label_of

    kinds = ("replied", "informed", "met", "spoke")
    logged = _logged_days(text, {k: label_of(k) for k in kinds})
    groups: dict[tuple[date, str], list[Touch]] = {}
    already: list[Touch] = []
    for touch in touches:
        if touch.tag in text or (touch.day, touch.kind) in logged:
            already.append(touch)
            continue
        group = groups.setdefault((touch.day, touch.kind), [])
        if all(t.tag != touch.tag for t in group):
            group.append(touch)
    order = {k: i for i, k in enumerate(kinds)}
    events = []
    for (day, kind), group in sorted(groups.items(), key=lambda item: (item[0][0], order[item[0][1]])):
        what = group[0].what + (f" and {len(group) - 1} more" if len(group) > 1 else "")
        events.append(Event(kind, day, note=what, tag=" ".join(dict.fromkeys(t.tag for t in group))))
    return Planned(tuple(events), tuple(already), fold_changes(contact, events))


def fold_changes(contact: Contact, events: Iterable[Event]) -> dict[str, Any]:
    """The keys a series of events changes, each applied to the contact the previous left."""
    total: dict[str, Any] = {}
    names = set(Contact.__dataclass_fields__)
    for event in sorted(events, key=lambda e: e.date):
        changes = changes_for(contact, event)
        total.update(changes)
        moved: dict[str, Any] = {k: v for k, v in changes.items() if k in names and k != "advice"}
        contact = replace(contact, **moved)
    return total


def by_contact(touches: Iterable[Touch]) -> Iterator[tuple[str, list[Touch]]]:
    groups: dict[str, list[Touch]] = {}
    for touch in touches:
        groups.setdefault(touch.contact, []).append(touch)
    yield from sorted(groups.items())
