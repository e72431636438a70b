"""The index store: the vault's index kept on disk, one SQLite file per vault.

Kept in the user's cache folder ($MDFOLLOW_CACHE_DIR, else $XDG_CACHE_HOME/mdfollow,
else ~/.cache/mdfollow), never inside the vault, so git and sync tools never see
it. It holds, per note, its stamp (size, mtime, ctime, inode, as git's index
compares them) and its summary, and what the index derives from them (the
tables are described below). The incremental module keeps it in step with the
vault.

Summaries are marshal of plain tuples, never pickle. The store is only ever a
copy of what the vault says: a damaged, foreign or newer-schema file is
rebuilt (with one warning), and a cache folder that cannot be written means a
run without a store, never a failed run. SQLite's WAL journal and a busy
timeout let two mdfollow processes share the file.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sqlite3
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from mdfollow import __version__
from mdfollow.contact import DATE_KEYS, Contact
from mdfollow.dates import Birthday, Cadence
from mdfollow.diagnostics import Diagnostic
from mdfollow.index import NoteSummary
from mdfollow.links import Link

SCHEMA = 7  # the tables below; a file with another number is rebuilt
SUMMARY_VERSION = 5  # bump when NoteSummary or what summarize() puts in it changes (5: birthdays)
APPLICATION_ID = 0x6D64666C  # "mdfl": tells our file from any other SQLite database
BUSY_MS = 30_000  # how long to wait for another mdfollow process holding the store
RACY_NS = 2_000_000_000  # a note modified this close to being read is also checked by a hash

# folders: a digest of each folder's note names and stamps, as last stored: a run compares
#   note by note only in the folders whose digest changed (b'': compare it next time).
# notes: one row a note: its stamp, summary, kind, folded file name (stem) and the key its
#   incoming links are filed under (tail, see index.link_keys); owner: for a contact note, the
#   kept contact it counts as (itself, or the note it is a copy of).
# refs: each link a dated note makes (kind 'm', a mention on `day`) and each referred_by of a
#   contact note ('r'), with the note it resolves to and the keys that can change that.
# problems: what each note's reading, copy check ('copy') or referral check ('ref') reported.
# results: the result of each kept contact that shows in the agenda of one day (meta 'results').
# dirty: kept contacts whose result must be computed again.
_TABLES = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE notes(
    path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, ctime INTEGER, ino INTEGER, hash BLOB,
    summary BLOB NOT NULL, kind TEXT NOT NULL, stem TEXT NOT NULL, tail TEXT NOT NULL, owner TEXT,
    folder TEXT NOT NULL);
CREATE TABLE folders(folder TEXT PRIMARY KEY, digest BLOB NOT NULL);
CREATE TABLE refs(
    source TEXT NOT NULL, kind TEXT NOT NULL, seq INTEGER NOT NULL, target TEXT NOT NULL,
    key1 TEXT NOT NULL, key2 TEXT, line INTEGER, day INTEGER, resolved TEXT, PRIMARY KEY(source, kind, seq));
CREATE TABLE problems(
    origin TEXT NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL, line INTEGER, col INTEGER,
    severity TEXT NOT NULL, message TEXT NOT NULL);
CREATE TABLE results(path TEXT PRIMARY KEY, item BLOB, quiet BLOB, bday INTEGER, since INTEGER);
CREATE TABLE dirty(path TEXT PRIMARY KEY);
"""
# Dropped while a whole vault is written and made again after: building an index once over
# sorted keys is cheaper than keeping it current through ten thousand inserts.
_INDEXES = {
    "notes_stem": "notes(stem)",
    "notes_tail": "notes(tail)",
    "notes_owner": "notes(owner)",
    "notes_folder": "notes(folder)",
    "notes_kind": "notes(kind)",
    "notes_hash": "notes(path) WHERE hash IS NOT NULL",
    "refs_key1": "refs(key1)",
    "refs_key2": "refs(key2) WHERE key2 IS NOT NULL",
    "refs_resolved": "refs(resolved)",
    "problems_origin": "problems(origin)",
}


