"""Contacts by tag and folder, and the user's own key names, through every reader and writer."""

from __future__ import annotations

import json

import pytest

from mdfollow.keys import KeyMap, People, body_tags, tag_matches
from mdfollow.settings import parse_settings
from tests.styles import dataview_vault, folder_vault, tag_vault

TODAY = "2026-11-23"

DATAVIEW_SETTINGS = """\
contact_tags = ["people"]
ignore = ["Templates/**"]

[keys]
last_contact = "last_contacted"
birthday = "bday"
"""


def settings_file(text: str) -> dict[str, str]:
    return {".mdfollow.toml": text}


def test_nested_tags_match_their_parent_and_case_is_ignored():
    assert tag_matches("people/work", "people")
    assert tag_matches("People", "#people")
    assert not tag_matches("peoples", "people")
    assert not tag_matches("people", "people/work")


def test_body_tags_skip_code_headings_and_numbers():
    body = "# Heading\n#person and #people/work\n`#code` #123\n```\n#fenced\n```\nend #last"
    assert body_tags(body) == ["person", "people/work", "last"]


def test_a_note_is_a_contact_by_type_tag_or_folder():
    people = People(("contact",), ("people",), ("Contacts",))
    assert people.is_contact("x.md", {"type": "contact"})
    assert people.is_contact("x.md", {"tags": ["people/work"]})
    assert people.is_contact("x.md", {"tags": "misc, #people"})
    assert people.is_contact("x.md", {}, "text #people/friends")
    assert people.is_contact("Contacts/Ada.md", {})
    assert people.is_contact("Contacts/sub/Ada.md", {})
    assert not people.is_contact("ContactsOld/Ada.md", {})
    assert not people.is_contact("x.md", {"tags": ["project"]})


def test_keys_read_the_users_name_and_never_both():
    keys = KeyMap((("last_contact", "last_contacted"),))
    # their `last_contacted` is the key; a stray `last_contact` is not read
    front = keys.read({"last_contacted": "2026-01-01", "last_contact": "2020-01-01", "met": "2026-02-02"})
    assert front == {"last_contact": "2026-01-01", "met": "2026-02-02"}
    assert keys.write({"last_contact": "x", "strikes": 0}) == {"last_contacted": "x", "strikes": 0}


@pytest.mark.parametrize(
    "table, message",
    [
        ('last_contact = "seen"\nmet = "seen"', "already the name of 'last_contact'"),
        ('met = "last_contact"', "mdfollow's own key for something else"),
        ('shoe_size = "size"', "'shoe_size' is not a key mdfollow uses"),
        ("met = 3", "keys.met must be the name of a front-matter key"),
    ],
)
def test_bad_key_renames_are_setting_problems_with_their_line(table, message):
    settings, problems = parse_settings(f"horizon_days = 7\n\n[keys]\n{table}\n", ".mdfollow.toml")
    assert any(message in p.message for p in problems), problems
    assert all(p.path == ".mdfollow.toml" and p.line and p.line >= 4 for p in problems)
    assert len(set(settings.keys.toml().values())) == len(settings.keys.toml())


def test_swapping_two_keys_is_allowed():
    settings, problems = parse_settings('[keys]\nmet = "last_contact"\nlast_contact = "met"\n', "s.toml")
    assert problems == []
    assert settings.keys.user("met") == "last_contact" and settings.keys.user("last_contact") == "met"


def test_a_dataview_vault_is_read_with_its_own_keys(run, make_vault):
    vault = make_vault({**dataview_vault(), **settings_file(DATAVIEW_SETTINGS)})
    result = run("--vault", vault, "--today", TODAY, "list", "--json")
    assert result.exit_code == 0, result.stderr
    contacts = {c["contact"]: c for c in json.loads(result.stdout)}
    assert set(contacts) == {"Sam Rivera", "Priya Nair", "Tom Becker"}  # not the template, not the project
    agenda = json.loads(run("--vault", vault, "--today", TODAY, "agenda", "--json").stdout)
    # Sam's monthly check-in counts from last_contacted (2026-08-01), not from nothing
    sam = [i for i in agenda["items"] if i["contact"] == "Sam Rivera"]
    assert sam and sam[0]["action"] == "check-in" and sam[0]["due"] == "2026-09-01"
    check = run("--vault", vault, "--today", TODAY, "check")
    assert check.exit_code == 0, check.stderr


def test_log_writes_the_users_key_only_and_changes_nothing_else(run, make_vault):
    vault = make_vault({**dataview_vault(), **settings_file(DATAVIEW_SETTINGS)})
    path = vault / "People" / "Sam Rivera.md"
    before = path.read_text(encoding="utf-8")
    result = run("--vault", vault, "--today", TODAY, "log", "Sammy", "replied")
    assert result.exit_code == 0, result.stderr
    after = path.read_text(encoding="utf-8")
    assert "last_contacted: 2026-11-23\n" in after
    assert "last_contact:" not in after
    assert after.replace("last_contacted: 2026-11-23\n", "last_contacted: 2026-08-01\n").startswith(before.rstrip("\n"))


