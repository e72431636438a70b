"""The command line: the only place that reads the clock, the environment and argv.

click lives here and nowhere else. The core is imported inside commands so
that `mdfollow --help` starts fast.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from mdfollow import __version__

if TYPE_CHECKING:
    from mdfollow.contact import Contact
    from mdfollow.diagnostics import Diagnostic
    from mdfollow.index import VaultIndex
    from mdfollow.settings import Settings


class Failure(click.ClickException):
    """The command failed for a reason the message names (exit 1)."""

    def show(self, file: Any = None) -> None:
        click.echo(f"mdfollow: {self.format_message()}", err=True)


class Usage(click.UsageError):
    """Wrong usage (exit 2), one line, no traceback."""

    def show(self, file: Any = None) -> None:
        click.echo(f"mdfollow: {self.format_message()}", err=True)
        if self.ctx is not None:
            click.echo(f"Try '{self.ctx.command_path} --help' for help.", err=True)


def parse_day(text: str, what: str) -> date:
    from mdfollow.dates import DateError, parse_date

    try:
        return parse_date(text)
    except DateError as exc:
        raise Usage(f"{what}: {exc}") from None


@dataclass
class App:
    """What every command shares: where the vault is, what day it is, the settings."""

    vault_option: Path | None
    today_option: str | None
    config: Path | None
    quiet: bool
    verbose: int
    no_cache: bool = False
    _settings: Settings | None = None
    _setting_problems: list[Diagnostic] = field(default_factory=list)

    @property
    def vault(self) -> Path:
        from mdfollow.vault import find_vault

        if self.vault_option is not None:
            path = self.vault_option
            source = "--vault"
        elif os.environ.get("MDFOLLOW_VAULT"):
            path = Path(os.environ["MDFOLLOW_VAULT"])
            source = "MDFOLLOW_VAULT"
        else:
            return find_vault(Path.cwd())
        if not path.is_dir():
            raise Usage(f"{source}: {str(path)!r} is not a folder; give the path of your notes vault")
        return path.resolve()

    @property
    def today(self) -> date:
        if self.today_option is not None:
            return parse_day(self.today_option, "--today")
        if os.environ.get("MDFOLLOW_TODAY"):
            return parse_day(os.environ["MDFOLLOW_TODAY"], "MDFOLLOW_TODAY")
        return date.today()

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from mdfollow.vault import load_settings

            self._settings, self._setting_problems = load_settings(self.vault, self.config)
        return self._settings

    def index(self, extra_skips: tuple[str, ...] = ()) -> VaultIndex:
        from mdfollow.vault import load_index

        settings = self.settings
        return load_index(self.vault, settings, self._setting_problems, extra_skips, use_cache=not self.no_cache)

    def report(self, problems: tuple[Diagnostic, ...] | list[Diagnostic], *, always: bool = False) -> None:
        """Diagnostics on stderr, coloured on a terminal; warnings hidden by -q."""
        for problem in problems:
            if self.quiet and problem.severity != "error" and not always:
                continue
            colour = "red" if problem.severity == "error" else "yellow"
            where, _, rest = problem.format().partition(f": {problem.severity}: ")
            click.echo(
                f"{click.style(where, bold=True)}: {click.style(problem.severity, fg=colour, bold=True)}: {rest}",
                err=True,
            )

    def say(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)

    def summary(self, index: VaultIndex) -> None:
        if index.notes_skipped:
            self.say(
                f"{index.notes_skipped} of {index.notes_read} notes could not be read "
                "(see the errors above; run `mdfollow check`)"
            )


pass_app = click.make_pass_decorator(App)


class MdfollowGroup(click.Group):
    """One line for every usage error, and no traceback for anything, unless MDFOLLOW_DEBUG is set."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        run: Any = super().main  # click's overloads do not admit a pass-through; we always ask for the value
        if not kwargs.pop("standalone_mode", True):
            return run(*args, standalone_mode=False, **kwargs)
        try:
            code = run(*args, standalone_mode=False, **kwargs)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "mdfollow"
            click.echo(f"mdfollow: {exc.format_message()} (see '{where} --help')", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("mdfollow: stopped", err=True)
            sys.exit(130)
        except OSError as exc:
            if os.environ.get("MDFOLLOW_DEBUG"):
                raise
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            click.echo(f"mdfollow: {exc.strerror or exc}{where}", err=True)
            sys.exit(1)
        except Exception as exc:
            if os.environ.get("MDFOLLOW_DEBUG"):
                raise
            click.echo(
                f"mdfollow: internal error: {type(exc).__name__}: {exc}. Nothing more was written. "
                "Please report it; MDFOLLOW_DEBUG=1 shows the traceback.",
                err=True,
            )
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(cls=MdfollowGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--vault",
    type=click.Path(path_type=Path),
    help="The notes vault. Default: $MDFOLLOW_VAULT, else the nearest folder at or above here "
    "holding .mdfollow.toml or .obsidian/, else here.",
)
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    help="Act as if today were this date. Default: $MDFOLLOW_TODAY, else the local date.",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file. Default: .mdfollow.toml at the vault root.",
)
@click.option("-q", "--quiet", is_flag=True, help="Only errors and the output asked for.")
@click.option("-v", "--verbose", count=True, help="Say more (timings, files skipped).")
@click.option("--no-cache", is_flag=True, help="Read every note afresh; neither use nor update the index cache.")
@click.version_option(__version__, "--version", prog_name="mdfollow")
@click.pass_context
def cli(
    ctx: click.Context,
    vault: Path | None,
    today: str | None,
    config: Path | None,
    quiet: bool,
    verbose: int,
    no_cache: bool,
) -> None:
    """Make networking follow-up happen, from contacts kept as Markdown notes.

    Each contact is a note with `type: contact` (or `person`) in its front
    matter. mdfollow reads the vault, applies the follow-up method (thank,
    report back, nudge three times at most, keep a cadence, close referral
    loops) and tells you who needs what today.

    \b
    Start here:
      mdfollow agenda            write Agenda.md: what is due, overdue, coming up
      mdfollow agenda --stdout   print it instead
      mdfollow check             find mistakes in your contact notes
      mdfollow show "Jane Doe"   one contact: state, next action, history

    Dates are YYYY-MM-DD. Settings live in .mdfollow.toml at the vault root
    (see the README). Exit codes: 0 ok, 1 failed or the vault has errors
    (check), 2 wrong usage.
    """
    ctx.obj = App(vault, today, config, quiet, verbose, no_cache)


