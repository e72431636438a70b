"""The vault index as the index store holds it: read on demand, never whole unless asked.

`StoredIndex` answers what the rules ask of a `VaultIndex` (where a link goes,
a contact's mentions, referrals and referrers, the milestones, the problems)
with a few indexed queries on the store, so recomputing one contact's result
costs a handful of reads, not the vault. Anything else (`contacts`, `mentions`,
...) builds the whole index from the stored summaries the first time it is
asked, with the same `build_index` a run without the store uses.

Each kept contact's result (its item, whether it has gone quiet and since
when, its next birthday) is stored for one day and one set of settings; the
agenda is put together from the stored results of the contacts that show in
it. The results are computed here, by the same rule functions `build_agenda`
calls, and tests hold the assembled agenda byte-identical to it.
"""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from mdfollow.cache import unpack
from mdfollow.contact import Contact, fold
from mdfollow.diagnostics import Diagnostic
from mdfollow.index import KIND_SKIPPED, Mention, VaultIndex, build_index
from mdfollow.milestones import Milestone
from mdfollow.rules import (
    Agenda,
    BirthdayItem,
    FollowUp,
    GoneQuiet,
    follow_up,
    gone_quiet,
    next_action,
    sort_key,
)
from mdfollow.settings import Settings
from mdfollow.store import read_bytes


class _Stems:
    """`VaultIndex._by_stem` read from the store: folded file name -> note paths, sorted."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.seen: dict[str, list[str]] = {}

    def get(self, key: str, default: Any = ()) -> list[str]:
        found = self.seen.get(key)
        if found is None:
            found = [r[0] for r in self.db.execute("SELECT path FROM notes WHERE stem = ? ORDER BY path", (key,))]
            self.seen[key] = found
        return found or default


class _Paths:
    """`VaultIndex._paths()` read from the store: folded path without `.md` -> note path."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def get(self, key: str, default: Any = None) -> str | None:
        tail = key.rsplit("/", 1)[-1].strip()
        found = default
        for (path,) in self.db.execute("SELECT path FROM notes WHERE tail = ? ORDER BY path", (tail,)):
            if fold(path[:-3]) == key:
                found = path  # the last one, as a dict built over the sorted paths keeps it
        return found