def test_a_bad_value_is_reported_under_the_users_key_name_and_line(run, make_vault):
    files = dataview_vault()
    files["People/Tom Becker.md"] = "---\ntags: people\nlast_contacted: someday\n---\nTom.\n"
    vault = make_vault({**files, **settings_file(DATAVIEW_SETTINGS)})
    result = run("--vault", vault, "--today", TODAY, "check")
    assert "People/Tom Becker.md:3: error: last_contacted:" in result.stderr


def test_new_and_imports_write_the_users_names(run, make_vault, tmp_path):
    vault = make_vault({**dataview_vault(), **settings_file(DATAVIEW_SETTINGS + 'email = "mail"\n')})
    assert run("--vault", vault, "--today", TODAY, "new", "Zoe Park", "--met", "2026-11-20").exit_code == 0
    text = (vault / "People" / "Zoe Park.md").read_text(encoding="utf-8")
    assert "\nmet: 2026-11-20" in text
    vcf = tmp_path / "c.vcf"
    vcf.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Uma Roy\nEMAIL:uma@roy.in\nBDAY:1990-01-02\nEND:VCARD\n")
    result = run("--vault", vault, "--today", TODAY, "import", "vcard", vcf)
    assert result.exit_code == 0, result.stderr
    text = (vault / "People" / "Uma Roy.md").read_text(encoding="utf-8")
    assert "bday:" in text and "birthday:" not in text and "mail: uma@roy.in" in text


def test_a_tick_writes_the_users_key(run, make_vault):
    vault = make_vault({**dataview_vault(), **settings_file(DATAVIEW_SETTINGS + 'last_outreach = "last_pinged"\n')})
    assert run("--vault", vault, "--today", TODAY, "agenda").exit_code == 0
    agenda = vault / "Agenda.md"
    text = agenda.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if "Sam Rivera" in x)
    agenda.write_text(text.replace(line, line.replace("- [ ]", "- [x]")), encoding="utf-8")
    assert run("--vault", vault, "--today", TODAY, "agenda").exit_code == 0
    sam = (vault / "People" / "Sam Rivera.md").read_text(encoding="utf-8")
    assert "last_pinged: 2026-11-23" in sam and "last_outreach:" not in sam


def test_draft_templates_see_mdfollows_names(run, make_vault):
    files = {**dataview_vault(), **settings_file(DATAVIEW_SETTINGS)}
    files["Templates/mdfollow/check-in.md"] = (
        "Subject: hi\nLast: {{ contact.last_contact }} born {{ contact.birthday }}\n"
    )
    vault = make_vault(files)
    result = run("--vault", vault, "--today", TODAY, "draft", "Sam Rivera", "--stdout")
    assert result.exit_code == 0, result.stderr
    assert "Last: 2026-08-01 born 1988-04-12" in result.stdout


def test_a_folder_vault_and_a_tag_vault(run, make_vault):
    vault = make_vault({**folder_vault(), **settings_file('contact_folders = ["Contacts"]\n')})
    names = {c["contact"] for c in json.loads(run("--vault", vault, "list", "--json").stdout)}
    assert names == {"Ada Lovelace", "Grace Hopper", "Linus"}
    vault2 = make_vault({**tag_vault(), **settings_file('contact_tags = ["person"]\n')}, vault.parent / "tags")
    names = {c["contact"] for c in json.loads(run("--vault", vault2, "list", "--json").stdout)}
    assert names == {"Bob Stone", "Carla Diaz", "Dan Wu"}


def test_set_and_log_next_write_the_users_names(run, make_vault):
    settings = DATAVIEW_SETTINGS + 'next_follow_up = "follow_up_on"\n'
    vault = make_vault({**dataview_vault(), **settings_file(settings)})
    path = vault / "People" / "Tom Becker.md"
    # either name works on the command line; the note gets the user's
    result = run("--vault", vault, "--today", TODAY, "set", "Tom Becker", "last_contact=2026-11-01")
    assert result.exit_code == 0, result.stderr
    assert "last_contacted: 2026-11-01" in result.stdout + result.stderr
    result = run("--vault", vault, "--today", TODAY, "set", "Tom Becker", "bday=1970-01-01")
    assert result.exit_code == 0, result.stderr
    bad = run("--vault", vault, "--today", TODAY, "set", "Tom Becker", "last_contacted=soon")
    assert bad.exit_code != 0
    result = run("--vault", vault, "--today", TODAY, "log", "Tom Becker", "replied", "--next", "2027-01-15")
    assert result.exit_code == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    assert "last_contacted: 2026-11-23\n" in text and "bday: 1970-01-01\n" in text
    assert "follow_up_on: 2027-01-15\n" in text
    for canonical in ("last_contact:", "birthday:", "next_follow_up:"):
        assert canonical not in text


def test_history_names_a_date_key_as_the_note_spells_it(run, make_vault):
    vault = make_vault({**dataview_vault(), **settings_file(DATAVIEW_SETTINGS)})
    result = run("--vault", vault, "--today", TODAY, "history", "Sam Rivera")
    assert result.exit_code == 0, result.stderr
    assert "(front matter: last_contacted)" in result.stdout and "front matter: last_contact)" not in result.stdout
