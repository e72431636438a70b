"""Running a harvest: read the mail or calendar files, match, log into the contacts' notes.

The edge around the pure `harvest` module: files come from `mailfiles`, every
note is written through `record` (and so `store`), once per note however many
messages touched it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, tzinfo
from pathlib import Path

from mdfollow.contact import Contact
from mdfollow.diagnostics import Diagnostic, error
from mdfollow.edits import Value
from mdfollow.errors import RecordProblem
from mdfollow.events import Event
from mdfollow.harvest import AddressBook, Harvested, Skip, Touch, by_contact, plan_note, read_message
from mdfollow.index import VaultIndex
from mdfollow.mailfiles import Progress, RawMessage, find_mail, messages, read_calendar_file
from mdfollow.meetings import read_calendar
from mdfollow.record import Harvest, record_harvest
from mdfollow.settings import Settings


@dataclass
class HarvestRun:
    """What a harvest read, logged and skipped, for the summary."""

    what: str  # "messages" or "events"
    sources: int = 0  # files (or Maildirs) that could be read
    unreadable: int = 0
    read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    skips: list[Skip] = field(default_factory=list)
    touches: list[Touch] = field(default_factory=list)
    logged: list[Harvest] = field(default_factory=list)
    already: int = 0
    problems: list[Diagnostic] = field(default_factory=list)
    failed_notes: int = 0

    @property
    def anything_read(self) -> bool:
        return self.sources > 0

    def count(self, kind: str) -> int:
        """Log lines of this kind written (or, in a dry run, to be written)."""
        return sum(h.kinds.count(kind) for h in self.logged)


def book_for(index: VaultIndex, settings: Settings) -> AddressBook:
    mine = [settings.me.email, *settings.me.emails]
    return AddressBook(index.contacts, mine)


def harvest_mail(
    vault: Path,
    settings: Settings,
    index: VaultIndex,
    paths: list[Path],
    today: date,
    zone: tzinfo,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> HarvestRun:
    run = HarvestRun("messages")
    book = book_for(index, settings)
    sources, problems = find_mail(paths)
    run.problems.extend(problems)
    run.unreadable += len(problems)
    harvested = Harvested()
    for source in sources:
        read_any = False
        for item in messages(source, progress):
            if isinstance(item, RawMessage):
                read_any = True
                read_message(item.head, item.shown, item.line, item.number, book, today, zone, harvested)
            else:
                harvested.problems.append(item)
        if read_any:
            run.sources += 1
        else:
            run.unreadable += 1
    return _finish(run, harvested, vault, settings, index, dry_run)


def harvest_calendar(
    vault: Path,
    settings: Settings,
    index: VaultIndex,
    paths: list[Path],
    today: date,
    zone: tzinfo,
    *,
    dry_run: bool = False,
) -> HarvestRun:
    run = HarvestRun("events")
    book = book_for(index, settings)
    harvested = Harvested()
    for path in _calendar_files(paths, run):
        shown = str(path)
        try:
            data = read_calendar_file(path)
        except OSError as exc:
            run.problems.append(error(shown, None, f"cannot read: {exc.strerror or exc}"))
            run.unreadable += 1
            continue
        if read_calendar(data, shown, book, today, zone, harvested):
            run.sources += 1
        else:
            run.unreadable += 1
    return _finish(run, harvested, vault, settings, index, dry_run)


def _calendar_files(paths: list[Path], run: HarvestRun) -> list[Path]:
    """The files named, and the .ics files in the folders named (a Takeout's Calendar folder)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.suffix.lower() == ".ics" and p.is_file())
            if not inside:
                run.problems.append(error(str(path), None, "no .ics files in this folder"))
                run.unreadable += 1
            found.extend(inside)
        else:
            found.append(path)
    return found


def _finish(
    run: HarvestRun, harvested: Harvested, vault: Path, settings: Settings, index: VaultIndex, dry_run: bool
) -> HarvestRun:
    run.read = harvested.read
    run.problems.extend(harvested.problems)
    run.skips = harvested.skips
    run.skipped.update(s.reason for s in harvested.skips)
    run.touches = harvested.touches
    contacts = {c.path: c for c in index.contacts}
    for note_path, touches in by_contact(harvested.touches):
        if note_path not in contacts:
            continue

        def plan(
            contact: Contact, text: str, touches: list[Touch] = touches
        ) -> tuple[list[Event], dict[str, Value], int]:
            planned = plan_note(contact, text, touches)
            return list(planned.events), planned.changes, len(planned.already)

        try:
            result = record_harvest(vault, note_path, settings, plan, dry_run=dry_run)
        except RecordProblem as exc:
            run.problems.append(error(note_path, None, f"not logged: {exc}"))
            run.failed_notes += 1
            continue
        run.already += result.already
        if result.lines:
            run.logged.append(result)
    return run
