"""Limits that keep one hostile file from crashing or hanging the whole run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mdfollow.note import MAX_NESTING, nesting_too_deep, parse_note
from tests.helpers import contact

DEEP = {
    "brackets": "x: " + "[" * 25000,
    "closed brackets": "x: " + "[" * 25000 + "]" * 25000,
    "braces": "x: " + "{a: " * 12000,
    "dashes": "x:\n  " + "- " * 25000 + "1",
    "mixed": "x: [" + "{a: [" * 8000,
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_nesting_is_a_note_problem_not_a_crash(make_vault, name):
    """libyaml recursed in C and the process died with SIGSEGV; run it for real in a child."""
    note = ("---\ntype: contact\n" + DEEP[name][:50_000] + "\n---\n").encode()  # 50 KB, under the 64 KiB cap
    vault = make_vault(contact("Ann Lee") | {"Deep.md": note})
    line = 4 if name == "dashes" else 3
    for command in (["check"], ["list"], ["agenda", "--stdout"]):
        result = subprocess.run(
            [sys.executable, "-m", "mdfollow", "--vault", str(vault), "--today", "2026-11-23", *command],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode in (0, 1), (command, result.returncode, result.stderr[-500:])
        assert f"Deep.md:{line}: error: front matter nests deeper than" in result.stderr
        assert "internal error" not in result.stderr
        if command == ["list"]:
            assert "Ann Lee" in result.stdout


@pytest.mark.parametrize(
    "block",
    [
        "tags: [a, [b, c], {d: e}]",
        "x:\n  - - a\n    - b\n  - c",
        'title: "a [[[ quoted ]]] title"',
        "title: 'it''s [ fine'",
        "note: plain text with [ an unclosed bracket",
        "url: http://x.org/#[a",
        "# comment [[[[[[\nkey: value",
    ],
)
def test_ordinary_front_matter_passes(block):
    assert nesting_too_deep(block) is None


def test_the_bound_is_near_the_limit():
    assert nesting_too_deep("x: " + "[" * (MAX_NESTING - 2)) is None
    assert nesting_too_deep("x: " + "[" * (MAX_NESTING + 1)) == 0
    assert nesting_too_deep("a:\n" + "".join(" " * i + "a:\n" for i in range(1, MAX_NESTING + 2))) is not None


def test_parse_note_reports_the_line():
    note = parse_note("n.md", b"---\ntype: contact\nok: 1\nx: " + b"[" * 1000 + b"\n---\n")
    assert next(d.format() for d in note.diagnostics).startswith("n.md:4: error: front matter nests deeper")
