"""Reading one note: bytes in, front matter, key lines and diagnostics out.

Pure: no file system, no clock. The split follows Obsidian: front matter is a
block that opens with `---` on the very first line and closes at the next line
that is exactly `---`. YAML is read with libyaml's safe loader, with YAML
1.2-style scalars (so `no`, `0123`, `10:30` and `2024-02-30` stay text) and
never with a loader that can build objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

from mdfollow.diagnostics import Diagnostic, error, warning

MAX_FRONT_MATTER = 64 * 1024


@lru_cache(maxsize=1)
def yaml_loader() -> type:
    """The YAML loader, built on first use: most runs read notes from the cache or
    through `fast_front`, and importing PyYAML costs more than a warm run's reads.

    Safe loading with YAML 1.2 core scalars: dates stay text, mdfollow parses them.
    """
    import yaml

    try:  # libyaml is an order of magnitude faster; the pure loader is the fallback.
        base: type = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - depends on how PyYAML was built
        base = yaml.SafeLoader

    class Loader(base):
        pass

    Loader.yaml_implicit_resolvers = {}
    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )
    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:int",
        re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
        list("-+0123456789"),
    )
    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        list("-+0123456789."),
    )
    Loader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
    Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    return Loader


def _construct_int(loader: Any, node: Any) -> int:
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


class FrontMatterError(Exception):
    def __init__(self, message: str, line: int | None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


# --- the fast path ---------------------------------------------------------------
#
# Most front matter is flat `key: value` lines. Reading those by hand is several
# times faster than libyaml plus PyYAML's constructor, so `fast_front` does,
# and gives up (returns None) on anything it is not sure of: the YAML loader
# then reads the block. A property test holds it equal to the loader wherever
# it answers.

_FAST_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?:[ \t]+|$)")
# One pass over the block, one row per line: `key: value` where the value starts like a
# plain scalar and holds no tab and no `#` (groups 1-2, the common line), or anything
# else (group 3), which the careful reader below takes or gives up on.
_FAST_LINE = re.compile(
    r"^(?:([A-Za-z_][A-Za-z0-9_-]*):[ ]+([^\s\-?:,\[\]{}#&*!|>'\"%@`][^\t\n#]*)|(.*))$", re.MULTILINE
)
# `key: [a, b]`: a flow list of items with no quote, colon, `#` or bracket in them.
_FAST_LIST = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):[ ]+\[([^\t\n#:\[\]{}'\"]*)\][ ]*")
# `  - item`: one item of a block list.
_FAST_ITEM = re.compile(r"( *)- +(\S.*)")
_FAST_PLAIN_START = set("-?:,[]{}#&*!|>'\"%@`")
# Keys that YAML itself would read as true, false or null, not as text.
_ODD_KEYS = frozenset(["true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL"])
# A plain scalar that starts with none of these and is none of the words is text:
# every other YAML 1.2 core scalar (numbers, .inf, .nan) starts with one of them.
_NUMBERISH = frozenset("+-.0123456789")
# Ints (group 1), and what the fast path leaves to YAML: floats, 0o and 0x numbers.
_NUMBER = re.compile(
    r"([-+]?[0-9]+)|0[ox].*"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
    re.DOTALL,
)
_WORDS: dict[str, Any] = {
    "": None,
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
_UNSAFE_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\u2028\u2029\\]")


class _GiveUp(Exception):
    pass


def _plain(text: str) -> Any:
    if text[:1] not in _NUMBERISH:
        return _WORDS.get(text, text)
    number = _NUMBER.fullmatch(text)
    if number is None:
        return text
    if number.group(1) is None:
        raise _GiveUp
    return int(number.group(1), 10)


def _scalar(text: str, in_flow: bool) -> tuple[Any, str]:
    """One scalar at the start of `text`; returns it and what follows."""
    if not text:
        return None, ""
    first = text[0]
    if first in "\"'":
        end = text.find(first, 1)
        if end == -1 or (first == "'" and text[end + 1 : end + 2] == "'"):
            raise _GiveUp
        return text[1:end], text[end + 1 :]
    if first in _FAST_PLAIN_START or (first in "-?:" and text[1:2] in (" ", "")):
        raise _GiveUp
    stops = [i for i in (text.find(" #"), text.find("\t#")) if i != -1]
    if in_flow:
        stops += [i for i in (text.find(","), text.find("]")) if i != -1]
    end = min(stops) if stops else len(text)
    value = text[:end].rstrip(" \t")
    if ": " in value or value.endswith(":") or (in_flow and any(c in value for c in "[]{}")) or "\t" in value:
        raise _GiveUp
    return _plain(value), text[end:]


def _value(text: str) -> Any:
    if text.startswith("["):
        items: list[Any] = []
        rest = text[1:].lstrip(" ")
        if rest.startswith("]"):
            rest = rest[1:]
        else:
            while True:
                if not rest or rest[0] in "[{":
                    raise _GiveUp
                item, rest = _scalar(rest, in_flow=True)
                if item is None and not rest.startswith(("]", ",")):
                    raise _GiveUp
                items.append(item)
                rest = rest.lstrip(" ")
                if rest.startswith(","):
                    rest = rest[1:].lstrip(" ")
                    continue
                if rest.startswith("]"):
                    rest = rest[1:]
                    break
                raise _GiveUp
        _only_comment(rest)
        return items
    value, rest = _scalar(text, in_flow=False)
    _only_comment(rest)
    return value


def _only_comment(rest: str) -> None:
    rest = rest.lstrip(" \t")
    if rest and not rest.startswith("#"):
        raise _GiveUp


def fast_front(block: str) -> dict[str, Any] | None:
    """Flat front matter read without YAML, or None to let the YAML loader decide."""
    if _UNSAFE_CHARS.search(block):
        return None
    data: dict[str, Any] = {}
    pending: str | None = None  # the key that a `- item` line adds to
    indent: int | None = None  # the list's indentation, from its first item
    try:
        for key, value, line in _FAST_LINE.findall(block):
            if key:
                pending = None
                if value[-1] == " ":
                    value = value.rstrip(" ")
                if ": " in value or value[-1] == ":" or key in _ODD_KEYS:
                    return None  # YAML reads another key, or a key that is not text
                data[key] = _plain(value) if value[0] in _NUMBERISH or value in _WORDS else value
                continue
            if not line.strip() or line[0] == "#":
                continue
            if line[0] in " -":  # `  - item` under `key:`, as Obsidian writes a list property
                item = _FAST_ITEM.fullmatch(line)
                if item is None or pending is None:
                    return None
                if indent is None:
                    indent = len(item.group(1))
                    data[pending] = []
                elif len(item.group(1)) != indent:
                    return None
                value, rest = _scalar(item.group(2), in_flow=False)
                _only_comment(rest)
                data[pending].append(value)
                continue
            pending = None
            flow = _FAST_LIST.fullmatch(line)
            if flow is not None and flow.group(1) not in _ODD_KEYS:
                items = [item.strip(" ") for item in flow.group(2).split(",")]
                if all(item and item[0] not in _FAST_PLAIN_START for item in items):
                    data[flow.group(1)] = [_plain(item) for item in items]
                    continue
            m = _FAST_KEY.match(line)
            if not m or m.group(1) in _ODD_KEYS:
                return None
            rest = line[m.end() :]
            if rest and line[m.end() - 1] not in " \t":
                return None
            if not rest.strip(" "):
                pending, indent = m.group(1), None  # a list may follow, one `- item` a line
            if rest.startswith("#"):
                rest = ""
            data[m.group(1)] = _value(rest.rstrip(" \t")) if rest.strip() else None
    except _GiveUp:
        return None
    return data


# libyaml and PyYAML's composer recurse once per nesting level, in C: 25,000 nested
# brackets overflow the C stack (SIGSEGV, no exception to catch). Real notes nest a
# handful of levels; anything past this is refused before the parser sees it.
MAX_NESTING = 64


def nesting_too_deep(block: str, limit: int = MAX_NESTING) -> int | None:
    """The 0-based line where the YAML block first nests deeper than `limit`, or None.

    A cheap over-estimate of the parser's depth: open flow brackets outside quotes,
    plus block indentation levels, plus `- ` / `? ` markers opening a line. It never
    under-counts, so what passes cannot recurse deeper than about twice `limit`.
    """
    flow = 0
    quote = ""
    base = 0  # the block depth where the current flow collection opened
    indents: list[int] = []
    for number, line in enumerate(block.split("\n")):
        i = 0
        n = len(line)
        if not flow and not quote:
            stripped = line.lstrip(" ")
            if not stripped or stripped.startswith("#"):
                continue
            indent = n - len(stripped)
            while indents and indents[-1] >= indent:
                indents.pop()
            indents.append(indent)
            i = indent
            markers = 0
            while i + 1 < n and line[i] in "-?" and line[i + 1] in " \t":
                markers += 1  # `- - x`: a sequence nested in a sequence, on one line
                i += 2
                while i < n and line[i] in " \t":
                    i += 1
            base = len(indents) + markers
            if base > limit:
                return number
        value_start = True
        while i < n:
            ch = line[i]
            if quote:
                if quote == '"' and ch == "\\":
                    i += 2
                    continue
                if ch == quote:
                    if quote == "'" and i + 1 < n and line[i + 1] == "'":
                        i += 2
                        continue
                    quote = ""
                i += 1
                continue
            if ch == "#" and (i == 0 or line[i - 1] in " \t"):
                break
            if ch in "[{" and (flow or value_start):
                flow += 1
                if flow + base > limit:
                    return number
            elif ch in "]}" and flow:
                flow -= 1
            elif ch in "\"'" and (flow or value_start):
                quote = ch
            if flow:
                value_start = ch in "[{,: \t" or (value_start and ch in " \t")
            else:
                value_start = (ch == ":" and (i + 1 == n or line[i + 1] in " \t")) or (value_start and ch in " \t")
                if ch == "-" and value_start:
                    value_start = True
            i += 1
    return None


def load_yaml(block: str) -> Any:
    """Load one YAML block safely. Raises FrontMatterError with block-relative lines (0-based)."""
    if ("[" in block or "{" in block or "- " in block or "  " in block) and (
        (deep := nesting_too_deep(block)) is not None
    ):
        raise FrontMatterError(
            f"front matter nests deeper than {MAX_NESTING} levels, which mdfollow does not read "
            "(a YAML parser can crash on it); flatten it",
            deep,
        )
    if ("&" in block or "*" in block) and _has_anchor(block):
        raise FrontMatterError(
            "front matter uses YAML anchors or aliases (&name, *name), which mdfollow does not "
            "read (they can expand without bound); write the values out",
            None,
        )
    import yaml

    loader = yaml_loader()(block)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or str(exc)
        if exc.context_mark is not None and mark is not None and mark.line >= block.count("\n"):
            # libyaml notices an unclosed [ or { only at the end; point at where it opened.
            mark = exc.context_mark
            problem = f"{exc.context} that is never closed ({problem})"
        message = _friendly_yaml_error(problem, block, mark)
        raise FrontMatterError(message, mark.line if mark else None, (mark.column + 1) if mark else None) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"front matter is not valid YAML: {exc}", None) from None
    except (ValueError, TypeError, RecursionError, OverflowError) as exc:
        raise FrontMatterError(f"front matter cannot be read: {exc}", None) from None
    finally:
        loader.dispose()


def _has_anchor(block: str) -> bool:
    import yaml

    loader = yaml_loader()(block)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                return True
            if getattr(event, "anchor", None):
                return True
    except yaml.YAMLError:
        return False  # the real load reports the syntax error with its position
    finally:
        loader.dispose()
    return False


def _friendly_yaml_error(problem: str, block: str, mark: Any) -> str:
    if mark is not None:
        lines = block.split("\n")
        if 0 <= mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
            return "a tab is used for indentation; YAML needs spaces"
    if "could not determine a constructor for the tag" in problem:
        tag = problem.split("tag", 1)[1].strip().strip("'").replace("tag:yaml.org,2002:", "!!")
        return f"front matter uses the tag {tag}, which mdfollow never runs; remove it"
    if "mapping values are not allowed" in problem and mark is not None:
        lines = block.split("\n")
        if 0 <= mark.line < len(lines):
            line = lines[mark.line]
            key = line.split(":", 1)[0].strip()
            return (
                f"a value contains ': ' (YAML reads it as another key); quote the value of "
                f'{key!r}, e.g. {key}: "{line.split(":", 1)[1].strip()}"'
            )
    return f"front matter is not valid YAML: {problem}"


# --- the note --------------------------------------------------------------


@dataclass(frozen=True)
class ParsedNote:
    path: str
    text: str  # decoded, newlines normalised to \n
    front: dict[str, Any] = field(default_factory=dict)
    has_front_matter: bool = False
    block: str = ""  # the front-matter text, for key lines when a message needs one
    front_line: int = 1  # file line of the opening ---
    body_line: int = 1  # file line where the body starts
    body_offset: int = 0  # index in text where the body starts
    diagnostics: tuple[Diagnostic, ...] = ()
    readable: bool = True  # False: skip the note entirely

    @property
    def body(self) -> str:
        return self.text[self.body_offset :]

    @cached_property
    def key_lines(self) -> dict[str, int]:
        return _key_lines(self.block)[0]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.front_line)


def decode(path: str, raw: bytes) -> tuple[str | None, Diagnostic | None]:
    """Text from bytes, or None with the reason. A UTF-8 BOM is dropped."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            return None, warning(path, None, "starts like UTF-16 but cannot be decoded; skipped")
        return text, warning(path, None, "is UTF-16; mdfollow reads it but will not edit it (re-save as UTF-8)")
    if b"\x00" in raw[:8192]:
        return None, warning(path, None, "looks like a binary file, not Markdown; skipped")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, error(
            path,
            line,
            f"is not UTF-8 (byte 0x{raw[exc.start]:02X}); it may be Latin-1 or Windows-1252: "
            "re-save it as UTF-8; skipped",
        )


