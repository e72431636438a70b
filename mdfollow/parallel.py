"""Reading a large vault on every core: forked workers and this process share the notes.

The notes are cut into spans; the workers read them from the first on while this
process reads them from the last back, taking each span no worker has started yet,
until the two meet. So this process works too (one fork fewer, and its notes need
no encoding and decoding), and a worker slowed by a busy machine leaves more of the
read to this process instead of holding it up. `vault.read_all` decides when.
"""

from __future__ import annotations

import os
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mdfollow.index import DailyNotes
    from mdfollow.settings import Settings
    from mdfollow.vault import Progress, Read, ToRead

# What the workers read, set before they are forked: they find it in the memory
# fork() gave them, so a span is sent to them as two numbers, not pickled.
_SHARED: tuple[ToRead, Settings, DailyNotes] | None = None
_STOPS = {getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)}
SPANS_PER_WORKER = 8  # enough for this process and the workers to meet near the middle


def _read_span(start: int, end: int) -> bytes:
    """A worker's records for notes start..end of the shared list, as marshal bytes:
    far cheaper to send back than pickled objects."""
    import marshal

    from mdfollow import vault
    from mdfollow.cache import encode

    assert _SHARED is not None
    todo, settings, daily = _SHARED
    read = vault._read_chunk((todo[start:end], settings, daily))
    return marshal.dumps([(rel, encode(record), digest, gone) for rel, record, digest, gone, _ in read])


def _die_with_parent(parent: int) -> None:
    """Make a worker end when the process that forked it ends (a SIGTERM mid-read would
    otherwise leave it blocked on its queue forever): the kernel's parent-death signal
    where there is one, else a thread that watches the parent. It also takes again the
    signals its parent held back while forking it."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) != 0:  # PR_SET_PDEATHSIG
            raise OSError("prctl failed")
    except (OSError, AttributeError):
        import threading
        import time

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # the parent was gone before the signal was armed
        os._exit(1)


def read_parallel(
    todo: ToRead, settings: Settings, daily: DailyNotes, progress: Progress | None, workers: int
) -> list[Read]:
    """Every note of `todo` read, in order, by `workers - 1` forked processes and this one.
    Raises OSError or RuntimeError (a broken pool) when processes cannot be had."""
    import marshal
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from mdfollow import vault
    from mdfollow.cache import decode

    global _SHARED
    size = max(100, -(-len(todo) // (workers * SPANS_PER_WORKER)))
    spans = [(i, min(i + size, len(todo))) for i in range(0, len(todo), size)]
    mine: dict[int, list[Read]] = {}
    read_here = 0

    def report() -> None:
        if progress is not None:
            theirs = sum(
                end - start for (start, end), f in zip(spans, futures, strict=True) if f.done() and not f.cancelled()
            )
            progress(read_here + theirs, len(todo))

    pool = ProcessPoolExecutor(
        workers - 1,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )
    _SHARED = (todo, settings, daily)  # before the first submit, which forks the workers
    try:
        # The first submit forks the workers. A signal that arrives during fork() has its
        # handler run inside an at-fork callback, whose exceptions Python prints and drops:
        # SIGTERM would be lost. Held back until the fork is over, it stops the run as always.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
        try:
            futures = [pool.submit(_read_span, *spans[0])]
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        futures += [pool.submit(_read_span, *span) for span in spans[1:]]
        for k in range(len(spans) - 1, -1, -1):
            if not futures[k].cancel():
                break  # a worker has this span, and every one before it
            start, end = spans[k]
            mine[k] = vault._read_chunk((todo[start:end], settings, daily))
            read_here += end - start
            report()
        done: list[Read] = []
        for k, future in enumerate(futures):
            if k in mine:
                done += mine.pop(k)
                continue
            rows = marshal.loads(future.result())
            done.extend((rel, decode(row), digest, gone, row) for rel, row, digest, gone in rows)
            report()
        return done
    finally:
        # On an error or an interrupt, the spans no worker has started are dropped, not read.
        pool.shutdown(wait=True, cancel_futures=True)
        _SHARED = None
