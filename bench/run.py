"""Whole-process timings of mdfollow on generated vaults.

    python bench/run.py [SIZES...]        (default: 1000 10000 100000)

For each size: the floor (a Python process that reads every byte of every
note), then `mdfollow agenda --json` with no cache, with a warm cache and
nothing changed, and after one note changed; peak memory; each as a time and
as a ratio to the floor. Vaults are generated once under bench/vaults/ (git
ignores them). Each figure is the median of several runs on a warm page cache,
with mdfollow's bytecode compiled as an installed package has it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

FLOOR = (
    "import os,sys\n"
    "n=0\n"
    "for d,ds,fs in os.walk(sys.argv[1]):\n"
    "    ds[:]=[x for x in ds if not x.startswith('.')]\n"
    "    for f in fs:\n"
    "        if f.endswith('.md'):\n"
    "            with open(os.path.join(d,f),'rb') as h: n+=len(h.read())\n"
)


def timed(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak resident memory (KiB) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed: {' '.join(args)}")
    return seconds, usage.ru_maxrss


def median(args: list[str], env: dict[str, str], runs: int, before=None) -> tuple[float, int]:
    results = []
    for _ in range(runs):
        if before:
            before()
        results.append(timed(args, env))
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000, 100000]
    exe = [sys.executable, "-m", "mdfollow"]
    cache = tempfile.mkdtemp(prefix="mdfollow-bench-cache-")
    env = dict(os.environ, MDFOLLOW_CACHE_DIR=cache)
    # Measure mdfollow as installed: pip compiles bytecode; a PYTHONDONTWRITEBYTECODE
    # environment would make every run compile every module from source again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import compileall, mdfollow, os; compileall.compile_dir(os.path.dirname(mdfollow.__file__), quiet=1)",
        ],
        env=env,
        check=True,
    )
    help_time, _ = median([*exe, "--help"], env, 7)
    print(f"mdfollow --help: {help_time * 1000:.0f} ms (median of 7)\n")
    print(
        f"{'notes':>7} | {'floor':>7} | {'no cache':>15} | {'warm cache':>15} | {'one changed':>15} | {'peak memory':>11}"
    )
    print(f"{'-' * 7}-|-{'-' * 7}-|-{'-' * 15}-|-{'-' * 15}-|-{'-' * 15}-|-{'-' * 11}")
    for size in sizes:
        vault = HERE / "vaults" / f"v{size}"
        if not vault.exists():
            generate(size, vault)
        runs = 5 if size <= 10000 else 2
        agenda = [*exe, "--vault", str(vault), "--today", "2026-11-23", "agenda", "--json"]
        floor, _ = median([sys.executable, "-c", FLOOR, str(vault)], env, runs)
        cold, cold_mem = median([*agenda[:3], "--no-cache", *agenda[3:]], env, runs)
        timed(agenda, env)  # fill the cache
        warm, warm_mem = median(agenda, env, runs)
        note = next((vault / "People").rglob("*.md"))
        text = note.read_text(encoding="utf-8")
        flip = {"n": 0}

        def change(note: Path = note, text: str = text, flip: dict[str, int] = flip) -> None:
            flip["n"] += 1
            note.write_text(text + f"\nedit {flip['n']}\n", encoding="utf-8")

        changed, changed_mem = median(agenda, env, runs, before=change)
        note.write_text(text, encoding="utf-8")
        peak = max(cold_mem, warm_mem, changed_mem) / 1024

        def cell(seconds: float, floor: float = floor) -> str:
            return f"{seconds:5.2f} s ({seconds / floor:4.1f}x)"

        print(
            f"{size:>7} | {floor:5.2f} s | {cell(cold):>15} | {cell(warm):>15} | {cell(changed):>15} | {peak:8.0f} MB"
        )


if __name__ == "__main__":
    main()
