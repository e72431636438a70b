"""The index store kept in step with the vault: a change costs what it can affect.

A run stat-walks the vault (or, in watch mode, stats the paths it was told
about), compares each note's stamp with the one stored, and re-reads only the
notes that differ. Then, in one write transaction:

- **incremental**, the common case (a few notes edited, a dated note added or
  deleted): the changed notes' rows, links and problems are replaced, and the
  rules run again only for the contacts the change can affect: the note's own
  contact, the contacts its old and new links resolve to, its old and new
  referrer, the contacts it referred, and the contacts sharing its file name
  (whose links may stop or start needing a path). Every other contact's line
  is reused as stored.
- **full**, when something global changed (the settings, the day, the
  milestones file, the daily-note config, mdfollow's code), when the set of
  contact names changed (a contact added, deleted, renamed or renamed in its
  `name:`, which can change how every link resolves and which notes are
  duplicates), or when many notes changed at once: the index is built from the
  stored summaries plus the notes re-read, with the same `build_index` as a
  run without a store, and every derived table is rewritten.

Either way the agenda is then assembled from the stored lines; a property test
holds it byte-identical to a run without a store.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sqlite3
import stat
import time
from array import array
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from mdfollow.cache import RACY_NS, Store, code_digest, content_hash, discard, pack, unpack
from mdfollow.contact import Contact, fold
from mdfollow.diagnostics import Diagnostic, warning
from mdfollow.index import (
    KIND_CONTACT,
    KIND_SKIPPED,
    Mention,
    NoteSummary,
    VaultIndex,
    build_index,
    first_mentions,
    mention_order,
    milestone_order,
    referral_problem,
    sorted_problems,
    stem_key,
)
from mdfollow.milestones import Milestone
from mdfollow.render import AgendaView, item_json, quiet_json, quiet_line, task_line
from mdfollow.rules import gone_quiet, next_action
from mdfollow.store import read_all_bytes
from mdfollow.vault import GONE, Read, Stamp, ToRead, paused_gc, read_all, walk

if TYPE_CHECKING:
    from mdfollow.vault import VaultReader

NO_STAMP: Stamp = (-1, -1, -1, -1)
FULL_SHARE = 20  # more than 1 in this many notes changed: rebuild from the summaries instead
FULL_FROM = 64  # ...but never for fewer changed notes than this

Row = tuple[str, int | None, str, str | None, str | None, str | None, str | None]
# path, due (ordinal), folded name, task line, item JSON, gone-quiet line, gone-quiet JSON


@dataclass
class _Old:
    """A note as the store last saw it."""

    stamp: Stamp
    hash: bytes | None
    kind: str
    stem_key: str
    name: str | None  # the contact's name exactly as shown (duplicate warnings quote it)
    kept: bool
    referrer: str | None


class StoredIndex(VaultIndex):
    """A VaultIndex that answers from the store, one contact at a time: what the rules ask
    of the index (resolve a link, a contact's mentions, referrals, whether its file name
    is shared) for just the contacts being recomputed."""

    def __init__(self, db: sqlite3.Connection, milestones: list[Milestone]):
        super().__init__(
            contacts=(),
            mentions={},
            milestones=tuple(sorted(milestones, key=milestone_order)),
            problems=(),
            notes_read=0,
            notes_skipped=0,
        )
        self.db = db
        self.known: dict[str, Contact | None] = {}

    def contact(self, path: str) -> Contact | None:
        if path not in self.known:
            row = self.db.execute("SELECT summary FROM notes WHERE path = ?", (path,)).fetchone()
            self.known[path] = unpack(row[0]).contact if row else None
        return self.known[path]

    def _name(self, key: str) -> Contact | None:
        row = self.db.execute("SELECT contact FROM names WHERE key = ?", (key,)).fetchone()
        return self.contact(row[0]) if row else None

    def resolve(self, target: str) -> Contact | None:
        key = fold(target)
        if "/" in key:
            found = self._name(key)
            if found is not None:
                return found
            key = key.rsplit("/", 1)[-1]
        return self._name(key)

    def mentions_of(self, contact: Contact) -> tuple[Mention, ...]:
        rows = self.db.execute("SELECT src, day, line FROM links WHERE contact = ?", (contact.path,))
        return tuple(sorted((Mention(date.fromordinal(d), s, n) for s, d, n in rows), key=mention_order))

    def referrals(self, referrer: Contact) -> list[Contact]:
        rows = self.db.execute(
            "SELECT path FROM notes WHERE referrer = ? AND kept = 1 ORDER BY path", (referrer.path,)
        ).fetchall()
        return [c for (path,) in rows if (c := self.contact(path)) is not None]

    def link_target(self, contact: Contact) -> str:
        count = self.db.execute("SELECT count(*) FROM notes WHERE stem_key = ?", (stem_key(contact.path),)).fetchone()
        return contact.stem if count[0] <= 1 else contact.path[:-3]


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


class Indexer:
    """One vault's store, kept current by `sync`; owned by a VaultReader."""

    def __init__(self, reader: VaultReader, store: Store):
        self.reader = reader
        self.store = store
        self.walked = False
        self.code = code_digest()
        # The results and problems as last read or written, for a long-lived reader (watch):
        # valid while no other process has written the store since (SQLite's data_version).
        self.mirror: _Mirror | None = None
        self.version: int | None = None

    # --- what callers ask for ---------------------------------------------------------

    def agenda(self, today: date, changed: set[str] | None) -> AgendaView | None:
        """The agenda, or None when the store failed (the caller goes on without it)."""
        result = self._guarded(today, changed, want_index=False)
        return result[1] if result is not None else None

    def index(self, today: date | None, changed: set[str] | None) -> VaultIndex | None:
        result = self._guarded(today, changed, want_index=True)
        return result[0] if result is not None else None

    def _guarded(
        self, today: date | None, changed: set[str] | None, want_index: bool
    ) -> tuple[VaultIndex | None, AgendaView | None] | None:
        try:
            with paused_gc(freeze=not self.walked):
                return self._sync(today, changed, want_index)
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

    # --- one update ---------------------------------------------------------------------

    def _sync(
        self, today: date | None, changed: set[str] | None, want_index: bool
    ) -> tuple[VaultIndex | None, AgendaView | None]:
        reader = self.reader
        stamps: dict[str, Stamp] = {}
        paths: dict[str, str] = {}
        scope: set[str] | None = None
        if changed is None or not self.walked:
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
        milestones, run_problems, milestone_text = reader.run_problems()
        parse_key = _digest(self.code, reader.settings.fingerprint(), repr(reader.daily))
        rules_key = _digest(parse_key, today.isoformat() if today else "", milestone_text)
        if not "".join(paths).isascii():
            for rel in paths:
                rel.encode("utf-8")  # a name that is not valid Unicode cannot be stored: UnicodeError
        walked = _walk_digest(paths, stamps) if scope is None else ""
        db = self.store.db
        self.store.begin()
        try:
            version = db.execute("PRAGMA data_version").fetchone()[0]
            if version != self.version:
                self.mirror = None  # another process wrote the store
            self.version = version
            rebuilt = self.store.meta("parse") != parse_key
            if rebuilt:
                self.store.clear()
                self.store.set_meta("parse", parse_key)
            unchanged = (
                walked
                and not rebuilt
                and self.store.meta("walk") == walked
                and (today is None or self.store.meta("rules") == rules_key)
            )
            # Nothing on disk moved since the last walk (and no note is recent enough to need
            # its hash checked): no stamp needs comparing.
            rows = {} if unchanged else self._stored(scope)
            if unchanged:
                paths = {}
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
            old = self._old([rel for rel in [*gone, *(r[0] for r in read)] if rel in rows])
            run_problems = run_problems + [warning(r[0], None, GONE) for r in vanished]
            structural = rebuilt or self._structural(read, gone, old)
            total = len(stamps) if scope is None else db.execute("SELECT count(*) FROM notes").fetchone()[0]
            many = len(read) + len(gone) > max(FULL_FROM, total // FULL_SHARE)
            rules_ok = today is not None and self.store.meta("rules") == rules_key
            if today is None and not (structural or read or gone):
                index = self._load_index(milestones, run_problems)
                self.store.commit()
                return index, None
            if structural or many or not rules_ok:
                index = self._full(read, gone, stamps, milestones, run_problems, today, len(vanished))
                self.store.set_meta("rules", rules_key if today is not None else "")
                view = self._view(today, run_problems, len(vanished)) if today is not None else None
                self._remember_walk(walked)
                self.store.commit()
                return index, view
            assert today is not None
            if read or gone:
                self._incremental(read, gone, old, stamps, milestones, today)
            view = self._view(today, run_problems, len(vanished))
            if not unchanged:
                self._remember_walk(walked)
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise
        if want_index:
            return self._load_index(milestones, run_problems), view
        return None, view

    def _remember_walk(self, walked: str) -> None:
        """Keep the walk's digest, unless a note is recent enough that its bytes must be checked."""
        racy = self.store.db.execute("SELECT 1 FROM notes WHERE hash IS NOT NULL LIMIT 1").fetchone()
        self.store.set_meta("walk", "" if racy else walked)

    def _old(self, paths: list[str]) -> dict[str, _Old]:
        """What the store knew of these notes before this update."""
        query = "SELECT size, mtime, ctime, ino, hash, kind, stem_key, name, kept, referrer FROM notes WHERE path = ?"
        old = {}
        for rel in paths:
            r = self.store.db.execute(query, (rel,)).fetchone()
            if r is not None:
                old[rel] = _Old((r[0], r[1], r[2], r[3]), r[4], r[5], r[6], r[7], bool(r[8]), r[9])
        return old

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
    def _structural(read: list[Read], gone: list[str], old: dict[str, _Old]) -> bool:
        """Whether the set of contacts or their names changed: then any link may resolve anew,
        and the duplicate warnings (which quote names) may read differently."""
        for rel in gone:
            if old[rel].kind == KIND_CONTACT:
                return True
        for rel, record, *_ in read:
            before = old.get(rel)
            is_contact = record.contact is not None
            if before is None:
                if is_contact:
                    return True
                continue
            if (before.kind == KIND_CONTACT) != is_contact:
                return True
            if is_contact and record.contact is not None and before.name != record.contact.name:
                return True
        return False

    # --- the two ways to update -----------------------------------------------------------

    def _note_rows(self, read: list[Read], stamps: dict[str, Stamp]) -> list[tuple[Any, ...]]:
        rows = []
        for rel, record, digest, _, encoded in read:
            size, mtime, ctime, ino = stamps[rel]
            name = record.contact.name if record.contact is not None else None
            blob = marshal.dumps(encoded) if encoded is not None else pack(record)
            rows.append((rel, size, mtime, ctime, ino, digest, record.kind, stem_key(rel), name, blob))
        return rows

    def _full(
        self,
        read: list[Read],
        gone: list[str],
        stamps: dict[str, Stamp],
        milestones: list[Milestone],
        run_problems: list[Diagnostic],
        today: date | None,
        vanished: int,
    ) -> VaultIndex:
        db = self.store.db
        fresh = {r[0]: r[1] for r in read}
        records: dict[str, NoteSummary] = {}
        for path, summary in db.execute("SELECT path, summary FROM notes"):
            if path not in fresh:
                records[path] = unpack(summary)
        for rel in gone:
            records.pop(rel, None)
        records.update(fresh)
        index = build_index(records.values(), milestones, run_problems)

        self.mirror = None
        db.executemany("DELETE FROM notes WHERE path = ?", [(rel,) for rel in gone])
        db.executemany(
            "INSERT OR REPLACE INTO notes(path, size, mtime, ctime, ino, hash, kind, stem_key, name, summary)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self._note_rows(read, stamps),
        )
        for table in ("names", "links", "problems", "results"):
            db.execute(f"DELETE FROM {table}")
        db.execute("UPDATE notes SET kept = 0, referrer = NULL WHERE kept = 1 OR referrer IS NOT NULL")
        referrers = []
        for contact in index.contacts:
            referrer = index.referrer_of(contact) if contact.referred_by else None
            referrers.append((referrer.path if referrer else None, contact.path))
        db.executemany("UPDATE notes SET kept = 1, referrer = ? WHERE path = ?", referrers)
        names = {key: found[0].path for key, found in index._by_stem.items() if len(found) == 1}
        names.update({key: c.path for key, c in index._paths().items() if "/" in key})
        db.executemany("INSERT INTO names(key, contact) VALUES (?, ?)", names.items())
        db.executemany(
            "INSERT INTO links(src, contact, day, line) VALUES (?, ?, ?, ?)",
            [(m.path, path, m.date.toordinal(), m.line) for path, ms in index.mentions.items() for m in ms],
        )
        problems = [("", "dup", *_problem(p)) for p in index.duplicate_problems]
        for record in records.values():
            problems += [(record.path, "note", *_problem(p)) for p in record.diagnostics]
        for contact in index.contacts:
            if contact.referred_by and index.referrer_of(contact) is None:
                problems.append((contact.path, "ref", *_problem(referral_problem(contact))))
        db.executemany("INSERT INTO problems VALUES (?, ?, ?, ?, ?, ?, ?)", problems)
        if today is not None:
            rows = [_result(contact, index, today, self.reader) for contact in index.contacts]
            db.executemany("INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        return index

    def _incremental(
        self,
        read: list[Read],
        gone: list[str],
        old: dict[str, _Old],
        stamps: dict[str, Stamp],
        milestones: list[Milestone],
        today: date,
    ) -> None:
        """Replace the changed notes' rows, then recompute the contacts they can affect.
        Only called when no contact appeared, vanished or changed its name."""
        db = self.store.db
        view = StoredIndex(db, milestones)
        affected: set[str] = set()

        touched: set[tuple[str, str]] = set()

        def forget(rel: str) -> None:
            touched.add((rel, "note"))
            affected.update(c for (c,) in db.execute("SELECT contact FROM links WHERE src = ?", (rel,)))
            db.execute("DELETE FROM links WHERE src = ?", (rel,))
            db.execute("DELETE FROM problems WHERE owner = ? AND kind = 'note'", (rel,))

        def same_stem(key: str) -> None:
            # A note added or removed with a contact's file name changes how that contact is linked.
            affected.update(p for (p,) in db.execute("SELECT path FROM notes WHERE stem_key = ? AND kept = 1", (key,)))

        for rel in gone:
            forget(rel)
            db.execute("DELETE FROM notes WHERE path = ?", (rel,))
            same_stem(old[rel].stem_key)
        rows = self._note_rows(read, stamps)
        for row, (rel, record, *_) in zip(rows, read, strict=True):
            before = old.get(rel)
            if before is not None:
                forget(rel)
                if before.kept:
                    affected.add(rel)
                    if before.referrer:
                        affected.add(before.referrer)
                    affected.update(
                        p for (p,) in db.execute("SELECT path FROM notes WHERE referrer = ? AND kept = 1", (rel,))
                    )
            db.execute(
                "INSERT OR REPLACE INTO notes(path, size, mtime, ctime, ino, hash, kind, stem_key, name, kept,"
                " referrer, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
                (*row[:9], int(before.kept) if before else 0, row[9]),
            )
            if before is None:
                same_stem(stem_key(rel))
            view.known[rel] = record.contact
            db.executemany(
                "INSERT INTO problems VALUES (?, 'note', ?, ?, ?, ?, ?)",
                [(rel, *_problem(p)) for p in record.diagnostics],
            )
        # Links and referrals after every note row is in place: they resolve against the new state.
        for rel, record, *_ in read:
            found = first_mentions(record, view.resolve)
            db.executemany(
                "INSERT INTO links(src, contact, day, line) VALUES (?, ?, ?, ?)",
                [(m.path, c.path, m.date.toordinal(), m.line) for c, m in found],
            )
            affected.update(c.path for c, _ in found)
            before = old.get(rel)
            if record.contact is not None and before is not None and before.kept:
                referrer = view.resolve(record.contact.referred_by) if record.contact.referred_by else None
                db.execute("UPDATE notes SET referrer = ? WHERE path = ?", (referrer.path if referrer else None, rel))
                if referrer is not None:
                    affected.add(referrer.path)
        for path in sorted(affected):
            kept = db.execute("SELECT kept FROM notes WHERE path = ?", (path,)).fetchone()
            contact = view.contact(path) if kept and kept[0] else None
            db.execute("DELETE FROM results WHERE path = ?", (path,))
            db.execute("DELETE FROM problems WHERE owner = ? AND kind = 'ref'", (path,))
            touched.add((path, "ref"))
            if contact is None:
                continue
            db.execute("INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?)", _result(contact, view, today, self.reader))
            if contact.referred_by and view.resolve(contact.referred_by) is None:
                db.execute(
                    "INSERT INTO problems VALUES (?, 'ref', ?, ?, ?, ?, ?)",
                    (path, *_problem(referral_problem(contact))),
                )
        if self.mirror is not None:
            for rel, _, _, _, _ in read:
                touched.add((rel, "note"))
            self.mirror.refresh(db, affected, touched)

    # --- reading back -------------------------------------------------------------------

    def _view(self, today: date, run_problems: list[Diagnostic], vanished: int) -> AgendaView:
        db = self.store.db
        settings = self.reader.settings
        if self.mirror is None:
            self.mirror = _Mirror.load(db)
        last = today.toordinal() + settings.horizon_days
        rows = self.mirror.results.values()
        items = sorted((r[1], r[2], r[0], r[3], r[4]) for r in rows if r[3] is not None and r[1] <= last)
        quiet = sorted((r[2], r[0], r[5], r[6]) for r in rows if r[5] is not None)
        day = today.toordinal()
        counts = db.execute(
            "SELECT count(*), coalesce(sum(kind = ?), 0), coalesce(sum(kept), 0) FROM notes", (KIND_SKIPPED,)
        ).fetchone()
        return AgendaView(
            today=today,
            horizon=settings.horizon_days,
            overdue=tuple(r[3] for r in items if r[0] < day),
            due_today=tuple(r[3] for r in items if r[0] == day),
            upcoming=tuple(r[3] for r in items if r[0] > day),
            gone_quiet=tuple(r[2] for r in quiet),
            items_json=tuple(r[4] for r in items),
            quiet_json=tuple(r[3] for r in quiet),
            problems=sorted_problems([*run_problems, *self.mirror.all_problems()]),
            contacts=counts[2],
            notes_read=counts[0] + vanished,
            notes_skipped=counts[1] + vanished,
        )

    def _load_index(self, milestones: list[Milestone], run_problems: list[Diagnostic]) -> VaultIndex:
        records = [unpack(summary) for (summary,) in self.store.db.execute("SELECT summary FROM notes")]
        return build_index(records, milestones, run_problems)


_RESULTS = "SELECT path, due, name_key, line, item, quiet_line, quiet_item FROM results"
_SHOWN = " WHERE line IS NOT NULL OR quiet_line IS NOT NULL"  # the rest cannot appear in the agenda
_PROBLEMS = "SELECT owner, kind, path, line, col, severity, message FROM problems"


@dataclass
class _Mirror:
    """The stored results (JSON parsed) and problems, kept in memory between updates."""

    results: dict[str, tuple[Any, ...]]
    problems: dict[tuple[str, str], list[Diagnostic]]

    @staticmethod
    def _row(r: tuple[Any, ...]) -> tuple[Any, ...]:
        return (r[0], r[1], r[2], r[3], json.loads(r[4]) if r[4] else None, r[5], json.loads(r[6]) if r[6] else None)

    @classmethod
    def load(cls, db: sqlite3.Connection) -> _Mirror:
        mirror = cls({r[0]: cls._row(r) for r in db.execute(_RESULTS + _SHOWN)}, {})
        for owner, kind, *rest in db.execute(_PROBLEMS):
            mirror.problems.setdefault((owner, kind), []).append(Diagnostic(*rest))
        return mirror

    def refresh(self, db: sqlite3.Connection, paths: set[str], owners: set[tuple[str, str]]) -> None:
        """Read again what an update rewrote: these contacts' results, these owners' problems."""
        for path in paths:
            self.results.pop(path, None)
            for r in db.execute(_RESULTS + " WHERE path = ?", (path,)):
                self.results[path] = self._row(r)
        for owner, kind in owners:
            found = [Diagnostic(*r[2:]) for r in db.execute(_PROBLEMS + " WHERE owner = ? AND kind = ?", (owner, kind))]
            if found:
                self.problems[(owner, kind)] = found
            else:
                self.problems.pop((owner, kind), None)

    def all_problems(self) -> list[Diagnostic]:
        return [p for found in self.problems.values() for p in found]


def _walk_digest(paths: dict[str, str], stamps: dict[str, Stamp]) -> str:
    """A digest of every note's path and stamp: equal digests, nothing on disk changed."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\0".join(paths).encode("utf-8", "surrogateescape"))
    flat: list[int] = []
    for rel in paths:
        flat.extend(stamps.get(rel, NO_STAMP))
    digest.update(array("q", flat).tobytes())
    return digest.hexdigest()


def _result(contact: Contact, index: VaultIndex, today: date, reader: VaultReader) -> Row:
    """One contact's line in the agenda and in the gone-quiet list, as rendered (the line
    only when it is due within the horizon: the day and the horizon are in the rules key)."""
    settings = reader.settings
    item = next_action(contact, index, today, settings)
    quiet = gone_quiet(contact, today, settings)
    shown = item is not None and item.due.toordinal() <= today.toordinal() + settings.horizon_days
    return (
        contact.path,
        item.due.toordinal() if item is not None else None,
        fold(contact.name),
        task_line(item, index) if item is not None and shown else None,
        json.dumps(item_json(item, today), ensure_ascii=False) if item is not None and shown else None,
        quiet_line(quiet, index) if quiet is not None else None,
        json.dumps(quiet_json(quiet), ensure_ascii=False) if quiet is not None else None,
    )


def _problem(p: Diagnostic) -> tuple[str, int | None, int | None, str, str]:
    return (p.path, p.line, p.column, p.severity, p.message)


def _same(path: str, digest: bytes) -> bool:
    try:
        return content_hash(read_all_bytes(path)) == digest
    except OSError:
        return False
