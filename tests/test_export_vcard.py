"""export vcard: golden files, folding and escaping, and a round trip through import vcard."""

import pytest
import vobject
from hypothesis import given
from hypothesis import strategies as st

from mdfollow.dates import Birthday
from mdfollow.note import parse_note
from mdfollow.vcard import Card, card_text, escape, fold
from tests.conftest import EXAMPLE_TODAY, snapshot

RICH = {
    "People/Zoë Ångström.md": (
        '---\ntype: contact\ncompany: "Fernhill Dairy; Research, Ltd"\nrole: Head of Insights\n'
        'email: zoe@example.com\nemails: [zoe.a@example.org]\nphone: "+44 20 7946 0000"\nphones: ["+44 7700 900123"]\n'
        "linkedin: https://www.linkedin.com/in/zoe-angstrom\nwebsite: https://zoe.example.net\n"
        'birthday: --02-29\ntags: [cpg, mentor]\nadvice: "Ask for the metric, then the team\\\\\'s worry"\n'
        'advice_outcome: "Two teams opened up; both called back"\n---\n# Zoë\n'
    ),
    "People/Bo Chen.md": (
        "---\ntype: contact\nbirthday: 1990-11-25\nemail: bo@example.com\n"
        "advice: [Read the annual report, Ask about the Q3 launch]\n---\n# Bo\n"
    ),
    "People/Cy.md": "---\ntype: person\nname: Cy\n---\n",
}
KEYS = (
    "name", "company", "role", "email", "emails", "phone", "phones", "linkedin", "website", "birthday", "tags",
    "advice", "advice_outcome",
)  # fmt: skip


def keys_of(vault, rel):
    front = parse_note(rel, (vault / rel).read_bytes()).front
    values = {k: front.get(k) for k in KEYS if front.get(k) not in (None, "", [])}
    values.setdefault("name", rel.rsplit("/", 1)[-1][:-3])
    if "birthday" in values:
        values["birthday"] = str(values["birthday"]).lstrip("-").replace("--", "")
    return values


@pytest.mark.parametrize("flag", [[], ["--v3"]])
def test_import_of_the_export_gives_the_same_people_and_values(run, make_vault, tmp_path, flag):
    vault = make_vault(RICH)
    out = tmp_path / "export.vcf"
    result = run("--vault", vault, "--today", EXAMPLE_TODAY, "export", "vcard", "--out", out, *flag)
    assert result.exit_code == 0, result.stderr
    empty = make_vault({}, tmp_path / "empty")
    imported = run("--vault", empty, "--today", EXAMPLE_TODAY, "import", "vcard", out)
    assert imported.exit_code == 0 and imported.stderr.strip().startswith("3 created, 0 skipped")
    made = sorted(p.relative_to(empty).as_posix() for p in (empty / "People").glob("*.md"))
    assert made == ["People/Bo Chen.md", "People/Cy.md", "People/Zoë Ångström.md"]
    for rel in made:
        before, after = keys_of(vault, rel), keys_of(empty, rel)
        after.pop("name", None), before.pop("name", None)
        assert after == before, rel
    assert keys_of(empty, "People/Zoë Ångström.md")["advice_outcome"] == "Two teams opened up; both called back"
    # Importing the same export again makes nothing new.
    again = run("--vault", empty, "--today", EXAMPLE_TODAY, "import", "vcard", out)
    assert again.stderr.strip().startswith("0 created, 3 skipped")


def test_example_vault_export_is_golden_and_owned(run, example_vault, golden):
    result = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "export", "vcard")
    assert result.exit_code == 0 and "wrote Contacts.vcf (20 contacts, vCard 4.0)" in result.stderr
    data = (example_vault / "Contacts.vcf").read_bytes()
    golden("example/Contacts.vcf", data.decode("utf-8"))
    assert not data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    before = snapshot(example_vault)
    assert "up to date" in run("--vault", example_vault, "export", "vcard").stderr
    assert snapshot(example_vault) == before
    v3 = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "export", "vcard", "--out", "-", "--v3")
    assert v3.stdout_bytes.count(b"\r\n") == v3.stdout_bytes.count(b"\n")
    golden("example/Contacts-v3.vcf", v3.stdout_bytes.decode("utf-8"))
    assert "BDAY;X-APPLE-OMIT-YEAR=1604:1604-11-25" in v3.stdout and "BDAY:--1125" in data.decode()
    # Two parsers read every card.
    parsed = list(vobject.readComponents(data.decode("utf-8")))
    assert len(parsed) == 20 and parsed[4].fn.value == "Elena Petrova"
    assert parsed[4].note.value.startswith("Advice: Ask every interviewer which metric their team is judged on\n")


def test_never_over_a_file_mdfollow_did_not_write_nor_outside_the_vault(run, make_vault, tmp_path):
    vault = make_vault(RICH)
    mine = vault / "Contacts.vcf"
    mine.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iOS 17//EN\r\nFN:Me\r\nEND:VCARD\r\n")
    result = run("--vault", vault, "export", "vcard")
    assert result.exit_code == 1 and "not written by mdfollow" in result.stderr
    assert b"Apple" in mine.read_bytes()
    (vault / ".mdfollow.toml").write_text('vcard_file = "../outside.vcf"\n', encoding="utf-8")
    result = run("--vault", vault, "export", "vcard")
    assert result.exit_code == 1 and "outside the vault" in result.stderr
    assert not (tmp_path / "outside.vcf").exists()


def test_escaping_and_a_card_two_parsers_agree_on():
    card = Card(
        key="People/X.md",
        name="Ann O'Neil, Jr.",
        company="A;B,C\\D",
        note="line one\nline two; with, punctuation",
        tags=("a,b", "c"),
        birthday=Birthday(11, 25),
    )
    text = card_text(card)
    assert "ORG:A\\;B\\,C\\\\D\r\n" in text and "CATEGORIES:a\\,b,c\r\n" in text and "BDAY:--1125\r\n" in text
    parsed = vobject.readOne(text)
    assert parsed.fn.value == "Ann O'Neil, Jr." and parsed.note.value == card.note
    assert escape("a\r\nb") == "a\\nb"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=400))
def test_folding_keeps_lines_short_and_characters_whole(text):
    line = "NOTE:" + escape(text)
    folded = fold(line)
    physical = folded.encode("utf-8").split(b"\r\n")
    assert all(len(p) <= 75 for p in physical)
    for part in physical:
        part.decode("utf-8")  # no character split across lines
    assert folded.replace("\r\n ", "") == line


def test_split_writes_one_card_per_file_for_outlook(run, example_vault, tmp_path):
    folder = tmp_path / "cards"
    assert run("--vault", example_vault, "export", "vcard", "--split").exit_code == 2
    result = run("--vault", example_vault, "export", "vcard", "--split", "--out", folder)
    assert result.exit_code == 0 and "wrote 20 cards" in result.stderr
    elena = (folder / "Elena Petrova.vcf").read_bytes()
    assert elena.count(b"BEGIN:VCARD") == 1 and b"FN:Elena Petrova\r\n" in elena
    (folder / "Owen Park.vcf").write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Owen (mine)\r\nEND:VCARD\r\n")
    again = run("--vault", example_vault, "export", "vcard", "--split", "--out", folder)
    assert "Owen Park.vcf: warning: exists and was not written by mdfollow" in again.stderr
    assert "wrote 0 cards" in again.stderr and "19 up to date" in again.stderr
    assert b"(mine)" in (folder / "Owen Park.vcf").read_bytes()
