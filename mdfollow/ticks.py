"""Ticks and ownership: how a run reads back the agenda it wrote.

Pure. Each item carries a block id (`^mf-…`) made from the contact, the action
and the due date, so a ticked box is matched to exactly the item it was written
for, wherever the id sits on the line and whatever Obsidian or the Tasks plugin
did to the rest of it (a done date, a cancelled status, fields moved, a link
rewritten after a rename). The agenda file and the daily-note block end with a
signature of the lines mdfollow wrote, taken as they were before Obsidian
touched them, which tells mdfollow's own files apart from files it did not
write and from hand edits. Lines the user added are read back too, so that the
next run keeps them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from mdfollow.actions import ACTIONS, LIGHT_NUDGE_VERB
from mdfollow.links import first_link_target

if TYPE_CHECKING:
    from mdfollow.rules import FollowUp

MARKER = "%% mdfollow agenda"
CARRIED = "## Ticked, not recorded"
_CARRIED_SECTION = re.compile(
    r"^#{2,3} Ticked, not recorded\n.*?(?=^#{2,3} |^%% mdfollow agenda|\Z)", re.MULTILINE | re.DOTALL
)
_MARKER_LINE = re.compile(r"^%% mdfollow agenda ([0-9a-f]{16})\b.*%%[ \t]*$", re.MULTILINE)
_TICK = re.compile(r"^(\s*[-*+] )\[[xX]\]", re.MULTILINE)
BLOCK_START = "%% mdfollow agenda: start %%"
_BLOCK = re.compile(
    r"^%% mdfollow agenda: start %%[ \t]*\r?\n(.*?)^%% mdfollow agenda: end ([0-9a-f]{16}) %%[ \t]*(?:\r?\n|\Z)",
    re.MULTILINE | re.DOTALL,
)

# What Obsidian and the Tasks plugin may do to a line mdfollow wrote: change the
# status (`[x]`, `[-]` cancelled, custom symbols), add a done or cancelled date,
# move the emoji fields around, rewrite the link after a rename. The block id
# stays, wherever it ends up on the line.
_TASK_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)])[ \t]+\[(.)\][ \t]?(.*)$")
_BLOCK_ID = re.compile(r"(?:^|\s)\^(mf-[0-9a-f]{8})(?=\s|$)")
_DONE_DATE = re.compile(r"✅\ufe0f?[ \t]*(\d{4}-\d{2}-\d{2})|\[completion::[ \t]*(\d{4}-\d{2}-\d{2})[ \t]*\]")
_DUE_DATE = re.compile(r"(?:📅|📆|🗓)\ufe0f?[ \t]*(\d{4}-\d{2}-\d{2})|\[due::[ \t]*(\d{4}-\d{2}-\d{2})[ \t]*\]")
# The Tasks plugin's fields (emoji and Dataview forms): the description ends where they start.
_TASKS_FIELD = re.compile(
    r"(?:[🔺⏫🔼🔽⏬]|🔁|🏁|➕|🛫|⏳|⌛|📅|📆|🗓|✅|❌|🆔|⛔)\ufe0f?|\[(?:due|completion|created|start|scheduled|"
    r"cancelled|priority|repeat|onCompletion|id|dependsOn)::"
)
_TASK_CANON = "task: "  # how a task line starts in its canonical form
_WIKI = re.compile(r"\[\[[^\[\]\n]*\]\]")
_MDLINK = re.compile(r"\[([^\[\]\n]*)\]\((?:<[^>\n]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)")
_TITLE = re.compile(r"^# Follow-ups for .+$", re.MULTILINE)
# The lines mdfollow writes besides task lines: anything else is the user's.
_OURS = re.compile(
    r"(?:# Follow-ups for .+|#{2,3} (?:Overdue|Today|Coming up \(next \d+ days\)|Birthdays|Gone quiet|Ticked, not recorded)"
    r"|Nothing is due in the next \d+ days\.|No reply after the last try: wait until they write back\."
    r"|These ticks no longer match an item .*|_\d+ notes? ha(?:s|ve) problems: run `mdfollow check` to see them\._"
    r"|- .+: \d+ messages unanswered(?: since \d{4}-\d{2}-\d{2})?"
    r"|- 🎂 .+: (?:today|[A-Z][a-z]+ \d{1,2} [A-Z][a-z]+(?: \d{4})?)(?:, turns \d+)?)$"
)
# The action a line's words name: for a tick whose block id names a renamed note's old path.
_VERB_PATTERNS = tuple(
    (name, re.compile("^" + re.escape(words).replace(re.escape("{link}"), ".+?") + ":"))
    for name, words in [("nudge", LIGHT_NUDGE_VERB), *((a.name, a.verb) for a in ACTIONS)]
)


def block_id(item: FollowUp) -> str:
    """Stable per contact, action and due date: a tick matches only the item it was written for."""
    found = item.__dict__.get("_block_id")  # kept on the (immutable) item: watch renders it save after save
    if found is None:
        when = "undated" if item.undated else item.due.isoformat()
        key = f"{item.contact.path}\n{item.action}\n{when}\n{item.attempt}".encode()
        found = item.__dict__["_block_id"] = "mf-" + hashlib.blake2b(key, digest_size=4).hexdigest()
    return str(found)


@dataclass(frozen=True)
class Tick:
    """A task line with an mdfollow block id, in a file mdfollow wrote.

    `status` is the symbol between the brackets: `x`/`X` is done, anything else
    (`-` cancelled, `/` in progress) is not, and is kept on the line while the
    item stays the same.
    """

    line: int
    block_id: str
    text: str
    link: str | None  # the contact the line links to, as the link is now written
    status: str = "x"
    done: date | None = None  # the Tasks plugin's done date (✅), when it added one
    due: date | None = None  # the line's due date (📅)
    action: str | None = None  # the action its words name, for lines whose id no longer fits

    @property
    def ticked(self) -> bool:
        return self.status in "xX"


@dataclass(frozen=True)
class Kept:
    """A line the user added inside the agenda: it goes back after what it followed."""

    line: int
    text: str
    anchor: str  # the block id (`^mf-...`) or the line mdfollow wrote that it followed
    gap: int = 0  # blank lines just above it, so it goes back exactly where it was
    after: int = 0  # blank lines just below it


@dataclass(frozen=True)
class AgendaReading:
    """What an agenda file (or a daily note's block) holds besides what mdfollow wrote."""

    state: str  # 'ours', 'edited' (changed beyond what Obsidian and Tasks do) or 'foreign'
    ticks: tuple[Tick, ...] = ()
    kept: tuple[Kept, ...] = ()
    head: str = ""  # the file's text above the title, kept as it is
    tail: str = ""  # the file's text below the footer, kept as it is

    def statuses(self) -> dict[str, str]:
        """Block id -> a status to keep (cancelled, in progress): such a line is not done."""
        return {t.block_id: t.status for t in self.ticks if not t.ticked and t.status != " "}


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _action_of(description: str) -> str | None:
    for action, verb in _VERB_PATTERNS:
        if verb.match(description):
            return action
    return None


def read_task(line: str, number: int) -> Tick | None:
    """The mdfollow task on a line, whatever Obsidian or Tasks did to the rest of it."""
    task = _TASK_LINE.match(line)
    if task is None or "^mf-" not in line:
        return None
    ident = _BLOCK_ID.search(task.group(2))
    if ident is None:
        return None
    rest = task.group(2)
    done = _DONE_DATE.search(rest)
    due = _DUE_DATE.search(rest)
    return Tick(
        number,
        ident.group(1),
        line.strip(),
        first_link_target(rest),
        task.group(1),
        _parse_day(done and (done.group(1) or done.group(2))),
        _parse_day(due and (due.group(1) or due.group(2))),
        _action_of(_description(rest)),
    )


def read_ticks(text: str) -> list[Tick]:
    """Every ticked mdfollow task line in the text."""
    ticks = []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        tick = read_task(line, number)
        if tick is not None and tick.ticked:
            ticks.append(tick)
    return ticks


def _description(rest: str) -> str:
    """A task's words: before the first Tasks field, without the block id."""
    rest = _BLOCK_ID.sub(" ", rest)
    field = _TASKS_FIELD.search(rest)
    return " ".join((rest[: field.start()] if field else rest).split())


@lru_cache(maxsize=16384)  # watch renders the same lines save after save
def _canonical(line: str) -> str | None:
    """A line mdfollow wrote, as it was before Obsidian or Tasks touched it; None for the user's own."""
    stripped = line.strip()
    if not stripped:
        return ""
    task = _TASK_LINE.match(line)
    if task is not None:
        ident = _BLOCK_ID.search(task.group(2))
        if ident is None:
            return None
        return _TASK_CANON + _blank_links(_description(task.group(2))) + " ^" + ident.group(1)
    if _OURS.match(stripped):
        return _blank_links(" ".join(stripped.split()))
    return None


def _blank_links(text: str) -> str:
    """Links emptied: Obsidian rewrites them when a note is renamed."""
    if "[" not in text:
        return text
    return _MDLINK.sub("[]()", _WIKI.sub("[[]]", text))


def _anchor(line: str, canonical: str) -> str:
    """What a user's line is kept under: a task by its id, the title whatever its date, else the line."""
    ident = _BLOCK_ID.search(line)
    if ident is not None and canonical.startswith(_TASK_CANON):
        return "^" + ident.group(1)
    return "# Follow-ups" if canonical.startswith("# Follow-ups for ") else canonical


def read_body(body: str, first_line: int) -> tuple[str, list[Tick], list[Kept]]:
    """The signature of a body mdfollow wrote, its mdfollow task lines, and the lines the user added."""
    ticks: list[Tick] = []
    kept: list[Kept] = []
    anchor = ""
    blanks = 0
    lines = body.split("\n")
    if body.endswith("\n"):
        lines.pop()
    after_kept = False  # the last line that was not blank was the user's
    for offset, line in enumerate(lines):
        canonical = _canonical(line)
        if not canonical and not line.strip():
            blanks += 1
            if after_kept:
                kept[-1] = dataclasses.replace(kept[-1], after=blanks)
            continue
        after_kept = canonical is None
        if canonical is None:
            kept.append(Kept(first_line + offset, line, anchor, blanks))
            blanks = 0
            continue
        blanks = 0
        if canonical:
            anchor = _anchor(line, canonical)
            if canonical.startswith(_TASK_CANON):
                tick = read_task(line, first_line + offset)
                if tick is not None:
                    ticks.append(tick)
    return signature(body), ticks, kept


def find_block(text: str) -> tuple[int, int, AgendaReading] | None:
    """(start, end, what it holds) of the mdfollow block in a note; ticks carry file lines."""
    m = _BLOCK.search(text)
    if m is None:
        return None
    body = m.group(1).replace("\r\n", "\n")
    first = text.count("\n", 0, m.start(1)) + 1
    sig, ticks, kept = read_body(body, first)
    ours = m.group(2) in (sig, _legacy_signature(body))
    return m.start(), m.end(), AgendaReading("ours" if ours else "edited", tuple(ticks), tuple(kept))


def place_kept(text: str, kept: Sequence[Kept]) -> tuple[str, list[Kept]]:
    """Put the user's lines back after the lines they followed; those whose line is gone are returned."""
    if not kept:
        return text, []
    by_anchor: dict[str, list[Kept]] = {}
    for one in kept:
        by_anchor.setdefault(one.anchor, []).append(one)
    out: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        canonical = _canonical(line)
        group = by_anchor.pop(_anchor(line, canonical), None) if canonical else None
        if not group:
            continue
        # The user's blank lines take the place of mdfollow's here, so an unchanged agenda
        # comes out byte for byte the same (watch must not rewrite a file being typed in).
        free = 0
        while i + free < len(lines) - 1 and not lines[i + free].strip():
            free += 1
        i += free
        for one in group:
            out += [""] * one.gap + [one.text]
        out += [""] * max(group[-1].after, free - group[0].gap)
    placed = {a for a in {k.anchor for k in kept} if a not in by_anchor}
    return "\n".join(out), [k for k in kept if k.anchor not in placed]


def signature(body: str) -> str:
    """A hash of the lines mdfollow wrote, as they were before Obsidian or Tasks touched
    them (status, Tasks fields and links left out), without the carried ticks and
    the lines the user added: tells hand edits apart."""
    if "Ticked, not recorded" in body:  # a plain search first: the regex walks every line
        body = _CARRIED_SECTION.sub("", body)
    lines: list[str] = []
    seen: set[str] = set()
    for canonical in map(_canonical, body.split("\n")):
        if not canonical:
            continue
        if canonical.startswith(_TASK_CANON):
            # A recurring task's next occurrence, which Tasks puts above the done one, repeats the id.
            ident = canonical.rsplit(" ^", 1)[1]
            if ident in seen:
                continue
            seen.add(ident)
        lines.append(canonical)
    return hashlib.blake2b("\n".join(lines).encode(), digest_size=8).hexdigest()


def _legacy_signature(body: str) -> str:
    """The signature agendas written before mdfollow 0.2's were signed with."""
    body = _CARRIED_SECTION.sub("", body)
    return hashlib.blake2b(_TICK.sub(r"\1[ ]", body).encode(), digest_size=8).hexdigest()


def read_agenda(text: str) -> AgendaReading:
    """What an agenda file holds: 'foreign' when mdfollow did not write it."""
    text = text.replace("\r\n", "\n")
    markers = list(_MARKER_LINE.finditer(text))
    if not markers:
        return AgendaReading("foreign")
    m = markers[-1]
    title = _TITLE.search(text, 0, m.start())
    start = title.start() if title is not None else 0
    body = text[start : m.start()]
    sig, ticks, kept = read_body(body, text.count("\n", 0, start) + 1)
    ours = m.group(1) in (sig, _legacy_signature(text[: m.start()]))
    tail = text[m.end() + 1 :] if m.end() < len(text) else ""
    return AgendaReading("ours" if ours else "edited", tuple(ticks), tuple(kept), text[:start], tail)


def agenda_state(text: str) -> str:
    """'ours' (untouched but for what Obsidian and Tasks do), 'edited' (changed by hand) or 'foreign'."""
    return read_agenda(text).state
