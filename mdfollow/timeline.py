"""A contact's history as one timeline, for `show` and `history` alike.

Pure: the contact, its note's text and its commits come in; dated entries,
oldest first, come out. Sources: the note's log lines, dated mentions in other
notes, commits that changed the note, and the front matter's own dates where
no log line of that day tells the story (a date typed by hand).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from mdfollow.contact import Contact
from mdfollow.edits import parse_log
from mdfollow.index import VaultIndex
from mdfollow.keys import KeyMap

SOURCES = ("key", "log", "mention", "commit")
# The front-matter dates worth a line, and how to say them.
KEY_LABELS = {
    "added": "added",
    "met": "met",
    "last_contact": "last two-way contact",
    "last_outreach": "last message sent",
    "thanked": "thanked",
    "reported_back": "reported back",
    "next_follow_up": "promised follow-up",
}


@dataclass(frozen=True)
class Entry:
    date: date
    source: str  # one of SOURCES
    text: str

    def to_json(self) -> dict[str, str]:
        return {"date": self.date.isoformat(), "source": self.source, "text": self.text}


def timeline(
    contact: Contact,
    index: VaultIndex,
    note_text: str,
    log_heading: str,
    commits: Iterable[tuple[date, str, str]] = (),
    keys: KeyMap | None = None,
) -> list[Entry]:
    """Every dated thing about the contact, oldest first; `commits` as (date, short hash, subject).

    A front-matter date is named the way the note spells its key (`keys`)."""
    keys = keys or KeyMap()
    entries = [Entry(day, "log", text) for day, text in parse_log(note_text, log_heading)]
    logged = {e.date for e in entries}
    for key, label in KEY_LABELS.items():
        value = getattr(contact, key)
        if value is not None and (value not in logged or key == "next_follow_up"):
            entries.append(Entry(value, "key", f"{label} (front matter: {keys.user(key)})"))
    entries += [Entry(m.date, "mention", f"{m.path}:{m.line}") for m in index.mentions_of(contact)]
    entries += [Entry(day, "commit", f"{commit} {subject}") for day, commit, subject in commits]
    return sorted(entries, key=lambda e: (e.date, SOURCES.index(e.source), e.text))


def first_unanswered(contact: Contact, note_text: str, log_heading: str) -> date | None:
    """The day of the first ask in the current unanswered run, from the note's log lines.

    The asks (`sent` lines) after the latest two-way date, up to
    `last_outreach`; None when the log does not show them (strikes typed by hand).
    """
    from mdfollow.events import KINDS

    if contact.last_outreach is None:
        return None
    label = KINDS["sent"].label
    replied = max(contact.two_way_dates(), default=None)
    asks = [
        day
        for day, text in parse_log(note_text, log_heading)
        if (text == label or text.startswith((f"{label}:", f"{label} ")))
        and (replied is None or day > replied)
        and day <= contact.last_outreach
    ]
    return min(asks, default=None)