# --- agenda ----------------------------------------------------------------


def commit_option(func: Any) -> Any:
    return click.option(
        "--commit/--no-commit",
        "commit",
        default=None,
        help="Commit exactly the files written, in a git vault (default: the `commit` setting).",
    )(func)


def _write_over(path: Path, data: bytes, old: bytes | None, shown: str) -> None:
    """Write `data` over exactly `old` (None: a new file), or fail with one line saying why."""
    from mdfollow.store import AlreadyExists, WriteConflict, write_file

    try:
        write_file(path, data, expected=old)
    except (WriteConflict, AlreadyExists):
        raise Failure(f"{shown} changed while mdfollow was working; run again") from None
    except OSError as exc:
        raise Failure(f"cannot write {shown}: {exc.strerror or exc}") from None


def commit_files(app: App, wanted: bool | None, paths: list[Path], message: str) -> None:
    """Commit what the command wrote; a git problem is reported after the files are safe."""
    if not (wanted if wanted is not None else app.settings.commit) or not paths:
        return
    from mdfollow.git import GitProblem, commit

    try:
        short = commit(app.vault, paths, message)
    except GitProblem as exc:
        raise Failure(str(exc)) from None
    app.say(f"committed {short}: {message}")


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
    the contact's note (thank → thanked, report-back → reported, the rest →
    sent) and drops it from the agenda. A tick is recorded once; a tick on an
    item that changed since is kept and reported, never lost.

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
    from mdfollow.render import agenda_json, render_agenda
    from mdfollow.rules import build_agenda
    from mdfollow.vault import relative

    settings = app.settings
    vault = app.vault
    target = out if out is not None else vault / settings.agenda_file
    today = app.today
    if as_json or to_stdout:
        from mdfollow import cache
        from mdfollow.diagnostics import Diagnostic
        from mdfollow.vault import VaultReader

        skip = relative(target, vault)
        reader = VaultReader(vault, settings, app._setting_problems, (skip,) if skip else (), not app.no_cache)
        name = f"agenda-{'json' if as_json else 'md'}-{today.isoformat()}"
        snapshot = reader.snapshot() if not app.no_cache else ""
        saved = cache.load_result(vault, snapshot, name) if snapshot else None
        if saved is not None:  # nothing the agenda depends on changed since this was computed
            app.report([Diagnostic(**p) for p in saved[1]])
            click.echo(saved[0], nl=False)
            return
        index = reader.index()
        result = build_agenda(index, today, settings)
        app.report(index.problems)
        if as_json:
            text = json.dumps(agenda_json(result, index), ensure_ascii=False, indent=2) + "\n"
        else:
            text = render_agenda(result, index)
        click.echo(text, nl=False)
        if snapshot:
            cache.save_result(vault, snapshot, name, text, [p.to_json() for p in index.problems])
        return
    from mdfollow.refresh import AgendaRefused, refresh_agenda

    settings_problems = app._setting_problems
    daily = settings.daily_agenda if daily is None else daily
    if daily and out is not None:
        raise Usage("--daily writes into today's daily note; it does not go with --out")
    try:
        run = refresh_agenda(
            vault,
            settings,
            today,
            target,
            force=force,
            setting_problems=settings_problems,
            daily=daily,
            use_cache=not app.no_cache,
        )
    except AgendaRefused as exc:
        raise Failure(str(exc)) from None
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
    commit_files(app, commit, paths, message)


