"""harvest mail / harvest calendar, on files in the exact shape real clients write them."""

from __future__ import annotations

import shutil
import subprocess
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.conftest import snapshot

SAMPLES = Path(__file__).resolve().parent / "samples" / "harvest"
TODAY = "2026-11-23"

SETTINGS = """\
timezone = "Europe/Paris"

[me]
name = "Me Myself"
email = "me@example.net"
emails = ["me.work@example.com"]
"""
JANE = """\
---
type: contact
email: jane.doe@example.com   # her own
last_outreach: 2026-11-15
strikes: 1
---
# Jane Doe
"""
TOMAS = """\
---
type: contact
emails:
  - tomas@ruiz.es
  - t.ruiz@work.example
---
# Tomás
"""
LUCAS = "---\r\ntype: contact\r\nemail: Lucas@Example.org\r\nlast_contact: 2026-11-18\r\n---\r\n# Lucas\r\n"


@pytest.fixture
def vault(make_vault):
    return make_vault(
        {
            ".mdfollow.toml": SETTINGS,
            "People/Jane Doe.md": JANE,
            "People/Tomás Ruiz.md": TOMAS,
            "People/Lucas Müller.md": LUCAS.encode(),
            "People/Stranger.md": "---\ntype: contact\n---\n",
        }
    )


def harvest(run, vault, *args, today=TODAY):
    return run("--vault", vault, "--today", today, "harvest", *[str(a) for a in args])


def note(vault, name):
    return (vault / "People" / f"{name}.md").read_text(encoding="utf-8", errors="strict")


def sample(name):
    return SAMPLES / name


MAIL = [sample("thunderbird-Inbox"), sample("gmail-takeout.mbox"), sample("apple-mail.eml")]


def test_mail_from_three_clients_is_logged_as_replies_and_news(run, vault):
    result = harvest(run, vault, "mail", *MAIL)
    assert result.exit_code == 0, result.stderr
    jane = note(vault, "Jane Doe")
    # Only the keys that move, and the log lines; the comment and key order stay.
    assert jane.startswith(
        "---\ntype: contact\nemail: jane.doe@example.com   # her own\n"
        "last_outreach: 2026-11-20\nstrikes: 0\nlast_contact: 2026-11-21\n---\n# Jane Doe\n"
    )
    lines = [line for line in jane.splitlines() if line.startswith("- ")]
    assert [line.split(" %%")[0] for line in lines] == [
        '- 2026-11-19 replied: e-mail "Re: Coffee at the café on Thursday"',  # Apple Mail, RFC 2047 folded
        '- 2026-11-20 informed: e-mail "The interview went well"',  # Gmail Takeout, from my other address
        '- 2026-11-21 replied: e-mail "Re: a quick question"',  # Thunderbird
    ]
    assert all(" %%mf-mail-" in line for line in lines)
    tomas = note(vault, "Tomás Ruiz")
    # Cc'd at his work address (case differs); the reply came 15:30 in Los Angeles, 00:30 in Paris.
    assert "- 2026-11-20 informed:" in tomas and '- 2026-11-22 replied: e-mail "Re: The interview went well"' in tomas
    assert "last_contact: 2026-11-22" in tomas and "last_outreach: 2026-11-20" in tomas
    assert "strikes" not in tomas  # news adds no strike
    lucas = (vault / "People/Lucas Müller.md").read_bytes()
    # CRLF kept; older replies are logged but never move last_contact back.
    assert b"last_contact: 2026-11-18\r\n" in lucas and b"\n" not in lucas.replace(b"\r\n", b"")
    assert b'- 2026-11-16 replied: e-mail "Re: Caf\xc3\xa9 next week?"' in lucas  # base64 subject, EST, plus tags
    assert b'- 2026-11-10 replied: e-mail "no date header here"' in lucas  # the Received stamp stands in
    assert "from the future" not in lucas.decode()
    assert "read 9 messages from 3 files: 3 contacts touched (5 replies, 2 messages you sent)" in result.stderr
    assert "1 dated after today" in result.stderr and "1 mailing list" in result.stderr
    assert "1 from or to no contact" in result.stderr
    assert 'People/Jane Doe.md: - 2026-11-21 replied: e-mail "Re: a quick question"\n' in result.stdout


