"""Every write mdfollow makes goes through here.

Atomic: a temp file in the same folder, fsync, `os.replace`, so a crash leaves
the old bytes or the new, never a torn note. The file's mode is kept, a
symlink is written through, and a file that changed on disk since it was read
is never overwritten.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from mdfollow.errors import AlreadyExists, NotRegular, OutsideVault, VaultBusy, WriteConflict

__all__ = ["AlreadyExists", "NotRegular", "OutsideVault", "VaultBusy", "WriteConflict"]

_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}


# Reads: only regular files, and at most this many bytes (a note is text; a
# symlink to /dev/zero or a huge export must not be read until memory runs out).
MAX_READ = 64 * 1024 * 1024


def _refuse_special(info: os.stat_result, path: object) -> None:
    if stat.S_ISREG(info.st_mode):
        return
    kind = (
        "a named pipe (FIFO)"
        if stat.S_ISFIFO(info.st_mode)
        else "a device"
        if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
        else "a socket"
        if stat.S_ISSOCK(info.st_mode)
        else "a folder"
        if stat.S_ISDIR(info.st_mode)
        else "not a regular file"
    )
    raise NotRegular(errno.EINVAL, f"is {kind}, not a regular file", str(path))


def confined(path: Path, vault: Path) -> Path:
    """`path` with every symlink resolved (a dangling one too: where it would create its
    target), refused with OutsideVault unless that is inside `vault`."""
    real = os.path.realpath(path)
    root = os.path.realpath(vault)
    if real != root and not real.startswith(root.rstrip(os.sep) + os.sep):
        raise OutsideVault(
            errno.EACCES, f"it leads outside the vault (to {real}); mdfollow writes only inside the vault", str(path)
        )
    return Path(real)


def _target(path: Path) -> Path:
    """Write through a symlink to the file it points at, not over the link."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def read_all_bytes(path: str | os.PathLike[str], limit: int = MAX_READ) -> bytes:
    """Every byte of a regular file, by its OS path: a plain str is cheaper than a Path across
    100k notes. Raises OSError (FileNotFoundError when it is gone, NotRegular for a FIFO or a
    device, EFBIG past `limit`).

    The path is stat-ed (through links) before it is opened, so a FIFO is never opened
    (opening one blocks until a writer comes); the open itself is non-blocking as well,
    and the opened file is checked again, so a swap in between changes nothing.
    """
    _refuse_special(os.stat(path), path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        _refuse_special(info, path)
        if info.st_size > limit:
            raise OSError(errno.EFBIG, f"is larger than {limit // (1024 * 1024)} MiB", str(path))
        # os.read sized by the stat, not a buffered read of `limit + 1`: that one allocates
        # (and gives back) 64 MiB per call, which was most of the cost of reading a note.
        # A file that changed size since the fstat (or a short read) is read on to its end.
        data = os.read(fd, min(info.st_size, limit) + 1)
        if len(data) != info.st_size:
            parts = [data]
            total = len(data)
            while total <= limit and (more := os.read(fd, min(1 << 20, limit + 1 - total))):
                parts.append(more)
                total += len(more)
            data = b"".join(parts)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"is larger than {limit // (1024 * 1024)} MiB", str(path))
    return data


def read_stream(path: Path) -> BinaryIO:
    """A file opened for reading as a stream (a large export, read a line at a time)."""
    return open(path, "rb")  # the caller closes it


