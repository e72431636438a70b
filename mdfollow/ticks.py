"""Ticks and ownership: how a run reads back the agenda it wrote.

Pure. Each item carries a block id (`^mf-…`) made from the contact, the action
and the due date, so a ticked box is matched to exactly the item it was written
for. The agenda file and the daily-note block end with a signature of what was
written (ticks undone, carried ticks left out), which tells mdfollow's own
files apart from files it did not write and from hand edits.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mdfollow.rules import FollowUp

MARKER = "%% mdfollow agenda"
CARRIED = "## Ticked, not recorded"
_CARRIED_SECTION = re.compile(
    r"^#{2,3} Ticked, not recorded\n.*?(?=^#{2,3} |^%% mdfollow agenda|\Z)", re.MULTILINE | re.DOTALL
)
_TICKED_ITEM = re.compile(r"^\s*[-*+] \[[xX]\] .*\^(mf-[0-9a-f]{8})\s*$")
_FIRST_LINK = re.compile(r"\[\[([^\]|#]+)")
_MARKER_LINE = re.compile(r"^%% mdfollow agenda ([0-9a-f]{16})\b.*%%\s*$", re.MULTILINE)
_TICK = re.compile(r"^(\s*[-*+] )\[[xX]\]", re.MULTILINE)
BLOCK_START = "%% mdfollow agenda: start %%"
_BLOCK = re.compile(
    r"^%% mdfollow agenda: start %%[ \t]*\r?\n(.*?)^%% mdfollow agenda: end ([0-9a-f]{16}) %%[ \t]*(?:\r?\n|\Z)",
    re.MULTILINE | re.DOTALL,
)


def block_id(item: FollowUp) -> str:
    """Stable per contact, action and due date: a tick matches only the item it was written for."""
    when = "undated" if item.undated else item.due.isoformat()
    key = f"{item.contact.path}\n{item.action}\n{when}\n{item.attempt}".encode()
    return "mf-" + hashlib.blake2b(key, digest_size=4).hexdigest()


_DUE = re.compile(r"📅\s*(\d{4}-\d{2}-\d{2})")


def ticked_item(text: str) -> tuple[str, str] | None:
    """(action, due YYYY-MM-DD) of an agenda task line, read back from its words; None if not ours."""
    from mdfollow.actions import ACTIONS, LIGHT_NUDGE_VERB

    body = re.sub(r"^\s*[-*+] \[.\]\s*", "", text)
    due = _DUE.search(body)
    if due is None:
        return None
    for action, verb in (("nudge", LIGHT_NUDGE_VERB), *((a.name, a.verb) for a in ACTIONS)):
        if body.startswith(verb.split("{link}")[0]):
            return action, due.group(1)
    return None


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


def find_block(text: str) -> tuple[int, int, str] | None:
    """(start, end, state) of the mdfollow block in a note; state as in agenda_state."""
    m = _BLOCK.search(text)
    if m is None:
        return None
    body = m.group(1).replace("\r\n", "\n")
    return m.start(), m.end(), "ours" if signature(body) == m.group(2) else "edited"


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
