"""The hand-written fast path must agree with the YAML loader wherever it answers."""

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from mdfollow import note
from mdfollow.note import FrontMatterError, fast_front, load_yaml, parse_note

TRICKY = [
    "yes",
    "no",
    "true",
    "False",
    "null",
    "~",
    "0123",
    "12",
    "-3",
    "1.5",
    ".inf",
    "0x1F",
    "0o17",
    "10:30",
    "2026-11-20",
    "2024-02-30",
    "2026-11-20T10:00",
    "https://x.y/z",
    "a: b",
    "a #b",
    "a#b",
    "[[Link]]",
    "'q'",
    '"dq"',
    "it's",
    "x:",
    "- item",
    "? q",
    ": x",
    "&a",
    "*a",
    "!tag",
    "|",
    ">",
    "%x",
    "@x",
    "`x`",
    "{a: 1}",
    "[a, b]",
    "[]",
    "[a, [b]]",
    "[a, 'b, c']",
    '["a", b]',
    "[a,]",
    "[ a ]",
    "Zoë 日本",
    "a\tb",
    "\\",
    "#",
    "on",
    "off",
    "Yes",
    "NO",
    "y",
    "n",
    "+12",
    "-0",
    "1e3",
    "1_000",
    "0b101",
    "00",
    "1.",
    "-.inf",
    ".NaN",
    "2026-11-20 10:00:00+02:00",
    "2026-1-2",
    "[[Jane Doe]]",
    '"[[Jane Doe]]"',
    "[[Jane Doe|Jane]]",
    "[[[Jane Doe]]]",
    "[a b, c d]",
    "[ a ,b ]",
    "[a, -b, c]",
    "[a, - b]",
    "[1, 2.5, true, null, ~]",
    "[a, b] # c",
    "[a,, b]",
    "[,]",
    "a:b",
    "http://x.y:80/z",
    "a::b",
    "a  b",
    "a b ",
    "C#",
    "x #y",
    "x\t# y",
    "'it''s'",
    '"a\\nb"',
    "Harbor & Pine",
    "~x",
    "nullx",
    "truely",
    "x%y",
]
KEY = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,8}", fullmatch=True),
    # Keys YAML reads as something other than text.
    st.sampled_from(["true", "False", "NULL", "null", "yes", "on", "_", "a-b", "x_1"]),
)
ATOM = st.one_of(
    st.sampled_from(TRICKY),
    st.text(alphabet=st.sampled_from("ab :#,'\"[]{}-?!&*|>%@`\t\\é"), max_size=12),
)
ITEM = st.one_of(
    st.builds(lambda v: f"  - {v}", ATOM),
    st.builds(lambda v: f"- {v}", ATOM),
    st.builds(lambda v: f"    - {v}", ATOM),
    st.builds(lambda v: f"  -  {v} # c", ATOM),
    st.sampled_from(["  -", "  - ", "  -x", "   continued", "  # comment", "  - - a", "  - a: b", "\t- a"]),
)
LINE = st.one_of(
    ITEM,
    st.builds(lambda k, v: f"{k}: {v}", KEY, ATOM),
    st.builds(lambda k, v, c: f"{k}: {v} #{c}", KEY, ATOM, st.text(alphabet="ab :", max_size=5)),
    st.builds(lambda k: f"{k}:", KEY),
    st.builds(lambda k, v: f"{k}:{v}", KEY, ATOM),
    st.sampled_from(
        ["# comment", "", "  - indented", "- item", "\tkey: tab", "  more: x", "key : spaced", '"quoted key": 1']
    ),
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(LINE, max_size=8))
def test_fast_path_equals_the_yaml_loader_whenever_it_answers(lines):
    block = "\n".join(lines) + "\n"
    fast = fast_front(block)
    if fast is None:
        return
    try:
        slow = load_yaml(block)
    except FrontMatterError:
        raise AssertionError(f"fast path read a block YAML rejects: {block!r} -> {fast!r}") from None
    assert fast == (slow or {}), block
    assert [type(v) for v in fast.values()] == [type(v) for v in (slow or {}).values()], block


def test_fast_path_answers_for_ordinary_front_matter():
    block = 'type: contact\nmet: 2026-11-20\ntags: [a, b]\nname: "Jane: Doe"\nurl: https://x.y\nstrikes: 2\n# c\nwarmth: cool  # curt\nempty:\n'
    assert fast_front(block) == {
        "type": "contact",
        "met": "2026-11-20",
        "tags": ["a", "b"],
        "name": "Jane: Doe",
        "url": "https://x.y",
        "strikes": 2,
        "warmth": "cool",
        "empty": None,
    }


FRONT_LINE = st.one_of(LINE, st.builds(lambda k, v: f"{k}:  {v}   ", KEY, ATOM), st.just("  "))


@settings(max_examples=500, deadline=None)
@given(
    st.lists(FRONT_LINE, max_size=10),
    st.booleans(),
    st.booleans(),
    st.text(alphabet="ab [[]]#\n", max_size=20),
)
def test_a_note_reads_the_same_with_and_without_the_fast_path(lines, bom, crlf, body):
    # The whole note, as parse_note sees it (BOM and CRLF included): everything it returns
    # (values, their types, key order, diagnostics, offsets) is the same when every block
    # goes through the YAML loader.
    newline = "\r\n" if crlf else "\n"
    text = "---" + newline + newline.join(lines) + newline + "---" + newline + body
    raw = ("\ufeff" if bom else "").encode() + text.encode("utf-8")
    fast = parse_note("People/x.md", raw)
    original = note.fast_front
    note.fast_front = lambda block: None
    try:
        slow = parse_note("People/x.md", raw)
    finally:
        note.fast_front = original
    assert dataclasses.asdict(fast) == dataclasses.asdict(slow), text
    assert list(fast.front) == list(slow.front), text
    assert [type(v) for v in fast.front.values()] == [type(v) for v in slow.front.values()], text


def test_lists_as_obsidian_writes_them_take_the_fast_path():
    block = 'tags:\n  - networking\n  - "[[Harbor & Pine]]"\naliases:\n  - Yara\nmet: 2019-07-18\nempty:\nz:\n- 1\n'
    assert (
        fast_front(block)
        == load_yaml(block)
        == {
            "tags": ["networking", "[[Harbor & Pine]]"],
            "aliases": ["Yara"],
            "met": "2019-07-18",
            "empty": None,
            "z": [1],
        }
    )
    for odd in ("k:\n  - a\n    - b\n", "k:\n- a\n  - b\n", "k:\n  - a\n  b\n", "k: x\n  - a\n", "- a\n"):
        assert fast_front(odd) is None, odd


def test_every_tricky_value_reads_as_yaml_reads_it():
    # Each tricky value in each line shape, deterministically (the property tests sample them).
    for value in TRICKY:
        for line in (
            f"k: {value}",
            f"k:  {value}  ",
            f"k: {value} # c",
            f"k: [{value}]",
            f"k: [a, {value}]",
            f"k:\n  - {value}",
            f"k:\n  - a\n  - {value} # c",
            f"k:\n- {value}",
        ):
            block = f"type: contact\n{line}\nz: 1\n"
            fast = fast_front(block)
            if fast is None:
                continue
            try:
                slow = load_yaml(block)
            except FrontMatterError:
                raise AssertionError(f"fast path read a block YAML rejects: {block!r} -> {fast!r}") from None
            assert fast == slow, block
            assert [type(v) for v in fast.values()] == [type(v) for v in slow.values()], block
