"""Duplicates: `check` names each likely pair once; `merge` is all or nothing."""

from __future__ import annotations

import subprocess

import pytest

from mdfollow import store
from mdfollow.merging import rewrite_links
from tests.conftest import snapshot

TODAY = "2026-11-23"

KEEP = (
    "---\r\n"
    "type: contact\r\n"
    "name: Robert Smith\r\n"
    "aliases: [Rob]\r\n"
    "company: Initech   # since 2024\r\n"
    "last_contacted: 2026-01-05\r\n"
    "bday:\r\n"
    "---\r\n"
    "# Robert Smith\r\n\r\nKeep's own text.\r\n"
)
OTHER = (
    "---\n"
    "type: contact\n"
    "company: Initrode\n"
    "last_contacted: 2026-03-01\n"
    "bday: 1979-02-03\n"
    "email: bob@smith.io\n"
    "tags:\n  - golf\n"
    "---\n"
    "# Bob\n\nMet at the golf club.\n"
)
FILES = {
    ".mdfollow.toml": '[keys]\nlast_contact = "last_contacted"\nbirthday = "bday"\n',
    "People/Robert Smith.md": KEEP,
    "People/Bob Smith.md": OTHER,
    "Daily/2026-03-01.md": (
        "Golf with [[Bob Smith]] and [[Bob Smith|Bobby]], [notes](Bob%20Smith.md), "
        "[again](<../People/Bob Smith.md#Golf>), [[People/Bob Smith]].\n"
        "`[[Bob Smith]]` stays: it is code.\n```\n[[Bob Smith]]\n```\n"
    ),
    "Meetings/Lunch.md": '---\ndate: 2026-02-01\nattendees: ["[[Bob Smith]]", "[[Ann]]"]\n---\nLunch.\n',
    "Notes/Unrelated.md": "Nothing about him. [[Bob Smithers]]\n",
}


def merge(run, vault, *args):
    return run("--vault", vault, "--today", TODAY, "merge", "Robert Smith", "Bob Smith", *args)


def test_merge_as_the_domain_says(run, make_vault):
    vault = make_vault({k: v.encode() for k, v in FILES.items()})
    unrelated = (vault / "Notes" / "Unrelated.md").read_bytes()
    result = merge(run, vault)
    assert result.exit_code == 0, result.stderr
    keep = (vault / "People" / "Robert Smith.md").read_bytes()
    assert keep == (
        b"---\r\n"
        b"type: contact\r\n"
        b"name: Robert Smith\r\n"
        b"aliases: [Rob, Bob Smith]\r\n"
        b"company: Initech   # since 2024\r\n"  # both set: KEEP's stays
        b"last_contacted: 2026-03-01\r\n"  # the later date, under the user's key
        b"bday: 1979-02-03\r\n"  # KEEP's empty key filled
        b"email: bob@smith.io\r\n"  # OTHER's lines copied as they were, in KEEP's line endings
        b"tags:\r\n  - golf\r\n"
        b"---\r\n"
        b"# Robert Smith\r\n\r\nKeep's own text.\r\n"
        b"\r\n## Merged from Bob Smith\r\n\r\n# Bob\r\n\r\nMet at the golf club.\r\n"
    )
    assert "both have company: kept 'Initech'; People/Bob Smith.md had 'Initrode'" in result.stdout
    assert not (vault / "People" / "Bob Smith.md").exists()
    assert (vault / ".trash" / "Bob Smith.md").read_text(encoding="utf-8") == OTHER
    daily = (vault / "Daily" / "2026-03-01.md").read_text(encoding="utf-8")
    assert daily == (
        "Golf with [[Robert Smith|Bob Smith]] and [[Robert Smith|Bobby]], [notes](Robert%20Smith.md), "
        "[again](<../People/Robert Smith.md#Golf>), [[Robert Smith|People/Bob Smith]].\n"
        "`[[Bob Smith]]` stays: it is code.\n```\n[[Bob Smith]]\n```\n"
    )
    lunch = (vault / "Meetings" / "Lunch.md").read_text(encoding="utf-8")
    assert 'attendees: ["[[Robert Smith|Bob Smith]]", "[[Ann]]"]' in lunch
    assert (vault / "Notes" / "Unrelated.md").read_bytes() == unrelated
    # the vault reads clean, and the meeting still counts as a touch of the merged contact
    assert run("--vault", vault, "--today", TODAY, "check").exit_code == 0
    show = run("--vault", vault, "--today", TODAY, "show", "Bob Smith")  # the alias finds KEEP
    assert show.exit_code == 0 and "Robert Smith" in show.stdout


