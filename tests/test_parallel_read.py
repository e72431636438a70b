"""A large vault is read on every core (forked workers and the process itself share the
notes); what it reads must be what one core reads, in the same order."""

from __future__ import annotations

import os

import pytest

from mdfollow import parallel
from mdfollow.vault import PARALLEL_FROM, _read_serial, daily_notes, exclusions, load_settings, read_all, walk

pytestmark = pytest.mark.skipif(os.name != "posix" or (os.cpu_count() or 1) < 2, reason="needs fork and 2 cores")


def _vault(tmp_path):
    vault = tmp_path / "vault"
    for folder in ("People", "Daily", "Odd"):
        (vault / folder).mkdir(parents=True)
    for n in range(PARALLEL_FROM + 300):
        if n % 3 == 0:
            (vault / "Daily" / f"2026-{1 + n % 12:02d}-{1 + n % 28:02d} {n}.md").write_text(
                f"Met [[P{n - 1}]] and [[P{n + 2}]].\n- [ ] call [[P{n}]]\n"
            )
        elif n % 97 == 0:
            (vault / "Odd" / f"O{n}.md").write_bytes(b"---\ntype: contact\nmet: [unclosed\n---\n")
        else:
            tags = "tags:\n  - a\n  - b\n" if n % 2 else "tags: [a, b]\n"
            (vault / "People" / f"P{n}.md").write_text(
                f"---\ntype: contact\nmet: 2026-0{1 + n % 9}-1{n % 10}\n{tags}cadence: monthly\n---\n# P{n}\n"
            )
    return vault


def test_the_parallel_read_gives_what_one_core_gives(tmp_path):
    vault = _vault(tmp_path)
    settings, _ = load_settings(vault)
    daily, _ = daily_notes(vault, settings)
    files, _ = walk(vault, exclusions(settings))
    todo = [(rel, path, False) for rel, path in files]
    seen: list[tuple[int, int]] = []
    both = read_all(files, settings, daily, progress=lambda done, total: seen.append((done, total)))
    one = _read_serial(todo, settings, daily, None)
    assert [r[:4] for r in both] == [r[:4] for r in one]
    assert [r[0] for r in both] == sorted(r[0] for r in both)
    # This process read the last spans itself (its records come unencoded); the workers
    # read from the first (encoded), unless a busy machine left them nothing to take.
    assert both[-1][4] is None
    done = [d for d, _ in seen]
    assert done == sorted(done) and seen[-1] == (len(files), len(files))
    assert parallel._SHARED is None  # nothing of the read is kept after it
