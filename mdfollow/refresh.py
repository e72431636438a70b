"""Regenerating the agenda: record what was ticked, then write what is due.

Shared by `agenda` and `watch`. The order matters: ticks are recorded in the
contacts' notes first (each carries its block id, so it is recorded once even
if a later step fails), the vault is read again, and only then is the agenda
file replaced, and only if its bytes change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from mdfollow.actions import BY_NAME
from mdfollow.diagnostics import Diagnostic, error, warning
from mdfollow.errors import AgendaRefused, AlreadyExists, RecordProblem, UsageError, WriteConflict
from mdfollow.events import KINDS, Event
from mdfollow.index import VaultIndex
from mdfollow.record import Recorded, record_event
from mdfollow.render import render_agenda, render_block
from mdfollow.rules import Agenda, FollowUp, Memo, build_agenda, candidates, next_action
from mdfollow.settings import Settings
from mdfollow.store import read_bytes, write_file
from mdfollow.ticks import Tick, agenda_state, block_id, find_block, read_ticks, ticked_item
from mdfollow.vault import VaultReader, relative


@dataclass
class AgendaRun:
    agenda: Agenda
    index: VaultIndex
    text: str
    written: bool
    recorded: list[tuple[FollowUp, Recorded]] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)  # about ticks
    target: Path | None = None  # the file the agenda is in: the agenda file, or today's daily note

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
) -> AgendaRun:
    """Record ticks and write the agenda. With a `reader`, only `changed` notes are read again.

    `daily`: write the agenda as a block in today's daily note instead of `target`.
    """
    inside = relative(target, vault)
    if reader is None:
        reader = VaultReader(vault, settings, setting_problems, (inside,) if inside and not daily else (), use_cache)
    if daily:
        target = vault / reader.daily.path_for(today)
    shown = relative(target, vault) or str(target)
    index = reader.index(changed)
    if not index.contacts:
        # An unmounted or mistyped vault must never wipe a real agenda.
        raise AgendaRefused(
            f"no contact notes found in {vault}; nothing written. Is this the right vault? "
            "A contact note has `type: contact` in its front matter."
        )
    try:
        old = read_bytes(target)
    except OSError as exc:
        raise AgendaRefused(f"cannot read {shown}: {exc.strerror or exc}; is it a folder?") from None
    # Exactly what we wrote last time (watch mode): no ticks to read, nothing edited by hand.
    ours = old is not None and old == last_written
    if daily:
        return _refresh_daily(vault, settings, today, target, shown, index, reader, old, ours, force, memo)
    old_text = old.decode("utf-8", "replace") if old is not None and not ours else ""
    if old is not None and not ours:
        state = agenda_state(old_text)
        if state == "foreign":
            raise AgendaRefused(
                f"{shown} exists and was not written by mdfollow; move it away or choose another file with --out"
            )
        if state == "edited" and not force:
            raise AgendaRefused(
                f"{shown} was edited by hand since mdfollow wrote it (beyond ticking boxes); "
                "keep your edits elsewhere, then run again with --force"
            )
    run = AgendaRun(build_agenda(index, today, settings, memo), index, "", False)
    carried = _record_ticks(vault, settings, today, index, read_ticks(old_text), shown, run)
    index = _after_ticks(run, reader, today, settings, memo)
    run.text = render_agenda(run.agenda, index, carried, quiet_since(vault, run.agenda, settings))
    run.written = _write_if_changed(target, run.text.encode("utf-8"), old, shown)
    run.target = target
    return run


def _refresh_daily(
    vault: Path,
    settings: Settings,
    today: date,
    target: Path,
    shown: str,
    index: VaultIndex,
    reader: VaultReader,
    old: bytes | None,
    ours: bool,
    force: bool,
    memo: Memo | None,
) -> AgendaRun:
    """The agenda as a block in today's daily note; every byte outside the block stays."""
    try:
        text = old.decode("utf-8") if old is not None else ""
    except UnicodeDecodeError:
        raise AgendaRefused(f"{shown} is not UTF-8; mdfollow will not write into it") from None
    block = find_block(text) if old is not None else None
    if block is not None and block[2] == "edited" and not force and not ours:
        raise AgendaRefused(
            f"the mdfollow block in {shown} was edited by hand (beyond ticking boxes); "
            "move your edits out of it, then run again with --force"
        )
    run = AgendaRun(build_agenda(index, today, settings, memo), index, "", False)
    ticks: list[Tick] = []
    if block is not None and not ours:
        first = text.count("\n", 0, block[0])
        ticks = [Tick(t.line + first, t.block_id, t.text, t.link) for t in read_ticks(text[block[0] : block[1]])]
    carried = _record_ticks(vault, settings, today, index, ticks, shown, run)
    index = _after_ticks(run, reader, today, settings, memo)
    newline = "\r\n" if "\r\n" in text else "\n"
    since = quiet_since(vault, run.agenda, settings)
    new_block = render_block(run.agenda, index, carried, since).replace("\n", newline)
    if block is not None:
        new_text = text[: block[0]] + new_block + text[block[1] :]
    elif text:
        gap = "" if text.endswith(("\n", "\r")) else newline
        new_text = text + gap + (newline if text.strip() else "") + new_block
    else:
        new_text = new_block
    run.text = new_text
    run.written = _write_if_changed(target, new_text.encode("utf-8"), old, shown)
    run.target = target
    return run


