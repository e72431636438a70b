"""Contacts from exports: import linkedin|vcard|google."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from mdfollow.cli.app import (
    App,
    Failure,
    cli,
    commit_files,
    commit_option,
    pass_app,
    plural,
)


@cli.group(name="import")
def import_() -> None:
    """Create contact notes from LinkedIn, vCard or Google Contacts exports.

    A person already in the vault (same e-mail, same LinkedIn profile, or the
    same name with accents, case, order and titles ignored) is skipped; one
    who matches several contacts is reported and left alone. New notes go to
    the contacts folder through the same template and safe writes as `new`.
    --update fills in the keys such a contact lacks (never one it has: the
    body and every other byte stay as they are) and says what it added.
    --dry-run says what would happen and writes nothing.

    The file is read as a stream: a large export costs time in proportion to
    its rows, and a progress bar shows on a terminal.

    \b
    Examples:
      mdfollow import linkedin Connections.csv --dry-run
      mdfollow import google contacts.csv --update --commit
    """


_LONE_CR = re.compile(rb"(?<=\r)(?!\n)")


class _Lines:
    """The export's lines, decoded one at a time, counting bytes for the progress bar."""

    def __init__(self, handle: IO[bytes], app: App, shown: str):
        self.handle = handle
        self.app = app
        self.shown = shown
        self.done = 0
        self.cp1252 = False
        self.first = True

    def __iter__(self) -> Iterator[str]:
        for line in self.handle:
            self.done += len(line)
            if self.first:
                self.first = False
                line = line.removeprefix(b"\xef\xbb\xbf")
            # A lone CR (classic Mac OS) ends a line too, as it does for the whole-text parsers.
            parts = _LONE_CR.split(line) if b"\r" in line[:-2] else (line,)
            for raw in parts:
                if raw:
                    yield self._decode(raw)

    def _decode(self, raw: bytes) -> str:
        if not self.cp1252:
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                self.cp1252 = True
                self.app.say(f"{self.shown}: not UTF-8; read as Windows-1252")
        return raw.decode("cp1252", "replace")


class _Counted:
    """Lines already decoded (a UTF-16 export), counted for the progress bar like `_Lines`."""

    def __init__(self, lines: list[str], size: int):
        self.lines = lines
        self.size = size
        self.done = 0

    def __iter__(self) -> Iterator[str]:
        step = self.size // max(len(self.lines), 1)
        for line in self.lines:
            self.done += step
            yield line


