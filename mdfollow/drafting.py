"""Message drafts: the context a template sees, and the draft file around the message.

Pure: the template source, the agenda item and the notes' texts come in (the
edge that calls it supplies a function that reads a note); the draft's text,
its subject and the placeholders left to fill come out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from mdfollow.contact import DATE_KEYS, Contact, first_name
from mdfollow.edits import parse_log
from mdfollow.errors import NothingToDraft, UsageError
from mdfollow.index import VaultIndex
from mdfollow.keys import KeyMap
from mdfollow.naming import derived_file_name
from mdfollow.note import parse_note
from mdfollow.rules import FollowUp, candidates, gone_quiet, next_action
from mdfollow.settings import Settings
from mdfollow.templating import Fields, Source, Unset, render, unset_to_placeholders, yaml_value

_PLACEHOLDER = re.compile(r"(?<!\[)\[(?!\[)([^\[\]\n]{3,}?)\](?![\](])")
_KNOWN = (
    *DATE_KEYS,
    "advice",
    "advice_outcome",
    "strikes",
    "cadence",
    "warmth",
    "referred_by",
    "keep_informed",
    "status",
    "company",
    "role",
    "email",
    "tags",
    "birthday",
)


@dataclass(frozen=True)
class Draft:
    action: str
    subject: str
    message: str
    placeholders: tuple[str, ...]

    def file_text(self, to_link: str, today: date, email: str) -> str:
        """The draft note: front matter written safely, then the message."""
        lines = ["---", f"to: {yaml_value(to_link)}", f"action: {self.action}", f"date: {today.isoformat()}"]
        if email:
            lines.append(f"email: {yaml_value(email)}")
        if self.subject:
            lines.append(f"subject: {yaml_value(self.subject)}")
        lines += ["---", ""]
        return "\n".join(lines) + self.message


def choose_item(
    contact: Contact, index: VaultIndex, today: date, settings: Settings, kind: str | None, force: bool
) -> FollowUp:
    """The item a draft is for: the contact's next action, or the `kind` asked for.

    `force` drafts a `kind` that does not apply now. Raises NothingToDraft.
    A `birthday` draft is for the contact's next birthday, today or later.
    """
    if kind == "birthday":
        if contact.birthday is None:
            raise NothingToDraft(f"{contact.name} has no birthday in their note; add `birthday: MM-DD` (or YYYY-MM-DD)")
        when = contact.birthday.next_on_or_after(today)
        return FollowUp(contact, "birthday", when, f"birthday on {when.isoformat()}")
    item = next_action(contact, index, today, settings)
    if kind is not None and (item is None or item.action != kind):
        found = [c for c in candidates(contact, index, today, settings) if c.action == kind]
        if found:
            return found[0]
        if not force:
            raise NothingToDraft(f"{kind} does not apply to {contact.name} now; add --force to draft it anyway")
        return FollowUp(contact, kind, today, "drafted on request")
    if item is None:
        why = "has gone quiet: wait for them to write" if gone_quiet(contact, today, settings) else "has nothing due"
        if not force:
            raise NothingToDraft(f"{contact.name} {why}; use --kind ACTION --force to draft a message anyway")
        raise UsageError("--force needs --kind ACTION when nothing is due")
    return item


def draft_base_name(item: FollowUp, today: date) -> str:
    """The draft's file name without `.md`: date, action and the note's own (already safe) name."""
    # A note's own name may hold what a file name made up from it may not (`Bob #1.md`).
    return derived_file_name(f"{today.isoformat()} {item.action} {item.contact.stem}")[:-3]


def contact_fields(
    contact: Contact,
    index: VaultIndex,
    note_text: str = "",
    log_heading: str = "Interactions",
    keys: KeyMap | None = None,
) -> Fields:
    """Every front-matter key of the note's text as an attribute, known keys always present,
    the rules' values parsed (without the text: only those).

    Templates see mdfollow's key names (`contact.last_contact`) whatever the
    user calls them in the note.
    """
    front = (keys or KeyMap()).read(parse_note(contact.path, note_text.encode("utf-8")).front) if note_text else {}
    values: dict[str, Any] = {str(k): v for k, v in front.items() if str(k).isidentifier()}
    for key in _KNOWN:
        values.setdefault(key, None)
    for key in DATE_KEYS:
        values[key] = getattr(contact, key)
    values.update(
        name=contact.name,
        first_name=first_name(contact.name, front),
        note=contact.path,
        link=index.link_for(contact),
        advice=list(contact.advice),
        advice_outcome=contact.advice_outcome or None,
        strikes=contact.strikes,
        cadence=contact.cadence.text if contact.cadence else None,
        warmth=contact.warmth,
        company=contact.company or None,
        email=contact.email or None,
        keep_informed=contact.keep_informed,
        tags=list(contact.tags),
        status=contact.status,
        birthday=contact.birthday.text if contact.birthday else None,
    )
    log = parse_log(note_text, log_heading) if note_text else []
    values["last_log"] = Fields(date=log[-1][0], text=log[-1][1]) if log else None
    return Fields(**unset_to_placeholders(values))


def item_fields(item: FollowUp, index: VaultIndex, people: Callable[[Contact], Fields] | None = None) -> Fields:
    people = people or (lambda contact: contact_fields(contact, index))
    return Fields(
        action=item.action,
        due=item.due,
        reason=item.reason,
        light_touch=item.light_touch,
        also=list(item.also),
        attempt=item.attempt,
        referred=[people(c) for c in item.referred],
        milestones=[Fields(date=m.date, text=m.text, company=m.company or Unset("company")) for m in item.milestones],
    )


def spoken_date(day: date | None, today: date) -> str:
    """'on Monday' within the week, 'on 17 November' this year, else 'on 17 November 2025'."""
    if not day:  # None, or an Unset field
        return ""
    days = (today - day).days
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if 0 < days < 7:
        same_week = day.isocalendar()[:2] == today.isocalendar()[:2]
        return ("on " if same_week else "last ") + day.strftime("%A")
    if day.year == today.year:
        return f"on {day.day} {day.strftime('%B')}"
    return f"on {day.day} {day.strftime('%B %Y')}"


def render_draft(
    source: Source,
    item: FollowUp,
    index: VaultIndex,
    today: date,
    settings: Settings,
    note_text: str = "",
    read_note: Callable[[str], str] | None = None,
) -> Draft:
    """The message for `item`. `note_text` is the contact's note; `read_note` (a note's
    vault path to its text) gives the referrer's and the people referred their keys too."""
    contact = item.contact
    referrer = index.referrer_of(contact)
    me = settings.me

    def person(other: Contact) -> Fields:
        return contact_fields(
            other, index, read_note(other.path) if read_note else "", settings.log_heading, settings.keys
        )

    context = {
        "contact": contact_fields(contact, index, note_text, settings.log_heading, settings.keys),
        "item": item_fields(item, index, person),
        "referrer": person(referrer) if referrer else None,
        "today": today,
        "me": Fields(
            name=me.name or Unset("your name"),
            email=me.email or Unset("your email"),
            signature=me.signature or me.name or "[your name]",
        ),
        "when": lambda day: spoken_date(day, today),
    }
    text = render(source, context)
    subject = ""
    first, _, rest = text.partition("\n")
    if first.lower().startswith("subject:"):
        subject = first.split(":", 1)[1].strip()
        text = rest.lstrip("\n")
    found = tuple(dict.fromkeys(m.group(1).strip() for m in _PLACEHOLDER.finditer(subject + "\n" + text)))
    return Draft(item.action, subject, text, found)
