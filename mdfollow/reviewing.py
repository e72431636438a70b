"""Writing the weekly review: read the vault and the contacts' logs, build, write if changed.

The review file follows the agenda file's ownership rules: it is written only
when its bytes change, never over a file mdfollow did not write or one edited
by hand (unless forced), never when no contacts are found. No note is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mdfollow.diagnostics import Diagnostic
from mdfollow.edits import parse_log
from mdfollow.errors import AlreadyExists, ReviewRefused, WriteConflict
from mdfollow.index import VaultIndex
from mdfollow.review import Review, build_review, is_touch_line, render_review, review_state
from mdfollow.rules import Agenda, build_agenda
from mdfollow.settings import Settings
from mdfollow.store import read_bytes, vault_lock, write_file
from mdfollow.vault import VaultReader, relative


@dataclass
class ReviewRun:
    review: Review
    agenda: Agenda
    index: VaultIndex
    text: str = ""
    written: bool = False


def logged_touches(vault: Path, index: VaultIndex, settings: Settings) -> dict[str, list[date]]:
    """Each contact's dated log lines that record a touch, by note path."""
    found: dict[str, list[date]] = {}
    for contact in index.contacts:
        try:
            raw = read_bytes(vault / contact.path)
        except OSError:
            continue  # gone or unreadable since the index read it: its front matter still counts
        if raw is None:
            continue
        days = [
            day for day, text in parse_log(raw.decode("utf-8", "replace"), settings.log_heading) if is_touch_line(text)
        ]
        if days:
            found[contact.path] = days
    return found


def compute_review(
    vault: Path,
    settings: Settings,
    today: date,
    *,
    setting_problems: list[Diagnostic] | None = None,
    skip: tuple[str, ...] = (),
    use_cache: bool = True,
) -> ReviewRun:
    reader = VaultReader(vault, settings, setting_problems, skip, use_cache)
    try:
        index = reader.index(today=today).whole_index()  # the review reads every contact
    finally:
        reader.close()
    agenda = build_agenda(index, today, settings)
    review = build_review(index, agenda, today, settings, logged_touches(vault, index, settings))
    return ReviewRun(review, agenda, index)


def write_review(
    vault: Path,
    settings: Settings,
    today: date,
    target: Path,
    *,
    force: bool = False,
    setting_problems: list[Diagnostic] | None = None,
    use_cache: bool = True,
    within: Path | None = None,
) -> ReviewRun:
    """Build the review and write it to `target` when its content changed.

    `within`: the vault, when `target` comes from the settings (a path leading out
    of it is refused); None for a path the user gave (--out). The check and the
    write hold the vault's write lock, as every mdfollow writer does.
    """
    inside = relative(target, vault)
    shown = inside or str(target)
    run = compute_review(
        vault, settings, today, setting_problems=setting_problems, skip=(inside,) if inside else (), use_cache=use_cache
    )
    if not run.index.contacts:
        raise ReviewRefused(
            f"no contact notes found in {vault}; nothing written. Is this the right vault? "
            "`mdfollow init` looks for your people notes (by folder, tag or type) and sets mdfollow up to read them."
        )
    with vault_lock(vault):
        return _write_locked(run, settings, target, shown, force, within)


def _write_locked(
    run: ReviewRun, settings: Settings, target: Path, shown: str, force: bool, within: Path | None
) -> ReviewRun:
    try:
        old = read_bytes(target)
    except OSError as exc:
        raise ReviewRefused(f"cannot read {shown}: {exc.strerror or exc}; is it a folder?") from None
    if old is not None:
        state = review_state(old.decode("utf-8", "replace"))
        if state == "foreign":
            raise ReviewRefused(
                f"{shown} exists and was not written by mdfollow; move it away or choose another file with --out"
            )
        if state == "edited" and not force:
            raise ReviewRefused(
                f"{shown} was edited by hand since mdfollow wrote it; keep your edits elsewhere, "
                "then run again with --force"
            )
    run.text = render_review(run.review, run.index, settings)
    new = run.text.encode("utf-8")
    if new == old:
        return run
    try:
        write_file(target, new, expected=old, within=within)
    except (WriteConflict, AlreadyExists):
        raise ReviewRefused(f"{shown} changed while mdfollow was working; run again") from None
    except OSError as exc:
        raise ReviewRefused(f"cannot write {shown}: {exc.strerror or exc}") from None
    run.written = True
    return run
