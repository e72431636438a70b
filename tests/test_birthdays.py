"""Birthdays: every form people write, 29 February, the agenda, the daily block, imports."""

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdfollow.dates import Birthday, DateError, parse_birthday
from mdfollow.importing import parse_google, parse_vcard
from mdfollow.rules import build_agenda
from mdfollow.settings import Settings
from tests.helpers import contact, index_of

TODAY = "2026-11-23"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(1990, 11, 25), Birthday(11, 25, 1990)),  # YAML reads an unquoted date
        ("1990-11-25", Birthday(11, 25, 1990)),
        ("11-25", Birthday(11, 25)),
        ("--11-25", Birthday(11, 25)),
        ("--1125", Birthday(11, 25)),  # vCard 4's basic form
        ("19901125", Birthday(11, 25, 1990)),
        (" 02-29 ", Birthday(2, 29)),  # a real birthday without a year
        ("0000-11-25", Birthday(11, 25)),  # some address books' "no year"
    ],
)
def test_every_form_people_write(value, expected):
    assert parse_birthday(value) == expected


@pytest.mark.parametrize("value", ["1990-02-29", "13-01", "11-31", "next week", 1125, True, ["11-25"], "1990/11/25"])
def test_what_is_not_a_birthday(value):
    with pytest.raises(DateError):
        parse_birthday(value)


def test_29_february_is_kept_on_28_february_in_other_years():
    leap = Birthday(2, 29)
    assert leap.next_on_or_after(date(2027, 2, 1)) == date(2027, 2, 28)
    assert leap.next_on_or_after(date(2028, 2, 1)) == date(2028, 2, 29)
    assert leap.next_on_or_after(date(2027, 3, 1)) == date(2028, 2, 29)
    assert leap.text == "--02-29" and Birthday(11, 25, 1990).text == "1990-11-25"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(1, 12), st.integers(1, 31))
def test_the_next_birthday_is_the_first_on_or_after_today(today, month, day):
    try:
        birthday = parse_birthday(f"--{month:02d}-{day:02d}")
    except DateError:
        return
    when = birthday.next_on_or_after(today)
    assert 0 <= (when - today).days <= 365
    assert when.month == month and (when.day == day or (month, day, when.day) == (2, 29, 28))


def test_agenda_lists_birthdays_in_the_horizon_apart_from_items():
    files = (
        contact("Ann Lee", birthday="11-25", met="2026-11-20")
        | contact("Bo Chen", birthday="1990-12-01")  # beyond the 7-day horizon
        | contact("Cy Dahl", birthday="--11-23", status="closed")
        | contact("Di Eng", birthday='"1986-11-23"', status="paused")
    )
    agenda = build_agenda(index_of(files), date(2026, 11, 23), Settings())
    assert [(b.contact.name, b.date.isoformat(), b.age) for b in agenda.birthdays] == [
        ("Di Eng", "2026-11-23", 40),
        ("Ann Lee", "2026-11-25", None),
    ]
    assert [i.action for i in agenda.items] == ["thank"]  # a birthday competes with nothing


def test_a_bad_birthday_is_a_note_problem_and_the_rest_is_kept(run, make_vault):
    vault = make_vault(contact("Ann Lee", birthday="31-02", met="2026-11-20"))
    result = run("--vault", vault, "--today", TODAY, "agenda", "--json")
    data = json.loads(result.stdout)
    assert "People/Ann Lee.md:3: error: birthday: '31-02' has no month 31" in result.stderr
    assert [i["action"] for i in data["items"]] == ["thank"] and data["birthdays"] == []


def test_agenda_file_and_daily_block_show_birthdays(run, make_vault):
    vault = make_vault(
        contact("Ann Lee", birthday="--11-24", met="2026-11-20") | contact("Bo Chen", birthday="1980-11-23")
    )
    assert run("--vault", vault, "--today", TODAY, "agenda").exit_code == 0
    text = (vault / "Agenda.md").read_text(encoding="utf-8")
    assert "## Birthdays\n\n- 🎂 [[Bo Chen]]: today, turns 46\n- 🎂 [[Ann Lee]]: Tuesday 24 November\n" in text
    assert run("--vault", vault, "--today", TODAY, "agenda", "--daily").exit_code == 0
    daily = (vault / "2026-11-23.md").read_text(encoding="utf-8")
    assert "### Birthdays\n\n- 🎂 [[Bo Chen]]: today, turns 46\n" in daily
    # Birthday lines are mdfollow's own: a second run finds nothing to keep or refuse.
    again = run("--vault", vault, "--today", TODAY, "agenda", "--daily")
    assert again.exit_code == 0 and (vault / "2026-11-23.md").read_text(encoding="utf-8") == daily
    assert run("--vault", vault, "--today", TODAY, "agenda").stderr.count("is up to date") == 1
    assert (vault / "Agenda.md").read_text(encoding="utf-8").count("## Birthdays") == 1
    # Only birthdays, nothing due: still said, and the birthday is no task to tick.
    vault2 = make_vault({"People/Cy.md": "---\ntype: contact\nbirthday: 11-26\n---\n"}, vault.parent / "v2")
    assert run("--vault", vault2, "--today", TODAY, "agenda").exit_code == 0
    text = (vault2 / "Agenda.md").read_text(encoding="utf-8")
    assert "Nothing is due in the next 7 days." in text and "- 🎂 [[Cy]]: Thursday 26 November" in text
    assert "[ ]" not in text


def test_imports_store_the_notes_form():
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nBDAY;X-APPLE-OMIT-YEAR=1604:1604-11-25\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bo Chen\r\nBDAY:--0229\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Cy Dahl\r\nBDAY:19801123\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Di Eng\r\nBDAY:1986-11-23T00:00:00Z\r\nEND:VCARD\r\n"
    )
    people, problems = parse_vcard(card, "x.vcf")
    assert not problems
    assert [p.birthday for p in people] == ["--11-25", "--02-29", "1980-11-23", "1986-11-23"]
    google = "First Name,Last Name,Birthday\nAnn,Lee, --11-25\nBo,Chen,1990-11-25\nCy,Dahl,--02-30\n"
    people, problems = parse_google(google, "g.csv")
    assert [p.birthday for p in people] == ["--11-25", "1990-11-25", ""]
    assert len(problems) == 1 and "--02-30" in problems[0].message
    for person in people[:2]:
        assert parse_birthday(person.birthday)  # what an import writes, the notes read back


def test_birthday_and_export_keys_read_through_the_users_own_names(run, make_vault):
    vault = make_vault(
        {
            ".mdfollow.toml": '[keys]\nbirthday = "bday"\nphone = "mobile"\nrole = "title"\n',
            "People/Ann Lee.md": "---\ntype: contact\nbday: 11-25\nmobile: '+1 555 0100'\ntitle: CMO\n---\n",
        }
    )
    data = json.loads(run("--vault", vault, "--today", TODAY, "agenda", "--json").stdout)
    assert data["birthdays"] == [{"contact": "Ann Lee", "note": "People/Ann Lee.md", "date": "2026-11-25"}]
    card = run("--vault", vault, "export", "vcard", "--out", "-").stdout_bytes.decode()
    assert "BDAY:--1125\r\n" in card and "TEL;PREF=1:+1 555 0100\r\n" in card and "TITLE:CMO\r\n" in card