def _wide(head: bytes) -> bool:
    """Whether an export starts like UTF-16 or UTF-32 (a byte-order mark, or NULs between the letters)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        return True
    return len(head) >= 4 and head.count(0) * 3 >= len(head)


def _progress(app: App, size: int) -> Any:
    """A progress bar on stderr when it is a terminal; nothing in pipes or with -q."""
    if app.quiet or not sys.stderr.isatty() or size < 1:
        return None
    return click.progressbar(length=size, file=sys.stderr, label="importing", show_eta=True)


def _run_import(app: App, kind: str, path: Path, dry_run: bool, update: bool, commit: bool | None) -> None:
    from mdfollow.errors import RecordProblem
    from mdfollow.importing import STREAMS, decode_export
    from mdfollow.matching import Planner, additions
    from mdfollow.record import create_contact
    from mdfollow.store import read_stream, sync, vault_lock
    from mdfollow.template_files import load_template

    settings = app.settings
    vault = app.vault
    index = app.index()
    planner = Planner(index.contacts)
    source = load_template(vault, settings, "contact.md")
    written: list[Path] = []
    counts = {"create": 0, "skip": 0, "ambiguous": 0, "update": 0}
    problems: list[Any] = []
    size = path.stat().st_size
    bar = _progress(app, size)
    try:
        with vault_lock(vault), read_stream(path) as handle:
            head = handle.read(4096)
            handle.seek(0)
            lines: Any = _Lines(handle, app, str(path))
            if _wide(head):  # UTF-16 or UTF-32 (Outlook, Excel "Unicode"): read whole, as rare as it is
                text, encoding = decode_export(handle.read())
                app.say(f"{path}: not UTF-8; read as {encoding}")
                lines = _Counted(text.splitlines(keepends=True), size)
            shown_done = 0
            for person in STREAMS[kind](lines, str(path), problems):
                if problems:
                    _report(app, bar, problems)
                if bar is not None and lines.done - shown_done > size // 200:
                    bar.update(lines.done - shown_done)
                    shown_done = lines.done
                decision = planner.decide(person)
                where = f"{path.name}:{person.line}"
                if decision.action == "ambiguous":
                    counts["ambiguous"] += 1
                    _say(
                        bar,
                        f"ambiguous {person.name} ({where}): {decision.reason}: {', '.join(decision.matches)}; not imported",
                    )
                    continue
                if decision.action == "skip":
                    counts["skip"] += 1
                    match = f": {decision.matches[0]}" if decision.matches else ""
                    if update and decision.matches:
                        added = _update(app, decision.matches[0], person, dry_run, additions)
                        if added:
                            counts["update"] += 1
                            if not dry_run:
                                written.append(vault / decision.matches[0])
                            verb = "would add" if dry_run else "added"
                            _say(bar, f"{verb} to {decision.matches[0]} ({where}): {added}")
                            continue
                    _say(bar, f"skipped  {person.name} ({where}): {decision.reason}{match}")
                    continue
                if dry_run:
                    counts["create"] += 1
                    _say(bar, f"would create {person.name} ({where})")
                    continue
                try:
                    note = create_contact(
                        vault,
                        settings,
                        index,
                        person.name,
                        app.today,
                        company=person.company,
                        extra=person.extra(),
                        lenient=True,
                        about=person.note,
                        source=source,
                        check_existing=False,
                        durable=False,
                    )
                except RecordProblem as exc:
                    counts["skip"] += 1
                    _say(bar, f"skipped  {person.name} ({where}): {exc}")
                    continue
                rel = note.relative_to(vault).as_posix()
                planner.add(rel, person.emails, person.linkedin, ())
                counts["create"] += 1
                written.append(note)
                _say(bar, f"created  {rel} ({where})")
            if problems:
                _report(app, bar, problems)
    finally:
        if bar is not None:
            bar.update(max(0, bar.length - bar.pos))  # the last rows' bytes: end at 100%
            bar.render_finish()
        if written:
            sync()  # every note of the batch on disk before anything is reported done or committed
    verb = "would create" if dry_run else "created"
    summary = f"{counts['create']} {verb}, {counts['skip']} skipped, {counts['ambiguous']} ambiguous"
    if update:
        summary += f", {counts['update']} {'would be ' if dry_run else ''}updated"
    app.say(summary)
    if not dry_run:
        made = counts["create"]
        message = f"import {kind}: {plural(made, 'contact')} from {path.name}"
        if update:
            message += f", {counts['update']} updated"
        commit_files(app, commit, written, message)


def _say(bar: Any, line: str) -> None:
    click.echo(line)


def _report(app: App, bar: Any, problems: list[Any]) -> None:
    app.report(problems)
    problems.clear()


def _update(app: App, rel: str, person: Any, dry_run: bool, additions: Any) -> str:
    """Fill the keys the contact lacks; return what was added ("" for nothing)."""
    from mdfollow.contact import build_contact
    from mdfollow.edits import format_value, set_keys
    from mdfollow.errors import EditError
    from mdfollow.note import parse_note
    from mdfollow.store import WriteConflict, read_bytes, write_file

    settings = app.settings
    keys = settings.keys
    path = app.vault / rel
    raw = read_bytes(path)
    if raw is None:
        return ""
    note = parse_note(rel, raw)
    if not note.readable or not note.has_front_matter:
        if not note.readable:
            return ""
        click.echo(f"not updated {rel}: it has no front matter to add keys to")
        return ""
    _, problems = build_contact(note, keys=keys)
    if any(p.severity == "error" for p in (*note.diagnostics, *problems)):
        click.echo(f"not updated {rel}: it has errors (mdfollow check); fix them first")
        return ""
    adds = additions(keys.read(note.front), person)
    if not adds:
        return ""
    shown = ", ".join(f"{keys.user(k)}: {format_value(v)}" for k, v in adds.items())
    if dry_run:
        return shown
    try:
        new = set_keys(raw, adds, keys)
        write_file(path, new, expected=raw, within=app.vault, durable=False)
    except EditError as exc:
        click.echo(f"not updated {rel}: {exc}")
        return ""
    except WriteConflict:
        raise Failure(f"{rel} changed while mdfollow was importing; run again") from None
    return shown


def _import_command(kind: str, what: str) -> None:
    @import_.command(name=kind, help=what)
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Say what would be created, added or skipped; write nothing.")
    @click.option(
        "--update", is_flag=True, help="Fill in the keys a contact already in the vault lacks (never change one)."
    )
    @commit_option
    @pass_app
    def command(app: App, file: Path, dry_run: bool, update: bool, commit: bool | None) -> None:
        _run_import(app, kind, file, dry_run, update, commit)


_import_command("linkedin", "LinkedIn's Connections.csv (Settings > Data privacy > Get a copy of your data).")
_import_command("vcard", "A .vcf file of one or more vCards (2.1, 3.0 or 4.0), e.g. from your phone or Apple Contacts.")
_import_command("google", "A Google Contacts CSV export (the current or the legacy layout).")