def open_to_read(path: str | os.PathLike[str]) -> BinaryIO:
    """A regular file opened for reading in binary, for streams too large to hold (mailboxes).

    Refused like `read_all_bytes` (NotRegular) when it is a FIFO, a device or a
    socket, checked before and after the non-blocking open; there is no size limit.
    """
    _refuse_special(os.stat(path), path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        _refuse_special(os.fstat(fd), path)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_bytes(path: Path) -> bytes | None:
    try:
        return read_all_bytes(path)
    except FileNotFoundError:
        return None


# --- the vault's write lock -------------------------------------------------

LOCK_TIMEOUT = 30.0  # seconds; the command line sets it from $MDFOLLOW_LOCK_TIMEOUT


def lock_file(vault: Path) -> Path:
    """Where the vault's write lock lives: in mdfollow's cache folder, keyed by the vault's
    real path, never in the vault (git and sync tools would carry it around)."""
    from mdfollow.cache import cache_dir

    key = hashlib.blake2b(str(Path(vault).resolve()).encode(), digest_size=10).hexdigest()
    return cache_dir() / f"{key}.lock"


_held_guard = threading.RLock()
_held: dict[str, tuple[int, int]] = {}  # lock path -> (fd, depth), for this process


@contextlib.contextmanager
def vault_lock(vault: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the vault's advisory write lock (flock) for a read-modify-write.

    mdfollow's writers of one vault queue on it; it is re-entrant within a process and
    released by the kernel if the process dies, so it can never be left stale. Raises
    VaultBusy after `timeout` seconds (default LOCK_TIMEOUT). A cache
    folder that cannot hold the lock file means no lock: the check at the rename still
    keeps every write (see write_file).
    """
    where = lock_file(vault)
    key = str(where)
    wait = LOCK_TIMEOUT if timeout is None else timeout
    deadline = time.monotonic() + wait
    # Threads of one process queue on the RLock; processes on the flock.
    if not (_held_guard.acquire(timeout=wait) if wait > 0 else _held_guard.acquire(blocking=False)):
        raise VaultBusy(f"another thread of this mdfollow held the vault's write lock for {wait:g} s")
    try:
        entry = _held.get(key)
        if entry is not None:
            _held[key] = (entry[0], entry[1] + 1)
            try:
                yield
            finally:
                fd, depth = _held[key]
                _held[key] = (fd, depth - 1)
            return
        try:
            where.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(where, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError:
            yield
            return
        try:
            _flock(fd, deadline, wait, where)
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            _held[key] = (fd, 1)
            try:
                yield
            finally:
                del _held[key]
        finally:
            os.close(fd)  # releases the flock
    finally:
        _held_guard.release()


def _flock(fd: int, deadline: float, wait: float, where: Path) -> None:
    try:
        import fcntl
    except ImportError:  # no flock here (Windows): the check at the rename still keeps every write
        return

    delay = 0.002
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        now = time.monotonic()
        if now >= deadline:
            try:
                holder = os.pread(fd, 32, 0).decode().strip()
            except (OSError, UnicodeDecodeError):
                holder = ""
            who = f"another mdfollow (process {holder})" if holder.isdigit() else "another mdfollow"
            raise VaultBusy(
                f"{who} has been writing to this vault for {wait:g} s; nothing was written. "
                f"Run again when it is done (the lock is {where})"
            )
        time.sleep(min(delay, deadline - now))
        delay = min(delay * 2, 0.05)


# --- signals: a write in progress finishes (or cleans up) before the process stops ----

_critical = 0
_pending: list[int] = []


def _on_signal(signum: int, frame: object) -> None:
    if _critical:
        _pending.append(signum)
        return
    raise SystemExit(128 + signum)


def install_signal_handlers() -> None:
    """SIGTERM and SIGHUP stop the process by raising SystemExit (so every `finally` runs and
    no temp file is left); one that arrives while a write is in progress waits for it to end."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) in (signal.SIG_DFL, None):
            signal.signal(signum, _on_signal)


@contextlib.contextmanager
def _deferring_signals() -> Iterator[None]:
    global _critical
    _critical += 1
    try:
        yield
    finally:
        _critical -= 1
        if not _critical and _pending and threading.current_thread() is threading.main_thread():
            signum = _pending[0]
            _pending.clear()
            raise SystemExit(128 + signum)


# --- writing ----------------------------------------------------------------

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_renameat2: Any = None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directory entries atomically (Linux renameat2 RENAME_EXCHANGE). False where the
    kernel, the C library or the filesystem cannot."""
    global _renameat2
    if _renameat2 is None:
        _renameat2 = False
        if sys.platform.startswith("linux"):
            import ctypes

            with contextlib.suppress(OSError, AttributeError):
                libc = ctypes.CDLL(None, use_errno=True)
                func = libc.renameat2
                func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
                func.restype = ctypes.c_int
                _renameat2 = func
    if not _renameat2:
        return False
    import ctypes

    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _temp_beside(folder: Path, data: bytes, mode: int, *, sync: bool) -> Path:
    # Short and fixed-length: a 255-byte note name must still leave room for it.
    tmp = folder / f".{secrets.token_hex(6)}.mdfollow-tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def write_file(
    path: Path,
    data: bytes,
    *,
    expected: bytes | None,
    replace: bool = False,
    redo: Callable[[bytes], bytes] | None = None,
    within: Path | None = None,
    durable: bool = True,
) -> None:
    """Replace `path` with `data` if it still holds `expected` (None: must not exist yet).

    Raises WriteConflict when the file changed since it was read, AlreadyExists
    when a new file would overwrite one; in both cases nothing is written.
    `replace=True` is for mdfollow's own cache files: whatever is there is
    replaced, and without fsync (a torn cache fails its checksum and is rebuilt,
    so waiting for the disk would buy nothing). A read-only file is refused
    (PermissionError): mdfollow does not rewrite what the user protected.

    The check and the rename cannot be one step, so an editor's save can land
    between them. Where Linux can swap two names atomically, the new file is
    swapped in and what it displaced is compared with `expected`: if it differs,
    someone saved inside the window, and their bytes are never dropped. With
    `redo`, the edit is made again on top of them (`redo(their_bytes)`) and
    swapped in the same way; without it, their bytes are put back and
    WriteConflict is raised.

    `within`: the vault. The path, its folders and any symlink on the way are
    resolved first, and a path that leads outside is refused (OutsideVault).

    `durable=False` is for a batch (an import of thousands of notes): the write
    is as atomic, but waiting for the disk is left to one `sync()` at the end.
    """
    if within is not None:
        confined(path, within)
    target = _target(path)
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    if within is not None:
        _sweep_stale_temps(folder)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    if mode is not None and not replace and not mode & stat.S_IWUSR:
        raise PermissionError(errno.EACCES, "the file is read-only; mdfollow leaves it as it is", str(path))
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    with _deferring_signals():
        tmp = _temp_beside(folder, data, mode, sync=not replace and durable)
        try:
            if replace:
                os.replace(tmp, target)
                return
            if expected is None:
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
                if _exchange(tmp, target):
                    _settle_race(tmp, target, folder, data, expected, redo, path)
                else:
                    os.replace(tmp, target)
            if durable:
                _fsync_dir(folder)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


STALE_TEMP_SECONDS = 3600
_TEMP_NAME = re.compile(r"^\.[0-9a-f]{12}\.mdfollow-tmp$")
_swept: set[str] = set()


def _sweep_stale_temps(folder: Path) -> None:
    """Remove mdfollow's own temp files that a killed process (SIGKILL, power loss) left in this
    folder: only names mdfollow makes, and only ones untouched for an hour (a live write takes
    a moment), once per folder per process."""
    key = str(folder)
    if key in _swept:
        return
    _swept.add(key)
    cutoff = time.time() - STALE_TEMP_SECONDS
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".mdfollow-tmp") and _TEMP_NAME.match(entry.name):
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_mtime < cutoff and entry.is_file(follow_symlinks=False):
                        os.unlink(entry.path)


MAX_RACE_ROUNDS = 20


def _settle_race(
    displaced_at: Path,
    target: Path,
    folder: Path,
    ours: bytes,
    expected: bytes,
    redo: Callable[[bytes], bytes] | None,
    shown: Path,
) -> None:
    """After a swap: `displaced_at` holds what the new file replaced. If that is not what was
    checked, someone saved in between; redo the edit on their bytes (or put them back)."""
    failure: BaseException | None = None
    for _ in range(MAX_RACE_ROUNDS):
        with open(displaced_at, "rb") as handle:
            displaced = handle.read()
        if displaced == expected:
            if failure is not None:
                raise failure
            return
        # An editor saved inside the window. `displaced_at` keeps their bytes until the
        # file that contains them is in place.
        theirs_mode = stat.S_IMODE(os.stat(displaced_at).st_mode)
        if redo is not None and failure is None:
            try:
                again = redo(displaced)
            except Exception as exc:  # their bytes no longer take the edit: keep them as they are
                failure = exc
                again = displaced
        else:
            failure = failure or WriteConflict(str(shown))
            again = displaced
        nxt = _temp_beside(folder, again, theirs_mode, sync=True)
        try:
            if not _exchange(nxt, target):
                os.replace(nxt, target)  # cannot happen after a first swap worked; be safe anyway
                os.unlink(displaced_at)
                raise failure or WriteConflict(str(shown))
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(nxt)
            raise
        # `nxt` now holds what was at the target (ours, unless yet another save came).
        os.unlink(displaced_at)
        os.rename(nxt, displaced_at)
        expected, ours = ours, again
    # Still racing after many rounds: keep what was displaced beside the note, never drop it.
    keep = target.with_name(f"{target.stem}.mdfollow-conflict-{secrets.token_hex(3)}{target.suffix}")
    os.rename(displaced_at, keep)
    raise WriteConflict(f"{shown} kept changing; the other version was kept as {keep.name}")


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


def write_new_numbered(folder: Path, base: str, data: bytes, limit: int = 99, *, within: Path | None = None) -> Path:
    """Create `base.md` in `folder`, or `base 2.md`, `base 3.md`... when taken; never overwrites.

    Raises AlreadyExists when all `limit` names are taken, OSError when it cannot write.
    """
    for number in range(1, limit + 1):
        path = folder / (f"{base}.md" if number == 1 else f"{base} {number}.md")
        try:
            write_file(path, data, expected=None, within=within)
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
