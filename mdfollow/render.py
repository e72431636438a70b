"""The agenda as Markdown and as JSON. Pure: values in, text out.

How a run reads back what was written here (ticks, whether a file is ours) is
in `ticks`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from mdfollow.actions import verb
from mdfollow.index import VaultIndex
from mdfollow.rules import Agenda, BirthdayItem, FollowUp
from mdfollow.ticks import BLOCK_START, CARRIED, MARKER, block_id, signature


def days(count: int) -> str:
    """'1 day', '7 days'."""
    return f"{count} day" + ("" if count == 1 else "s")


def one_line(text: str) -> str:
    return " ".join(text.split())


def plain_verb(item: FollowUp) -> str:
    """'Thank Priya Raman': what to do, for calendars and messages without links."""
    return verb(item).format(link=item.contact.name)


def task_line(item: FollowUp, index: VaultIndex, status: str = " ") -> str:
    link = index.link_for(item.contact)
    # Kept on the (immutable) item with what else it depends on: watch renders it save after save.
    kept = item.__dict__.get("_task_line")
    if kept is not None and kept[0] == link and kept[1] == status:
        return str(kept[2])
    text = verb(item).format(link=link) + ": " + one_line(item.reason)
    if item.also:
        text += f" (also: {', '.join(item.also)})"
    line = f"- [{status}] {text} 📅 {item.due.isoformat()} ^{block_id(item)}"
    item.__dict__["_task_line"] = (link, status, line)
    return line


def render_agenda(
    agenda: Agenda,
    index: VaultIndex,
    carried: Sequence[str] = (),
    statuses: Mapping[str, str] | None = None,
    since: Mapping[str, date] | None = None,
) -> str:
    """The agenda file.

    `statuses`: block id -> a status the user set that is kept (cancelled);
    `since`: note path -> first unanswered try, for the gone-quiet lines.
    """
    today = agenda.today
    title = f"# Follow-ups for {today.strftime('%A')} {today.day} {today.strftime('%B %Y')}"
    body = "\n".join([title, "", *_agenda_lines(agenda, index, carried, "##", statuses or {}, since or {})]) + "\n"
    return body + f"{MARKER} {signature(body)}: tick a box when it is done; the next run records it. %%\n"


def render_block(
    agenda: Agenda,
    index: VaultIndex,
    carried: Sequence[str] = (),
    statuses: Mapping[str, str] | None = None,
    since: Mapping[str, date] | None = None,
) -> str:
    """The agenda as a block for a daily note: what the agenda file says, between markers."""
    body = "\n".join(_agenda_lines(agenda, index, carried, "###", statuses or {}, since or {})) + "\n"
    return f"{BLOCK_START}\n{body}%% mdfollow agenda: end {signature(body)} %%\n"


def _agenda_lines(
    agenda: Agenda,
    index: VaultIndex,
    carried: Sequence[str],
    level: str,
    statuses: Mapping[str, str],
    since: Mapping[str, date],
) -> list[str]:
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
        ("Overdue", agenda.overdue()),
        ("Today", agenda.due_today()),
        (f"Coming up (next {days(agenda.horizon)})", agenda.upcoming()),
    ]
    if not agenda.items:
        lines += [f"Nothing is due in the next {days(agenda.horizon)}.", ""]
    for title, items in sections:
        if not items:
            continue
        lines += [f"{level} {title}", ""]
        lines += [task_line(item, index, statuses.get(block_id(item), " ")) for item in items]
        lines.append("")
    if agenda.birthdays:
        lines += [f"{level} Birthdays", ""]
        lines += [birthday_line(b, index, agenda.today) for b in agenda.birthdays]
        lines.append("")
    if agenda.gone_quiet:
        lines += [f"{level} Gone quiet", "", "No reply after the last try: wait until they write back.", ""]
        for quiet in agenda.gone_quiet:
            first = since.get(quiet.contact.path)
            if first is not None:
                when = f" since {first.isoformat()}"
            else:  # the log does not show the run's first try
                when = f", the last on {quiet.last_outreach.isoformat()}" if quiet.last_outreach else ""
            lines.append(f"- {index.link_for(quiet.contact)}: {quiet.strikes} messages unanswered{when}")
        lines.append("")
    problem_notes = len({p.path for p in agenda.problems})
    if problem_notes:
        noun = "note has" if problem_notes == 1 else "notes have"
        lines += [f"_{problem_notes} {noun} problems: run `mdfollow check` to see them._", ""]
    return lines


def birthday_line(birthday: BirthdayItem, index: VaultIndex, today: date) -> str:
    """A plain list line, not a task: a birthday is not a follow-up to tick off."""
    when = birthday.date
    day = f"{when.strftime('%A')} {when.day} {when.strftime('%B')}" + (
        f" {when.year}" if when.year != today.year else ""
    )
    if when == today:
        day = "today"
    age = f", turns {birthday.age}" if birthday.age is not None and birthday.age > 0 else ""
    return f"- 🎂 {index.link_for(birthday.contact)}: {day}{age}"


def agenda_json(agenda: Agenda) -> dict[str, Any]:
    return {
        "today": agenda.today.isoformat(),
        "items": [item_json(item, agenda) for item in agenda.items],
        "gone_quiet": [
            {
                "contact": q.contact.name,
                "note": q.contact.path,
                "strikes": q.strikes,
                "last_outreach": q.last_outreach.isoformat() if q.last_outreach else None,
            }
            for q in agenda.gone_quiet
        ],
        "problems": [p.to_json() for p in agenda.problems],
        "birthdays": [
            {"contact": b.contact.name, "note": b.contact.path, "date": b.date.isoformat()} for b in agenda.birthdays
        ],
    }


def item_json(item: FollowUp, agenda: Agenda) -> dict[str, Any]:
    return {
        "contact": item.contact.name,
        "note": item.contact.path,
        "action": item.action,
        "due": item.due.isoformat(),
        "days_overdue": item.days_overdue(agenda.today),
        "light_touch": item.light_touch,
        "reason": one_line(item.reason),
        "also": list(item.also),
    }
