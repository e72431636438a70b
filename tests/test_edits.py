"""Byte-exact editing: only the edited keys' lines and the appended line change."""

import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdfollow.edits import EditError, append_log, format_value, plain_ok, set_keys
from mdfollow.note import parse_note

D = date(2026, 11, 23)


def test_set_existing_keys_keeps_comments_quotes_and_order():
    raw = (
        b'---\ntype: contact  # who\nmet: "2026-01-01"   # first meeting\nwarmth: cool # curt\nstrikes: 1\n---\nbody\n'
    )
    out = set_keys(raw, {"met": D, "warmth": "warm", "strikes": 2})
    assert (
        out
        == b'---\ntype: contact  # who\nmet: "2026-11-23"   # first meeting\nwarmth: warm # curt\nstrikes: 2\n---\nbody\n'
    )


def test_new_keys_go_before_the_closing_line_in_the_files_line_endings():
    raw = b"\xef\xbb\xbf---\r\ntype: contact\r\n---\r\n# Jane\r\n"
    out = set_keys(raw, {"last_outreach": D, "strikes": 1})
    assert out == b"\xef\xbb\xbf---\r\ntype: contact\r\nlast_outreach: 2026-11-23\r\nstrikes: 1\r\n---\r\n# Jane\r\n"


def test_removing_a_key_removes_only_its_lines():
    raw = b"---\ntype: contact\nnext_follow_up: 2026-12-01\ntags:\n  - a\n  - b\nname: x\n---\n"
    assert set_keys(raw, {"next_follow_up": None}) == b"---\ntype: contact\ntags:\n  - a\n  - b\nname: x\n---\n"
    assert set_keys(raw, {"tags": None}) == b"---\ntype: contact\nnext_follow_up: 2026-12-01\nname: x\n---\n"


def test_block_values_are_replaced_whole():
    raw = b"---\ntype: contact\nadvice:\n- one\n- two\n# a comment that stays\nadvice_outcome: >-\n  folded\n  text\n\nmet: 2026-01-01\n---\n"
    out = set_keys(raw, {"advice": "Read: the trade press", "advice_outcome": "It worked"})
    assert out == (
        b'---\ntype: contact\nadvice: "Read: the trade press"\n# a comment that stays\n'
        b"advice_outcome: It worked\n\nmet: 2026-01-01\n---\n"
    )


def test_no_op_edit_is_byte_identical():
    raw = b"---\r\ntype: contact\r\nmet: '2026-11-23' # yes\r\nstrikes: 0\r\nwarmth: warm\r\n---\r\nx"
    assert set_keys(raw, {"met": D, "strikes": 0, "warmth": "warm"}) is not None
    assert set_keys(raw, {"met": D, "strikes": 0, "warmth": "warm"}) == raw


def test_values_that_need_quotes_are_quoted_and_cannot_inject():
    raw = b"---\ntype: contact\n---\n"
    evil = "x\n---\nstrikes: 99"
    out = set_keys(raw, {"advice": evil})
    note = parse_note("n.md", out)
    assert note.front == {"type": "contact", "advice": evil}
    for text in (
        "yes",
        "no",
        "123",
        "a: b",
        "#tag",
        "[[Link]]",
        "null",
        "- item",
        "ends with:",
        " lead",
        "“curly”",
        "it's",
    ):
        assert parse_note("n.md", set_keys(raw, {"advice": text})).front["advice"] == text, text


def test_unreadable_or_foreign_notes_are_refused():
    with pytest.raises(EditError):
        set_keys(b"---\ntype: contact\nmet: [\n---\n", {"met": D})
    with pytest.raises(EditError):
        set_keys(b"no front matter\n", {"met": D})
    with pytest.raises(EditError):
        set_keys("---\ntype: contact\n---\n".encode("utf-16"), {"met": D})


def test_append_log_into_an_existing_section_before_the_next_heading():
    raw = b"---\ntype: contact\n---\n# Jane\n\n## Interactions\n\n- 2026-01-01 met\n\n\n## Notes\n\nmore\n"
    out = append_log(raw, "- 2026-11-23 sent")
    assert (
        out
        == b"---\ntype: contact\n---\n# Jane\n\n## Interactions\n\n- 2026-01-01 met\n- 2026-11-23 sent\n\n\n## Notes\n\nmore\n"
    )


