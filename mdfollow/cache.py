"""The persisted index cache: what the rules need from each note, reused while the note is unchanged.

Kept in the user's cache folder ($MDFOLLOW_CACHE_DIR, else $XDG_CACHE_HOME/mdfollow,
else ~/.cache/mdfollow), one file per vault: never inside the vault, so git and
sync tools never see it. A note's entry is reused while its size and mtime (in
nanoseconds) are unchanged; a note modified within two seconds of the cache
being written (coarse or racy timestamps) is also checked by a hash of its
bytes. The file is marshal of plain tuples, never pickle, behind a header that
names the format version, mdfollow's version and a fingerprint of the
settings; a checksum guards the rest. Anything that does not match, or does
not load, is rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from mdfollow import __version__
from mdfollow.contact import DATE_KEYS, Contact
from mdfollow.dates import Birthday, Cadence
from mdfollow.diagnostics import Diagnostic
from mdfollow.index import NoteSummary
from mdfollow.note import Link

FORMAT = 5  # 5: birthdays on contacts; 4: Markdown and property links in summaries, body tags and several referrers on contacts
MAGIC = b"mdfollow-index"
RACY_NS = 2_000_000_000

Entry = tuple[int, int, bytes | None, NoteSummary, tuple[Any, ...] | None]
# size, mtime_ns, content hash when racy, record, the record encoded (kept from loading, so saving re-encodes nothing old)


def cache_dir() -> Path:
    explicit = os.environ.get("MDFOLLOW_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mdfollow"


def cache_file(vault: Path) -> Path:
    key = hashlib.blake2b(str(vault.resolve()).encode(), digest_size=10).hexdigest()
    return cache_dir() / f"{key}.index"


def results_file(vault: Path) -> Path:
    return cache_file(vault).with_suffix(".results")


def load_result(vault: Path, snapshot: str, name: str) -> tuple[str, list[dict[str, Any]]] | None:
    """A command's output saved for exactly these inputs, with the problems it reported.

    The file is one JSON header line (version, snapshot, name, problems) and then
    the output as it was printed.
    """
    import json

    try:
        raw = results_file(vault).read_bytes()
        head, _, body = raw.partition(b"\n")
        meta = json.loads(head)
        if meta.get("version") != __version__ or meta.get("format") != FORMAT:
            return None  # another mdfollow may print something else for the same vault
        if meta.get("snapshot") != snapshot or meta.get("name") != name:
            return None
        if hashlib.blake2b(body, digest_size=16).hexdigest() != meta.get("check"):
            return None
        return body.decode("utf-8"), list(meta["problems"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save_result(vault: Path, snapshot: str, name: str, text: str, problems: list[dict[str, Any]]) -> None:
    import contextlib
    import json

    from mdfollow.store import write_file

    body = text.encode("utf-8")
    meta = {
        "version": __version__,
        "format": FORMAT,
        "snapshot": snapshot,
        "name": name,
        "problems": problems,
        "check": hashlib.blake2b(body, digest_size=16).hexdigest(),
    }
    with contextlib.suppress(OSError):
        write_file(results_file(vault), json.dumps(meta).encode() + b"\n" + body, expected=None, replace=True)


def fingerprint(*parts: str) -> bytes:
    text = "\n".join((__version__, sys.version.split()[0], str(FORMAT), *parts))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest().encode()


def content_hash(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


# --- encoding: records as plain tuples -----------------------------------------------


def _day(value: date | None) -> int | None:
    return value.toordinal() if value is not None else None


_CONTACT_KEYS = (
    "path", "name", "aliases", *DATE_KEYS, "advice", "advice_outcome", "strikes", "cadence", "warmth", "referred_by",
    "keep_informed", "status", "company", "email", "tags", "emails", "linkedin", "birthday", "lines",
)  # fmt: skip
_DATE_KEYS = frozenset(DATE_KEYS)


def encode(record: NoteSummary) -> tuple[Any, ...]:
    contact = None
    if record.contact is not None:
        values = []
        for key in _CONTACT_KEYS:
            value = getattr(record.contact, key)
            if key in _DATE_KEYS:
                value = _day(value)
            elif key == "cadence" and value is not None:
                value = (value.count, value.unit, value.text)
            elif key == "birthday" and value is not None:
                value = (value.month, value.day, value.year)
            values.append(value)
        contact = tuple(values)
    return (
        record.path,
        record.kind,
        _day(record.date),
        tuple((link.target, link.line) for link in record.links),
        tuple((d.path, d.line, d.column, d.severity, d.message) for d in record.diagnostics),
        contact,
    )


_DATE_AT = tuple(_CONTACT_KEYS.index(key) for key in DATE_KEYS)
_CADENCE_AT = _CONTACT_KEYS.index("cadence")
_BIRTHDAY_AT = _CONTACT_KEYS.index("birthday")
_CADENCE_KEYS = ("count", "unit", "text")


def decode(data: tuple[Any, ...]) -> NoteSummary:
    """The record `encode` made, each object filled through its __dict__: several
    times faster than a frozen dataclass's __init__ (one object.__setattr__ per
    field), which matters when a warm run decodes 100k notes. The values come
    from `encode` of the same classes; a round-trip test holds them equal."""
    path, kind, day, links, diagnostics, contact = data
    new = object.__new__
    built = None
    if contact is not None:
        values = list(contact)
        for at in _DATE_AT:
            if values[at] is not None:
                values[at] = date.fromordinal(values[at])
        if values[_BIRTHDAY_AT] is not None:
            values[_BIRTHDAY_AT] = Birthday(*values[_BIRTHDAY_AT])
        if values[_CADENCE_AT] is not None:
            cadence = new(Cadence)
            cadence.__dict__.update(zip(_CADENCE_KEYS, values[_CADENCE_AT], strict=True))
            values[_CADENCE_AT] = cadence
        built = new(Contact)
        built.__dict__.update(zip(_CONTACT_KEYS, values, strict=True))
    if links:
        made = []
        for target, line in links:
            link = new(Link)
            link.__dict__.update(target=target, line=line)
            made.append(link)
        links = tuple(made)
    if diagnostics:
        diagnostics = tuple(Diagnostic(*d) for d in diagnostics)
    record = new(NoteSummary)
    record.__dict__.update(
        path=path,
        kind=kind,
        contact=built,
        date=date.fromordinal(day) if day is not None else None,
        links=links,
        diagnostics=diagnostics,
    )
    return record


# --- the file -------------------------------------------------------------------------


def load(path: Path, expected: bytes) -> dict[str, Entry]:
    """The cached entries, or {} when there is no cache or it cannot be trusted."""
    try:
        raw = path.read_bytes()
    except OSError:
        return {}
    head, sep, payload = raw.partition(b"\n")
    parts = head.split(b" ")
    if not sep or len(parts) != 4 or parts[0] != MAGIC or parts[1] != str(FORMAT).encode() or parts[2] != expected:
        return {}
    if hashlib.blake2b(payload, digest_size=16).hexdigest().encode() != parts[3]:
        return {}  # truncated or corrupt
    try:
        rows = marshal.loads(payload)
        return {row[0]: (row[1], row[2], row[3], decode(row[4]), row[4]) for row in rows}
    except (ValueError, EOFError, TypeError, IndexError, KeyError):
        return {}


def dump(entries: dict[str, Entry], expected: bytes) -> bytes:
    rows = [
        (rel, size, mtime, digest, encoded if encoded is not None else encode(record))
        for rel, (size, mtime, digest, record, encoded) in sorted(entries.items())
    ]
    payload = marshal.dumps(rows)
    check = hashlib.blake2b(payload, digest_size=16).hexdigest().encode()
    return b" ".join((MAGIC, str(FORMAT).encode(), expected, check)) + b"\n" + payload
