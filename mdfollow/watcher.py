"""Watch mode: keep the agenda current while the user edits.

watchdog lives here and nowhere else. The event handler only records which
paths changed; a loop waits for a quiet moment (debounce), then re-reads just
those notes and regenerates the agenda through the same path as `agenda`.
mdfollow's own writes are recognised by their content and do not trigger
another run. One failed rebuild is reported and the watcher goes on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from mdfollow.diagnostics import Diagnostic
from mdfollow.errors import SettingsUnusable
from mdfollow.note import parse_note
from mdfollow.refresh import AgendaRefused, AgendaRun, refresh_agenda, relative
from mdfollow.rules import Memo
from mdfollow.settings import SETTINGS_FILE, Settings
from mdfollow.store import read_all_bytes
from mdfollow.vault import DAILY_NOTES_CONFIG, VaultReader

RESCAN = "*"  # not a path: read the whole vault again
RELOAD = {SETTINGS_FILE, *DAILY_NOTES_CONFIG}  # files that change the settings or the daily-note config
_TEMP_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", ".temp", ".bak", ".crswap", ".part", ".mdfollow-tmp")

INOTIFY_HELP = (
    "the system's limit on watched folders is reached ({why}); watching by polling instead. "
    "To raise it: sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512 "
    "(add them to /etc/sysctl.conf to keep them), or run `mdfollow watch --poll`"
)


def ignored(rel: str) -> bool:
    """Anything that is not a note: editors' swap, backup and temp files (whatever
    they are called: only `.md` files can be notes), and anything in a dot-folder."""
    name = rel.rsplit("/", 1)[-1]
    if rel in RELOAD:
        return False
    if any(part.startswith(".") for part in rel.split("/")):
        return True
    if name[-3:].lower() != ".md":  # Jane.md.tmp.123, Jane.md___jb_tmp___, 4913, .swp ...
        return True
    # Emacs' autosave (#Jane.md#) and lock (.#Jane.md), Office/LibreOffice locks (~$x.md)
    return name.startswith(("#", ".#", "~$")) or name.endswith(_TEMP_SUFFIXES)


class _Recorder(FileSystemEventHandler):
    """Only records what changed; all the work happens in the loop."""

    def __init__(self, vault: Path, wake: threading.Event):
        self.vault = str(vault.resolve())
        self.wake = wake
        self.lock = threading.Lock()
        self.paths: set[str] = set()

    def _add(self, path: str | bytes) -> None:
        text = os.fsdecode(path)
        if not text.startswith(self.vault):
            return
        rel = os.path.relpath(text, self.vault).replace(os.sep, "/")
        if rel == "." or ignored(rel):
            return
        with self.lock:
            self.paths.add(rel)
        self.wake.set()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory:
            # A folder renamed or removed changes many notes at once: read everything again.
            if event.event_type in ("moved", "deleted"):
                with self.lock:
                    self.paths.add(RESCAN)
                self.wake.set()
            return
        self._add(event.src_path)
        dest = getattr(event, "dest_path", "")
        if dest:
            self._add(dest)  # a temp-file-then-rename save is only a move event

    def take(self) -> set[str]:
        with self.lock:
            taken, self.paths = self.paths, set()
        return taken


@dataclass
class Rebuild:
    """What one rebuild did, for the log line and for tests."""

    changed: set[str]
    seconds: float
    run: AgendaRun | None = None
    error: str = ""


@dataclass
class Watcher:
    vault: Path
    settings: Settings
    today: Callable[[], date]
    target: Path
    clock: Callable[[], dt.time] | None = None  # the time of day, for {{time}} in a new daily note
    setting_problems: list[Diagnostic] = field(default_factory=list)
    load_settings: Callable[[], tuple[Settings, list[Diagnostic]]] | None = None
    poll: bool = False
    daily: bool = False  # the agenda goes into today's daily note
    use_cache: bool = True
    debounce: float = 0.2
    tick_seconds: float = 30.0  # how often to look at the clock for midnight
    health_seconds: float = 1.0  # how often to check that the observer is still alive
    retries: int = 2  # re-reads of a note that looks mid-save
    report: Callable[[str], None] = lambda line: None
    report_problem: Callable[[Diagnostic], None] = lambda problem: None
    on_rebuild: Callable[[Rebuild], None] = lambda rebuild: None
    stop_event: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.wake = threading.Event()
        self.recorder = _Recorder(self.vault, self.wake)
        self.written: dict[str, str] = {}  # our own writes: path -> content hash
        self.reported: set[Diagnostic] = set()
        self.suspect: dict[str, int] = {}
        self.reader = self._reader()
        self.memo: Memo = {}
        self.last_agenda: bytes | None = None
        self.last_plain = False  # what was written last holds nothing of the user's
        self.day: date | None = None
        self.thread_errors: list[str] = []
        self._previous_hook = threading.excepthook
        self.restarts: list[float] = []

    def _reader(self) -> VaultReader:
        inside = None if self.daily else relative(self.target, self.vault)
        return VaultReader(
            self.vault, self.settings, self.setting_problems, (inside,) if inside else (), self.use_cache
        )

    def start_observer(self) -> BaseObserver:
        observer: BaseObserver = PollingObserver(timeout=1) if self.poll else Observer()
        try:
            observer.schedule(self.recorder, str(self.vault), recursive=True)
            observer.start()
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EMFILE, errno.ENFILE) or self.poll:
                raise
            self.report(INOTIFY_HELP.format(why=os.strerror(exc.errno)))
            observer = PollingObserver(timeout=1)
            observer.schedule(self.recorder, str(self.vault), recursive=True)
            observer.start()
        return observer

    def run(self) -> None:
        observer = self.start_observer()
        previous_hook = self._previous_hook = threading.excepthook
        threading.excepthook = self._thread_died
        try:
            self.rebuild(None)
            while not self.stop_event.is_set():
                woke = self.wake.wait(timeout=min(self.tick_seconds, self.health_seconds))
                if self.stop_event.is_set():
                    break
                trouble = self._observer_trouble(observer)
                if trouble:
                    observer = self._restart(observer, trouble)
                    self.rebuild(None)  # events were lost while it was dead: read the vault again
                    continue
                if woke:
                    self._settle()
                changed = self.recorder.take()
                if changed or self.today() != self.day:
                    self.rebuild(changed)
        finally:
            threading.excepthook = previous_hook
            observer.stop()
            observer.join(timeout=5)

    def _thread_died(self, args: threading.ExceptHookArgs) -> None:
        """An observer or emitter thread that raises (watchdog's inotify emitter can die with a
        KeyError under heavy folder churn) is noted here, in one line, not as a traceback."""
        from watchdog.utils import BaseThread

        if isinstance(args.thread, BaseThread):
            self.thread_errors.append(f"{args.exc_type.__name__}: {args.exc_value}")
            return
        self._previous_hook(args)

    def _observer_trouble(self, observer: BaseObserver) -> str:
        """Why the observer no longer delivers events ('' while it is healthy)."""
        dead = not observer.is_alive() or any(not e.is_alive() for e in list(observer.emitters))
        if not dead or self.stop_event.is_set():
            return ""
        return self.thread_errors[-1] if self.thread_errors else "its thread ended"

    def _restart(self, observer: BaseObserver, trouble: str) -> BaseObserver:
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < 60] + [now]
        with contextlib.suppress(Exception):
            observer.stop()
            observer.join(timeout=2)
        if len(self.restarts) > 3 and not self.poll:
            self.poll = True
            self.report(
                f"the file watcher died again ({trouble}); switched to polling the vault every second "
                "(use --poll to start that way)"
            )
        else:
            self.report(f"the file watcher died ({trouble}); restarted it and read the whole vault again")
        self.thread_errors.clear()
        return self.start_observer()

    def stop(self) -> None:
        self.stop_event.set()
        self.wake.set()

    def _settle(self) -> None:
        """Wait until no event has come for `debounce` seconds."""
        while not self.stop_event.is_set():
            self.wake.clear()
            if not self.wake.wait(timeout=self.debounce):
                return

    def rebuild(self, changed: set[str] | None) -> Rebuild:
        started = time.perf_counter()
        if changed is not None:
            changed = {rel for rel in changed if not self._own_write(rel)}
            if not changed and self.today() == self.day:
                return Rebuild(set(), 0.0)
            if changed & RELOAD and self.load_settings is not None:
                try:
                    self.settings, self.setting_problems = self.load_settings()
                except SettingsUnusable as exc:  # mid-edit: keep the settings in force, say why
                    self.report_problem(exc.problem)
                    return Rebuild(set(), 0.0)
                self.reader.close()  # its store connection and everything it kept
                self.reader = self._reader()
                self.memo = {}
                changed = None
            elif RESCAN in changed:
                changed = None
        if changed:
            changed = self._hold_back_mid_save(changed)
            if not changed and self.today() == self.day:
                return Rebuild(set(), 0.0)
        result = Rebuild(changed or set(), 0.0)
        try:
            self.day = self.today()
            run = refresh_agenda(
                self.vault,
                self.settings,
                self.day,
                self.target,
                setting_problems=self.setting_problems,
                reader=self.reader,
                changed=changed,
                memo=self.memo,
                last_written=self.last_agenda if self.last_plain else None,
                daily=self.daily,
                now=self.clock() if self.clock is not None else None,
            )
            result.run = run
            for _, recorded in run.recorded:
                self._remember(recorded.path)
            if run.written or self.last_agenda is None:
                self._remember(run.target or self.target)
                self.last_agenda = run.text.encode("utf-8")
            self.last_plain = run.plain  # else the next run reads back what of the user's it kept
            for problem in (*run.index.problems, *run.problems):
                if problem not in self.reported:
                    self.report_problem(problem)
            self.reported = set(run.index.problems) | set(run.problems)
        except AgendaRefused as exc:
            result.error = str(exc)
        except Exception as exc:  # one bad rebuild must not kill the watcher
            result.error = f"rebuild failed: {type(exc).__name__}: {exc}"
        result.seconds = time.perf_counter() - started
        self._log(result)
        self.on_rebuild(result)
        return result

    def _hold_back_mid_save(self, changed: set[str]) -> set[str]:
        """Notes to read now. One that reads empty or broken may be mid-save: it keeps its
        previous state and is read again after another quiet moment (a few times at most)."""
        now = set()
        for rel in changed:
            path = self.vault / rel
            try:
                raw = read_all_bytes(path) if self.reader.is_note(rel) else None
            except OSError:
                raw = None
            tries = self.suspect.get(rel, 0)
            if raw is not None and tries < self.retries and (not raw.strip() or not parse_note(rel, raw).readable):
                self.suspect[rel] = tries + 1
                with self.recorder.lock:
                    self.recorder.paths.add(rel)
                self.wake.set()
                continue
            self.suspect.pop(rel, None)
            now.add(rel)
        return now

    def _own_write(self, rel: str) -> bool:
        expected = self.written.get(rel)
        if expected is None:
            return False
        try:
            current = hashlib.blake2b(read_all_bytes(self.vault / rel), digest_size=16).hexdigest()
        except OSError:
            return False
        if current == expected:
            return True
        del self.written[rel]
        return False

    def _remember(self, path: Path) -> None:
        rel = relative(path, self.vault)
        if rel is not None:
            try:
                self.written[rel] = hashlib.blake2b(read_all_bytes(path), digest_size=16).hexdigest()
            except OSError:
                self.written.pop(rel, None)

    def _log(self, result: Rebuild) -> None:
        target = result.run.target if result.run is not None and result.run.target is not None else self.target
        shown = relative(target, self.vault) or str(target)
        what = ", ".join(sorted(result.changed)[:3]) + (
            f" and {len(result.changed) - 3} more" if len(result.changed) > 3 else ""
        )
        what = what or "start"
        ms = f"{result.seconds * 1000:.0f} ms"
        if result.error:
            self.report(f"{time.strftime('%H:%M:%S')} {what}: {result.error}")
            return
        run = result.run
        if run is None:
            return
        recorded = [f"{item.action} for {item.contact.name}" for item, r in run.recorded if not r.already]
        done = f"recorded {', '.join(recorded)}; " if recorded else ""
        if run.written or recorded or result.changed == set():
            agenda = run.agenda
            counts = (
                f"{len(agenda.overdue())} overdue, {len(agenda.due_today())} today, {len(agenda.upcoming())} coming up"
            )
            state = "wrote" if run.written else "unchanged"
            self.report(f"{time.strftime('%H:%M:%S')} {what}: {done}{state} {shown} ({counts}) in {ms}")
        else:
            self.report(f"{time.strftime('%H:%M:%S')} {what}: {shown} unchanged in {ms}")
