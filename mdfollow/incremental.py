"""The index store kept in step with the vault: a run re-reads only the notes that changed.

A run stat-walks the vault (or, in watch mode, stats the paths it was told
about), compares each note's stamp (size, mtime, ctime, inode) with the one
stored, re-reads only the notes that differ, and stores their summaries in one
transaction. The index is then built from the summaries with the same
`build_index` a run without the store uses; a long-lived reader (watch) keeps
the summaries in memory between updates. A property test holds the result
byte-identical to a run without the store.

Recomputing only the contacts a change can affect (the design this module had
before links began to resolve as Obsidian resolves them, by the linking note's
folder and among all notes) is not done: a change rebuilds the index from the
summaries. A run where nothing changed is answered by the results memo.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import time
from datetime import date
from typing import TYPE_CHECKING, Any

from mdfollow.cache import RACY_NS, Store, code_digest, content_hash, discard, pack, unpack
from mdfollow.contact import Contact
from mdfollow.diagnostics import Diagnostic, warning
from mdfollow.index import KIND_CONTACT, NoteSummary, VaultIndex, build_index, patch_index
from mdfollow.store import read_all_bytes
from mdfollow.vault import GONE, Read, Stamp, ToRead, paused_gc, read_all, walk

if TYPE_CHECKING:
    from mdfollow.vault import VaultReader

NO_STAMP: Stamp = (-1, -1, -1, -1)


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


class Indexer:
    """One vault's store, kept current by `index`; owned by a VaultReader."""

    def __init__(self, reader: VaultReader, store: Store):
        self.reader = reader
        self.store = store
        self.walked = False
        self.code = code_digest()
        self.records: dict[str, NoteSummary] | None = None  # every summary, for a long-lived reader
        self.version: int | None = None
        self.last: VaultIndex | None = None  # the index built from `records`, for a long-lived reader

    def index(self, today: date | None, changed: set[str] | None) -> VaultIndex | None:
        """The whole index, or None when the store failed (the caller goes on without it)."""
        try:
            with paused_gc(freeze=not self.walked):
                return self._sync(changed)
        except (sqlite3.Error, UnicodeError, ValueError, EOFError, TypeError, KeyError, IndexError) as exc:
            # A store that fails mid-run is only a copy: say so, run without it, and
            # make sure the next run starts a new one when it is damaged.
            self.store.rollback()
            self.store.close()
            if isinstance(exc, UnicodeError):
                return None  # a file name that is not valid Unicode cannot be stored: run without
            if not (isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)):
                self.reader.warn(f"the index store {self.store.path} failed ({exc}); it will be rebuilt")
                discard(self.store.path)
            return None

    def _sync(self, changed: set[str] | None) -> VaultIndex:
        reader = self.reader
        stamps: dict[str, Stamp] = {}
        paths: dict[str, str] = {}
        scope: set[str] | None = None
        if changed is None or not self.walked:
            if reader._walked is not None:  # snapshot() has just walked
                files, stamps, reader.walk_problems = reader._walked
                reader._walked = None
            else:
                files, reader.walk_problems = walk(reader.vault, reader.skip, stamps)
            paths = dict(files)
            self.walked = True
        else:
            scope = {rel for rel in changed if reader.is_note(rel)}
            for rel in scope:
                path = str(reader.vault / rel)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode):
                    stamps[rel] = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
                    paths[rel] = path
        milestones, run_problems, _ = reader.run_problems()
        parse_key = _digest(self.code, reader.settings.fingerprint(), repr(reader.daily))
        if not "".join(paths).isascii():
            for rel in paths:
                rel.encode("utf-8")  # a name that is not valid Unicode cannot be stored: UnicodeError
        db = self.store.db
        self.store.begin()
        try:
            version = db.execute("PRAGMA data_version").fetchone()[0]
            if version != self.version:
                self.records = None  # another process wrote the store
                self.last = None
            self.version = version
            if self.store.meta("parse") != parse_key:
                self.records = None
                self.last = None
                self.store.clear()
                self.store.set_meta("parse", parse_key)
            rows = self._stored(scope)
            now = time.time_ns()
            todo: ToRead = []
            settled: list[tuple[str]] = []
            for rel in paths:
                stamp = stamps.setdefault(rel, NO_STAMP)  # a broken link: read (and reported) every time
                row = rows.get(rel)
                racy = stamp[1] >= now - RACY_NS or stamp[2] >= now - RACY_NS
                if row is not None and row[1:5] == stamp:
                    if row[5] is None:
                        continue
                    if _same(paths[rel], row[5]):
                        if not racy:  # old enough now that any later write changes its stamp
                            settled.append((rel,))
                        continue
                todo.append((rel, paths[rel], racy))
            db.executemany("UPDATE notes SET hash = NULL WHERE path = ?", settled)
            gone = [rel for rel in rows if rel not in paths]
            todo.sort()
            progress = reader.progress if len(todo) >= 1000 else None
            read = read_all(todo, reader.settings, reader.daily, progress)
            vanished = [r for r in read if r[3]]
            read = [r for r in read if not r[3]]
            gone += [r[0] for r in vanished if r[0] in rows]
            if self.records is None:
                self.records = {p: unpack(summary) for p, summary in db.execute("SELECT path, summary FROM notes")}
            db.executemany("DELETE FROM notes WHERE path = ?", [(rel,) for rel in gone])
            db.executemany(
                "INSERT OR REPLACE INTO notes(path, size, mtime, ctime, ino, hash, summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
                self._note_rows(read, stamps),
            )
            self.store.commit()
        except BaseException:
            self.store.rollback()
            self.records = None
            self.last = None
            raise
        self.version = db.execute("PRAGMA data_version").fetchone()[0]
        records = self.records
        last, self.last = self.last, None
        edited = _contacts_edited(records, read) if last is not None and scope is not None and not gone else None
        for rel in gone:
            records.pop(rel, None)
        for r in read:
            records[r[0]] = r[1]
        problems: list[Diagnostic] = run_problems + [warning(r[0], None, GONE) for r in vanished]
        if edited is not None and last is not None:
            # Only contact notes changed, each still a contact at its path: every link resolves
            # as before, so the index is patched rather than built again.
            self.last = patch_index(last, records.values(), edited, milestones, problems)
        else:
            self.last = build_index(records.values(), milestones, problems)
        return self.last

    def _stored(self, scope: set[str] | None) -> dict[str, tuple[Any, ...]]:
        query = "SELECT path, size, mtime, ctime, ino, hash FROM notes"
        if scope is None:
            rows = self.store.db.execute(query).fetchall()
        else:
            rows = []
            for rel in scope:
                rows += self.store.db.execute(query + " WHERE path = ?", (rel,)).fetchall()
        return {r[0]: r for r in rows}

    @staticmethod
    def _note_rows(read: list[Read], stamps: dict[str, Stamp]) -> list[tuple[Any, ...]]:
        import marshal

        rows = []
        for rel, record, digest, _, encoded in read:
            size, mtime, ctime, ino = stamps[rel]
            blob = marshal.dumps(encoded) if encoded is not None else pack(record)
            rows.append((rel, size, mtime, ctime, ino, digest, blob))
        return rows


def _contacts_edited(records: dict[str, NoteSummary], read: list[Read]) -> dict[str, Contact] | None:
    """The new contacts by path when every note read was a contact note and still is one; else None."""
    edited: dict[str, Contact] = {}
    for rel, record, *_ in read:
        before = records.get(rel)
        if before is None or before.contact is None or record.contact is None:
            return None
        if before.kind != KIND_CONTACT or record.kind != KIND_CONTACT:
            return None
        edited[rel] = record.contact
    return edited


def _same(path: str, digest: bytes) -> bool:
    try:
        return content_hash(read_all_bytes(path)) == digest
    except OSError:
        return False
