"""Calendar arithmetic: dates, cadences and Obsidian's daily-note formats.

Dates are calendar dates with no time zone; a date-time counts as its date.
Months are calendar months, clamped to the month's last day.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from mdfollow.errors import CadenceError, DateError

_ISO_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$"
)


# Python's dates end at 9999-12-31. Every date mdfollow reads lies in this range, and
# every span it adds is bounded (cadences up to 10 years, stretched at most 10 times;
# day settings up to 3650), so no sum or difference can leave what Python represents.
EARLIEST = date(1000, 1, 1)
LATEST = date(9000, 12, 31)
MAX_CADENCE_DAYS = 3660  # about 10 years
MAX_STRETCH = 10
MAX_SETTING_DAYS = 3650


def in_range(day: date, text: object) -> date:
    """`day` if it lies between EARLIEST and LATEST, else DateError."""
    if day > LATEST:
        raise DateError(f"{text!r} is after {LATEST.isoformat()}, further ahead than mdfollow plans")
    if day < EARLIEST:
        raise DateError(f"{text!r} is before {EARLIEST.isoformat()}, further back than mdfollow reads")
    return day


def parse_date(value: object) -> date:
    """A date from a front-matter value: `YYYY-MM-DD`, or a date-time taken as its date."""
    if isinstance(value, datetime):
        return in_range(value.date(), value.date().isoformat())
    if isinstance(value, date):
        return in_range(value, value.isoformat())
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise DateError(f"{describe_value(value)} is not a date; write YYYY-MM-DD")
    return _date_from_text(str(value))


@lru_cache(maxsize=16384)
def _date_from_text(value: str) -> date:
    """`parse_date` for text, remembered: a vault repeats the same few thousand days
    across its notes (dates are immutable; a bad one raises again each time)."""
    text = value.strip()
    m = _ISO_DATE.match(text)
    if not m:
        raise DateError(f"{text!r} is not a date; write YYYY-MM-DD")
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not EARLIEST.year <= year <= LATEST.year:
        in_range(date(max(1, min(year, 9999)), 1, 1), text)
    if not 1 <= month <= 12:
        raise DateError(f"{text!r} has no month {month}; write YYYY-MM-DD")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise DateError(f"{text!r} is not a real date ({calendar.month_name[month]} {year} has {last} days)")
    if m.group(4) is not None and not (int(m.group(4)) < 24 and int(m.group(5)) < 60):
        raise DateError(f"{text!r} has an impossible time of day")
    return in_range(date(year, month, day), text)


def describe_value(value: object) -> str:
    """A short, readable rendering of a YAML value for messages."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def add_months(day: date, months: int) -> date:
    """`day` plus whole calendar months, clamped: Jan 31 + 1 month is Feb 28 (or 29)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


_NAMED_CADENCES = {
    "weekly": (1, "w"),
    "biweekly": (2, "w"),
    "fortnightly": (2, "w"),
    "monthly": (1, "m"),
    "quarterly": (3, "m"),
    "yearly": (12, "m"),
    "annually": (12, "m"),
}
_CADENCE = re.compile(r"^(\d{1,9})\s*([dwmy])$")
_UNIT_WORDS = {"d": "day", "w": "week", "m": "month", "y": "year"}


@dataclass(frozen=True)
class Cadence:
    """How often to check in: a count of days, weeks or calendar months."""

    count: int
    unit: str  # "d", "w" or "m" (years are stored as 12 months)
    text: str

    def after(self, day: date, stretch: int = 1) -> date:
        n = self.count * stretch
        if self.unit == "d":
            return day + timedelta(days=n)
        if self.unit == "w":
            return day + timedelta(weeks=n)
        return add_months(day, n)

    def span(self, stretch: int = 1) -> str:
        """ "2 months": the cadence (times `stretch`) in words."""
        n = self.count * stretch
        unit = self.unit
        if unit == "m" and n % 12 == 0:
            n, unit = n // 12, "y"
        word = _UNIT_WORDS[unit]
        return f"{n} {word}" + ("s" if n != 1 else "")


def parse_cadence(value: object) -> Cadence | None:
    """A `Cadence`, or None for `none`. Raises CadenceError with a fix-it message."""
    if isinstance(value, bool) or not isinstance(value, str):
        if isinstance(value, int) and not isinstance(value, bool):
            raise CadenceError(f"{value} has no unit; write {value}d, {value}w or {value}m")
        raise CadenceError(f"{describe_value(value)} is not a cadence; write monthly, quarterly, 6w, 45d ...")
    text = value.strip().lower()
    if text in ("none", "never", ""):
        return None
    if text in _NAMED_CADENCES:
        count, unit = _NAMED_CADENCES[text]
        return _make(count, unit, text)
    m = _CADENCE.match(text)
    if m and int(m.group(1)) > 0:
        made = _make(int(m.group(1)), m.group(2), text)
        days = made.count * {"d": 1.0, "w": 7.0, "m": 30.5}[made.unit]
        if days > MAX_CADENCE_DAYS:
            raise CadenceError(f"{value!r} is longer than 10 years; write 10y or less, or none")
        return made
    raise CadenceError(
        f"{value!r} is not one of weekly, biweekly, monthly, quarterly, yearly, "
        "none, or a number with d/w/m/y (45d, 6m)"
    )


def _make(count: int, unit: str, text: str) -> Cadence:
    if unit == "y":
        return Cadence(count * 12, "m", text)
    return Cadence(count, unit, text)


# --- Obsidian daily-note file names (moment.js formats) ---------------------

_MONTHS = [calendar.month_name[i].lower() for i in range(1, 13)]
_MONTHS_SHORT = [calendar.month_abbr[i].lower() for i in range(1, 13)]
_DAYS = [calendar.day_name[i].lower() for i in range(7)]
_DAYS_SHORT = [calendar.day_abbr[i].lower() for i in range(7)]

_MOMENT_TOKENS: list[tuple[str, str]] = [
    ("YYYY", r"(?P<Y>\d{4})"),
    ("YY", r"(?P<y>\d{2})"),
    ("MMMM", r"(?P<MMMM>[A-Za-z]+)"),
    ("MMM", r"(?P<MMM>[A-Za-z]{3})"),
    ("MM", r"(?P<M>\d{2})"),
    ("M", r"(?P<M>\d{1,2})"),
    ("Do", r"(?P<D>\d{1,2})(?:st|nd|rd|th)"),
    ("DDDD", r"\d{3}"),
    ("DD", r"(?P<D>\d{2})"),
    ("D", r"(?P<D>\d{1,2})"),
    ("dddd", r"[A-Za-z]+"),
    ("ddd", r"[A-Za-z]{3}"),
    ("dd", r"[A-Za-z]{2}"),
    ("d", r"\d"),
    ("ww", r"\d{2}"),
    ("w", r"\d{1,2}"),
    ("WW", r"\d{2}"),
    ("W", r"\d{1,2}"),
    ("gggg", r"\d{4}"),
    ("gg", r"\d{2}"),
    ("GGGG", r"\d{4}"),
    ("GG", r"\d{2}"),
    ("Q", r"[1-4]"),
    ("HH", r"\d{2}"),
    ("H", r"\d{1,2}"),
    ("hh", r"\d{2}"),
    ("h", r"\d{1,2}"),
    ("mm", r"\d{2}"),
    ("m", r"\d{1,2}"),
    ("ss", r"\d{2}"),
    ("s", r"\d{1,2}"),
    ("A", r"[AP]M"),
    ("a", r"[ap]m"),
]


@dataclass(frozen=True)
class DailyFormat:
    """A compiled moment.js date format, as Obsidian's daily notes use it."""

    format: str
    pattern: re.Pattern[str]

    def parse(self, stem: str) -> date | None:
        m = self.pattern.fullmatch(stem)
        if not m:
            return None
        groups = m.groupdict()
        try:
            if groups.get("Y"):
                year = int(groups["Y"])
            elif groups.get("y"):
                year = 2000 + int(groups["y"])
            else:
                return None
            if groups.get("M"):
                month = int(groups["M"])
            elif groups.get("MMMM"):
                month = _MONTHS.index(groups["MMMM"].lower()) + 1
            elif groups.get("MMM"):
                month = _MONTHS_SHORT.index(groups["MMM"].lower()) + 1
            else:
                return None
            if not groups.get("D"):
                return None
            day = date(year, month, int(groups["D"]))
            return day if EARLIEST <= day <= LATEST else None
        except ValueError:
            return None

    def render(self, day: date, at: time | None = None) -> str:
        """The day (and time of day, for `HH:mm` and the like) in this format."""
        out: list[str] = []
        fmt = self.format
        i = 0
        while i < len(fmt):
            if fmt[i] == "[":
                end = fmt.find("]", i)
                if end == -1:
                    out.append(fmt[i:])
                    break
                out.append(fmt[i + 1 : end])
                i = end + 1
                continue
            for token, _ in _MOMENT_TOKENS:
                if fmt.startswith(token, i):
                    out.append(_render_token(token, day, at or time.min))
                    i += len(token)
                    break
            else:
                out.append(fmt[i])
                i += 1
        return "".join(out)


