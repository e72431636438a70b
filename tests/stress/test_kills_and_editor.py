"""Writers killed mid-run and an editor saving as fast as it can while mdfollow writes.

Each test prints its figures (run with `pytest -m stress -s` to see them); the README's
Safety figures come from these runs.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mdfollow.note import parse_note
from tests.helpers import contact

pytestmark = pytest.mark.stress

TODAY = "2026-11-23"


def spawn(vault: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "mdfollow", "--vault", str(vault), "--today", TODAY, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ, MDFOLLOW_LOCK_TIMEOUT="120"),
    )


def temp_files(vault: Path) -> list[str]:
    return [p.name for p in vault.rglob("*") if "mdfollow-tmp" in p.name]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_writers_killed_at_random_moments_never_tear_the_note_or_drop_a_finished_event(make_vault, sig):
    vault = make_vault(contact())
    note = vault / "People/Jane Doe.md"
    rng = random.Random(sig)
    procs = [spawn(vault, "log", "Jane Doe", "note", "--note", f"event {i}") for i in range(16)]
    killed = 0
    for proc in rng.sample(procs, 8):
        time.sleep(rng.uniform(0.0, 0.25))
        if proc.poll() is None:
            proc.send_signal(sig)
            killed += 1
    codes = [p.wait(timeout=120) for p in procs]
    raw = note.read_bytes()
    parsed = parse_note("People/Jane Doe.md", raw)
    assert parsed.readable and parsed.front["type"] == "contact"  # never torn
    done = [i for i, code in enumerate(codes) if code == 0]
    assert all(f"note: event {i}\n".encode() in raw for i in done)  # every event that exited 0 is there
    assert len(re.findall(rb"note: event \d+\n", raw)) == len(set(re.findall(rb"note: event \d+\n", raw)))
    leftovers = temp_files(vault)
    if sig == signal.SIGTERM:
        assert leftovers == []  # a write in progress finishes first
    print(
        f"\n{signal.Signals(sig).name}: {killed} of 16 writers killed, {len(done)} finished, all present; "
        f"{len(leftovers)} temp files left"
    )


def test_an_editor_saving_continuously_never_loses_a_save_to_mdfollow(make_vault):
    """The editor saves its buffer by temp file and rename (as most editors do), as fast as it
    can, while 10 `log` processes write the same note. mdfollow must never drop one of the
    editor's saves: each lands on disk whole, or mdfollow's event is put on top of it. (The
    editor can drop mdfollow's events, as it writes its buffer over whatever is on disk; no
    tool can stop that, so those are counted, not asserted.)"""
    vault = make_vault(contact())
    note = vault / "People/Jane Doe.md"
    stop = threading.Event()
    saves = []

    buffer = note.read_bytes()

    def editor() -> None:
        nonlocal buffer
        k = 0
        while not stop.is_set():
            buffer += f"editor save {k}\n".encode()
            tmp = note.with_name(".Jane Doe.md.swp-save")
            tmp.write_bytes(buffer)
            os.replace(tmp, note)
            saves.append(k)
            k += 1
            time.sleep(0.002)

    thread = threading.Thread(target=editor, daemon=True)
    started = time.monotonic()
    thread.start()
    procs = [spawn(vault, "log", "Jane Doe", "note", "--note", f"event {i}") for i in range(10)]
    codes = [p.wait(timeout=120) for p in procs]
    stop.set()
    thread.join(timeout=10)
    seconds = time.monotonic() - started
    raw = note.read_bytes()
    missing_saves = [k for k in saves if f"editor save {k}\n".encode() not in raw]
    assert missing_saves == []
    assert parse_note("People/Jane Doe.md", raw).readable
    assert temp_files(vault) == []
    done = [i for i, code in enumerate(codes) if code == 0]
    dropped_by_editor = [i for i in done if f"note: event {i}\n".encode() not in raw]
    print(
        f"\n{len(saves)} editor saves in {seconds:.1f} s ({len(saves) / seconds:.0f}/s), none lost; "
        f"{len(done)} of 10 logs finished, {len(dropped_by_editor)} of their events overwritten by the editor's "
        f"own stale saves; {10 - len(done)} refused (exit 1)"
    )