def test_harvesting_the_same_files_again_logs_nothing(run, vault):
    assert harvest(run, vault, "mail", *MAIL).exit_code == 0
    before = snapshot(vault)
    # Again, from a copy elsewhere and in another order: the ids in the notes remember them.
    again = harvest(run, vault, "mail", MAIL[2], MAIL[1], MAIL[0])
    assert again.exit_code == 0
    assert snapshot(vault) == before
    assert "nothing new to log; 7 logged before" in again.stderr


def test_the_cache_wiped_changes_nothing_either(run, vault, private_cache):
    assert harvest(run, vault, "mail", *MAIL).exit_code == 0
    before = snapshot(vault)
    shutil.rmtree(private_cache)
    private_cache.mkdir()
    assert harvest(run, vault, "mail", *MAIL).exit_code == 0
    assert snapshot(vault) == before


def test_a_day_already_logged_by_hand_is_not_logged_twice(run, vault):
    path = vault / "People/Jane Doe.md"
    path.write_text(JANE + "\n## Interactions\n\n- 2026-11-21 replied: she answered on the phone app\n")
    assert harvest(run, vault, "mail", MAIL[0]).exit_code == 0
    assert note(vault, "Jane Doe").count("2026-11-21 replied") == 1


def test_dry_run_writes_nothing_and_says_what_it_would_log(run, vault):
    before = snapshot(vault)
    result = harvest(run, vault, "mail", *MAIL, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert snapshot(vault) == before
    assert 'would log People/Tomás Ruiz.md: - 2026-11-22 replied: e-mail "Re: The interview went well"' in result.stdout
    assert "dry run, nothing written" in result.stderr


def test_verbose_lists_each_message(run, vault):
    result = run("--vault", vault, "--today", TODAY, "-v", "harvest", "mail", MAIL[0], "--dry-run")
    inbox = str(MAIL[0])
    assert f"{inbox}:1: replied People/Jane Doe.md on 2026-11-21" in result.stderr
    assert f"{inbox}:28: skipped: mailing list" in result.stderr
    assert f"{inbox}:40: skipped: from or to no contact" in result.stderr
    assert f"{inbox}:72: skipped: dated after today" in result.stderr


def test_the_time_zone_decides_the_day(run, vault):
    toml = vault / ".mdfollow.toml"
    toml.write_text(SETTINGS.replace("Europe/Paris", "America/Los_Angeles"))
    assert harvest(run, vault, "mail", MAIL[1]).exit_code == 0
    assert "- 2026-11-21 replied:" in note(vault, "Tomás Ruiz")


def test_without_a_time_zone_setting_the_machine_zone_is_used(run, vault, monkeypatch):
    toml = vault / ".mdfollow.toml"
    toml.write_text(SETTINGS.replace('timezone = "Europe/Paris"\n', ""))
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        assert harvest(run, vault, "mail", MAIL[1]).exit_code == 0
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert "- 2026-11-21 replied:" in note(vault, "Tomás Ruiz")


def test_a_bad_time_zone_is_one_line(run, vault):
    (vault / ".mdfollow.toml").write_text(SETTINGS.replace("Europe/Paris", "Mars/Olympus"))
    result = harvest(run, vault, "mail", *MAIL)
    assert result.exit_code == 1
    assert "setting 'timezone': 'Mars/Olympus' is not a time zone" in result.stderr


def test_maildir_and_folders_of_eml(run, vault, tmp_path):
    maildir = tmp_path / "Maildir" / "INBOX"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    shutil.copy(sample("apple-mail.eml"), maildir / "cur" / "1700000000.M1P2.host,U=1:2,S")
    raw = sample("thunderbird-Inbox").read_bytes().split(b"\n\nFrom - ")[0].split(b"\n", 1)[1] + b"\n"
    (maildir / "new" / "1700000001.M2P2.host").write_bytes(raw)
    (maildir / "tmp" / "half-written").write_bytes(b"From: jane.doe@example.com\n")
    folder = tmp_path / "Saved"
    folder.mkdir()
    shutil.copy(sample("gmail-takeout.mbox"), folder / "Takeout.mbox")
    (folder / "Takeout.mbox.msf").write_bytes(b'// <!-- <mdb:mork:z v="1.4"/> -->')
    (folder / "notes.txt").write_text("not mail")
    result = harvest(run, vault, "mail", tmp_path / "Maildir", folder)
    assert result.exit_code == 0, result.stderr
    assert "read 4 messages from 2 files" in result.stderr
    jane = note(vault, "Jane Doe")
    assert "2026-11-19 replied" in jane and "2026-11-21 replied" in jane and "2026-11-20 informed" in jane


def test_bad_input_is_one_line_each_and_the_rest_is_harvested(run, vault, tmp_path):
    not_mail = tmp_path / "photo.jpg"
    not_mail.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)))
    truncated = tmp_path / "cut.mbox"
    data = sample("thunderbird-Inbox").read_bytes()
    truncated.write_bytes(data[: data.index(b"Subject: no date header")])
    broken = tmp_path / "broken.mbox"
    broken.write_bytes(
        b"From - Sat Nov 21 09:14:02 2026\nthis is no header at all\n\nbody\n\n"
        b"From - Sat Nov 21 10:00:00 2026\nFrom: Jane <jane.doe@example.com>\nTo: me@example.net\n"
        b"Subject: caf\xe9 latin-1\nDate: Sat, 21 Nov 2026 10:00:00 +0100\nMessage-ID: <x1@example.com>\n\nhi\n"
    )
    result = harvest(run, vault, "mail", not_mail, truncated, broken, tmp_path / "missing.mbox")
    assert result.exit_code == 0, result.stderr
    errors = result.stderr.splitlines()
    assert f"{not_mail}:1: error: not a mail file (neither an mbox nor a message); skipped" in errors
    assert f"{tmp_path / 'missing.mbox'}: error: no such file or folder" in errors
    assert any(e.startswith(f"{truncated}:62: warning: message 5: the file ends inside its headers") for e in errors)
    assert f"{broken}:1: warning: message 1: does not start with mail headers; skipped" in errors
    assert f"{broken}:6: warning: message 2: headers with bytes that are not UTF-8; read as Latin-1" in errors
    jane = note(vault, "Jane Doe")
    assert '2026-11-21 replied: e-mail "Re: a quick question"' in jane  # from the truncated file
    assert "Lucas" not in jane