_CLOSE = re.compile(r"^---[ \t]*$", re.MULTILINE)
_KNOWN_KEYS = {"type", "name", "met", "thanked", "advice", "strikes", "cadence", "warmth", "status", "referred_by"}
_OPEN = re.compile(r"---[ \t]*\n")
_YAMLISH = re.compile(r"^[A-Za-z_][\w \-]*:(?:\s|$)")
_KEY_LINE = re.compile(r"""^(?:"([^"]*)"|'([^']*)'|([^\s#'"\-?:{}\[\],&*!|>%@`][^:#]*?))[ \t]*:(?:[ \t]|$)""")
_CONFLICT = re.compile(r"^(?:<{7}|={7}|>{7})(?:\s|$)", re.MULTILINE)


def parse_note(path: str, raw: bytes) -> ParsedNote:
    """Split and read one note. Never raises for bad input: problems become diagnostics."""
    text, problem = decode(path, raw)
    if text is None:
        assert problem is not None
        return ParsedNote(path, "", diagnostics=(problem,), readable=False)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    diags: list[Diagnostic] = [problem] if problem else []
    if not _OPEN.match(text):
        return ParsedNote(path, text, diagnostics=tuple(diags))

    close = _closing(text)
    if close is None:
        first = text[4:].lstrip("\n").split("\n", 1)[0]
        if _YAMLISH.match(first):
            diags.append(error(path, 1, "front matter opens with '---' but is never closed; add a '---' line after it"))
        return ParsedNote(path, text, diagnostics=tuple(diags), readable=not diags or diags[-1].severity != "error")

    block = text[4 : close.start()]
    body_offset = close.end() + 1 if close.end() < len(text) else close.end()
    body_line = text.count("\n", 0, close.end()) + 2
    base = dict(path=path, text=text, has_front_matter=True, body_line=body_line, body_offset=body_offset)

    if len(block) > MAX_FRONT_MATTER:
        diags.append(
            error(path, 1, f"front matter is {len(block) // 1024} KiB, over the 64 KiB mdfollow reads; skipped")
        )
        return ParsedNote(**base, diagnostics=tuple(diags), readable=False)  # type: ignore[arg-type]

    conflict = _CONFLICT.search(block) if ("<<<<<<<" in block or "=======" in block or ">>>>>>>" in block) else None
    if conflict:
        line = block.count("\n", 0, conflict.start()) + 2
        diags.append(error(path, line, "git conflict markers in the front matter; resolve the conflict first; skipped"))
        return ParsedNote(**base, diagnostics=tuple(diags), readable=False)  # type: ignore[arg-type]

    try:
        data = fast_front(block)
        fast = data is not None
        if data is None:
            data = load_yaml(block)
    except FrontMatterError as exc:
        line = exc.line + 2 if exc.line is not None else 1
        diags.append(error(path, line, exc.message + "; the note is skipped until it is fixed", exc.column))
        return ParsedNote(**base, diagnostics=tuple(diags), readable=False)  # type: ignore[arg-type]

    if data is None:
        data = {}
    if not isinstance(data, dict):
        if isinstance(data, str) and not _YAMLISH.match(block.lstrip("\n")):
            first = block.strip().split(None, 1)[0].lower() if block.strip() else ""
            if first in _KNOWN_KEYS and "\n" not in block.strip():
                diags.append(
                    warning(
                        path, 2, f"front matter is one value, {block.strip()!r}; a colon is missing after {first!r}?"
                    )
                )
            # Otherwise prose between two rules: a note that starts with a horizontal rule.
            return ParsedNote(path, text, diagnostics=tuple(diags))
        kind = "a list" if isinstance(data, list) else "a single value"
        diags.append(warning(path, 2, f"front matter is {kind}, not key: value pairs; it is ignored"))
        return ParsedNote(**base, diagnostics=tuple(diags))  # type: ignore[arg-type]

    dupes = _key_lines(block)[1] if _may_repeat(block, len(data)) else []
    for key, first_line, again in dupes:
        diags.append(
            warning(path, again, f"key {key!r} appears twice (lines {first_line} and {again}); the last one is used")
        )
    front = data if fast else {str(k): v for k, v in data.items()}  # the fast path's keys are text already
    return ParsedNote(**base, front=front, block=block, diagnostics=tuple(diags))  # type: ignore[arg-type]