# --- check -----------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@pass_app
def check(app: App, as_json: bool, strict: bool) -> None:
    """Check every note; exit 1 when any has an error.

    Each problem is one line, `path:line[:col]: error|warning: message`, on
    stderr. Errors are values mdfollow ignores (a contact keeps its other
    keys) or notes it cannot read at all (skipped). Warnings are worth a look.
    """
    index = app.index()
    errors = sum(1 for p in index.problems if p.severity == "error")
    warnings = len(index.problems) - errors
    if as_json:
        print_json(
            {
                "notes": index.notes_read,
                "contacts": len(index.contacts),
                "skipped": index.notes_skipped,
                "errors": errors,
                "warnings": warnings,
                "problems": [p.to_json() for p in index.problems],
            }
        )
    else:
        app.report(index.problems, always=True)
        notes = len({p.path for p in index.problems})
        status = (
            "no problems"
            if not index.problems
            else f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(notes, 'file')}"
        )
        app.say(f"checked {index.notes_read} notes ({len(index.contacts)} contacts): {status}")
    if errors or (strict and warnings):
        sys.exit(1)


# --- list and show -----------------------------------------------------------


def _find(app: App, index: VaultIndex, name: str) -> Contact:
    from mdfollow.index import lookup

    matches, suggestions = lookup(index, name)
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = "; ".join(f"{c.name} ({c.path})" for c in matches)
        raise Failure(f"{name!r} matches several contacts: {listed}; use the file name")
    hint = (
        f"; did you mean {', '.join(repr(s) for s in suggestions)}?"
        if suggestions
        else "; `mdfollow list` shows them all"
    )
    raise Failure(f"no contact named {name!r}{hint}")


@cli.command(name="list")
@click.option("--due", is_flag=True, help="Only contacts with something due today or overdue.")
@click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="TAG",
    help="Only contacts with this tag (repeatable; #work/x matches work).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def list_(app: App, due: bool, tags: tuple[str, ...], as_json: bool) -> None:
    """List contacts with their next action and due date."""
    from mdfollow.contact import fold
    from mdfollow.render import one_line
    from mdfollow.rules import gone_quiet, is_active, next_action

    index = app.index()
    today = app.today
    settings = app.settings
    app.report(index.problems)
    wanted = [fold(t.lstrip("#")) for t in tags]
    rows = []
    for contact in sorted(index.contacts, key=lambda c: (fold(c.name), c.path)):
        have = [fold(t) for t in contact.tags]
        if wanted and not all(any(h == w or h.startswith(w + "/") for h in have) for w in wanted):
            continue
        item = next_action(contact, index, today, settings)
        if due and (item is None or item.due > today):
            continue
        quiet = gone_quiet(contact, today, settings) is not None
        state = (
            contact.status
            if contact.status != "active"
            else ("snoozed" if not is_active(contact, today) else ("gone quiet" if quiet else "active"))
        )
        rows.append((contact, item, state))
    if as_json:
        print_json(
            [
                {
                    "contact": c.name,
                    "note": c.path,
                    "status": state,
                    "action": item.action if item else None,
                    "due": item.due.isoformat() if item else None,
                    "days_overdue": item.days_overdue(today) if item else None,
                    "reason": one_line(item.reason) if item else None,
                    "also": list(item.also) if item else [],
                    "tags": list(c.tags),
                }
                for c, item, state in rows
            ]
        )
        return
    if not rows:
        app.say(
            "no contacts match"
            if (due or tags)
            else "no contacts found; contacts have `type: contact` in their front matter"
        )
        return
    width = max(len(c.name) for c, _, _ in rows)
    for contact, item, state in rows:
        if item is None:
            what = f"— ({state})"
        else:
            days = item.days_overdue(today)
            when = "today" if days == 0 else (f"{days}d overdue" if days > 0 else f"in {-days}d")
            what = f"{item.action:<14} {item.due.isoformat()}  {when}"
            if days > 0:
                what = click.style(what, fg="red")
        click.echo(f"{contact.name:<{width}}  {what}")