def test_nothing_readable_is_exit_1(run, vault, tmp_path):
    not_mail = tmp_path / "notes.txt"
    not_mail.write_text("just words\n")
    result = harvest(run, vault, "mail", not_mail)
    assert result.exit_code == 1
    assert "nothing could be read" in result.stderr


def test_a_body_line_starting_with_from_does_not_split_a_message(run, vault):
    result = run("--vault", vault, "--today", TODAY, "-v", "harvest", "mail", MAIL[0], "--dry-run")
    assert "read 6 messages" in result.stderr  # six separators; the body's ">From" and "From what" are text


def test_calendar_exports_from_google_and_outlook(run, vault):
    result = harvest(run, vault, "calendar", sample("google.ics"), sample("outlook.ics"))
    assert result.exit_code == 0, result.stderr
    jane = note(vault, "Jane Doe")
    assert "met: 2026-11-18" in jane and "last_contact: 2026-11-18" in jane and "strikes: 0" in jane
    assert '- 2026-11-03 met: meeting "Portfolio review"' in jane  # Outlook zone name; midnight in Paris
    assert "Lunch with Jane" not in jane  # in December: not yet
    lucas = note(vault, "Lucas Müller")
    # Weekly on Mondays, 16 Nov excluded, today's not yet past: the latest is 9 Nov, contact without a thank-you.
    assert '- 2026-11-09 spoke: recurring meeting "Weekly mentoring"' in lucas
    assert "met:" not in lucas and "last_contact: 2026-11-18" in lucas
    tomas = note(vault, "Tomás Ruiz")
    assert '- 2026-11-12 met: meeting "Offsite day"' in tomas  # all-day
    assert '- 2026-11-21 met: meeting "Late call with Tomás"' in tomas  # 23:30 UTC is the next day in Paris
    assert "Intro call" not in tomas  # cancelled
    assert "met: 2026-11-21" in tomas
    assert "4 meetings, 1 recurring meeting" in result.stderr and "1 cancelled" in result.stderr
    again = harvest(run, vault, "calendar", sample("google.ics"), sample("outlook.ics"))
    assert "nothing new to log; 5 logged before" in again.stderr


