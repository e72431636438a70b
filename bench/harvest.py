"""Time `mdfollow harvest mail` on a generated mailbox against Python's mailbox module.

    python bench/harvest.py [MESSAGES]        (default: 100000, about 500 MB)

Writes bench/vaults/harvest-N/ (git ignores it) once: an mbox in the shape
Thunderbird writes (From - lines, X-Mozilla-Status, >From-quoted body lines,
one message in ten with a base64 attachment) and a vault of 1,000 contacts,
one message in twenty from or to one of them. Then, on a warm page cache, the
median of three runs of each:

- the floor: Python's `mailbox.mbox` iterating the mailbox and parsing each
  message's headers only (`BytesHeaderParser` on `get_file`), nothing else;
- `mdfollow harvest mail MBOX --dry-run`, the whole process (vault index
  included), and its peak memory.
"""

from __future__ import annotations

import base64
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONTACTS = 1000

FLOOR = (
    "import mailbox,sys\n"
    "from email.parser import BytesHeaderParser\n"
    "from email import policy\n"
    "p=BytesHeaderParser(policy=policy.compat32)\n"
    "box=mailbox.mbox(sys.argv[1],create=False)\n"
    "n=0\n"
    "for key in box.iterkeys():\n"
    "    with box.get_file(key) as f:\n"
    "        h=p.parse(f)\n"
    "        n+=bool(h['From'])+bool(h['Date'])\n"
    "print(n)\n"
)

WORDS = [
    "the",
    "advice",
    "was",
    "useful",
    "and",
    "we",
    "should",
    "meet",
    "again",
    "next",
    "week",
    "about",
    "the",
    "project",
    "plan",
]


def _body(rng: random.Random) -> bytes:
    lines = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))) for _ in range(rng.randint(10, 40))]
    if rng.random() < 0.1:
        lines.insert(3, ">From the archive: quoted as mbox writers do")
    return ("\n".join(lines) + "\n").encode()


def generate(folder: Path, count: int) -> Path:
    mbox = folder / "Inbox"
    if mbox.exists():
        return mbox
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(15)
    people = folder / "vault" / "People"
    people.mkdir(parents=True, exist_ok=True)
    (folder / "vault" / ".mdfollow.toml").write_text(
        'timezone = "Europe/Paris"\n[me]\nemail = "me@example.net"\n', encoding="utf-8"
    )
    for n in range(CONTACTS):
        (people / f"Person {n:04d}.md").write_text(
            f"---\ntype: contact\nemail: person{n}@example.com\n---\n# Person {n}\n", encoding="utf-8"
        )
    attachment = base64.encodebytes(rng.randbytes(24_000))
    tmp = mbox.with_suffix(".part")
    with open(tmp, "wb") as out:
        for n in range(count):
            day = 1 + n % 28
            month = 1 + (n // 28) % 10
            known = n % 20 == 0
            if known and n % 40 == 0:
                sender, to = "me@example.net", f"person{n % CONTACTS}@example.com"
            elif known:
                sender, to = f"person{n % CONTACTS}@example.com", "me@example.net"
            else:
                sender, to = f"someone{n}@elsewhere.example", "me@example.net"
            head = (
                f"From - Mon {['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct'][month - 1]}"
                f" {day:02d} 10:{n % 60:02d}:00 2026\n"
                "X-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\n"
                f"Received: from mx{n % 7}.example by mx.example.net; {day} Jan 2026 10:00:00 +0000\n"
                f"Message-ID: <{n}.{rng.getrandbits(40):x}@mail.example>\n"
                f"Date: {day:02d} {['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct'][month - 1]}"
                f" 2026 10:{n % 60:02d}:00 +0100\n"
                f"From: Sender {n} <{sender}>\nTo: {to}\n"
                f"Subject: =?UTF-8?Q?message_n=C2=B0{n}?=\n"
                "MIME-Version: 1.0\n"
            )
            out.write(head.encode())
            if n % 10 == 3:
                out.write(b'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\nContent-Type: text/plain\n\n')
                out.write(_body(rng))
                out.write(b"--b1\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n")
                out.write(attachment)
                out.write(b"--b1--\n\n")
            else:
                out.write(b"Content-Type: text/plain; charset=UTF-8\n\n")
                out.write(_body(rng))
                out.write(b"\n")
    tmp.rename(mbox)
    return mbox


def timed(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system: steadier on a shared machine) and peak memory (KiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed: {' '.join(args)}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def median(args: list[str], runs: int = 3) -> tuple[float, float, int]:
    results = [timed(args) for _ in range(runs)]
    return (
        statistics.median(r[0] for r in results),
        statistics.median(r[1] for r in results),
        max(r[2] for r in results),
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    folder = HERE / "vaults" / f"harvest-{count}"
    mbox = generate(folder, count)
    size = mbox.stat().st_size
    print(f"{count:,} messages, {size / 1e6:,.0f} MB")
    timed(["cat", str(mbox)])  # warm the page cache
    floor, floor_cpu, floor_mem = median([sys.executable, "-c", FLOOR, str(mbox)])
    print(
        f"mailbox module, headers only:    {floor:6.2f} s wall {floor_cpu:6.2f} s CPU {floor_mem / 1024:5.0f} MB peak"
    )
    ours, ours_cpu, ours_mem = median(
        [
            sys.executable,
            "-m",
            "mdfollow",
            "--vault",
            str(folder / "vault"),
            "--today",
            "2026-11-23",
            "--no-cache",
            "harvest",
            "mail",
            str(mbox),
            "--dry-run",
        ]
    )
    print(
        f"mdfollow harvest mail --dry-run: {ours:6.2f} s wall {ours_cpu:6.2f} s CPU {ours_mem / 1024:5.0f} MB peak"
        f"  ({ours / floor:.2f}x wall, {ours_cpu / floor_cpu:.2f}x CPU)"
    )


if __name__ == "__main__":
    main()
