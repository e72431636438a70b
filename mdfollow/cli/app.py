"""What every command shares: the group and its global options, the App, errors and reporting.

The command line (this package) is the only home of click, and where the run's
inputs come from: argv, the vault and today (the date is read here and passed
on; tests/test_architecture.py holds every other module to that). The core is
imported inside commands so that `mdfollow --help` starts fast.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from mdfollow import __version__, jsontext
from mdfollow.errors import AlreadyExists, DateError, MdfollowError, UsageError, WriteConflict

if TYPE_CHECKING:
    from mdfollow.contact import Contact
    from mdfollow.diagnostics import Diagnostic
    from mdfollow.index import VaultIndex
    from mdfollow.settings import Settings


class Failure(MdfollowError):
    """The command failed for a reason the message names (exit 1)."""


class Usage(UsageError):
    """Wrong usage (exit 2), one line, no traceback."""


def parse_day(text: str, what: str) -> date:
    from mdfollow.dates import parse_date

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

            # SettingsUnusable (an MdfollowError) stops the command here, before anything is read.
            self._settings, self._setting_problems = load_settings(self.vault, self.config)
        return self._settings

    def report_setting_errors(self) -> None:
        """For a command that writes without reporting the whole vault: the settings it refused
        (a path leading outside the vault, a bad value), each with its file and line."""
        _ = self.settings
        self.report([p for p in self._setting_problems if p.severity == "error"])

    def index(self, extra_skips: tuple[str, ...] = ()) -> VaultIndex:
        from mdfollow.vault import load_index

        settings = self.settings
        return load_index(
            self.vault, settings, self._setting_problems, extra_skips, use_cache=not self.no_cache, today=self.today
        )

    def progress(self, as_json: bool) -> Callable[[int, int], None] | None:
        """A progress bar for a long first read, on a terminal only (never in pipes or with --json)."""
        if as_json or self.quiet or not sys.stderr.isatty():
            return None
        return ProgressBar()

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


def pass_app(func: Any) -> Any:
    """Hand the command the App, its settings loaded first: a settings file that
    cannot be used stops the command before it reads or writes anything."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        app = ctx.find_object(App)
        assert app is not None
        app.settings  # noqa: B018 - loading is the point
        return ctx.invoke(func, app, *args, **kwargs)

    return functools.update_wrapper(wrapper, func)