def test_a_new_occurrence_is_logged_on_a_later_harvest(run, vault):
    assert harvest(run, vault, "calendar", sample("google.ics")).exit_code == 0
    assert harvest(run, vault, "calendar", sample("google.ics"), today="2026-12-01").exit_code == 0
    lucas = note(vault, "Lucas Müller")
    assert "- 2026-11-09 spoke:" in lucas and "- 2026-11-30 spoke:" in lucas and "- 2026-11-23 spoke:" not in lucas
    assert "last_contact: 2026-11-30" in lucas


def test_not_icalendar_is_reported_and_the_rest_harvested(run, vault, tmp_path):
    bad = tmp_path / "contacts.vcf"
    bad.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Jane\nEND:VCARD\n")
    result = harvest(run, vault, "calendar", bad, sample("outlook.ics"))
    assert result.exit_code == 0
    assert f"{bad}:1: error: not an iCalendar file (no BEGIN:VCALENDAR); skipped" in result.stderr
    assert "Portfolio review" in note(vault, "Jane Doe")
    only_bad = harvest(run, vault, "calendar", bad)
    assert only_bad.exit_code == 1


def test_commit_takes_exactly_the_notes_written(run, vault):
    def git(*args):
        return subprocess.run(["git", "-C", str(vault), *args], capture_output=True, text=True, check=True).stdout

    git("init", "-q", "-b", "main")
    git("config", "user.email", "me@example.net")
    git("config", "user.name", "Me")
    git("add", "-A")
    git("commit", "-q", "-m", "start")
    (vault / "Notes.md").write_text("work in progress\n")
    result = harvest(run, vault, "mail", *MAIL, "--commit")
    assert result.exit_code == 0, result.stderr
    changed = sorted(git("-c", "core.quotepath=false", "show", "--name-only", "--format=", "HEAD").splitlines())
    assert changed == ["People/Jane Doe.md", "People/Lucas Müller.md", "People/Tomás Ruiz.md"]
    assert "harvest mail: 5 replies, 2 messages you sent from 3 contacts" in git("log", "-1", "--format=%s")
    assert "Notes.md" in git("status", "--porcelain")


def test_a_note_with_errors_is_not_written_and_the_run_says_so(run, vault):
    (vault / "People/Jane Doe.md").write_text(JANE.replace("strikes: 1", "strikes: three"))
    result = harvest(run, vault, "mail", *MAIL)
    assert result.exit_code == 1
    assert "People/Jane Doe.md: error: not logged:" in result.stderr
    assert "2026-11-22 replied" in note(vault, "Tomás Ruiz")


def test_an_address_shared_by_two_contacts_touches_neither(run, vault):
    (vault / "People/Jane Again.md").write_text("---\ntype: contact\nemail: JANE.DOE@example.com\n---\n")
    result = harvest(run, vault, "mail", MAIL[0])
    assert "address of several contacts" in result.stderr
    assert "Interactions" not in note(vault, "Jane Doe")