@cli.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def show(app: App, name: str, as_json: bool) -> None:
    """Show one contact: state, next action, history.

    NAME matches the note's file name, its `name`, or an alias, ignoring case
    and accents.
    """
    from mdfollow.render import item_json, one_line
    from mdfollow.rules import Agenda, gone_quiet, next_action

    index = app.index()
    contact = _find(app, index, name)
    today = app.today
    settings = app.settings
    app.report([p for p in index.problems if p.path == contact.path])
    item = next_action(contact, index, today, settings)
    quiet = gone_quiet(contact, today, settings)
    history = _history(contact, index)
    from mdfollow.note import parse_note

    front = parse_note(contact.path, (app.vault / contact.path).read_bytes()).front
    state = {key: _plain(front[key]) for key in front if key != "type"}
    if as_json:
        empty = Agenda(today, settings.horizon_days, (), (), ())
        print_json(
            {
                "contact": contact.name,
                "note": contact.path,
                "state": state,
                "next": item_json(item, empty) if item else None,
                "gone_quiet": quiet is not None,
                "history": [{"date": d.isoformat(), "event": e, "source": s} for d, e, s in history],
            }
        )
        return
    click.echo(click.style(contact.name, bold=True) + f"  ({contact.path})")
    for key, value in state.items():
        click.echo(f"  {key}: {one_line(str(value)) if not isinstance(value, list) else ', '.join(map(str, value))}")
    click.echo("")
    if item is not None:
        days = item.days_overdue(today)
        when = "due today" if days == 0 else (f"{days} days overdue" if days > 0 else f"due in {-days} days")
        click.echo(f"Next: {item.action} on {item.due.isoformat()} ({when})")
        click.echo(f"  {one_line(item.reason)}")
        if item.also:
            click.echo(f"  also: {', '.join(item.also)}")
    elif quiet is not None:
        click.echo(f"Gone quiet: {quiet.strikes} messages unanswered; wait until they write back.")
    else:
        click.echo("Next: nothing to do" + (f" ({contact.status})" if contact.status != "active" else ""))
    if history:
        click.echo("\nHistory:")
        for day, event, source in history:
            click.echo(f"  {day.isoformat()}  {event}" + (f"  ({source})" if source else ""))


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _history(contact: Contact, index: VaultIndex) -> list[tuple[date, str, str]]:
    events: list[tuple[date, str, str]] = []
    labels = {
        "added": "added",
        "met": "met",
        "last_contact": "last two-way contact",
        "last_outreach": "last message sent",
        "thanked": "thanked",
        "reported_back": "reported back",
        "next_follow_up": "promised follow-up",
    }
    for key, label in labels.items():
        value = getattr(contact, key)
        if value is not None:
            events.append((value, label, ""))
    for mention in index.mentions_of(contact):
        events.append((mention.date, "mentioned", f"{mention.path}:{mention.line}"))
    return sorted(events, key=lambda e: (e[0], e[1]), reverse=True)


# --- milestone ---------------------------------------------------------------


