"""Contacts from LinkedIn, vCard and Google exports, as `Person` values.

Pure: file text in, `Person` values and diagnostics out (`matching` then decides,
for each person, create / skip (and why) / ambiguous). vobject lives here and
nowhere else. The notes are written by `record.create_contact`, the same safe
path as `new`.
"""

from __future__ import annotations

import csv
import itertools
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from mdfollow.contact import fold
from mdfollow.dates import Birthday, DateError, parse_birthday
from mdfollow.diagnostics import Diagnostic, warning
from mdfollow.vcard import ADVICE_PREFIX, APPLE_NO_YEAR, OUTCOME_PREFIX


@dataclass(frozen=True)
class Person:
    name: str
    line: int  # where the person starts in the export file
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    company: str = ""
    role: str = ""
    linkedin: str = ""
    websites: tuple[str, ...] = ()
    birthday: str = ""  # YYYY-MM-DD, or --MM-DD without a year
    connected: date | None = None
    tags: tuple[str, ...] = ()
    note: str = ""
    advice: tuple[str, ...] = ()  # from a NOTE that `export vcard` wrote
    advice_outcome: str = ""
    aliases: tuple[str, ...] = ()  # a nickname: kept as an alias, so `show Bob` finds Robert

    def extra(self) -> list[tuple[str, object]]:
        """Front-matter keys for the new note, in a stable order."""
        out: list[tuple[str, object]] = []
        if self.role:
            out.append(("role", self.role))
        if self.emails:
            out.append(("email", self.emails[0]))
            if len(self.emails) > 1:
                out.append(("emails", list(self.emails[1:])))
        if self.phones:
            out.append(("phone", self.phones[0]))
            if len(self.phones) > 1:
                out.append(("phones", list(self.phones[1:])))
        if self.linkedin:
            out.append(("linkedin", self.linkedin))
        if self.websites:
            out.append(("website", self.websites[0]))
            if len(self.websites) > 1:
                out.append(("websites", list(self.websites[1:])))
        if self.birthday:
            out.append(("birthday", self.birthday))
        if self.connected:
            out.append(("connected", self.connected))
        if self.tags:
            out.append(("tags", list(self.tags)))
        if self.advice:
            out.append(("advice", self.advice[0] if len(self.advice) == 1 else list(self.advice)))
        if self.advice_outcome:
            out.append(("advice_outcome", self.advice_outcome))
        aliases = [a for a in self.aliases if fold(a) != fold(self.name)]
        if aliases:
            out.append(("aliases", aliases))
        return out

    def all_keys(self) -> list[tuple[str, object]]:
        """Every front-matter key the export knows, `company` included: what `--update` may fill."""
        out: list[tuple[str, object]] = [("company", self.company)] if self.company else []
        return out + self.extra()


# --- LinkedIn ---------------------------------------------------------------------

_LINKEDIN_DATES = ("%d %b %Y", "%d-%b-%y", "%d-%b-%Y", "%d %B %Y", "%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d")


