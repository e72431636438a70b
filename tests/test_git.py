"""--commit against a real repository: exactly mdfollow's files, never the user's."""

import os
import subprocess

import pytest

from tests.helpers import contact

TODAY = "2026-11-23"


def git(vault, *args):
    return subprocess.run(["git", "-C", str(vault), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(make_vault):
    vault = make_vault(contact(met="2026-11-20") | contact("Ann Lee") | {"Notes/Plan.md": "plan\n"})
    git(vault, "init", "-q", "-b", "main")
    git(vault, "config", "user.email", "me@example.com")
    git(vault, "config", "user.name", "Me")
    git(vault, "add", "-A")
    git(vault, "commit", "-q", "-m", "start")
    # The user's own work in progress: one staged change, one unstaged, one untracked.
    (vault / "Notes/Plan.md").write_text("plan, edited and staged\n")
    git(vault, "add", "Notes/Plan.md")
    (vault / "People/Ann Lee.md").write_text((vault / "People/Ann Lee.md").read_text() + "unstaged edit\n")
    (vault / "Notes/Draft.md").write_text("untracked\n")
    return vault


def committed_files(vault):
    return sorted(git(vault, "show", "--name-only", "--format=", "HEAD").splitlines())


def test_log_commit_takes_exactly_the_note_it_wrote(run, repo):
    result = run("--vault", repo, "--today", TODAY, "log", "Jane Doe", "thanked", "--commit")
    assert result.exit_code == 0, result.stderr
    assert committed_files(repo) == ["People/Jane Doe.md"]
    assert git(repo, "log", "-1", "--format=%s").strip() == "log: sent a thank-you to Jane Doe"
    status = git(repo, "status", "--porcelain")
    assert "M  Notes/Plan.md" in status  # still staged, not committed
    assert ' M "People/Ann Lee.md"' in status and "?? Notes/Draft.md" in status


def test_agenda_and_new_and_milestone_commit_their_files(run, repo):
    assert run("--vault", repo, "--today", TODAY, "agenda", "--commit").exit_code == 0
    assert committed_files(repo) == ["Agenda.md"]
    assert run("--vault", repo, "--today", TODAY, "new", "Grace Liu", "--commit").exit_code == 0
    assert committed_files(repo) == ["People/Grace Liu.md"]
    assert run("--vault", repo, "--today", TODAY, "milestone", "Offer", "--commit").exit_code == 0
    assert committed_files(repo) == ["Milestones.md"]
    assert "M  Notes/Plan.md" in git(repo, "status", "--porcelain")


def test_commit_setting_and_ticks(run, repo):
    (repo / ".mdfollow.toml").write_text("commit = true\n")
    assert run("--vault", repo, "--today", TODAY, "agenda").exit_code == 0
    path = repo / "Agenda.md"
    path.write_text(path.read_text(encoding="utf-8").replace("- [ ] Thank", "- [x] Thank"), encoding="utf-8")
    result = run("--vault", repo, "--today", TODAY, "agenda")
    assert result.exit_code == 0, result.stderr
    assert committed_files(repo) == ["Agenda.md", "People/Jane Doe.md"]
    assert git(repo, "log", "-1", "--format=%s").strip() == f"agenda: {TODAY}, recorded 1 ticked item"
    assert run("--vault", repo, "--today", TODAY, "log", "Jane Doe", "note", "--no-commit").exit_code == 0
    assert "People/Jane Doe.md" in git(repo, "status", "--porcelain")


def test_a_held_index_lock_is_explained_and_the_file_is_still_written(run, repo):
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    head = git(repo, "rev-parse", "HEAD")
    result = run("--vault", repo, "--today", TODAY, "log", "Jane Doe", "thanked", "--commit")
    assert result.exit_code == 1
    assert "index.lock" in result.stderr and "the files are written" in result.stderr
    assert "thanked: 2026-11-23" in (repo / "People/Jane Doe.md").read_text()
    assert git(repo, "rev-parse", "HEAD") == head
    lock.unlink()


def test_not_a_repository_or_no_git(run, make_vault, monkeypatch):
    vault = make_vault(contact(met="2026-11-20"))
    result = run("--vault", vault, "--today", TODAY, "log", "Jane Doe", "thanked", "--commit")
    assert result.exit_code == 1 and "not a git repository" in result.stderr
    assert "thanked: 2026-11-23" in (vault / "People/Jane Doe.md").read_text()
    monkeypatch.setenv("PATH", "/nonexistent")
    result = run("--vault", vault, "--today", TODAY, "log", "Jane Doe", "sent", "--commit")
    assert result.exit_code == 1 and "git is not installed" in result.stderr
    assert "last_outreach: 2026-11-23" in (vault / "People/Jane Doe.md").read_text()


def test_history_includes_commits(run, repo):
    assert run("--vault", repo, "--today", TODAY, "log", "Jane Doe", "thanked", "--commit").exit_code == 0
    out = run("--vault", repo, "history", "Jane Doe").stdout
    assert "commit" in out and "log: sent a thank-you to Jane Doe" in out and "start" in out
    assert os.path.exists(repo / ".git")


def status(vault):
    return git(vault, "status", "--porcelain", "--untracked-files=all")


@pytest.fixture
def glob_repo(make_vault):
    """A note whose name is a glob (`Ann?.md`) beside files it would match."""
    vault = make_vault(contact("Ann?", met="2026-11-20") | contact("Ann1") | {"Plan.md": "plan\n"})
    git(vault, "init", "-q", "-b", "main")
    git(vault, "config", "user.email", "me@example.com")
    git(vault, "config", "user.name", "Me")
    git(vault, "add", "-A")
    git(vault, "commit", "-q", "-m", "start")
    (vault / "People/Ann1.md").write_text((vault / "People/Ann1.md").read_text() + "unstaged edit\n")
    (vault / "People/AnnX.md").write_text("untracked\n")
    return vault


def test_paths_are_literal_never_globs(run, glob_repo):
    result = run("--vault", glob_repo, "--today", TODAY, "log", "People/Ann?.md", "thanked", "--commit")
    assert result.exit_code == 0, result.stderr
    assert committed_files(glob_repo) == ["People/Ann?.md"]
    assert status(glob_repo).splitlines() == [" M People/Ann1.md", "?? People/AnnX.md"]


def hook(vault, script):
    path = vault / ".git/hooks/pre-commit"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)


@pytest.mark.parametrize("failure", ["hook", "identity", "merge"])
def test_a_failed_commit_leaves_the_index_as_it_was(run, repo, failure, monkeypatch):
    if failure == "hook":
        hook(repo, "echo 'refused by the hook' >&2\nexit 1\n")
    elif failure == "identity":
        git(repo, "config", "--unset", "user.email")
        git(repo, "config", "--unset", "user.name")
        monkeypatch.setenv("HOME", str(repo / ".git"))  # no global identity either
        monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        monkeypatch.setenv("EMAIL", "")
        for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
            monkeypatch.delenv(name, raising=False)
        git(repo, "config", "user.useConfigOnly", "true")
    else:
        (repo / ".git/MERGE_HEAD").write_text(git(repo, "rev-parse", "HEAD"))
    head = git(repo, "rev-parse", "HEAD")
    before = status(repo)
    result = run("--vault", repo, "--today", TODAY, "log", "Jane Doe", "thanked", "--commit")
    assert result.exit_code == 1, result.stderr
    assert "nothing was committed (the files are written)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 2  # the log line, then the git problem
    assert "thanked: 2026-11-23" in (repo / "People/Jane Doe.md").read_text()
    assert git(repo, "rev-parse", "HEAD") == head
    # Jane's note is changed in the work tree, not staged for the user's next commit.
    assert sorted(status(repo).splitlines()) == sorted([*before.splitlines(), ' M "People/Jane Doe.md"'])
    assert [f for f in os.listdir(repo / ".git") if f.startswith("mdfollow")] == []


def test_a_note_with_the_users_own_changes_is_written_but_not_committed(run, repo):
    head = git(repo, "rev-parse", "HEAD")
    # Unstaged: Ann Lee's note was edited by the user and not committed.
    result = run("--vault", repo, "--today", TODAY, "log", "Ann Lee", "met", "--commit")
    assert result.exit_code == 1
    assert "People/Ann Lee.md also has changes of yours not yet committed" in result.stderr
    assert "met: 2026-11-23" in (repo / "People/Ann Lee.md").read_text()
    assert "unstaged edit" in (repo / "People/Ann Lee.md").read_text()
    assert git(repo, "rev-parse", "HEAD") == head
    # Staged: the user staged an edit to Jane's note.
    (repo / "People/Jane Doe.md").write_text((repo / "People/Jane Doe.md").read_text() + "mine\n")
    git(repo, "add", "People/Jane Doe.md")
    result = run("--vault", repo, "--today", TODAY, "log", "Jane Doe", "thanked", "--commit")
    assert result.exit_code == 1 and "People/Jane Doe.md also has changes of yours" in result.stderr
    assert git(repo, "rev-parse", "HEAD") == head
    assert "M  Notes/Plan.md" in status(repo)


def test_a_hook_that_passes_sees_only_mdfollows_file_and_the_index_follows(run, repo):
    hook(repo, 'git diff --cached --name-only > "$(git rev-parse --git-dir)/seen"\n')
    assert run("--vault", repo, "--today", TODAY, "log", "Jane Doe", "thanked", "--commit").exit_code == 0
    assert (repo / ".git/seen").read_text() == "People/Jane Doe.md\n"
    st = status(repo)
    assert "Jane Doe" not in st  # committed, and the user's index knows it
    assert "M  Notes/Plan.md" in st and ' M "People/Ann Lee.md"' in st


def test_a_vault_inside_a_larger_repository(run, make_vault, tmp_path):
    top = tmp_path / "repo"
    vault = make_vault(contact(met="2026-11-20"), root=top / "notes" / "vault")
    (top / "other.txt").write_text("x\n")
    git(top, "init", "-q", "-b", "main")
    git(top, "config", "user.email", "me@example.com")
    git(top, "config", "user.name", "Me")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "start")
    (top / "other.txt").write_text("the user's edit\n")
    result = run("--vault", vault, "--today", TODAY, "log", "Jane Doe", "thanked", "--commit")
    assert result.exit_code == 0, result.stderr
    assert committed_files(top) == ["notes/vault/People/Jane Doe.md"]
    assert status(top) == " M other.txt\n"