def locale_week(day: date) -> tuple[int, int]:
    """(week-year, week) in moment.js's default locale (en): weeks start on Sunday and
    week 1 is the one holding 1 January. Obsidian's `gggg`/`ww` use it; `GGGG`/`WW` are ISO."""
    saturday = day + timedelta(days=(5 - day.weekday()) % 7)  # the last day of its week
    return saturday.year, (saturday.timetuple().tm_yday - 1) // 7 + 1


def _render_token(token: str, day: date, at: time) -> str:
    iso = day.isocalendar()
    week_year, week = locale_week(day)
    hour12 = at.hour % 12 or 12
    values = {
        "YYYY": f"{day.year:04d}",
        "YY": f"{day.year % 100:02d}",
        "MMMM": calendar.month_name[day.month],
        "MMM": calendar.month_abbr[day.month],
        "MM": f"{day.month:02d}",
        "M": str(day.month),
        "Do": f"{day.day}{_ordinal(day.day)}",
        "DDDD": f"{day.timetuple().tm_yday:03d}",
        "DD": f"{day.day:02d}",
        "D": str(day.day),
        "dddd": calendar.day_name[day.weekday()],
        "ddd": calendar.day_abbr[day.weekday()],
        "dd": calendar.day_abbr[day.weekday()][:2],
        "d": str((day.weekday() + 1) % 7),
        "ww": f"{week:02d}",
        "w": str(week),
        "WW": f"{iso.week:02d}",
        "W": str(iso.week),
        "gggg": f"{week_year:04d}",
        "gg": f"{week_year % 100:02d}",
        "GGGG": f"{iso.year:04d}",
        "GG": f"{iso.year % 100:02d}",
        "Q": str((day.month - 1) // 3 + 1),
        "HH": f"{at.hour:02d}",
        "H": str(at.hour),
        "hh": f"{hour12:02d}",
        "h": str(hour12),
        "mm": f"{at.minute:02d}",
        "m": str(at.minute),
        "ss": f"{at.second:02d}",
        "s": str(at.second),
        "A": "AM" if at.hour < 12 else "PM",
        "a": "am" if at.hour < 12 else "pm",
    }
    return values[token]


def _ordinal(n: int) -> str:
    if 11 <= n % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def compile_daily_format(fmt: str) -> DailyFormat:
    parts: list[str] = []
    seen: set[str] = set()
    i = 0
    while i < len(fmt):
        if fmt[i] == "[":
            end = fmt.find("]", i)
            if end == -1:
                parts.append(re.escape(fmt[i:]))
                break
            parts.append(re.escape(fmt[i + 1 : end]))
            i = end + 1
            continue
        for token, regex in _MOMENT_TOKENS:
            if fmt.startswith(token, i):
                # A group name may appear once in a regex; repeats only need to match.
                group = re.search(r"\?P<(\w+)>", regex)
                if group and group.group(1) in seen:
                    regex = re.sub(r"\?P<\w+>", "?:", regex)
                elif group:
                    seen.add(group.group(1))
                parts.append(regex)
                i += len(token)
                break
        else:
            parts.append(re.escape(fmt[i]))
            i += 1
    return DailyFormat(fmt, re.compile("".join(parts), re.IGNORECASE))


_LEADING_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?![\d])")


