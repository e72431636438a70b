"""Atomic writes: a fault at any step leaves the old bytes or the new, never a torn note."""

import os
import stat

import pytest

from mdfollow import store
from mdfollow.store import AlreadyExists, WriteConflict, write_file

OLD = b"---\ntype: contact\n---\nold body\n"
NEW = b"---\ntype: contact\n---\nnew body\n"


def leftovers(folder):
    return [p.name for p in folder.iterdir() if "mdfollow-tmp" in p.name]


@pytest.mark.parametrize("step", ["write", "fsync", "chmod", "replace", "link"])
def test_a_fault_at_each_step_leaves_the_old_bytes_and_no_temp_file(tmp_path, monkeypatch, step):
    note = tmp_path / "Jane.md"
    note.write_bytes(OLD)
    target = "replace" if step != "link" else "link"

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if step == "write":
        real_fdopen = os.fdopen

        def fdopen(fd, *args, **kwargs):
            handle = real_fdopen(fd, *args, **kwargs)
            handle.write = boom
            return handle

        monkeypatch.setattr(store.os, "fdopen", fdopen)
    elif step in ("fsync", "chmod"):
        monkeypatch.setattr(store.os, step, boom)
    else:
        monkeypatch.setattr(store.os, target, boom)
        if step == "replace":
            monkeypatch.setattr(store, "_exchange", boom)
    expected = OLD if step != "link" else None
    path = note if step != "link" else tmp_path / "New.md"
    with pytest.raises(OSError):
        write_file(path, NEW, expected=expected)
    assert note.read_bytes() == OLD
    assert not (tmp_path / "New.md").exists()
    assert leftovers(tmp_path) == []


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path):
    note = tmp_path / "Jane.md"
    note.write_bytes(b"the user's newer edit\n")
    with pytest.raises(WriteConflict):
        write_file(note, NEW, expected=OLD)
    assert note.read_bytes() == b"the user's newer edit\n"
    assert leftovers(tmp_path) == []


def test_create_only_never_overwrites(tmp_path):
    note = tmp_path / "Jane.md"
    note.write_bytes(OLD)
    with pytest.raises(AlreadyExists):
        write_file(note, NEW, expected=None)
    assert note.read_bytes() == OLD
    write_file(tmp_path / "sub" / "New.md", NEW, expected=None)
    assert (tmp_path / "sub" / "New.md").read_bytes() == NEW


def test_mode_is_kept_and_symlinks_are_written_through(tmp_path):
    real = tmp_path / "real" / "Jane.md"
    real.parent.mkdir()
    real.write_bytes(OLD)
    os.chmod(real, 0o640)
    link = tmp_path / "Jane.md"
    link.symlink_to(real)
    write_file(link, NEW, expected=OLD)
    assert link.is_symlink() and real.read_bytes() == NEW
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == [] and leftovers(real.parent) == []


def test_new_file_gets_the_umask_mode(tmp_path):
    old = os.umask(0o022)
    try:
        write_file(tmp_path / "n.md", NEW, expected=None)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "n.md").stat().st_mode) == 0o644


def test_temp_files_a_killed_writer_left_are_swept_when_old(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "_swept", set())
    note = tmp_path / "Jane.md"
    note.write_bytes(OLD)
    old_temp = tmp_path / ".0123456789ab.mdfollow-tmp"
    fresh_temp = tmp_path / ".ba9876543210.mdfollow-tmp"
    users_file = tmp_path / ".notes.mdfollow-tmp"  # not a name mdfollow makes
    for path in (old_temp, fresh_temp, users_file):
        path.write_bytes(b"x")
    hour_ago = os.stat(note).st_mtime - 2 * store.STALE_TEMP_SECONDS
    os.utime(old_temp, (hour_ago, hour_ago))
    os.utime(users_file, (hour_ago, hour_ago))
    write_file(note, NEW, expected=OLD, within=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["Jane.md", fresh_temp.name, users_file.name])
