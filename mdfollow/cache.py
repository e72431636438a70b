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
from mdfollow.contact import Contact
from mdfollow.dates import Cadence
from mdfollow.diagnostics import Diagnostic
from mdfollow.index import NoteRecord
from mdfollow.note import Link

FORMAT = 1
MAGIC = b"mdfollow-index"
RACY_NS = 2_000_000_000

Entry = tuple[int, int, bytes | None, NoteRecord]  # size, mtime_ns, content hash when racy, record


def cache_dir() -> Path:
    explicit = os.environ.get("MDFOLLOW_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mdfollow"


def cache_file(vault: Path) -> Path:
    key = hashlib.blake2b(str(vault.resolve()).encode(), digest_size=10).hexdigest()
    return cache_dir() / f"{key}.index"


def fingerprint(*parts: str) -> bytes:
    text = "\n".join((__version__, sys.version.split()[0], str(FORMAT), *parts))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest().encode()


def content_hash(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


# --- encoding: records as plain tuples -----------------------------------------------

_DATES = ("met", "thanked", "reported_back", "last_contact", "last_outreach", "next_follow_up", "snooze_until", "added")


def _day(value: date | None) -> int | None:
    return value.toordinal() if value is not None else None


def _undate(value: int | None) -> date | None:
    return date.fromordinal(value) if value is not None else None


def encode(record: NoteRecord) -> tuple[Any, ...]:
    c = record.contact
    contact = None
    if c is not None:
        cadence = (c.cadence.count, c.cadence.unit, c.cadence.text) if c.cadence else None
        contact = (
            c.path,
            c.name,
            c.aliases,
            tuple(_day(getattr(c, k)) for k in _DATES),
            c.advice,
            c.advice_outcome,
            c.strikes,
            cadence,
            c.warmth,
            c.referred_by,
            c.keep_informed,
            c.status,
            c.company,
            c.email,
            c.tags,
            c.fields,
            c.lines,
        )
    return (
        record.path,
        record.kind,
        _day(record.date),
        tuple((link.target, link.line) for link in record.links),
        tuple((d.path, d.line, d.column, d.severity, d.message) for d in record.diagnostics),
        contact,
    )


def decode(data: tuple[Any, ...]) -> NoteRecord:
    path, kind, day, links, diagnostics, contact = data
    built = None
    if contact is not None:
        (
            cpath,
            name,
            aliases,
            dates,
            advice,
            outcome,
            strikes,
            cadence,
            warmth,
            referred_by,
            keep_informed,
            status,
            company,
            email,
            tags,
            fields,
            lines,
        ) = contact
        built = Contact(
            path=cpath,
            name=name,
            aliases=aliases,
            **{key: _undate(value) for key, value in zip(_DATES, dates, strict=True)},
            advice=advice,
            advice_outcome=outcome,
            strikes=strikes,
            cadence=Cadence(*cadence) if cadence else None,
            warmth=warmth,
            referred_by=referred_by,
            keep_informed=keep_informed,
            status=status,
            company=company,
            email=email,
            tags=tags,
            fields=fields,
            lines=lines,
        )
    return NoteRecord(
        path,
        kind,
        built,
        _undate(day),
        tuple(Link(t, line) for t, line in links),
        tuple(Diagnostic(*d) for d in diagnostics),
    )


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
        return {row[0]: (row[1], row[2], row[3], decode(row[4])) for row in rows}
    except (ValueError, EOFError, TypeError, IndexError, KeyError):
        return {}


def dump(entries: dict[str, Entry], expected: bytes) -> bytes:
    rows = [
        (rel, size, mtime, digest, encode(record)) for rel, (size, mtime, digest, record) in sorted(entries.items())
    ]
    payload = marshal.dumps(rows)
    check = hashlib.blake2b(payload, digest_size=16).hexdigest().encode()
    return b" ".join((MAGIC, str(FORMAT).encode(), expected, check)) + b"\n" + payload