def cache_dir() -> Path:
    explicit = os.environ.get("MDFOLLOW_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mdfollow"


def cache_file(vault: Path) -> Path:
    key = hashlib.blake2b(str(vault.resolve()).encode(), digest_size=10).hexdigest()
    return cache_dir() / f"{key}.sqlite"


def content_hash(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


def code_digest() -> str:
    """A digest of mdfollow's version and the source of every module whose output
    the store keeps: a changed parser or rule (even before a release bumps the
    version) rebuilds what it must."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{__version__}\0{sys.version}\0{SCHEMA}\0{SUMMARY_VERSION}".encode())
    # Read as files, not imported: what reads a note (vault, note, links, keys, contact, dates),
    # builds the index and the results (index, rules, milestones, timeline, edits, stored,
    # incremental), and what renders it (render, ticks, actions, jsontext).
    here = Path(__file__).parent
    for name in _CODE:
        with contextlib.suppress(OSError):
            digest.update((here / f"{name}.py").read_bytes())
    return digest.hexdigest()


_CODE = (
    "actions", "cache", "contact", "dates", "diagnostics", "edits", "errors", "incremental", "index", "jsontext",
    "keys", "links", "milestones", "note", "render", "rules", "settings", "store", "stored", "ticks", "timeline",
    "vault",
)  # fmt: skip


class StoreDamaged(Exception):
    """The file is not a store this mdfollow can read."""


class Store:
    """One vault's index store: a SQLite connection and the few statements everyone shares."""

    def __init__(self, path: Path, db: sqlite3.Connection):
        self.path = path
        self.db = db

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def begin(self) -> None:
        """Take the write lock now: the whole update sees one consistent store."""
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")

    def drop_indexes(self) -> None:
        for name in _INDEXES:
            self.db.execute(f"DROP INDEX IF EXISTS {name}")

    def create_indexes(self) -> None:
        for name, on in _INDEXES.items():
            self.db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {on}")

    def clear(self) -> None:
        for table in ("notes", "folders", "refs", "problems", "results", "dirty", "meta"):
            self.db.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None, check_same_thread=False)
    db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
    return db


def _truncated(path: Path) -> bool:
    """The file is shorter than its own header says (cut off by a full disk or a bad copy).

    A run reads only the pages it needs, so SQLite would not notice before a query
    met a missing page; the header's page count is valid when its version number
    matches the change counter (the database file format, section 1.3.7)."""
    from mdfollow.store import open_to_read

    try:
        with open_to_read(path) as handle:
            header = handle.read(100)
            size = os.fstat(handle.fileno()).st_size
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(b"SQLite format 3\0"):
        return False
    page = int.from_bytes(header[16:18], "big")
    page = 65536 if page == 1 else page
    pages = int.from_bytes(header[28:32], "big")
    valid = header[92:96] == header[24:28]
    return valid and pages > 0 and size < pages * page


def _prepare(db: sqlite3.Connection, path: Path) -> None:
    """Check that the file is ours and current; create the tables in a new file."""
    if _truncated(path):
        raise StoreDamaged("it is shorter than its header says")
    app = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if app == 0 and version == 0:
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables:
            raise StoreDamaged("it is another program's database")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("BEGIN IMMEDIATE")
        if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:  # nobody created it meanwhile
            for statement in _TABLES.split(";"):
                if statement.strip():
                    db.execute(statement)
            for name, on in _INDEXES.items():
                db.execute(f"CREATE INDEX {name} ON {on}")
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA}")
        db.execute("COMMIT")
        return
    if app != APPLICATION_ID:
        raise StoreDamaged("it is another program's database")
    if version > SCHEMA:
        raise StoreDamaged(f"it was written by a newer mdfollow (schema {version})")
    if version < SCHEMA:
        raise StoreDamaged("it was written by an older mdfollow")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")  # a copy of the vault: a lost last update is only re-read


def connect_store(vault: Path, warn: Callable[[str], None]) -> Store | None:
    """The vault's store, created if need be; None when there can be none (the run goes on without).

    A file that is damaged, another program's or a newer mdfollow's is moved
    aside and rebuilt, with one warning. An unwritable cache folder, or one
    inside the vault, means no store.
    """
    path = cache_file(vault)
    folder = path.parent
    with contextlib.suppress(ValueError):
        folder.resolve().relative_to(vault.resolve())
        warn(f"the cache folder {folder} is inside the vault; running without the index store")
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return None
    for attempt in range(2):
        db = None
        try:
            db = _connect(path)
            _prepare(db, path)
            return Store(path, db)
        except (StoreDamaged, sqlite3.DatabaseError) as exc:
            if db is not None:
                with contextlib.suppress(sqlite3.Error):
                    db.close()
            if isinstance(exc, sqlite3.OperationalError) and _transient(exc):
                return None  # locked past the timeout, read-only, disk full: run without it this time
            if attempt:
                return None
            if not (isinstance(exc, StoreDamaged) and "older" in str(exc)):
                warn(f"the index store {path} could not be used ({exc}); rebuilding it")
            discard(path)
    return None


def _transient(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return any(word in text for word in ("locked", "readonly", "read-only", "disk i/o", "full", "unable to open"))


def discard(path: Path) -> None:
    """Remove a store file and its journal (only mdfollow's own files in its cache folder)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            os.unlink(f"{path}{suffix}")


def pack(record: NoteSummary) -> bytes:
    return marshal.dumps(encode(record))


def unpack(blob: bytes) -> NoteSummary:
    return decode(marshal.loads(blob))


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
        fields = record.contact.__dict__  # every field is in it (a frozen dataclass has no slots here)
        values = [fields[key] for key in _CONTACT_KEYS]
        for at in _DATE_AT:
            if values[at] is not None:
                values[at] = values[at].toordinal()
        cadence, birthday = values[_CADENCE_AT], values[_BIRTHDAY_AT]
        if cadence is not None:
            values[_CADENCE_AT] = (cadence.count, cadence.unit, cadence.text)
        if birthday is not None:
            values[_BIRTHDAY_AT] = (birthday.month, birthday.day, birthday.year)
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
