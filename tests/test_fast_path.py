"""The hand-written fast path must agree with the YAML loader wherever it answers."""

from hypothesis import given, settings
from hypothesis import strategies as st

from mdfollow.note import FrontMatterError, fast_front, load_yaml

KEY = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,8}", fullmatch=True)
ATOM = st.one_of(
    st.sampled_from(
        [
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
        ]
    ),
    st.text(alphabet=st.sampled_from("ab :#,'\"[]{}-?!&*|>%@`\t\\é"), max_size=12),
)
LINE = st.one_of(
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
