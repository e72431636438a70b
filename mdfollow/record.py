"""Recording into notes: log an event, create a contact. Every write goes through store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mdfollow.contact import Contact, build_contact, fold, is_contact
from mdfollow.edits import append_log, set_keys
from mdfollow.errors import AlreadyExists, EditError, RecordProblem, TemplateProblem, WriteConflict
from mdfollow.events import Event, changes_for, log_line
from mdfollow.index import VaultIndex
from mdfollow.naming import file_safe, note_file_name
from mdfollow.note import parse_note
from mdfollow.settings import Settings
from mdfollow.store import read_bytes, write_file


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
        if not is_contact(note.front, settings.contact_types):
            raise RecordProblem(f"{note_path} is no longer a contact note")
        contact, problems = build_contact(note)
        errors = [p for p in (*note.diagnostics, *problems) if p.severity == "error"]
        if errors:
            listed = "; ".join(p.format() for p in errors)
            raise RecordProblem(f"{note_path} has errors, so mdfollow will not write to it: {listed}")
        if event.tag and event.tag in note.text:
            return Recorded(path, {}, "", already=True)
        changes = changes_for(contact, event)
        line = log_line(event)
        try:
            new = append_log(set_keys(raw, changes), line, settings.log_heading)
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
) -> Path:
    """A new contact note from the contact.md template; never overwrites anything.

    `lenient` (imports): characters a file name cannot hold become '-' instead
    of refusing the name; the `name` key keeps the name as it was.
    """
    clean = " ".join(name.split())
    file_name = note_file_name(file_safe(clean) if lenient else clean)  # UnusableName is a RecordProblem
    existing = [c for c in index.contacts if fold(c.name) == fold(clean) or fold(c.stem) == fold(file_name[:-3])]
    if existing:
        raise RecordProblem(f"{clean!r} is already a contact: {existing[0].path}")
    folder = (vault / settings.contacts_folder).resolve()
    root = vault.resolve()
    if folder != root and root not in folder.parents:
        raise RecordProblem(f"contacts_folder {settings.contacts_folder!r} is outside the vault")
    path = folder / file_name
    if path.resolve().parent != folder:
        raise RecordProblem(f"{clean!r} would not be a file inside {settings.contacts_folder}/")
    from mdfollow.template_files import load_template
    from mdfollow.templating import Fields, render

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
    check = parse_note(rel, text.encode("utf-8"))
    if not check.readable or not is_contact(check.front, settings.contact_types):
        raise RecordProblem(f"the template {source.origin} does not produce a contact note mdfollow can read")
    _, problems = build_contact(check)
    errors = [p for p in (*check.diagnostics, *problems) if p.severity == "error"]
    if errors:
        raise RecordProblem(f"the new note would have errors: {errors[0].message}")
    try:
        write_file(path, text.encode("utf-8"), expected=None)
    except AlreadyExists:
        raise RecordProblem(f"{rel} already exists; mdfollow never overwrites a note") from None
    except OSError as exc:
        raise RecordProblem(f"cannot write {rel}: {exc.strerror or exc}") from None
    return path
