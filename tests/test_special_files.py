"""Only regular files are read: a FIFO named x.md is never opened, /dev/zero is not read forever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest

from mdfollow import store
from mdfollow.store import NotRegular, read_all_bytes
from tests.helpers import contact

TODAY = "2026-11-23"


def mdfollow(vault, *args, timeout=30):
    return subprocess.run(
        [sys.executable, "-m", "mdfollow", "--vault", str(vault), "--today", TODAY, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def hostile_vault(make_vault):
    vault = make_vault(contact("Ann Lee", met="2026-11-20"))
    os.mkfifo(vault / "People" / "Pipe.md")
    (vault / "People" / "Zero.md").symlink_to("/dev/zero")
    return vault


@pytest.mark.parametrize("command", [["check"], ["agenda"], ["list"], ["log", "Ann Lee", "note"], ["ics"]])
def test_a_fifo_and_dev_zero_are_skipped_with_a_warning(hostile_vault, command):
    result = mdfollow(hostile_vault, *command)  # used to block forever, or read until memory ran out
    assert result.returncode == 0, result.stderr
    if command[0] != "log":  # log reports only the note it writes
        assert "People/Pipe.md: warning: is a named pipe (FIFO), not a regular file; skipped" in result.stderr
        assert "People/Zero.md: warning: is a device, not a regular file; skipped" in result.stderr
    assert "internal error" not in result.stderr


def test_a_fifo_as_the_milestones_or_settings_file_does_not_block(hostile_vault):
    os.mkfifo(hostile_vault / "Milestones.md")
    result = mdfollow(hostile_vault, "list")
    assert result.returncode == 0, result.stderr
    assert "Ann Lee" in result.stdout
    assert "Milestones.md: error: cannot be read" in result.stderr
    os.mkfifo(hostile_vault / ".mdfollow.toml")
    result = mdfollow(hostile_vault, "list")  # unusable settings stop the command: at once, in one line
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "mdfollow: .mdfollow.toml: error: cannot be read: is a named pipe (FIFO), not a regular file"
    )


def test_reads_stop_at_the_size_cap(tmp_path, monkeypatch):
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(OSError, match="larger than"):
        read_all_bytes(big, limit=1024)
    with pytest.raises(NotRegular):
        read_all_bytes("/dev/zero")
    fifo = tmp_path / "p.md"
    os.mkfifo(fifo)
    with pytest.raises(NotRegular):
        read_all_bytes(fifo)
    assert store.MAX_READ >= 16 * 1024 * 1024


def test_reads_go_past_the_size_the_file_reported(tmp_path):
    # The read is sized by fstat; a file whose stat says less than it holds (as procfs
    # does: size 0) is still read to its end, and still stops at the cap.
    cmdline = "/proc/self/cmdline"
    if not os.path.isfile(cmdline) or os.stat(cmdline).st_size != 0:
        pytest.skip("needs procfs")
    with open(cmdline, "rb") as handle:
        assert read_all_bytes(cmdline) == handle.read()
    with pytest.raises(OSError, match="larger than"):
        read_all_bytes(cmdline, limit=3)
    for size in (0, 1, 4096, 70000):
        note = tmp_path / f"n{size}.md"
        note.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
        assert read_all_bytes(note) == note.read_bytes()
        assert read_all_bytes(note, limit=size) == note.read_bytes()


def test_watch_with_a_fifo_in_the_vault_keeps_working_and_stops_on_sigterm(hostile_vault):
    proc = subprocess.Popen(
        [sys.executable, "-m", "mdfollow", "--vault", str(hostile_vault), "--today", TODAY, "watch"],
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    started = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if "Agenda.md" in line:
                started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert started.wait(timeout=30), "".join(lines)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=5)
    assert "Pipe.md: warning" in "".join(lines)
