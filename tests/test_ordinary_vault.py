"""A vault of ordinary notes that are not contacts: no items, no false alarms, no writes."""

import json
import random

from tests.conftest import snapshot

FRONT_MATTERS = [
    "",
    "---\n---\n",
    "---\ntags: [reading, ideas]\naliases:\n  - Another name\n---\n",
    '---\ntitle: "Quoted: with a colon"\ncreated: 2024-03-01T09:15\npublish: true\n---\n',
    "---\n# just a comment\ncssclasses:\n  - wide\n---\n",
    "---\ntype: book\nauthor: Ursula K. Le Guin\nrating: 5\nstarted: 2023-01-05\n---\n",
    '---\ntype: meeting\ndate: 2025-06-30\nattendees: ["[[Not A Contact]]", Someone]\n---\n',
    "---\nsummary: >\n  A folded\n  paragraph.\nnotes: |\n  Literal\n  block\nmeta: {a: 1, b: [x, y]}\n---\n",
    "---\nstatus: draft\nanswer: no\nzip: 0123\ntime: 10:30\n---\n",
    "---\nlocation: Zürich\nтеги: [заметка]\n标题: 读书笔记\n---\n",
    "---\n\nA note that starts with a horizontal rule.\n\n---\n",
    "---\ndate: 2026-11-20\n---\n",
]

BODIES = [
    "# Heading\n\nSome text with a [[Link To Something]] and a [web link](https://example.com).\n",
    "Paragraph.\n\n---\n\nAnother paragraph after a rule.\n\n***\n\n___\n",
    "- [ ] a task [[Someone]]\n- [x] done task [[Somewhere]]\n",
    "```python\nprint('---')\n```\n\n> [!tip] A callout\n> with [[Links]]\n",
    "日本語のメモ。[[東京]]について。\n\nالعربية [[القاهرة]]\n\nРусский текст про [[Москва]].\n",
    "Emoji 🎉 and %% a comment %% and <!-- html -->.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    "",
]

NAMES = ["Idea", "Book", "Meeting", "Recipe", "Заметка", "読書", "Café notes", "Plan 2026-01-01", "Q&A", "Notes (old)"]


def build(make_vault, count=3000):
    rng = random.Random(2026)
    files: dict[str, str | bytes] = {".obsidian/daily-notes.json": '{"folder": "Journal", "format": "YYYY-MM-DD"}'}
    for number in range(count):
        folder = rng.choice(["", "Notes/", "Notes/Deep/er/", "Journal/", "Reading/", "Archive/2019/"])
        if folder == "Journal/":
            name = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}-{number}"
            name = name.rsplit("-", 1)[0] if number % 2 else f"2026-05-{number % 28 + 1:02d} {number}"
        else:
            name = f"{rng.choice(NAMES)} {number}"
        text = rng.choice(FRONT_MATTERS) + rng.choice(BODIES)
        if number % 7 == 0:
            data: str | bytes = text.replace("\n", "\r\n").encode("utf-8")
        elif number % 11 == 0:
            data = b"\xef\xbb\xbf" + text.encode("utf-8")
        else:
            data = text
        files[f"{folder}{name}.md"] = data
    return make_vault(files)


def test_ordinary_vault_has_no_items_no_problems_and_nothing_changes(run, make_vault):
    vault = build(make_vault)
    before = snapshot(vault)
    data = json.loads(run("--vault", vault, "--today", "2026-11-23", "agenda", "--json").stdout)
    assert data["items"] == [] and data["gone_quiet"] == []
    assert data["problems"] == []
    checked = run("--vault", vault, "check")
    assert checked.exit_code == 0, checked.stderr
    assert checked.stderr.startswith("checked ") and "no problems" in checked.stderr
    written = run("--vault", vault, "--today", "2026-11-23", "agenda")
    assert written.exit_code == 1 and "no contact notes found" in written.stderr
    assert snapshot(vault) == before
