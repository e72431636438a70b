"""Exporting contacts: each contact note's front matter read in full, then written as vCards.

Reads notes (an edge); the vCard text itself comes from the pure `vcard` module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mdfollow.contact import Contact, fold
from mdfollow.index import VaultIndex
from mdfollow.keys import KeyMap
from mdfollow.note import parse_note
from mdfollow.store import read_bytes
from mdfollow.vcard import Card, advice_note


def _texts(*values: Any) -> tuple[str, ...]:
    """Strings from keys that may hold one value or a list, blanks and repeats dropped."""
    found: list[str] = []
    for value in values:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, str | int) and not isinstance(item, bool) and str(item).strip():
                found.append(" ".join(str(item).split()))
    return tuple(dict.fromkeys(found))


def card_for(contact: Contact, front: dict[str, Any]) -> Card:
    emails = _texts(contact.email, list(contact.emails))
    linkedin = contact.linkedin
    return Card(
        key=contact.path,
        name=contact.name,
        emails=emails,
        phones=_texts(front.get("phone"), front.get("phones")),
        company=contact.company,
        role=(_texts(front.get("role")) or ("",))[0],
        birthday=contact.birthday,
        linkedin=linkedin,
        websites=tuple(w for w in _texts(front.get("website"), front.get("websites")) if w != linkedin),
        tags=contact.tags,
        note=advice_note(contact.advice, contact.advice_outcome),
    )


def cards(vault: Path, index: VaultIndex, keys: KeyMap | None = None) -> list[Card]:
    """A card per contact, by name; a note that vanished since it was indexed keeps what the index knew.

    `keys`: the user's names for mdfollow's keys (`[keys]`), so `phone` and `role` are read as they spell them.
    """
    keys = keys or KeyMap()
    found = []
    for contact in sorted(index.contacts, key=lambda c: (fold(c.name), c.path)):
        try:
            raw = read_bytes(vault / contact.path)
        except OSError:
            raw = None
        front = parse_note(contact.path, raw).front if raw is not None else {}
        found.append(card_for(contact, keys.read(front) if isinstance(front, dict) else {}))
    return found
