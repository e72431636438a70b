"""Contacts as vCards (RFC 6350 4.0, or RFC 2426 3.0 for older phones). Pure: values in, text out.

Written by hand rather than through vobject so that every byte is ours to
choose: escaping, 75-octet folding that never splits a UTF-8 character, CRLF,
no BOM (iCloud rejects one), FN and N on every card (Google wants both), and
a year-less birthday in the form each version allows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mdfollow.dates import Birthday

PRODID = "-//mdfollow//mdfollow//EN"
# Apple Contacts' own way to say "no year" in vCard 3.0, which has no year-less date.
APPLE_NO_YEAR = 1604
# How the NOTE carries the advice, so that `import vcard` can read it back into its keys.
ADVICE_PREFIX = "Advice: "
OUTCOME_PREFIX = "What it did: "
_NAMESPACE = uuid.UUID("6f1c3a52-8d7e-4d43-9b0e-2f3c1e7a9d10")


@dataclass(frozen=True)
class Card:
    """What one contact's vCard holds."""

    key: str  # the note's path: the UID is derived from it, so a re-import updates the card
    name: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    company: str = ""
    role: str = ""
    birthday: Birthday | None = None
    linkedin: str = ""
    websites: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    note: str = ""


def escape(text: str) -> str:
    """A TEXT value: backslash, comma, semicolon and newlines escaped (RFC 6350 3.4)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a space; a UTF-8 character is never split."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    start = 0
    limit = 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # inside a character: back off
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start = end
        limit = 74  # the leading space of a continuation line counts
    return "\r\n ".join(parts)


def split_name(name: str) -> tuple[str, str]:
    """(family, given) for N: the last word is the family name, the rest given names."""
    words = name.split()
    if len(words) < 2:
        return "", name.strip()
    return words[-1], " ".join(words[:-1])


def _birthday(birthday: Birthday, v3: bool) -> str:
    if birthday.year is not None:
        day = f"{birthday.year:04d}{birthday.month:02d}{birthday.day:02d}"
        return f"BDAY:{day[:4]}-{day[4:6]}-{day[6:]}" if v3 else f"BDAY:{day}"
    if v3:
        return f"BDAY;X-APPLE-OMIT-YEAR={APPLE_NO_YEAR}:{APPLE_NO_YEAR}-{birthday.month:02d}-{birthday.day:02d}"
    return f"BDAY:--{birthday.month:02d}{birthday.day:02d}"


def card_text(card: Card, *, v3: bool = False) -> str:
    """One vCard, CRLF line ends, folded."""
    family, given = split_name(card.name)
    lines = [
        "BEGIN:VCARD",
        f"VERSION:{'3.0' if v3 else '4.0'}",
        f"PRODID:{PRODID}",
        f"UID:urn:uuid:{uuid.uuid5(_NAMESPACE, card.key)}",
        f"FN:{escape(card.name)}",
        f"N:{escape(family)};{escape(given)};;;",
    ]
    for number, email in enumerate(card.emails):
        pref = ("TYPE=INTERNET,pref" if v3 else "PREF=1") if number == 0 else ("TYPE=INTERNET" if v3 else "")
        lines.append(f"EMAIL{';' + pref if pref else ''}:{escape(email)}")
    for number, phone in enumerate(card.phones):
        pref = ("TYPE=VOICE,pref" if v3 else "PREF=1") if number == 0 else ""
        lines.append(f"TEL{';' + pref if pref else ''}:{escape(phone)}")
    if card.company:
        lines.append(f"ORG:{escape(card.company)}")
    if card.role:
        lines.append(f"TITLE:{escape(card.role)}")
    if card.birthday is not None:
        lines.append(_birthday(card.birthday, v3))
    if card.linkedin:
        # Apple labels a URL through a group; others see a plain URL that says linkedin.com.
        lines += [f"item1.URL:{card.linkedin}", "item1.X-ABLABEL:LinkedIn"]
    lines += [f"URL:{url}" for url in card.websites]
    if card.tags:
        lines.append("CATEGORIES:" + ",".join(escape(t) for t in card.tags))
    if card.note:
        lines.append(f"NOTE:{escape(card.note)}")
    lines.append("END:VCARD")
    return "".join(fold(line) + "\r\n" for line in lines)


def vcard_file(cards: Iterable[Card], *, v3: bool = False) -> bytes:
    """Every card in one file: UTF-8 without a BOM."""
    return "".join(card_text(card, v3=v3) for card in cards).encode("utf-8")


def card_file_name(card: Card) -> str:
    """`People/Jane Doe.md` -> `Jane Doe.vcf`; the note's own name is already safe as a file name."""
    return card.key.rsplit("/", 1)[-1][: -len(".md")] + ".vcf"


def is_ours(data: bytes) -> bool:
    """Whether a file is one mdfollow wrote (its first card names mdfollow)."""
    head = data[:400].replace(b"\r\n ", b"")
    return f"PRODID:{PRODID}".encode() in head


def advice_note(advice: Sequence[str], outcome: str) -> str:
    """The NOTE: the advice they gave, and what acting on it did."""
    lines = [ADVICE_PREFIX + " ".join(a.split()) for a in advice]
    if outcome:
        lines.append(OUTCOME_PREFIX + " ".join(outcome.split()))
    return "\n".join(lines)
