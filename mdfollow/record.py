"""Recording into notes: log an event, create a contact. Every write goes through store."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mdfollow.contact import Contact, build_contact, fold, given_name, is_contact
from mdfollow.edits import EditError, Value, append_log, set_keys
from mdfollow.events import Event, changes_for, log_line
from mdfollow.index import VaultIndex
from mdfollow.naming import NameError_, note_file_name
from mdfollow.note import parse_note
from mdfollow.settings import Settings
from mdfollow.store import AlreadyExists, WriteConflict, read_bytes, write_file


def _file_safe(name: str) -> str:
    return re.sub(r'[/\\:*?"<>|#^\[\]]+', "-", name).strip(" -") or name


class RecordProblem(Exception):
    """Nothing was written; the message says why and what to do."""


@dataclass(frozen=True)
class Recorded:
    path: Path
    changes: dict[str, object]
    line: str
    already: bool = False  # the event (an agenda tick) was recorded before


def _edit_note(
    vault: Path,
    note_path: str,
    settings: Settings,
    edit: Callable[[bytes, Contact, str], tuple[bytes, dict[str, object], str] | None],
) -> Recorded:
    """Read the contact note, apply `edit` (new bytes, changes, log line; None: already done), write.

    A note changed on disk while this ran is re-read and the edit re-applied
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
        try:
            done = edit(raw, contact, note.text)
        except EditError as exc:
            raise RecordProblem(f"{note_path}: {exc}") from None
        if done is None:
            return Recorded(path, {}, "", already=True)
        new, changes, line = done
        if new == raw:
            return Recorded(path, {}, line)
        try:
            write_file(path, new, expected=raw)
        except WriteConflict:
            if attempt == 2:
                raise RecordProblem(f"{note_path} keeps changing while mdfollow writes it; try again") from None
            continue
        except OSError as exc:
            raise RecordProblem(f"cannot write {note_path}: {exc.strerror or exc}") from None
        return Recorded(path, changes, line)
    raise AssertionError("unreachable")


def record_event(
    vault: Path, note_path: str, event: Event, settings: Settings, extra: dict[str, Value] | None = None
) -> Recorded:
    """Apply the event to the contact's front matter and append its log line, atomically.

    `extra`: further keys to set in the same write (`log --next`).
    """

    def edit(raw: bytes, contact: Contact, text: str) -> tuple[bytes, dict[str, object], str] | None:
        if event.tag and event.tag in text:
            return None
        changes = changes_for(contact, event)
        changes.update(extra or {})
        line = log_line(event)
        return append_log(set_keys(raw, changes), line, settings.log_heading), dict(changes), line

    return _edit_note(vault, note_path, settings, edit)


def set_fields(vault: Path, note_path: str, changes: dict[str, Value], settings: Settings) -> Recorded:
    """Set (None: remove) front-matter keys of a contact note, every other byte kept; no log line."""

    def edit(raw: bytes, contact: Contact, text: str) -> tuple[bytes, dict[str, object], str]:
        return set_keys(raw, changes), dict(changes), ""

    return _edit_note(vault, note_path, settings, edit)


@dataclass(frozen=True)
class Referral:
    target: str  # the referred contact's link target, for the referrer's log line
    path: Path | None  # the note written (created, or given its referred_by); None: left alone
    message: str  # one line for the user


def refer(vault: Path, settings: Settings, index: VaultIndex, referrer: Contact, to: str, today: date) -> Referral:
    """`referrer` gave you the name `to`: create that contact, or give an existing one its `referred_by`.

    An existing contact that already has another referrer keeps it: the
    message says so, and nothing is written to it.
    """
    from mdfollow.index import lookup

    found, _ = lookup(index, to)
    if len(found) > 1:
        listed = "; ".join(f"{c.name} ({c.path})" for c in found)
        raise RecordProblem(f"--to {to!r} matches several contacts: {listed}; use the file name")
    link = f"[[{index.link_target(referrer)}]]"
    if not found:
        created = create_contact(vault, settings, index, to, today, referrer=referrer)
        rel = created.relative_to(vault.resolve()).as_posix()
        return Referral(created.stem, created, f"created {rel} (referred by {referrer.name})")
    person = found[0]
    target = index.link_target(person)
    if person.path == referrer.path:
        raise RecordProblem(f"{referrer.name} cannot refer you to themselves")
    if person.referred_by:
        current = index.referrer_of(person)
        if current is not None and current.path == referrer.path:
            return Referral(target, None, f"{person.name} ({person.path}) is already referred by {referrer.name}")
        return Referral(
            target,
            None,
            f"{person.name} ({person.path}) is already referred by [[{person.referred_by}]]; left as it is",
        )
    recorded = set_fields(vault, person.path, {"referred_by": link}, settings)
    return Referral(target, recorded.path, f"{person.path}: set referred_by: {link} (an existing contact)")


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
    try:
        file_name = note_file_name(_file_safe(clean) if lenient else clean)
    except NameError_ as exc:
        raise RecordProblem(str(exc)) from None
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
    from mdfollow.templating import Fields, TemplateProblem, render
    from mdfollow.vault import load_template

    source = load_template(vault, settings, "contact.md")
    view = Fields(
        name=clean,
        first_name=given_name(clean),
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


def record_milestone(vault: Path, settings: Settings, line: str) -> Path:
    """Append one milestone line to the milestones file (created with a short header when missing)."""
    path = vault / settings.milestones_file
    old = read_bytes(path)
    if old is None:
        new = (
            "# Milestones\n\nNews to share with the people who helped. One per line: "
            "`- YYYY-MM-DD what happened (company: Name)`.\n\n" + line + "\n"
        ).encode()
    else:
        newline = b"\r\n" if b"\r\n" in old else b"\n"
        sep = b"" if not old or old.endswith((b"\n", b"\r")) else newline
        new = old + sep + line.encode() + newline
    try:
        write_file(path, new, expected=old)
    except (WriteConflict, AlreadyExists):
        raise RecordProblem(f"{settings.milestones_file} changed while mdfollow was working; run again") from None
    except OSError as exc:
        raise RecordProblem(f"cannot write {settings.milestones_file}: {exc.strerror or exc}") from None
    return path