def _closing(text: str) -> re.Match[str] | None:
    """The `---` line that closes the front matter: `_CLOSE.search(text, 4)`, with the
    candidates found by str.find (the regex would try every position of the block)."""
    at = text.find("\n---", 3)
    while at != -1:
        close = _CLOSE.match(text, at + 1)
        if close is not None:
            return close
        at = text.find("\n---", at + 4)
    return None


def _may_repeat(block: str, keys: int) -> bool:
    """Whether the block may hold a key twice: it has more top-level key lines than keys."""
    if block.count("\n") + (not block.endswith("\n")) <= keys:
        return False  # no more lines than keys (the common block: one key a line)
    top = sum(1 for line in block.split("\n") if line and line[0] not in " \t#-")
    return top > keys


def _key_lines(block: str) -> tuple[dict[str, int], list[tuple[str, int, int]]]:
    """File lines of the top-level keys, and keys that appear more than once."""
    lines: dict[str, int] = {}
    dupes: list[tuple[str, int, int]] = []
    for number, line in enumerate(block.split("\n"), start=2):
        if not line or line[0] in " \t#-":
            continue
        m = _KEY_LINE.match(line)
        if m:
            key = next(g for g in m.groups() if g is not None).strip()
            if key in lines:
                dupes.append((key, lines[key], number))
            else:
                lines[key] = number
    return lines, dupes


# --- mentions in the body --------------------------------------------------
