"""What logging an event changes in a contact's front matter, and its log line.

Pure. A reply or a meeting resets strikes; a message you send adds one; a
thank-you or a report-back is gratitude, not a try, and adds none. A date key
only moves forward: logging an older event never hides a newer one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mdfollow.contact import Contact
from mdfollow.edits import Value
from mdfollow.rules import open_strikes

EVENTS = ("met", "thanked", "sent", "informed", "replied", "reported", "referred", "note")
# Contact that calls for no thank-you: an occurrence of a recurring meeting.
# Harvests write it; `log` does not offer it (the contract's events are above).
HARVEST_ONLY_EVENTS = ("spoke",)

# What a ticked agenda item means.
TICK_EVENTS = {
    "thank": "thanked",
    "reach-out": "sent",
    "nudge": "sent",
    "check-in": "sent",
    "scheduled": "sent",
    "tell-referrer": "sent",
    "update": "sent",
    "report-back": "reported",
}

_FULFILS_PROMISE = ("met", "replied", "sent", "informed", "thanked", "reported", "spoke")
_LABELS = {
    "met": "met",
    "thanked": "thanked",
    "sent": "sent",
    "informed": "informed",
    "replied": "replied",
    "spoke": "spoke",
    "reported": "reported back",
    "referred": "referred me to",
    "note": "note",
}


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

    if event.kind == "met":
        move("met")
        move("last_contact")
    elif event.kind in ("replied", "spoke"):
        move("last_contact")
    elif event.kind == "informed":
        move("last_outreach")  # news: no answer is owed, so no strike
    elif event.kind == "thanked":
        move("thanked")
    elif event.kind == "reported":
        move("reported_back")
    elif event.kind == "sent":
        move("last_outreach")
        last_two_way = max(contact.two_way_dates(), default=None)
        if last_two_way is None or day >= last_two_way:
            changes["strikes"] = open_strikes(contact) + 1

    replied = event.kind in ("met", "replied", "spoke")
    if replied and contact.strikes and (contact.last_outreach is None or day >= contact.last_outreach):
        changes["strikes"] = 0

    promise = contact.next_follow_up
    if event.kind in _FULFILS_PROMISE and promise is not None and day >= promise - timedelta(days=7):
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
    return _LABELS[kind]


def log_line(event: Event) -> str:
    """One dated list item, as a person would write it by hand."""
    text = f"- {event.date.isoformat()} {_LABELS[event.kind]}"
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


def describe(event: Event, name: str) -> str:
    """For commit messages: 'sent a message to Jane Doe'."""
    return {
        "met": f"met {name}",
        "thanked": f"sent a thank-you to {name}",
        "sent": f"sent a message to {name}",
        "informed": f"told {name} the news",
        "spoke": f"spoke with {name}",
        "replied": f"{name} replied",
        "reported": f"reported back to {name}",
        "referred": f"{name} referred {event.to}",
        "note": f"note on {name}",
    }[event.kind]
