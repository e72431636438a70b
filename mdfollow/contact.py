"""The contact model: front matter validated key by key.

A bad value in one key is reported and that key ignored; the contact keeps
everything else, so `warmth: hot` never hides a thank-you that is due.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from mdfollow.dates import (
    Birthday,
    Cadence,
    CadenceError,
    DateError,
    describe_value,
    parse_birthday,
    parse_cadence,
    parse_date,
)
from mdfollow.diagnostics import Diagnostic, error, warning
from mdfollow.errors import BadValue
from mdfollow.keys import KeyMap, People, tag_values
from mdfollow.links import scan_tags
from mdfollow.note import ParsedNote


@dataclass(frozen=True)
class DateKey:
    """A front-matter key that holds a date, and what it means."""

    key: str
    label: str | None  # what it records, in a contact's timeline (None: not an event)
    touch: str  # "two-way" (a meeting or a reply), "sent" (a message of yours) or "" (not a touch)


# Every date key of a contact, one row each: the model, the cache, drafts and timelines read this.
DATES: tuple[DateKey, ...] = (
    DateKey("met", "met", "two-way"),
    DateKey("thanked", "thanked", "sent"),
    DateKey("reported_back", "reported back", "sent"),
    DateKey("last_contact", "last two-way contact", "two-way"),
    DateKey("last_outreach", "last message sent", "sent"),
    DateKey("next_follow_up", "promised follow-up", ""),
    DateKey("snooze_until", None, ""),
    DateKey("added", "added", ""),
)
DATE_KEYS: tuple[str, ...] = tuple(row.key for row in DATES)
WARMTHS = ("warm", "neutral", "cool")
STATUSES = ("active", "paused", "closed")
# Words before a given name that are not one: "Dr. Priya Nair" is greeted as Priya.
TITLES = frozenset(
    [
        "dr",
        "doctor",
        "ms",
        "mr",
        "mrs",
        "mx",
        "miss",
        "mister",
        "madam",
        "madame",
        "mme",
        "mlle",
        "sir",
        "dame",
        "lady",
        "lord",
        "prof",
        "professor",
        "rev",
        "revd",
        "fr",
        "herr",
        "frau",
        "sra",
        "sr",
    ]
)


def first_name(name: str, front: dict[str, Any]) -> str:
    """How to greet them: the `first_name` key, else `nickname`, else the name without titles."""
    for key in ("first_name", "nickname"):
        value = front.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return given_name(name)


def without_titles(name: str) -> str:
    """The name without the titles before it: "Dr. Priya Nair" -> "Priya Nair"."""
    words = name.split()
    while len(words) > 1 and words[0].rstrip(".").casefold() in TITLES:
        words.pop(0)
    return " ".join(words)


def given_name(name: str) -> str:
    """The first word of a name that is not a title ("Dr. Priya Nair" -> "Priya")."""
    words = without_titles(name).split()
    return words[0] if words else name


def fold(text: str) -> str:
    """Compare names ignoring case, accents and NFC/NFD spelling."""
    if text.isascii():  # the common case: nothing to decompose or strip, cheaper than a cache
        return " ".join(text.lower().split())
    return _fold_unicode(text)


# Only the costly case is remembered: with every name cached, 100k notes overflowed
# the cache and each call paid a miss and an eviction (3x the ASCII computation).
@lru_cache(maxsize=65536)
def _fold_unicode(text: str) -> str:
    stripped = unicodedata.normalize("NFKD", text)
    # Each distinct mark once, not every character through Python: names have one or two.
    for char in set(stripped):
        if not char.isascii() and unicodedata.combining(char):
            stripped = stripped.replace(char, "")
    return " ".join(stripped.casefold().split())


_HONORIFICS = frozenset(
    [
        "dr",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "prof",
        "sir",
        "dame",
        "jr",
        "sr",
        "ii",
        "iii",
        "iv",
        "phd",
        "md",
        "mba",
        "esq",
        "cpa",
    ]
)


def name_key(name: str) -> str:
    """'Dr. Doe, Jane' and 'jane doe' are the same key: accents, case, word order and titles ignored."""
    words = re.findall(r"[^\W_]+", fold(name))
    return " ".join(sorted(w for w in words if w not in _HONORIFICS))


def linkedin_key(url: str) -> str:
    """One LinkedIn profile however it is written (scheme, www./country host, query, trailing /)."""
    text = url.strip().lower().split("?", 1)[0].split("#", 1)[0].rstrip("/")
    text = re.sub(r"^https?://", "", text)
    return re.sub(r"^(www\.|[a-z]{2}\.)", "", text)


def email_key(address: str) -> str:
    """An e-mail address as it is compared everywhere (imports, duplicates, harvests):
    `mailto:`, angle brackets, spaces and case dropped."""
    text = address.strip().strip("<>").strip()
    if text[:7].lower() == "mailto:":
        text = text[7:]
    return text.casefold()


def contact_emails(contact: Contact) -> set[str]:
    """Every address of a contact (`email` and `emails`), as `email_key`s."""
    found = {email_key(contact.email)} if contact.email else set()
    found.update(email_key(e) for e in contact.emails)
    found.discard("")
    return found


def address_key(address: str) -> str:
    """An e-mail address as it is compared: `<Jane.Doe+work@Example.COM>` and `jane.doe@example.com` are one.

    Case is ignored (the local part is case-sensitive only in theory: no provider
    treats it so), a `mailto:` prefix and angle brackets are dropped, and a
    plus-address tag (`name+tag@`) is removed, as every large provider delivers it
    to `name@` (harvests use it; `email_key` above, for imports and duplicates,
    keeps the tag). Text without an `@` is returned folded, never matched to a person.
    """
    text = address.strip()
    if "<" in text and text.endswith(">"):  # "Jane Doe <jane@example.com>"
        text = text.rsplit("<", 1)[1]
    text = text.strip("<>").strip()
    if text[:7].lower() == "mailto:":
        text = text[7:].strip()
    local, at, domain = text.casefold().rpartition("@")
    if not at or not local or not domain:
        return text.casefold()
    if "+" in local and not local.startswith("+"):
        local = local.split("+", 1)[0]
    return f"{local}@{domain.rstrip('.')}"


@dataclass(frozen=True)
class Contact:
    path: str  # vault-relative, POSIX separators
    name: str
    aliases: tuple[str, ...] = ()
    met: date | None = None
    thanked: date | None = None
    reported_back: date | None = None
    last_contact: date | None = None
    last_outreach: date | None = None
    next_follow_up: date | None = None
    snooze_until: date | None = None
    added: date | None = None
    advice: tuple[str, ...] = ()
    advice_outcome: str = ""
    strikes: int = 0
    cadence: Cadence | None = None
    warmth: str | None = None
    referred_by: tuple[str, ...] = ()  # link targets, e.g. ("Jane Doe",): several people may refer one
    keep_informed: bool = False
    status: str = "active"
    company: str = ""
    email: str = ""
    tags: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()  # further addresses, from `emails`
    linkedin: str = ""
    birthday: Birthday | None = None
    # Only what the rules need: templates and `show` read the note for the other keys
    # (keeping every key here would double the memory of a large vault).
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    @property
    def stem(self) -> str:
        return self.path.rsplit("/", 1)[-1][:-3]

    @property
    def first_name(self) -> str:
        """The given name, titles skipped; drafts prefer the note's `first_name`/`nickname` (first_name())."""
        return given_name(self.name)

    # The touches of DATES, spelled out: the rules call these for every contact on every run
    # (tests/test_tables.py holds them to the table).
    def two_way_dates(self) -> list[date]:
        return [d for d in (self.met, self.last_contact) if d is not None]

    def addresses(self) -> tuple[str, ...]:
        """`email` and `emails`, as `address_key` compares them."""
        found = [address_key(a) for a in (self.email, *self.emails) if a and "@" in a]
        return tuple(dict.fromkeys(found))

    def sent_dates(self) -> list[date]:
        return [d for d in (self.last_outreach, self.thanked, self.reported_back) if d is not None]