def _after_ticks(run: AgendaRun, reader: VaultReader, today: date, settings: Settings, memo: Memo | None) -> VaultIndex:
    """Re-read the notes a recorded tick changed and recompute the agenda from them."""
    if run.recorded:
        run.index = reader.index({item.contact.path for item, _ in run.recorded})
        run.agenda = build_agenda(run.index, today, settings, memo)
    return run.index


def _write_if_changed(target: Path, new: bytes, old: bytes | None, shown: str) -> bool:
    """Write `new` over exactly `old` (None: no file yet); False when they are equal."""
    if new == old:
        return False
    try:
        write_file(target, new, expected=old)
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
        item = current.pop(tick.block_id, None)
        if item is None:
            if _already_recorded(vault, index, tick) or _done_anyway(index, tick, today, settings):
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
        action = BY_NAME[item.action]
        event = Event(action.tick, today, note=action.tick_note(item), tag=tick.block_id)
        try:
            recorded = record_event(vault, item.contact.path, event, settings)
        except RecordProblem as exc:
            carried.append(tick.text)
            run.problems.append(error(shown, tick.line, f"tick not recorded: {exc}"))
            continue
        run.recorded.append((item, recorded))
    return carried


def _already_recorded(vault: Path, index: VaultIndex, tick: Tick) -> bool:
    contact = index.resolve(tick.link) if tick.link else None
    if contact is None:
        return False
    raw = read_bytes(vault / contact.path)
    return raw is not None and tick.block_id.encode() in raw


def quiet_since(vault: Path, agenda: Agenda, settings: Settings) -> dict[str, date]:
    """Note path -> the first unanswered try, for each contact gone quiet (their logs are read)."""
    from mdfollow.timeline import first_unanswered

    found = {}
    for quiet in agenda.gone_quiet:
        raw = read_bytes(vault / quiet.contact.path)
        text = raw.decode("utf-8", "replace") if raw is not None else ""
        first = first_unanswered(quiet.contact, text, settings.log_heading)
        if first is not None:
            found[quiet.contact.path] = first
    return found


def _done_anyway(index: VaultIndex, tick: Tick, today: date, settings: Settings) -> bool:
    """The note shows the ticked item was done another way (logged by hand): drop the tick quietly.

    Done: no item of that action is due by the ticked date any more, and the
    note holds the matching event (for an ask, a reply will do) dated no
    earlier than the day the item could first have shown in the agenda.
    """
    contact = index.resolve(tick.link) if tick.link else None
    read = ticked_item(tick.text)
    if contact is None or read is None:
        return False
    action, due_text = read
    try:
        due = date.fromisoformat(due_text)
    except ValueError:
        return False
    if any(c.action == action and c.due <= due for c in candidates(contact, index, today, settings)):
        return False
    kind = KINDS[BY_NAME[action].tick]
    # An ask is answered by a reply as well as done by a message; gratitude and news only by themselves.
    keys = (*kind.moves, "met", "last_contact") if kind.strike == "add" else kind.moves
    since = due - timedelta(days=settings.horizon_days)
    return any((day := getattr(contact, key)) is not None and since <= day <= today for key in keys)
