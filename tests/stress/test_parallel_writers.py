"""Many mdfollow processes writing one note at once: every event that exited 0 is in the note.

Real processes (`python -m mdfollow`), real files; run with `pytest -m stress`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import contact

pytestmark = pytest.mark.stress

WRITERS = 20
ROUNDS = 2
TODAY = "2026-11-23"


def spawn(vault: Path, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, MDFOLLOW_LOCK_TIMEOUT="120")
    return subprocess.Popen(
        [sys.executable, "-m", "mdfollow", "--vault", str(vault), "--today", TODAY, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_parallel_log_calls_on_one_contact_lose_nothing(make_vault, round_):
    vault = make_vault(contact())
    procs = [spawn(vault, "log", "Jane Doe", "note", "--note", f"event {i} of round {round_}") for i in range(WRITERS)]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    for p in procs:
        for stream in (p.stdout, p.stderr):
            if stream:
                stream.close()
    assert [code for code, _ in results] == [0] * WRITERS, [err for _, err in results]
    raw = (vault / "People/Jane Doe.md").read_text(encoding="utf-8")
    missing = [i for i in range(WRITERS) if f"event {i} of round {round_}" not in raw]
    assert missing == []
    assert raw.count(f"{TODAY} note: event") == WRITERS  # each exactly once
    assert [p.name for p in vault.rglob("*") if "mdfollow-" in p.name] == []


def test_parallel_writers_of_different_files_all_land(make_vault):
    """log, milestone and agenda at once on one vault: each queues, none is lost."""
    files = {**contact("Ann Lee", met="2026-11-20"), **contact("Bob Roe", met="2026-11-20")}
    vault = make_vault(files)
    procs = []
    for i in range(6):
        procs.append(spawn(vault, "log", "Ann Lee" if i % 2 else "Bob Roe", "note", "--note", f"mixed {i}"))
        procs.append(spawn(vault, "milestone", f"news {i}"))
        procs.append(spawn(vault, "agenda"))
    codes = [p.wait(timeout=120) for p in procs]
    errors = [p.stderr.read() for p in procs if p.stderr]
    for p in procs:
        for stream in (p.stdout, p.stderr):
            if stream:
                stream.close()
    assert codes == [0] * len(procs), errors
    notes = (vault / "People/Ann Lee.md").read_text() + (vault / "People/Bob Roe.md").read_text()
    assert all(f"mixed {i}" in notes for i in range(6))
    milestones = (vault / "Milestones.md").read_text()
    assert all(f"news {i}" in milestones for i in range(6))
    assert (vault / "Agenda.md").exists()
