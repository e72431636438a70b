"""Merging two notes of the same person: the new bytes of every note involved.

Pure: note bytes in, new bytes out, nothing written. KEEP gains the keys it
lacks (OTHER's lines copied as they are), dates take the later one, OTHER's
name joins KEEP's aliases, OTHER's body is appended under a heading naming
it, and every link to OTHER that Obsidian would follow (wikilinks, Markdown
links, in the body and in properties) is pointed at KEEP, still showing the
text it showed. Where both have a value, KEEP's stays and the difference is
reported.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote, unquote

from mdfollow.contact import DATE_KEYS, fold
from mdfollow.dates import DateError, parse_date
from mdfollow.edits import _content, _Doc, _extent, _key_of, set_keys
from mdfollow.errors import EditError, MergeProblem
from mdfollow.keys import KeyMap
from mdfollow.note import parse_note

NEVER_COPIED = ("type", "name", "aliases")


@dataclass
class MergePlan:
    keep: str
    other: str
    keep_bytes: bytes  # KEEP's new contents
    added: list[str] = field(default_factory=list)  # user key names KEEP gained
    later: list[str] = field(default_factory=list)  # dates moved to OTHER's later one
    differences: list[str] = field(default_factory=list)  # both set: KEEP's kept
    links: dict[str, bytes] = field(default_factory=dict)  # other notes' new contents
    link_count: int = 0


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _date(value: Any) -> date | None:
    try:
        return parse_date(value)
    except DateError:
        return None


def plan_merge(
    keep: str,
    keep_raw: bytes,
    other: str,
    other_raw: bytes,
    keys: KeyMap,
    other_name: str,
    keep_aliases: tuple[str, ...],
    keep_name: str,
    heading: str,
) -> MergePlan:
    """KEEP's new bytes: OTHER's keys, later dates, aliases and body merged in."""
    keep_note, other_note = parse_note(keep, keep_raw), parse_note(other, other_raw)
    for note in (keep_note, other_note):
        if not note.readable or not note.has_front_matter:
            raise MergeProblem(f"{note.path}'s front matter cannot be read; fix it first (mdfollow check)")
    plan = MergePlan(keep, other, keep_raw)
    mine, theirs = keys.read(keep_note.front), keys.read(other_note.front)
    changes: dict[str, Any] = {}
    copied: list[str] = []  # OTHER's key names (as written) whose lines are copied into KEEP
    for key, value in theirs.items():
        if key in NEVER_COPIED or _empty(value):
            continue
        shown = keys.user(key)
        have = mine.get(key)
        if key in DATE_KEYS or key == "birthday":
            new_day, old_day = _date(value), _date(have)
            if new_day is not None and old_day is not None and new_day > old_day and key in DATE_KEYS:
                changes[key] = new_day
                plan.later.append(f"{shown}: {old_day.isoformat()} -> {new_day.isoformat()}")
                continue
        if shown not in keep_note.front:
            copied.append(shown)
            plan.added.append(shown)
        elif _empty(have):
            if isinstance(value, str | int | date) or (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ):
                changes[key] = value
                plan.added.append(shown)
            else:
                plan.differences.append(f"{shown}: left empty in {keep} ({other}'s value is not plain text)")
        elif have != value and not (key in DATE_KEYS and _date(have) == _date(value)):
            plan.differences.append(f"{shown}: kept {_show(have)}; {other} had {_show(value)}")
    aliases = [a for a in keep_aliases]
    for name in (other_name, *_aliases_of(theirs)):
        if name and fold(name) != fold(keep_name) and fold(name) not in {fold(a) for a in aliases}:
            aliases.append(name)
    if list(aliases) != list(keep_aliases):
        changes["aliases"] = aliases
    try:
        raw = set_keys(keep_raw, changes, keys) if changes else keep_raw
        raw = _copy_lines(raw, other_raw, copied)
        raw = _append_body(raw, other_note.body, heading)
    except EditError as exc:
        raise MergeProblem(f"{keep}: {exc}") from None
    after = parse_note(keep, raw)
    if not after.readable:
        raise MergeProblem(f"the merged {keep} would not be readable; nothing was written")
    for shown in copied:
        if after.front.get(shown) != other_note.front.get(shown):
            raise MergeProblem(f"could not copy {shown} into {keep} safely; nothing was written")
    plan.keep_bytes = raw
    return plan


def _aliases_of(front: dict[str, Any]) -> list[str]:
    raw = front.get("aliases")
    items = raw if isinstance(raw, list) else [raw]
    return [str(a).strip() for a in items if isinstance(a, str) and a.strip()]


def _show(value: Any) -> str:
    if isinstance(value, list):  # tags, emails: as they read in the note, not as a Python list
        text = ", ".join(item.isoformat() if isinstance(item, date) else str(item) for item in value)
    else:
        text = value.isoformat() if isinstance(value, date) else str(value)
    return repr(text if len(text) < 60 else text[:57] + "...")


def _copy_lines(raw: bytes, other_raw: bytes, names: list[str]) -> bytes:
    """OTHER's lines for `names`, copied as they are (in OTHER's order) before KEEP's closing ---."""
    if not names:
        return raw
    doc, theirs = _Doc.read(raw), _Doc.read(other_raw)
    close, their_close = doc.front_close(), theirs.front_close()
    newline = doc.newline()
    picked: list[str] = []
    index = 1
    wanted = set(names)
    while index < their_close:
        key = _key_of(theirs.lines[index])
        if key is not None and key in wanted:
            end = _extent(theirs.lines, index, their_close)
            picked.extend(_content(line) + newline for line in theirs.lines[index:end])
            wanted.discard(key)
            index = end
            continue
        index += 1
    if close > 0 and not doc.lines[close - 1].endswith(("\n", "\r")):
        doc.lines[close - 1] += newline
    doc.lines[close:close] = picked
    return doc.bytes()


