"""Whole-process timings of mdfollow on generated vaults.

    python bench/run.py [SIZES...]        (default: 1000 10000 100000)

For each size: the floor (a Python process that reads every byte of every
note), then `mdfollow agenda --json` without the index store (--no-cache), its
first build (no store yet), nothing changed, one contact note changed, one
mention added to a daily note, one daily note added (and deleted again), 100
notes changed; peak memory; each as a time and as a ratio to the floor
measured in the same run. Vaults are generated once under bench/vaults/ (git
ignores them). Each figure is the median of several runs on a warm page cache,
with mdfollow's bytecode compiled as an installed package has it (the floor is
run once, untimed, first: a cold page cache would make it look slow). At
100k notes the two runs that read every note are timed once, the others three
times.
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
    cases = ["no store", "first build", "unchanged", "one changed", "mention added", "note added", "100 changed"]
    print(f"{'notes':>7} | {'floor':>7} | " + " | ".join(f"{c:>16}" for c in cases) + " | peak memory")
    print("-" * (8 + 10 + 19 * len(cases) + 14))
    for size in sizes:
        bench_size(size, exe, env, cache, cases)


def bench_size(size: int, exe: list[str], env: dict[str, str], cache: str, cases: list[str]) -> None:
    vault = HERE / "vaults" / f"v{size}"
    if not vault.exists():
        generate(size, vault)
    runs = 5 if size <= 10000 else 3
    slow = 5 if size <= 10000 else 1  # the runs that read every note: no store, first build
    agenda = [*exe, "--vault", str(vault), "--today", "2026-11-23", "agenda", "--json"]
    timed([sys.executable, "-c", FLOOR, str(vault)], env)  # the page cache warm before anything is timed
    floor, _ = median([sys.executable, "-c", FLOOR, str(vault)], env, runs)
    results: dict[str, tuple[float, int]] = {}
    results["no store"] = median([*agenda[:3], "--no-cache", *agenda[3:]], env, slow)
    store = Path(cache)

    def wipe() -> None:
        for old in store.iterdir():
            old.unlink()

    results["first build"] = median(agenda, env, slow, before=wipe)
    results["unchanged"] = median(agenda, env, runs)
    people = sorted((vault / "People").rglob("*.md"))
    note = people[len(people) // 2]
    text = note.read_text(encoding="utf-8")
    flip = {"n": 0}

    def change(note: Path = note, text: str = text, flip: dict[str, int] = flip) -> None:
        flip["n"] += 1
        note.write_text(text + f"\nedit {flip['n']}\n", encoding="utf-8")

    results["one changed"] = median(agenda, env, runs, before=change)
    note.write_text(text, encoding="utf-8")
    timed(agenda, env)
    daily = sorted((vault / "Daily").glob("*.md"))[-1]
    daily_text = daily.read_text(encoding="utf-8")

    def mention(flip: dict[str, int] = flip) -> None:
        flip["n"] += 1
        who = people[flip["n"] % len(people)].stem
        daily.write_text(daily_text + f"\n- [x] called [[{who}]]\n", encoding="utf-8")

    results["mention added"] = median(agenda, env, runs, before=mention)
    daily.write_text(daily_text, encoding="utf-8")
    timed(agenda, env)
    added = vault / "Daily" / "2026-11-23.md"

    def add(flip: dict[str, int] = flip) -> None:
        flip["n"] += 1
        if added.exists():
            added.unlink()
            timed(agenda, env)
        added.write_text(f"# Today\n\n- [x] met [[{people[flip['n'] % len(people)].stem}]]\n", encoding="utf-8")

    results["note added"] = median(agenda, env, runs, before=add)
    added.unlink()
    timed(agenda, env)
    many = people[:: max(1, len(people) // 100)][:100]
    originals = {p: p.read_text(encoding="utf-8") for p in many}

    def change_many(flip: dict[str, int] = flip) -> None:
        flip["n"] += 1
        for p, t in originals.items():
            p.write_text(t + f"\nedit {flip['n']}\n", encoding="utf-8")

    results["100 changed"] = median(agenda, env, runs, before=change_many)
    for p, t in originals.items():
        p.write_text(t, encoding="utf-8")
    peak = max(r[1] for r in results.values()) / 1024

    def cell(seconds: float, floor: float = floor) -> str:
        return f"{seconds:5.2f} s ({seconds / floor:4.1f}x)"

    print(
        f"{size:>7} | {floor:5.2f} s | "
        + " | ".join(f"{cell(results[c][0]):>16}" for c in cases)
        + f" | {peak:8.0f} MB"
    )
    print("peak memory per case (MB): " + ", ".join(f"{c} {results[c][1] / 1024:.0f}" for c in cases))


if __name__ == "__main__":
    main()
