"""The per-note reader's shortcuts (str.find before a regex, remembered dates) must
answer exactly what the plain regexes and the uncached parse answer."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdfollow.dates import DateError, parse_date
from mdfollow.links import _TAG, _may_have_tag, scan_tags
from mdfollow.note import _CLOSE, _closing

TAGGY = st.text(alphabet=st.sampled_from([*"#a_/-1 \t\n(,;.[]x", "é", "٣", "\u00a0", "\u2003", "²", "ǅ"]))
FRONTY = st.lists(
    st.sampled_from(["---", "--- ", "---\t", "----", "-- -", "x", "", "a: b", "---x", " ---"]), max_size=8
)


@settings(max_examples=600, deadline=None)
@given(TAGGY)
def test_the_tag_shortcut_agrees_with_the_tag_pattern(body):
    assert _may_have_tag(body) == (_TAG.search(body) is not None), repr(body)


def test_tags_still_found_and_headings_still_not():
    assert scan_tags("# Title\n\n## Interactions\n- met #recruiter, (#work/x) #1\n") == ("recruiter", "work/x")
    assert scan_tags("# Title\n## Notes\nC# is a language; a#b too\n") == ()


@settings(max_examples=600, deadline=None)
@given(FRONTY, st.sampled_from(["---\n", "--- \n", "---\t\n"]))
def test_the_closing_line_shortcut_agrees_with_the_pattern(lines, opening):
    text = opening + "\n".join(lines)
    fast, slow = _closing(text), _CLOSE.search(text, 4)
    assert (fast and fast.span()) == (slow and slow.span()), repr(text)


def test_remembered_dates_are_the_same_dates_and_errors_still_raise():
    assert parse_date("2026-11-20") == date(2026, 11, 20)
    assert parse_date(" 2026-11-20 ") == parse_date("2026-11-20T10:00") == date(2026, 11, 20)
    for _ in range(2):  # a bad date raises every time, not only the first
        with pytest.raises(DateError, match="is not a real date"):
            parse_date("2024-02-30")
        with pytest.raises(DateError, match="is not a date"):
            parse_date(20261120)
