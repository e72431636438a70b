"""The agenda and what keeps it current: agenda, ics, watch."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from mdfollow import jsontext
from mdfollow.cli.app import (
    App,
    Failure,
    cli,
    commit_files,
    commit_option,
    pass_app,
    plural,
    write_over,
)


@cli.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the agenda here instead of the agenda_file setting (Agenda.md).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the items as JSON; write nothing.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the agenda Markdown; write nothing.")
@click.option("--force", is_flag=True, help="Replace an agenda file that was edited by hand.")
@click.option(
    "--daily/--no-daily",
    default=None,
    help="Write the agenda as a block in today's daily note (the daily_agenda setting).",
)
@commit_option
@pass_app
def agenda(
    app: App, out: Path | None, as_json: bool, to_stdout: bool, force: bool, daily: bool | None, commit: bool | None
) -> None:
    """Record ticked items, then write the agenda: what is overdue, due today and coming up.

    Each contact gets at most one item: the follow-up due first (others it
    also needs are listed as "also"). Items are task lines Obsidian's Tasks
    plugin understands. Tick one when it is done: the next run records it in
    the contact's note (thank → thanked, report-back → reported; reach-out,
    nudge, scheduled → sent, an ask; check-in, update, tell-referrer →
    informed, news that adds no strike) and drops it from the agenda. A tick
    is recorded once; a tick on an item you logged by hand is dropped; one on
    an item that changed otherwise is kept and reported, never lost.

    The file is rewritten only when its content changes, never when no
    contacts are found (a wrong or unmounted vault), and never over a file
    mdfollow did not write or one edited by hand. --json and --stdout only
    print (ticks are recorded by the next plain run).

    \b
    Examples:
      mdfollow agenda
      mdfollow --today 2026-11-23 agenda --stdout
      mdfollow agenda --json | jq '.items[] | .contact'
    """
    from mdfollow.refresh import agenda_target, quiet_since, refresh_agenda
    from mdfollow.render import agenda_json, render_agenda
    from mdfollow.rules import build_agenda
    from mdfollow.vault import relative

    settings = app.settings
    vault = app.vault
    target, daily = agenda_target(vault, settings, out, daily)
    today = app.today
    if as_json or to_stdout:
        from mdfollow.vault import VaultReader

        skip = relative(target, vault)
        reader = VaultReader(
            vault, settings, app._setting_problems, (skip,) if skip else (), not app.no_cache, app.progress(as_json)
        )
        try:
            index = reader.index(today=today)
            result = build_agenda(index, today, settings)
            app.report(index.problems)
            if as_json:
                text = jsontext.dumps(agenda_json(result)) + "\n"
            else:
                text = render_agenda(result, index, since=quiet_since(vault, result, settings))
        finally:
            reader.close()
        click.echo(text, nl=False)
        return
    settings_problems = app._setting_problems
    run = refresh_agenda(
        vault,
        settings,
        today,
        target,
        force=force,
        setting_problems=settings_problems,
        daily=daily,
        use_cache=not app.no_cache,
        progress=app.progress(False),
        now=datetime.now().time().replace(microsecond=0),  # {{time}} in a new daily note
    )
    target = run.target or target
    app.report(run.index.problems)
    app.report(run.problems)
    app.summary(run.index)
    shown = relative(target, vault) or str(target)
    for item, recorded in run.recorded:
        if not recorded.already:
            app.say(f"recorded: {item.action} for {item.contact.name} ({item.contact.path})")
    result = run.agenda
    counts = f"{len(result.overdue())} overdue, {len(result.due_today())} today, {len(result.upcoming())} coming up"
    if result.gone_quiet:
        counts += f"; {len(result.gone_quiet)} gone quiet"
    app.say(f"wrote {shown} ({counts})" if run.written else f"{shown} is up to date ({counts})")
    paths = run.written_paths + ([target] if run.written else [])
    ticks = len(run.written_paths)
    message = f"agenda: {today.isoformat()}" + (f", recorded {plural(ticks, 'ticked item')}" if ticks else "")
    commit_files(app, commit, paths, message, {r.path: r.before for _, r in run.recorded if not r.already})


@cli.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of the calendar_file setting (Agenda.ics).",
)
@click.option(
    "--todo/--event", "todo", default=None, help="To-dos (VTODO) or all-day events (the calendar_todo setting)."
)
@commit_option
@pass_app
def ics(app: App, out: Path | None, todo: bool | None, commit: bool | None) -> None:
    """Write the agenda's follow-ups as an iCalendar file.

    One all-day event per agenda item (overdue ones on today), with what to do
    and for whom, the reason and the note's path, and a reminder at 9:00. Each
    contact and action keeps the same UID, so a calendar that reads the file
    again updates events instead of duplicating them. The file is rewritten
    only when it changes, and never over a file mdfollow did not write.

    \b
    To see it in a calendar app, import the file, or keep it in a synced folder
    and subscribe to that file's URL (see the README).

    \b
    Examples:
      mdfollow ics
      mdfollow ics --todo --out ~/Calendars/follow-ups.ics
    """
    from mdfollow.feed import agenda_calendar, is_ours
    from mdfollow.rules import build_agenda
    from mdfollow.store import read_bytes, vault_lock
    from mdfollow.vault import relative

    settings = app.settings
    vault = app.vault
    target = out if out is not None else vault / settings.calendar_file
    index = app.index()
    app.report(index.problems)
    if not index.contacts:
        raise Failure(f"no contact notes found in {vault}; nothing written")
    result = build_agenda(index, app.today, settings)
    data = agenda_calendar(result, todo=settings.calendar_todo if todo is None else todo, contacts=index.contacts)
    shown = relative(target, vault) or str(target)
    with vault_lock(vault):
        try:
            old = read_bytes(target)
        except OSError as exc:
            raise Failure(f"cannot read {shown}: {exc.strerror or exc}") from None
        if old is not None and not is_ours(old):
            raise Failure(f"{shown} exists and was not written by mdfollow; choose another file with --out")
        if old == data:
            app.say(f"{shown} is up to date ({plural(len(result.items), 'item')})")
            return
        write_over(target, data, old, shown, vault if out is None else None)
    app.say(f"wrote {shown} ({plural(len(result.items), 'item')})")
    commit_files(app, commit, [target], f"ics: {app.today.isoformat()}")


@cli.command()
@click.option("--poll", is_flag=True, help="Poll for changes instead of using OS events (synced or network folders).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The agenda file to keep current (default: the agenda_file setting).",
)
@click.option(
    "--daily/--no-daily",
    default=None,
    help="Keep the block in today's daily note current instead (the daily_agenda setting).",
)
@pass_app
def watch(app: App, poll: bool, out: Path | None, daily: bool | None) -> None:
    """Keep the agenda current while you edit; Ctrl-C stops.

    Saves in any editor style are noticed (in place, temp file and rename,
    vim's backup dance); swap and backup files are ignored. After a short
    quiet moment only the changed notes are read again and the agenda is
    rewritten if it changed; ticked boxes are recorded as they happen. A note
    caught mid-save is read again before anything is said about it. Without
    --today, the agenda moves on at midnight.

    \b
    Examples:
      mdfollow watch
      mdfollow watch --poll     # a synced or network folder
      mdfollow watch --daily    # the block in today's daily note
    """
    import signal

    from mdfollow.refresh import agenda_target
    from mdfollow.vault import load_settings
    from mdfollow.watcher import Watcher

    vault = app.vault
    settings = app.settings
    target, daily = agenda_target(vault, settings, out, daily)
    fixed_today = app.today if (app.today_option or os.environ.get("MDFOLLOW_TODAY")) else None
    watcher = Watcher(
        vault=vault,
        settings=settings,
        today=(lambda: fixed_today) if fixed_today else date.today,
        target=target,
        clock=lambda: datetime.now().time().replace(microsecond=0),
        setting_problems=app._setting_problems,
        load_settings=lambda: load_settings(vault, app.config),
        poll=poll,
        use_cache=not app.no_cache,
        daily=daily,
        report=app.say,
        report_problem=lambda problem: app.report([problem]),
    )

    def stop(signum: int, frame: Any) -> None:
        watcher.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, stop)
    app.say(f"watching {vault} (Ctrl-C stops)")
    watcher.run()
    app.say("stopped")