def test_append_log_creates_the_section_and_keeps_a_missing_final_newline():
    assert (
        append_log(b"---\ntype: contact\n---\nbody", "- x")
        == b"---\ntype: contact\n---\nbody\n\n## Interactions\n\n- x"
    )
    assert (
        append_log(b"---\ntype: contact\n---\nbody\n", "- x")
        == b"---\ntype: contact\n---\nbody\n\n## Interactions\n\n- x\n"
    )
    assert append_log(b"---\ntype: contact\n---\n", "- x") == b"---\ntype: contact\n---\n\n## Interactions\n\n- x\n"


def test_append_log_ignores_headings_in_code_and_matches_any_level():
    raw = b"---\ntype: contact\n---\n```\n## Interactions\n```\n### interactions\n- a\n"
    assert append_log(raw, "- b") == b"---\ntype: contact\n---\n```\n## Interactions\n```\n### interactions\n- a\n- b\n"
    empty = b"---\ntype: contact\n---\n## Interactions\n## Next\n"
    assert append_log(empty, "- b") == b"---\ntype: contact\n---\n## Interactions\n\n- b\n## Next\n"


def test_format_value():
    assert format_value(D) == "2026-11-23" and format_value(D, '"') == '"2026-11-23"'
    assert format_value(3) == "3" and format_value("plain text") == "plain text"
    assert format_value("a: b") == '"a: b"' and format_value("it's", "'") == "'it''s'"
    assert not plain_ok("true") and not plain_ok("0123") and not plain_ok("") and plain_ok("Zoë")


# --- properties over generated notes -------------------------------------------------

WORD = st.text(alphabet=st.sampled_from("abcxyzé日 -_.,!?"), min_size=1, max_size=12).map(str.strip).filter(bool)
KEYS = [
    "type",
    "name",
    "company",
    "role",
    "tags",
    "aliases",
    "met",
    "thanked",
    "warmth",
    "strikes",
    "advice",
    "notes",
    "Größe",
    "rating",
]
EDITS = {
    "met": st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    "thanked": st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    "strikes": st.integers(min_value=0, max_value=5),
    "warmth": st.sampled_from(["warm", "neutral", "cool"]),
    "advice": st.text(min_size=1, max_size=30).filter(lambda t: t.strip() == t and t),
    "next_follow_up": st.none(),
}


@st.composite
def value_lines(draw, key):
    """The lines of one key: a plain, quoted, flow, block or folded value, maybe a comment."""
    style = draw(
        st.sampled_from(
            ["plain", "single", "double", "date", "qdate", "int", "flow", "block", "block0", "folded", "empty"]
        )
    )
    word = draw(WORD)
    comment = draw(st.sampled_from(["", "  # note", " # é"]))
    if style in ("plain",) and not plain_ok(word):
        style = "double"
    if style == "plain":
        return [f"{key}: {word}{comment}"]
    if style == "single":
        return [f"{key}: '{word.replace(chr(39), chr(39) * 2)}'{comment}"]
    if style == "double":
        return [f'{key}: "{word}"{comment}']
    if style == "date":
        return [f"{key}: {draw(EDITS['met']).isoformat()}{comment}"]
    if style == "qdate":
        return [f'{key}: "{draw(EDITS["met"]).isoformat()}"{comment}']
    if style == "int":
        return [f"{key}: {draw(st.integers(0, 99))}{comment}"]
    if style == "flow":
        return [f'{key}: ["{word}", "{draw(WORD)}"]{comment}']
    if style == "block":
        return [f"{key}:{comment}", f'  - "{word}"', f'  - "{draw(WORD)}"']
    if style == "block0":
        return [f"{key}:", f'- "{word}"']
    if style == "folded":
        return [f"{key}: >-", f"  {word}", f"  {draw(WORD)}"]
    return [f"{key}:{comment}"]