def leading_date(stem: str) -> date | None:
    """The date a file name starts with (`2026-11-20 Coffee with Lucas`), if any."""
    m = _LEADING_DATE.match(stem)
    if not m:
        return None
    try:
        return parse_date(m.group(1))
    except DateError:
        return None


# Obsidian's template variables, as its Daily notes and Templates plugins fill them:
# `{{date}}`, `{{time}}`, `{{title}}`, `{{date:FORMAT}}`, `{{date+1d:FORMAT}}`, `{{yesterday}}`, `{{tomorrow}}`.
_TEMPLATE_VARIABLE = re.compile(
    r"{{\s*(?:(?P<kind>date|time)\s*(?:(?P<delta>[+-]\d+)(?P<unit>[yqmwdhs]))?\s*(?::(?P<format>.*?))?"
    r"|(?P<other>title|yesterday|tomorrow))\s*}}",
    re.IGNORECASE,
)


def fill_template(text: str, day: date, at: time, title: str, date_format: str, time_format: str = "HH:mm") -> str:
    """A daily-note template with Obsidian's variables filled for `day`.

    `{{date}}` takes the daily-note format (`date_format`), `{{time}}` the time
    format, `{{title}}` the note's name; `{{date:FORMAT}}` any moment.js format.
    """

    def fill(m: re.Match[str]) -> str:
        other = (m.group("other") or "").lower()
        if other == "title":
            return title
        if other in ("yesterday", "tomorrow"):
            shift = -1 if other == "yesterday" else 1
            return compile_daily_format(date_format).render(day + timedelta(days=shift))
        when = datetime.combine(day, at)
        if m.group("delta"):
            when = _shift(when, int(m.group("delta")), m.group("unit"))
        fmt = (m.group("format") or "").strip()
        if not fmt:
            fmt = time_format if m.group("kind").lower() == "time" else date_format
        return compile_daily_format(fmt).render(when.date(), when.timetz())  # naive: timetz() is its time

    return _TEMPLATE_VARIABLE.sub(fill, text)


