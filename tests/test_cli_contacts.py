import json

from tests.conftest import EXAMPLE_TODAY, snapshot
from tests.helpers import contact


def test_list_shows_every_contact_with_its_next_action(run, example_vault):
    result = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 20
    assert any(line.startswith("Priya Raman") and "thank" in line and "5d overdue" in line for line in lines)
    assert any(line.startswith("Victor Lane") and "(paused)" in line for line in lines)
    assert any(line.startswith("Sam Whitaker") and "(gone quiet)" in line for line in lines)
    assert any(line.startswith("Kenji Watanabe") and "(snoozed)" in line for line in lines)


def test_list_due_tag_and_json(run, example_vault):
    data = json.loads(run("--vault", example_vault, "--today", EXAMPLE_TODAY, "list", "--due", "--json").stdout)
    assert data and all(row["days_overdue"] >= 0 for row in data)
    tagged = json.loads(
        run("--vault", example_vault, "--today", EXAMPLE_TODAY, "list", "--tag", "#cpg", "--json").stdout
    )
    assert [row["contact"] for row in tagged] == ["Priya Raman"]


def test_show_by_name_alias_or_file_ignoring_case_and_accents(run, make_vault):
    vault = make_vault(
        contact("José Núñez", met="2026-11-20", aliases="[Pepe]")
        | {"Daily/2026-11-21.md": "- [x] lunch [[José Núñez]]\n"}
    )
    for name in ("jose nunez", "JOSÉ NÚÑEZ", "Pepe", "José Núñez.md"):
        result = run("--vault", vault, "--today", "2026-11-23", "show", name)
        assert result.exit_code == 0, (name, result.stderr)
        assert result.stdout.startswith("José Núñez  (People/José Núñez.md)")
    data = json.loads(run("--vault", vault, "--today", "2026-11-23", "show", "pepe", "--json").stdout)
    assert data["next"]["action"] == "thank" and data["next"]["days_overdue"] == 2
    assert {"date": "2026-11-21", "source": "mention", "text": "Daily/2026-11-21.md:1"} in data["history"]
    assert data["state"]["met"] == "2026-11-20"


def test_unknown_name_suggests_and_ambiguous_name_lists(run, make_vault):
    vault = make_vault(contact("Jane Doe") | contact("Priya Raman"))
    missing = run("--vault", vault, "show", "Priya Rahman")
    assert missing.exit_code == 1
    assert missing.stderr.strip() == "mdfollow: no contact named 'Priya Rahman'; did you mean 'Priya Raman'?"
    vault2 = make_vault(
        contact("Ann Lee", aliases="[Annie]") | contact("Ann Smith", aliases="[Annie]"), root=vault.parent / "v2"
    )
    several = run("--vault", vault2, "show", "annie")
    assert several.exit_code == 1 and "matches several contacts" in several.stderr
    assert "People/Ann Lee.md" in several.stderr and "People/Ann Smith.md" in several.stderr


def test_copies_are_reported_and_counted_once_but_namesakes_in_other_folders_are_people(run, make_vault):
    vault = make_vault(
        contact("Ann Lee", met="2026-11-20")
        | contact("Ann Lee 2", met="2026-11-20")
        | contact("Ann Lee.sync-conflict-20261120-101010-ABCDEF", met="2026-11-20")
        | {"Work/ann lee.md": "---\ntype: contact\nmet: 2026-11-20\n---\n"}
    )
    data = json.loads(run("--vault", vault, "--today", "2026-11-23", "agenda", "--json").stdout)
    assert [i["note"] for i in data["items"]] == ["People/Ann Lee.md", "Work/ann lee.md"]
    paths = sorted(p["path"] for p in data["problems"])
    assert paths == ["People/Ann Lee 2.md", "People/Ann Lee.sync-conflict-20261120-101010-ABCDEF.md"]


def test_nfc_and_nfd_spellings_in_one_folder_are_one_person(run, make_vault):
    nfc, nfd = "Zoë Park", "Zoe\u0308 Park"
    vault = make_vault(
        contact(nfc, met="2026-11-20") | {f"People/{nfd}.md": "---\ntype: contact\nmet: 2026-11-20\n---\n"}
    )
    data = json.loads(run("--vault", vault, "--today", "2026-11-23", "agenda", "--json").stdout)
    assert len(data["items"]) == 1 and len(data["problems"]) == 1


def test_milestone_appends_a_line_and_keeps_every_other_byte(run, make_vault):
    original = b"# My milestones\r\n\r\n- 2026-11-01 First interview\r\nno newline at the end"
    vault = make_vault(contact(keep_informed="true", last_contact="2026-11-01") | {"Milestones.md": original})
    result = run(
        "--vault", vault, "--today", "2026-11-23", "milestone", "Offer from Northwind", "--company", "Northwind"
    )
    assert result.exit_code == 0
    raw = (vault / "Milestones.md").read_bytes()
    assert raw == original + b"\r\n- 2026-11-23 Offer from Northwind (company: Northwind)\r\n"
    data = json.loads(run("--vault", vault, "--today", "2026-11-26", "agenda", "--json").stdout)
    assert data["items"][0]["action"] == "update" and "Offer from Northwind" in data["items"][0]["reason"]


def test_milestone_creates_the_file_and_rejects_bad_input(run, make_vault):
    vault = make_vault(contact())
    assert run("--vault", vault, "milestone", "Passed the case round", "--date", "2026-11-20").exit_code == 0
    text = (vault / "Milestones.md").read_text(encoding="utf-8")
    assert text.endswith("- 2026-11-20 Passed the case round\n")
    before = snapshot(vault)
    bad = run("--vault", vault, "milestone", "x", "--date", "yesterday")
    assert bad.exit_code == 2 and "--date: 'yesterday' is not a date" in bad.stderr
    assert run("--vault", vault, "milestone", "  ").exit_code == 2
    assert snapshot(vault) == before


def test_every_command_help_teaches_with_examples(run):
    import click

    from mdfollow.cli import cli

    def leaves(command: click.Command, path: list[str]):
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from leaves(sub, [*path, name])
        else:
            yield path

    lacking = [" ".join(path) for path in leaves(cli, []) if "Example" not in run(*path, "--help").stdout]
    assert lacking == []
