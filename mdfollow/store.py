"""Every write mdfollow makes goes through here.

Atomic: a temp file in the same folder, fsync, `os.replace`, so a crash leaves
the old bytes or the new, never a torn note. The file's mode is kept, a
symlink is written through, and a file that changed on disk since it was read
is never overwritten.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path
from typing import BinaryIO

from mdfollow.errors import AlreadyExists, WriteConflict

_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}


def _target(path: Path) -> Path:
    """Write through a symlink to the file it points at, not over the link."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def read_all_bytes(path: str | os.PathLike[str]) -> bytes:
    """Every byte of a file, by its OS path: a plain str is cheaper than a Path across
    100k notes. Raises OSError (FileNotFoundError when it is gone)."""
    with open(path, "rb") as handle:
        return handle.read()


def read_stream(path: Path) -> BinaryIO:
    """A file opened for reading as a stream (a large export, read a line at a time)."""
    return open(path, "rb")  # the caller closes it


def read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def write_file(path: Path, data: bytes, *, expected: bytes | None, replace: bool = False, durable: bool = True) -> None:
    """Replace `path` with `data` if it still holds `expected` (None: must not exist yet).

    Raises WriteConflict when the file changed since it was read, AlreadyExists
    when a new file would overwrite one; in both cases nothing is written.
    `replace=True` is for mdfollow's own cache files: whatever is there is
    replaced, and without fsync (a torn cache fails its checksum and is rebuilt,
    so waiting for the disk would buy nothing). `durable=False` is for a batch
    (an import of thousands of notes): the write is as atomic, but waiting for
    the disk is left to one `sync()` when the batch is done.
    """
    target = _target(path)
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    # Short and fixed-length: a 255-byte note name must still leave room for it.
    tmp = folder / f".{secrets.token_hex(6)}.mdfollow-tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if not replace and durable:
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        if replace:
            os.replace(tmp, target)
            return
        elif expected is None:
            try:
                os.link(tmp, target)  # fails if anything appeared at the target
            except FileExistsError:
                raise AlreadyExists(str(path)) from None
            except OSError as exc:
                if exc.errno not in _NO_HARD_LINKS:
                    raise
                # Filesystems without hard links (some FUSE and network mounts): check, then replace.
                if target.exists():
                    raise AlreadyExists(str(path)) from None
                os.replace(tmp, target)
        else:
            if read_bytes(target) != expected:
                raise WriteConflict(str(path))
            os.replace(tmp, target)
        if durable:
            _fsync_dir(folder)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def sync() -> None:
    """Wait until everything written (by a batch of `durable=False` writes) is on disk."""
    if hasattr(os, "sync"):
        os.sync()


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_new_numbered(folder: Path, base: str, data: bytes, limit: int = 99) -> Path:
    """Create `base.md` in `folder`, or `base 2.md`, `base 3.md`... when taken; never overwrites.

    Raises AlreadyExists when all `limit` names are taken, OSError when it cannot write.
    """
    for number in range(1, limit + 1):
        path = folder / (f"{base}.md" if number == 1 else f"{base} {number}.md")
        try:
            write_file(path, data, expected=None)
        except AlreadyExists:
            continue
        return path
    raise AlreadyExists(f"{base}.md and {limit - 1} numbered ones")


class Transaction:
    """Several files replaced all together, or none of them.

    `stage` writes each new content to a temporary file beside its target
    (synced) and checks it reads back; `commit` then checks that no target
    changed since it was read, and replaces them one by one. If anything
    fails, every target already replaced gets its old bytes back, new files
    are removed, and the temporary files are deleted: the notes are as they
    were. `remove` deletes a file last, once everything else is in place.
    """

    def __init__(self) -> None:
        self.staged: list[tuple[Path, Path, bytes | None]] = []  # (target, temporary, expected old bytes)
        self.removals: list[tuple[Path, bytes]] = []

    def stage(self, path: Path, data: bytes, expected: bytes | None) -> None:
        target = _target(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.parent / f".{secrets.token_hex(6)}.mdfollow-tmp"
        self.staged.append((target, tmp, expected))
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        if tmp.read_bytes() != data:
            raise OSError(f"{tmp} does not read back as written")

    def remove(self, path: Path, expected: bytes) -> None:
        self.removals.append((_target(path), expected))

    def commit(self) -> None:
        done: list[tuple[Path, bytes | None]] = []
        removed: list[tuple[Path, bytes]] = []
        try:
            for target, _, expected in self.staged:
                current = read_bytes(target)
                if current != expected:
                    raise WriteConflict(str(target)) if expected is not None else AlreadyExists(str(target))
            for target, old in self.removals:
                if read_bytes(target) != old:
                    raise WriteConflict(str(target))
            for target, tmp, expected in self.staged:
                self._replace(tmp, target)
                done.append((target, expected))
            for target, old in self.removals:
                self._unlink(target)
                removed.append((target, old))
            for folder in {t.parent for t, _, _ in self.staged} | {t.parent for t, _ in self.removals}:
                _fsync_dir(folder)
        except BaseException:
            self._undo(done, removed)
            raise
        finally:
            self.discard()

    def discard(self) -> None:
        for _, tmp, _ in self.staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    @staticmethod
    def _replace(tmp: Path, target: Path) -> None:
        os.replace(tmp, target)

    @staticmethod
    def _unlink(target: Path) -> None:
        os.unlink(target)

    @staticmethod
    def _undo(done: list[tuple[Path, bytes | None]], removed: list[tuple[Path, bytes]]) -> None:
        for target, gone in reversed(removed):
            write_file(target, gone, expected=None)
        for target, before in reversed(done):
            if before is None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(target)
            else:
                write_file(target, before, expected=None, replace=True)
                with contextlib.suppress(OSError):
                    fd = os.open(target, os.O_RDONLY)
                    try:
                        os.fsync(fd)
                    finally:
                        os.close(fd)