# ---------------------------------------------------------------- the pure core


def test_dates_in_every_form_clients_send():

    from mdfollow.harvest import local_day, mail_datetime

    utc = UTC
    cases = {
        "Sat, 21 Nov 2026 23:30:00 -0800": date(2026, 11, 22),
        "21 Nov 2026 10:00:00 +0100": date(2026, 11, 21),  # no weekday
        "Sat, 21 Nov 26 10:00 GMT": date(2026, 11, 21),  # two-digit year, obsolete zone
        "Sat, 21 Nov 2026 20:00:00 EST": date(2026, 11, 22),
        "Sat, 21 Nov 2026 10:00:00 +0100 (CET)": date(2026, 11, 21),
        "Sat, 21 Nov 2026 23:00:00 -0000": date(2026, 11, 21),  # unknown zone: as written
        "Sat Nov 21 10:00:00 2026": date(2026, 11, 21),  # asctime
        "2026-11-21T10:00:00+01:00": date(2026, 11, 21),
        "2026-11-21 23:30:00 -0500": date(2026, 11, 22),
    }
    for text, day in cases.items():
        moment = mail_datetime(text)
        assert moment is not None, text
        assert local_day(moment, utc) == day, text
    assert mail_datetime("yesterday-ish") is None
    assert mail_datetime("Mon, Nov 21 10:00") is None  # no year: never filled in from the clock
    assert mail_datetime("Monday, November 21, 2026 10:00 AM") == datetime(2026, 11, 21, 10, 0)


def test_addresses_are_compared_without_case_plus_tags_or_brackets():
    from mdfollow.contact import address_key

    assert address_key("<Jane.Doe+work@Example.COM>") == "jane.doe@example.com"
    assert address_key("MAILTO:jane@example.com") == "jane@example.com"
    assert address_key("Jane Doe <jane@example.com>") == "jane@example.com"
    assert address_key("+tag@example.com") == "+tag@example.com"
    assert address_key("not an address") == "not an address"


def test_folded_events_move_dates_forward_and_reset_strikes_in_order():
    from mdfollow.contact import Contact
    from mdfollow.events import Event
    from mdfollow.harvest import fold_changes

    jane = Contact(path="People/Jane.md", name="Jane", last_outreach=date(2026, 11, 10), strikes=2)
    changes = fold_changes(
        jane,
        [
            Event("informed", date(2026, 11, 12)),
            Event("replied", date(2026, 11, 11)),
            Event("replied", date(2026, 11, 5)),
        ],
    )
    assert changes == {"last_contact": date(2026, 11, 11), "strikes": 0, "last_outreach": date(2026, 11, 12)}
    assert fold_changes(jane, [Event("replied", date(2026, 11, 1))]) == {"last_contact": date(2026, 11, 1)}


@pytest.mark.parametrize("chunk", [16, 97, 4096, 4 << 20])
def test_the_mbox_stream_finds_the_same_messages_whatever_the_chunk_size(tmp_path, monkeypatch, chunk):
    import mailbox
    import random

    from mdfollow import mailfiles

    rng = random.Random(chunk)
    parts = []
    for n in range(60):
        newline = b"\r\n" if n % 7 == 3 else b"\n"
        head = [f"From: Person {n} <p{n}@example.com>", f"Subject: number {n}", f"Message-ID: <{n}@x>"]
        body = [b"x" * rng.randint(0, 300) for _ in range(rng.randint(0, 30))]
        body.insert(min(2, len(body)), b">From the quoted line")
        body.insert(0, b"From what I hear at 10:30 in 2026 it works.")
        sep = f"From - Sat Nov {1 + n % 28:02d} 09:14:02 2026".encode()
        parts.append(sep + newline + newline.join(h.encode() for h in head) + newline + newline + newline.join(body))
    path = tmp_path / "box"
    path.write_bytes(b"\n\n".join(parts) + b"\n")
    monkeypatch.setattr(mailfiles, "CHUNK", chunk)
    source = mailfiles.MailSource("mbox", path, str(path), path.stat().st_size)
    found = list(mailfiles.messages(source))
    assert all(isinstance(m, mailfiles.RawMessage) for m in found)
    subjects = [m.head.split(b"Subject: ")[1].split(b"\n")[0].strip() for m in found]  # type: ignore[union-attr]
    assert subjects == [f"number {n}".encode() for n in range(60)]
    lines = path.read_bytes().split(b"\n")
    for message in found:
        assert lines[message.line - 1].startswith(b"From - ")  # type: ignore[union-attr]
    # Python's mailbox module splits on every "From " line, so it sees the body lines as messages too.
    assert len(mailbox.mbox(str(path), create=False)) > 60