def _append_body(raw: bytes, body: str, heading: str) -> bytes:
    doc = _Doc.read(raw)
    newline = doc.newline()
    text = body.strip("\n")
    if not text.strip():
        return raw
    if doc.lines and not doc.lines[-1].endswith(("\n", "\r")):
        doc.lines[-1] += newline
    block = ["", heading, "", *text.split("\n")]
    doc.lines.extend(line + newline for line in block)
    return doc.bytes()


# --- links ------------------------------------------------------------------------

_WIKI = re.compile(r"(!?)\[\[([^\[\]\n|#^]*)((?:[#^][^\[\]\n|]*)?)(?:\|([^\[\]\n]*))?\]\]")
_MDLINK = re.compile(r"(!?\[[^\]\n]*\]\()(<[^>\n]+>|[^)\s]+)(\s+\"[^\"\n]*\")?\)")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")


def _outside_code(line: str, rewrite: Callable[[str], str]) -> str:
    if "`" not in line:
        return rewrite(line)
    out, pos = [], 0
    for m in _CODE.finditer(line):
        out.append(rewrite(line[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(rewrite(line[pos:]))
    return "".join(out)


def rewrite_links(
    path: str,
    text: str,
    points_to_other: Callable[[str, str], bool],
    keep_target: str,
    keep_path: str,
) -> tuple[str, int]:
    """`text` (a note at `path`) with every link to OTHER pointing to KEEP, and how many.

    `points_to_other(target, from_path)` says whether a link target resolves to
    OTHER. The text shown stays: `[[Other]]` becomes `[[Keep|Other]]`,
    `[[Other|x]]` becomes `[[Keep|x]]`, `[x](Other.md)` becomes `[x](Keep.md)`
    in the link's own form (bare name, vault path or relative path; %20 or <...>).
    Code is left alone.
    """
    count = 0

    def wiki(m: re.Match[str]) -> str:
        nonlocal count
        bang, target, sub, alias = m.group(1), m.group(2), m.group(3) or "", m.group(4)
        if not target.strip() or not points_to_other(target.strip(), path):
            return m.group(0)
        count += 1
        if bang:
            return f"![[{keep_target}{sub}" + (f"|{alias}" if alias is not None else "") + "]]"
        shown = alias if alias is not None else f"{target}{sub}"
        return f"[[{keep_target}{sub}|{shown}]]"

    def markdown(m: re.Match[str]) -> str:
        nonlocal count
        head, url, title = m.group(1), m.group(2), m.group(3) or ""
        angle = url.startswith("<")
        bare = url[1:-1] if angle else url
        if re.match(r"^[a-z][a-z0-9+.-]*:", bare, re.IGNORECASE):
            return m.group(0)  # https:, obsidian:, mailto: ...
        target, _, anchor = bare.partition("#")
        decoded = unquote(target) if not angle else target
        if not decoded.lower().endswith(".md") and "." in decoded.rsplit("/", 1)[-1]:
            return m.group(0)  # an attachment
        name = decoded[:-3] if decoded.lower().endswith(".md") else decoded
        if not name or not points_to_other(name, path):
            return m.group(0)
        count += 1
        new = _same_form(decoded, path, keep_path)
        encoded = new if angle or "%" not in target else quote(new, safe="/()&'-._~!$*+,;=:@")
        if not angle and " " in new and "%" not in target:
            encoded = quote(new, safe="/()&'-._~!$*+,;=:@")
        out = encoded + (f"#{anchor}" if anchor else "")
        return f"{head}{'<' + out + '>' if angle else out}{title})"

    lines = text.split("\n")
    fence: str | None = None
    for number, line in enumerate(lines):
        m = _FENCE.match(line)
        if fence is not None:
            if m and line.strip().startswith(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)[:3]
            continue
        if "[[" not in line and "](" not in line:
            continue
        lines[number] = _outside_code(line, lambda part: _MDLINK.sub(markdown, _WIKI.sub(wiki, part)))
    return "\n".join(lines), count


def _same_form(old: str, from_path: str, keep_path: str) -> str:
    """KEEP's path written the way the old link was: a bare name, a vault path or a relative path."""
    with_md = old.lower().endswith(".md")
    keep = keep_path if with_md else keep_path[:-3]
    if "/" not in old:
        return keep.rsplit("/", 1)[-1]
    if old.startswith(("./", "../")):
        rel = posixpath.relpath(keep, posixpath.dirname(from_path) or ".")
        return rel if rel.startswith("../") or not old.startswith("./") else "./" + rel
    return keep
