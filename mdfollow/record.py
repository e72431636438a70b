"""Recording into notes: log an event, create a contact. Every write goes through store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from mdfollow.contact import Contact, build_contact, fold, given_name
from mdfollow.edits import Value, append_log, rename_keys, set_keys
from mdfollow.errors import AlreadyExists, BadValue, EditError, RecordProblem, TemplateProblem, WriteConflict
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
    before: bytes | None = None  # the note's bytes the edit was applied to (for --commit's check)


ATTEMPTS = 5  # reads of a note that an editor keeps saving while mdfollow writes it


def _edit_note(
    vault: Path,
    note_path: str,
    settings: Settings,
    edit: Callable[[bytes, Contact, str], tuple[bytes, dict[str, object], str] | None],
) -> Recorded:
    """Read the contact note, apply `edit` (new bytes, changes, log line; None: already done), write.

    mdfollow's writers of one vault queue on its write lock, so none of them can
    drop another's edit. An editor's save that lands while this writes is caught
    at the rename and the edit applied again on top of it; a note that does not
    parse or has errors is never written.
    """
    from mdfollow.store import vault_lock

    path = vault / note_path

    def apply(raw: bytes) -> tuple[bytes, Recorded]:
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
        try:
            done = edit(raw, contact, note.text)
        except EditError as exc:
            raise RecordProblem(f"{note_path}: {exc}") from None
        if done is None:
            return raw, Recorded(path, {}, "", already=True)
        new, changes, line = done
        return new, Recorded(path, changes if new != raw else {}, line, before=raw)

    with vault_lock(vault):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                raw = read_bytes(path)
            except OSError as exc:
                raise RecordProblem(f"cannot read {note_path}: {exc.strerror or exc}") from None
            if raw is None:
                raise RecordProblem(f"{note_path} no longer exists")
            new, recorded = apply(raw)
            if new == raw:
                return recorded
            done: list[Recorded] = [recorded]

            def redo(theirs: bytes, done: list[Recorded] = done) -> bytes:
                again, done[0] = apply(theirs)
                return again

            try:
                write_file(path, new, expected=raw, redo=redo, within=vault)
            except WriteConflict:
                if attempt == ATTEMPTS:
                    raise RecordProblem(f"{note_path} keeps changing while mdfollow writes it; try again") from None
                continue
            except OSError as exc:
                raise RecordProblem(f"cannot write {note_path}: {exc.strerror or exc}") from None
            return done[0]
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
        new = append_log(set_keys(raw, changes, settings.keys), line, settings.log_heading)
        return new, settings.keys.write(changes), line

    return _edit_note(vault, note_path, settings, edit)


def set_fields(vault: Path, note_path: str, changes: dict[str, Value], settings: Settings) -> Recorded:
    """Set (None: remove) front-matter keys of a contact note, every other byte kept; no log line."""

    def edit(raw: bytes, contact: Contact, text: str) -> tuple[bytes, dict[str, object], str]:
        return set_keys(raw, changes, settings.keys), settings.keys.write(changes), ""

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
    from mdfollow.index import ambiguous, lookup

    found, _ = lookup(index, to)
    if len(found) > 1:
        raise RecordProblem(f"--to {ambiguous(to, found)}")
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
        if any(current.path == referrer.path for current in index.referrers_of(person)):
            return Referral(target, None, f"{person.name} ({person.path}) is already referred by {referrer.name}")
        named = ", ".join(f"[[{link}]]" for link in person.referred_by)
        return Referral(target, None, f"{person.name} ({person.path}) is already referred by {named}; left as it is")
    recorded = set_fields(vault, person.path, {"referred_by": link}, settings)
    return Referral(target, recorded.path, f"{person.path}: set referred_by: {link} (an existing contact)")


def assign(
    vault: Path, settings: Settings, index: VaultIndex, contact: Contact, assignments: list[tuple[str, str]]
) -> Recorded:
    """`set KEY=VALUE...`: every value checked first (BadValue, nothing written), then one write.

    `referred_by=NAME` names a contact and is written as its link. KEY may be
    mdfollow's name or the user's (`[keys]`); the note gets the user's.
    """
    from mdfollow.contact import typed_value
    from mdfollow.index import lookup

    changes: dict[str, Value] = {}
    for given, text in assignments:
        key = settings.keys.canonical(given) or given
        value = typed_value(key, text)
        if key == "referred_by" and isinstance(value, str) and not value.startswith("[["):
            found, suggestions = lookup(index, value)
            if len(found) != 1:
                hint = f"; did you mean {', '.join(map(repr, suggestions))}?" if suggestions else ""
                raise BadValue(f"referred_by: {value!r} is not one contact{hint}")
            value = f"[[{index.link_target(found[0])}]]"
        if key in changes:
            raise BadValue(f"{key} is given twice")
        changes[key] = value

    def edit(raw: bytes, current: Contact, text: str) -> tuple[bytes, dict[str, object], str]:
        new = set_keys(raw, changes, settings.keys)
        after = parse_note(contact.path, new)
        _, problems = build_contact(after, keys=settings.keys)
        shown = [settings.keys.user(k) for k in changes]
        bad = [p for p in problems if p.severity == "error" and any(p.message.startswith(f"{k}:") for k in shown)]
        if bad:
            raise BadValue(bad[0].message)
        return new, settings.keys.write(changes), ""

    return _edit_note(vault, contact.path, settings, edit)


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
    from mdfollow.template_files import load_template, time_limited
    from mdfollow.templating import Fields, Unset, render

    if source is None:
        source = load_template(vault, settings, "contact.md")
    link = f"[[{index.link_target(referrer)}]]" if referrer else ""
    # What the note must hold, whatever the template writes: imported data is never dropped.
    wanted: dict[str, object] = {"company": company, "met": met, "referred_by": link, "advice": advice}
    wanted.update(cadence=cadence, **dict(extra or []))
    wanted = {key: value for key, value in wanted.items() if value not in (None, "", [], ())}
    base = dict(
        name=clean,
        first_name=given_name(clean),
        stem=file_name[:-3],
        company=company,
        met=met,
        referred_by=link,
        advice=advice,
        cadence=cadence,
        about=about,
    )
    fields = {key: Unset(key) for key in TEMPLATE_KEYS} | {
        k: v for k, v in wanted.items() if k.isidentifier() and k not in base
    }
    context = {"today": today, "me": Fields(**vars(settings.me))}
    try:
        with time_limited():
            # Which keys the template writes by itself: the rest come through `extra`, each once.
            probe = render(source, {**context, "contact": Fields(**fields, **base, extra=[])})
            own = set(parse_note("probe.md", probe.encode("utf-8")).front)
            rest = [(key, value) for key, value in (extra or []) if key not in own]
            text = render(source, {**context, "contact": Fields(**fields, **base, extra=rest)})
    except TemplateProblem as exc:
        raise RecordProblem(str(exc)) from None
    text = _complete(text, wanted)
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
        write_file(path, data, expected=None, within=vault, durable=durable)
    except AlreadyExists:
        raise RecordProblem(f"{rel} already exists; mdfollow never overwrites a note") from None
    except OSError as exc:
        raise RecordProblem(f"cannot write {rel}: {exc.strerror or exc}") from None
    return path


# Keys a contact.md template may show though the new contact lacks them (they render as [key]).
TEMPLATE_KEYS = ("email", "emails", "role", "phone", "linkedin", "website", "birthday", "tags", "warmth")


def _complete(text: str, wanted: dict[str, object]) -> str:
    """The rendered note with every wanted key holding its value (lists merged), edited in place."""
    note = parse_note("new.md", text.encode("utf-8"))
    if not note.readable or not note.has_front_matter:
        return text  # the caller reports an unreadable template
    changes: dict[str, Value] = {}
    for key, value in wanted.items():
        have = note.front.get(key)
        if isinstance(value, list | tuple):
            items = [str(v) for v in value]
            old = [str(v) for v in have] if isinstance(have, list) else ([str(have)] if have not in (None, "") else [])
            merged = old + [v for v in items if v not in old]
            if merged != old or not isinstance(have, list):
                changes[key] = merged
        elif isinstance(value, date):
            if str(have) != value.isoformat():
                changes[key] = value
        elif isinstance(value, bool):
            if have is not value:
                changes[key] = value
        elif have != value and str(have) != str(value):
            changes[key] = str(value)
    if not changes:
        return text
    try:
        return set_keys(text.encode("utf-8"), changes).decode("utf-8")
    except EditError as exc:
        raise RecordProblem(f"the template's note cannot take the imported keys: {exc}") from None


def record_milestone(vault: Path, settings: Settings, line: str) -> tuple[Path, bytes | None]:
    """Append one milestone line to the milestones file (created with a short header when missing).

    Returns the path and the file's bytes before (None: it was created). Under the vault's
    write lock; an editor's save caught inside the write gets the line appended on top of it.
    """
    from mdfollow.store import vault_lock

    path = vault / settings.milestones_file

    def append(old: bytes) -> bytes:
        newline = b"\r\n" if b"\r\n" in old else b"\n"
        sep = b"" if not old or old.endswith((b"\n", b"\r")) else newline
        return old + sep + line.encode() + newline

    with vault_lock(vault):
        try:
            old = read_bytes(path)
        except OSError as exc:
            raise RecordProblem(f"cannot read {settings.milestones_file}: {exc.strerror or exc}") from None
        if old is None:
            new = (
                "# Milestones\n\nNews to share with the people who helped. One per line: "
                "`- YYYY-MM-DD what happened (company: Name)`.\n\n" + line + "\n"
            ).encode()
        else:
            new = append(old)
        try:
            write_file(path, new, expected=old, redo=append, within=vault)
        except (WriteConflict, AlreadyExists):
            raise RecordProblem(f"{settings.milestones_file} changed while mdfollow was working; run again") from None
        except OSError as exc:
            raise RecordProblem(f"cannot write {settings.milestones_file}: {exc.strerror or exc}") from None
    return path, old


@dataclass(frozen=True)
class Harvest:
    """What a harvest logged (or, in a dry run, would log) into one note."""

    path: Path
    lines: tuple[str, ...]
    kinds: tuple[str, ...]  # each line's event kind
    changes: dict[str, object]
    already: int  # touches found logged before


def record_harvest(
    vault: Path,
    note_path: str,
    settings: Settings,
    plan: Callable[[Contact, str], tuple[list[Event], dict[str, Value], int]],
    *,
    dry_run: bool = False,
) -> Harvest:
    """Log several events into one note in one atomic write.

    `plan` gets the contact and the note's text and returns the events still to
    log, the keys they change and how many touches it found logged already; it
    is asked again if the note changes on disk meanwhile, so nothing is logged
    twice and no edit of the user's is lost. A dry run reads and plans only.
    """
    planned: list[Harvest] = []

    def edit(raw: bytes, contact: Contact, text: str) -> tuple[bytes, dict[str, object], str] | None:
        events, changes, already = plan(contact, text)
        lines = tuple(log_line(event) for event in events)
        new = set_keys(raw, changes, settings.keys)
        for line in lines:
            new = append_log(new, line, settings.log_heading)
        planned[:] = [
            Harvest(vault / note_path, lines, tuple(e.kind for e in events), settings.keys.write(changes), already)
        ]
        if dry_run or not events:
            return None  # nothing written
        return new, dict(changes), "\n".join(lines)

    _edit_note(vault, note_path, settings, edit)
    return planned[-1]
