"""Touches without typing: harvest mail and calendar."""

from __future__ import annotations

import re
import sys
from contextlib import nullcontext
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mdfollow.cli.app import App, Failure, cli, commit_files, commit_option, pass_app, plural, print_json

if TYPE_CHECKING:
    from mdfollow.harvesting import HarvestRun

PROGRESS_FROM_BYTES = 64 << 20  # a bar only for harvests long enough to wait for
_TAG = re.compile(r" %%mf-[^%]*%%$")


@cli.group()
def harvest() -> None:
    """Log replies and meetings from your mail and calendar files, without typing them.

    Mail from a contact to you is a reply (`replied`: last_contact set, strikes
    reset); mail you sent to contacts is news (`informed`: last_outreach set, no
    strike). A past calendar event with a contact in it is a meeting (`met`,
    which calls for a thank-you); a recurring one is contact without a
    thank-you (`spoke`, its latest past occurrence). Contacts are matched by
    their `email`/`emails` keys, you by `me.email`/`me.emails` in the settings.
    Mailing lists, strangers and anything after today are ignored; each message
    or event is logged once however often you harvest the same files.

    \b
    Examples:
      mdfollow harvest mail ~/Takeout/Mail/*.mbox --dry-run
      mdfollow harvest mail ~/Maildir ~/Downloads/reply.eml --commit
      mdfollow harvest calendar ~/Downloads/calendar.ics
    """


def _zone(app: App) -> tzinfo:
    name = app.settings.timezone
    if name:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise Failure(
                f"setting 'timezone': {name!r} is not a time zone (use an IANA name such as 'Europe/Paris')"
            ) from None
    from dateutil.tz import tzlocal

    return tzlocal()


@harvest.command()
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Say what would be logged; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print what was logged and skipped as JSON.")
@commit_option
@pass_app
def mail(app: App, paths: tuple[Path, ...], dry_run: bool, as_json: bool, commit: bool | None) -> None:
    """Log replies and news from mbox files, Maildir folders and .eml files.

    PATH is an mbox file (Thunderbird, Apple Mail export, Gmail Takeout), a
    Maildir folder (with cur/ and new/), an .eml file, or a folder holding any
    of them. Dates are taken in the `timezone` setting (default: this
    machine's zone).

    \b
    Examples:
      mdfollow harvest mail ~/Takeout/Mail/All\\ mail\\ Including\\ Spam\\ and\\ Trash.mbox --dry-run
      mdfollow harvest mail ~/.thunderbird/abc.default/Mail/Local\\ Folders/Inbox
      mdfollow harvest mail ~/Maildir --commit
    """
    from mdfollow.harvesting import harvest_mail
    from mdfollow.mailfiles import total_size

    settings = app.settings
    if not (settings.me.email or settings.me.emails):
        app.say(
            "mdfollow: warning: no address of yours is set (me.email in .mdfollow.toml), so mail you sent "
            "cannot be told apart; only replies from contacts are logged"
        )
    zone = _zone(app)
    index = app.index()
    total = total_size(list(paths))
    bar: Any = nullcontext(None)
    if not app.quiet and sys.stderr.isatty() and total >= PROGRESS_FROM_BYTES:
        bar = click.progressbar(length=total, label="reading mail", file=sys.stderr)
    with bar as shown:
        run = harvest_mail(
            app.vault,
            settings,
            index,
            list(paths),
            app.today,
            zone,
            dry_run=dry_run,
            progress=shown.update if shown is not None else None,
        )
    _finish(app, run, dry_run, as_json, commit, "mail")


