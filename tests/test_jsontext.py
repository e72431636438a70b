"""jsontext.dumps writes exactly what json.dumps(value, ensure_ascii=False, indent=2) writes, or fails as it does."""

from __future__ import annotations

import enum
import json
import sys
import unicodedata
from collections import OrderedDict
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mdfollow import jsontext
from mdfollow.jsontext import dumps
from mdfollow.render import agenda_json
from mdfollow.rules import build_agenda
from mdfollow.vault import VaultReader, load_settings
from tests.conftest import EXAMPLE_TODAY

NASTY = [
    "",
    '"',
    "\\",
    '\\"',
    "\x00\x01\x1f\x7f\x80\x9f",
    "\b\f\n\r\t",
    "\u2028\u2029",
    "\ud800",  # lone surrogates: json.dumps passes them through
    "\udfff\ud800",
    "\ufeff",
    "👩‍👩‍👧‍👦 🇫🇷",
    unicodedata.normalize("NFD", "Zoë Åström, Ñandú"),
    "</script>",
    "a\u0000b",
    "NaN",
    "null",
]


def outcome(function: Any, value: Any) -> tuple[str, str]:
    try:
        return "text", function(value)
    except Exception as error:  # the same failure counts as the same answer
        return type(error).__name__, str(error)


def expected(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def same(value: Any) -> None:
    assert outcome(dumps, value) == outcome(expected, value)


texts = st.one_of(st.sampled_from(NASTY), st.text(st.characters(codec=None, exclude_categories=())), st.text())
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**80), max_value=10**80),
    st.floats(),  # NaN, ±Infinity, -0.0, subnormals
    texts,
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=5).map(tuple),
        st.dictionaries(texts, inner, max_size=5),
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_any_value_mdfollow_can_emit_comes_out_byte_for_byte_as_json_dumps_writes_it(value):
    same(value)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.integers(), st.text()), min_size=1, max_size=4), st.integers(0, 130))
def test_nesting_of_any_depth_comes_out_as_json_dumps_writes_it(leaf, depth):
    value: Any = leaf
    for level in range(depth):
        value = {"k": value, "n": level} if level % 2 else [value, []]
    same(value)


def test_values_it_does_not_write_itself_are_handed_to_json_dumps():
    class Colour(enum.IntEnum):
        RED = 1

    class Name(str):
        pass

    circular: list[Any] = []
    circular.append(circular)
    for value in [
        {1: "a", 2.5: "b", False: "c", None: "d"},  # json.dumps turns these keys into strings
        {"z": 1, "a": [{(1, 2): 3}]},  # a tuple key: TypeError
        {"when": date(2026, 11, 23)},  # TypeError
        [Colour.RED, Name("x"), OrderedDict(b=1, a=2)],
        circular,  # ValueError: circular reference
        [10**5000],  # ValueError: too many digits for str()
        {"deep": _nest(jsontext.MAX_DEPTH + 5)},
        _nest(5000),  # RecursionError from json.dumps too
        {"ok": "é", "then": {1, 2}},  # a set: TypeError
    ]:
        same(value)


def test_the_layout_is_json_dumps_indent_2():
    value = {"a": [], "b": {}, "c": [1, [2, {}], {"d": None}], "e": (True, False), "f": -0.0, "g": float("inf")}
    assert dumps(value) == (
        '{\n  "a": [],\n  "b": {},\n  "c": [\n    1,\n    [\n      2,\n      {}\n    ],\n    {\n      "d": null\n'
        '    }\n  ],\n  "e": [\n    true,\n    false\n  ],\n  "f": -0.0,\n  "g": Infinity\n}'
    )
    assert dumps("é\u2028\x00") == '"é\u2028\\u0000"'
    assert dumps([]) == "[]" and dumps({}) == "{}" and dumps(None) == "null"


def test_the_example_vaults_agenda_is_what_agenda_json_prints(run, example_vault):
    settings_, problems = load_settings(example_vault)
    reader = VaultReader(example_vault, settings_, problems, use_cache=False)
    value = agenda_json(build_agenda(reader.index(), date.fromisoformat(EXAMPLE_TODAY), settings_))
    assert value["items"] and any(item["also"] for item in value["items"])
    assert dumps(value) == expected(value)
    result = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "--no-cache", "agenda", "--json")
    assert result.exit_code == 0
    assert result.stdout == expected(value) + "\n"


def test_a_value_too_deep_for_json_dumps_fails_here_too():
    # json.dumps spends a frame or two more per value than dumps: just past the depth
    # it can write, dumps must fail too (defer), never write text. A lower recursion
    # limit keeps these deep values small (json's pure-Python encoder is quadratic in depth).
    frames, frame = 0, sys._getframe()
    while frame is not None:
        frames, frame = frames + 1, frame.f_back
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(frames + 400)
    try:
        low, high = 1, 500
        while low < high:  # the least depth json.dumps cannot write from here
            middle = (low + high) // 2
            if _fails(_nest(middle)):
                high = middle
            else:
                low = middle + 1
        assert jsontext.MAX_DEPTH < low - 100 < 500
        for depth in range(low - 3, low + 4):
            same(_nest(depth))
    finally:
        sys.setrecursionlimit(limit)


def _fails(value: Any) -> bool:  # called as deep as `same` calls json.dumps
    return outcome(expected, value)[0] == "RecursionError"


def _nest(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value
