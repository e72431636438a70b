"""watch under real folder churn: it never goes silent (run with `pytest -m stress`)."""

import time

import pytest

pytestmark = pytest.mark.stress


def test_heavy_folder_churn_never_silences_watch(harness):
    """Hundreds of folders created, renamed and deleted as fast as the disk allows; afterwards
    an ordinary save still reaches the agenda (restarting the observer if it died)."""
    h = harness()
    for i in range(300):
        a = h.vault / f"churn{i}"
        a.mkdir()
        (a / "sub").mkdir()
        b = a.rename(h.vault / f"churn{i}x")
        (b / "sub").rmdir()
        b.rmdir()
    time.sleep(0.5)
    before = len(h.rebuilds)
    note = h.vault / "People/Ann Lee.md"
    note.write_text(note.read_text().replace("cadence: weekly", "cadence: weekly\nmet: 2026-11-22"))
    h.wait(lambda r: "People/Ann Lee.md" in r.changed or not r.changed, start=before, timeout=20)
    deadline = time.monotonic() + 20
    while "Thank [[Ann Lee]]" not in h.agenda() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "Thank [[Ann Lee]]" in h.agenda()