@st.composite
def notes(draw):
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=8, unique=True))
    segments: list[tuple[str | None, list[str]]] = []
    for key in keys:
        if draw(st.booleans()):
            segments.append((None, [draw(st.sampled_from(["# a comment", "#", "# ---"]))]))
        segments.append((key, draw(value_lines(key))))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.booleans())
    body = draw(
        st.sampled_from(
            ["", "# Title\n\ntext\n", "---\nrule above\n", "## Interactions\n\n- 2026-01-01 met\n", "no final newline"]
        )
    )
    return segments, newline, bom, body.replace("\n", newline)


def assemble(segments, newline, bom, body):
    lines = ["---", *[line for _, chunk in segments for line in chunk], "---"]
    text = newline.join(lines) + newline + body
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def lines_without(raw: bytes, keys: set[str]) -> list[bytes]:
    """The file's lines minus the single `key: ...` lines mdfollow writes for edited keys."""
    kept = []
    for line in raw.splitlines(keepends=True):
        head = line.split(b":", 1)[0].decode("utf-8", "replace").lstrip("\ufeff")
        if head in keys and not line.startswith((b" ", b"\t", b"-")):
            continue
        kept.append(line)
    return kept


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(notes(), st.dictionaries(st.sampled_from(sorted(EDITS)), st.none(), min_size=1, max_size=4), st.data())
def test_property_edit_changes_only_the_edited_keys(note, chosen, data):
    segments, newline, bom, body = note
    raw = assemble(segments, newline, bom, body)
    before = parse_note("n.md", raw)
    assert before.readable, raw
    changes = {key: data.draw(EDITS[key]) for key in chosen}
    out = set_keys(raw, changes)
    after = parse_note("n.md", out)
    assert after.readable
    for key, value in changes.items():
        if value is None:
            assert key not in after.front
        elif isinstance(value, date):
            assert after.front[key] == value.isoformat()
        else:
            assert after.front[key] == value
    for key, value in before.front.items():
        if key not in changes:
            assert after.front[key] == value
    # Every byte outside the edited keys' lines is unchanged, in order.
    edited = set(changes)
    old_kept = [line for key, chunk in segments if key not in edited for line in chunk]
    expected = assemble([(None, old_kept)], newline, bom, body) if old_kept else None
    if expected is not None:
        assert lines_without(out, edited) == lines_without(expected, edited)
    assert out.startswith(b"\xef\xbb\xbf") == bom
    assert out.endswith(body.encode("utf-8"))


@settings(max_examples=200, deadline=None)
@given(notes())
def test_property_no_op_edit_is_byte_identical(note):
    segments, newline, bom, body = note
    raw = assemble(segments, newline, bom, body)
    front = parse_note("n.md", raw).front
    same: dict = {}
    for key, value in front.items():
        if isinstance(value, int) and not isinstance(value, bool):
            same[key] = value
        elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            same[key] = date.fromisoformat(value)
        elif isinstance(value, str) and plain_ok(value):
            same[key] = value
    if same:
        assert set_keys(raw, same) == raw


def one_insertion(old: bytes, new: bytes) -> bytes | None:
    """The bytes inserted into `old` to make `new`, if `new` is `old` with one contiguous insertion."""
    k = 0
    while k < len(old) and old[k] == new[k]:
        k += 1
    rest = len(old) - k
    if new[len(new) - rest :] != old[k:] if rest else False:
        return None
    return new[k : len(new) - rest]


@settings(max_examples=200, deadline=None)
@given(notes(), st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=40))
def test_property_append_log_keeps_every_other_byte(note, text):
    segments, newline, bom, body = note
    raw = assemble(segments, newline, bom, body)
    line = "- 2026-11-23 " + " ".join(text.split())
    out = append_log(raw, line)
    inserted = one_insertion(raw, out)
    assert inserted is not None, (raw, out)
    assert line.encode("utf-8") in inserted
    assert inserted.replace(line.encode("utf-8"), b"").strip(b"\r\n") in (b"", b"## Interactions")
    assert parse_note("n.md", out).front == parse_note("n.md", raw).front