def is_contact(front: dict[str, Any], contact_types: tuple[str, ...]) -> bool:
    """Whether the front matter's `type` marks a contact (tags and folders: `People.is_contact`)."""
    return People(contact_types).is_contact("", front)


_LINK = re.compile(r"^\[\[([^\[\]]+)\]\]$")


def parse_links(value: Any) -> tuple[tuple[str, ...], str | None]:
    """(targets, problem) from a key that holds links: one link, or a list of them (a List
    property in Obsidian: `- "[[Elena]]"`). A one-item list is that one link."""
    if not isinstance(value, list) or (len(value) == 1 and isinstance(value[0], list)):
        target, problem = parse_link(value)
        return ((target,) if target else ()), problem
    targets: list[str] = []
    problems: list[str] = []
    for item in value:
        target, problem = parse_link([item] if isinstance(item, list) else item)
        if target and target not in targets:
            targets.append(target)
        if problem:
            problems.append(problem)
    return tuple(targets), "; ".join(problems) or None


def parse_link(value: Any) -> tuple[str | None, str | None]:
    """(target, warning) from a link-valued key: "[[Jane]]", Jane, or unquoted [[Jane]]."""
    from mdfollow.links import link_target

    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
        inner = value[0]
        if len(inner) == 1 and isinstance(inner[0], str):
            return link_target(inner[0]), (
                f'the link [[{inner[0]}]] should be quoted: "[[{inner[0]}]]" (unquoted, YAML reads it as a nested list)'
            )
    if isinstance(value, str):
        text = value.strip()
        m = _LINK.match(text)
        if m:
            return link_target(m.group(1)) or None, None
        if text and "[[" not in text and "]]" not in text:
            return text, None
    return None, f'{describe_value(value)} is not a link; write it as "[[Their Note]]"'


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def build_contact(note: ParsedNote, keys: KeyMap | None = None) -> tuple[Contact, list[Diagnostic]]:
    """A Contact from a parsed contact note, with one diagnostic per bad key.

    `keys` are the user's names for mdfollow's keys: the front matter is read
    under mdfollow's names, and messages name the key as the note spells it.
    """
    keys = keys or KeyMap()
    front = keys.read(note.front)
    path = note.path
    diags: list[Diagnostic] = []
    values: dict[str, Any] = {}

    def bad(key: str, message: str, severity: str = "error") -> None:
        make = error if severity == "error" else warning
        shown = keys.user(key)
        diags.append(make(path, note.line_of(shown), f"{shown}: {message}"))

    stem = path.rsplit("/", 1)[-1][:-3]
    name = front.get("name")
    if name is not None and not (isinstance(name, str) and name.strip()):
        bad("name", f"{describe_value(name)} is not a name; using the file name")
        name = None
    values["name"] = name.strip() if isinstance(name, str) and name.strip() else stem

    aliases: list[str] = []
    for key in ("aliases", "alias"):
        raw = front.get(key)
        if raw is None:
            continue
        items = raw if isinstance(raw, list) else [raw]
        for item in items:
            if isinstance(item, str) and item.strip():
                aliases.append(item.strip())
            elif item is not None:
                bad(key, f"{describe_value(item)} is not a name; ignored", "warning")
    values["aliases"] = tuple(aliases)

    for key in DATE_KEYS:
        raw = front.get(key)
        if raw is None or raw == "":
            continue
        try:
            values[key] = parse_date(raw)
        except DateError as exc:
            bad(key, f"{exc}; the key is ignored")

    raw = front.get("birthday")
    if raw is not None and raw != "":
        try:
            values["birthday"] = parse_birthday(raw)
        except DateError as exc:
            bad("birthday", f"{exc}; the key is ignored")

    raw = front.get("advice")
    if raw is not None:
        items = raw if isinstance(raw, list) else [raw]
        advice = [t for t in (_text(i) for i in items) if t]
        if len(advice) != len([i for i in items if i not in (None, "")]):
            bad("advice", "should be text or a list of text; non-text items are ignored", "warning")
        values["advice"] = tuple(advice)

    for key in ("advice_outcome", "company", "email"):
        raw = front.get(key)
        if raw is None:
            continue
        if key == "company" and (isinstance(raw, list) or (isinstance(raw, str) and "[[" in raw)):
            target, _ = parse_link(raw)
            if target:
                values[key] = target
                continue
        text = _text(raw)
        if text is None:
            bad(key, f"{describe_value(raw)} is not text; the key is ignored")
        else:
            values[key] = text

    raw = front.get("strikes")
    if raw is not None:
        strikes: int | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            strikes = raw
        elif isinstance(raw, str) and raw.strip().isdigit():
            strikes = int(raw.strip())
        if strikes is None or strikes < 0:
            bad(
                "strikes",
                f"{describe_value(raw)} is not a count of unanswered messages (0, 1, 2 ...); the key is ignored",
            )
        else:
            values["strikes"] = strikes

    raw = front.get("cadence")
    if raw is not None:
        try:
            values["cadence"] = parse_cadence(raw)
        except CadenceError as exc:
            bad("cadence", f"{exc}; the key is ignored")

    raw = front.get("warmth")
    if raw is not None:
        if isinstance(raw, str) and raw.strip().lower() in WARMTHS:
            values["warmth"] = raw.strip().lower()
        else:
            bad("warmth", f"{describe_value(raw)} is not one of warm, neutral, cool; the key is ignored")

    raw = front.get("status")
    if raw is not None:
        if isinstance(raw, str) and raw.strip().lower() in STATUSES:
            values["status"] = raw.strip().lower()
        else:
            bad("status", f"{describe_value(raw)} is not one of active, paused, closed; treated as active")

    raw = front.get("keep_informed")
    if raw is not None:
        if isinstance(raw, bool):
            values["keep_informed"] = raw
        elif isinstance(raw, str) and raw.strip().lower() in ("yes", "no", "true", "false"):
            values["keep_informed"] = raw.strip().lower() in ("yes", "true")
        else:
            bad("keep_informed", f"{describe_value(raw)} is not true or false; the key is ignored")

    raw = front.get("referred_by")
    if raw is not None and raw != "" and raw != []:
        targets, problem = parse_links(raw)
        if not targets:
            bad("referred_by", f"{problem}; the key is ignored")
        else:
            values["referred_by"] = targets
            if problem:
                bad("referred_by", problem, "warning")

    raw = front.get("tags")
    if raw is not None:
        values["tags"] = tuple(tag_values(raw))
    # Tags written in the body (`#recruiter`, `#work/recruiter`) are the note's tags too, as in Obsidian.
    body_tags = scan_tags(note.body) if "#" in note.body else ()
    if body_tags:
        have = values.get("tags", ())
        known = {fold(t) for t in have}
        values["tags"] = have + tuple(t for t in body_tags if fold(t) not in known)

    raw = front.get("emails")
    if isinstance(raw, list):
        values["emails"] = tuple(str(e).strip() for e in raw if isinstance(e, str) and e.strip())
    raw = front.get("linkedin")
    if isinstance(raw, str) and raw.strip():
        values["linkedin"] = raw.strip()
    values["lines"] = {"referred_by": note.line_of(keys.user("referred_by"))} if "referred_by" in front else {}
    return Contact(path=path, **values), diags


