"""Reading the vault from disk: where it is, its settings, its notes.

This is the edge between the file system and the pure core: it finds files,
reads bytes, and hands them to `index.summarize`. It writes nothing in the
vault; the index store it keeps current (mdfollow.incremental) lives outside it.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mdfollow.dates import compile_daily_format
from mdfollow.diagnostics import Diagnostic, error, warning
from mdfollow.index import DailyNotes, NoteSummary, VaultIndex, build_index, summarize
from mdfollow.milestones import Milestone, parse_milestones
from mdfollow.render import AgendaView, view_of
from mdfollow.rules import build_agenda
from mdfollow.settings import SETTINGS_FILE, Settings, parse_settings
from mdfollow.store import read_all_bytes

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mdfollow.incremental import Indexer


def relative(path: Path, vault: Path) -> str | None:
    """`path` relative to the vault, POSIX-style, or None when it is outside."""
    try:
        return path.resolve().relative_to(vault.resolve()).as_posix()
    except ValueError:
        return None


def find_vault(start: Path) -> Path:
    """The nearest folder at or above `start` holding .mdfollow.toml or .obsidian/, else `start`."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / SETTINGS_FILE).is_file() or (folder / ".obsidian").is_dir():
            return folder
    return start


def load_settings(vault: Path, config: Path | None = None) -> tuple[Settings, list[Diagnostic]]:
    path = config if config is not None else vault / SETTINGS_FILE
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        if config is not None:
            return Settings(), [error(str(config), None, "settings file not found")]
        return Settings(), []
    except (OSError, UnicodeDecodeError) as exc:
        return Settings(), [error(_shown(path, vault), None, f"cannot be read: {exc}")]
    return parse_settings(text, _shown(path, vault))


def _shown(path: Path, vault: Path) -> str:
    try:
        return path.resolve().relative_to(vault.resolve()).as_posix()
    except ValueError:
        return str(path)


# Where Obsidian keeps the daily-note settings, first found first, each with how to find
# them in its JSON. Everything that must follow a change of them (the index store's
# keys, watch's reload) reads this table.
DAILY_NOTES_SOURCES: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    (".obsidian/daily-notes.json", lambda data: data),
    (".obsidian/plugins/periodic-notes/data.json", lambda data: data.get("daily") or {}),
)
DAILY_NOTES_CONFIG: tuple[str, ...] = tuple(path for path, _ in DAILY_NOTES_SOURCES)


def daily_notes(vault: Path, settings: Settings) -> tuple[DailyNotes, list[Diagnostic]]:
    """Daily-note folder and format: settings, else Obsidian's core plugin, else Periodic Notes."""
    folder, fmt = "", ""
    problems: list[Diagnostic] = []
    for relative, pick in DAILY_NOTES_SOURCES:
        path = vault / relative
        if not path.is_file():
            continue
        try:
            data = pick(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, AttributeError) as exc:
            problems.append(warning(relative, None, f"cannot be read ({exc}); daily notes use the defaults"))
            continue
        if isinstance(data, dict):
            folder = folder or str(data.get("folder") or "")
            fmt = fmt or str(data.get("format") or "")
        if folder or fmt:
            break
    folder = settings.daily_notes_folder or folder
    fmt = settings.daily_notes_format or fmt or "YYYY-MM-DD"
    return DailyNotes(folder.strip("/"), compile_daily_format(fmt)), problems


@dataclass(frozen=True)
class Exclusions:
    files: frozenset[str]
    folders: tuple[str, ...]
    globs: tuple[str, ...]

    @cached_property
    def _prefixes(self) -> tuple[str, ...]:
        return tuple(f + "/" for f in self.folders)

    def skip_file(self, rel: str) -> bool:
        if rel in self.files or (self.folders and rel.startswith(self._prefixes)):
            return True
        return bool(self.globs) and any(fnmatch.fnmatchcase(rel, g) for g in self.globs)

    def skip_folder(self, rel: str) -> bool:
        return rel in self.folders or any(fnmatch.fnmatchcase(rel + "/", g) for g in self.globs)


