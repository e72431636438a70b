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


def read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def write_file(path: Path, data: bytes, *, expected: bytes | None, replace: bool = False) -> None:
    """Replace `path` with `data` if it still holds `expected` (None: must not exist yet).

    Raises WriteConflict when the file changed since it was read, AlreadyExists
    when a new file would overwrite one; in both cases nothing is written.
    `replace=True` is for mdfollow's own cache files: whatever is there is
    replaced, and without fsync (a torn cache fails its checksum and is rebuilt,
    so waiting for the disk would buy nothing).
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
            if not replace:
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
        _fsync_dir(folder)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


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
