"""Starting out: init."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from mdfollow.cli.app import App, Failure, cli, commit_files, commit_option, pass_app, plural, print_json


def _template_folders(vault: Path) -> tuple[str, ...]:
    """Obsidian's and Templater's template folders, from their settings."""
    found: list[str] = []
    for rel, key in (
        (".obsidian/templates.json", "folder"),
        (".obsidian/plugins/templater-obsidian/data.json", "templates_folder"),
    ):
        try:
            data = json.loads((vault / rel).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        folder = data.get(key) if isinstance(data, dict) else None
        if isinstance(folder, str) and folder.strip("/ ") and folder.strip("/ ") not in found:
            found.append(folder.strip("/ "))
    return tuple(found)


def _notes(vault: Path) -> tuple[list[tuple[str, str]], list[Any]]:
    from mdfollow.vault import Exclusions, walk

    return walk(vault, Exclusions(frozenset(), (), ()))


def _read(files: list[tuple[str, str]]) -> Any:
    from mdfollow.store import read_all_bytes

    for rel, path in files:
        try:
            yield rel, read_all_bytes(path)
        except OSError:
            continue


def _scan_chunk(args: tuple[list[tuple[str, str]], tuple[str, ...]]) -> list[Any]:
    from mdfollow.survey import scan

    files, templates = args
    return scan(_read(files), templates)


def _scan(files: list[tuple[str, str]], templates: tuple[str, ...]) -> list[Any]:
    """Every note scanned for people marks, on every core when the vault is large."""
    import os
    import threading

    from mdfollow.vault import PARALLEL_FROM

    workers = min(os.cpu_count() or 1, 8)
    if len(files) < PARALLEL_FROM or workers < 2 or threading.active_count() > 1 or os.name != "posix":
        return _scan_chunk((files, templates))
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from mdfollow.note import yaml_loader

    yaml_loader()
    size = -(-len(files) // (workers * 4))
    chunks = [(files[i : i + size], templates) for i in range(0, len(files), size)]
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return [mark for chunk in pool.map(_scan_chunk, chunks) for mark in chunk]
    except (OSError, RuntimeError):
        return _scan_chunk((files, templates))


@cli.command()
@click.option("--dry-run", is_flag=True, help="Print the settings it would write; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@commit_option
@pass_app
def init(app: App, dry_run: bool, as_json: bool, commit: bool | None) -> None:
    """Set mdfollow up for the vault you already have (or start one).

    In a vault with notes, finds the people notes (folders such as People/,
    Contacts/ or CRM/; tags such as #person or #people/work; a `type`,
    `category` or `fileClass` of person or contact) and what their keys are
    called (last_contacted, bday, e-mail ... judged by their values), writes
    a commented .mdfollow.toml to match, and says what the first agenda
    would hold. No note is touched.

    In an empty folder, starts a vault: .mdfollow.toml, People/ and one
    example contact.

    Never overwrites a settings file.

    \b
    Examples:
      cd ~/Notes && mdfollow init
      mdfollow --vault ~/Notes init --dry-run
    """
    from mdfollow.settings import SETTINGS_FILE, parse_settings
    from mdfollow.survey import EXAMPLE_SETTINGS, settings_text, survey

    vault = app.vault
    target = app.config if app.config is not None else vault / SETTINGS_FILE
    exists = target.exists()
    if exists and not dry_run:
        raise Failure(
            f"{target.name} already exists; init never overwrites it "
            "(`mdfollow init --dry-run` prints the settings it would write)"
        )
    files, _ = _notes(vault)
    templates = _template_folders(vault)
    written: list[Path] = []
    if not files:
        text = EXAMPLE_SETTINGS
        settings, problems = parse_settings(text, target.name)
        assert not problems, problems
        if dry_run:  # with --json, stdout holds only the JSON a script parses
            if as_json:
                print_json({"started": False, "settings": None, "example": None})
            else:
                click.echo(text, nl=False)
            return
        _write(target, text)
        written.append(target)
        example = _example_contact(app, vault, settings)
        written.append(example)
        rel = example.relative_to(vault).as_posix()
        if as_json:
            print_json({"started": True, "settings": target.name, "example": rel})
        else:
            click.echo(f"Started a vault in {vault}: {target.name}, {settings.contacts_folder}/ and {rel}.")
            click.echo('Next: mdfollow agenda --stdout   (then `mdfollow new "Their Name" --met YYYY-MM-DD`)')
        commit_files(app, commit, written, "mdfollow init: start a vault")
        return

    found = survey(files, templates, marks=_scan(files, templates))
    text = settings_text(found)
    settings, problems = parse_settings(text, target.name)
    if problems:  # pragma: no cover - the writer and the reader disagree: a bug, and nothing is written
        raise Failure("the settings init wrote do not read back: " + "; ".join(p.format() for p in problems))
    if dry_run:
        if not as_json:  # with --json, stdout holds only the JSON a script parses
            click.echo(text, nl=False)
    else:
        _write(target, text)
        written.append(target)

    from mdfollow.rules import build_agenda
    from mdfollow.vault import load_index

    index = load_index(vault, settings, use_cache=not app.no_cache)
    agenda = build_agenda(index, app.today, settings)
    overdue, today, upcoming = agenda.overdue(), agenda.due_today(), agenda.upcoming()
    if as_json:
        print_json(
            {
                "notes": found.notes,
                "contacts": len(index.contacts),
                "contact_types": list(settings.contact_types),
                "contact_tags": list(settings.contact_tags),
                "contact_folders": list(settings.contact_folders),
                "keys": settings.keys.toml(),
                "left_alone": found.left_alone,
                "agenda": {"overdue": len(overdue), "today": len(today), "upcoming": len(upcoming)},
                "settings": None if dry_run else target.name,
            }
        )
    else:
        out = click.echo if not dry_run else app.say
        out(f"Found {plural(len(index.contacts), 'contact')} among {plural(found.notes, 'note')}:")
        for folder in settings.contact_folders:
            out(f"  {found.folders[folder]} in {folder}/")
        for tag in settings.contact_tags:
            out(f"  {found.tags[tag]} tagged #{tag}")
        if found.types:
            for value, count in sorted(found.types[found.type_key].items()):
                out(f"  {count} with {found.type_key}: {value}")
        renames = settings.keys.toml()
        if renames:
            out("Your key names, mapped in [keys]:")
            for canonical, user in renames.items():
                out(f"  {user} -> mdfollow's {canonical}")
        for text_line in found.left_alone:
            out(f"  left alone: {text_line}")
        out(
            f"The first agenda would hold {plural(len(agenda.items), 'item')}: "
            f"{len(overdue)} overdue, {len(today)} today, {len(upcoming)} coming up."
        )
        for item in (overdue + today + upcoming)[:5]:
            out(f"  {item.due.isoformat()}  {item.action:<13} {item.contact.name}")
        if index.contacts and not agenda.items:
            out(
                "Nothing is due yet: give the people you want to keep up with a cadence "
                "(`cadence: quarterly` in their note) and mdfollow will tell you when to check in."
            )
        if not index.contacts:
            out('No people notes yet: `mdfollow new "Their Name"` creates one.')
        elif not dry_run:
            out(f"Wrote {target.name} (read it: each setting says what it does).")
        out("Next: mdfollow check, then mdfollow agenda")
    commit_files(app, commit, written, "mdfollow init: settings for this vault")


def _write(target: Path, text: str) -> None:
    from mdfollow.store import AlreadyExists, write_file

    try:
        write_file(target, text.encode("utf-8"), expected=None)
    except AlreadyExists:
        raise Failure(f"{target.name} already exists; init never overwrites it") from None
    except OSError as exc:
        raise Failure(f"cannot write {target.name}: {exc.strerror or exc}") from None


def _example_contact(app: App, vault: Path, settings: Any) -> Path:
    from mdfollow.errors import RecordProblem
    from mdfollow.index import build_index
    from mdfollow.record import create_contact

    try:
        return create_contact(
            vault,
            settings,
            build_index([]),
            "Jane Example",
            app.today,
            met=app.today - timedelta(days=1),
            company="Example & Co",
            advice="Write down the one piece of advice you got, right after each conversation",
            cadence="quarterly",
            about="An example contact: edit it, or delete it once you have added your own people.",
        )
    except RecordProblem as exc:
        raise Failure(str(exc)) from None