def test_broken_calendars_keep_what_can_be_read(run, vault, tmp_path):
    google = sample("google.ics").read_bytes()
    truncated = tmp_path / "cut.ics"
    truncated.write_bytes(google[: google.index(b"BEGIN:VEVENT", google.index(b"Coffee with Jane")) + 20])
    latin = tmp_path / "latin.ics"
    latin.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x1\r\nDTSTART:20261110T100000Z\r\n"
        b"SUMMARY:Caf\xe9 with Tom\xe1s\r\nATTENDEE:mailto:tomas@ruiz.es\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:x2\r\nDTSTART:garbage\r\nSUMMARY:Broken\r\nATTENDEE:mailto:tomas@ruiz.es\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    result = harvest(run, vault, "calendar", truncated, latin)
    assert result.exit_code == 0, result.stderr
    assert f"{truncated}:44: warning: truncated; the events up to this line were read" in result.stderr
    assert f"{latin}: warning: not UTF-8; read as Windows-1252" in result.stderr
    assert f"{latin}: warning: event 'Broken': " in result.stderr
    assert '- 2026-11-18 met: meeting "Coffee with Jane"' in note(vault, "Jane Doe")
    assert '- 2026-11-10 met: meeting "Café with Tomás"' in note(vault, "Tomás Ruiz")


def test_gmail_spam_and_other_peoples_events_are_skipped(run, vault, tmp_path):
    takeout = (
        sample("gmail-takeout.mbox")
        .read_bytes()
        .replace(b"X-Gmail-Labels: Inbox,Important,Opened", b"X-Gmail-Labels: Spam, Opened")
    )
    (tmp_path / "all.mbox").write_bytes(takeout)
    result = harvest(run, vault, "mail", tmp_path / "all.mbox")
    assert "1 spam" in result.stderr and "replied" not in note(vault, "Tomás Ruiz")
    team = (
        sample("google.ics")
        .read_bytes()
        .replace(b"ORGANIZER;CN=me@example.net:mailto:me@example.net", b"ORGANIZER;CN=Boss:mailto:boss@example.com")
    )
    team = team.replace(b"RSVP=TRUE\r\n ;CN=me@example.net;X-NUM-GUESTS=0:mailto:me@example.net", b"CN=x:mailto:x@y.z")
    (tmp_path / "team.ics").write_bytes(team)
    result = harvest(run, vault, "calendar", tmp_path / "team.ics")
    assert "1 someone else's event, without you" in result.stderr
    assert "Coffee with Jane" not in note(vault, "Jane Doe")


def test_json_for_scripts(run, vault):
    import json

    result = harvest(run, vault, "calendar", sample("outlook.ics"), "--json", "--dry-run")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["read"] == 2 and data["files"] == 1 and data["dry_run"] is True
    assert data["skipped"] == {"cancelled": 1}
    [jane] = data["logged"]
    assert jane["note"] == "People/Jane Doe.md" and jane["events"] == ["met"]
    assert jane["lines"] == ['- 2026-11-03 met: meeting "Portfolio review"']
    # Before her last unanswered message (15 Nov): the strike stays.
    assert jane["changes"] == {"met": "2026-11-03", "last_contact": "2026-11-03"}