@harvest.command()
@click.argument("files", metavar="ICS...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Say what would be logged; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print what was logged and skipped as JSON.")
@commit_option
@pass_app
def calendar(app: App, files: tuple[Path, ...], dry_run: bool, as_json: bool, commit: bool | None) -> None:
    """Log meetings from iCalendar (.ics) exports, or folders of them.

    A past event whose organizer or attendees include a contact's address is a
    meeting on its date (in the `timezone` setting); events from today on are
    left for a later harvest. A recurring event logs its latest past occurrence
    as contact without a thank-you. Cancelled events, and those you or the
    contact declined, are skipped.

    \b
    Examples:
      mdfollow harvest calendar ~/Downloads/calendar.ics --dry-run
      mdfollow harvest calendar work.ics personal.ics --commit
    """
    from mdfollow.harvesting import harvest_calendar

    zone = _zone(app)
    index = app.index()
    run = harvest_calendar(app.vault, app.settings, index, list(files), app.today, zone, dry_run=dry_run)
    _finish(app, run, dry_run, as_json, commit, "calendar")


def _finish(app: App, run: HarvestRun, dry_run: bool, as_json: bool, commit: bool | None, source: str) -> None:
    app.report(run.problems)
    vault = app.vault
    if as_json:
        print_json(_as_json(run, vault, dry_run))
    for result in run.logged if not as_json else ():
        note = result.path.relative_to(vault).as_posix()
        for line in result.lines:
            click.echo(f"{'would log ' if dry_run else ''}{note}: {_TAG.sub('', line)}")
    if app.verbose:
        for touch in run.touches:
            click.echo(f"{touch.where}: {touch.kind} {touch.contact} on {touch.day.isoformat()}", err=True)
        for skip in run.skips:
            click.echo(f"{skip.where}: skipped: {skip.reason}", err=True)
    if not run.anything_read:
        raise Failure(f"nothing could be read from the {plural(run.unreadable, 'file')} given (see above)")
    app.say(_summary(run, dry_run))
    if not dry_run:
        written = [h.path for h in run.logged]
        counts = _counts(run)
        touched = plural(len(run.logged), "contact")
        commit_files(app, commit, written, f"harvest {source}: {counts} from {touched}")
    if run.failed_notes:
        raise Failure(f"{plural(run.failed_notes, 'note')} could not be written (see above)")


def _as_json(run: HarvestRun, vault: Path, dry_run: bool) -> dict[str, Any]:
    return {
        "read": run.read,
        "files": run.sources,
        "unreadable": run.unreadable,
        "dry_run": dry_run,
        "logged": [
            {
                "note": h.path.relative_to(vault).as_posix(),
                "lines": [_TAG.sub("", line) for line in h.lines],
                "events": list(h.kinds),
                "changes": {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in h.changes.items()},
            }
            for h in run.logged
        ],
        "already_logged": run.already,
        "skipped": dict(sorted(run.skipped.items())),
    }


_NOUNS = {
    "replied": ("reply", "replies"),
    "informed": ("message you sent", "messages you sent"),
    "met": ("meeting", "meetings"),
    "spoke": ("recurring meeting", "recurring meetings"),
}


def _counts(run: HarvestRun) -> str:
    parts = []
    for kind, (one, many) in _NOUNS.items():
        n = run.count(kind)
        if n:
            parts.append(f"{n:,} {one if n == 1 else many}")
    return ", ".join(parts)


def _summary(run: HarvestRun, dry_run: bool) -> str:
    what = run.what if run.read != 1 else run.what[:-1]
    text = f"read {run.read:,} {what} from {plural(run.sources, 'file')}"
    if run.unreadable:
        text += f" ({run.unreadable:,} could not be read)"
    counts = _counts(run)
    touched = plural(len(run.logged), "contact")
    if counts:
        text += f": {touched} {'would be ' if dry_run else ''}touched ({counts})"
    else:
        text += ": nothing new to log"
    if run.already:
        text += f"; {run.already:,} logged before"
    skipped = sum(run.skipped.values())
    if skipped:
        reasons = ", ".join(f"{n:,} {reason}" for reason, n in sorted(run.skipped.items(), key=lambda r: (-r[1], r[0])))
        text += f"; {skipped:,} skipped: {reasons}"
    if dry_run:
        text += "; dry run, nothing written"
    return text
