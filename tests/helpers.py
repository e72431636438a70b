"""Build an index straight from note texts, without touching the disk."""

from __future__ import annotations

from datetime import date

from mdfollow.dates import compile_daily_format
from mdfollow.index import DailyNotes, VaultIndex, build_index, summarize
from mdfollow.milestones import parse_milestones
from mdfollow.settings import Settings

DAILY = DailyNotes("Daily", compile_daily_format("YYYY-MM-DD"))


def index_of(files: dict[str, str], milestones: str = "", settings: Settings | None = None) -> VaultIndex:
    settings = settings or Settings()
    records = [summarize(path, text.encode(), settings.people, DAILY) for path, text in files.items()]
    found, problems = parse_milestones("Milestones.md", milestones)
    return build_index(records, found, problems)


def contact(name: str = "Jane Doe", **keys: object) -> dict[str, str]:
    """One contact note `People/NAME.md` with the given front-matter keys."""
    lines = ["---", "type: contact"]
    for key, value in keys.items():
        if isinstance(value, date):
            value = value.isoformat()
        lines.append(f"{key}: {value}")
    lines += ["---", f"# {name}", ""]
    return {f"People/{name}.md": "\n".join(lines)}


def d(text: str) -> date:
    return date.fromisoformat(text)
