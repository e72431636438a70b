"""Reading the vault from disk: where it is, its settings, its notes.

This is the edge between the file system and the pure core: it finds files,
reads bytes, and hands them to `index.summarize`. It writes nothing in the
vault; the one file it writes is the index cache, outside the vault, through
`store`.
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
from mdfollow.errors import SettingsUnusable
from mdfollow.index import DailyNotes, NoteSummary, VaultIndex, build_index, summarize
from mdfollow.milestones import Milestone, parse_milestones
from mdfollow.settings import SETTINGS_FILE, Settings, parse_settings
from mdfollow.store import NotRegular, read_all_bytes

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
    """The vault's settings (defaults when it has no file).

    Raises SettingsUnusable for an explicit `config` that cannot be read, and
    for a settings file that cannot be read or is not TOML.
    """
    path = config if config is not None else vault / SETTINGS_FILE
    try:
        text = read_all_bytes(path).decode("utf-8-sig")
    except FileNotFoundError:
        if config is not None:
            raise SettingsUnusable(error(str(config), None, "settings file not found")) from None
        return Settings(), []
    except IsADirectoryError:
        raise SettingsUnusable(error(_shown(path, vault), None, "is a folder, not a settings file")) from None
    except OSError as exc:
        raise SettingsUnusable(error(_shown(path, vault), None, f"cannot be read: {exc.strerror or exc}")) from None
    except UnicodeDecodeError:
        raise SettingsUnusable(error(_shown(path, vault), None, "cannot be read: not UTF-8 text")) from None
    return parse_settings(text, _shown(path, vault))


def _shown(path: Path, vault: Path) -> str:
    try:
        return path.resolve().relative_to(vault.resolve()).as_posix()
    except ValueError:
        return str(path)


# Obsidian's own settings that mdfollow reads, each in one place.
DAILY_NOTES_FILE = ".obsidian/daily-notes.json"  # core Daily notes: folder, format, template
PERIODIC_NOTES_FILE = ".obsidian/plugins/periodic-notes/data.json"  # 0.x: daily; 1.x: calendarSets
COMMUNITY_PLUGINS = ".obsidian/community-plugins.json"  # the enabled community plugins' ids
TEMPLATES_CONFIG = ".obsidian/templates.json"  # core Templates: folder, dateFormat, timeFormat
TEMPLATER_CONFIG = ".obsidian/plugins/templater-obsidian/data.json"  # Templater: templates_folder
# Every one of them that changes the index (daily notes, template folders): everything
# that must follow a change of them (watch reloads when one changes) reads this.
DAILY_NOTES_CONFIG: tuple[str, ...] = (
    DAILY_NOTES_FILE,
    PERIODIC_NOTES_FILE,
    COMMUNITY_PLUGINS,
    TEMPLATES_CONFIG,
    TEMPLATER_CONFIG,
)


def _read_json(vault: Path, rel: str, problems: list[Diagnostic], fallback: str) -> Any:
    """An Obsidian settings file, or None when it is missing or cannot be read (then said)."""
    path = vault / rel
    if not path.is_file():
        return None
    try:
        return json.loads(read_all_bytes(path).decode("utf-8-sig"))
    except (OSError, ValueError) as exc:
        problems.append(warning(rel, None, f"cannot be read ({exc}); {fallback}"))
        return None


def _periodic_daily(data: Any) -> dict[str, Any]:
    """The daily settings of Periodic Notes: 1.x keeps them per calendar set (`day`,
    `templatePath`), 0.x under `daily` (`template`). Empty when daily notes are off there."""
    if not isinstance(data, dict):
        return {}
    sets = data.get("calendarSets")
    if isinstance(sets, list):
        active = data.get("activeCalendarSet")
        chosen = next((c for c in sets if isinstance(c, dict) and c.get("id") == active), None)
        if chosen is None:
            chosen = next((c for c in sets if isinstance(c, dict)), {})
        day = chosen.get("day")
    else:
        day = data.get("daily")
    if not isinstance(day, dict) or day.get("enabled") is False:
        return {}
    return day


def daily_notes(vault: Path, settings: Settings) -> tuple[DailyNotes, list[Diagnostic]]:
    """Daily-note folder, format and template: mdfollow's settings first, then Periodic
    Notes when that plugin is enabled, then Obsidian's core Daily notes plugin."""
    problems: list[Diagnostic] = []
    plugins = _read_json(vault, COMMUNITY_PLUGINS, problems, "Periodic Notes is taken as off")
    config: dict[str, Any] = {}
    periodic_on = isinstance(plugins, list) and "periodic-notes" in plugins
    if periodic_on or plugins is None:
        config = _periodic_daily(_read_json(vault, PERIODIC_NOTES_FILE, problems, "daily notes use the defaults"))
    if not (periodic_on and config):  # an enabled Periodic Notes wins over a leftover daily-notes.json
        core = _read_json(vault, DAILY_NOTES_FILE, problems, "daily notes use the defaults")
        if isinstance(core, dict) and (core.get("folder") or core.get("format") or core.get("template")):
            config = core
    found_in = PERIODIC_NOTES_FILE if periodic_on and config else DAILY_NOTES_FILE
    configured = str(config.get("folder") or "")
    from mdfollow.settings import outside_vault

    why = outside_vault(configured)
    if configured and not settings.daily_notes_folder and why:
        problems.append(
            error(
                found_in,
                None,
                f"folder {configured!r} {why}; mdfollow writes only inside the vault, so it uses the root",
            )
        )
        configured = ""
    folder = settings.daily_notes_folder or configured
    fmt = settings.daily_notes_format or str(config.get("format") or "") or "YYYY-MM-DD"
    template = str(config.get("templatePath") or config.get("template") or "")
    return DailyNotes(folder.strip("/"), compile_daily_format(fmt), template.strip("/")), problems


