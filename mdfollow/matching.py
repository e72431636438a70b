"""Which exported person is which contact: create, skip (and why) or ambiguous, and
what `import --update` adds to a contact that lacks it.

Pure: `Person` values and contacts in, decisions out. Never a duplicate, never a
guess: a person matching several contacts is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mdfollow.contact import Contact, contact_emails, email_key, linkedin_key, name_key
from mdfollow.importing import Person


@dataclass(frozen=True)
class Decision:
    person: Person
    action: str  # "create", "skip" or "ambiguous"
    reason: str = ""
    matches: tuple[str, ...] = field(default=())


class Planner:
    """Decides person by person, through dict indexes built once from the vault.

    The cost of a decision does not grow with the vault, and nothing is kept
    per row but a small key for each new person (to catch a person listed twice).
    """

    def __init__(self, contacts: Iterable[Contact]):
        self.by_email: dict[str, set[str]] = {}
        self.by_linkedin: dict[str, set[str]] = {}
        self.by_name: dict[str, set[str]] = {}
        for contact in contacts:
            self.add(
                contact.path, contact_emails(contact), contact.linkedin, (contact.name, contact.stem, *contact.aliases)
            )
        self.seen: dict[str, int] = {}  # name key of each person to create -> its line

    def add(self, path: str, emails: Iterable[str], linkedin: str, names: Iterable[str]) -> None:
        for email in emails:
            self.by_email.setdefault(email_key(email), set()).add(path)
        if linkedin:
            self.by_linkedin.setdefault(linkedin_key(linkedin), set()).add(path)
        for name in names:
            self.by_name.setdefault(name_key(name), set()).add(path)

    def decide(self, person: Person) -> Decision:
        found: dict[str, str] = {}
        for email in person.emails:
            for path in self.by_email.get(email_key(email), ()):
                found.setdefault(path, "same e-mail")
        if person.linkedin:
            for path in self.by_linkedin.get(linkedin_key(person.linkedin), ()):
                found.setdefault(path, "same LinkedIn profile")
        if not found:
            for path in self.by_name.get(name_key(person.name), ()):
                found.setdefault(path, "same name")
        key = name_key(person.name)
        if len(found) > 1:
            return Decision(person, "ambiguous", "matches several contacts", tuple(sorted(found)))
        if found:
            path, why = next(iter(found.items()))
            return Decision(person, "skip", f"already a contact ({why})", (path,))
        if key in self.seen:
            return Decision(person, "skip", f"appears twice in the file (first at line {self.seen[key]})")
        self.seen[key] = person.line
        return Decision(person, "create")


def _lacks(value: Any) -> bool:
    return value is None or value == "" or value == []


def additions(front: Mapping[str, Any], person: Person) -> dict[str, Any]:
    """The keys the export knows and the contact lacks (front: under mdfollow's names).

    Never a value the contact has: an empty key (`bday:`) is filled, a set one
    is left as it is, even when the export says otherwise.
    """
    out: dict[str, Any] = {}
    for key, value in person.all_keys():
        if key in out or _lacks(value):
            continue
        if key == "email" and not _lacks(front.get("email")):
            continue
        if key == "emails":
            have = {str(e).casefold() for e in _as_list(front.get("email")) + _as_list(front.get("emails"))}
            if not _lacks(front.get("emails")):
                continue
            value = [e for e in value if str(e).casefold() not in have]  # type: ignore[attr-defined]
            if not value:
                continue
        if _lacks(front.get(key)):
            out[key] = value
    return out


def _as_list(value: Any) -> list[Any]:
    if _lacks(value):
        return []
    return value if isinstance(value, list) else [value]