def test_dry_run_says_everything_and_writes_nothing(run, make_vault):
    vault = make_vault({k: v.encode() for k, v in FILES.items()})
    before = snapshot(vault)
    result = merge(run, vault, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "People/Robert Smith.md: would add email from People/Bob Smith.md" in result.stdout
    assert "would take the later date, last_contacted: 2026-01-05 -> 2026-03-01" in result.stdout
    assert "Daily/2026-03-01.md: would point 5 links to Robert Smith" in result.stdout
    assert "People/Bob Smith.md: would move to .trash/Bob Smith.md" in result.stdout
    assert snapshot(vault) == before


def no_temporaries(vault):
    return [p for p in vault.rglob("*") if p.name.endswith(".mdfollow-tmp")] == []


@pytest.mark.parametrize("step", ["stage", "replace", "unlink"])
@pytest.mark.parametrize("at", [1, 2, 3, 4])
def test_a_fault_at_any_step_leaves_every_note_as_it_was(run, make_vault, monkeypatch, step, at):
    vault = make_vault({k: v.encode() for k, v in FILES.items()})
    before = snapshot(vault)
    calls = {"n": 0}
    method = {"stage": "stage", "replace": "_replace", "unlink": "_unlink"}[step]
    real = getattr(store.Transaction, method)

    def faulty(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == at:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    if step == "stage":
        monkeypatch.setattr(store.Transaction, method, lambda self, *a, **k: faulty(self, *a, **k))
    else:
        monkeypatch.setattr(store.Transaction, method, staticmethod(faulty))
    result = merge(run, vault)
    if calls["n"] < at:  # fewer calls of that kind than the fault's place: the merge went through
        assert result.exit_code == 0
        return
    assert result.exit_code == 1
    assert "nothing was changed" in result.stderr
    after = snapshot(vault)
    assert {k: v.split(":")[0] for k, v in after.items()} == {k: v.split(":")[0] for k, v in before.items()}
    assert not (vault / ".trash").exists() or not any((vault / ".trash").iterdir())
    assert no_temporaries(vault)


def test_a_note_changed_during_the_merge_stops_it_cleanly(run, make_vault, monkeypatch):
    vault = make_vault({k: v.encode() for k, v in FILES.items()})
    real = store.Transaction.commit

    def meanwhile(self):
        (vault / "Daily" / "2026-03-01.md").write_text("typed meanwhile [[Bob Smith]]\n", encoding="utf-8")
        return real(self)

    monkeypatch.setattr(store.Transaction, "commit", meanwhile)
    result = merge(run, vault)
    assert result.exit_code == 1 and "changed while mdfollow was merging" in result.stderr
    assert (vault / "People" / "Robert Smith.md").read_bytes() == KEEP.encode()
    assert (vault / "People" / "Bob Smith.md").exists()
    assert no_temporaries(vault)


def test_merge_commits_exactly_its_files(run, make_vault):
    vault = make_vault({k: v.encode() for k, v in FILES.items()})

    def git(*args):
        return subprocess.run(["git", "-C", str(vault), *args], capture_output=True, text=True, check=True).stdout

    git("init", "-q", "-b", "main")
    git("config", "user.email", "me@x.io")
    git("config", "user.name", "Me")
    git("add", "-A")
    git("commit", "-qm", "start")
    (vault / "Notes" / "Unrelated.md").write_text("edited, not ours\n", encoding="utf-8")
    result = merge(run, vault, "--commit")
    assert result.exit_code == 0, result.stderr
    assert git("log", "-1", "--format=%s").strip() == "merge Bob Smith into Robert Smith"
    files = sorted(git("show", "--name-only", "--format=", "HEAD").splitlines())
    assert files == ["Daily/2026-03-01.md", "Meetings/Lunch.md", "People/Bob Smith.md", "People/Robert Smith.md"]
    assert "Notes/Unrelated.md" in git("status", "--porcelain")


def test_check_warns_once_per_likely_pair(run, make_vault):
    vault = make_vault(
        {
            "People/Jane Doe.md": "---\ntype: contact\nemail: Jane@Example.com\n---\n",
            "People/J Doe.md": "---\ntype: contact\nemail: <jane@example.com>\nemails: [jane@example.com]\n---\n",
            "People/Dr. Doe, Jane.md": "---\ntype: contact\n---\n",
            "People/Li Wei.md": "---\ntype: contact\nlinkedin: https://www.linkedin.com/in/liwei/\n---\n",
            "People/Wei Li.md": "---\ntype: contact\nlinkedin: http://linkedin.com/in/liwei?trk=x\n---\n",
            "People/Zoe.md": "---\ntype: contact\n---\n",
        }
    )
    result = run("--vault", vault, "check")
    lines = [line for line in result.stderr.splitlines() if "likely the same person" in line]
    assert sorted(lines) == [
        "People/Jane Doe.md: warning: likely the same person as People/Dr. Doe, Jane.md (same name); "
        'merge them: mdfollow merge "Dr. Doe, Jane" "Jane Doe"',
        "People/Jane Doe.md: warning: likely the same person as People/J Doe.md (same e-mail: jane@example.com); "
        'merge them: mdfollow merge "J Doe" "Jane Doe"',
        "People/Wei Li.md: warning: likely the same person as People/Li Wei.md "
        "(same LinkedIn profile: linkedin.com/in/liwei); "
        'merge them: mdfollow merge "Li Wei" "Wei Li"',
    ]


def test_rewrite_links_keeps_forms_and_leaves_others():
    def other(target, _):
        return target in ("Bob Smith", "People/Bob Smith", "../People/Bob Smith")

    text = "[[Bob Smith]] ![[Bob Smith]] [x](../People/Bob%20Smith.md) [y](https://x.io/Bob%20Smith.md) [[Bob]]"
    new, count = rewrite_links("Daily/d.md", text, other, "Robert Smith", "People/Robert Smith.md")
    assert count == 3
    assert new == (
        "[[Robert Smith|Bob Smith]] ![[Robert Smith]] [x](../People/Robert%20Smith.md) "
        "[y](https://x.io/Bob%20Smith.md) [[Bob]]"
    )


def test_an_address_many_contacts_share_makes_no_pairs(run, make_vault):
    files = {f"People/P{i}.md": "---\ntype: contact\nemail: office@acme.io\n---\n" for i in range(6)}
    vault = make_vault(files)
    result = run("--vault", vault, "check")
    assert result.exit_code == 0 and "likely the same person" not in result.stderr


def test_same_name_in_two_folders_links_follow_obsidians_resolution(run, make_vault):
    vault = make_vault(
        {
            "People/Jane Doe.md": "---\ntype: contact\nemail: jane@x.io\n---\nKeep.\n",
            "Old/Jane Doe.md": "---\ntype: contact\nphone: '+1 555'\n---\nOther.\n",
            "Old/Meeting.md": "Saw [[Jane Doe]] (the one beside me) and [[People/Jane Doe]].\n",
            "Notes/x.md": "Path link: [[Old/Jane Doe|Jane]].\n",
        }
    )
    result = run("--vault", vault, "--today", TODAY, "merge", "People/Jane Doe.md", "Old/Jane Doe.md")
    assert result.exit_code == 0, result.stderr
    # from Old/, a bare [[Jane Doe]] went to Old/Jane Doe (its own folder first): it now goes to KEEP
    assert (vault / "Old" / "Meeting.md").read_text(encoding="utf-8") == (
        "Saw [[People/Jane Doe|Jane Doe]] (the one beside me) and [[People/Jane Doe]].\n"
    )
    assert (vault / "Notes" / "x.md").read_text(encoding="utf-8") == "Path link: [[People/Jane Doe|Jane]].\n"
    assert "phone: '+1 555'" in (vault / "People" / "Jane Doe.md").read_text(encoding="utf-8")


def test_a_list_both_notes_have_reads_as_the_note_writes_it_not_as_python(run, make_vault):
    files = dict(FILES)
    files["People/Robert Smith.md"] = KEEP.replace("bday:\r\n", "bday:\r\ntags: [work, golf]\r\n")
    vault = make_vault(files)
    result = merge(run, vault, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "both have tags: kept 'work, golf'; People/Bob Smith.md had 'golf'" in result.stdout
    assert "[" not in result.stdout.split("both have tags")[1].splitlines()[0]