_KEY_NAME = re.compile(r"^[A-Za-z_][\w-]*$")
_CHOICES = {"warmth": WARMTHS, "status": STATUSES}


def typed_value(key: str, text: str) -> date | int | bool | str | None:
    """The front-matter value `set KEY=TEXT` writes (None: remove the key).

    A known key's text is checked the way the note will be read (ValueError
    with a fix-it message); another key's text is written as text.
    """
    if not _KEY_NAME.match(key):
        raise BadValue(f"{key!r} is not a key name (letters, digits, _ and -)")
    text = text.strip()
    if text == "":
        return None
    if key in DATE_KEYS:
        try:
            return parse_date(text)
        except DateError as exc:
            raise BadValue(f"{key}: {exc}") from None
    if key in _CHOICES:
        if text.lower() not in _CHOICES[key]:
            raise BadValue(f"{key}: {text!r} is not one of {', '.join(_CHOICES[key])}")
        return text.lower()
    if key == "strikes":
        if not text.isdigit():
            raise BadValue(f"strikes: {text!r} is not a count of unanswered messages (0, 1, 2 ...)")
        return int(text)
    if key == "keep_informed":
        if text.lower() not in ("true", "false", "yes", "no"):
            raise BadValue(f"keep_informed: {text!r} is not true or false")
        return text.lower() in ("true", "yes")
    if key == "cadence":
        try:
            parse_cadence(text)
        except CadenceError as exc:
            raise BadValue(f"cadence: {exc}") from None
    if key == "type":
        raise BadValue("type: set it by hand; mdfollow only edits contact notes")
    return text