@cli.command()
@click.argument("text")
@click.option("--company", default="", help="The company it concerns: contacts there hear about it.")
@click.option("--date", "when", metavar="YYYY-MM-DD", help="When it happened. Default: today.")
@commit_option
@pass_app
def milestone(app: App, text: str, company: str, when: str | None, commit: bool | None) -> None:
    """Record news to tell people about (an interview, an offer, advice that paid off).

    Contacts with `keep_informed: true`, and those whose `company` matches
    --company, get an `update` item until you have been in touch since.

    \b
    Example:
      mdfollow milestone "Second-round interview at Northwind" --company Northwind
    """
    from mdfollow.milestones import format_milestone
    from mdfollow.store import read_bytes

    if not text.strip():
        raise Usage("TEXT is empty; say what happened")
    day = parse_day(when, "--date") if when else app.today
    settings = app.settings
    path = app.vault / settings.milestones_file
    line = format_milestone(day, text, company)
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
    _write_over(path, new, old, settings.milestones_file)
    app.say(f"recorded in {settings.milestones_file}: {line}")
    commit_files(app, commit, [path], f"milestone: {' '.join(text.split())}")


# --- log, new, history ---------------------------------------------------------


EVENT_HELP = """\b
Events:
  met        you met or spoke: sets met and last_contact, resets strikes
  replied    they answered: sets last_contact, resets strikes
  sent       you wrote and wait for an answer: sets last_outreach, adds a strike
  thanked    you sent a thank-you: sets thanked (no strike: gratitude is not a try)
  reported   you reported back on their advice: sets reported_back
  referred   they gave you a name: with --to NAME, creates that contact
  note       just a line in the log
"""


@cli.command(epilog=EVENT_HELP)
@click.argument("name")
@click.argument("event", type=click.Choice(["met", "thanked", "sent", "replied", "reported", "referred", "note"]))
@click.option("--date", "when", metavar="YYYY-MM-DD", help="When it happened. Default: today.")
@click.option("--note", "text", default="", help="What happened, for the log line.")
@click.option("--advice", help="Set the advice to highlight (the `advice` key).")
@click.option("--outcome", help="Set what acting on the advice did (the `advice_outcome` key).")
@click.option("--warmth", type=click.Choice(["warm", "neutral", "cool"]), help="How they respond.")
@click.option("--to", "to", metavar="NAME", help="With `referred`: the person they referred you to.")
@commit_option
@pass_app
def log(
    app: App,
    name: str,
    event: str,
    when: str | None,
    text: str,
    advice: str | None,
    outcome: str | None,
    warmth: str | None,
    to: str | None,
    commit: bool | None,
) -> None:
    """Record what happened with a contact.

    Updates the note's front matter (only the keys the event changes; every
    other byte stays as it was) and appends one dated line under its
    Interactions heading. A promised `next_follow_up` is cleared by contact or
    a message from a week before it on.

    \b
    Examples:
      mdfollow log "Priya Raman" thanked --note "the insights readout"
      mdfollow log Tomás met --advice "Lead with one result in numbers"
      mdfollow log Elena referred --to "Grace Liu"
    """
    from mdfollow.events import Event, describe
    from mdfollow.record import RecordProblem, create_contact, record_event

    if event == "referred" and not to:
        raise Usage("`referred` needs --to NAME: the person they referred you to")
    if to and event != "referred":
        raise Usage("--to goes with the `referred` event")
    today = app.today
    day = parse_day(when, "--date") if when else today
    if day > today:
        raise Usage(f"--date {day.isoformat()} is after today; log what happened, plan with next_follow_up")
    index = app.index()
    contact = _find(app, index, name)
    settings = app.settings
    written: list[Path] = []
    to_name = None
    if event == "referred" and to:
        from mdfollow.index import lookup

        found, _ = lookup(index, to)
        if len(found) == 1:
            to_name = index.link_target(found[0])
            app.say(f"{found[0].name} is already a contact ({found[0].path}); not creating it")
        else:
            try:
                created = create_contact(vault := app.vault, settings, index, to, today, referrer=contact)
            except RecordProblem as exc:
                raise Failure(str(exc)) from None
            written.append(created)
            to_name = created.stem
            app.say(f"created {created.relative_to(vault).as_posix()} (referred by {contact.name})")
    record = Event(event, day, note=text, advice=advice, outcome=outcome, warmth=warmth, to=to_name)
    try:
        recorded = record_event(app.vault, contact.path, record, settings)
    except RecordProblem as exc:
        raise Failure(str(exc)) from None
    written.append(recorded.path)
    changed = ", ".join(f"{k}: {v if v is not None else '(removed)'}" for k, v in recorded.changes.items())
    app.say(f"{contact.path}: {recorded.line}" + (f"  [{changed}]" if changed else ""))
    commit_files(app, commit, written, f"log: {describe(record, contact.name)}")


