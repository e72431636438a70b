import unicodedata
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from mdfollow.contact import build_contact, fold
from mdfollow.note import parse_note


def build(front: str, path: str = "People/Jane Doe.md"):
    return build_contact(parse_note(path, f"---\ntype: contact\n{front}\n---\n".encode()))


def test_every_known_key_is_read():
    contact, problems = build(
        "name: Jane Q. Doe\naliases: [JD]\nmet: 2026-11-10\nthanked: 2026-11-11T09:00\n"
        "advice: [Read the trade press, Ask about metrics]\nadvice_outcome: It helped\nstrikes: 2\n"
        'cadence: 6w\nwarmth: Cool\nreferred_by: "[[Ann Lee#Intro|Ann]]"\nkeep_informed: yes\n'
        'status: Paused\nsnooze_until: 2026-12-01\nadded: 2026-11-01\ncompany: "[[Northwind]]"\n'
        "email: jane@example.com\ntags: [work/marketing, '#alumni']"
    )
    assert problems == []
    assert contact.name == "Jane Q. Doe" and contact.first_name == "Jane"
    assert contact.aliases == ("JD",)
    assert (contact.met, contact.thanked) == (date(2026, 11, 10), date(2026, 11, 11))
    assert contact.advice == ("Read the trade press", "Ask about metrics")
    assert contact.strikes == 2 and contact.cadence is not None and contact.cadence.text == "6w"
    assert contact.warmth == "cool" and contact.status == "paused" and contact.keep_informed
    assert contact.referred_by == ("Ann Lee",) and contact.company == "Northwind"
    assert contact.tags == ("work/marketing", "alumni")


def test_name_defaults_to_file_name():
    contact, _ = build("met: 2026-01-01")
    assert contact.name == "Jane Doe" and contact.stem == "Jane Doe"


def test_bad_values_are_reported_on_their_line_and_only_that_key_is_dropped():
    contact, problems = build(
        "met: 2026-11-10\nwarmth: hot\nstrikes: three\ncadence: often\nthanked: tomorrow\n"
        "status: maybe\nkeep_informed: 7\nreferred_by: 42\nadvice: {a: 1}"
    )
    lines = {p.line: p.message for p in problems}
    assert set(lines) == {4, 5, 6, 7, 8, 9, 10, 11}
    assert lines[4].startswith("warmth: 'hot' is not one of warm, neutral, cool")
    assert lines[5].startswith("strikes: 'three' is not a count")
    assert lines[7].startswith("thanked: 'tomorrow' is not a date")
    assert all(p.severity == "error" for p in problems if p.line != 11)
    assert contact.met == date(2026, 11, 10)  # the good key survives
    assert contact.warmth is None and contact.strikes == 0 and contact.cadence is None
    assert contact.status == "active"


def test_negative_strikes_and_string_digits():
    _, problems = build("strikes: -1")
    assert problems and "strikes" in problems[0].message
    contact, problems = build("strikes: '2'")
    assert contact.strikes == 2 and problems == []


def test_unquoted_link_is_taken_with_a_warning():
    contact, problems = build("referred_by: [[Ann Lee]]")
    assert contact.referred_by == ("Ann Lee",)
    [problem] = problems
    assert problem.severity == "warning" and 'should be quoted: "[[Ann Lee]]"' in problem.message


def test_fold_ignores_case_accents_and_normal_form():
    assert (
        fold("José Ñúñez") == fold("jose nunez") == fold("JOSE\u0301 N\u0303u\u0301n\u0303ez".replace("E\u0301", "É"))
    )
    assert fold("Zoë") == fold("Zoe\u0308") == "zoe"


@given(st.text(max_size=40))
@settings(max_examples=500, deadline=None)
def test_fold_matches_the_plain_definition(text):
    """The fast paths (ASCII, each distinct mark once) give what the definition says."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    assert fold(text) == " ".join(plain.casefold().split())
