"""Proof of equivalence: after any sequence of edits, the index store answers exactly as a
from-scratch read does, byte for byte, for the agenda Markdown and JSON."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdfollow.render import agenda_json, render_agenda
from mdfollow.rules import Memo, build_agenda
from mdfollow.vault import VaultReader, load_settings

TODAY = date(2026, 11, 23)
NAMES = ["Ann Lee", "Ben Carter", "Chloé Dubois", "Dan Roe", "Eva Berg", "Ann Lee 2"]
FOLDERS = ["People", "Work", ""]
DAYS = ["2026-10-02", "2026-11-01", "2026-11-15", "2026-11-20", "2026-11-22", "2026-11-23", "2026-12-01"]
COMPANIES = ["Acme", "Globex", ""]


def contact_text(draw: st.DrawFn) -> str:
    lines = ["---", "type: contact"]
    if draw(st.booleans()):
        lines.append(f"name: {draw(st.sampled_from([*NAMES, 'ann lee', 'BEN CARTER']))}")  # same names, other case
    if draw(st.integers(0, 2)):
        lines.append(f"met: {draw(st.sampled_from(DAYS))}")
    for key in ("thanked", "last_outreach", "last_contact", "added", "next_follow_up", "reported_back"):
        if draw(st.integers(0, 3)) == 0:
            lines.append(f"{key}: {draw(st.sampled_from(DAYS))}")
    if draw(st.booleans()):
        lines.append(f"cadence: {draw(st.sampled_from(['monthly', '2w', 'quarterly']))}")
    referrers = [*NAMES, "Nobody", "Work/Ben Carter", "../People/Dan Roe", "/Eva Berg"]
    if draw(st.booleans()):
        lines.append(f'referred_by: "[[{draw(st.sampled_from(referrers))}]]"')
    elif draw(st.booleans()):  # several people referred this one
        many = draw(st.lists(st.sampled_from(referrers), min_size=2, max_size=3))
        lines += ["referred_by:", *(f'  - "[[{target}]]"' for target in many)]
    if draw(st.integers(0, 3)) == 0:
        lines.append(f"strikes: {draw(st.integers(0, 3))}")
    if draw(st.integers(0, 2)) == 0:
        lines.append(f"company: {draw(st.sampled_from(COMPANIES))}")
    if draw(st.integers(0, 4)) == 0:
        lines.append("keep_informed: true")
    if draw(st.integers(0, 5)) == 0:
        lines.append(f"status: {draw(st.sampled_from(['paused', 'closed', 'active']))}")
    if draw(st.integers(0, 6)) == 0:
        lines.append("warmth: hot")  # a note problem
    return "\n".join([*lines, "---", "", "Notes.", ""])


LINKS = [*NAMES, "Nobody", "People/Ann Lee", "Work/Ben Carter", "Dan Roe|Dan", "../People/Eva Berg", "../Ben Carter"]
# Markdown links, as Obsidian writes them with "Use [[Wikilinks]]" off: relative to the note, spaces encoded.
MD_LINKS = ["[Ann](../People/Ann%20Lee.md)", "[Ben](<../Work/Ben Carter.md>)", "[Dan](Dan%20Roe.md)"]


def dated_text(draw: st.DrawFn) -> str:
    links = draw(st.lists(st.sampled_from(LINKS), max_size=3))
    head = []
    if draw(st.booleans()):
        head.append(f"date: {draw(st.sampled_from(DAYS))}")
    if draw(st.integers(0, 2)) == 0:  # a meeting note's attendees, links in a property
        head += ["attendees:", *(f'  - "[[{t}]]"' for t in draw(st.lists(st.sampled_from(LINKS), max_size=2)))]
    front = "---\n" + "\n".join(head) + "\n---\n" if head else ""
    body = "".join(f"- {'[x] ' if i % 2 else ''}met [[{target}]]\n" for i, target in enumerate(links))
    body += "".join(f"- emailed {link}\n" for link in draw(st.lists(st.sampled_from(MD_LINKS), max_size=2)))
    return front + "# Day\n\n" + body


def note_path(draw: st.DrawFn, kind: str) -> str:
    if kind == "contact":
        folder = draw(st.sampled_from(FOLDERS))
        name = draw(st.sampled_from(NAMES))
        return f"{folder}/{name}.md" if folder else f"{name}.md"
    return (
        f"Daily/{draw(st.sampled_from(DAYS))}.md"
        if draw(st.booleans())
        else f"Meetings/{draw(st.sampled_from(DAYS))} call.md"
    )


def refuse(message: str) -> None:
    raise AssertionError(f"the store was not used: {message}")


def same(got: tuple[str, str], expected: tuple[str, str]) -> str:
    """The difference, line by line, or "" when there is none."""
    import difflib

    lines = []
    for a, b in zip(got, expected, strict=True):
        lines += difflib.unified_diff(b.splitlines(), a.splitlines(), "fresh", "stored", lineterm="", n=1)
    return "\n".join(lines)


def outputs(
    reader: VaultReader, today: date, changed: set[str] | None = None, memo: Memo | None = None
) -> tuple[str, str]:
    """The agenda as JSON and Markdown; with a `memo`, as watch computes it (each contact's
    last result reused while its note and inputs are the same)."""
    index = reader.index(changed, today)
    agenda = build_agenda(index, today, reader.settings, memo)
    return json.dumps(agenda_json(agenda), ensure_ascii=False, indent=2), render_agenda(agenda, index)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_the_store_answers_as_a_fresh_read_after_every_change(tmp_path_factory, data):
    vault = tmp_path_factory.mktemp("vault")
    (vault / "People").mkdir()
    for name in NAMES[:4]:
        (vault / "People" / f"{name}.md").write_text(contact_text(data.draw), encoding="utf-8")
    (vault / "Daily").mkdir()
    (vault / "Daily" / "2026-11-20.md").write_text(dated_text(data.draw), encoding="utf-8")
    (vault / "Milestones.md").write_text("# M\n\n- 2026-11-10 Offer (company: Acme)\n", encoding="utf-8")
    (vault / ".mdfollow.toml").write_text("horizon_days = 400\n", encoding="utf-8")  # every item shows
    settings_, problems = load_settings(vault)
    live = VaultReader(vault, settings_, problems, warn=refuse)  # as watch keeps it, told what changed
    memo: Memo = {}
    today = TODAY
    try:
        outputs(live, today, memo=memo)
        for _ in range(data.draw(st.integers(1, 8))):
            op = data.draw(
                st.sampled_from(["edit", "edit", "add", "delete", "rename", "dated", "namesake", "day", "milestone"])
            )
            notes = sorted(p.relative_to(vault).as_posix() for p in vault.rglob("*.md") if p.name != "Milestones.md")
            changed: set[str] = set()
            if op in ("edit", "delete", "rename") and notes:
                rel = data.draw(st.sampled_from(notes))
                path = vault / rel
                changed.add(rel)
                if op == "edit":
                    text = contact_text(data.draw) if "type: contact" in path.read_text() else dated_text(data.draw)
                    path.write_text(text, encoding="utf-8")
                elif op == "delete":
                    path.unlink()
                else:
                    kind = "contact" if "type: contact" in path.read_text() else "dated"
                    new = note_path(data.draw, kind)
                    if not (vault / new).exists():
                        (vault / new).parent.mkdir(parents=True, exist_ok=True)
                        path.rename(vault / new)
                        changed.add(new)
            elif op in ("add", "dated"):
                kind = "contact" if op == "add" else "dated"
                rel = note_path(data.draw, kind)
                (vault / rel).parent.mkdir(parents=True, exist_ok=True)
                (vault / rel).write_text(
                    contact_text(data.draw) if kind == "contact" else dated_text(data.draw), encoding="utf-8"
                )
                changed.add(rel)
            elif op == "namesake":  # a note that is not a contact, named as one is: at the root, beside
                # the daily notes (a bare link from there finds it first) or elsewhere
                folder = data.draw(st.sampled_from(["Projects/", "Daily/", "Meetings/", ""]))
                rel = f"{folder}{data.draw(st.sampled_from(NAMES))}.md"
                if (vault / rel).exists():
                    continue
                (vault / rel).parent.mkdir(parents=True, exist_ok=True)
                (vault / rel).write_text("# A project\n", encoding="utf-8")
                changed.add(rel)
            elif op == "day":
                today = data.draw(st.sampled_from([date(2026, 11, 23), date(2026, 11, 24), date(2026, 12, 2)]))
            else:
                day = data.draw(st.sampled_from(DAYS))
                (vault / "Milestones.md").write_text(f"# M\n\n- {day} News (company: Globex)\n", encoding="utf-8")
            fresh = VaultReader(vault, settings_, problems, use_cache=False)
            expected = outputs(fresh, today)
            # Whichever comes first re-reads the change; the other then finds the store written by
            # another process (the long-lived reader must then not patch what it kept in memory).
            live_first = data.draw(st.booleans())
            if live_first:
                got = outputs(live, today, changed if op not in ("milestone",) else None, memo)
                assert not (diff := same(got, expected)), f"{op}, long-lived reader:\n{diff}"
            stored = VaultReader(vault, settings_, problems, warn=refuse)  # a new process: walks, diffs stamps
            try:
                assert not (diff := same(outputs(stored, today), expected)), f"{op}, new process:\n{diff}"
            finally:
                stored.close()
            if not live_first:
                got = outputs(live, today, changed if op not in ("milestone",) else None, memo)
                assert not (diff := same(got, expected)), f"{op}, long-lived reader:\n{diff}"
    finally:
        live.close()
        shutil.rmtree(vault, ignore_errors=True)


def _check_steps(tmp_path: Path, files: dict[str, str], steps: list[dict[str, str | None]]) -> None:
    vault = tmp_path / "v"
    for rel, text in files.items():
        (vault / rel).parent.mkdir(parents=True, exist_ok=True)
        (vault / rel).write_text(text, encoding="utf-8")
    settings_, problems = load_settings(vault)
    live = VaultReader(vault, settings_, problems, warn=refuse)
    memo: Memo = {}
    try:
        outputs(live, TODAY, memo=memo)
        for step in steps:
            for rel, text in step.items():
                if text is None:
                    (vault / rel).unlink()
                else:
                    (vault / rel).parent.mkdir(parents=True, exist_ok=True)
                    (vault / rel).write_text(text, encoding="utf-8")
            expected = outputs(VaultReader(vault, settings_, problems, use_cache=False), TODAY)
            assert not (diff := same(outputs(live, TODAY, set(step), memo), expected)), f"long-lived reader:\n{diff}"
            stored = VaultReader(vault, settings_, problems, warn=refuse)
            try:
                assert outputs(stored, TODAY) == expected
            finally:
                stored.close()
    finally:
        live.close()


def test_a_referral_moved_to_another_referrer_updates_both(tmp_path):
    ann = "---\ntype: contact\nmet: 2026-11-20\nreferred_by: '[[Ben]]'\n---\n"
    _check_steps(
        tmp_path,
        {
            "People/Ann.md": ann,
            "People/Ben.md": "---\ntype: contact\n---\n",
            "People/Cy.md": "---\ntype: contact\n---\n",
        },
        [{"People/Ann.md": ann.replace("Ben", "Cy")}, {"People/Ann.md": ann}],
    )


def test_a_referrer_whose_name_changes_case_updates_the_people_they_referred(tmp_path):
    _check_steps(
        tmp_path,
        {
            "People/Ann.md": "---\ntype: contact\nreferred_by: '[[Ben]]'\nadded: 2026-11-20\n---\n",
            "People/Ben.md": "---\ntype: contact\nname: Ben Roe\n---\n",
        },
        [{"People/Ben.md": "---\ntype: contact\nname: ben roe\n---\n"}],
    )


def test_the_people_referred_changing_update_their_referrer(tmp_path):
    ann = "---\ntype: contact\nreferred_by: '[[Ben]]'\n---\n"
    _check_steps(
        tmp_path,
        {"People/Ann.md": ann, "People/Ben.md": "---\ntype: contact\n---\n"},
        [
            {"People/Ann.md": ann.replace("---\n", "---\nmet: 2026-11-20\n", 1)},
            {"People/Ann.md": ann.replace("referred_by: '[[Ben]]'", "met: 2026-11-21\nreferred_by: '[[Ben]]'")},
            {"People/Ann.md": None},
        ],
    )


def test_one_contact_referred_by_several_updates_each_of_them(tmp_path):
    ann = "---\ntype: contact\nmet: 2026-11-20\nreferred_by:\n  - '[[Ben]]'\n  - '[[Cy]]'\n---\n"
    _check_steps(
        tmp_path,
        {
            "People/Ann.md": ann,
            "People/Ben.md": "---\ntype: contact\n---\n",
            "People/Cy.md": "---\ntype: contact\nname: Cy Young\n---\n",
        },
        [
            {"People/Cy.md": "---\ntype: contact\nname: Cyrus Young\n---\n"},
            {"People/Ann.md": ann.replace("  - '[[Cy]]'\n", "")},
            {"People/Ann.md": ann.replace("met: 2026-11-20", "met: 2026-11-22")},
        ],
    )


def test_a_namesake_beside_the_daily_notes_takes_their_bare_links(tmp_path):
    # A bare link finds the note of that name at the root, else in the linking note's folder,
    # else the shortest path: a note "Daily/Ann.md" takes the daily notes' [[Ann]] from the contact.
    _check_steps(
        tmp_path,
        {
            "People/Ann.md": "---\ntype: contact\ncadence: monthly\nadded: 2026-01-01\n---\n",
            "Daily/2026-11-20.md": "- met [[Ann]]\n",
            "Daily/2026-11-10.md": "- wrote [Ann](../People/Ann.md)\n",
            "Meetings/2026-11-15 call.md": "---\nattendees:\n  - '[[Ann]]'\n---\n",
            ".mdfollow.toml": "horizon_days = 400\n",
        },
        [
            {"Daily/Ann.md": "# not a person\n"},
            {"Ann.md": "# at the root, every bare link finds it\n"},
            {"Ann.md": None},
            {"Daily/Ann.md": None},
            {"Daily/2026-11-20.md": "- met [[../People/Ann]]\n"},
        ],
    )
