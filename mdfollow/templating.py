"""Rendering templates: Jinja2, sandboxed, strict.

Pure: template sources come in as text (the edges load them from the package
or the vault), values come in, text comes out. Vault templates may come from a
shared vault, so every template renders in Jinja2's SandboxedEnvironment, with
StrictUndefined so that a misspelled field is an error naming the template's
file and line, never an empty string. Data is never rendered as template
source. Output is bounded in size.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, NoReturn

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


MAX_SECONDS = 5.0  # one render's time, checked at every call, operator, filter and output chunk


class TimeUp(Exception):
    """Raised by a time budget (from its check, or from a timer signal) when a render ran too long."""


class TimeBudget:
    """How a render's time is bounded. This core module has no clock: the edge that renders
    gives one (template_files.time_limited), with `check` called at every sandbox hook and
    `arm`/`disarm` around the render (for a timer that also stops hook-free loops)."""

    def arm(self) -> None:
        pass

    def check(self) -> None:
        pass

    def disarm(self) -> None:
        pass


_BUDGET: contextvars.ContextVar[TimeBudget | None] = contextvars.ContextVar("template_budget", default=None)


@contextlib.contextmanager
def time_budget(budget: TimeBudget) -> Iterator[None]:
    """Renders inside this block are bounded by `budget`."""
    token = _BUDGET.set(budget)
    try:
        yield
    finally:
        _BUDGET.reset(token)


def _refuse(what: str) -> NoReturn:
    raise jinja2.exceptions.SecurityError(what)


def _tick() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.check()


def _size(n: float) -> None:
    """Refuse, before anything is allocated, a value that would be `n` long."""
    if n > MAX_SIZE:
        _refuse(f"a value over {MAX_SIZE} long")


# `%` and str.format: a width or precision is how many characters come out.
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_FORMAT_SPEC = re.compile(r"\{[^{}]*?:[^{}]*?(\d+)(?:\.(\d+))?[^{}]*\}|\{[^{}]*:[^{}]*\{")


def _check_percent(text: str) -> None:
    for m in _PERCENT_SPEC.finditer(text):
        for part in m.groups():
            if part == "*":
                _refuse("'*' widths in % formatting")
            if (part and len(part) > 6) or (part and int(part) > MAX_SIZE):
                _refuse(f"a width over {MAX_SIZE} in % formatting")


def _check_format(text: str) -> None:
    for m in _FORMAT_SPEC.finditer(text):
        if m.group(1) is None:
            _refuse("nested fields in a format spec")
        for part in m.groups():
            if part and (len(part) > 6 or int(part) > MAX_SIZE):
                _refuse(f"a width over {MAX_SIZE} in a format spec")


def _total_length(items: Any) -> float:
    if not isinstance(items, list | tuple):
        return 0
    _size(len(items))
    return sum(len(x) if isinstance(x, str | list | tuple) else 20 for x in items)


def _check_str_call(name: str, text: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a str method call whose result would be gigantic, before it runs."""
    first = args[0] if args else next(iter(kwargs.values()), None)
    if name in ("center", "ljust", "rjust", "zfill") and isinstance(first, int):
        _size(first)
    elif name == "expandtabs":
        tabsize = first if isinstance(first, int) else 8
        _size(len(text) + text.count("\t") * tabsize)
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        old, new = args[0], args[1]
        count = args[2] if len(args) > 2 and isinstance(args[2], int) else kwargs.get("count", -1)
        hits = text.count(old) if old else len(text) + 1
        if isinstance(count, int) and count >= 0:
            hits = min(hits, count)
        _size(len(text) + hits * max(0, len(new) - len(old)))
    elif name in ("format", "format_map"):
        _check_format(text)
    elif name == "join":
        _size(_total_length(first) + len(text) * (len(first) if isinstance(first, list | tuple) else 0))
    elif name == "__mod__":
        _check_percent(text)


