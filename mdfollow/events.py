"""What logging an event changes in a contact's front matter, and its log line.

Pure. A reply or a meeting resets strikes; an ask you send adds one; news
(`informed`), a thank-you or a report-back adds none: they need no answer, so
an unanswered one is not a try. A date key only moves forward: logging an
older event never hides a newer one.

The events are one table (`EVENT_KINDS`): adding an event is one row, read by
the rules below, the log line, commit messages and `log`'s choices and help.
Cheap to import: the command line builds its options from the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mdfollow.contact import Contact
    from mdfollow.edits import Value


@dataclass(frozen=True)
class EventKind:
    """One event `log` records: adding an event is adding one row to EVENT_KINDS."""

    name: str
    moves: tuple[str, ...]  # date keys set to the event's date (only forward)
    strike: str  # "add" (an ask), "reset" (they answered), "" (neither)
    label: str  # in the log line: "- 2026-11-23 <label>: ..."
    help: str  # one line for `log --help`
    commit: str  # the commit message, "{name}" the contact, "{to}" the referred one
    keeps_promise: bool = True  # clears a next_follow_up due within a week


EVENT_KINDS = (
    EventKind(
        "met",
        ("met", "last_contact"),
        "reset",
        "met",
        "you met or spoke: sets met and last_contact, resets strikes",
        "met {name}",
    ),
    EventKind(
        "thanked",
        ("thanked",),
        "",
        "thanked",
        "you sent a thank-you: sets thanked (gratitude, not a try: no strike)",
        "sent a thank-you to {name}",
    ),
    EventKind(
        "sent",
        ("last_outreach",),
        "add",
        "sent",
        "you asked and wait for an answer: sets last_outreach, adds a strike",
        "sent a message to {name}",
    ),
    EventKind(
        "informed",
        ("last_outreach",),
        "",
        "informed",
        "news, no answer needed (check-in, milestone, how it went): sets last_outreach, no strike",
        "told {name} the news",
    ),
    EventKind(
        "replied",
        ("last_contact",),
        "reset",
        "replied",
        "they answered: sets last_contact, resets strikes",
        "{name} replied",
    ),
    EventKind(
        "reported",
        ("reported_back",),
        "",
        "reported back",
        "you reported back on their advice: sets reported_back (no strike)",
        "reported back to {name}",
    ),
    EventKind(
        "referred",
        (),
        "",
        "referred me to",
        "they gave you a name: with --to NAME, creates that contact or sets its referred_by",
        "{name} referred {to}",
        keeps_promise=False,
    ),
    EventKind("note", (), "", "note", "just a line in the log", "note on {name}", keeps_promise=False),
)
# Events only harvests write, kept out of `log` (the contract names log's events):
# an occurrence of a recurring meeting is contact that calls for no thank-you.
HARVEST_KINDS = (
    EventKind(
        "spoke",
        ("last_contact",),
        "reset",
        "spoke",
        "a recurring meeting took place: sets last_contact, resets strikes, no thank-you",
        "spoke with {name}",
    ),
)
KINDS = {kind.name: kind for kind in (*EVENT_KINDS, *HARVEST_KINDS)}
EVENTS = tuple(kind.name for kind in EVENT_KINDS)


@dataclass(frozen=True)
class Event:
    kind: str
    date: date
    note: str = ""
    advice: str | None = None
    outcome: str | None = None
    warmth: str | None = None
    to: str | None = None  # the referred contact's note name, for `referred`
    tag: str = ""  # an agenda block id, so a tick is logged once


def changes_for(contact: Contact, event: Event) -> dict[str, Value]:
    """The front-matter keys to set (None: remove) for the event."""
    changes: dict[str, Value] = {}
    day = event.date

    def move(key: str) -> None:
        current = getattr(contact, key)
        if current is None or day > current:
            changes[key] = day

    kind = KINDS[event.kind]
    for key in kind.moves:
        move(key)
    if kind.strike == "add":
        from mdfollow.rules import open_strikes

        last_two_way = max(contact.two_way_dates(), default=None)
        if last_two_way is None or day >= last_two_way:
            changes["strikes"] = open_strikes(contact) + 1
    elif kind.strike == "reset" and contact.strikes and (contact.last_outreach is None or day >= contact.last_outreach):
        changes["strikes"] = 0

    promise = contact.next_follow_up
    if kind.keeps_promise and promise is not None and day >= promise - timedelta(days=7):
        changes["next_follow_up"] = None

    if event.advice is not None:
        changes["advice"] = event.advice.strip()
    if event.outcome is not None:
        changes["advice_outcome"] = event.outcome.strip()
    if event.warmth is not None:
        changes["warmth"] = event.warmth
    return changes


def label_of(kind: str) -> str:
    """The word a log line uses for the event kind ('reported' is 'reported back')."""
    return KINDS[kind].label


def log_line(event: Event) -> str:
    """One dated list item, as a person would write it by hand."""
    text = f"- {event.date.isoformat()} {KINDS[event.kind].label}"
    if event.kind == "referred" and event.to:
        text += f" [[{event.to}]]"
    extra = []
    if event.advice:
        extra.append(f"advice: {event.advice}")
    if event.outcome:
        extra.append(f"outcome: {event.outcome}")
    if event.note:
        extra.insert(0, event.note)
    if extra:
        text += ": " + "; ".join(" ".join(part.split()) for part in extra)
    if event.warmth:
        text += f" ({event.warmth})"
    if event.tag:
        text += f" %%{event.tag}%%"
    return text


def commit_summary(event: Event, name: str) -> str:
    """For commit messages: 'sent a message to Jane Doe'."""
    return KINDS[event.kind].commit.format(name=name, to=event.to)