@cli.command()
@click.argument("name")
@click.option("--met", metavar="YYYY-MM-DD", help="When you met (a thank-you falls due the day after).")
@click.option("--referred-by", "referred_by", metavar="NAME", help="The contact who gave you this name.")
@click.option("--company", default="", help="Where they work.")
@click.option("--advice", default="", help="The advice they gave, to highlight in the thank-you.")
@click.option("--cadence", default="", help="How often to keep in touch: monthly, quarterly, 6w, 45d ...")
@commit_option
@pass_app
def new(
    app: App,
    name: str,
    met: str | None,
    referred_by: str | None,
    company: str,
    advice: str,
    cadence: str,
    commit: bool | None,
) -> None:
    """Create a contact note from the contact.md template.

    The note goes to the contacts folder (People/ by default), named after the
    person; `added` is set to today. mdfollow never overwrites a note, and
    refuses names that could not be a file name inside that folder.

    \b
    Example:
      mdfollow new "Priya Raman" --met 2026-11-17 --company "Larkspur Foods" \\
          --advice "Sit in on a consumer-insights readout"
    """
    from mdfollow.dates import CadenceError, parse_cadence
    from mdfollow.record import RecordProblem, create_contact

    met_day = parse_day(met, "--met") if met else None
    if cadence:
        try:
            parse_cadence(cadence)
        except CadenceError as exc:
            raise Usage(f"--cadence: {exc}") from None
    index = app.index()
    referrer = _find(app, index, referred_by) if referred_by else None
    try:
        path = create_contact(
            app.vault,
            app.settings,
            index,
            name,
            app.today,
            met=met_day,
            referrer=referrer,
            company=company,
            advice=advice,
            cadence=cadence,
        )
    except RecordProblem as exc:
        raise Failure(str(exc)) from None
    rel = path.relative_to(app.vault).as_posix()
    app.say(f"created {rel}")
    click.echo(rel)
    commit_files(app, commit, [path], f"new: contact {' '.join(name.split())}")


@cli.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def history(app: App, name: str, as_json: bool) -> None:
    """A contact's timeline: its log lines, dated mentions and, in a git vault, commits.

    Oldest first. Log lines come from the note's Interactions section, mentions
    from dated notes that link the contact, commits from `git log --follow`.
    """
    from mdfollow.git import changes_to
    from mdfollow.milestones import parse_log

    index = app.index()
    contact = _find(app, index, name)
    raw = (app.vault / contact.path).read_bytes().decode("utf-8", "replace")
    events: list[tuple[date, str, str]] = []
    for day, text in parse_log(raw, app.settings.log_heading):
        events.append((day, "log", text))
    for mention in index.mentions_of(contact):
        events.append((mention.date, "mention", f"{mention.path}:{mention.line}"))
    for change in changes_to(app.vault, app.vault / contact.path):
        events.append((change.date, "commit", f"{change.commit} {change.subject}"))
    events.sort(key=lambda e: (e[0], ["log", "mention", "commit"].index(e[1])))
    if as_json:
        print_json([{"date": d.isoformat(), "source": s, "text": t} for d, s, t in events])
        return
    click.echo(click.style(contact.name, bold=True) + f"  ({contact.path})")
    if not events:
        click.echo("  no history yet: `mdfollow log` records events")
    for day, source, text in events:
        click.echo(f"  {day.isoformat()}  {source:<7}  {text}")


# --- draft and templates ------------------------------------------------------


ACTION_NAMES = ["thank", "reach-out", "nudge", "tell-referrer", "report-back", "update", "scheduled", "check-in"]


