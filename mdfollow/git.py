"""Every git call mdfollow makes. It commits exactly the paths it wrote.

Never `add -A`, stash, reset or checkout. A missing git, a folder that is not
a repository or a held index.lock is a GitProblem with a clear message; the
files mdfollow wrote stay written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mdfollow.errors import GitProblem


def _git(vault: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("git")
    if exe is None:
        raise GitProblem("git is not installed, so nothing was committed (the files are written)")
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C", LANG="C")
    result = subprocess.run([exe, "-C", str(vault), *args], capture_output=True, text=True, env=env, check=False)
    if check and result.returncode != 0:
        raise GitProblem(_explain(result.stderr.strip() or result.stdout.strip()))
    return result


def _explain(message: str) -> str:
    if "index.lock" in message:
        return (
            "another git process holds the repository's index.lock, so nothing was committed "
            "(the files are written); commit them when it is done, or remove the lock if no git is running"
        )
    if "not a git repository" in message:
        return "the vault is not a git repository, so nothing was committed (the files are written)"
    if "Please tell me who you are" in message or "user.email" in message:
        return "git does not know who you are (user.name, user.email), so nothing was committed (the files are written)"
    if "ignored by one of your .gitignore" in message:
        return "the files are ignored by .gitignore, so nothing was committed (the files are written)"
    first = message.splitlines()[0] if message else "git failed"
    return f"git: {first}; nothing was committed (the files are written)"


def is_repository(vault: Path) -> bool:
    try:
        return _git(vault, "rev-parse", "--is-inside-work-tree", check=False).stdout.strip() == "true"
    except GitProblem:
        return False


def commit(vault: Path, paths: list[Path], message: str) -> str:
    """Commit exactly `paths` (and nothing else staged) with `message`; the new commit's short hash."""
    if not paths:
        raise GitProblem("nothing to commit")
    if not is_repository(vault):
        _git(vault, "rev-parse", "--is-inside-work-tree")  # raises with git's own reason
        raise GitProblem(_explain("not a git repository"))
    rels = sorted({os.path.relpath(p, vault) for p in paths})
    _git(vault, "add", "--", *rels)
    _git(vault, "commit", "--quiet", "--only", "-m", message, "--", *rels)
    return _git(vault, "rev-parse", "--short", "HEAD").stdout.strip()


@dataclass(frozen=True)
class Change:
    date: date
    commit: str
    subject: str


def changes_to(vault: Path, path: Path) -> list[Change]:
    """The commits that changed one file, oldest first (empty outside a repository)."""
    if shutil.which("git") is None or not is_repository(vault):
        return []
    result = _git(
        vault,
        "log",
        "--follow",
        "--format=%h%x09%ad%x09%s",
        "--date=short",
        "--",
        os.path.relpath(path, vault),
        check=False,
    )
    found = []
    for line in result.stdout.splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3:
            found.append(Change(date.fromisoformat(parts[1]), parts[0], parts[2]))
    return list(reversed(found))
