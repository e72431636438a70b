"""Contacts from exports: import linkedin|vcard|google."""

from __future__ import annotations

from pathlib import Path

import click

from mdfollow.cli.app import (
    App,
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
    --dry-run says what would happen and writes nothing.
    """


def _run_import(app: App, kind: str, path: Path, dry_run: bool, commit: bool | None) -> None:
    from mdfollow.errors import RecordProblem
    from mdfollow.importing import PARSERS, decode_export, plan_import
    from mdfollow.record import create_contact

    raw = path.read_bytes()
    text, encoding = decode_export(raw)
    if encoding:
        app.say(f"{path}: not UTF-8; read as {encoding}")
    people, problems = PARSERS[kind](text, str(path))
    app.report(problems)
    index = app.index()
    decisions = plan_import(people, index.contacts)
    created: list[Path] = []
    counts = {"create": 0, "skip": 0, "ambiguous": 0}
    for decision in decisions:
        person = decision.person
        where = f"{path.name}:{person.line}"
        if decision.action == "skip":
            counts["skip"] += 1
            match = f": {decision.matches[0]}" if decision.matches else ""
            click.echo(f"skipped  {person.name} ({where}): {decision.reason}{match}")
            continue
        if decision.action == "ambiguous":
            counts["ambiguous"] += 1
            click.echo(
                f"ambiguous {person.name} ({where}): {decision.reason}: {', '.join(decision.matches)}; not imported"
            )
            continue
        if dry_run:
            counts["create"] += 1
            click.echo(f"would create {person.name} ({where})")
            continue
        try:
            note = create_contact(
                app.vault,
                app.settings,
                index,
                person.name,
                app.today,
                company=person.company,
                extra=person.extra(),
                lenient=True,
                about=person.note,
            )
        except RecordProblem as exc:
            counts["skip"] += 1
            click.echo(f"skipped  {person.name} ({where}): {exc}")
            continue
        counts["create"] += 1
        created.append(note)
        click.echo(f"created  {note.relative_to(app.vault).as_posix()} ({where})")
    verb = "would create" if dry_run else "created"
    app.say(f"{counts['create']} {verb}, {counts['skip']} skipped, {counts['ambiguous']} ambiguous")
    if not dry_run:
        commit_files(app, commit, created, f"import {kind}: {plural(len(created), 'contact')} from {path.name}")


def _import_command(kind: str, what: str) -> None:
    @import_.command(name=kind, help=what)
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Say what would be created or skipped; write nothing.")
    @commit_option
    @pass_app
    def command(app: App, file: Path, dry_run: bool, commit: bool | None) -> None:
        _run_import(app, kind, file, dry_run, commit)


_import_command("linkedin", "LinkedIn's Connections.csv (Settings > Data privacy > Get a copy of your data).")
_import_command("vcard", "A .vcf file of one or more vCards (2.1, 3.0 or 4.0), e.g. from your phone or Apple Contacts.")
_import_command("google", "A Google Contacts CSV export (the current or the legacy layout).")