def _shift(when: datetime, count: int, unit: str) -> datetime:
    """moment's `add`: `M` is months and `m` minutes; the other units ignore case."""
    if unit == "M" or unit.lower() in "yq":
        months = count * {"y": 12, "q": 3, "M": 1}[unit if unit == "M" else unit.lower()]
        return datetime.combine(add_months(when.date(), months), when.timetz())
    seconds = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}[unit if unit == "m" else unit.lower()]
    return when + timedelta(seconds=count * seconds)


# --- birthdays ----------------------------------------------------------------------

_BIRTHDAY = re.compile(r"^(?:(\d{4})-?|--|)(\d{2})-?(\d{2})$")


@dataclass(frozen=True)
class Birthday:
    """A day of the year, with the year of birth when it is known."""

    month: int
    day: int
    year: int | None = None

    @property
    def text(self) -> str:
        """The canonical front-matter form: `1990-11-25`, or `--11-25` without a year (vCard's form)."""
        if self.year is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        return f"--{self.month:02d}-{self.day:02d}"

    def in_year(self, year: int) -> date:
        """The birthday in `year`; 29 February is kept on 28 February in other years."""
        day = min(self.day, calendar.monthrange(year, self.month)[1])
        return date(year, self.month, day)

    def next_on_or_after(self, today: date) -> date:
        when = self.in_year(today.year)
        if when < today:
            if today.year == date.max.year:
                return when  # no year after 9999: stay put rather than overflow
            when = self.in_year(today.year + 1)
        return when

    def age_on(self, day: date) -> int | None:
        """Years turned on `day` (a birthday of that year), or None without a year of birth."""
        return day.year - self.year if self.year is not None else None


def parse_birthday(value: object) -> Birthday:
    """A `Birthday` from `1990-11-25`, `11-25`, `--11-25` or `--1125` (vCard 4), or a YAML date.

    Raises DateError with a fix-it message.
    """
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return Birthday(value.month, value.day, value.year)
    if isinstance(value, bool) or not isinstance(value, str):
        raise DateError(f"{describe_value(value)} is not a birthday; write YYYY-MM-DD, or MM-DD without the year")
    text = value.strip()
    m = _BIRTHDAY.match(text)
    if not m:
        raise DateError(f"{text!r} is not a birthday; write YYYY-MM-DD, or MM-DD without the year")
    # Year 0000 is how some address books say "no year".
    year = int(m.group(1)) if m.group(1) and int(m.group(1)) > 0 else None
    month, day = int(m.group(2)), int(m.group(3))
    if not 1 <= month <= 12:
        raise DateError(f"{text!r} has no month {month}; write YYYY-MM-DD, or MM-DD without the year")
    # Without a year, 29 February is a real birthday; with one, the year must have it.
    last = calendar.monthrange(year if year is not None else 2000, month)[1]
    if not 1 <= day <= last:
        where = f"{calendar.month_name[month]} {year:04d}" if year is not None else calendar.month_name[month]
        raise DateError(f"{text!r} is not a real date ({where} has {last} days)")
    return Birthday(month, day, year)
