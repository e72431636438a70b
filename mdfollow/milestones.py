"""Milestones: things that happened in the search that people may want to hear.

Kept as a plain Markdown list a person can edit, one milestone a line:

    - 2026-11-18 Second-round interview at Northwind (company: Northwind)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

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


def format_milestone(when: date, text: str, company: str) -> str:
    line = f"- {when.isoformat()} {' '.join(text.split())}"
    if company:
        line += f" (company: {' '.join(company.split())})"
    return line