def exclusions(settings: Settings, extra_files: tuple[str, ...] = ()) -> Exclusions:
    """What mdfollow never reads as notes: its own outputs, templates and milestones."""
    files = {settings.agenda_file.strip("/"), settings.milestones_file.strip("/"), *extra_files}
    folders = tuple(f.strip("/") for f in (settings.drafts_folder, settings.templates_folder) if f.strip("/"))
    return Exclusions(frozenset(files), folders, tuple(settings.ignore))


Stamp = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode: what git's index compares


def walk(
    vault: Path, skip: Exclusions, stamps: dict[str, Stamp] | None = None
) -> tuple[list[tuple[str, str]], list[Diagnostic]]:
    """Every Markdown note below the vault, as (vault-relative POSIX path, OS path), sorted.

    Dot-folders (.git, .obsidian, .trash) and dot-files are never read; a folder
    reached twice through symlinks is walked once. `stamps` collects each
    note's stamp for the index store.
    """
    # Plain strings, not Path objects: building 100k Paths costs more than the stats.
    found: list[tuple[str, str]] = []
    problems: list[Diagnostic] = []
    stamps = stamps if stamps is not None else {}
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[str, str]] = [("", str(vault))]
    while stack:
        rel_dir, folder = stack.pop()
        try:
            info = os.stat(folder)
            key = (info.st_dev, info.st_ino)
            if key in seen:
                problems.append(
                    warning(rel_dir or ".", None, "this folder is reached twice (a symlink loop?); read once")
                )
                continue
            seen.add(key)
            entries = list(os.scandir(folder))
        except OSError as exc:
            problems.append(error(rel_dir or ".", None, f"folder cannot be read: {exc.strerror or exc}"))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = f"{rel_dir}/{name}" if rel_dir else name
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if is_dir:
                if not skip.skip_folder(rel):
                    stack.append((rel, entry.path))
            elif name[-3:].lower() == ".md" and not skip.skip_file(rel):
                try:
                    info = entry.stat()
                    stamps[rel] = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
                except OSError:
                    pass  # gone, or a broken link: the read reports it
                found.append((rel, entry.path))
    found.sort()
    return found, problems


GONE = "was moved or deleted while mdfollow read the vault; skipped (run again to see it)"


def read_record(rel: str, path: str | Path, settings: Settings, daily: DailyNotes) -> NoteSummary:
    return read_note(rel, path, settings, daily)[0]


def read_note(
    rel: str, path: str | Path, settings: Settings, daily: DailyNotes, racy: bool = False
) -> tuple[NoteSummary, bytes | None, bool]:
    """(record, a hash of the very bytes read when `racy`, whether the note vanished).

    A note that vanished between the walk and the read (deleted, or its folder
    moved) is reported and skipped; the run goes on.
    """
    from mdfollow.cache import content_hash

    try:
        raw = read_all_bytes(path)
    except FileNotFoundError:
        if os.path.islink(path):
            problem = warning(rel, None, "is a link to a file that does not exist; skipped")
            return NoteSummary(rel, "skipped", diagnostics=(problem,)), None, False
        return NoteSummary(rel, "skipped", diagnostics=(warning(rel, None, GONE),)), None, True
    except OSError as exc:
        problem = error(rel, None, f"cannot be read: {exc.strerror or exc}; skipped")
        return NoteSummary(rel, "skipped", diagnostics=(problem,)), None, False
    record = summarize(rel, raw, settings.contact_types, daily)
    return record, content_hash(raw) if racy else None, False


