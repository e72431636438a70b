"""Watch latency: time from a save to the agenda written, excluding the debounce.

    python bench/watch_latency.py [SIZES...]      (default: 1000 10000)

For each size: the vault bench/run.py uses (bench/vaults/vN, generated once),
an index store in a new temporary folder, a real watcher; save one contact
note 15 times (waiting for each rebuild), then put the note back, and report
the median and worst of (a) the rebuild itself and (b) save-to-written wall
time minus the debounce.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

from mdfollow.vault import load_settings
from mdfollow.watcher import Watcher

DEBOUNCE = 0.2
SAVES = 15


def measure(size: int) -> tuple[list[float], list[float]]:
    vault = Path(__file__).resolve().parent / "vaults" / f"v{size}"
    if not vault.exists():
        generate(size, vault)
    with tempfile.TemporaryDirectory() as cache:
        os.environ["MDFOLLOW_CACHE_DIR"] = cache
        settings, problems = load_settings(vault)
        done = threading.Condition()
        rebuilds: list = []

        def on_rebuild(rebuild):
            with done:
                rebuilds.append((time.perf_counter(), rebuild))
                done.notify_all()

        watcher = Watcher(
            vault,
            settings,
            lambda: date(2026, 11, 23),
            vault / "Agenda.md",
            setting_problems=problems,
            debounce=DEBOUNCE,
            on_rebuild=on_rebuild,
        )
        thread = threading.Thread(target=watcher.run, daemon=True)
        thread.start()
        with done:
            done.wait_for(lambda: rebuilds, timeout=900)  # the first build of the store
        note = next((vault / "People").rglob("*.md"))
        original = note.read_bytes()
        work, wall = [], []
        if rebuilds[-1][1].error:
            raise SystemExit(f"the watcher failed: {rebuilds[-1][1].error}")
        try:
            for i in range(SAVES):
                text = note.read_text(encoding="utf-8").replace("role: ", f"role: {i} ", 1)
                count = len(rebuilds)
                saved = time.perf_counter()
                note.write_text(text, encoding="utf-8")
                with done:
                    done.wait_for(lambda count=count: len(rebuilds) > count, timeout=30)
                finished, rebuild = rebuilds[-1]
                work.append(rebuild.seconds)
                wall.append(finished - saved - DEBOUNCE)
                time.sleep(0.3)
        finally:
            note.write_bytes(original)
        watcher.stop()
        thread.join(timeout=10)
        (vault / "Agenda.md").unlink(missing_ok=True)
        return work, wall


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    print(f"{'notes':>7}  {'rebuild median':>14}  {'rebuild max':>11}  {'save->written median':>20}  {'max':>6}")
    for size in sizes:
        work, wall = measure(size)
        print(
            f"{size:>7}  {statistics.median(work) * 1000:>11.0f} ms  {max(work) * 1000:>8.0f} ms"
            f"  {statistics.median(wall) * 1000:>17.0f} ms  {max(wall) * 1000:>3.0f} ms"
        )


if __name__ == "__main__":
    main()