class _BoundedSandbox(SandboxedEnvironment):
    """The sandbox with arithmetic, calls and filters that cannot build gigantic values or run long."""

    intercepted_binops = frozenset(["*", "**", "%", "+"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _tick()
        if operator == "**":
            if isinstance(right, int | float) and abs(right) > 64:
                _refuse("exponent over 64")
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() * max(right, 0) > 4096:
                _refuse("a number over 4096 bits")
            return left**right
        if operator == "%":
            if isinstance(left, str):
                _check_percent(left)
            return left % right
        if operator == "+":
            if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
                _size(len(left) + len(right))
            return left + right
        for value, count in ((left, right), (right, left)):
            if isinstance(value, str | list | tuple) and isinstance(count, int):
                _size(len(value) * count)
        return left * right

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _tick()
        method = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        owner = getattr(method, "__self__", None)
        if isinstance(owner, str):
            _check_str_call(getattr(method, "__name__", ""), owner, args, kwargs)
        elif getattr(__obj, "__name__", "") == "generate_lorem_ipsum":
            _lipsum_bounds(kwargs, args)
        return SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs)


def _lipsum_bounds(kwargs: dict[str, Any], args: tuple[Any, ...]) -> None:
    values = dict(zip(("n", "html", "min", "max"), args, strict=False)) | kwargs
    n, low, high = values.get("n", 5), values.get("min", 20), values.get("max", 100)
    if not all(isinstance(v, int) for v in (n, low, high)) or n > 20 or high > 200 or low > high:
        _refuse("lipsum beyond 20 paragraphs of 200 words")


def _bounded_filters(filters: dict[str, Any]) -> None:
    """Jinja's filters run without going through the sandbox's call(): wrap the ones whose
    output can outgrow their input."""
    center, indent, replace, fmt, join, total = (
        filters["center"],
        filters["indent"],
        filters["replace"],
        filters["format"],
        filters["join"],
        filters["sum"],
    )

    def bounded_center(value: Any, width: int = 80) -> Any:
        _tick()
        if isinstance(width, int):
            _size(width)
        return center(value, width)

    def bounded_indent(value: Any, width: Any = 4, *args: Any, **kwargs: Any) -> Any:
        _tick()
        text = str(value)
        pad = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        _size(len(text) + (text.count("\n") + 1) * pad)
        return indent(value, width, *args, **kwargs)

    def bounded_replace(eval_ctx: Any, value: Any, old: Any, new: Any, count: Any = None) -> Any:
        _tick()
        if isinstance(value, str) and isinstance(old, str) and isinstance(new, str):
            _check_str_call("replace", value, (old, new, -1 if count is None else count), {})
        return replace(eval_ctx, value, old, new, count)

    def bounded_format(value: Any, *args: Any, **kwargs: Any) -> Any:
        _tick()
        _check_percent(str(value))
        return fmt(value, *args, **kwargs)

    def bounded_join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
        _tick()
        if isinstance(value, list | tuple):
            _size(_total_length(value) + len(str(d)) * len(value))
        return join(eval_ctx, value, d, attribute)

    def bounded_sum(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
        _tick()
        if isinstance(iterable, list | tuple):
            _size(_total_length(iterable))
        return total(environment, iterable, attribute, start)

    # Keep each wrapped filter's way of being called (eval context, environment).
    bounded_replace = jinja2.pass_eval_context(bounded_replace)
    bounded_join = jinja2.pass_eval_context(bounded_join)
    bounded_sum = jinja2.pass_environment(bounded_sum)
    filters.update(
        center=bounded_center,
        indent=bounded_indent,
        replace=bounded_replace,
        format=bounded_format,
        join=bounded_join,
        sum=bounded_sum,
    )


class _LoopBudget:
    """range() that stops a render once it has asked for MAX_LOOP items in all."""

    def __init__(self) -> None:
        self.left = MAX_LOOP

    def __call__(self, *args: int) -> range:
        _tick()
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
    _bounded_filters(env.filters)
    return env


_ENV = _environment()


@lru_cache(maxsize=32)
def _compiled(text: str, name: str, origin: str) -> jinja2.Template:
    """A template compiled once per run, not once per note an import creates."""
    code = _ENV.compile(text, name=name, filename=origin)
    return _ENV.template_class.from_code(_ENV, code, _ENV.make_globals(None), None)


def render(source: Source, context: dict[str, Any]) -> str:
    """Render one template; TemplateProblem names the file and line of any mistake."""
    try:
        template = _compiled(source.text, source.name, source.origin)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(source.origin, exc.lineno, f"template syntax: {exc.message}") from None
    template_code = source.origin
    out: list[str] = []
    size = 0
    budget = _BUDGET.get() or TimeBudget()
    budget.arm()
    try:
        for chunk in template.generate(**{"range": _LoopBudget(), **context}):
            _tick()
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
    except (TypeError, ValueError, ArithmeticError, LookupError, RecursionError, MemoryError) as exc:
        raise TemplateProblem(
            source.origin, _template_line(exc, template_code), f"{type(exc).__name__}: {exc}"
        ) from None
    except TimeUp:
        raise TemplateProblem(source.origin, None, f"rendering took longer than {MAX_SECONDS:g} s; stopped") from None
    finally:
        budget.disarm()
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
