"""Generate a realistic vault for benchmarks: python bench/generate.py N FOLDER.

About 80% contact notes with 10-20 front-matter keys and an interactions
section, the rest daily notes that mention people (some in unchecked tasks,
quotes and code), in nested folders, with an .obsidian/ folder. The people were
met over seven years, most thank-yous and report-backs are done, and a few have
open nudges or promised dates, as in a vault kept for years. Deterministic: the
same N gives the same bytes.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date, timedelta
from pathlib import Path

FIRST = [
    "Ana",
    "Ben",
    "Chloé",
    "Dmitri",
    "Eva",
    "Farid",
    "Grace",
    "Hiro",
    "Inés",
    "Jonas",
    "Kemi",
    "Liam",
    "Maya",
    "Noor",
    "Oskar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tomás",
    "Uma",
    "Viktor",
    "Wen",
    "Xavier",
    "Yara",
    "Zoë",
]
LAST = [
    "Abbott",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Müller",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quist",
    "Rossi",
    "Schulz",
    "Tanaka",
    "Umar",
    "Varga",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zhou",
]
COMPANIES = [
    "Northwind",
    "Larkspur Foods",
    "Brightwater",
    "Copperleaf",
    "Fernhill Dairy",
    "Harbor & Pine",
    "Quill Research",
    "Stonegate Retail",
]
ADVICE = [
    "Sit in on a customer-insights readout",
    "Lead with one result in numbers",
    "Ask which metric the team is judged on",
    "Rewrite the headline around the role you want",
    "Join the local meetup",
]
START = date(2026, 1, 1)


def generate(count: int, folder: Path, seed: int = 7) -> Path:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".obsidian").mkdir(exist_ok=True)
    (folder / ".obsidian" / "daily-notes.json").write_text(json.dumps({"folder": "Daily", "format": "YYYY-MM-DD"}))
    (folder / ".obsidian" / "app.json").write_text("{}")
    contacts = int(count * 0.8)
    names = []
    for i in range(contacts):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
        names.append(name)
        sub = f"People/{'ABCDEFGH'[i % 8]}/{i % 10}"
        (folder / sub).mkdir(parents=True, exist_ok=True)
        (folder / sub / f"{name}.md").write_text(contact_note(rng, name), encoding="utf-8")
    dailies = count - contacts
    for i in range(dailies):
        day = START + timedelta(days=i % 330)
        stem = day.isoformat() if i < 330 else f"{day.isoformat()} meeting {i}"
        target = folder / "Daily" / (stem + ".md") if i < 330 else folder / "Meetings" / str(day.year) / (stem + ".md")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(daily_note(rng, names), encoding="utf-8")
    return folder


def contact_note(rng: random.Random, name: str) -> str:
    # A long-lived vault: people met over seven years; most thank-yous and report-backs
    # long done; a few recent meetings, open nudges and promised dates.
    met = date(2019, 1, 1) + timedelta(days=rng.randrange(2880))
    keys = {
        "type": "contact",
        "company": rng.choice(COMPANIES),
        "role": "Brand Manager",
        "email": f"{name.split()[0].lower()}@example.com",
        "met": met.isoformat(),
        "added": (met - timedelta(days=3)).isoformat(),
        "cadence": rng.choice(["none"] * 6 + ["yearly", "yearly", "quarterly", "6m"]),
        "warmth": rng.choice(["warm", "neutral", "cool"]),
        "tags": "[networking, cpg]",
        "aliases": f"[{name.split()[0]}]",
    }
    if rng.random() < 0.97:
        keys["thanked"] = (met + timedelta(days=1)).isoformat()
        if rng.random() < 0.95:
            keys["reported_back"] = (met + timedelta(days=31)).isoformat()
    extra = [
        ("advice", rng.choice(ADVICE)),
        ("last_contact", (met + timedelta(days=rng.randrange(400))).isoformat()),
        ("keep_informed", rng.choice(["true", "false", "false", "false"])),
        ("status", rng.choice(["active", "active", "active", "paused", "closed"])),
        ("location", "Chicago"),
        ("linkedin", "https://www.linkedin.com/in/example"),
        ("notes", '"Met at the summit: talk about the Q1 plan"'),
    ]
    for key, value in extra[: rng.randrange(len(extra) + 1)]:
        keys[key] = value
    if keys["cadence"] != "none":  # a cadence someone keeps: in touch within it, mostly
        keys["last_contact"] = (START + timedelta(days=200 + rng.randrange(126))).isoformat()
    if rng.random() < 0.05:
        keys["last_outreach"] = (START + timedelta(days=300 + rng.randrange(25))).isoformat()
        keys["strikes"] = str(rng.randrange(1, 4))
    if rng.random() < 0.03:
        keys["next_follow_up"] = (START + timedelta(days=320 + rng.randrange(40))).isoformat()
    lines = [
        "---",
        *(f"{k}: {v}" for k, v in keys.items()),
        "---",
        f"# {name}",
        "",
        "Some background about them.",
        "",
        "## Interactions",
        "",
    ]
    for n in range(rng.randrange(1, 6)):
        lines.append(f"- {(met + timedelta(days=n * 9)).isoformat()} sent: a note about the role")
    return "\n".join(lines) + "\n"


def daily_note(rng: random.Random, names: list[str]) -> str:
    people = rng.sample(names, k=min(len(names), rng.randrange(1, 5))) if names else []
    lines = ["# Daily", ""]
    for person in people:
        style = rng.randrange(5)
        if style == 0:
            lines.append(f"- [ ] call [[{person}]]")
        elif style == 1:
            lines.append(f"- [x] coffee with [[{person}|{person.split()[0]}]]")
        elif style == 2:
            lines.append(f"> [[{person}]] said something quotable")
        else:
            lines.append(f"Talked to [[{person}]] about the search.")
    lines += ["", "```", "code [[Not a mention]]", "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
