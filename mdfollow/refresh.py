"""Regenerating the agenda: record what was ticked, then write what is due.

Shared by `agenda` and `watch`. The order matters: ticks are recorded in the
contacts' notes first (each carries its block id, so it is recorded once even
if a later step fails), the vault is read again, and only then is the agenda
file replaced, and only if its bytes change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from mdfollow.actions import BY_NAME
from mdfollow.diagnostics import Diagnostic, error, warning
from mdfollow.errors import AgendaRefused, AlreadyExists, RecordProblem, UsageError, WriteConflict
from mdfollow.events import KINDS, Event
from mdfollow.index import VaultIndex
from mdfollow.render import render_agenda, render_block
from mdfollow.rules import Agenda, FollowUp, Memo, build_agenda, candidates, next_action
from mdfollow.settings import Settings
from mdfollow.store import read_bytes, write_file
from mdfollow.ticks import AgendaReading, Kept, Tick, block_id, find_block, place_kept, read_agenda
from mdfollow.vault import Progress, VaultReader, relative

if TYPE_CHECKING:
    from mdfollow.record import Recorded  # the writer, imported by a run that has ticks to record


@dataclass
class AgendaRun:
    agenda: Agenda
    index: VaultIndex
    text: str
    written: bool
    recorded: list[tuple[FollowUp, Recorded]] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)  # about ticks
    target: Path | None = None  # the file the agenda is in: the agenda file, or today's daily note
    # The text written holds nothing of the user's (no line they added, no status they set, no
    # tick carried): the next run may take that very text as saying nothing (refresh's `last_written`).
    plain: bool = False

    @property
    def written_paths(self) -> list[Path]:
        return [r.path for _, r in self.recorded if not r.already]


def agenda_target(vault: Path, settings: Settings, out: Path | None, daily: bool | None) -> tuple[Path, bool]:
    """(agenda file, daily?) from `--out` and `--daily/--no-daily` and the settings: one rule for agenda and watch."""
    daily = settings.daily_agenda if daily is None else daily
    if daily and out is not None:
        raise UsageError("--daily writes into today's daily note; it does not go with --out")
    return (out if out is not None else vault / settings.agenda_file), daily


def refresh_agenda(
    vault: Path,
    settings: Settings,
    today: date,
    target: Path,
    *,
    force: bool = False,
    setting_problems: list[Diagnostic] | None = None,
    reader: VaultReader | None = None,
    changed: set[str] | None = None,
    memo: Memo | None = None,
    last_written: bytes | None = None,
    daily: bool = False,
    use_cache: bool = True,
    now: time | None = None,
    progress: Progress | None = None,
) -> AgendaRun:
    """Record ticks and write the agenda. With a `reader`, only `changed` notes are read again.

    `daily`: write the agenda as a block in today's daily note instead of `target`;
    a daily note that does not exist yet starts from the daily-notes template, its
    `{{time}}` filled with `now` (read by the caller: this module reads no clock).
    The whole run holds the vault's write lock: other mdfollow writers wait for it.
    """
    from mdfollow.store import VaultBusy, vault_lock

    try:
        with vault_lock(vault):
            return _refresh_locked(
                vault,
                settings,
                today,
                target,
                force,
                setting_problems,
                reader,
                changed,
                memo,
                last_written,
                daily,
                use_cache,
                now,
                progress,
            )
    except VaultBusy as exc:
        raise AgendaRefused(str(exc)) from None


def _refresh_locked(
    vault: Path,
    settings: Settings,
    today: date,
    target: Path,
    force: bool,
    setting_problems: list[Diagnostic] | None,
    reader: VaultReader | None,
    changed: set[str] | None,
    memo: Memo | None,
    last_written: bytes | None,
    daily: bool,
    use_cache: bool,
    now: time | None,
    progress: Progress | None = None,
) -> AgendaRun:
    inside = relative(target, vault)
    # The agenda_file setting's file is confined to the vault (a symlink there may not lead
    # out); a file the user named on the command line (--out) may be anywhere they say.
    confine = vault if target == vault / settings.agenda_file else None
    if reader is None:
        reader = VaultReader(
            vault, settings, setting_problems, (inside,) if inside and not daily else (), use_cache, progress
        )
        try:
            return _refresh_read(
                vault, settings, today, target, force, reader, changed, memo, last_written, daily, now, confine
            )
        finally:
            reader.close()
    return _refresh_read(
        vault, settings, today, target, force, reader, changed, memo, last_written, daily, now, confine
    )


def _refresh_read(
    vault: Path,
    settings: Settings,
    today: date,
    target: Path,
    force: bool,
    reader: VaultReader,
    changed: set[str] | None,
    memo: Memo | None,
    last_written: bytes | None,
    daily: bool,
    now: time | None,
    confine: Path | None,
) -> AgendaRun:
    if daily:
        target = vault / reader.daily.path_for(today)
    shown = relative(target, vault) or str(target)
    index = reader.index(changed, today)
    if not index.has_contacts():
        # An unmounted or mistyped vault must never wipe a real agenda.
        raise AgendaRefused(
            f"no contact notes found in {vault}; nothing written. Is this the right vault? "
            "`mdfollow init` looks for your people notes (by folder, tag or type) and sets mdfollow up to read them."
        )
    try:
        old = read_bytes(target)
    except OSError as exc:
        raise AgendaRefused(f"cannot read {shown}: {exc.strerror or exc}; is it a folder?") from None
    # Exactly what we wrote last time (watch mode), and it held nothing of the user's: nothing to read.
    ours = old is not None and old == last_written
    if daily:
        run = AgendaRun(build_agenda(index, today, settings, memo), index, "", False)
        start = old
        if old is None and reader.daily.template:
            start = _daily_template(vault, reader, today, now or time.min, shown, run)
        return _refresh_daily(vault, settings, today, target, shown, reader, old, start, ours, force, memo, run)
    old_text = old.decode("utf-8", "replace") if old is not None and not ours else ""
    reading = AgendaReading("ours")
    if old is not None and not ours:
        reading = read_agenda(old_text)
        if reading.state == "foreign":
            raise AgendaRefused(
                f"{shown} exists and was not written by mdfollow; move it away or choose another file with --out"
            )
        if reading.state == "edited" and not force:
            raise AgendaRefused(
                f"{shown} was edited by hand since mdfollow wrote it (beyond ticking boxes); "
                "keep your edits elsewhere, then run again with --force"
            )
    run = AgendaRun(build_agenda(index, today, settings, memo), index, "", False)
    carried = _record_ticks(vault, settings, today, index, [t for t in reading.ticks if t.ticked], shown, run)
    index = _after_ticks(run, reader, today, settings, memo)
    since = quiet_since(vault, run.agenda, settings)
    text, orphans = place_kept(render_agenda(run.agenda, index, carried, reading.statuses(), since), reading.kept)
    _report_moved(orphans, shown, "below the agenda's footer", run)
    tail = "".join(k.text + "\n" for k in orphans) + reading.tail
    run.text = reading.head + text + tail
    run.plain = not (carried or reading.kept or reading.statuses() or reading.head or reading.tail)
    run.written = _write_if_changed(target, run.text.encode("utf-8"), old, shown, confine)
    run.target = target
    return run


def _report_moved(orphans: list[Kept], shown: str, where: str, run: AgendaRun) -> None:
    """The user's lines whose neighbour is gone are kept elsewhere, and the user is told where."""
    for line in orphans:
        run.problems.append(
            warning(shown, line.line, f"a line you added was kept {where}: the line it followed is gone")
        )