class StoredIndex(VaultIndex):
    """A VaultIndex whose answers come from the store (see the module's docstring)."""

    def __init__(
        self,
        db: sqlite3.Connection,
        milestones: tuple[Milestone, ...],
        run_problems: list[Diagnostic],
        settings: Settings,
        whole: VaultIndex | None = None,
        memo: dict[str, Any] | None = None,
    ):
        # VaultIndex's fields that need the whole vault are properties below: no dataclass __init__.
        self.db = db
        self.milestones = milestones
        self.run_problems = run_problems
        self.settings = settings
        self.memo = memo if memo is not None else {}  # what stays true until the vault's notes change
        self.whole = whole
        self.agenda: Agenda | None = None
        self._stems = _Stems(db)
        self._found: dict[str, Contact | None] = {}
        self._owner: dict[str, str | None] = {}
        self.problems: tuple[Diagnostic, ...] = ()
        self.notes_read = 0
        self.notes_skipped = 0

    # --- what needs the whole vault -------------------------------------------------------

    def load(self) -> VaultIndex:
        if self.whole is None:
            records = [unpack(blob) for (blob,) in self.db.execute("SELECT summary FROM notes")]
            self.whole = build_index(records, self.milestones, self.run_problems)
        return self.whole

    def whole_index(self) -> VaultIndex:
        return self.load()

    def has_contacts(self) -> bool:
        if self.whole is not None:
            return bool(self.whole.contacts)
        query = "SELECT 1 FROM notes WHERE kind = 'contact' AND owner = path LIMIT 1"
        return self.db.execute(query).fetchone() is not None

    contacts = property(lambda self: self.load().contacts)
    mentions = property(lambda self: self.load().mentions)
    ambiguous_stems = property(lambda self: self.load().ambiguous_stems)
    _by_stem = property(lambda self: self.whole._by_stem if self.whole is not None else self._stems)
    _copies = property(lambda self: self.load()._copies)
    _by_path = property(lambda self: self.load()._by_path)
    _contact_at = property(lambda self: self.load()._contact_at)
    _referred = property(lambda self: self.load()._referred)
    _dupes = property(lambda self: self.load()._dupes)

    def _paths(self) -> Any:
        return self.whole._paths() if self.whole is not None else _Paths(self.db)

    # --- what a few queries answer --------------------------------------------------------

    def settle(self) -> None:
        """Read now what a caller may still ask once the store is closed: the problems, the counts."""
        if self.whole is not None:
            self.problems = self.whole.problems
            self.notes_read, self.notes_skipped = self.whole.notes_read, self.whole.notes_skipped
            return
        found = set(self.run_problems)
        found.update(
            Diagnostic(*row) for row in self.db.execute("SELECT path, line, col, severity, message FROM problems")
        )
        self.problems = tuple(sorted(found, key=lambda d: (d.path, d.line or 0, d.column or 0, d.message)))
        self.notes_read = self.db.execute("SELECT count(*) FROM notes").fetchone()[0]
        self.notes_skipped = self.db.execute("SELECT count(*) FROM notes WHERE kind = ?", (KIND_SKIPPED,)).fetchone()[0]

    def owner(self, path: str) -> str | None:
        """The kept contact a link to this note counts for (a copy counts for its original)."""
        if path not in self._owner:
            row = self.db.execute("SELECT owner FROM notes WHERE path = ?", (path,)).fetchone()
            self._owner[path] = row[0] if row else None
        return self._owner[path]

    def contact(self, path: str) -> Contact | None:
        """The contact whose note this is (copies included), from its stored summary."""
        if self.whole is not None:
            return self.whole._contact_at.get(path)
        if path not in self._found:
            row = self.db.execute("SELECT summary FROM notes WHERE path = ?", (path,)).fetchone()
            self._found[path] = unpack(row[0]).contact if row else None
        return self._found[path]

    def resolve(self, target: str, source: str = "") -> Contact | None:
        if self.whole is not None:
            return self.whole.resolve(target, source)
        path = self.resolve_path(target, source)
        owner = self.owner(path) if path is not None else None
        return self.contact(owner) if owner is not None else None

    def mentions_of(self, contact: Contact) -> tuple[Mention, ...]:
        if self.whole is not None:
            return self.whole.mentions_of(contact)
        found: dict[str, Mention] = {}
        for source, line, day in self.db.execute(
            "SELECT r.source, r.line, r.day FROM refs r JOIN notes n ON n.path = r.resolved "
            "WHERE r.kind = 'm' AND n.owner = ? ORDER BY r.source, r.seq",
            (contact.path,),
        ):
            if source not in found:  # a note mentions a contact once: its first link
                found[source] = Mention(date.fromordinal(day), source, line)
        return tuple(sorted(found.values(), key=lambda m: (m.date, m.path)))

    def referrals(self, referrer: Contact) -> list[Contact]:
        if self.whole is not None:
            return self.whole.referrals(referrer)
        found = []
        for (source,) in self.db.execute(
            "SELECT DISTINCT r.source FROM refs r JOIN notes n ON n.path = r.resolved "
            "JOIN notes s ON s.path = r.source WHERE r.kind = 'r' AND n.owner = ? AND s.owner = s.path "
            "ORDER BY r.source",
            (referrer.path,),
        ):
            contact = self.contact(source)
            if contact is not None:
                found.append(contact)
        return found

    def link_target(self, contact: Contact) -> str:
        if self.whole is not None:
            return self.whole.link_target(contact)
        shared = self.memo.get("shared")
        if shared is None:
            query = "SELECT stem FROM notes GROUP BY stem HAVING count(*) > 1"
            shared = self.memo["shared"] = {stem for (stem,) in self.db.execute(query)}
        return contact.path[:-3] if fold(contact.stem) in shared else contact.stem

    def link_for(self, contact: Contact) -> str:
        # Kept until notes are added or removed (the memo's life): watch shows the same people save after save.
        links = self.memo.setdefault("links", {})
        kept = links.get(contact.path)
        if kept is None or kept[0] != contact.name:
            kept = links[contact.path] = (contact.name, super().link_for(contact))
        return str(kept[1])

    def agenda_for(self, today: date, settings: Settings) -> Agenda | None:
        agenda = self.agenda
        if agenda is None or agenda.today != today or settings.fingerprint() != self.settings.fingerprint():
            return None
        return agenda

    def kept_paths(self) -> Iterator[str]:
        for (path,) in self.db.execute("SELECT path FROM notes WHERE kind = 'contact' AND owner = path ORDER BY path"):
            yield path


# --- each contact's result ----------------------------------------------------------------


