"""Lost updates: mdfollow's writers queue on a per-vault lock, and an editor's save that lands
between the check and the rename is detected and the edit made again on top of it."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time

import pytest

from mdfollow import store
from mdfollow.store import VaultBusy, WriteConflict, lock_file, vault_lock, write_file
from tests.helpers import contact

TODAY = "2026-11-23"
OLD = b"---\ntype: contact\n---\nold\n"


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if "mdfollow-" in p.name)


def editor_save_in_the_window(monkeypatch, path, text, *, times=1):
    """Make the editor's save land after mdfollow's check and before its rename."""
    real = store._exchange
    count = {"n": 0}

    def exchange(a, b):
        if count["n"] < times:
            count["n"] += 1
            tmp = path.with_name(".editor-tmp")
            tmp.write_bytes(text(count["n"]) if callable(text) else text)
            os.replace(tmp, path)  # an editor saving by rename
        return real(a, b)

    monkeypatch.setattr(store, "_exchange", exchange)


def test_an_editor_save_inside_the_window_is_kept_and_the_event_applied_on_top(run, make_vault, monkeypatch):
    vault = make_vault(contact())
    note = vault / "People/Jane Doe.md"
    edited = note.read_bytes().replace(b"\n---\n", b"\ncompany: Acme\n---\n", 1) + b"\nThe user's new line.\n"
    editor_save_in_the_window(monkeypatch, note, edited)
    result = run("--vault", vault, "--today", TODAY, "log", "Jane Doe", "sent", "--note", "first try")
    assert result.exit_code == 0, result.stderr
    raw = note.read_bytes()
    assert b"company: Acme" in raw and b"The user's new line." in raw  # the editor's save stays
    assert f"- {TODAY} sent: first try".encode() in raw and b"strikes: 1" in raw  # and the event is there
    assert leftovers(note.parent) == []


def test_repeated_saves_inside_the_window_are_all_kept(tmp_path, monkeypatch):
    note = tmp_path / "Jane.md"
    note.write_bytes(OLD)
    editor_save_in_the_window(monkeypatch, note, lambda n: OLD + f"save {n}\n".encode(), times=3)
    write_file(note, OLD + b"ours\n", expected=OLD, redo=lambda theirs: theirs + b"ours\n")
    # Each save is the whole file (the editor's buffer): the last one is the user's, with the edit on top.
    assert note.read_bytes() == OLD + b"save 3\nours\n"
    assert leftovers(tmp_path) == []


def test_without_a_way_to_redo_the_editors_bytes_are_put_back(tmp_path, monkeypatch):
    note = tmp_path / "Jane.md"
    note.write_bytes(OLD)
    editor_save_in_the_window(monkeypatch, note, b"the editor's save\n")
    with pytest.raises(WriteConflict):
        write_file(note, b"ours\n", expected=OLD)
    assert note.read_bytes() == b"the editor's save\n"
    assert leftovers(tmp_path) == []


def test_a_save_that_no_longer_takes_the_edit_is_kept_and_the_write_refused(run, make_vault, monkeypatch):
    vault = make_vault(contact())
    note = vault / "People/Jane Doe.md"
    broken = b"---\ntype: contact\nstrikes: [unclosed\n---\n"
    editor_save_in_the_window(monkeypatch, note, broken)
    result = run("--vault", vault, "--today", TODAY, "log", "Jane Doe", "sent")
    assert result.exit_code == 1
    assert note.read_bytes() == broken
    assert leftovers(note.parent) == []


def test_the_lock_lives_outside_the_vault_and_is_reentrant(make_vault, private_cache):
    vault = make_vault(contact())
    with vault_lock(vault), vault_lock(vault):
        assert lock_file(vault).parent == private_cache
    assert sorted(p.name for p in vault.rglob("*")) == ["Jane Doe.md", "People"]


def test_a_held_lock_times_out_with_one_clear_line(run, make_vault, monkeypatch):
    vault = make_vault(contact())
    where = lock_file(vault)
    where.parent.mkdir(parents=True, exist_ok=True)
    # Another process holds the lock (flock is per open file: a child holds it for real).
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl,sys,time; f=open(sys.argv[1],'w'); fcntl.flock(f, fcntl.LOCK_EX); "
            "print('held', flush=True); time.sleep(30)",
            str(where),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("MDFOLLOW_LOCK_TIMEOUT", "0.3")
        before = (vault / "People/Jane Doe.md").read_bytes()
        started = time.monotonic()
        result = run("--vault", vault, "--today", TODAY, "log", "Jane Doe", "sent")
        assert time.monotonic() - started < 5
        assert result.exit_code == 1
        assert "writing to this vault" in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert (vault / "People/Jane Doe.md").read_bytes() == before
        with pytest.raises(VaultBusy), vault_lock(vault, timeout=0.1):
            pass
    finally:
        holder.kill()
        holder.wait()
    with open(where) as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released when its holder died


def test_an_editor_save_to_milestones_inside_the_window_keeps_both(run, make_vault, monkeypatch):
    vault = make_vault(contact() | {"Milestones.md": "# Milestones\n\n- 2026-11-01 first\n"})
    path = vault / "Milestones.md"
    editor_save_in_the_window(monkeypatch, path, b"# Milestones\n\n- 2026-11-01 first\n- 2026-11-20 typed by hand\n")
    result = run("--vault", vault, "--today", TODAY, "milestone", "Offer from Northwind")
    assert result.exit_code == 0, result.stderr
    assert path.read_text() == (
        f"# Milestones\n\n- 2026-11-01 first\n- 2026-11-20 typed by hand\n- {TODAY} Offer from Northwind\n"
    )
