"""Milestones: things that happened in the search that people may want to hear.

Kept as a plain Markdown list a person can edit, one milestone a line:

    - 2026-11-18 Second-round interview at Northwind (company: Northwind)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from mdfollow.contact import fold
from mdfollow.dates import DateError, parse_date
from mdfollow.diagnostics import Diagnostic, warning

_ITEM = re.compile(r"^\s*[-*+]\s+(?:\[.\]\s+)?(.*)$")
_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:[-–—:·]\s*)?(.*?)\s*(?:\(company:\s*([^()]*?)\s*\))?\s*$")


@dataclass(frozen=True)
class Milestone:
    date: date
    text: str
    company: str
    line: int


def parse_milestones(path: str, text: str) -> tuple[list[Milestone], list[Diagnostic]]:
    found: list[Milestone] = []
    diags: list[Diagnostic] = []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        item = _ITEM.match(line)
        if not item:
            continue
        m = _LINE.match(item.group(1))
        if not m:
            diags.append(warning(path, number, "milestone without a date; start the item with YYYY-MM-DD"))
            continue
        try:
            when = parse_date(m.group(1))
        except DateError as exc:
            diags.append(warning(path, number, f"milestone date: {exc}"))
            continue
        found.append(Milestone(when, m.group(2).strip(), (m.group(3) or "").strip(), number))
    return found, diags


# Words a company's legal form adds to its name: "Northwind Foods, Inc." is Northwind Foods.
LEGAL_FORMS = frozenset(
    [
        "inc", "incorporated", "llc", "llp", "lp", "pllc", "ltd", "limited", "plc", "corp", "corporation",
        "co", "company", "gmbh", "ag", "kg", "se", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "pty",
        "oy", "ab", "as", "asa", "kk", "pte", "sl", "slu", "sc", "sprl",
    ]
)  # fmt: skip


@lru_cache(maxsize=65536)
def company_words(name: str) -> tuple[str, ...]:
    """A company name as words to compare: case, accents, punctuation and legal form dropped."""
    text = fold(name).replace("&", " and ")
    text = re.sub(r"(?<=\w)\.(?=\w)|'", "", text)  # S.A. -> SA, O'Brien -> OBrien
    words = re.sub(r"[^\w]+", " ", text).split()
    while words and words[-1] in LEGAL_FORMS:
        words.pop()
    return tuple(words)


def same_company(a: str, b: str) -> bool:
    """Whether two spellings name one company: "Northwind" is "Northwind Foods, Inc.".

    Case, accents, punctuation and legal forms are ignored, and the shorter
    name may leave out words at the end of the longer one.
    """
    x, y = company_words(a), company_words(b)
    if not x or not y:
        return False
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    return long[: len(short)] == short


def format_milestone(when: date, text: str, company: str) -> str:
    line = f"- {when.isoformat()} {' '.join(text.split())}"
    if company:
        line += f" (company: {' '.join(company.split())})"
    return line