@cli.command()
@click.argument("name")
@click.option("--kind", type=click.Choice(ACTION_NAMES), help="Draft this action instead of the contact's next one.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the draft; write nothing.")
@click.option("--force", is_flag=True, help="Draft even when nothing is due, or --kind does not apply now.")
@commit_option
@pass_app
def draft(app: App, name: str, kind: str | None, to_stdout: bool, force: bool, commit: bool | None) -> None:
    """Write the message for a contact's next follow-up, ready to edit and send.

    The draft goes to the drafts folder (Drafts/) as its own note, with `to`,
    `action`, `date`, `email` and `subject` in its front matter; an existing
    draft is never overwritten. Where the note lacks something the message
    needs (the advice they gave, what acting on it did), the draft holds a
    [bracketed placeholder] and mdfollow lists what to fill in.

    Templates: `mdfollow templates` shows which one is in force per action.

    \b
    Examples:
      mdfollow draft "Priya Raman"
      mdfollow draft Hannah --kind report-back --stdout
    """
    from mdfollow.drafting import render_draft
    from mdfollow.naming import note_file_name
    from mdfollow.rules import FollowUp, candidates, gone_quiet, next_action
    from mdfollow.store import AlreadyExists, write_file
    from mdfollow.templating import TemplateProblem
    from mdfollow.vault import load_template

    index = app.index()
    contact = _find(app, index, name)
    today = app.today
    settings = app.settings
    item = next_action(contact, index, today, settings)
    if kind is not None and (item is None or item.action != kind):
        found = [c for c in candidates(contact, index, today, settings) if c.action == kind]
        item = found[0] if found else None
        if item is None and not force:
            raise Failure(f"{kind} does not apply to {contact.name} now; add --force to draft it anyway")
        if item is None:
            item = FollowUp(contact, kind, today, "drafted on request")
    elif item is None:
        why = "has gone quiet: wait for them to write" if gone_quiet(contact, today, settings) else "has nothing due"
        if not force:
            raise Failure(f"{contact.name} {why}; use --kind ACTION --force to draft a message anyway")
        raise Usage("--force needs --kind ACTION when nothing is due")
    try:
        source = load_template(app.vault, settings, f"{item.action}.md")
        note_text = (app.vault / contact.path).read_bytes().decode("utf-8", "replace")
        result = render_draft(source, item, index, today, settings, note_text)
    except TemplateProblem as exc:
        raise Failure(f"template error: {exc}") from None
    except OSError as exc:
        raise Failure(str(exc)) from None
    hint = ""
    if result.placeholders:
        hint = "fill in before sending: " + "; ".join(f"[{p}]" for p in result.placeholders)
    if to_stdout:
        if result.subject:
            click.echo(f"Subject: {result.subject}\n")
        click.echo(result.message, nl=False)
        if hint:
            app.say(hint)
        return
    text = result.file_text(f"[[{index.link_target(contact)}]]", today, contact.email).encode("utf-8")
    folder = app.vault / settings.drafts_folder
    # The note's own file name is already a safe name; `name:` may hold anything.
    base = note_file_name(f"{today.isoformat()} {item.action} {contact.stem}")[:-3]
    for number in range(1, 100):
        path = folder / (f"{base}.md" if number == 1 else f"{base} {number}.md")
        try:
            write_file(path, text, expected=None)
            break
        except AlreadyExists:
            continue
        except OSError as exc:
            raise Failure(f"cannot write the draft: {exc.strerror or exc}") from None
    else:
        raise Failure(f"too many drafts named {base!r} already; clear some out of {settings.drafts_folder}/")
    rel = path.relative_to(app.vault).as_posix()
    click.echo(rel)
    if hint:
        app.say(hint)
    commit_files(app, commit, [path], f"draft: {item.action} for {contact.name}")


