from datetime import date, datetime

import pytest

from mdfollow.dates import (
    CadenceError,
    DateError,
    add_months,
    compile_daily_format,
    leading_date,
    parse_cadence,
    parse_date,
)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("2026-11-20T10:00", date(2026, 11, 20)),
        ("2026-11-20 23:59:59", date(2026, 11, 20)),
        ("2026-11-20T10:00:00+02:00", date(2026, 11, 20)),
        ("2026-11-20T10:00Z", date(2026, 11, 20)),
        (datetime(2026, 1, 2, 3, 4), date(2026, 1, 2)),
        (date(2026, 1, 2), date(2026, 1, 2)),
        ("2024-02-29", date(2024, 2, 29)),
    ],
)
def test_parse_date_accepts_dates_and_date_times(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("tomorrow", "is not a date"),
        ("2024-02-30", "February 2024 has 29 days"),
        ("2023-02-29", "February 2023 has 28 days"),
        ("2026-13-01", "no month 13"),
        ("2026-11-20T25:00", "impossible time"),
        (True, "not a date"),
        (20261120, "not a date"),
        ([2026], "a list"),
        (None, "empty"),
    ],
)
def test_parse_date_rejects_with_a_message_that_says_what_to_do(value, fragment):
    with pytest.raises(DateError, match=fragment):
        parse_date(value)


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months_is_calendar_months_clamped(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    "text, start, stretch, expected",
    [
        ("weekly", date(2026, 1, 1), 1, date(2026, 1, 8)),
        ("biweekly", date(2026, 1, 1), 1, date(2026, 1, 15)),
        ("monthly", date(2026, 1, 31), 1, date(2026, 2, 28)),
        ("monthly", date(2026, 1, 31), 2, date(2026, 3, 31)),
        ("quarterly", date(2026, 11, 30), 1, date(2027, 2, 28)),
        ("yearly", date(2024, 2, 29), 1, date(2025, 2, 28)),
        ("45d", date(2026, 1, 1), 1, date(2026, 2, 15)),
        ("6m", date(2026, 5, 31), 1, date(2026, 11, 30)),
        ("2w", date(2026, 1, 1), 2, date(2026, 1, 29)),
        ("1y", date(2026, 1, 1), 1, date(2027, 1, 1)),
        (" Monthly ", date(2026, 1, 1), 1, date(2026, 2, 1)),
    ],
)
def test_cadence_steps(text, start, stretch, expected):
    cadence = parse_cadence(text)
    assert cadence is not None
    assert cadence.after(start, stretch) == expected


def test_cadence_none_and_errors():
    assert parse_cadence("none") is None
    with pytest.raises(CadenceError, match="not one of"):
        parse_cadence("often")
    with pytest.raises(CadenceError, match="no unit; write 30d"):
        parse_cadence(30)
    with pytest.raises(CadenceError):
        parse_cadence("0d")
    with pytest.raises(CadenceError):
        parse_cadence(True)


@pytest.mark.parametrize(
    "fmt, stem, expected",
    [
        ("YYYY-MM-DD", "2026-11-20", date(2026, 11, 20)),
        ("YYYY/MM/YYYY-MM-DD", "2026/11/2026-11-20", date(2026, 11, 20)),
        ("DD.MM.YYYY", "20.11.2026", date(2026, 11, 20)),
        ("dddd, MMMM Do YYYY", "Friday, November 20th 2026", date(2026, 11, 20)),
        ("YYYY-MM-DD [Daily]", "2026-11-20 Daily", date(2026, 11, 20)),
        ("D MMM YY", "3 Feb 26", date(2026, 2, 3)),
        ("YYYY-MM-DD", "2026-02-30", None),
        ("YYYY-MM-DD", "Plan 2026-01-01", None),
        ("gggg-[W]ww", "2026-W47", None),
    ],
)
def test_daily_formats(fmt, stem, expected):
    assert compile_daily_format(fmt).parse(stem) == expected


def test_daily_format_renders_what_it_parses():
    fmt = compile_daily_format("YYYY/MMMM/dddd Do YYYY-MM-DD")
    day = date(2026, 11, 23)
    assert fmt.render(day) == "2026/November/Monday 23rd 2026-11-23"
    assert fmt.parse(fmt.render(day)) == day


def test_leading_date_only_at_the_start():
    assert leading_date("2026-11-20 Coffee with Lucas") == date(2026, 11, 20)
    assert leading_date("2026-11-20") == date(2026, 11, 20)
    assert leading_date("Plan 2026-01-01") is None
    assert leading_date("2026-11-201") is None
    assert leading_date("2026-02-30 typo") is None