def _refresh_daily(
    vault: Path,
    settings: Settings,
    today: date,
    target: Path,
    shown: str,
    reader: VaultReader,
    old: bytes | None,
    start: bytes | None,
    ours: bool,
    force: bool,
    memo: Memo | None,
    run: AgendaRun,
) -> AgendaRun:
    """The agenda as a block in today's daily note; every byte outside the block stays.

    `start` is the note's text so far: `old`, or the template a new note starts from.
    """
    index = run.index
    try:
        text = start.decode("utf-8") if start is not None else ""
    except UnicodeDecodeError:
        raise AgendaRefused(f"{shown} is not UTF-8; mdfollow will not write into it") from None
    block = find_block(text) if old is not None else None
    if block is not None and block[2].state == "edited" and not force and not ours:
        raise AgendaRefused(
            f"the mdfollow block in {shown} was edited by hand (beyond ticking boxes); "
            "move your edits out of it, then run again with --force"
        )
    reading = block[2] if block is not None and not ours else AgendaReading("ours")
    carried = _record_ticks(vault, settings, today, index, [t for t in reading.ticks if t.ticked], shown, run)
    index = _after_ticks(run, reader, today, settings, memo)
    newline = "\r\n" if "\r\n" in text else "\n"
    since = quiet_since(vault, run.agenda, settings)
    rendered, orphans = place_kept(render_block(run.agenda, index, carried, reading.statuses(), since), reading.kept)
    _report_moved(orphans, shown, "below the mdfollow block", run)
    new_block = (rendered + "".join(k.text + "\n" for k in orphans)).replace("\n", newline)
    if block is not None:
        new_text = text[: block[0]] + new_block + text[block[1] :]
    elif text:
        gap = "" if text.endswith(("\n", "\r")) else newline
        new_text = text + gap + (newline if text.strip() else "") + new_block
    else:
        new_text = new_block
    run.text = new_text
    run.plain = not (carried or reading.kept or reading.statuses())
    run.written = _write_if_changed(target, new_text.encode("utf-8"), old, shown, vault)
    run.target = target
    return run