@cli.command()
@click.option("--list", "as_list", is_flag=True, help="Which template is in force for each action (the default).")
@click.option("--copy", is_flag=True, help="Copy the built-in templates into the vault to edit; never overwrites.")
@commit_option
@pass_app
def templates(app: App, as_list: bool, copy: bool, commit: bool | None) -> None:
    """Which message templates are in force; copy the built-ins into the vault to edit them.

    A file in the templates folder (Templates/mdfollow/) with the name of a
    built-in template replaces it. Templates are Jinja2, rendered in a
    sandbox, and see:

    \b
      contact   every front-matter key as an attribute, plus name, first_name,
                note (its path), link, and last_log (date, text)
      item      action, due, reason, light_touch, also, attempt,
                referred (contacts met), milestones (date, text, company)
      referrer  the contact who referred them, or none
      me        name, email, signature (from [me] in .mdfollow.toml)
      today     the date; when(d) says it the way you would ("on Monday")

    \b
    Filters: yaml, one_line, lower_first, end_sentence.
    A misspelled field is an error naming the template file and line.
    """
    from mdfollow.store import AlreadyExists, write_file
    from mdfollow.vault import builtin_template_names, load_template

    settings = app.settings
    vault = app.vault
    folder = vault / settings.templates_folder
    names = builtin_template_names()
    if copy:
        written = []
        for name in names:
            source = load_template(vault, settings, name)
            if not source.origin.startswith("built-in"):
                app.say(f"kept {source.origin} (yours)")
                continue
            try:
                write_file(folder / name, source.text.encode("utf-8"), expected=None)
            except AlreadyExists:
                app.say(f"kept {settings.templates_folder}/{name}")
                continue
            written.append(folder / name)
            click.echo(f"{settings.templates_folder.strip('/')}/{name}")
        commit_files(app, commit, written, f"templates: copied {plural(len(written), 'built-in template')}")
        return
    width = max(len(n) for n in names)
    for name in names:
        source = load_template(vault, settings, name)
        where = f"{source.origin} (yours)" if not source.origin.startswith("built-in") else "built-in"
        click.echo(f"{name:<{width}}  {where}")
    if folder.is_dir():
        for extra in sorted(p.name for p in folder.glob("*.md") if p.name not in names):
            app.say(
                f"{settings.templates_folder.strip('/')}/{extra}: not a template name mdfollow uses ({', '.join(names)})"
            )


# --- ics ---------------------------------------------------------------------


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
    """
    from mdfollow.calendar import agenda_calendar, is_ours
    from mdfollow.rules import build_agenda
    from mdfollow.store import read_bytes
    from mdfollow.vault import relative

    settings = app.settings
    vault = app.vault
    target = out if out is not None else vault / settings.calendar_file
    index = app.index()
    app.report(index.problems)
    if not index.contacts:
        raise Failure(f"no contact notes found in {vault}; nothing written")
    result = build_agenda(index, app.today, settings)
    data = agenda_calendar(result, index, todo=settings.calendar_todo if todo is None else todo)
    shown = relative(target, vault) or str(target)
    try:
        old = read_bytes(target)
    except OSError as exc:
        raise Failure(f"cannot read {shown}: {exc.strerror or exc}") from None
    if old is not None and not is_ours(old):
        raise Failure(f"{shown} exists and was not written by mdfollow; choose another file with --out")
    if old == data:
        app.say(f"{shown} is up to date ({plural(len(result.items), 'item')})")
        return
    _write_over(target, data, old, shown)
    app.say(f"wrote {shown} ({plural(len(result.items), 'item')})")
    commit_files(app, commit, [target], f"ics: {app.today.isoformat()}")


# --- import --------------------------------------------------------------------


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
    from mdfollow.importing import PARSERS, plan_import
    from mdfollow.record import RecordProblem, create_contact

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", "replace")
        app.say(f"{path}: not UTF-8; read as Windows-1252")
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


# --- watch -----------------------------------------------------------------


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
    """
    import signal

    from mdfollow.vault import load_settings
    from mdfollow.watcher import Watcher

    vault = app.vault
    settings = app.settings
    fixed_today = app.today if (app.today_option or os.environ.get("MDFOLLOW_TODAY")) else None
    watcher = Watcher(
        vault=vault,
        settings=settings,
        today=(lambda: fixed_today) if fixed_today else date.today,
        target=out if out is not None else vault / settings.agenda_file,
        setting_problems=app._setting_problems,
        load_settings=lambda: load_settings(vault, app.config),
        poll=poll,
        use_cache=not app.no_cache,
        daily=settings.daily_agenda if daily is None else daily,
        report=app.say,
        report_problem=lambda problem: app.report([problem]),
    )

    def stop(signum: int, frame: Any) -> None:
        watcher.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    app.say(f"watching {vault} (Ctrl-C stops)")
    watcher.run()
    app.say("stopped")


def main() -> NoReturn:
    cli.main(prog_name="mdfollow")
    sys.exit(0)  # pragma: no cover - cli.main always exits
