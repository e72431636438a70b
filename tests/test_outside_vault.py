"""Nothing is written outside the vault: not through a setting, not through a symlink.

An explicit `--out` on the command line is the user's own choice and may point anywhere.
"""

from __future__ import annotations

import json
import os

import pytest

from mdfollow.settings import outside_vault, parse_settings
from tests.helpers import contact

TODAY = "2026-11-23"
DUE = contact("Ann Lee", met="2026-11-20")  # owes a thank-you: the agenda has an item


def files_in(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.fixture
def outside(tmp_path):
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("name, command", [("Agenda.md", ["agenda"]), ("Agenda.ics", ["ics"])])
def test_a_dangling_symlink_never_creates_its_target_outside(run, make_vault, outside, name, command):
    vault = make_vault(DUE)
    (vault / name).symlink_to(outside / "created.txt")
    result = run("--vault", vault, "--today", TODAY, *command)
    assert result.exit_code == 1
    assert "outside the vault" in result.stderr and name in result.stderr
    assert files_in(outside) == []


def test_a_milestones_symlink_to_an_outside_file_is_not_appended_to(run, make_vault, outside):
    vault = make_vault(DUE)
    (outside / "theirs.md").write_text("# someone else's file\n")
    (vault / "Milestones.md").symlink_to(outside / "theirs.md")
    result = run("--vault", vault, "--today", TODAY, "milestone", "Offer from Northwind")
    assert result.exit_code == 1 and "outside the vault" in result.stderr
    assert (outside / "theirs.md").read_text() == "# someone else's file\n"


def test_a_note_linked_in_from_outside_is_not_written(run, make_vault, outside):
    vault = make_vault({})
    (outside / "Ann Lee.md").write_text("---\ntype: contact\n---\n")
    (vault / "Ann Lee.md").symlink_to(outside / "Ann Lee.md")
    result = run("--vault", vault, "--today", TODAY, "log", "Ann Lee", "met")
    assert result.exit_code == 1 and "outside the vault" in result.stderr
    assert (outside / "Ann Lee.md").read_text() == "---\ntype: contact\n---\n"


def test_a_drafts_folder_linked_outside_is_refused(run, make_vault, outside):
    vault = make_vault(DUE)
    (vault / "Drafts").symlink_to(outside)
    result = run("--vault", vault, "--today", TODAY, "draft", "Ann Lee")
    assert result.exit_code == 1 and "outside the vault" in result.stderr
    assert files_in(outside) == []


@pytest.mark.parametrize(
    "key, value, command",
    [
        ("agenda_file", "../escaped.md", ["agenda"]),
        ("calendar_file", "../escaped.ics", ["ics"]),
        ("milestones_file", "../escaped.md", ["milestone", "news"]),
        ("drafts_folder", "..", ["draft", "Ann Lee"]),
        ("templates_folder", "../..", ["templates", "--copy"]),
        ("agenda_file", "ABSOLUTE", ["agenda"]),
    ],
)
def test_path_settings_outside_the_vault_are_reported_and_replaced(run, make_vault, tmp_path, key, value, command):
    vault = make_vault(DUE)
    if value == "ABSOLUTE":
        value = str(tmp_path / "escaped.md")
    (vault / ".mdfollow.toml").write_text(f'{key} = "{value}"\n')
    before = files_in(tmp_path)
    result = run("--vault", vault, "--today", TODAY, *command)
    assert f".mdfollow.toml:1: error: {key} " in result.stderr
    assert "writes only inside the vault" in result.stderr
    new = [p for p in files_in(tmp_path) if p not in before]
    assert new and all(p.startswith("vault/") for p in new), new  # written, at the default, inside


def test_a_daily_notes_folder_from_obsidian_outside_the_vault_is_refused(run, make_vault, tmp_path):
    vault = make_vault({**DUE, ".obsidian/daily-notes.json": json.dumps({"folder": "../x", "format": "YYYY-MM-DD"})})
    result = run("--vault", vault, "--today", TODAY, "agenda", "--daily")
    assert ".obsidian/daily-notes.json: error: folder '../x' leads outside the vault" in result.stderr
    assert not (tmp_path / "x").exists()
    assert (vault / f"{TODAY}.md").exists()


def test_an_explicit_out_may_write_anywhere(run, make_vault, outside):
    vault = make_vault(DUE)
    assert run("--vault", vault, "--today", TODAY, "agenda", "--out", outside / "a.md").exit_code == 0
    assert run("--vault", vault, "--today", TODAY, "ics", "--out", outside / "a.ics").exit_code == 0
    assert files_in(outside) == ["a.ics", "a.md"]


def test_a_symlink_inside_the_vault_is_still_written_through(run, make_vault):
    vault = make_vault(DUE)
    (vault / "Lists").mkdir()
    (vault / "Agenda.md").symlink_to(vault / "Lists" / "Today.md")
    assert run("--vault", vault, "--today", TODAY, "agenda").exit_code == 0
    assert (vault / "Agenda.md").is_symlink() and "Ann Lee" in (vault / "Lists/Today.md").read_text()


@pytest.mark.parametrize(
    "value, inside",
    [
        ("People", True),
        ("a/../b", True),
        ("./x", True),
        ("..", False),
        ("a/../../b", False),
        ("/etc", False),
        ("~/x", False),
        ("C:\\x", False),
        ("a\\..\\..\\b", False),
    ],
)
def test_outside_vault_judges_the_text(value, inside):
    assert (outside_vault(value) == "") is inside


def test_settings_problem_names_the_file_and_line():
    settings, problems = parse_settings('strike_limit = 3\ncalendar_file = "/tmp/x.ics"\n', ".mdfollow.toml")
    assert settings.calendar_file == "Agenda.ics"
    assert [p.format() for p in problems] == [
        ".mdfollow.toml:2: error: calendar_file '/tmp/x.ics' is not a path inside the vault (it is absolute); "
        "mdfollow writes only inside the vault, so it uses 'Agenda.ics'"
    ]
    assert os.sep == "/"