def result_row(
    contact: Contact, index: StoredIndex, today: date, settings: Settings, vault: Path
) -> tuple[Any, ...] | None:
    """(path, item, quiet, birthday, since) for the results table, as `build_agenda` would find
    them; None when the contact is not in the agenda (no item due within the horizon, not gone
    quiet, no birthday)."""
    last_day = today + timedelta(days=settings.horizon_days)
    item = next_action(contact, index, today, settings)
    silent = gone_quiet(contact, today, settings)
    birthday = None
    if contact.birthday is not None and contact.status != "closed":
        when = contact.birthday.next_on_or_after(today)
        if today <= when <= last_day:
            birthday = when.toordinal()
    shown = (item is not None and item.due <= last_day) or silent is not None or birthday is not None
    if not shown:
        return None
    since = None
    if silent is not None:
        from mdfollow.timeline import first_unanswered

        raw = read_bytes(vault / contact.path)
        text = raw.decode("utf-8", "replace") if raw is not None else ""
        first = first_unanswered(contact, text, settings.log_heading)
        since = first.toordinal() if first is not None else None
    item_blob = None
    if item is not None:
        positions = tuple(index.milestones.index(m) for m in item.milestones)
        item_blob = marshal.dumps(
            (
                item.action,
                item.due.toordinal(),
                item.reason,
                item.light_touch,
                item.also,
                tuple(c.path for c in item.referred),
                positions,
                item.attempt,
                item.undated,
            )
        )
    quiet_blob = None
    if silent is not None:
        quiet_blob = marshal.dumps((silent.strikes, silent.last_outreach.toordinal() if silent.last_outreach else None))
    return (contact.path, item_blob, quiet_blob, birthday, since)


Entry = tuple[FollowUp | None, GoneQuiet | None, BirthdayItem | None, date | None]


def assemble(
    index: StoredIndex, today: date, settings: Settings, kept: dict[str, Entry], fresh: list[str] | None
) -> Agenda:
    """The agenda from the stored results of the contacts that show in it: `build_agenda`'s.

    `kept`: each contact's part of the agenda as a long-lived reader keeps it between runs;
    `fresh`: the contacts whose results were just computed again (None: all of them)."""
    last_day = today + timedelta(days=settings.horizon_days)
    query = "SELECT r.path, r.item, r.quiet, r.bday, r.since, n.summary FROM results r JOIN notes n ON n.path = r.path"
    if fresh is None:
        kept.clear()
        rows = index.db.execute(query).fetchall()
    else:
        rows = []
        for path in fresh:
            kept.pop(path, None)
            rows += index.db.execute(query + " WHERE r.path = ?", (path,)).fetchall()
    for path, item_blob, quiet_blob, birthday, first, summary in rows:
        if index.whole is None and path not in index._found:
            index._found[path] = unpack(summary).contact
        contact = index.contact(path)
        if contact is None:
            continue
        item = silent = bday = None
        if item_blob is not None:
            action, due, reason, light, also, referred, positions, attempt, undated = marshal.loads(item_blob)
            if due <= last_day.toordinal():
                people = tuple(c for c in (index.contact(p) for p in referred) if c is not None)
                item = follow_up(
                    contact,
                    action,
                    date.fromordinal(due),
                    reason,
                    light,
                    tuple(also),
                    people,
                    tuple(index.milestones[i] for i in positions),
                    attempt,
                    undated,
                )
        if quiet_blob is not None:
            strikes, last = marshal.loads(quiet_blob)
            silent = GoneQuiet(contact, strikes, date.fromordinal(last) if last is not None else None)
        if birthday is not None:
            bday = BirthdayItem(contact, date.fromordinal(birthday))
        kept[path] = (item, silent, bday, date.fromordinal(first) if first is not None else None)
    items = [e[0] for e in kept.values() if e[0] is not None]
    quiet = [e[1] for e in kept.values() if e[1] is not None]
    birthdays = [e[2] for e in kept.values() if e[2] is not None]
    since = {path: e[3] for path, e in kept.items() if e[1] is not None and e[3] is not None}
    items.sort(key=sort_key)
    quiet.sort(key=lambda q: (fold(q.contact.name), q.contact.path))
    birthdays.sort(key=lambda b: (b.date, fold(b.contact.name), b.contact.path))
    return Agenda(today, settings.horizon_days, tuple(items), tuple(quiet), index.problems, tuple(birthdays), since)