@contextlib.contextmanager
def paused_gc(freeze: bool = True) -> Iterator[None]:
    """The cyclic garbage collector off while a vault's records are built.

    Reading 100k notes makes millions of objects and no cycles; every few
    hundred allocations the collector would walk them all again (measured: a
    quarter of a warm 10k-note run). What was built is then frozen: the
    collector never walks it again, and reference counting still frees it
    when it is dropped. Only a full read freezes: watch mode's small rebuilds
    must not pin whatever cyclic garbage exists at that moment for good.
    """
    import gc

    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        gc.enable()


PARALLEL_FROM = 2000  # below this, starting processes costs more than it saves

ToRead = list[tuple[str, str, bool]]  # (vault-relative path, OS path, racy)
Read = tuple[str, NoteSummary, bytes | None, bool, tuple[Any, ...] | None]
# (path, record, hash of a racy note, vanished, the record encoded when a worker sent it so)
Progress = Callable[[int, int], None]


def _read_chunk(args: tuple[ToRead, Settings, DailyNotes]) -> list[Read]:
    files, settings, daily = args
    return [(rel, *read_note(rel, path, settings, daily, racy), None) for rel, path, racy in files]


def _read_chunk_encoded(args: tuple[ToRead, Settings, DailyNotes]) -> bytes:
    """A worker's records as marshal bytes: far cheaper to send back than pickled objects."""
    import marshal

    from mdfollow.cache import encode

    return marshal.dumps([(rel, encode(record), digest, gone) for rel, record, digest, gone, _ in _read_chunk(args)])


def _die_with_parent(parent: int) -> None:
    """Make a worker end when the process that forked it ends (a SIGTERM mid-read would
    otherwise leave it blocked on its queue forever): the kernel's parent-death signal
    where there is one, else a thread that watches the parent."""
    import signal

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