def _daily_template(vault: Path, reader: VaultReader, today: date, now: time, shown: str, run: AgendaRun) -> bytes:
    """Today's new daily note from the daily-notes template, Obsidian's variables filled in."""
    from mdfollow.dates import fill_template
    from mdfollow.vault import template_formats

    template = reader.daily.template
    candidates = [template] if template.lower().endswith(".md") else [template + ".md", template]
    why = "is not in the vault"
    for rel in candidates:
        try:
            raw = read_bytes(vault / rel)
        except OSError as exc:
            raw, why = None, f"cannot be read ({exc.strerror or exc})"
        if raw is None:
            continue
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            why = "is not UTF-8"
            break
        title = shown.rsplit("/", 1)[-1].removesuffix(".md")
        _, time_format = template_formats(vault)
        filled = fill_template(text, today, now, title, reader.daily.format.format, time_format)
        return filled.encode("utf-8")
    run.problems.append(warning(template, None, f"the daily-notes template {why}; {shown} starts without it"))
    return b""


def _after_ticks(run: AgendaRun, reader: VaultReader, today: date, settings: Settings, memo: Memo | None) -> VaultIndex:
    """Re-read the notes a recorded tick changed and recompute the agenda from them."""
    if run.recorded:
        run.index = reader.index({item.contact.path for item, _ in run.recorded}, today)
        run.agenda = build_agenda(run.index, today, settings, memo)
    return run.index


def _write_if_changed(target: Path, new: bytes, old: bytes | None, shown: str, within: Path | None) -> bool:
    """Write `new` over exactly `old` (None: no file yet); False when they are equal.

    `within`: the vault, unless the user named the file on the command line."""
    if new == old:
        return False
    try:
        write_file(target, new, expected=old, within=within)
    except (WriteConflict, AlreadyExists):
        raise AgendaRefused(
            f"{shown} changed while mdfollow was working; run again (recorded ticks stay recorded)"
        ) from None
    except OSError as exc:
        raise AgendaRefused(f"cannot write {shown}: {exc.strerror or exc}") from None
    return True