def test_text_that_starts_with_from_is_not_a_mailbox(run, vault, tmp_path):
    memo = tmp_path / "memo"
    memo.write_text("From the desk of Jane: notes\n\nNothing here.\n")
    result = harvest(run, vault, "mail", memo)
    assert result.exit_code == 1
    assert f"{memo}:1: error: not an mbox file" in result.stderr


def test_the_stream_holds_a_window_not_the_mailbox(tmp_path, monkeypatch):
    from mdfollow import mailfiles

    body = b"\n".join(b"y" * 70 for _ in range(400))  # 28 kB each, far more than a chunk
    one = b"From - Sat Nov 21 09:14:02 2026\nFrom: a@example.com\nSubject: s\n\n" + body + b"\n\n"
    path = tmp_path / "big"
    path.write_bytes(one * 40)
    monkeypatch.setattr(mailfiles, "CHUNK", 1024)
    largest = 0
    more = mailfiles._Chunks.more

    def watched(self):
        nonlocal largest
        grew = more(self)
        largest = max(largest, len(self.buf))
        return grew

    monkeypatch.setattr(mailfiles._Chunks, "more", watched)
    source = mailfiles.MailSource("mbox", path, str(path), path.stat().st_size)
    found = list(mailfiles.messages(source))
    assert len(found) == 40 and all(isinstance(m, mailfiles.RawMessage) for m in found)
    assert [m.line for m in found] == [1 + 405 * n for n in range(40)]  # type: ignore[union-attr]
    assert largest <= 4 * 1024  # a few chunks: never the file (1.1 MB), never even one message


def test_an_apple_mail_export_folder(run, vault, tmp_path):
    export = tmp_path / "Export" / "Inbox.mbox"
    export.mkdir(parents=True)
    shutil.copy(sample("thunderbird-Inbox"), export / "mbox")
    (export / "Info.plist").write_text('<?xml version="1.0"?><plist version="1.0"><dict/></plist>')
    (export / "table_of_contents").write_bytes(b"\x00\x00\x00\x01\xfe\xed" * 10)
    result = harvest(run, vault, "mail", tmp_path / "Export")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("error") == 0
    assert "read 6 messages from 1 file" in result.stderr


def test_no_progress_bar_in_a_pipe(run, vault, monkeypatch):
    from mdfollow.cli import harvest as command

    monkeypatch.setattr(command, "PROGRESS_FROM_BYTES", 0)
    result = harvest(run, vault, "mail", *MAIL, "--dry-run")
    assert "reading mail" not in result.stderr and "\r" not in result.stderr


def test_calendar_times_become_days_in_the_users_zone(run, vault):
    (vault / ".mdfollow.toml").write_text(SETTINGS.replace("Europe/Paris", "America/New_York"))
    assert harvest(run, vault, "calendar", sample("outlook.ics"), sample("google.ics")).exit_code == 0
    # Midnight in Outlook's "W. Europe Standard Time" is 18:00 the day before in New York.
    assert '- 2026-11-02 met: meeting "Portfolio review"' in note(vault, "Jane Doe")
    # 23:30 UTC is 18:30 in New York: the same day. An all-day event has no zone.
    tomas = note(vault, "Tomás Ruiz")
    assert '- 2026-11-20 met: meeting "Late call with Tomás"' in tomas and "- 2026-11-12 met:" in tomas