def read_all(
    files: list[tuple[str, str]] | ToRead,
    settings: Settings,
    daily: DailyNotes,
    progress: Progress | None = None,
) -> list[Read]:
    """Read and summarise every note, on every core when the vault is large."""
    import threading

    todo: ToRead = [(f[0], f[1], bool(f[2]) if len(f) > 2 else False) for f in files]
    workers = min(os.cpu_count() or 1, 8)
    # fork() in a process with other threads (watch mode) can deadlock: stay on one core there.
    if len(todo) < PARALLEL_FROM or workers < 2 or threading.active_count() > 1 or os.name != "posix":
        return _read_serial(todo, settings, daily, progress)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from mdfollow.note import yaml_loader

    yaml_loader()  # once here, not once in each worker after the fork
    size = -(-len(todo) // (workers * 4))
    chunks = [(todo[i : i + size], settings, daily) for i in range(0, len(todo), size)]
    try:
        import marshal

        from mdfollow.cache import decode

        done: list[Read] = []
        with ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            for chunk in pool.map(_read_chunk_encoded, chunks):
                done.extend((rel, decode(row), digest, gone, row) for rel, row, digest, gone in marshal.loads(chunk))
                if progress is not None:
                    progress(len(done), len(todo))
        return done
    except (OSError, RuntimeError):  # no processes to be had: read on this core
        return _read_serial(todo, settings, daily, progress)


def _read_serial(todo: ToRead, settings: Settings, daily: DailyNotes, progress: Progress | None) -> list[Read]:
    if progress is None:
        return _read_chunk((todo, settings, daily))
    done: list[Read] = []
    for start in range(0, len(todo), 500):
        done += _read_chunk((todo[start : start + 500], settings, daily))
        progress(len(done), len(todo))
    return done


class VaultReader:
    """The vault's notes as an index, kept current as notes change.

    With the index store (the default), `agenda()` re-reads only the notes
    whose stamps changed and recomputes only the contacts they can affect
    (see mdfollow.incremental); `index()` gives the whole VaultIndex. Without
    it (`use_cache=False`, or no usable cache folder), records are kept in
    memory: the first call reads everything, later calls with `changed` re-read
    only the notes named.
    """

    def __init__(
        self,
        vault: Path,
        settings: Settings,
        setting_problems: list[Diagnostic] | None = None,
        extra_skips: tuple[str, ...] = (),
        use_cache: bool = True,
        progress: Progress | None = None,
        warn: Callable[[str], None] | None = None,
    ):
        self.vault = vault
        self.settings = settings
        self.setting_problems = list(setting_problems or [])
        self.skip = exclusions(settings, extra_skips)
        self.daily, self.daily_problems = daily_notes(vault, settings)
        self.records: dict[str, NoteSummary] = {}
        self.walk_problems: list[Diagnostic] = []
        self.loaded = False
        self.progress = progress
        self.warn = warn or _warn
        self.indexer: Indexer | None = None
        if use_cache:
            from mdfollow.cache import connect_store
            from mdfollow.incremental import Indexer

            store = connect_store(vault, self.warn)
            if store is not None:
                self.indexer = Indexer(self, store)

    def is_note(self, rel: str) -> bool:
        parts = rel.split("/")
        return rel[-3:].lower() == ".md" and not any(p.startswith(".") for p in parts) and not self.skip.skip_file(rel)

    def index(self, changed: set[str] | None = None, today: date | None = None) -> VaultIndex:
        """The whole index. With `changed`, only those notes may have changed since the last call."""
        if self.indexer is not None:
            index = self.indexer.index(today, changed)
            if index is not None:
                return index
            self.indexer = None  # the store failed this run: go on without it
        with paused_gc(freeze=not self.loaded or changed is None):
            return self._index(changed)

    def agenda(self, today: date, changed: set[str] | None = None) -> AgendaView:
        """The agenda as of `today`, as rendered lines."""
        if self.indexer is not None:
            view = self.indexer.agenda(today, changed)
            if view is not None:
                return view
            self.indexer = None
        index = self.index(changed)
        return view_of(build_agenda(index, today, self.settings), index)

    def _index(self, changed: set[str] | None) -> VaultIndex:
        if not self.loaded or changed is None:
            files, self.walk_problems = walk(self.vault, self.skip)
            self.records = {read[0]: read[1] for read in read_all(files, self.settings, self.daily)}
            self.loaded = True
        else:
            for rel in changed:
                self.reread(rel)
        return self.build()

    def reread(self, rel: str) -> NoteSummary | None:
        self.records.pop(rel, None)
        if not self.is_note(rel):
            return None
        path = self.vault / rel
        if not path.is_file():
            return None
        record, _, gone = read_note(rel, path, self.settings, self.daily)
        if gone:
            return None
        self.records[rel] = record
        return record

    def run_problems(self) -> tuple[list[Milestone], list[Diagnostic], str]:
        """The milestones, the problems of this run that belong to no note (settings, daily-note
        config, walk, milestones file), and the milestones file's text ("" when absent)."""
        problems = self.setting_problems + self.daily_problems + self.walk_problems
        milestones: list[Milestone] = []
        name = self.settings.milestones_file
        try:
            text: str | None = (self.vault / name).read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            text = None
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(error(name, None, f"cannot be read: {exc}"))
            text = None
        if text is not None:
            milestones, more = parse_milestones(name, text)
            problems = problems + more
        return milestones, problems, text or ""

    def build(self) -> VaultIndex:
        milestones, problems, _ = self.run_problems()
        return build_index(self.records.values(), milestones, problems)

    def close(self) -> None:
        if self.indexer is not None:
            self.indexer.store.close()


def _warn(message: str) -> None:
    import sys

    sys.stderr.write(f"mdfollow: warning: {message}\n")


def load_index(
    vault: Path,
    settings: Settings,
    extra_problems: list[Diagnostic] | None = None,
    extra_skips: tuple[str, ...] = (),
    use_cache: bool = True,
    today: date | None = None,
) -> VaultIndex:
    """Walk, read and index the whole vault."""
    reader = VaultReader(vault, settings, extra_problems, extra_skips, use_cache)
    try:
        return reader.index(today=today)
    finally:
        reader.close()
