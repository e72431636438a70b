"""Recording into notes: log an event, create a contact. Every write goes through store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from mdfollow.contact import Contact, build_contact, fold
from mdfollow.edits import append_log, rename_keys, set_keys
from mdfollow.errors import AlreadyExists, EditError, RecordProblem, TemplateProblem, WriteConflict
from mdfollow.events import Event, changes_for, log_line
from mdfollow.index import VaultIndex
from mdfollow.naming import file_safe, note_file_name
from mdfollow.note import parse_note
from mdfollow.settings import Settings
from mdfollow.store import read_bytes, write_file

if TYPE_CHECKING:
    from mdfollow.templating import Source


@dataclass(frozen=True)
class Recorded:
    path: Path
    changes: dict[str, object]
    line: str
    already: bool = False  # the event (an agenda tick) was recorded before


def record_event(vault: Path, note_path: str, event: Event, settings: Settings) -> Recorded:
    """Apply the event to the contact's front matter and append its log line, atomically.

    A note changed on disk while this ran is re-read and the event re-applied
    once; a note that does not parse or has errors is never written.
    """
    path = vault / note_path
    for attempt in (1, 2):
        raw = read_bytes(path)
        if raw is None:
            raise RecordProblem(f"{note_path} no longer exists")
        note = parse_note(note_path, raw)
        if not note.readable:
            raise RecordProblem(f"{note_path} cannot be read ({note.diagnostics[0].message}); fix it first")
        if not settings.people.is_contact(note_path, note.front, note.body):
            raise RecordProblem(f"{note_path} is no longer a contact note")
        contact, problems = build_contact(note, keys=settings.keys)
        errors = [p for p in (*note.diagnostics, *problems) if p.severity == "error"]
        if errors:
            listed = "; ".join(p.format() for p in errors)
            raise RecordProblem(f"{note_path} has errors, so mdfollow will not write to it: {listed}")
        if event.tag and event.tag in note.text:
            return Recorded(path, {}, "", already=True)
        changes = changes_for(contact, event)
        line = log_line(event)
        try:
            new = append_log(set_keys(raw, changes, settings.keys), line, settings.log_heading)
        except EditError as exc:
            raise RecordProblem(f"{note_path}: {exc}") from None
        try:
            write_file(path, new, expected=raw)
        except WriteConflict:
            if attempt == 2:
                raise RecordProblem(f"{note_path} keeps changing while mdfollow writes it; try again") from None
            continue
        except OSError as exc:
            raise RecordProblem(f"cannot write {note_path}: {exc.strerror or exc}") from None
        return Recorded(path, dict(changes), line)
    raise AssertionError("unreachable")


@lru_cache(maxsize=8)
def _folders(vault: Path, contacts_folder: str) -> tuple[Path, Path]:
    """The contacts folder and the vault, resolved once per run (an import creates thousands of notes)."""
    return (vault / contacts_folder).resolve(), vault.resolve()


def create_contact(
    vault: Path,
    settings: Settings,
    index: VaultIndex,
    name: str,
    today: date,
    *,
    met: date | None = None,
    referrer: Contact | None = None,
    company: str = "",
    advice: str = "",
    cadence: str = "",
    extra: list[tuple[str, object]] | None = None,
    lenient: bool = False,
    about: str = "",
    source: Source | None = None,
    check_existing: bool = True,
    durable: bool = True,
) -> Path:
    """A new contact note from the contact.md template; never overwrites anything.

    `lenient` (imports): characters a file name cannot hold become '-' instead
    of refusing the name; the `name` key keeps the name as it was. An import
    passes the template `source` it loaded once, has matched people against
    the vault itself (`check_existing=False`), and syncs the disk once at the
    end (`durable=False`).
    """
    clean = " ".join(name.split())
    file_name = note_file_name(file_safe(clean) if lenient else clean)  # UnusableName is a RecordProblem
    existing = (
        [c for c in index.contacts if fold(c.name) == fold(clean) or fold(c.stem) == fold(file_name[:-3])]
        if check_existing
        else []
    )
    if existing:
        raise RecordProblem(f"{clean!r} is already a contact: {existing[0].path}")
    folder, root = _folders(vault, settings.contacts_folder)
    if folder != root and root not in folder.parents:
        raise RecordProblem(f"contacts_folder {settings.contacts_folder!r} is outside the vault")
    path = folder / file_name
    plain = "/" not in file_name and "\\" not in file_name and not file_name.startswith(".")
    if not (plain and not path.is_symlink()) and path.resolve().parent != folder:
        raise RecordProblem(f"{clean!r} would not be a file inside {settings.contacts_folder}/")
    from mdfollow.template_files import load_template
    from mdfollow.templating import Fields, render

    if source is None:
        source = load_template(vault, settings, "contact.md")
    view = Fields(
        name=clean,
        first_name=clean.split()[0],
        stem=file_name[:-3],
        company=company,
        met=met,
        referred_by=f"[[{index.link_target(referrer)}]]" if referrer else "",
        advice=advice,
        cadence=cadence,
        extra=list(extra or []),
        about=about,
    )
    try:
        text = render(source, {"contact": view, "today": today, "me": Fields(**vars(settings.me))})
    except TemplateProblem as exc:
        raise RecordProblem(str(exc)) from None
    rel = path.relative_to(root).as_posix()
    try:
        data = rename_keys(text.encode("utf-8"), settings.keys)
    except EditError as exc:
        raise RecordProblem(f"the template {source.origin} does not produce a contact note: {exc}") from None
    check = parse_note(rel, data)
    if not check.readable or not settings.people.is_contact(rel, check.front, check.body):
        raise RecordProblem(f"the template {source.origin} does not produce a contact note mdfollow can read")
    _, problems = build_contact(check, keys=settings.keys)
    errors = [p for p in (*check.diagnostics, *problems) if p.severity == "error"]
    if errors:
        raise RecordProblem(f"the new note would have errors: {errors[0].message}")
    try:
        write_file(path, data, expected=None, durable=durable)
    except AlreadyExists:
        raise RecordProblem(f"{rel} already exists; mdfollow never overwrites a note") from None
    except OSError as exc:
        raise RecordProblem(f"cannot write {rel}: {exc.strerror or exc}") from None
    return path
