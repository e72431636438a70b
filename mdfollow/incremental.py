"""The index store kept in step with the vault: a run does the work the change calls for.

A run stat-walks the vault (in watch mode it stats only the paths it was told
about), compares each note's stamp (size, mtime, ctime, inode) with the one
stored and re-reads only the notes that differ. What depends on them is then
brought up to date in the same transaction (the tables are described in
mdfollow.cache):

- a changed note's links and referrals are resolved again; a note added or
  removed re-resolves only the links filed under its name (`index.link_keys`);
- the copy check runs again only when a contact note appeared, vanished or
  stopped (or started) being one;
- a contact's result is computed again only when something it depends on
  changed: its note, a note that links it, the notes its links resolve to, the
  people it referred or who referred it; the day, the milestones, the settings
  or mdfollow's code recompute every result.

The agenda is then put together from the stored results (`stored.assemble`).
Many changes at once (a first build, a branch switch) take the other road:
the whole index is built from the summaries, as a run without the store
builds it, and the tables are written from it. A property test holds the
output byte-identical to a run without the store after random edits.
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
from mdfollow.contact import fold
from mdfollow.diagnostics import Diagnostic, warning
from mdfollow.index import (
    KIND_CONTACT,
    KIND_DATED,
    NoteSummary,
    VaultIndex,
    build_index,
    copies_among,
    link_keys,
    note_tail,
    referrers_and_problems,
)
from mdfollow.store import read_all_bytes
from mdfollow.stored import Entry, StoredIndex, assemble, result_row
from mdfollow.vault import GONE, NO_STAMP, Read, Stamp, ToRead, paused_gc, read_all, walk

if TYPE_CHECKING:
    from mdfollow.milestones import Milestone
    from mdfollow.vault import VaultReader

Folders = dict[str, tuple[bytes, list[tuple[str, Stamp]]]]  # folder -> digest, its notes (path, stamp)
WHOLE_FROM = 1000  # more changed notes than this (or a tenth of the vault): build the whole index
RESULTS_WHOLE_FROM = 500  # more contacts to compute again than this: from the whole index


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


class Indexer:
    """One vault's store, kept current by `index`; owned by a VaultReader."""

    def __init__(self, reader: VaultReader, store: Store):
        self.reader = reader
        self.store = store
        self.walked = False
        self.code = code_digest()
        # Kept between runs of a long-lived reader (watch), while no other process writes the store:
        self.version: int | None = None  # the store's data_version when last read
        self.entries: dict[str, Entry] = {}  # each contact's part of the agenda (stored.assemble)
        self.whole_results = True  # the entries must all be read again
        self.memo: dict[str, Any] = {}  # what holds until notes are added or removed (StoredIndex)

    def index(self, today: date | None, changed: set[str] | None) -> VaultIndex | None:
        """The index (a StoredIndex), or None when the store failed (the caller goes on without it)."""
        try:
            with paused_gc(freeze=not self.walked):
                return self._sync(changed, today)
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

    def walk(self) -> tuple[Folders, list[Diagnostic]]:
        """Walk the vault by folder, with a digest of each folder's note names and stamps."""
        import marshal

        reader = self.reader
        by_folder: dict[str, list[tuple[str, Stamp]]] = {}
        with paused_gc(freeze=False):
            _, problems = walk(reader.vault, reader.skip, by_folder=by_folder)
        folders: Folders = {}
        for folder, notes in by_folder.items():
            notes.sort()
            digest = hashlib.blake2b(marshal.dumps(notes, 2), digest_size=16).digest()  # version 2: no refs
            folders[folder] = (digest, notes)
        return folders, problems

    def _sync(self, changed: set[str] | None, today: date | None) -> StoredIndex:
        reader = self.reader
        self.store.rollback()  # the last index's read snapshot ends here
        present: dict[str, tuple[str, Stamp]] = {}  # the notes looked at: OS path, stamp
        folders: Folders | None = None
        scope: set[str] | None = None
        if changed is None or not self.walked:
            folders, reader.walk_problems = self.walk()
            self.walked = True
        else:
            scope = {rel for rel in changed if reader.is_note(rel)}
            for rel in scope:
                path = str(reader.vault / rel)
                try:
                    info = os.stat(path)
                except OSError:
                    if os.path.islink(path):  # a dangling link: the walk reads it too, and reports it
                        present[rel] = (path, NO_STAMP)
                    continue
                if not stat.S_ISDIR(info.st_mode):  # as the walk: a FIFO named x.md is reported, not dropped
                    present[rel] = (path, (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
        found, run_problems, _ = reader.run_problems()
        milestones = tuple(sorted(found, key=lambda m: (m.date, m.line)))
        parse_key = _digest(self.code, reader.settings.fingerprint(), repr(reader.daily))
        db = self.store.db
        self.store.begin()
        try:
            version = db.execute("PRAGMA data_version").fetchone()[0]
            if version != self.version:  # another process wrote the store: forget what was kept
                self.version, self.whole_results, self.memo = version, True, {}
            if self.store.meta("parse") != parse_key:
                self.store.clear()
                self.store.set_meta("parse", parse_key)
                if folders is None:  # written by another mdfollow (version, settings): read every note
                    folders, reader.walk_problems = self.walk()
                    present.clear()
                    _, run_problems, _ = reader.run_problems()
            if folders is not None:
                rows, hashes = self._walked_folders(folders, present)
            else:
                rows, hashes = self._stored(scope or set())
            for rel in present:
                if not rel.isascii():
                    rel.encode("utf-8")  # a name that is not valid Unicode cannot be stored: UnicodeError
            stamps = {rel: stamp for rel, (_, stamp) in present.items()}
            paths = {rel: path for rel, (path, _) in present.items()}
            now = time.time_ns()
            todo: ToRead = []
            settled: list[tuple[str]] = []
            for rel in [rel for rel, (_, stamp) in present.items() if rows.get(rel) != stamp]:
                stamp = stamps[rel]
                todo.append((rel, paths[rel], stamp[1] >= now - RACY_NS or stamp[2] >= now - RACY_NS))
            for rel, digest in hashes.items():  # written within RACY_NS of being read: the same bytes?
                stamp = stamps.get(rel, NO_STAMP)
                if rel not in paths or rows[rel] != stamp:
                    continue
                racy = stamp[1] >= now - RACY_NS or stamp[2] >= now - RACY_NS
                if not _same(paths[rel], digest):
                    todo.append((rel, paths[rel], racy))
                elif not racy:  # old enough now that any later write changes its stamp
                    settled.append((rel,))
            db.executemany("UPDATE notes SET hash = NULL WHERE path = ?", settled)
            gone = [rel for rel in rows if rel not in paths]
            todo.sort()
            progress = reader.progress if len(todo) >= 1000 else None
            read = read_all(todo, reader.settings, reader.daily, progress)
            vanished = [r for r in read if r[3]]
            read = [r for r in read if not r[3]]
            gone += [r[0] for r in vanished if r[0] in rows]
            problems: list[Diagnostic] = run_problems + [warning(r[0], None, GONE) for r in vanished]
            if gone or any(r[0] not in rows for r in read):  # notes added or removed
                self.memo = {}
            index = StoredIndex(db, milestones, problems, reader.settings, memo=self.memo)
            self._folders_done(folders, scope, vanished)
            many = len(read) + len(gone) > 100  # then: a tenth of the vault, or WHOLE_FROM, takes the other road
            count = int(db.execute("SELECT count(*) FROM notes").fetchone()[0]) if many else 0
            if self.store.meta("derived") != "1" or (many and len(read) + len(gone) > min(WHOLE_FROM, count // 10)):
                index = self._rebuild(read, gone, stamps, milestones, problems)
            elif read or gone:
                _Delta(self.store, index, read, gone, stamps).apply()
                index = StoredIndex(db, milestones, problems, reader.settings, memo=self.memo)
            fresh = None
            if today is not None:
                fresh = self._results(index, today, _digest(today.isoformat(), repr(milestones)))
            self.store.create_indexes()  # after a whole rebuild wrote every table without them
            index.settle()
            if today is not None:
                if self.whole_results:
                    fresh = None
                index.agenda = assemble(index, today, reader.settings, self.entries, fresh)
                self.whole_results = False
            self.store.commit()
        except BaseException:
            self.store.rollback()
            self.version, self.whole_results, self.memo = None, True, {}
            raise
        # Later questions (a tick's link, a name shown twice) read this very state of the store.
        db.execute("BEGIN")
        db.execute("SELECT 1 FROM meta LIMIT 1").fetchall()
        return index

    def _stored(self, scope: set[str]) -> tuple[dict[str, tuple[int, ...]], dict[str, bytes]]:
        """Each named note's stored stamp, and the hash of those read within RACY_NS of a write."""
        found = []
        for rel in scope:
            found += self.store.db.execute(_STAMPS + " WHERE path = ?", (rel,)).fetchall()
        return {r[0]: r[1:5] for r in found}, {r[0]: r[5] for r in found if r[5] is not None}

    def _walked_folders(
        self, folders: Folders, present: dict[str, tuple[str, Stamp]]
    ) -> tuple[dict[str, tuple[int, ...]], dict[str, bytes]]:
        """The stored stamps to compare note by note: those of the folders whose digest differs
        from the one stored (a folder where nothing changed costs no query), and of every note
        still to be checked by a hash; their notes as walked go to `present`."""
        db = self.store.db
        root = os.path.join(self.reader.vault, "")
        stored = dict(db.execute("SELECT folder, digest FROM folders").fetchall())
        found = db.execute(_STAMPS + " WHERE hash IS NOT NULL").fetchall()
        look = {r[0][: r[0].rfind("/") + 1].rstrip("/") for r in found}
        look.update(folder for folder, (digest, _) in folders.items() if stored.get(folder) != digest)
        for folder in look:
            found += db.execute(_STAMPS + " WHERE folder = ?", (folder,)).fetchall()
            for rel, stamp in folders.get(folder, (b"", []))[1]:
                present[rel] = (root + rel, stamp)
        for folder in stored:
            if folder not in folders and folder not in look:  # every note in it is gone
                found += db.execute(_STAMPS + " WHERE folder = ?", (folder,)).fetchall()
        return {r[0]: r[1:5] for r in found}, {r[0]: r[5] for r in found if r[5] is not None}

    def _folders_done(self, folders: Folders | None, scope: set[str] | None, vanished: list[Read]) -> None:
        """Store each walked folder's digest (the notes stored for it now match it). A folder
        whose notes were only partly seen (watch mode, a note that vanished mid-read, a broken
        link read every time) is marked to be compared note by note next time."""
        db = self.store.db
        if folders is None:
            marked = {rel[: rel.rfind("/") + 1].rstrip("/") for rel in scope or ()}
            db.executemany("INSERT OR REPLACE INTO folders(folder, digest) VALUES (?, x'')", [(f,) for f in marked])
            return
        stale = {r[0][: r[0].rfind("/") + 1].rstrip("/") for r in vanished}
        stored = dict(db.execute("SELECT folder, digest FROM folders").fetchall())
        db.executemany("DELETE FROM folders WHERE folder = ?", [(f,) for f in stored if f not in folders])
        rows = []
        for folder, (digest, notes) in folders.items():
            if stored.get(folder) == digest:
                continue
            if folder in stale or any(n[1] == NO_STAMP for n in notes):
                digest = b""
            if stored.get(folder) != digest:
                rows.append((folder, digest))
        db.executemany("INSERT OR REPLACE INTO folders(folder, digest) VALUES (?, ?)", rows)

    def _rebuild(
        self,
        read: list[Read],
        gone: list[str],
        stamps: dict[str, Stamp],
        milestones: tuple[Milestone, ...],
        problems: list[Diagnostic],
    ) -> StoredIndex:
        """Build the whole index from every summary, as a run without the store does, and
        write what the store derives from it (links, copies, problems) anew."""
        db = self.store.db
        first = not db.execute("SELECT 1 FROM notes LIMIT 1").fetchone()
        records: dict[str, NoteSummary] = {}
        owners: dict[str, str | None] = {}
        if not first:
            for path, blob, owner in db.execute("SELECT path, summary, owner FROM notes"):
                records[path] = unpack(blob)
                owners[path] = owner
        for rel in gone:
            records.pop(rel, None)
        for r in read:
            records[r[0]] = r[1]
        whole = build_index(records.values(), milestones, problems)
        index = StoredIndex(db, milestones, problems, self.reader.settings, whole)
        owner_of = {c.path: c.path for c in whole.contacts}
        owner_of.update((path, c.path) for path, c in whole._copies.items())
        db.executemany("DELETE FROM notes WHERE path = ?", [(rel,) for rel in gone])
        for table in ("refs", "problems", "results", "dirty"):
            db.execute(f"DELETE FROM {table}")
        self.store.drop_indexes()
        stem_of = {path: stem for stem, paths in whole._by_stem.items() for path in paths}
        db.executemany(_INSERT_NOTE, [_note_row(r, stamps, owner_of.get(r[0]), stem_of[r[0]]) for r in read])
        fresh = {r[0] for r in read}
        db.executemany(
            "UPDATE notes SET owner = ? WHERE path = ?",
            [(owner_of.get(p), p) for p, old in owners.items() if p not in fresh and owner_of.get(p) != old],
        )
        refs: list[tuple[Any, ...]] = []
        notes_problems: list[tuple[Any, ...]] = []
        for path, record in records.items():
            refs += _refs(record, index)
            notes_problems += [(path, "note", *_problem(d)) for d in record.diagnostics]
        db.executemany(_INSERT_REF, refs)
        notes_problems += [(d.path, "copy", *_problem(d)) for d in whole._dupes]
        for contact in whole.contacts:
            found: list[Diagnostic] = []
            referrers_and_problems(index, contact, found)
            notes_problems += [(contact.path, "ref", *_problem(d)) for d in found]
        db.executemany(_INSERT_PROBLEM, notes_problems)
        self.store.set_meta("derived", "1")
        self.store.set_meta("results", "")
        return index

    def _results(self, index: StoredIndex, today: date, key: str) -> list[str] | None:
        """Compute again the results that are out of date; which were (None: all)."""
        db = self.store.db
        settings = self.reader.settings
        everyone = self.store.meta("results") != key
        if everyone:
            db.execute("DELETE FROM results")
            paths = list(index.kept_paths()) if index.whole is None else [c.path for c in index.whole.contacts]
        else:
            paths = [p for (p,) in db.execute("SELECT path FROM dirty ORDER BY path")]
        db.execute("DELETE FROM dirty")
        if len(paths) > RESULTS_WHOLE_FROM and index.whole is None:
            index.load()
        kept = {c.path for c in index.whole.contacts} if index.whole is not None else None
        rows = []
        for path in paths:
            contact = index.contact(path)
            is_kept = path in kept if kept is not None else (contact is not None and index.owner(path) == path)
            if contact is not None and is_kept:
                row = result_row(contact, index, today, settings, self.reader.vault)
                if row is not None:
                    rows.append(row)
        if not everyone:
            db.executemany("DELETE FROM results WHERE path = ?", [(p,) for p in paths])
        db.executemany("INSERT INTO results(path, item, quiet, bday, since) VALUES (?, ?, ?, ?, ?)", rows)
        self.store.set_meta("results", key)
        return None if everyone else paths


class _Delta:
    """Bring the derived tables up to date after a few notes were read again or removed."""

    def __init__(self, store: Store, index: StoredIndex, read: list[Read], gone: list[str], stamps: dict[str, Stamp]):
        self.db = store.db
        self.index = index
        self.read = read
        self.gone = gone
        self.stamps = stamps
        self.touched: set[str | None] = set()  # notes whose incoming links may count for someone else now
        self.dirty: set[str | None] = set()  # contacts whose result must be computed again

    def apply(self) -> None:
        db = self.db
        before: dict[str, tuple[str, str | None]] = {}
        for rel in [r[0] for r in self.read] + self.gone:
            row = db.execute("SELECT kind, owner FROM notes WHERE path = ?", (rel,)).fetchone()
            if row is not None:
                before[rel] = row
        added = [r[0] for r in self.read if r[0] not in before]
        flipped = {rel for rel in self.gone if before[rel][0] == KIND_CONTACT}
        flipped.update(
            r[0] for r in self.read if (r[1].kind == KIND_CONTACT) != (before.get(r[0], ("",))[0] == KIND_CONTACT)
        )
        for rel in [r[0] for r in self.read] + self.gone:
            for (resolved,) in db.execute("SELECT resolved FROM refs WHERE source = ?", (rel,)):
                self.touched.add(resolved)
            db.execute("DELETE FROM refs WHERE source = ?", (rel,))
            db.execute("DELETE FROM problems WHERE origin = ? AND kind = 'note'", (rel,))
            if rel in before and before[rel][1] is not None:
                self.dirty.add(before[rel][1])
        for rel in self.gone:
            db.execute("DELETE FROM notes WHERE path = ?", (rel,))
            db.execute("DELETE FROM problems WHERE origin = ?", (rel,))
            self.touched.add(rel)
        rows = []
        for r in self.read:
            old = before.get(r[0])
            owner = None
            if r[1].kind == KIND_CONTACT:
                owner = old[1] if old is not None and old[0] == KIND_CONTACT else r[0]
            rows.append(_note_row(r, self.stamps, owner))
        db.executemany(_INSERT_NOTE, rows)
        db.executemany(_INSERT_PROBLEM, [(r[0], "note", *_problem(d)) for r in self.read for d in r[1].diagnostics])
        if added or self.gone:
            self._resolve_again({note_tail(rel) for rel in added + self.gone})
        if flipped:
            self._copies_again(flipped)
        index = StoredIndex(self.db, self.index.milestones, [], self.index.settings)
        refs = []
        for r in self.read:
            refs += _refs(r[1], index)
            if r[1].kind == KIND_CONTACT:
                self.dirty.add(r[0])
                # the people it referred show its name
                self.dirty.update(s for (s,) in db.execute(_REFERRED_BY_OWNER, (r[0],)))
        db.executemany(_INSERT_REF, refs)
        self.touched.update(ref[8] for ref in refs)
        self.touched.discard(None)
        for path in self.touched:
            row = db.execute("SELECT owner FROM notes WHERE path = ?", (path,)).fetchone()
            if row is not None and row[0] is not None:
                self.dirty.add(row[0])
            self.dirty.update(
                s for (s,) in db.execute("SELECT source FROM refs WHERE kind = 'r' AND resolved = ?", (path,))
            )
        dirty = sorted(p for p in self.dirty if p is not None)
        index = StoredIndex(db, self.index.milestones, [], self.index.settings)
        problems = []
        for path in dirty:
            db.execute("DELETE FROM problems WHERE origin = ? AND kind = 'ref'", (path,))
            contact = index.contact(path)
            if contact is not None and index.owner(path) == path:
                found: list[Diagnostic] = []
                referrers_and_problems(index, contact, found)
                problems += [(path, "ref", *_problem(d)) for d in found]
        db.executemany(_INSERT_PROBLEM, problems)
        db.executemany("INSERT OR IGNORE INTO dirty(path) VALUES (?)", [(p,) for p in dirty])

    def _resolve_again(self, tails: set[str]) -> None:
        """Links filed under the name of a note added or removed may go elsewhere now."""
        db = self.db
        index = StoredIndex(db, self.index.milestones, [], self.index.settings)
        for tail in tails:
            for rowid, source, kind, target, resolved in db.execute(
                "SELECT rowid, source, kind, target, resolved FROM refs WHERE key1 = ? OR key2 = ?", (tail, tail)
            ).fetchall():
                now = index.resolve_path(target, source)
                if now != resolved:
                    db.execute("UPDATE refs SET resolved = ? WHERE rowid = ?", (now, rowid))
                    self.touched.update((resolved, now))
                    if kind == "r":
                        self.dirty.add(source)

    def _copies_again(self, flipped: set[str]) -> None:
        """A contact note appeared, vanished or changed kind: which notes are copies may change."""
        db = self.db
        current = dict(db.execute("SELECT path, owner FROM notes WHERE kind = 'contact' ORDER BY path").fetchall())
        copies, problems = copies_among(list(current))
        for path, old in current.items():
            new = copies.get(path, path)
            if new != old:
                db.execute("UPDATE notes SET owner = ? WHERE path = ?", (new, path))
                self.touched.add(path)
                self.dirty.update((old, new))
                for (resolved,) in db.execute("SELECT resolved FROM refs WHERE source = ? AND kind = 'r'", (path,)):
                    self.touched.add(resolved)  # whom it referred counts, or stops counting
        db.execute("DELETE FROM problems WHERE kind = 'copy'")
        db.executemany(_INSERT_PROBLEM, [(d.path, "copy", *_problem(d)) for d in problems])
        self.touched.update(flipped)


_INSERT_NOTE = (
    "INSERT OR REPLACE INTO notes(path, size, mtime, ctime, ino, hash, summary, kind, stem, tail, owner, folder) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_REF = (
    "INSERT INTO refs(source, kind, seq, target, key1, key2, line, day, resolved) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_PROBLEM = "INSERT INTO problems(origin, kind, path, line, col, severity, message) VALUES (?, ?, ?, ?, ?, ?, ?)"
_REFERRED_BY_OWNER = (
    "SELECT r.source FROM refs r JOIN notes n ON n.path = r.resolved WHERE r.kind = 'r' AND n.owner = ?"
)


_STAMPS = "SELECT path, size, mtime, ctime, ino, hash FROM notes"


def _note_row(read: Read, stamps: dict[str, Stamp], owner: str | None, stem: str | None = None) -> tuple[Any, ...]:
    """The notes row of a note read; `stem`: its folded file name, when known already."""
    import marshal

    rel, record, digest, _, encoded = read
    size, mtime, ctime, ino = stamps[rel]
    blob = marshal.dumps(encoded) if encoded is not None else pack(record)
    stem = stem if stem is not None else fold(rel[rel.rfind("/") + 1 : -3])
    folder = rel[: rel.rfind("/") + 1].rstrip("/")
    return (
        rel,
        size,
        mtime,
        ctime,
        ino,
        digest,
        blob,
        record.kind,
        stem,
        stem.rsplit("/", 1)[-1].strip(),
        owner,
        folder,
    )


def _refs(record: NoteSummary, index: VaultIndex) -> list[tuple[Any, ...]]:
    """The refs rows of one note: its links when it is dated, its referred_by when a contact."""
    rows: list[tuple[Any, ...]] = []
    path = record.path
    if record.kind == KIND_DATED and record.date is not None:
        day = record.date.toordinal()
        for seq, link in enumerate(record.links):
            keys = link_keys(link.target, path)
            resolved = index.resolve_path(link.target, path)
            rows.append(
                (path, "m", seq, link.target, keys[0], keys[1] if len(keys) > 1 else None, link.line, day, resolved)
            )
    elif record.kind == KIND_CONTACT and record.contact is not None:
        for seq, target in enumerate(record.contact.referred_by):
            keys = link_keys(target, path)
            resolved = index.resolve_path(target, path)
            rows.append((path, "r", seq, target, keys[0], keys[1] if len(keys) > 1 else None, None, None, resolved))
    return rows


def _problem(d: Diagnostic) -> tuple[Any, ...]:
    return (d.path, d.line, d.column, d.severity, d.message)


def _same(path: str, digest: bytes) -> bool:
    try:
        return content_hash(read_all_bytes(path)) == digest
    except OSError:
        return False
