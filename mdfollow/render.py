"""The agenda as Markdown and as JSON. Pure: values in, text out."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from mdfollow.index import VaultIndex
from mdfollow.rules import Agenda, BirthdayItem, FollowUp

MARKER = "%% mdfollow agenda"
CARRIED = "## Ticked, not recorded"
_CARRIED_SECTION = re.compile(
    r"^#{2,3} Ticked, not recorded\n.*?(?=^#{2,3} |^%% mdfollow agenda|\Z)", re.MULTILINE | re.DOTALL
)
_TICKED_ITEM = re.compile(r"^\s*[-*+] \[[xX]\] .*\^(mf-[0-9a-f]{8})\s*$")
_FIRST_LINK = re.compile(r"\[\[([^\]|#]+)")
_MARKER_LINE = re.compile(r"^%% mdfollow agenda ([0-9a-f]{16})\b.*%%\s*$", re.MULTILINE)
_TICK = re.compile(r"^(\s*[-*+] )\[[xX]\]", re.MULTILINE)

_VERBS = {
    "thank": "Thank {link}",
    "reach-out": "Reach out to {link}",
    "nudge": "Nudge {link}",
    "tell-referrer": "Tell {link} how it went",
    "report-back": "Report back to {link}",
    "update": "Update {link}",
    "scheduled": "Follow up with {link} as promised",
    "check-in": "Check in with {link}",
}


def one_line(text: str) -> str:
    return " ".join(text.split())


def block_id(item: FollowUp) -> str:
    """Stable per contact, action and due date: a tick matches only the item it was written for."""
    when = "undated" if item.undated else item.due.isoformat()
    key = f"{item.contact.path}\n{item.action}\n{when}\n{item.attempt}".encode()
    return "mf-" + hashlib.blake2b(key, digest_size=4).hexdigest()


def plain_verb(item: FollowUp) -> str:
    """'Thank Priya Raman': what to do, for calendars and messages without links."""
    verb = "Send a last, light nudge to {link}" if item.action == "nudge" and item.light_touch else _VERBS[item.action]
    return verb.format(link=item.contact.name)


def task_line(item: FollowUp, index: VaultIndex) -> str:
    link = index.link_for(item.contact)
    verb = "Send a last, light nudge to {link}" if item.action == "nudge" and item.light_touch else _VERBS[item.action]
    text = verb.format(link=link) + ": " + one_line(item.reason)
    if item.also:
        text += f" (also: {', '.join(item.also)})"
    return f"- [ ] {text} 📅 {item.due.isoformat()} ^{block_id(item)}"


@dataclass(frozen=True)
class Tick:
    """A ticked task line with an mdfollow block id, in a file mdfollow wrote."""

    line: int
    block_id: str
    text: str
    link: str | None  # the contact the line links to


def read_ticks(text: str) -> list[Tick]:
    ticks = []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        m = _TICKED_ITEM.match(line)
        if m:
            link = _FIRST_LINK.search(line)
            ticks.append(Tick(number, m.group(1), line.strip(), link.group(1).strip() if link else None))
    return ticks


def render_agenda(agenda: Agenda, index: VaultIndex, carried: Sequence[str] = ()) -> str:
    today = agenda.today
    title = f"# Follow-ups for {today.strftime('%A')} {today.day} {today.strftime('%B %Y')}"
    body = "\n".join([title, "", *_agenda_lines(agenda, index, carried, "##")]) + "\n"
    return body + f"{MARKER} {signature(body)}: tick a box when it is done; the next run records it. %%\n"


BLOCK_START = "%% mdfollow agenda: start %%"
_BLOCK = re.compile(
    r"^%% mdfollow agenda: start %%[ \t]*\r?\n(.*?)^%% mdfollow agenda: end ([0-9a-f]{16}) %%[ \t]*(?:\r?\n|\Z)",
    re.MULTILINE | re.DOTALL,
)


def render_block(agenda: Agenda, index: VaultIndex, carried: Sequence[str] = ()) -> str:
    """The agenda as a block for a daily note: what the agenda file says, between markers."""
    body = "\n".join(_agenda_lines(agenda, index, carried, "###")) + "\n"
    return f"{BLOCK_START}\n{body}%% mdfollow agenda: end {signature(body)} %%\n"


def find_block(text: str) -> tuple[int, int, str] | None:
    """(start, end, state) of the mdfollow block in a note; state as in agenda_state."""
    m = _BLOCK.search(text)
    if m is None:
        return None
    body = m.group(1).replace("\r\n", "\n")
    return m.start(), m.end(), "ours" if signature(body) == m.group(2) else "edited"


def _agenda_lines(agenda: Agenda, index: VaultIndex, carried: Sequence[str], level: str) -> list[str]:
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
        (f"Coming up (next {agenda.horizon} days)", agenda.upcoming()),
    ]
    if not agenda.items:
        lines += [f"Nothing is due in the next {agenda.horizon} days.", ""]
    for title, items in sections:
        if not items:
            continue
        lines += [f"{level} {title}", ""]
        lines += [task_line(item, index) for item in items]
        lines.append("")
    if agenda.birthdays:
        lines += [f"{level} Birthdays", ""]
        lines += [birthday_line(b, index, agenda.today) for b in agenda.birthdays]
        lines.append("")
    if agenda.gone_quiet:
        lines += [f"{level} Gone quiet", "", "No reply after the last try: wait until they write back.", ""]
        for quiet in agenda.gone_quiet:
            since = f" since {quiet.last_outreach.isoformat()}" if quiet.last_outreach else ""
            lines.append(f"- {index.link_for(quiet.contact)}: {quiet.strikes} messages unanswered{since}")
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


def signature(body: str) -> str:
    """A hash of the agenda with ticks undone and carried ticks left out: tells hand edits apart."""
    body = _CARRIED_SECTION.sub("", body)
    return hashlib.blake2b(_TICK.sub(r"\1[ ]", body).encode(), digest_size=8).hexdigest()


def agenda_state(text: str) -> str:
    """'ours' (untouched but for ticks), 'edited' (changed by hand) or 'foreign' (not ours)."""
    text = text.replace("\r\n", "\n")
    markers = list(_MARKER_LINE.finditer(text))
    if not markers:
        return "foreign"
    m = markers[-1]
    return "ours" if signature(text[: m.start()]) == m.group(1) else "edited"


def agenda_json(agenda: Agenda, index: VaultIndex) -> dict[str, Any]:
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