def test_a_plan_applied_leaves_nothing_to_plan_and_never_moves_a_date_back():
    from datetime import timedelta

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from mdfollow.contact import Contact
    from mdfollow.events import log_line
    from mdfollow.harvest import Touch, plan_note

    touches = st.lists(
        st.builds(
            Touch,
            contact=st.just("People/Jane.md"),
            kind=st.sampled_from(["replied", "informed", "met", "spoke"]),
            day=st.integers(0, 60).map(lambda n: date(2026, 10, 1) + timedelta(days=n)),
            what=st.sampled_from(['e-mail "Re: hi"', 'meeting "Coffee"']),
            tag=st.integers(0, 30).map(lambda n: f"mf-mail-{n:012x}"),
            where=st.just("Inbox:1"),
        ),
        max_size=12,
    )
    dates = st.none() | st.integers(0, 60).map(lambda n: date(2026, 10, 1) + timedelta(days=n))

    @settings(max_examples=60, deadline=None)
    @given(touches, dates, dates, st.integers(0, 3))
    def check(found, last_contact, last_outreach, strikes):
        jane = Contact(
            path="People/Jane.md",
            name="Jane",
            last_contact=last_contact,
            last_outreach=last_outreach,
            strikes=strikes,
        )
        text = "---\ntype: contact\n---\n"
        planned = plan_note(jane, text, found)
        assert len({(e.date, e.kind) for e in planned.events}) == len(planned.events)
        for key in ("last_contact", "last_outreach", "met"):
            before = getattr(jane, key)
            if key in planned.changes and before is not None:
                assert planned.changes[key] > before
        text += "\n".join(log_line(e) for e in planned.events) + "\n"
        again = plan_note(jane, text, found)
        assert again.events == () and len(again.already) == len(found)

    check()


def test_a_folder_of_calendars_as_takeout_gives_it(run, vault, tmp_path):
    folder = tmp_path / "Takeout" / "Calendar"
    folder.mkdir(parents=True)
    shutil.copy(sample("google.ics"), folder / "me@example.net.ics")
    shutil.copy(sample("outlook.ics"), folder / "Work.ICS")
    (folder / "readme.html").write_text("<p>Calendar</p>")
    result = harvest(run, vault, "calendar", tmp_path / "Takeout", tmp_path / "Takeout" / "missing.ics")
    assert result.exit_code == 0, result.stderr
    assert "from 2 files (1 could not be read)" in result.stderr
    assert "Portfolio review" in note(vault, "Jane Doe") and "Coffee with Jane" in note(vault, "Jane Doe")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = harvest(run, vault, "calendar", empty)
    assert result.exit_code == 1 and f"{empty}: error: no .ics files in this folder" in result.stderr


def test_me_emails_setting():
    from mdfollow.settings import parse_settings

    settings, problems = parse_settings('[me]\nemail = "a@x.org"\nemails = ["b@x.org", "c@y.org"]\n', "s.toml")
    assert settings.me.emails == ("b@x.org", "c@y.org") and not problems
    settings, problems = parse_settings('[me]\nemails = "b@x.org"\n', "s.toml")
    assert settings.me.emails == ("b@x.org",) and not problems
    settings, problems = parse_settings("[me]\nemails = [1, 2]\n", "s.toml")
    assert settings.me.emails == () and [p.format() for p in problems] == [
        "s.toml:2: error: setting 'me.emails' must be a list of strings"
    ]


def test_a_fifo_is_refused_not_waited_on(run, vault, tmp_path):
    import os

    fifo = tmp_path / "Inbox.mbox"
    os.mkfifo(fifo)
    result = harvest(run, vault, "mail", fifo, sample("apple-mail.eml"))
    assert result.exit_code == 0 and f"{fifo}: error: not a regular file or folder; skipped" in result.stderr
    result = harvest(run, vault, "calendar", fifo)
    assert result.exit_code == 1 and "named pipe" in result.stderr


def test_the_users_own_key_names_are_written(run, vault):
    (vault / ".mdfollow.toml").write_text(SETTINGS.replace("[me]", '[keys]\nlast_contact = "last_contacted"\n\n[me]'))
    (vault / "People/Lucas Müller.md").write_bytes(LUCAS.replace("last_contact:", "last_contacted:").encode())
    result = harvest(run, vault, "mail", *MAIL)
    assert result.exit_code == 0, result.stderr
    jane = note(vault, "Jane Doe")
    assert "last_contacted: 2026-11-21" in jane and "last_contact:" not in jane
    assert "last_contacted: 2026-11-18" in note(vault, "Lucas Müller")  # older replies: not moved back