def decode_export(raw: bytes) -> tuple[str, str]:
    """An export file's text and, if it was not UTF-8, which encoding was read.

    A byte-order mark says it (Outlook and Excel write "Unicode" CSV as UTF-16 with
    one); UTF-16 without one shows as a NUL in every other byte. Anything else that
    is not UTF-8 is read as Windows-1252, what older Windows tools write.
    """
    for bom, codec, name in (
        (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
        (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
        (b"\xef\xbb\xbf", "utf-8", ""),
        (b"\xff\xfe", "utf-16-le", "UTF-16"),
        (b"\xfe\xff", "utf-16-be", "UTF-16"),
    ):
        if raw.startswith(bom):
            return raw[len(bom) :].decode(codec, "replace"), name
    sample = raw[:4096]
    if len(sample) >= 4 and sample.count(0) * 3 >= len(sample):
        odd_nuls = sample[1::2].count(0)
        even_nuls = sample[0::2].count(0)
        codec = "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
        return raw.decode(codec, "replace"), "UTF-16"
    try:
        return raw.decode("utf-8"), ""
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace"), "Windows-1252"


def _date(text: str, formats: tuple[str, ...]) -> date | None:
    text = text.strip()
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _rows(
    lines: Iterable[str], path: str, must: tuple[str, ...], problems: list[Diagnostic]
) -> Iterator[tuple[int, dict[str, str]]]:
    """CSV rows as dicts, after the header row (found, not assumed at a fixed line).

    Streams: one row in memory at a time, so a million-row export costs no more
    memory than a small one. Problems are appended to `problems` as they are met.
    """
    reader = csv.reader(_no_bom(lines))
    header: list[str] | None = None
    wanted = {m.casefold() for m in must}
    try:
        for cells in reader:
            line = reader.line_num
            if header is None:
                if wanted <= {c.strip().casefold() for c in cells}:
                    header = [c.strip() for c in cells]
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                problems.append(
                    warning(
                        path, line, f"row has {len(cells)} cells but the header has {len(header)}; extra cells ignored"
                    )
                )
            yield line, {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
    except csv.Error as exc:
        problems.append(warning(path, reader.line_num, f"CSV cannot be read past here: {exc}"))
    if header is None:
        problems.append(warning(path, 1, f"no header row with {', '.join(must)} found; is this the right export?"))


def _no_bom(lines: Iterable[str]) -> Iterator[str]:
    first = True
    for line in lines:
        if first:
            line = line.lstrip("\ufeff")
            first = False
        yield line


def _split_lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _collect(
    stream: Callable[[Iterable[str], str, list[Diagnostic]], Iterator[Person]], text: str, path: str
) -> tuple[list[Person], list[Diagnostic]]:
    problems: list[Diagnostic] = []
    people = list(stream(_split_lines(text), path, problems))
    return people, sorted(problems, key=lambda d: d.line or 0)


def parse_linkedin(text: str, path: str) -> tuple[list[Person], list[Diagnostic]]:
    """LinkedIn's Connections.csv: a Notes preamble, then First Name, Last Name, URL, ..."""
    return _collect(stream_linkedin, text, path)


def stream_linkedin(lines: Iterable[str], path: str, problems: list[Diagnostic]) -> Iterator[Person]:
    for line, row in _rows(lines, path, ("First Name", "Last Name"), problems):
        name = " ".join(f"{row.get('First Name', '')} {row.get('Last Name', '')}".split())
        if not name:
            problems.append(warning(path, line, "a row without a name; skipped"))
            continue
        connected_text = row.get("Connected On", "")
        connected = _date(connected_text, _LINKEDIN_DATES) if connected_text else None
        if connected_text and connected is None:
            problems.append(
                warning(path, line, f"'Connected On' {connected_text!r} is not a date mdfollow knows; left out")
            )
        email = row.get("Email Address", "")
        yield Person(
            name=name,
            line=line,
            emails=(email,) if email else (),
            company=row.get("Company", ""),
            role=row.get("Position", ""),
            linkedin=row.get("URL", ""),
            connected=connected,
        )


# --- Google Contacts CSV ------------------------------------------------------------


def _multi(value: str) -> list[str]:
    return [v.strip() for v in value.split(":::") if v.strip()]


def _numbered(row: dict[str, str], *patterns: str) -> list[str]:
    """Values of 'E-mail 1 - Value', 'E-mail 2 - Value' ... (each may hold ' ::: ' multi-values)."""
    found: list[str] = []
    for key, value in row.items():
        if any(re.fullmatch(p, key, re.IGNORECASE) for p in patterns) and value:
            found.extend(_multi(value))
    return found


def parse_google(text: str, path: str) -> tuple[list[Person], list[Diagnostic]]:
    """Google Contacts CSV, the current layout (First Name, ...) or the legacy one (Name, Given Name, ...)."""
    return _collect(stream_google, text, path)


def stream_google(lines: Iterable[str], path: str, problems: list[Diagnostic]) -> Iterator[Person]:
    lines = iter(lines)
    first = next(lines, "")
    legacy = "given name" in first.lstrip("\ufeff").casefold()
    rows = _rows(
        itertools.chain([first], lines), path, ("Given Name",) if legacy else ("First Name", "Last Name"), problems
    )
    for line, row in rows:
        if legacy:
            name = row.get("Name", "") or " ".join(f"{row.get('Given Name', '')} {row.get('Family Name', '')}".split())
            company = row.get("Organization 1 - Name", "")
            role = row.get("Organization 1 - Title", "")
            labels = _multi(row.get("Group Membership", ""))
        else:
            parts = [row.get(k, "") for k in ("Name Prefix", "First Name", "Middle Name", "Last Name", "Name Suffix")]
            name = " ".join(" ".join(parts).split())
            company = row.get("Organization Name", "")
            role = row.get("Organization Title", "")
            labels = _multi(row.get("Labels", ""))
        name = " ".join(name.split())
        if not name:
            problems.append(warning(path, line, "a contact without a name; skipped"))
            continue
        websites = _numbered(row, r"Website \d+ - Value")
        linkedin = next((w for w in websites if "linkedin.com" in w.lower()), "")
        birthday_text = row.get("Birthday", "")
        birthday = _birthday(birthday_text)
        if birthday_text and not birthday:
            problems.append(warning(path, line, f"birthday {birthday_text!r} is not a date mdfollow knows; left out"))
        nickname = " ".join(row.get("Nickname", "").split())
        yield Person(
            name=name,
            line=line,
            emails=tuple(_numbered(row, r"E-mail \d+ - Value")),
            phones=tuple(_numbered(row, r"Phone \d+ - Value")),
            company=company,
            role=role,
            linkedin=linkedin,
            websites=tuple(w for w in websites if w != linkedin),
            birthday=birthday,
            tags=tuple(
                lab
                for lab in (label.lstrip("* ").strip() for label in labels)
                if lab and lab.casefold() not in ("mycontacts", "starred")
            ),
            note=row.get("Notes", ""),
            aliases=(nickname,) if nickname else (),
        )


def _birthday(text: str, omit_year: str = "") -> str:
    """The note's form of an export's birthday: `1990-11-25`, or `--11-25` without a year.

    Apple writes a year-less birthday as `1604-11-25` with X-APPLE-OMIT-YEAR=1604;
    vCard 4 as `--1125`; Google as `--11-25`. A date-time counts as its date.
    """
    text = text.strip()
    if not text:
        return ""
    text = re.sub(r"T.*$", "", text)
    try:
        birthday = parse_birthday(text)
    except DateError:
        return ""
    if birthday.year is not None and (str(birthday.year) == omit_year.strip() or birthday.year == APPLE_NO_YEAR):
        birthday = Birthday(birthday.month, birthday.day)
    return birthday.text


# --- vCard --------------------------------------------------------------------------


def parse_vcard(text: str, path: str) -> tuple[list[Person], list[Diagnostic]]:
    """vCard 2.1, 3.0 and 4.0: folded lines, escapes, grouped properties, several cards.

    vobject's own log lines (a line it skipped) become warnings with the
    file's line number, instead of raw text on stderr.
    """
    return _collect(stream_vcard, text, path)


def stream_vcard(lines: Iterable[str], path: str, problems: list[Diagnostic]) -> Iterator[Person]:
    import vobject

    logger = logging.getLogger("vobject")
    base = logging.getLogger("vobject.base")
    heard = _Heard()
    saved = (base.handlers[:], base.propagate, logger.handlers[:], logger.propagate)
    base.handlers, base.propagate, logger.handlers, logger.propagate = [heard], False, [heard], False
    try:
        for start, chunk in _cards(lines):
            heard.records.clear()
            try:
                card = vobject.readOne(_join_soft_breaks(chunk), ignoreUnreadable=True)
            except Exception as exc:  # vobject raises many kinds; one bad card must not stop the rest
                problems.append(
                    warning(path, start, f"this vCard cannot be read ({type(exc).__name__}: {exc}); skipped")
                )
                continue
            for message in heard.records:
                m = re.search(r"Failed to parse line: (.*)$", message, re.DOTALL)
                if m:  # vobject's own line numbers drift; find the line in the card instead
                    bad = m.group(1).strip()
                    offset = next((i for i, line in enumerate(chunk.split("\n")) if line.strip() == bad), 0)
                    shown = " ".join(bad.split())[:60]
                    problems.append(warning(path, start + offset, f"vCard line not understood, skipped: {shown}"))
                else:
                    problems.append(warning(path, start, f"vCard: {' '.join(message.split())}"))
            person = _person_from_card(card, start)
            if person is None:
                problems.append(warning(path, start, "a vCard without a name (FN or N); skipped"))
                continue
            yield person
    finally:
        base.handlers, base.propagate, logger.handlers, logger.propagate = saved


class _Heard(logging.Handler):
    """A logging handler that keeps vobject's messages for us to report properly."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


_QP_PROPERTY = re.compile(r"^[^:]*;(?:ENCODING=)?QUOTED-PRINTABLE[;:]", re.IGNORECASE)


def _join_soft_breaks(chunk: str) -> str:
    """vCard 2.1 quoted-printable values: a line ending in '=' continues on the next.

    The continuation need not be indented, so vobject would read it as a new
    (broken) property and lose the rest of a NOTE; join such lines first.
    """
    lines = chunk.split("\n")
    out: list[str] = []
    joining = False
    for line in lines:
        if joining:
            out[-1] = out[-1][:-1] + line
        else:
            out.append(line)
        joining = bool(_QP_PROPERTY.match(out[-1])) and out[-1].endswith("=")
    return "\n".join(out)


def _cards(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """Each card's first line and text, one card in memory at a time."""
    start = None
    kept: list[str] = []
    number = 0
    for raw in _no_bom(lines):
        # A lone \r (old Mac) ends a line too.
        for line in raw.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n") if raw else [""]:
            number += 1
            if line.strip().upper() == "BEGIN:VCARD":
                start, kept = number, [line]
            elif start is not None:
                kept.append(line)
                if line.strip().upper() == "END:VCARD":
                    yield start, "\n".join(kept) + "\n"
                    start = None


def _values(card: object, name: str) -> list[object]:
    return list(getattr(card, "contents", {}).get(name, []))


def _text(value: object) -> str:
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    return " ".join(str(value or "").split())


def _split_note(text: str) -> tuple[str, tuple[str, ...], str]:
    """(the rest, advice, outcome) from a NOTE: the lines `export vcard` writes become keys again."""
    advice: list[str] = []
    outcome = ""
    rest: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.startswith(ADVICE_PREFIX) and line[len(ADVICE_PREFIX) :].strip():
            advice.append(_text(line[len(ADVICE_PREFIX) :]))
        elif line.startswith(OUTCOME_PREFIX) and not outcome and line[len(OUTCOME_PREFIX) :].strip():
            outcome = _text(line[len(OUTCOME_PREFIX) :])
        else:
            rest.append(line)
    return _lines("\n".join(rest)), tuple(advice), outcome


def _param(prop: object, name: str) -> str:
    values = getattr(prop, "params", {}).get(name.upper(), [])
    return str(values[0]) if values else ""


def _lines(value: object) -> str:
    """Text that keeps its line breaks (a NOTE's `\\n`), each line's spacing tidied."""
    lines = [" ".join(line.split()) for line in str(value or "").replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def _person_from_card(card: object, line: int) -> Person | None:
    fn = next((_text(v.value) for v in _values(card, "fn") if _text(v.value)), "")  # type: ignore[attr-defined]
    if not fn:
        for n in _values(card, "n"):
            value = n.value  # type: ignore[attr-defined]
            parts = [getattr(value, k, "") for k in ("prefix", "given", "additional", "family", "suffix")]
            fn = " ".join(_text(p) for p in parts if _text(p))
            if fn:
                break
    if not fn:
        return None
    labels: dict[str, str] = {}
    for label in _values(card, "x-ablabel"):
        if getattr(label, "group", None):
            labels[label.group] = _text(label.value)  # type: ignore[attr-defined]
    urls = []
    linkedin = ""
    for url in _values(card, "url"):
        value = _text(url.value)  # type: ignore[attr-defined]
        label = labels.get(getattr(url, "group", None) or "", "")
        if not linkedin and ("linkedin.com" in value.lower() or label.lower() == "linkedin"):
            linkedin = value
        elif value:
            urls.append(value)
    for profile in _values(card, "x-socialprofile"):  # Apple Contacts: X-SOCIALPROFILE;type=linkedin:URL
        value = _text(profile.value)  # type: ignore[attr-defined]
        kinds = " ".join(str(t) for t in getattr(profile, "params", {}).get("TYPE", [])).lower()
        if not linkedin and ("linkedin.com" in value.lower() or "linkedin" in kinds):
            linkedin = value
    phones = []
    for tel in _values(card, "tel"):
        value = _text(tel.value)  # type: ignore[attr-defined]
        phones.append(value[4:] if value.lower().startswith("tel:") else value)
    org = ""
    for o in _values(card, "org"):
        value = o.value  # type: ignore[attr-defined]
        org = _text(value[0] if isinstance(value, list) and value else value)  # ORG is name;unit;...
        break
    tags: list[str] = []
    for categories in _values(card, "categories"):
        value = categories.value  # type: ignore[attr-defined]
        tags.extend(v.strip() for v in (value if isinstance(value, list) else str(value).split(",")) if v.strip())
    raw_note = next((str(n.value or "") for n in _values(card, "note")), "")  # type: ignore[attr-defined]
    note, advice, outcome = _split_note(raw_note)
    birthday = next(
        (_birthday(_text(b.value), _param(b, "X-APPLE-OMIT-YEAR")) for b in _values(card, "bday")),  # type: ignore[attr-defined]
        "",
    )
    return Person(
        name=fn,
        line=line,
        emails=tuple(_text(e.value) for e in _values(card, "email") if _text(e.value)),  # type: ignore[attr-defined]
        phones=tuple(p for p in phones if p),
        company=org,
        role=next((_text(t.value) for t in _values(card, "title")), ""),  # type: ignore[attr-defined]
        linkedin=linkedin,
        websites=tuple(urls),
        birthday=birthday,
        tags=tuple(dict.fromkeys(tags)),
        note=note,
        advice=advice,
        advice_outcome=outcome,
        aliases=tuple(
            dict.fromkeys(_text(n.value) for n in _values(card, "nickname") if _text(n.value))  # type: ignore[attr-defined]
        ),
    )


PARSERS = {"linkedin": parse_linkedin, "vcard": parse_vcard, "google": parse_google}
STREAMS = {"linkedin": stream_linkedin, "vcard": stream_vcard, "google": stream_google}
