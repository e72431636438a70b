"""Every refusal mdfollow makes, as one tree with its exit code.

A refusal stops what was asked and says why in one line; nothing was written
that should not have been. The command line catches `MdfollowError` in one
place and exits with `exit_code` (1: the command failed; 2: wrong usage), as
todoman's `handle_error` does. Problems in a note are not refusals: they are
`Diagnostic` values, collected while the run goes on.

Three exceptions stay outside the tree on purpose, because they never leave
their module: `note.FrontMatterError` (becomes a diagnostic),
`note._GiveUp` (the fast front-matter reader handing over to YAML) and
`harvest._NotMail` (a message whose headers are not mail: a diagnostic).

Pure: no imports, so every module, core or edge, may raise these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mdfollow.diagnostics import Diagnostic


class MdfollowError(Exception):
    """The command was refused; the message says why and what to do (exit 1)."""

    exit_code = 1
    # The command that refused, e.g. "mdfollow log": filled in by the command line for its hint.
    command_path: str | None = None


class UsageError(MdfollowError):
    """The command was given wrongly (exit 2)."""

    exit_code = 2


class BadValue(UsageError, ValueError):
    """A value that is not what it must be; the message says how to write it."""


class DateError(BadValue):
    """A value that should be a date and is not; the message says how to fix it."""


class CadenceError(BadValue):
    """A value that should be a cadence (monthly, 6w, 45d ...) and is not."""


class AgendaRefused(MdfollowError):
    """The agenda was not written; the message says why and what to do."""


class ReviewRefused(MdfollowError):
    """The review was not written; the message says why and what to do."""


class RecordProblem(MdfollowError):
    """Nothing was written into a note; the message says why and what to do."""


class UnusableName(RecordProblem, ValueError):
    """The name cannot become a note's file name; the message says why."""


class EditError(MdfollowError):
    """The note cannot be edited safely; nothing was changed."""


class TemplateProblem(MdfollowError):
    """A template that cannot be rendered, with the file and line of the mistake."""

    def __init__(self, origin: str, line: int | None, message: str):
        super().__init__(f"{origin}:{line}: {message}" if line else f"{origin}: {message}")
        self.origin = origin
        self.line = line
        self.message = message


class TemplateUnreadable(MdfollowError):
    """A template file in the vault that cannot be read."""


class GitProblem(MdfollowError):
    """A commit that could not be made; the files mdfollow wrote stay written."""


class WriteConflict(MdfollowError):
    """The file changed on disk since mdfollow read it; nothing was written."""


class AlreadyExists(MdfollowError):
    """A create-only write found a file in the way; nothing was written."""


class MergeProblem(MdfollowError):
    """Two notes cannot be merged safely; nothing was written."""


class SettingsUnusable(MdfollowError):
    """The settings file cannot be used at all (missing, unreadable, not TOML): the command
    stops before it reads or writes anything; the message names the file and line."""

    def __init__(self, problem: Diagnostic):
        super().__init__(problem.format())
        self.problem = problem


class NothingToDraft(MdfollowError):
    """No follow-up to draft a message for (nothing due, gone quiet, --kind not applying)."""


class VaultBusy(MdfollowError):
    """Another mdfollow held the vault's write lock for longer than the timeout; nothing was written."""


class NotRegular(MdfollowError, OSError):
    """A FIFO, device, socket or folder where a file was to be read: never opened (a FIFO would
    block the read forever). An OSError too, so every reader's OSError path reports it."""

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}" if self.filename else str(self.strerror)


class OutsideVault(MdfollowError, PermissionError):
    """A path that, once its symlinks are followed, leads outside the vault: nothing is written.
    A PermissionError too, so every writer's OSError path reports it."""

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}" if self.filename else str(self.strerror)
