"""The agenda as Markdown and as JSON. Pure: values in, text out.

How a run reads back what was written here (ticks, whether a file is ours) is
in `ticks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from mdfollow.actions import verb
from mdfollow.diagnostics import Diagnostic
from mdfollow.index import VaultIndex
from mdfollow.rules import Agenda, FollowUp, GoneQuiet
from mdfollow.ticks import BLOCK_START, CARRIED, MARKER, block_id, signature


def one_line(text: str) -> str:
    return " ".join(text.split())


def plain_verb(item: FollowUp) -> str:
    """'Thank Priya Raman': what to do, for calendars and messages without links."""
    return verb(item).format(link=item.contact.name)


def task_line(item: FollowUp, index: VaultIndex) -> str:
    link = index.link_for(item.contact)
    text = verb(item).format(link=link) + ": " + one_line(item.reason)
    if item.also:
        text += f" (also: {', '.join(item.also)})"
    return f"- [ ] {text} 📅 {item.due.isoformat()} ^{block_id(item)}"


@dataclass(frozen=True)
class AgendaView:
    """The agenda with each item already rendered: what the Markdown and the JSON are made of.

    Built from an `Agenda` (`view_of`) or from results kept per contact by the
    index store; both give the same bytes. Items are in agenda order.
    """

    today: date
    horizon: int
    overdue: tuple[str, ...]  # task lines
    due_today: tuple[str, ...]
    upcoming: tuple[str, ...]
    gone_quiet: tuple[str, ...]  # gone-quiet lines
    items_json: tuple[dict[str, Any], ...]
    quiet_json: tuple[dict[str, Any], ...]
    problems: tuple[Diagnostic, ...]
    contacts: int = 0
    notes_read: int = 0
    notes_skipped: int = 0

    def counts(self) -> str:
        return f"{len(self.overdue)} overdue, {len(self.due_today)} today, {len(self.upcoming)} coming up"


def view_of(agenda: Agenda, index: VaultIndex) -> AgendaView:
    today = agenda.today
    lines = [(item.due, task_line(item, index)) for item in agenda.items]
    return AgendaView(
        today=today,
        horizon=agenda.horizon,
        overdue=tuple(line for due, line in lines if due < today),
        due_today=tuple(line for due, line in lines if due == today),
        upcoming=tuple(line for due, line in lines if due > today),
        gone_quiet=tuple(quiet_line(q, index) for q in agenda.gone_quiet),
        items_json=tuple(item_json(item, today) for item in agenda.items),
        quiet_json=tuple(quiet_json(q) for q in agenda.gone_quiet),
        problems=agenda.problems,
        contacts=len(index.contacts),
        notes_read=index.notes_read,
        notes_skipped=index.notes_skipped,
    )


def quiet_line(quiet: GoneQuiet, index: VaultIndex) -> str:
    since = f" since {quiet.last_outreach.isoformat()}" if quiet.last_outreach else ""
    return f"- {index.link_for(quiet.contact)}: {quiet.strikes} messages unanswered{since}"


def quiet_json(quiet: GoneQuiet) -> dict[str, Any]:
    return {
        "contact": quiet.contact.name,
        "note": quiet.contact.path,
        "strikes": quiet.strikes,
        "last_outreach": quiet.last_outreach.isoformat() if quiet.last_outreach else None,
    }


def render_agenda(agenda: AgendaView, carried: Sequence[str] = ()) -> str:
    today = agenda.today
    title = f"# Follow-ups for {today.strftime('%A')} {today.day} {today.strftime('%B %Y')}"
    body = "\n".join([title, "", *_agenda_lines(agenda, carried, "##")]) + "\n"
    return body + f"{MARKER} {signature(body)}: tick a box when it is done; the next run records it. %%\n"


def render_block(agenda: AgendaView, carried: Sequence[str] = ()) -> str:
    """The agenda as a block for a daily note: what the agenda file says, between markers."""
    body = "\n".join(_agenda_lines(agenda, carried, "###")) + "\n"
    return f"{BLOCK_START}\n{body}%% mdfollow agenda: end {signature(body)} %%\n"


def _agenda_lines(agenda: AgendaView, carried: Sequence[str], level: str) -> list[str]:
    lines: list[str] = []
    if carried:
        lines += [
            CARRIED.replace("##", level, 1),
            "",
            "These ticks no longer match an item (the contact's next step changed), so nothing was recorded. "
            "Record what you did with `mdfollow log`, then delete the line.",
            "",
            *carried,
            "",
        ]
    sections = [
        ("Overdue", agenda.overdue),
        ("Today", agenda.due_today),
        (f"Coming up (next {agenda.horizon} days)", agenda.upcoming),
    ]
    if not agenda.items_json:
        lines += [f"Nothing is due in the next {agenda.horizon} days.", ""]
    for title, items in sections:
        if not items:
            continue
        lines += [f"{level} {title}", ""]
        lines += items
        lines.append("")
    if agenda.gone_quiet:
        lines += [f"{level} Gone quiet", "", "No reply after the last try: wait until they write back.", ""]
        lines += agenda.gone_quiet
        lines.append("")
    problem_notes = len({p.path for p in agenda.problems})
    if problem_notes:
        noun = "note has" if problem_notes == 1 else "notes have"
        lines += [f"_{problem_notes} {noun} problems: run `mdfollow check` to see them._", ""]
    return lines


def agenda_json(agenda: AgendaView) -> dict[str, Any]:
    return {
        "today": agenda.today.isoformat(),
        "items": list(agenda.items_json),
        "gone_quiet": list(agenda.quiet_json),
        "problems": [p.to_json() for p in agenda.problems],
    }


def item_json(item: FollowUp, today: date) -> dict[str, Any]:
    return {
        "contact": item.contact.name,
        "note": item.contact.path,
        "action": item.action,
        "due": item.due.isoformat(),
        "days_overdue": item.days_overdue(today),
        "light_touch": item.light_touch,
        "reason": one_line(item.reason),
        "also": list(item.also),
    }
