"""`import --update` fills what a contact lacks and never changes what it has; imports at scale."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdfollow.edits import _SURELY_PLAIN, plain_ok
from mdfollow.importing import Person, parse_google, parse_linkedin, parse_vcard
from mdfollow.matching import additions
from mdfollow.note import load_yaml
from tests.conftest import snapshot

TODAY = "2026-11-23"

# What Google Contacts exports (current layout), with a Nickname.
GOOGLE = (
    "First Name,Middle Name,Last Name,Nickname,Birthday,Notes,Labels,E-mail 1 - Label,E-mail 1 - Value,"
    "Phone 1 - Label,Phone 1 - Value,Organization Name,Organization Title,Website 1 - Label,Website 1 - Value\n"
    "Robert,,Smith,Bob,1979-02-03,,* myContacts,Work,bob@smith.io,Mobile,+1 555 0199,Initech,CTO,"
    "Profile,https://www.linkedin.com/in/bobsmith\n"
    "Ann,,Lee,,,,* myContacts,Home,ann@lee.dev,,,,,,\n"
)

# Apple Contacts writes the LinkedIn profile as X-SOCIALPROFILE.
VCARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Kim;Mina;;;\r\nFN:Mina Kim\r\nNICKNAME:Minnie\r\n"
    "X-SOCIALPROFILE;type=linkedin;x-user=minakim:http://www.linkedin.com/in/minakim\r\n"
    "END:VCARD\r\n"
)

SMITH = (
    "---\r\n"
    "type: contact\r\n"
    "# how we met\r\n"
    "company: Initrode   # before the move\r\n"
    "bday:\r\n"
    "---\r\n"
    "# Robert Smith\r\n\r\nBody stays.\r\n"
)


def test_google_nickname_is_an_alias_and_vcard_social_profile_is_linkedin():
    [bob, _], _ = parse_google(GOOGLE, "g.csv")
    assert bob.aliases == ("Bob",) and ("aliases", ["Bob"]) in bob.extra()
    [mina], problems = parse_vcard(VCARD, "c.vcf")
    assert problems == []
    assert mina.linkedin == "http://www.linkedin.com/in/minakim" and mina.aliases == ("Minnie",)


def test_additions_fill_only_what_is_missing_or_empty():
    person = Person("Robert Smith", 2, emails=("bob@smith.io", "b@x.io"), company="Initech", birthday="1979-02-03")
    adds = additions({"company": "Initrode", "birthday": None, "email": "bob@smith.io"}, person)
    assert adds == {"emails": ["b@x.io"], "birthday": "1979-02-03"}  # company kept, e-mail kept


def test_update_adds_keys_byte_exactly_and_changes_no_value(run, make_vault, tmp_path):
    vault = make_vault({"People/Robert Smith.md": SMITH.encode(), ".mdfollow.toml": '[keys]\nbirthday = "bday"\n'})
    export = tmp_path / "g.csv"
    export.write_text(GOOGLE, encoding="utf-8")
    before = (vault / "People" / "Robert Smith.md").read_bytes()
    dry = run("--vault", vault, "--today", TODAY, "import", "google", export, "--update", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "would add to People/Robert Smith.md (g.csv:2): " in dry.stdout and "bday: 1979-02-03" in dry.stdout
    assert (vault / "People" / "Robert Smith.md").read_bytes() == before
    result = run("--vault", vault, "--today", TODAY, "import", "google", export, "--update")
    assert result.exit_code == 0, result.stderr
    after = (vault / "People" / "Robert Smith.md").read_bytes()
    lines = after.split(b"\r\n")
    assert b"company: Initrode   # before the move" in lines  # never changed
    assert b"bday: 1979-02-03" in lines  # the empty key filled, under the user's name
    assert b"birthday" not in after
    assert b"aliases: [Bob]" in lines and b"email: bob@smith.io" in lines and b"linkedin: " in after
    # every other byte as it was: the old lines, in order, then the body untouched
    assert after.endswith(b"---\r\n# Robert Smith\r\n\r\nBody stays.\r\n")
    kept = [line for line in before.split(b"\r\n") if line != b"bday:"]
    assert [line for line in lines if line in kept] == kept
    assert "created  People/Ann Lee.md" in result.stdout
    assert "1 created, 1 skipped, 0 ambiguous, 1 updated" in result.stderr
    # a second run adds nothing: nothing left to fill
    again = run("--vault", vault, "--today", TODAY, "import", "google", export, "--update")
    assert "0 updated" in again.stderr and (vault / "People" / "Robert Smith.md").read_bytes() == after


def test_without_update_an_existing_contact_is_left_alone(run, make_vault, tmp_path):
    vault = make_vault({"People/Robert Smith.md": SMITH.encode()})
    export = tmp_path / "g.csv"
    export.write_text(GOOGLE, encoding="utf-8")
    before = (vault / "People" / "Robert Smith.md").read_bytes()
    assert run("--vault", vault, "--today", TODAY, "import", "google", export).exit_code == 0
    assert (vault / "People" / "Robert Smith.md").read_bytes() == before


def test_an_import_is_one_commit_of_exactly_its_files(run, make_vault, tmp_path):
    vault = make_vault({"People/Robert Smith.md": SMITH.encode(), "Notes/Draft.md": "unrelated\n"})
    for args in (["init", "-q", "-b", "main"], ["config", "user.email", "me@x.io"], ["config", "user.name", "Me"]):
        subprocess.run(["git", "-C", str(vault), *args], check=True)
    subprocess.run(["git", "-C", str(vault), "add", "People"], check=True)
    subprocess.run(["git", "-C", str(vault), "commit", "-qm", "start"], check=True)
    (vault / "Notes" / "Draft.md").write_text("changed, not ours to commit\n", encoding="utf-8")
    export = tmp_path / "g.csv"
    export.write_text(GOOGLE, encoding="utf-8")
    result = run("--vault", vault, "--today", TODAY, "import", "google", export, "--update", "--commit")
    assert result.exit_code == 0, result.stderr
    log = subprocess.run(["git", "-C", str(vault), "log", "--format=%s"], capture_output=True, text=True).stdout
    assert log.splitlines()[0] == "import google: 1 contact from g.csv, 1 updated" and len(log.splitlines()) == 2
    files = subprocess.run(
        ["git", "-C", str(vault), "show", "--name-only", "--format=", "HEAD"], capture_output=True, text=True
    ).stdout.splitlines()
    assert sorted(files) == ["People/Ann Lee.md", "People/Robert Smith.md"]


def test_no_progress_bar_in_a_pipe(run, make_vault, tmp_path):
    vault = make_vault({})
    export = tmp_path / "c.csv"
    rows = "".join(f"P{i},Q{i},https://www.linkedin.com/in/p{i},,Acme,Eng,01 Jan 2020\n" for i in range(50))
    export.write_text("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n" + rows)
    result = run("--vault", vault, "--today", TODAY, "import", "linkedin", export)
    assert result.exit_code == 0
    assert "importing" not in result.stderr and "%" not in result.stderr


def test_streamed_parsing_matches_a_whole_file_read(tmp_path):
    # a quoted cell spanning lines, a BOM, CRLF: the stream reads what the whole-text parser reads
    text = (
        '\ufeffNotes:\r\n"A preamble"\r\n\r\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n'
        'Ann,Lee,https://www.linkedin.com/in/annlee,,"Acme\r\nLabs",Eng,01 Jan 2020\r\n'
        "Bo,Ek,,,,,\r\n"
    )
    people, problems = parse_linkedin(text, "c.csv")
    assert [p.name for p in people] == ["Ann Lee", "Bo Ek"] and people[0].company == "Acme\r\nLabs"
    assert people[1].line == 7 and problems == []


def test_twenty_thousand_rows_never_rebuild_the_index(run, make_vault, tmp_path, monkeypatch):
    """Cost follows the rows: the vault index is read once, whatever the number of rows."""
    from mdfollow import vault as vault_module

    calls = []
    real = vault_module.load_index

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(vault_module, "load_index", counting)
    vault = make_vault({"People/Someone.md": "---\ntype: contact\n---\n"})
    export = tmp_path / "c.csv"
    rows = "".join(f"P{i},Q{i},,,Acme,Eng,01 Jan 2020\n" for i in range(300))
    export.write_text("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n" + rows)
    result = run("--vault", vault, "--today", TODAY, "import", "linkedin", export)
    assert result.exit_code == 0 and "300 created" in result.stderr
    assert len(calls) == 1
    assert len(snapshot(vault / "People")) == 301


@given(st.text(alphabet=st.sampled_from("abcXYZ019 ._@/&()+'-:#"), min_size=1, max_size=12))
def test_the_plain_fast_path_agrees_with_yaml(tail):
    text = "a" + tail
    if _SURELY_PLAIN.fullmatch(text) and plain_ok(text):
        assert load_yaml(f"k: {text}") == {"k": text}


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_the_command_reads_every_line_ending_and_windows_1252(run, make_vault, tmp_path, newline):
    vault = make_vault({})
    export = tmp_path / "c.csv"
    rows = [b"First Name,Last Name,URL,Email Address,Company,Position,Connected On", b"Ren\xe9e,Faure,,,Acme,Eng,"]
    rows += [b"Ann,Lee,,,Acme,Eng,"]
    export.write_bytes(newline.join(rows) + newline)
    result = run("--vault", vault, "--today", TODAY, "import", "linkedin", export)
    assert result.exit_code == 0, result.stderr
    assert "read as Windows-1252" in result.stderr
    assert (vault / "People" / "Renée Faure.md").is_file() and (vault / "People" / "Ann Lee.md").is_file()


def test_update_leaves_a_note_without_front_matter_alone_and_says_so(run, make_vault, tmp_path):
    vault = make_vault(
        {".mdfollow.toml": 'contact_folders = ["People"]\n', "People/Robert Smith.md": "Just text about Bob.\n"}
    )
    export = tmp_path / "g.csv"
    export.write_text(GOOGLE, encoding="utf-8")
    result = run("--vault", vault, "--today", TODAY, "import", "google", export, "--update")
    assert result.exit_code == 0, result.stderr
    assert "not updated People/Robert Smith.md: it has no front matter to add keys to" in result.stdout
    assert (vault / "People" / "Robert Smith.md").read_text(encoding="utf-8") == "Just text about Bob.\n"


def test_a_utf16_export_is_read_whole_and_said(run, make_vault, tmp_path):
    vault = make_vault({})
    export = tmp_path / "g.csv"
    export.write_bytes(b"\xff\xfe" + GOOGLE.encode("utf-16-le"))
    result = run("--vault", vault, "--today", TODAY, "import", "google", export)
    assert result.exit_code == 0, result.stderr
    assert "read as UTF-16" in result.stderr
    assert (vault / "People" / "Robert Smith.md").is_file() and (vault / "People" / "Ann Lee.md").is_file()
