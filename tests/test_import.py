"""Imports from LinkedIn, vCard and Google: quirks, no duplicates, dry runs."""

import json
import shutil
from pathlib import Path

from mdfollow.contact import linkedin_key, name_key
from mdfollow.importing import parse_google, parse_linkedin, parse_vcard
from mdfollow.note import parse_note
from tests.conftest import snapshot
from tests.helpers import contact

SAMPLES = Path(__file__).resolve().parent / "samples"


def read(name):
    return (SAMPLES / name).read_bytes().decode("utf-8-sig")


def test_linkedin_quirks():
    raw = (SAMPLES / "Connections.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfNotes:") and b"\r\n" in raw
    people, problems = parse_linkedin(read("Connections.csv"), "Connections.csv")
    assert problems == []
    assert [p.name for p in people] == ["Priya Raman", "José Núñez", "Ann Lee", "Marcus Bell", "Sam O'Neil"]
    jose = people[1]
    assert (jose.company, jose.role, jose.emails, jose.line) == (
        "Acme, Inc.",
        "VP, Marketing",
        ("jose@example.com",),
        6,
    )
    assert jose.connected.isoformat() == "2022-02-07"  # '7-Feb-22' after a spreadsheet re-save
    assert people[0].connected.isoformat() == "2024-03-12" and people[0].emails == ()
    assert people[4].role == 'Analyst "Data"'


def test_linkedin_without_a_header_says_so():
    people, [problem] = parse_linkedin("just,some\ncells,here\n", "x.csv")
    assert people == [] and "no header row with First Name, Last Name" in problem.message


def test_vcard_quirks():
    people, problems = parse_vcard(read("contacts.vcf"), "contacts.vcf")
    assert [p.format() for p in problems] == ["contacts.vcf:36: warning: a vCard without a name (FN or N); skipped"]
    yara, kenji, bia = people
    assert yara.name == "Dr. Yara Haddad" and yara.company == "Quill Research, Ltd"
    assert yara.emails == ("yara@example.com", "yara.h@example.org")
    assert yara.linkedin == "https://www.linkedin.com/in/yara-haddad" and yara.websites == ("https://yara.example.com",)
    assert yara.birthday == "--04-14" and yara.tags == ("networking", "alumni")
    assert yara.note == "Met at the insights meetup, great on survey design."
    assert kenji.phones == ("+81-3-5555-0199",) and kenji.birthday == "1985-03-02"
    assert "seventy-five octets" in kenji.note
    assert (bia.name, bia.phones, bia.emails) == ("Beatriz Costa", ("+55 11 5555 0123",), ("bia@example.com",))


def test_google_current_and_legacy_layouts():
    people, problems = parse_google(read("google.csv"), "google.csv")
    assert [p.name for p in people] == ["Grace Liu", "Owen Park"]
    assert problems == []  # the empty row at the end is not a contact
    grace, owen = people
    assert grace.phones == ("+1 555 0100", "+1 555 0101") and grace.tags == ("Work",)
    assert grace.linkedin == "https://linkedin.com/in/graceliu" and grace.birthday == "1990-07-21"
    assert owen.emails == ("owen@example.com", "owen.park@example.org")
    legacy, problems = parse_google(read("google-legacy.csv"), "google-legacy.csv")
    assert problems == [] and legacy[0].name == "Nina Kovacs"
    assert (legacy[0].company, legacy[0].role, legacy[0].birthday, legacy[0].tags) == (
        "Fernhill Dairy",
        "Marketing Manager",
        "--11-05",
        ("Dairy",),
    )


def test_matching_keys():
    assert name_key("Dr. Doe, Jane") == name_key("jane DOE") == name_key("Jane Doe PhD")
    assert name_key("José Núñez") == name_key("Jose Nunez")
    assert linkedin_key("https://www.linkedin.com/in/Ann/?trk=x") == linkedin_key("linkedin.com/in/ann")


