"""Every git call mdfollow makes. It commits exactly the paths it wrote.

Never `add -A`, stash, reset or checkout. A missing git, a folder that is not
a repository or a held index.lock is a GitProblem with a clear message; the
files mdfollow wrote stay written.

Paths are literal (`GIT_LITERAL_PATHSPECS`): `Ann?.md` is that file, never a
glob that also takes `Ann1.md`. The commit is built in a private index, so a
commit that fails (a hook, no identity, a lock) leaves the user's index exactly
as it was; only after it succeeds are the committed paths brought up to date
in the user's index. A note with the user's own pending changes (staged, or
edited since the last commit) is not committed: they would be committed as
mdfollow's.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mdfollow.errors import GitProblem


def _git(
    vault: Path, *args: str, check: bool = True, index_file: str | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("git")
    if exe is None:
        raise GitProblem("git is not installed, so nothing was committed (the files are written)")
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C", LANG="C", GIT_LITERAL_PATHSPECS="1")
    env.pop("GIT_GLOB_PATHSPECS", None)
    env.pop("GIT_ICASE_PATHSPECS", None)
    if index_file is not None:
        env["GIT_INDEX_FILE"] = index_file
    result = subprocess.run(
        [exe, "-C", str(vault), *args], capture_output=True, text=True, env=env, check=False, input=stdin
    )
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


def commit(vault: Path, paths: list[Path], message: str, before: Mapping[Path, bytes | None] | None = None) -> str:
    """Commit exactly `paths` (and nothing else staged) with `message`; the new commit's short hash.

    `before`: for paths mdfollow edited, their bytes before the edit. A path whose
    bytes before differ from the last commit, or that has staged changes, holds the
    user's own work: nothing is committed (GitProblem), the files stay written.
    """
    if not paths:
        raise GitProblem("nothing to commit")
    if not is_repository(vault):
        _git(vault, "rev-parse", "--is-inside-work-tree")  # raises with git's own reason
        raise GitProblem(_explain("not a git repository"))
    # Every git call below runs at the top of the work tree, with paths from there: a vault may
    # be a folder inside a larger repository, and `HEAD:path` is always read from the top.
    top = os.path.realpath(_git(vault, "rev-parse", "--show-toplevel").stdout.strip())

    def from_top(path: Path) -> str:
        real = os.path.join(os.path.realpath(os.path.dirname(os.path.abspath(path))), os.path.basename(path))
        return os.path.relpath(real, top).replace(os.sep, "/")

    repo = Path(top)
    rels = sorted({from_top(p) for p in paths})
    _refuse_operation_in_progress(repo)
    head = _git(repo, "rev-parse", "--verify", "--quiet", "HEAD", check=False).stdout.strip()
    pending = _pending(repo, rels, head, {from_top(p): b for p, b in (before or {}).items()})
    if pending:
        raise GitProblem(
            f"{', '.join(pending)} also has changes of yours not yet committed, so nothing was committed "
            "(the files are written); commit them yourself when your changes are ready"
        )
    git_dir = _git(repo, "rev-parse", "--absolute-git-dir").stdout.strip()
    index_lock = _git(repo, "rev-parse", "--git-path", "index.lock").stdout.strip()
    if os.path.exists(index_lock if os.path.isabs(index_lock) else os.path.join(top, index_lock)):
        raise GitProblem(_explain("index.lock"))
    private = os.path.join(git_dir, f"mdfollow-index-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        if head:
            _git(repo, "read-tree", head, index_file=private)
        else:
            _git(repo, "read-tree", "--empty", index_file=private)
        _git(repo, "add", "--", *rels, index_file=private)
        _git(repo, "commit", "--quiet", "-m", message, index_file=private)
        entries = _git(repo, "ls-files", "--stage", "-z", "--", *rels, index_file=private).stdout
    finally:
        for leftover in (private, private + ".lock"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)
    short = _git(repo, "rev-parse", "--short", "HEAD").stdout.strip()
    # The commit is made; now the user's index learns the committed versions of these paths
    # (and only these), so `git status` does not show them as changed.
    info = "".join(_index_info(entries, rels))
    result = _git(repo, "update-index", "-z", "--index-info", stdin=info, check=False)
    if result.returncode != 0:
        raise GitProblem(
            f"committed {short}, but git's index could not be updated ({_explain(result.stderr.strip())}); "
            f"`git status` may list {', '.join(rels)} until you run `git reset -q -- <those paths>`"
        )
    return short


def _index_info(entries: str, rels: list[str]) -> list[str]:
    lines = []
    staged = set()
    for record in entries.split("\0"):
        if not record:
            continue
        meta, _, path = record.partition("\t")
        mode, sha, _stage = meta.split()
        staged.add(path)
        lines.append(f"{mode} {sha}\t{path}\0")
    for rel in rels:
        if rel.replace(os.sep, "/") not in staged:  # committed as deleted
            lines.append(f"0 {'0' * 40}\t{rel}\0")
    return lines


def _refuse_operation_in_progress(vault: Path) -> None:
    """A merge, rebase, cherry-pick or revert in progress: committing now would conclude or
    disturb it."""
    for marker, what in (
        ("MERGE_HEAD", "a merge"),
        ("CHERRY_PICK_HEAD", "a cherry-pick"),
        ("REVERT_HEAD", "a revert"),
        ("rebase-merge", "a rebase"),
        ("rebase-apply", "a rebase or am"),
        ("BISECT_LOG", "a bisect"),
    ):
        where = _git(vault, "rev-parse", "--git-path", marker).stdout.strip()
        if os.path.exists(where if os.path.isabs(where) else os.path.join(vault, where)):
            raise GitProblem(
                f"{what} is in progress in this repository, so nothing was committed (the files are written)"
            )


def _pending(vault: Path, rels: list[str], head: str, before: dict[str, bytes | None]) -> list[str]:
    """The paths among `rels` that hold the user's own uncommitted work."""
    staged = set()
    if head:
        out = _git(vault, "diff", "--cached", "--name-only", "-z", head, "--", *rels).stdout
        staged = {p for p in out.split("\0") if p}
    else:
        out = _git(vault, "ls-files", "-z", "--", *rels).stdout
        staged = {p for p in out.split("\0") if p}
    pending = []
    for rel in rels:
        posix = rel.replace(os.sep, "/")
        if posix in staged:
            pending.append(posix)
            continue
        if rel not in before:
            continue
        old = before[rel]
        committed = (
            _git(vault, "rev-parse", "--verify", "--quiet", f"{head}:{posix}", check=False).stdout.strip()
            if head
            else ""
        )
        if old is None:
            if committed:
                pending.append(posix)  # deleted by the user since the last commit
            continue
        ours = _git_bytes(vault, "hash-object", f"--path={posix}", "--stdin", data=old).strip()
        if ours != committed:
            pending.append(posix)
    return pending


def _git_bytes(vault: Path, *args: str, data: bytes) -> str:
    exe = shutil.which("git")
    if exe is None:
        raise GitProblem("git is not installed, so nothing was committed (the files are written)")
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C", LANG="C", GIT_LITERAL_PATHSPECS="1")
    result = subprocess.run([exe, "-C", str(vault), *args], input=data, capture_output=True, env=env, check=False)
    if result.returncode != 0:
        raise GitProblem(_explain(result.stderr.decode("utf-8", "replace").strip()))
    return result.stdout.decode()


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


def tracked(vault: Path, path: Path) -> bool:
    """Whether git tracks `path` (so that its removal can be committed)."""
    try:
        return (
            _git(vault, "ls-files", "--error-unmatch", "--", os.path.relpath(path, vault), check=False).returncode == 0
        )
    except GitProblem:
        return False
