"""`mdfollow init` on vaults kept the ways people keep them, and in an empty folder."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from mdfollow.settings import Settings, parse_settings
from mdfollow.survey import EXAMPLE_SETTINGS, settings_text, survey
from tests.conftest import snapshot
from tests.styles import dataview_vault, folder_vault, tag_vault

TODAY = "2026-11-23"


def init(run, vault, *args):
    return run("--vault", vault, "--today", TODAY, "init", *args)


def notes_only(vault):
    return {k: v for k, v in snapshot(vault).items() if k != ".mdfollow.toml"}


def written_settings(vault) -> Settings:
    settings, problems = parse_settings((vault / ".mdfollow.toml").read_text(encoding="utf-8"), ".mdfollow.toml")
    assert problems == []
    return settings


def test_a_dataview_templater_vault(run, make_vault):
    vault = make_vault(dataview_vault())
    before = snapshot(vault)
    result = init(run, vault)
    assert result.exit_code == 0, result.stderr
    assert notes_only(vault) == before  # no note touched
    settings = written_settings(vault)
    assert settings.contact_tags == ("people",)
    assert settings.contact_folders == ("People",)
    assert settings.keys.toml() == {"last_contact": "last_contacted", "birthday": "bday"}
    assert settings.ignore == ("Templates/**",)  # the Templater template is not a person
    out = result.stdout
    assert "Found 3 contacts among 7 notes" in out
    assert "last_contacted -> mdfollow's last_contact" in out and "bday -> mdfollow's birthday" in out
    assert "first_met" in out  # found, explained, not used as `met` (it would ask for old thank-yous)
    assert "The first agenda would hold 1 item: 1 overdue" in out and "check-in      Sam Rivera" in out
    assert "Next: mdfollow check, then mdfollow agenda" in out
    # and mdfollow now reads the vault that way
    agenda = json.loads(run("--vault", vault, "--today", TODAY, "agenda", "--json").stdout)
    assert [i["contact"] for i in agenda["items"]] == ["Sam Rivera"]


def test_a_folder_only_vault(run, make_vault):
    vault = make_vault(folder_vault())
    result = init(run, vault)
    assert result.exit_code == 0, result.stderr
    settings = written_settings(vault)
    assert settings.contact_folders == ("Contacts",) and settings.contact_tags == ()
    assert settings.contacts_folder == "Contacts"
    assert settings.keys.toml() == {"last_contact": "last-contacted", "birthday": "birth_date", "email": "e-mail"}
    assert "Found 3 contacts among 5 notes" in result.stdout


def test_a_tag_only_vault(run, make_vault):
    vault = make_vault(tag_vault())
    result = init(run, vault)
    assert result.exit_code == 0, result.stderr
    settings = written_settings(vault)
    assert settings.contact_tags == ("person",) and settings.contact_folders == ()
    assert settings.keys.toml() == {"last_contact": "lastContacted", "email": "mail"}
    assert "Found 3 contacts among 5 notes" in result.stdout  # not the tag inside a code block


def test_category_and_fileclass_values_name_the_type_key():
    notes = [
        ("Ann.md", b'---\ncategories: ["[[People]]"]\nlast_spoke_to: 2026-01-02\n---\n'),
        ("Bo.md", b'---\ncategories: ["[[People]]"]\n---\n'),
        ("Cy.md", b"---\ncategories: [Books]\n---\n"),
    ]
    found = survey(notes)
    assert found.type_key == "categories" and found.contact_types == ("contact", "person", "people")
    assert found.people == ["Ann.md", "Bo.md"]
    assert found.keys.toml() == {"type": "categories", "last_contact": "last_spoke_to"}
    found = survey([("P/x.md", b"---\nfileClass: person\n---\n")])
    assert found.keys.toml() == {"type": "fileClass"} and found.contact_types == ("contact", "person")


def test_names_alone_are_not_enough():
    notes = [
        (f"People/P{i}.md", f"---\nlast_contacted: {v}\nmail: {m}\n---\n".encode())
        for i, (v, m) in enumerate([("soon", "home"), ("never", "work"), ("2026-01-01", "x@y.io")])
    ]
    found = survey(notes)
    assert found.keys.toml() == {}
    assert any("only 1 of 3 values look like a date" in t for t in found.left_alone)


def test_links_to_daily_notes_are_explained_not_mapped():
    notes = [(f"People/P{i}.md", f'---\nlast_contacted: "[[2026-01-0{i}]]"\n---\n'.encode()) for i in range(1, 4)]
    found = survey(notes)
    assert found.keys.toml() == {}
    assert any("links to daily notes" in t for t in found.left_alone)


def test_a_canonical_key_already_in_use_wins_when_more_notes_use_it():
    notes = [(f"People/P{i}.md", f"---\nemail: p{i}@x.io\n---\n".encode()) for i in range(3)]
    notes.append(("People/Q.md", b"---\nmail: q@x.io\n---\n"))
    assert survey(notes).keys.toml() == {}


@pytest.mark.parametrize("files", [dataview_vault(), folder_vault(), tag_vault(), {}])
def test_the_settings_file_reads_back_to_the_settings_found(files):
    found = survey((p, t.encode()) for p, t in files.items() if p.endswith(".md"))
    settings, problems = parse_settings(settings_text(found), ".mdfollow.toml")
    assert problems == []
    expected = replace(
        Settings(),
        contact_types=found.contact_types,
        contact_tags=found.contact_tags,
        contact_folders=found.contact_folders,
        contacts_folder=found.contacts_folder,
        keys=found.keys,
        ignore=tuple(f"{f}/**" for f in found.template_folders),
    )
    assert settings == expected
    # every setting it writes is explained by a comment just above or beside it
    lines = settings_text(found).splitlines()
    for number, line in enumerate(lines):
        if line and not line.startswith(("#", "[")):
            assert "#" in line or lines[number - 1].startswith("#"), line


def test_never_overwrites_a_settings_file(run, make_vault):
    vault = make_vault({**dataview_vault(), ".mdfollow.toml": "horizon_days = 3\n"})
    before = snapshot(vault)
    result = init(run, vault)
    assert result.exit_code == 1
    assert "already exists; init never overwrites it" in result.stderr
    assert snapshot(vault) == before
    dry = init(run, vault, "--dry-run")  # still shows what it would write
    assert dry.exit_code == 0 and "[keys]" in dry.stdout and snapshot(vault) == before


def test_dry_run_writes_nothing(run, make_vault):
    vault = make_vault(folder_vault())
    before = snapshot(vault)
    result = init(run, vault, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'contact_folders = ["Contacts"]' in result.stdout
    assert snapshot(vault) == before


def test_an_empty_folder_becomes_a_vault(run, tmp_path):
    vault = tmp_path / "new"
    vault.mkdir()
    result = init(run, vault)
    assert result.exit_code == 0, result.stderr
    assert (vault / ".mdfollow.toml").read_text(encoding="utf-8") == EXAMPLE_SETTINGS
    example = vault / "People" / "Jane Example.md"
    assert example.is_file()
    assert "Next: mdfollow agenda" in result.stdout
    agenda = json.loads(run("--vault", vault, "--today", TODAY, "agenda", "--json").stdout)
    assert [i["action"] for i in agenda["items"]] == ["thank"]
    assert run("--vault", vault, "--today", TODAY, "check").exit_code == 0


def test_init_json(run, make_vault):
    vault = make_vault(tag_vault())
    data = json.loads(init(run, vault, "--json").stdout)
    assert data["contacts"] == 3 and data["contact_tags"] == ["person"]
    assert data["keys"] == {"email": "mail", "last_contact": "lastContacted"}


def test_new_works_in_a_vault_whose_notes_say_what_they_are_in_categories(run, make_vault):
    vault = make_vault(
        {
            "Ann Lee.md": '---\ncategories: ["[[People]]"]\nlast_spoke_to: 2026-01-02\n---\n',
            "Bo Ek.md": '---\ncategories: ["[[People]]"]\n---\n',
        }
    )
    assert init(run, vault).exit_code == 0
    result = run("--vault", vault, "--today", TODAY, "new", "Cy Dee")
    assert result.exit_code == 0, result.stderr
    text = (vault / "People" / "Cy Dee.md").read_text(encoding="utf-8")
    assert "categories: contact" in text and "\ntype:" not in text
    names = {c["contact"] for c in json.loads(run("--vault", vault, "list", "--json").stdout)}
    assert names == {"Ann Lee", "Bo Ek", "Cy Dee"}


def test_init_json_with_dry_run_prints_only_json_and_writes_nothing(run, make_vault, tmp_path):
    vault = make_vault(tag_vault())
    before = snapshot(vault)
    data = json.loads(init(run, vault, "--json", "--dry-run").stdout)
    assert data["contacts"] == 3 and data["settings"] is None
    assert snapshot(vault) == before
    empty = tmp_path / "empty"
    empty.mkdir()
    assert json.loads(init(run, empty, "--json", "--dry-run").stdout) == {
        "started": False,
        "settings": None,
        "example": None,
    }
    assert list(empty.iterdir()) == []