def obsidian_template_folders(vault: Path) -> tuple[list[str], list[Diagnostic]]:
    """The folders of Obsidian's Templates plugin and of Templater: templates, never notes."""
    problems: list[Diagnostic] = []
    folders: list[str] = []
    for rel, key in ((TEMPLATES_CONFIG, "folder"), (TEMPLATER_CONFIG, "templates_folder")):
        data = _read_json(vault, rel, problems, "its templates folder is read as notes")
        folder = data.get(key) if isinstance(data, dict) else None
        if isinstance(folder, str) and folder.strip("/ "):
            folders.append(folder.strip("/ "))
    return folders, problems


def template_formats(vault: Path) -> tuple[str, str]:
    """The core Templates plugin's `{{date}}` and `{{time}}` formats."""
    data = _read_json(vault, TEMPLATES_CONFIG, [], "")
    if not isinstance(data, dict):
        return "YYYY-MM-DD", "HH:mm"
    return str(data.get("dateFormat") or "YYYY-MM-DD"), str(data.get("timeFormat") or "HH:mm")


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


def exclusions(
    settings: Settings, extra_files: tuple[str, ...] = (), extra_folders: tuple[str, ...] = ()
) -> Exclusions:
    """What mdfollow never reads as notes: its own outputs, templates (its own and
    Obsidian's, in `extra_folders`) and milestones."""
    files = {
        settings.agenda_file.strip("/"),
        settings.review_file.strip("/"),
        settings.milestones_file.strip("/"),
        *extra_files,
    }
    folders = tuple(
        f.strip("/") for f in (settings.drafts_folder, settings.templates_folder, *extra_folders) if f.strip("/")
    )
    return Exclusions(frozenset(files), folders, tuple(settings.ignore))


Stamp = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode: what git's index compares
NO_STAMP: Stamp = (-1, -1, -1, -1)  # a note that could not be stat-ed: read every time