def test_import_creates_notes_that_check_clean_and_reimport_is_a_no_op(run, make_vault):
    vault = make_vault(contact("Priya Raman"))
    for kind, name in [
        ("linkedin", "Connections.csv"),
        ("vcard", "contacts.vcf"),
        ("google", "google.csv"),
        ("google", "google-legacy.csv"),
    ]:
        result = run("--vault", vault, "--today", "2026-11-23", "import", kind, SAMPLES / name)
        assert result.exit_code == 0, result.output
    created = sorted(p.name for p in (vault / "People").iterdir())
    assert created == sorted(
        [
            "Priya Raman.md",
            "José Núñez.md",
            "Ann Lee.md",
            "Marcus Bell.md",
            "Sam O'Neil.md",
            "Dr. Yara Haddad.md",
            "Kenji Watanabe.md",
            "Beatriz Costa.md",
            "Grace Liu.md",
            "Owen Park.md",
            "Nina Kovacs.md",
        ]
    )
    yara = parse_note("y.md", (vault / "People/Dr. Yara Haddad.md").read_bytes())
    assert yara.front["birthday"] == "--04-14" and yara.front["emails"] == ["yara.h@example.org"]
    assert "survey design" in yara.body
    checked = run("--vault", vault, "check")
    assert checked.exit_code == 0 and "no problems" in checked.stderr, checked.stderr
    before = snapshot(vault)
    for kind, name in [("linkedin", "Connections.csv"), ("vcard", "contacts.vcf"), ("google", "google.csv")]:
        again = run("--vault", vault, "--today", "2026-11-23", "import", kind, SAMPLES / name)
        assert "0 created" in again.stderr
    assert snapshot(vault) == before
    data = json.loads(run("--vault", vault, "--today", "2026-11-23", "agenda", "--json").stdout)
    assert data["items"] == []  # imported contacts have no follow-up of their own yet


def test_dry_run_writes_nothing(run, make_vault):
    vault = make_vault(contact("Priya Raman"))
    before = snapshot(vault)
    result = run("--vault", vault, "import", "linkedin", SAMPLES / "Connections.csv", "--dry-run")
    assert "would create José Núñez (Connections.csv:6)" in result.stdout
    assert "skipped  Priya Raman (Connections.csv:5): already a contact (same name)" in result.stdout
    assert snapshot(vault) == before


def test_ambiguous_matches_are_reported_not_applied(run, make_vault, tmp_path):
    vault = make_vault(
        {
            "People/Ann Lee.md": "---\ntype: contact\nemail: ann@example.com\n---\n",
            "People/A. Lee.md": "---\ntype: contact\nlinkedin: https://www.linkedin.com/in/annlee\n---\n",
        }
    )
    export = tmp_path / "c.csv"
    export.write_text(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\nAnn,Lee,https://linkedin.com/in/annlee/,ann@example.com,,,\n"
    )
    before = snapshot(vault)
    result = run("--vault", vault, "import", "linkedin", export)
    assert (
        "ambiguous Ann Lee (c.csv:2): matches several contacts: People/A. Lee.md, People/Ann Lee.md; not imported"
        in result.stdout
    )
    assert snapshot(vault) == before


def test_names_with_awkward_characters_are_made_safe_on_import(run, make_vault, tmp_path):
    vault = make_vault(contact("Someone"))
    export = tmp_path / "c.csv"
    export.write_text("First Name,Last Name,URL,Email Address,Company,Position,Connected On\nAC/DC,Fan: #1,,,,,\n")
    result = run("--vault", vault, "--today", "2026-11-23", "import", "linkedin", export)
    assert result.exit_code == 0
    [made] = [p for p in (vault / "People").iterdir() if p.name.startswith("AC")]
    assert not set(made.name) & set('/\\:*?"<>|#^[]')
    assert parse_note("x.md", made.read_bytes()).front["name"] == "AC/DC Fan: #1"


def test_missing_import_file_is_a_usage_error(run, make_vault):
    vault = make_vault(contact())
    result = run("--vault", vault, "import", "vcard", "/nonexistent.vcf")
    assert result.exit_code == 2 and "Traceback" not in result.output
    shutil.rmtree(vault)
