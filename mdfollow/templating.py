"""Rendering templates: Jinja2, sandboxed, strict.

Pure: template sources come in as text (the edges load them from the package
or the vault), values come in, text comes out. Vault templates may come from a
shared vault, so every template renders in Jinja2's SandboxedEnvironment, with
StrictUndefined so that a misspelled field is an error naming the template's
file and line, never an empty string. Data is never rendered as template
source. Output is bounded in size.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from mdfollow.edits import format_value
from mdfollow.errors import TemplateProblem

MAX_OUTPUT = 64 * 1024
MAX_LOOP = 10_000  # range() items one render may ask for, in all
MAX_SIZE = 100_000  # longest string or list a template may build with * or **


@dataclass(frozen=True)
class Source:
    name: str  # e.g. "thank.md"
    text: str
    origin: str  # where it came from, for messages: "Templates/mdfollow/thank.md" or "built-in thank.md"


class Fields(SimpleNamespace):
    """Values for templates, by attribute (`contact.name`) or by key (`contact["name"]`)."""

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None


class Unset:
    """A field the note leaves empty: false in `{% if %}`, and a visible `[name]`
    placeholder when printed (which `draft` lists), never "None"."""

    __slots__ = ("label",)

    def __init__(self, label: str):
        self.label = label

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return f"[{self.label}]"

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        return other is None or isinstance(other, Unset)

    def __hash__(self) -> int:
        return hash(None)

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0


def unset_to_placeholders(values: dict[str, Any]) -> dict[str, Any]:
    """Every None value as an Unset named after its key (underscores as spaces)."""
    return {key: Unset(key.replace("_", " ")) if value is None else value for key, value in values.items()}


def yaml_value(value: Any) -> str:
    """A value written so that YAML reads it back unchanged (names with newlines or '---' cannot escape)."""
    if value is None or isinstance(value, Unset):
        return '""'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(json.dumps(str(v), ensure_ascii=False) for v in value) + "]"
    if isinstance(value, date | bool | int):
        return format_value(value)
    text = str(value)
    return format_value(text) if text else '""'


class _BoundedSandbox(SandboxedEnvironment):
    """The sandbox with arithmetic that cannot build gigantic values."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if isinstance(right, int | float) and abs(right) > 64:
                raise jinja2.exceptions.SecurityError("exponent over 64")
            return left**right
        for value, count in ((left, right), (right, left)):
            if isinstance(value, str | list | tuple) and isinstance(count, int) and len(value) * count > MAX_SIZE:
                raise jinja2.exceptions.SecurityError(f"a value over {MAX_SIZE} long")
        return left * right


class _LoopBudget:
    """range() that stops a render once it has asked for MAX_LOOP items in all."""

    def __init__(self) -> None:
        self.left = MAX_LOOP

    def __call__(self, *args: int) -> range:
        span = range(*args)
        self.left -= len(span)
        if self.left < 0:
            raise jinja2.exceptions.SecurityError(f"loops over {MAX_LOOP} steps in all")
        return span


def _lower_first(text: object) -> str:
    """'Read the trade press' -> 'read the trade press', but 'LinkedIn' and 'I' stay."""
    text = str(text)
    word = text.split(" ", 1)[0]
    if word == "I" or word[1:] != word[1:].lower():  # I, CPG, LinkedIn stay as they are
        return text
    return text[:1].lower() + text[1:]


def _environment() -> SandboxedEnvironment:
    env = _BoundedSandbox(
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["yaml"] = yaml_value
    env.filters["one_line"] = lambda text: " ".join(str(text).split())
    env.filters["lower_first"] = _lower_first
    env.filters["end_sentence"] = lambda text: str(text).rstrip() + ("" if str(text).rstrip()[-1:] in ".!?" else ".")
    return env


_ENV = _environment()


def render(source: Source, context: dict[str, Any]) -> str:
    """Render one template; TemplateProblem names the file and line of any mistake."""
    try:
        code = _ENV.compile(source.text, name=source.name, filename=source.origin)
        template = _ENV.template_class.from_code(_ENV, code, _ENV.make_globals(None), None)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(source.origin, exc.lineno, f"template syntax: {exc.message}") from None
    template_code = source.origin
    out: list[str] = []
    size = 0
    try:
        for chunk in template.generate(**{"range": _LoopBudget(), **context}):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise TemplateProblem(source.origin, None, f"output is over {MAX_OUTPUT // 1024} KiB; stopped")
            out.append(chunk)
    except TemplateProblem:
        raise
    except jinja2.UndefinedError as exc:
        raise TemplateProblem(source.origin, _template_line(exc, template_code), _undefined_message(exc)) from None
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateProblem(
            source.origin, _template_line(exc, template_code), f"not allowed in a template: {exc}"
        ) from None
    except jinja2.TemplateError as exc:
        raise TemplateProblem(source.origin, _template_line(exc, template_code), str(exc)) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, RecursionError) as exc:
        raise TemplateProblem(
            source.origin, _template_line(exc, template_code), f"{type(exc).__name__}: {exc}"
        ) from None
    return "".join(out)


def _undefined_message(exc: Exception) -> str:
    text = re.sub(r"'[\w.]*Fields object' has no attribute '([^']+)'", r"no field '\1'", str(exc))
    return f"{text} (misspelled? see `mdfollow templates --help` for the fields)"


def _template_line(exc: BaseException, origin: str) -> int | None:
    """The template line of the innermost frame Jinja mapped back to the template."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == origin:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
