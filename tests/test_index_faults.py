"""Faults around reading the vault and its index store: each reproduced first (issue 19)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_TODAY
from tests.helpers import contact


def agenda_json(run, vault, *more):
    result = run("--vault", vault, "--today", EXAMPLE_TODAY, *more, "agenda", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_same_size_edit_with_its_old_mtime_restored_is_read_again(run, make_vault):
    """A sync tool restores the mtime; the size is equal: ctime and inode still tell."""
    vault = make_vault(contact(met="2026-11-20"))
    path = vault / "People/Jane Doe.md"
    old = time.time_ns() - 3600 * 10**9  # written an hour ago: not racy, no content hash kept
    os.utime(path, ns=(old, old))
    assert agenda_json(run, vault)["items"][0]["due"] == "2026-11-21"
    path.write_text(path.read_text().replace("met: 2026-11-20", "met: 2026-11-12"))  # same size
    os.utime(path, ns=(old, old))
    assert agenda_json(run, vault)["items"][0]["due"] == "2026-11-13"


def test_a_note_deleted_right_after_it_was_read_does_not_fail_the_run(run, make_vault, monkeypatch):
    """Notes changed in the last seconds were read a second time for hashing, unguarded."""
    from mdfollow import vault as vault_module

    vault = make_vault(contact(met="2026-11-20") | contact("Ann Lee", met="2026-11-19"))
    real = vault_module.read_note

    def read_then_vanish(rel, path, *args, **kwargs):
        read = real(rel, path, *args, **kwargs)
        if rel.endswith("Ann Lee.md"):
            os.unlink(path)  # moved away by a sync tool just after mdfollow read it
        return read

    monkeypatch.setattr(vault_module, "read_note", read_then_vanish)
    data = agenda_json(run, vault)
    assert {i["contact"] for i in data["items"]} == {"Jane Doe", "Ann Lee"}


def test_a_folder_moved_between_walk_and_read_is_reported_and_the_run_goes_on(run, make_vault, monkeypatch):
    from mdfollow import vault as vault_module

    vault = make_vault(
        contact(met="2026-11-20") | {"Old/Ann Lee.md": contact("Ann Lee", met="2026-11-19")["People/Ann Lee.md"]}
    )
    real = vault_module.walk

    def walk_then_move(*args, **kwargs):
        found = real(*args, **kwargs)
        os.rename(vault / "Old", vault / "New")
        return found

    from mdfollow import incremental

    monkeypatch.setattr(vault_module, "walk", walk_then_move)
    monkeypatch.setattr(incremental, "walk", walk_then_move)
    result = run("--vault", vault, "--today", EXAMPLE_TODAY, "agenda", "--json")
    assert result.exit_code == 0, result.stderr
    assert [i["contact"] for i in json.loads(result.stdout)["items"]] == ["Jane Doe"]
    assert "Old/Ann Lee.md" in result.stderr and "moved or deleted while" in result.stderr


def _children(pid: int) -> set[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(p) for p in text.split()}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists() or (os.cpu_count() or 1) < 2, reason="needs Linux and 2 cores")
def test_workers_of_a_parallel_read_die_with_their_parent(tmp_path):
    from mdfollow.vault import PARALLEL_FROM

    vault = tmp_path / "vault"
    (vault / "People").mkdir(parents=True)
    body = (
        "---\ntype: contact\nmet: 2026-11-20\ncompany: Acme\ntags: [a, b]\ncadence: monthly\n---\n# x\n" + "text\n" * 50
    )
    for n in range(PARALLEL_FROM * 3):
        (vault / "People" / f"P{n}.md").write_text(body)
    env = dict(os.environ, MDFOLLOW_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "mdfollow", "--vault", str(vault), "--no-cache", "agenda", "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    workers: set[int] = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        if workers:  # this process reads too: on two cores, one worker is forked
            break
        time.sleep(0.005)
    if proc.poll() is not None or not workers:
        pytest.skip("the read finished before its workers could be seen")
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    left = [w for w in workers if _alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert not left, "workers outlived their parent"