def _record_ticks(
    vault: Path, settings: Settings, today: date, index: VaultIndex, ticks: list[Tick], shown: str, run: AgendaRun
) -> list[str]:
    """Record each ticked item once; return the ticked lines to carry over (never lose a tick)."""
    if not ticks:
        return []
    current: dict[str, FollowUp] = {}
    for contact in index.contacts:
        item = next_action(contact, index, today, settings)
        if item is not None:
            current[block_id(item)] = item
    carried: list[str] = []
    for tick in ticks:
        item = current.pop(tick.block_id, None) or _renamed(tick, index, current, shown)
        if item is None:
            if _already_recorded(vault, index, tick, shown) or _done_anyway(index, tick, today, settings, shown):
                continue
            carried.append(tick.text)
            run.problems.append(
                warning(
                    shown,
                    tick.line,
                    "this ticked item no longer matches the contact's next step, so nothing was recorded; "
                    "record it with `mdfollow log` if it is done",
                )
            )
            continue
        when = tick_date(tick, today)
        if tick.done is not None and when != tick.done:
            run.problems.append(
                warning(
                    shown,
                    tick.line,
                    f"the done date {tick.done.isoformat()} is after today; recorded as {today.isoformat()}",
                )
            )
        action = BY_NAME[item.action]
        event = Event(action.tick, when, note=action.tick_note(item), tag=tick.block_id)
        try:
            from mdfollow.record import record_event

            recorded = record_event(vault, item.contact.path, event, settings)
        except RecordProblem as exc:
            carried.append(tick.text)
            run.problems.append(error(shown, tick.line, f"tick not recorded: {exc}"))
            continue
        run.recorded.append((item, recorded))
    return carried


def tick_date(tick: Tick, today: date) -> date:
    """The day a tick is logged on: the Tasks plugin's done date when the line has one, never after today."""
    return tick.done if tick.done is not None and tick.done <= today else today


def _renamed(tick: Tick, index: VaultIndex, current: dict[str, FollowUp], source: str) -> FollowUp | None:
    """The item a tick was written for when its contact's note was renamed or moved since.

    The block id names the note's old path; the link Obsidian rewrote names the new
    one. The same action, due the same day, for that contact is the same item.
    """
    if tick.link is None or tick.action is None or tick.due is None:
        return None
    contact = index.resolve(tick.link, source)
    if contact is None:
        return None
    for ident, item in current.items():
        if item.contact.path == contact.path and item.action == tick.action and item.due == tick.due:
            del current[ident]
            return item
    return None


def _already_recorded(vault: Path, index: VaultIndex, tick: Tick, source: str) -> bool:
    contact = index.resolve(tick.link, source) if tick.link else None
    if contact is None:
        return False
    raw = read_bytes(vault / contact.path)
    return raw is not None and tick.block_id.encode() in raw


def quiet_since(vault: Path, agenda: Agenda, settings: Settings) -> dict[str, date]:
    """Note path -> the first unanswered try, for each contact gone quiet (their logs are read)."""
    from mdfollow.timeline import first_unanswered

    if agenda.since is not None:
        return dict(agenda.since)
    found = {}
    for quiet in agenda.gone_quiet:
        raw = read_bytes(vault / quiet.contact.path)
        text = raw.decode("utf-8", "replace") if raw is not None else ""
        first = first_unanswered(quiet.contact, text, settings.log_heading)
        if first is not None:
            found[quiet.contact.path] = first
    return found


def _done_anyway(index: VaultIndex, tick: Tick, today: date, settings: Settings, source: str) -> bool:
    """The note shows the ticked item was done another way (logged by hand): drop the tick quietly.

    Done: no item of that action is due by the ticked date any more, and the
    note holds the matching event (for an ask, a reply will do) dated no
    earlier than the day the item could first have shown in the agenda.
    """
    contact = index.resolve(tick.link, source) if tick.link else None
    action, due = tick.action, tick.due
    if contact is None or action is None or due is None:
        return False
    if any(c.action == action and c.due <= due for c in candidates(contact, index, today, settings)):
        return False
    kind = KINDS[BY_NAME[action].tick]
    # An ask is answered by a reply as well as done by a message; gratitude and news only by themselves.
    keys = (*kind.moves, "met", "last_contact") if kind.strike == "add" else kind.moves
    since = due - timedelta(days=settings.horizon_days)
    return any((day := getattr(contact, key)) is not None and since <= day <= today for key in keys)