def walk(
    vault: Path,
    skip: Exclusions,
    stamps: dict[str, Stamp] | None = None,
    by_folder: dict[str, list[tuple[str, Stamp]]] | None = None,
) -> tuple[list[tuple[str, str]], list[Diagnostic]]:
    """Every Markdown note below the vault, as (vault-relative POSIX path, OS path), sorted.

    Dot-folders (.git, .obsidian, .trash) and dot-files are never read; a folder
    reached twice through symlinks is walked once. `stamps` collects each
    note's stamp for the index store. With `by_folder`, the notes go there
    instead, by folder, each as (vault-relative path, stamp), NO_STAMP when it
    has none, and the list returned is empty.
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
        here: list[tuple[str, Stamp]] | None = None
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
            # A skipped folder is never entered: only the file names and globs are left to check.
            elif name[-3:].lower() == ".md" and rel not in skip.files and not (skip.globs and skip.skip_file(rel)):
                try:
                    info = entry.stat()
                    stamp: Stamp = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
                except OSError:
                    stamp = NO_STAMP  # gone, or a broken link: the read reports it
                if by_folder is not None:
                    if here is None:
                        here = by_folder.setdefault(rel_dir, [])
                    here.append((rel, stamp))  # its OS path is the vault's joined with rel
                    continue
                if stamp is not NO_STAMP:
                    stamps[rel] = stamp
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
    except NotRegular as exc:  # a FIFO named x.md would block the read forever: never opened
        problem = warning(rel, None, f"{exc.strerror}; skipped")
        return NoteSummary(rel, "skipped", diagnostics=(problem,)), None, False
    except OSError as exc:
        problem = error(rel, None, f"cannot be read: {exc.strerror or exc}; skipped")
        return NoteSummary(rel, "skipped", diagnostics=(problem,)), None, False
    record = summarize(rel, raw, settings.people, daily)
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


def read_all(
    files: list[tuple[str, str]] | ToRead,
    settings: Settings,
    daily: DailyNotes,
    progress: Progress | None = None,
) -> list[Read]:
    """Read and summarise every note, on every core when the vault is large (mdfollow.parallel)."""
    import threading

    todo: ToRead = [(f[0], f[1], bool(f[2]) if len(f) > 2 else False) for f in files]
    workers = min(os.cpu_count() or 1, 8)
    # fork() in a process with other threads (watch mode) can deadlock: stay on one core there.
    if len(todo) < PARALLEL_FROM or workers < 2 or threading.active_count() > 1 or os.name != "posix":
        return _read_serial(todo, settings, daily, progress)
    from mdfollow.parallel import read_parallel

    try:
        return read_parallel(todo, settings, daily, progress, workers)
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
        template_folders, template_problems = obsidian_template_folders(vault)
        self.skip = exclusions(settings, extra_skips, tuple(template_folders))
        self.daily, self.daily_problems = daily_notes(vault, settings)
        self.daily_problems += template_problems
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
        if rel[-3:].lower() != ".md" or any(p.startswith(".") for p in parts) or self.skip.skip_file(rel):
            return False
        # Nor a note in a folder the walk does not enter (a glob such as `Archive/` names the folder only).
        return not any(self.skip.skip_folder("/".join(parts[:i])) for i in range(1, len(parts)))

    def index(self, changed: set[str] | None = None, today: date | None = None) -> VaultIndex:
        """The whole index. With `changed`, only those notes may have changed since the last call."""
        if self.indexer is not None:
            index = self.indexer.index(today, changed)
            if index is not None:
                return index
            self.indexer = None  # the store failed this run: go on without it
        with paused_gc(freeze=not self.loaded or changed is None):
            return self._index(changed)

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
        if path.is_dir() or not (path.exists() or path.is_symlink()):
            return None  # as the walk: a dangling link or a FIFO is read, and reported
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
            text: str | None = read_all_bytes(self.vault / name).decode("utf-8-sig")
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
        index = reader.index(today=today)
        return index.whole_index()  # answers every question after the store is closed
    finally:
        reader.close()