def _quiet_after_command(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    app = ctx.find_object(App)
    if value and app is not None:
        app.quiet = True


class MdfollowCommand(click.Command):
    """A command whose refusals remember which command they came from, for the hint in the message."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MdfollowError as exc:
            if exc.command_path is None:
                exc.command_path = ctx.command_path
            raise


class MdfollowGroup(click.Group):
    """The one place errors become messages and exit codes: one line each, no traceback
    (unless MDFOLLOW_DEBUG is set for an unexpected one).

    `-q` is accepted after the command name too (`mdfollow agenda -q`), as
    users type it: every command, in subgroups as well, gets it.
    """

    command_class = MdfollowCommand
    group_class = type  # `import` and any later group handle errors the same way

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not any(isinstance(p, click.Option) and "--quiet" in p.opts for p in cmd.params):
            cmd.params.append(
                click.Option(
                    ["-q", "--quiet"],
                    is_flag=True,
                    expose_value=False,
                    callback=_quiet_after_command,
                    help="Only errors and the output asked for (as before the command).",
                )
            )
        super().add_command(cmd, name)

    def _command_path(self, given: Any, prog: str | None) -> str:
        """The command a usage error belongs to, when click did not say (an option's missing value)."""
        words = [str(word) for word in given] if given is not None else sys.argv[1:]
        path = [prog or "mdfollow"]
        command: click.Command = self
        tokens = iter(words)
        for word in tokens:
            if word in ("--vault", "--today", "--config"):
                next(tokens, None)
            elif isinstance(command, click.Group) and word in command.commands:
                path.append(word)
                command = command.commands[word]
            elif not word.startswith("-"):
                break
        return " ".join(path)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        run: Any = super().main  # click's overloads do not admit a pass-through; we always ask for the value
        if not kwargs.pop("standalone_mode", True):
            return run(*args, standalone_mode=False, **kwargs)
        from mdfollow.store import install_signal_handlers

        install_signal_handlers()  # SIGTERM/SIGHUP: a write in progress finishes, no temp file is left
        try:
            code = run(*args, standalone_mode=False, **kwargs)
        except click.UsageError as exc:
            if exc.ctx is not None:
                where = exc.ctx.command_path
            else:
                where = self._command_path(kwargs.get("args", args[0] if args else None), kwargs.get("prog_name"))
            click.echo(f"mdfollow: {exc.format_message()} (see '{where} --help')", err=True)
            sys.exit(exc.exit_code)
        except MdfollowError as exc:
            hint = f" (see '{exc.command_path or 'mdfollow'} --help')" if isinstance(exc, UsageError) else ""
            click.echo(f"mdfollow: {exc}{hint}", err=True)
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


class ProgressBar:
    """`done of total` on stderr, drawn only once the work has taken a second, and wiped at the end."""

    DELAY = 1.0
    WIDTH = 30

    def __init__(self, clock: Callable[[], float] | None = None, write: Callable[[str], None] | None = None):
        import time

        self.clock = clock or time.monotonic
        self.write = write or (lambda text: click.echo(text, nl=False, err=True))
        self.started = self.clock()
        self.drawn = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if now - self.started < self.DELAY or total <= 0:
            return
        if done >= total:
            if self.drawn:
                self.write("\r\x1b[K")
            return
        if now - self.drawn < 0.1:
            return
        self.drawn = now
        filled = self.WIDTH * done // total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.write(f"\rmdfollow: indexing the vault [{bar}] {done}/{total} notes")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def print_json(data: Any) -> None:
    click.echo(jsontext.dumps(data))


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
@click.option("--no-cache", is_flag=True, help="Read every note afresh; neither use nor update the index store.")
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
    matter, or a tag or folder your settings name (`mdfollow init` finds
    the people notes you already keep). mdfollow reads the vault, applies
    the follow-up method (thank, report back, nudge three times at most,
    keep a cadence, close referral loops) and tells you who needs what today.

    \b
    Start here:
      mdfollow init              settings for the vault you already have
      mdfollow agenda            write Agenda.md: what is due, overdue, coming up
      mdfollow agenda --stdout   print it instead
      mdfollow check             find mistakes in your contact notes
      mdfollow show "Jane Doe"   one contact: state, next action, history

    Dates are YYYY-MM-DD. Settings live in .mdfollow.toml at the vault root
    (see the README). Exit codes: 0 ok, 1 failed or the vault has errors
    (check), 2 wrong usage.
    """
    ctx.obj = App(vault, today, config, quiet, verbose, no_cache)
    from mdfollow import store

    try:  # how long a writer waits for another mdfollow writing the same vault
        store.LOCK_TIMEOUT = max(0.0, float(os.environ.get("MDFOLLOW_LOCK_TIMEOUT") or 30))
    except ValueError:
        raise Usage("MDFOLLOW_LOCK_TIMEOUT must be a number of seconds") from None


def commit_option(func: Any) -> Any:
    return click.option(
        "--commit/--no-commit",
        "commit",
        default=None,
        help="Commit exactly the files written, in a git vault (default: the `commit` setting).",
    )(func)


def write_over(
    path: Path,
    data: bytes,
    old: bytes | None,
    shown: str,
    within: Path | None,
    redo: Callable[[bytes], bytes] | None = None,
) -> None:
    """Write `data` over exactly `old` (None: a new file), or fail with one line saying why.

    `within`: the vault, for a path that comes from settings (refused if it leads outside);
    None for a path the user gave on the command line (--out), which may be anywhere.
    `redo`: the same change made on other bytes, for an editor's save caught mid-write."""
    from mdfollow.store import write_file

    try:
        write_file(path, data, expected=old, within=within, redo=redo)
    except (WriteConflict, AlreadyExists):
        raise Failure(f"{shown} changed while mdfollow was working; run again") from None
    except OSError as exc:
        raise Failure(f"cannot write {shown}: {exc.strerror or exc}") from None


def commit_files(
    app: App, wanted: bool | None, paths: list[Path], message: str, before: dict[Path, bytes | None] | None = None
) -> None:
    """Commit what the command wrote; a git problem is reported after the files are safe.

    `before`: the bytes of the user's files (notes, milestones) as mdfollow found them,
    so a file with the user's own uncommitted changes is not committed as mdfollow's."""
    if not (wanted if wanted is not None else app.settings.commit) or not paths:
        return
    from mdfollow.git import commit

    short = commit(app.vault, paths, message, before)
    app.say(f"committed {short}: {message}")


def find_contact(index: VaultIndex, name: str) -> Contact:
    from mdfollow.index import ambiguous, lookup

    matches, suggestions = lookup(index, name)
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise Failure(ambiguous(name, matches))
    hint = (
        f"; did you mean {', '.join(repr(s) for s in suggestions)}?"
        if suggestions
        else "; `mdfollow list` shows them all"
    )
    raise Failure(f"no contact named {name!r}{hint}")


def main() -> NoReturn:
    cli.main(prog_name="mdfollow")
    sys.exit(0)  # pragma: no cover - cli.main always exits
