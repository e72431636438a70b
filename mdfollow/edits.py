"""Byte-exact edits of a note: set front-matter keys, append a log line (and read the log back).

Pure: bytes in, bytes out. Only the edited keys' lines and the appended line
change; comments, key order, quoting, list style, indentation, line endings,
the BOM, the final newline and the body stay as they were. Every edit is
proved by reading the result back: the edited keys must hold their new values
and every other key its old one, or nothing is returned.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from mdfollow.dates import parse_date
from mdfollow.errors import DateError, EditError
from mdfollow.keys import KeyMap
from mdfollow.note import _KEY_LINE, FrontMatterError, load_yaml, parse_note

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_CLOSE = re.compile(r"^---[ \t]*$")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")

Value = date | int | str | list[str] | None  # None removes the key


@dataclass
class _Doc:
    bom: bool
    lines: list[str]  # each with its own line ending (the last may have none)

    @classmethod
    def read(cls, raw: bytes) -> _Doc:
        bom = raw.startswith(b"\xef\xbb\xbf")
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise EditError("the note is UTF-16; mdfollow reads it but does not edit it (re-save it as UTF-8)")
        try:
            text = raw[3 if bom else 0 :].decode("utf-8")
        except UnicodeDecodeError:
            raise EditError("the note is not UTF-8; re-save it as UTF-8 first") from None
        return cls(bom, _LINES.findall(text))

    def bytes(self) -> bytes:
        return (b"\xef\xbb\xbf" if self.bom else b"") + "".join(self.lines).encode("utf-8")

    def newline(self) -> str:
        for line in self.lines:
            for ending in ("\r\n", "\n", "\r"):
                if line.endswith(ending):
                    return ending
        return "\n"

    def front_close(self) -> int:
        if not self.lines or _content(self.lines[0]).rstrip(" \t") != "---":
            raise EditError("the note has no front matter")
        for index in range(1, len(self.lines)):
            if _CLOSE.match(_content(self.lines[index])):
                return index
        raise EditError("the note's front matter is never closed")


def _content(line: str) -> str:
    return line.rstrip("\r\n")


def _ending(line: str) -> str:
    return line[len(_content(line)) :]


def _key_of(line: str) -> str | None:
    content = _content(line)
    if not content or content[0] in " \t#-":
        return None
    m = _KEY_LINE.match(content)
    return next(g for g in m.groups() if g is not None).strip() if m else None


def _extent(lines: list[str], start: int, close: int) -> int:
    """One past the last line of the value that starts at `start`."""
    after_colon = _content(lines[start]).split(":", 1)[1].strip() if ":" in lines[start] else ""
    end = start + 1
    last = start + 1
    while end < close:
        content = _content(lines[end])
        if not content.strip():
            end += 1
            continue
        if content[0] in " \t" or (content.startswith("-") and (after_colon == "" or after_colon.startswith("#"))):
            end += 1
            last = end
            continue
        break
    return last


_SURELY_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._@/&()+'-]*")
_WORDS = {"true", "false", "null", "y", "n", "yes", "no", "on", "off"}


def plain_ok(text: str) -> bool:
    """Whether `text` can be written as a plain YAML scalar and read back as the same text."""
    if not text or text != text.strip() or "\n" in text or "\r" in text:
        return False
    if _SURELY_PLAIN.fullmatch(text) and text.lower() not in _WORDS and not text.endswith(":"):
        return True  # names, companies, addresses: no YAML round trip needed (most of an import)
    if text[0] in "-?:,[]{}#&*!|>'\"%@`" or ": " in text or " #" in text or text.endswith(":"):
        return False
    if any(ord(c) < 32 or c in "\x7f\u2028\u2029\ufeff" for c in text):
        return False
    try:
        return bool(load_yaml(f"k: {text}") == {"k": text})
    except FrontMatterError:
        return False


def format_value(value: Value, quote: str = "") -> str:
    if isinstance(value, list):  # a flow list, each item plain when it can be
        return "[" + ", ".join(_flow_item(str(v)) for v in value) + "]"
    if isinstance(value, date):
        text = value.isoformat()
        return f"{quote}{text}{quote}" if quote else text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):  # a flow list, each item quoted: reads back as exactly these strings
        return "[" + ", ".join(double_quoted(item) for item in value) + "]"
    assert isinstance(value, str)
    if plain_ok(value) and not quote:
        return value
    if quote == "'" and all(_printable(c) and c not in "\t\n\r\ufeff" for c in value):
        return "'" + value.replace("'", "''") + "'"
    return double_quoted(value)


def _flow_item(text: str) -> str:
    if plain_ok(text) and not any(c in text for c in ",[]{}"):
        return text
    return double_quoted(text)


def _printable(char: str) -> bool:
    """YAML's printable set; anything else must be escaped."""
    code = ord(char)
    return (
        code in (0x09, 0x0A, 0x0D, 0x85)
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\ufeff": "\\ufeff", "\x85": "\\N"}


def double_quoted(text: str) -> str:
    """A YAML double-quoted scalar that reads back as exactly `text`, on one line."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif _printable(char):
            out.append(char)
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def _split_value(rest: str) -> tuple[str, str, str]:
    """(leading space, value text, trailing comment) of what follows `key:` on its line."""
    stripped = rest.lstrip(" \t")
    space = rest[: len(rest) - len(stripped)]
    if stripped[:1] in ("'", '"'):
        quote = stripped[0]
        i = 1
        while i < len(stripped):
            if quote == '"' and stripped[i] == "\\":
                i += 2
                continue
            if stripped[i] == quote:
                if quote == "'" and stripped[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                break
            i += 1
        value, tail = stripped[: i + 1], stripped[i + 1 :]
        return space, value, tail
    m = re.search(r"[ \t]+#", stripped)
    if m:
        return space, stripped[: m.start()], stripped[m.start() :]
    if stripped.startswith("#"):
        return space, "", stripped
    return space, stripped, ""


def set_keys(raw: bytes, changes: dict[str, Value], keys: KeyMap | None = None) -> bytes:
    """The note with the given top-level keys set (None: removed), every other byte kept.

    `changes` name mdfollow's keys; `keys` turns them into the user's names.
    """
    if not changes:
        return raw
    if keys:
        changes = keys.write(changes)
    before = parse_note("note.md", raw)
    if not before.readable or not before.has_front_matter:
        raise EditError("the note's front matter cannot be read; fix it first (mdfollow check)")
    doc = _Doc.read(raw)
    close = doc.front_close()
    positions = {}
    for index in range(1, close):
        key = _key_of(doc.lines[index])
        if key is not None and key not in positions:
            positions[key] = index
    newline = doc.newline()
    inserts: list[str] = []
    # Edit from the bottom up so earlier positions stay valid.
    for key in sorted(changes, key=lambda k: -positions.get(k, -1)):
        value = changes[key]
        if key in positions:
            start = positions[key]
            end = _extent(doc.lines, start, close)
            line = doc.lines[start]
            head, rest = _content(line).split(":", 1)
            ending = _ending(doc.lines[end - 1]) or _ending(line)
            if value is None:
                del doc.lines[start:end]
                close -= end - start
                continue
            if _same(before.front.get(key, _MISSING), value):
                continue  # already so: a no-op edit changes no byte
            space, old_value, comment = _split_value(rest) if end == start + 1 else (" ", "", "")
            quote = old_value[0] if old_value[:1] in ("'", '"') and isinstance(value, date) else ""
            if comment and not comment[0].isspace():
                comment = " " + comment  # `key:  # note` had no value; keep the comment a comment
            doc.lines[start:end] = [f"{head}:{space or ' '}{format_value(value, quote)}{comment}{ending}"]
            close -= end - start - 1
        elif value is not None:
            inserts.append(f"{key}: {format_value(value)}{newline}")
    if inserts:
        if close > 0 and not _ending(doc.lines[close - 1]):
            doc.lines[close - 1] += newline
        doc.lines[close:close] = sorted(inserts, key=lambda line: list(changes).index(line.split(":", 1)[0]))
    result = doc.bytes()
    _prove(before.front, result, changes)
    return result


def rename_keys(raw: bytes, keys: KeyMap) -> bytes:
    """A note mdfollow is creating, its top-level keys under the user's names.

    Templates write mdfollow's key names; this is where a new note's keys
    become the user's (`last_contact:` -> `last_contacted:`), nothing else changes.
    """
    if not keys:
        return raw
    doc = _Doc.read(raw)
    close = doc.front_close()
    present = {_key_of(doc.lines[i]) for i in range(1, close)}
    for index in range(1, close):
        key = _key_of(doc.lines[index])
        if key is None:
            continue
        name = keys.user(key)
        if name == key or name in present:
            continue  # the template already wrote the user's name: keep that one
        line = doc.lines[index]
        at = line.index(key)
        doc.lines[index] = line[:at] + name + line[at + len(key) :]
    return doc.bytes()


def _same(old: Any, value: Value) -> bool:
    """Whether the key already holds the value, as read (so `met: "2026-11-23"` holds that date)."""
    if isinstance(value, date):
        return isinstance(old, str) and old == value.isoformat()
    return type(old) is type(value) and old == value


def _prove(old: dict[str, Any], result: bytes, changes: dict[str, Value]) -> None:
    after = parse_note("note.md", result)
    if not after.readable:
        raise EditError("the edit would make the front matter unreadable; nothing was written")
    for key, value in changes.items():
        got = after.front.get(key, None) if key in after.front else _MISSING
        if value is None:
            ok = got is _MISSING
        elif isinstance(value, date):
            ok = isinstance(got, str) and got == value.isoformat()
        else:
            ok = got == value and type(got) is type(value)
        if not ok:
            raise EditError(f"could not set {key} safely; nothing was written")
    for key, value in old.items():
        if key not in changes and after.front.get(key, _MISSING) != value:
            raise EditError(f"the edit would change {key}; nothing was written")
    if set(after.front) - set(old) - set(changes):
        raise EditError("the edit would add keys it was not asked to; nothing was written")


_MISSING = object()


def _body_start(lines: list[str]) -> int:
    """The index of the first line after the front matter (0 when there is none)."""
    if not lines or _content(lines[0]).rstrip(" \t") != "---":
        return 0
    for index in range(1, len(lines)):
        if _CLOSE.match(_content(lines[index])):
            return index + 1
    return 0


_LOG_ITEM = re.compile(r"^\s*[-*+]\s+(\d{4}-\d{2}-\d{2})\s+(.*?)\s*$")
_LOG_TAG = re.compile(r"\s*%%.*?%%")


def parse_log(text: str, heading: str = "Interactions") -> list[tuple[date, str]]:
    """The dated lines (`- YYYY-MM-DD what happened`) of the section `append_log` writes
    into, found by the same rule, so what is logged is what is read back."""
    lines = _LINES.findall(text.removeprefix("\ufeff"))
    found = _find_section(lines, _body_start(lines), heading)
    if found is None:
        return []
    entries: list[tuple[date, str]] = []
    for _, content in _outside_fences(lines, found[0] + 1, found[1]):
        item = _LOG_ITEM.match(content)
        if item:
            try:
                entries.append((parse_date(item.group(1)), _LOG_TAG.sub("", item.group(2))))
            except DateError:
                continue
    return entries


def append_log(raw: bytes, line: str, heading: str = "Interactions") -> bytes:
    """The note with `line` appended to its `## Interactions` section (created at the end if missing)."""
    if "\n" in line or "\r" in line:
        raise EditError("a log line cannot contain a line break")
    doc = _Doc.read(raw)
    newline = doc.newline()
    found = _find_section(doc.lines, _body_start(doc.lines), heading)
    if found is None:
        had_final = bool(doc.lines) and bool(_ending(doc.lines[-1]))
        if doc.lines and not had_final:
            doc.lines[-1] += newline
        block = []
        if doc.lines and _content(doc.lines[-1]).strip():
            block.append(newline)
        block += [f"## {heading}{newline}", newline, line + (newline if had_final or not doc.lines else "")]
        doc.lines += block
        return doc.bytes()
    head, end = found
    last = head
    for index in range(head + 1, end):
        if _content(doc.lines[index]).strip():
            last = index
    insert = [line]
    if last == head:
        insert = [newline, line]
    if not _ending(doc.lines[last]):
        doc.lines[last] += newline
        doc.lines[last + 1 : last + 1] = insert  # the file had no final newline: keep it so
    else:
        doc.lines[last + 1 : last + 1] = [*insert[:-1], insert[-1] + newline]
    return doc.bytes()


def _outside_fences(lines: list[str], start: int, end: int) -> Iterator[tuple[int, str]]:
    """(index, content) of each line from `start` to `end` that is not inside fenced code
    (the fence lines themselves left out): a heading or a log line in a code block is text."""
    fence: str | None = None
    for index in range(start, end):
        content = _content(lines[index])
        m = _FENCE.match(content)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        yield index, content


def _find_section(lines: list[str], start: int, heading: str) -> tuple[int, int] | None:
    found: tuple[int, int] | None = None
    level = 0
    for index, content in _outside_fences(lines, start, len(lines)):
        h = _HEADING.match(content)
        if not h:
            continue
        if found is None and h.group(2).strip().casefold() == heading.casefold():
            found, level = (index, len(lines)), len(h.group(1))
        elif found is not None and len(h.group(1)) <= level:
            return found[0], index
    return found
