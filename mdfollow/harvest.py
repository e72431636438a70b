"""Harvesting touches from mail (and, with `meetings`, calendars): messages in, log events out.

Pure: header bytes in, values out; the time zone and today are passed in. A message from a contact to you is a reply; a message from you
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
from datetime import date, datetime, tzinfo
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from mdfollow.contact import Contact, address_key
from mdfollow.diagnostics import Diagnostic, warning
from mdfollow.events import Event, changes_for

# Why a message or an event was not logged, as the summary counts them.
SKIP_BROKEN = "not mail"
SKIP_NO_SENDER = "no sender"
SKIP_LIST = "mailing list"
SKIP_SPAM = "spam"
SKIP_STRANGER = "from or to no contact"
SKIP_NOT_TO_ME = "from a contact but not to you"
SKIP_NO_ME = "neither from nor to you"
SKIP_FUTURE = "dated after today"
SKIP_NO_DATE = "no date"
SKIP_SHARED = "address of several contacts"

_HEADER_NAME = re.compile(rb"^[!-9;-~]+[ \t]*:")
_FOLD = re.compile(rb"\r?\n(?=[ \t])")
_SUBJECT_MAX = 80
_NO_DATE = datetime(1, 1, 1)


class _NotMail(Exception):
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
            raise _NotMail("does not start with mail headers")
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
    """The message's headers; raises _NotMail when the block does not start like mail headers."""
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
    except _NotMail as exc:
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


def first_line(exc: BaseException) -> str:
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
