"""Smaller promises: odd note names, exports in UTF-16, read-only notes, signals mid-write."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from mdfollow.importing import decode_export
from mdfollow.store import write_file
from tests.helpers import contact

TODAY = "2026-11-23"
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def test_draft_for_a_note_whose_name_has_a_hash(run, make_vault):
    vault = make_vault(contact("Bob #1", met="2026-11-20"))
    result = run("--vault", vault, "--today", TODAY, "draft", "Bob #1")
    assert result.exit_code == 0, result.stderr
    [made] = list((vault / "Drafts").iterdir())
    assert made.name == f"{TODAY} thank Bob -1.md"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le-nobom", "utf-32", "utf-8-sig"])
def test_a_unicode_csv_is_read_in_its_own_encoding(run, make_vault, tmp_path, encoding):
    vault = make_vault(contact("Someone"))
    text = HEADER + "Renée,Lefèvre,,renee@example.com,Société Générale,,\n"
    export = tmp_path / "Connections.csv"
    if encoding == "utf-16-le-nobom":
        export.write_bytes(text.encode("utf-16-le"))
    elif encoding == "utf-16-be":
        export.write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    else:
        export.write_bytes(text.encode(encoding))
    result = run("--vault", vault, "--today", TODAY, "import", "linkedin", export)
    assert result.exit_code == 0, result.stderr
    assert "Windows-1252" not in result.stderr
    made = (vault / "People/Renée Lefèvre.md").read_text(encoding="utf-8")
    assert "Société Générale" in made


def test_decode_export_names_what_it_read():
    assert decode_export("é".encode("cp1252")) == ("é", "Windows-1252")
    assert decode_export("\ufeffé".encode()) == ("é", "")
    assert decode_export("é,x".encode("utf-16")) == ("é,x", "UTF-16")


def test_a_read_only_note_is_refused_not_rewritten(run, make_vault):
    vault = make_vault(contact("Ann Lee", met="2026-11-20"))
    note = vault / "People/Ann Lee.md"
    before = note.read_bytes()
    os.chmod(note, 0o444)
    inode = note.stat().st_ino
    result = run("--vault", vault, "--today", TODAY, "log", "Ann Lee", "thanked")
    assert result.exit_code == 1
    assert "read-only" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert note.read_bytes() == before and note.stat().st_ino == inode
    assert stat.S_IMODE(note.stat().st_mode) == 0o444


SLOW_WRITE = """
import os, sys, time
from pathlib import Path
from mdfollow import store
from mdfollow.store import install_signal_handlers, write_file

install_signal_handlers()
real = os.fsync
def slow(fd):
    print("in the write", flush=True)
    time.sleep(3)
    real(fd)
store.os.fsync = slow
path = Path(sys.argv[1])
write_file(path, b"new\\n", expected=path.read_bytes())
print("written", flush=True)
time.sleep(30)
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_a_write_leaves_no_temp_file(tmp_path, sig):
    note = tmp_path / "Ann.md"
    note.write_bytes(b"old\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITE, str(note)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "in the write"
    started = time.monotonic()
    proc.send_signal(sig)
    code = proc.wait(timeout=20)
    assert code == 128 + sig, proc.stderr.read() if proc.stderr else ""
    assert time.monotonic() - started < 10  # it stopped as soon as the write was done, not after the sleep
    # The write finished (the signal waited for it), nothing was left behind.
    assert note.read_bytes() == b"new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["Ann.md"]
    proc.stdout.close()
    if proc.stderr:
        proc.stderr.close()


@pytest.mark.parametrize("delay", [0.3, 0.6, 0.9, 1.2])
def test_sigterm_at_any_moment_of_a_log_leaves_the_old_or_the_new_note_and_no_temp_file(make_vault, delay):
    vault = make_vault(contact("Ann Lee", met="2026-11-20"))
    note = vault / "People/Ann Lee.md"
    before = note.read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mdfollow", "--vault", str(vault), "--today", TODAY, "log", "Ann Lee", "thanked"],
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=20)
    err = proc.stderr.read() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    assert code in (0, -signal.SIGTERM, 128 + signal.SIGTERM), err
    assert "Traceback" not in err
    after = note.read_bytes()
    assert after == before or (after.startswith(before[:4]) and b"thanked: 2026-11-23" in after)
    assert [p.name for p in (vault / "People").iterdir()] == ["Ann Lee.md"]


def test_write_file_keeps_working_without_handlers(tmp_path):
    note = tmp_path / "Ann.md"
    note.write_bytes(b"old\n")
    write_file(note, b"new\n", expected=b"old\n")
    assert note.read_bytes() == b"new\n"
