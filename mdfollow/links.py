"""Links and tags in a note's body, as Obsidian sees them.

Pure: text in, links and tags out. A line is looked at only when Obsidian would
show it as prose: code (fenced, indented, inline), math, HTML blocks, comments
and embeds hold no mentions; see `_visible` and `scan_links`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator


@dataclass(frozen=True)
class Link:
    """A link that counts as a mention (body or property): its target as written, its file line."""

    target: str
    line: int


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_TASK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[(.)\]")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])(?:\s|$)")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_EMBED = re.compile(r"!\[\[[^\]\n]*\]\]|!\[[^\]\n]*\]\([^)\n]*\)")
_WIKILINK = re.compile(r"\[\[([^\[\]\n]+?)\]\]")
# `[text](Jane%20Doe.md)`, `[text](<../People/Jane Doe.md>)`, `[text](Jane.md "title")`; one level of parentheses.
_MD_LINK = re.compile(r"\[[^\[\]\n]*\]\((?:<([^<>\n]+)>|((?:[^()\s]|\([^()\s]*\))+))(?:\s+\"[^\"\n]*\")?\s*\)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_COMMENT_TOKENS = re.compile(r"%%|<!--|-->")
_INLINE_MATH = re.compile(r"\$\$.*?\$\$|\$(?=[^\s$])(?:[^$\n\\]|\\.)*?(?<=[^\s\\])\$")
# An HTML block as CommonMark opens one: a block-level tag at the start of a line, up to a blank line.
_HTML_BLOCK = re.compile(
    r"^ {0,3}</?(?:address|article|aside|blockquote|body|center|details|dialog|dir|div|dl|dt|dd|fieldset|"
    r"figcaption|figure|footer|form|h[1-6]|header|hr|iframe|li|main|menu|nav|ol|p|pre|script|section|style|summary|"
    r"table|tbody|td|tfoot|th|thead|tr|ul|textarea|video|audio)"
    r"(?:\s|/?>|$)",
    re.IGNORECASE,
)
# A tag: `#` after a space or the line's start, then letters, digits, `_`, `-` and `/`.
_TAG = re.compile(r"(?<![^\s(,;])#([\w/-]+)")


def link_target(inner: str) -> str:
    """`Jane Doe|Jane` and `People/Jane Doe#Notes` link to `Jane Doe` / `People/Jane Doe`."""
    target = inner.split("|", 1)[0]
    target = target.split("#", 1)[0].split("^", 1)[0]
    target = target.rstrip("\\").strip()
    if target.lower().endswith(".md"):
        target = target[:-3]
    return target


def markdown_target(raw: str) -> str | None:
    """Where a Markdown link goes, as a note path without `.md`; None for a web address or a bare anchor.

    `Jane%20Doe.md`, `<../People/Jane Doe.md>`, `/People/Jane Doe` keep their folders:
    the index resolves them from the linking note.
    """
    raw = raw.strip()
    if not raw or raw.startswith("#") or _SCHEME.match(raw):
        return None
    from urllib.parse import unquote

    target = unquote(raw.split("#", 1)[0]).strip()
    if target.lower().endswith(".md"):
        target = target[:-3]
    return target or None


def _targets(line: str) -> Iterator[tuple[int, str]]:
    """(position, target) of each wikilink and Markdown link on a line, in order."""
    if "[[" in line:
        for m in _WIKILINK.finditer(line):
            target = link_target(m.group(1))
            if target:
                yield m.start(), target
    if "](" in line:
        for m in _MD_LINK.finditer(line):
            found = markdown_target(m.group(1) or m.group(2))
            if found:
                yield m.start(), found


def first_link_target(line: str) -> str | None:
    """The first link on a line (wikilink or Markdown), as a target."""
    found = sorted(_targets(line))
    return found[0][1] if found else None


def _visible(body: str) -> Iterator[tuple[int, str]]:
    """(line offset, text) of the body's lines that Obsidian reads as Markdown text.

    Left out: the agenda block mdfollow writes into daily notes, fenced and
    indented code, math blocks, HTML blocks and comments (`%%`, `<!-- -->`);
    inline code and inline math are cut from the lines that are left.
    """
    fence: str | None = None
    comment: str | None = None  # "%%" or "<!--" while inside a comment
    block = False  # inside the agenda block mdfollow writes into daily notes
    math = False
    html = False
    indented = False  # inside an indented code block
    previous_blank = True
    in_list = False
    for offset, line in enumerate(body.split("\n")):
        blank = not line.strip()
        if line.startswith("%% mdfollow agenda: "):
            block = line.startswith("%% mdfollow agenda: start")
            continue
        if block:
            continue
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = None
            continue
        if math:
            if "$$" in line:
                math = False
            continue
        if html:
            html = not blank
            previous_blank = blank
            continue
        if indented:
            if blank or line.startswith(("    ", "\t")):
                continue
            indented = False
        if comment is None:
            m = _FENCE.match(line)
            if m:
                fence = m.group(1)
                continue
            stripped = line.strip()
            if stripped.startswith("$$") and "$$" not in stripped[2:]:
                math = True
                continue
            if line.startswith(("    ", "\t")) and previous_blank and not in_list:
                indented = True
                continue
            if _HTML_BLOCK.match(line):
                html = True
                previous_blank = False
                continue
        if not blank:
            if _LIST_ITEM.match(line):
                in_list = True
            elif not line.startswith((" ", "\t")):
                in_list = False
        previous_blank = blank
        if "%%" in line or "<!--" in line or "-->" in line or comment is not None:
            line, comment = _strip_comments(line, comment)
        if "`" in line:
            line = _INLINE_CODE.sub("", line)
        if "$" in line:
            line = _INLINE_MATH.sub("", line)
        yield offset, line


def scan_links(body: str, first_line: int) -> list[Link]:
    """Links that count as mentions: wikilinks and Markdown links to notes.

    Not counted, beyond what `_visible` leaves out: unchecked tasks
    (intentions), quotes and callouts, and embeds.
    """
    if "[[" not in body and "](" not in body:
        return []
    found: list[Link] = []
    for offset, line in _visible(body):
        if "[[" not in line and "](" not in line:
            continue
        stripped = line.lstrip()
        if stripped.startswith(">"):
            continue
        task = _TASK.match(line)
        if task and task.group(1) not in "xX":
            continue
        if "![" in line:
            line = _EMBED.sub("", line)
        for _, target in sorted(_targets(line)):
            found.append(Link(target, first_line + offset))
    return found


def scan_tags(body: str) -> tuple[str, ...]:
    """The body's tags (`#recruiter`, nested `#work/recruiter`) without `#`, in order, once each.

    Not tags: headings (`# Title`), numbers (`#1`), anything in code, math,
    HTML, comments, or inside a link (`[[Note#Part]]`, `https://x#y`).
    """
    if not _may_have_tag(body):  # most bodies have only headings
        return ()
    tags: dict[str, None] = {}
    for _, line in _visible(body):
        if "#" not in line:
            continue
        if "[[" in line or "](" in line:
            line = _MD_LINK.sub(" ", _WIKILINK.sub(" ", line))
        for m in _TAG.finditer(line):
            tag = m.group(1).strip("/")
            if tag and not tag.replace("/", "").isdigit():  # `#1` is not a tag
                tags.setdefault(tag, None)
    return tuple(t for t in tags if t)


def _may_have_tag(body: str) -> bool:
    """`_TAG.search(body) is not None`, looking only at each `#` (the regex tries every
    position): a `#` that a word character, `/` or `-` follows, at the start or after
    whitespace, `(`, `,` or `;` (re's \\w is isalnum() or `_`, its \\s is isspace())."""
    at = body.find("#")
    while at != -1:
        after = body[at + 1 : at + 2]
        if after and (after.isalnum() or after in "_/-"):
            before = body[at - 1] if at else " "
            if before.isspace() or before in "(,;":
                return True
        at = body.find("#", at + 1)
    return False


def property_links(front: dict[str, Any], lines: dict[str, int], default_line: int) -> list[Link]:
    """Links in front-matter values (`attendees: ["[[Jane Doe]]"]`), as Obsidian's properties show them."""
    found: list[Link] = []

    def walk(value: Any, line: int) -> None:
        if isinstance(value, str):
            if "[[" in value or "](" in value:
                found.extend(Link(target, line) for _, target in sorted(_targets(value)))
        elif isinstance(value, list):
            if len(value) == 1 and isinstance(value[0], list) and len(value[0]) == 1 and isinstance(value[0][0], str):
                # `[[Jane]]` unquoted: YAML reads a list in a list, the way Obsidian shows it a link.
                target = link_target(value[0][0])
                if target:
                    found.append(Link(target, line))
                return
            for item in value:
                walk(item, line)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item, line)

    for key, value in front.items():
        walk(value, lines.get(key, default_line))
    return found


def _strip_comments(line: str, state: str | None) -> tuple[str, str | None]:
    kept: list[str] = []
    pos = 0
    for m in _COMMENT_TOKENS.finditer(line):
        token = m.group(0)
        if state is None:
            if token == "-->":
                continue
            kept.append(line[pos : m.start()])
            state = token
        elif (state == "%%" and token == "%%") or (state == "<!--" and token == "-->"):
            state = None
            pos = m.end()
    if state is None:
        kept.append(line[pos:])
    return "".join(kept), state
