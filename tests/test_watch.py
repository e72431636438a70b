"""Watch mode with a real watchdog observer and real saves in each editor style."""

import errno
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import date

import pytest

from mdfollow import watcher as watcher_module
from mdfollow.settings import Settings
from mdfollow.watcher import Watcher, ignored
from tests.helpers import contact

TODAY = date(2026, 11, 23)


class Harness:
    def __init__(self, vault, poll=False, today=None):
        self.vault = vault
        self.rebuilds = []
        self.problems = []
        self.lines = []
        self.cond = threading.Condition()
        self.day = today or TODAY
        self.watcher = Watcher(
            vault=vault,
            settings=Settings(),
            today=lambda: self.day,
            target=vault / "Agenda.md",
            poll=poll,
            debounce=0.15,
            tick_seconds=0.2,
            report=self.lines.append,
            report_problem=self.problems.append,
            on_rebuild=self._rebuilt,
        )
        self.thread = threading.Thread(target=self.watcher.run, daemon=True)

    def _rebuilt(self, rebuild):
        with self.cond:
            self.rebuilds.append(rebuild)
            self.cond.notify_all()

    def start(self):
        self.thread.start()
        self.wait(lambda r: True)
        return self

    def wait(self, predicate, timeout=10.0, start=0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for rebuild in self.rebuilds[start:]:
                    if predicate(rebuild):
                        return rebuild
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching rebuild; saw {[(r.changed, r.error) for r in self.rebuilds]}")
                self.cond.wait(left)

    def agenda(self):
        return (self.vault / "Agenda.md").read_text(encoding="utf-8")

    def stop(self):
        self.watcher.stop()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive()


@pytest.fixture
def harness(make_vault):
    made = []

    def build(files=None, **kwargs):
        vault = make_vault(
            files or contact(met="2026-11-20") | contact("Ann Lee", cadence="weekly", last_contact="2026-11-20")
        )
        h = Harness(vault, **kwargs).start()
        made.append(h)
        return h

    yield build
    for h in made:
        h.stop()


NOTE = "People/Jane Doe.md"


def updated(rel):
    return lambda r: rel in r.changed and r.run is not None


def test_start_writes_the_agenda(harness):
    h = harness()
    assert "Thank [[Jane Doe]]" in h.agenda()
    assert h.rebuilds[0].run.written


def test_save_in_place_several_writes_one_rebuild(harness):
    h = harness()
    n = len(h.rebuilds)
    path = h.vault / NOTE
    text = path.read_text().replace("met: 2026-11-20", "met: 2026-11-21")
    with open(path, "r+", encoding="utf-8") as handle:  # truncate, then write in pieces
        handle.truncate(0)
        handle.flush()
        handle.write(text[:10])
        handle.flush()
        time.sleep(0.03)
        handle.write(text[10:])
    rebuild = h.wait(updated(NOTE), start=n)
    assert "met 2026-11-21" in h.agenda()
    assert rebuild.changed == {NOTE}
    assert not h.problems  # the empty and the half-written states were never reported


def test_save_by_temp_file_and_rename(harness):
    h = harness()
    n = len(h.rebuilds)
    path = h.vault / NOTE
    tmp = h.vault / "People" / ".Jane Doe.md.tmp"
    tmp.write_text(path.read_text().replace("met: 2026-11-20", "met: 2026-11-19"))
    os.replace(tmp, path)
    h.wait(updated(NOTE), start=n)
    assert "met 2026-11-19" in h.agenda()


def test_save_vim_style(harness):
    h = harness()
    n = len(h.rebuilds)
    path = h.vault / NOTE
    text = path.read_text().replace("met: 2026-11-20", "met: 2026-11-18")
    backup = h.vault / "People" / "Jane Doe.md~"
    os.rename(path, backup)
    probe = h.vault / "People" / "4913"
    probe.write_text("")
    probe.unlink()
    path.write_text(text)
    backup.unlink()
    h.wait(lambda r: NOTE in r.changed and r.run is not None and "met 2026-11-18" in h.agenda(), start=n)
    assert not any("Jane Doe.md~" in c or "4913" in c for r in h.rebuilds for c in r.changed)


def test_a_note_caught_mid_save_is_reread_not_reported(harness):
    h = harness()
    n = len(h.rebuilds)
    path = h.vault / NOTE
    good = path.read_text().replace("met: 2026-11-20", "met: 2026-11-17")
    path.write_text("---\ntype: contact\nmet: [2026")  # half a save...
    time.sleep(0.25)  # ...long enough for a quiet moment
    path.write_text(good)
    h.wait(lambda r: "met 2026-11-17" in h.agenda(), start=n)
    assert not h.problems


def test_a_note_that_stays_broken_is_reported_once_and_watching_goes_on(harness):
    h = harness()
    path = h.vault / NOTE
    path.write_text("---\ntype: contact\nmet: [2026\n---\n")
    h.wait(lambda r: any(p.path == NOTE for p in h.problems))
    n = len(h.rebuilds)
    (h.vault / "People/Ann Lee.md").write_text("---\ntype: contact\ncadence: weekly\nlast_contact: 2026-11-19\n---\n")
    h.wait(updated("People/Ann Lee.md"), start=n)
    assert len([p for p in h.problems if p.path == NOTE]) == 1
    assert "Thank [[Jane Doe]]" not in h.agenda()  # skipped while broken
    path.write_text("---\ntype: contact\nmet: 2026-11-20\n---\n")
    h.wait(lambda r: "Thank [[Jane Doe]]" in h.agenda())


def test_a_tick_in_the_agenda_is_recorded_and_own_writes_do_not_loop(harness):
    h = harness()
    n = len(h.rebuilds)
    agenda = h.vault / "Agenda.md"
    agenda.write_text(agenda.read_text(encoding="utf-8").replace("- [ ] Thank", "- [x] Thank"), encoding="utf-8")
    rebuild = h.wait(lambda r: r.run is not None and r.run.recorded, start=n)
    assert "thanked: 2026-11-23" in (h.vault / NOTE).read_text()
    assert "Thank [[Jane Doe]]" not in h.agenda()
    time.sleep(0.8)
    later = [r for r in h.rebuilds[h.rebuilds.index(rebuild) + 1 :] if r.changed]
    assert later == []  # our own writes to the note and the agenda did not trigger a run


def test_a_tasks_plugin_tick_with_its_done_date_is_recorded_on_that_date(harness):
    h = harness()
    n = len(h.rebuilds)
    agenda = h.vault / "Agenda.md"
    # What the Tasks plugin writes when the box is ticked: [x] and the done date before the block link.
    text = agenda.read_text(encoding="utf-8")
    text = re.sub(r"- \[ \] (Thank .*) \^(mf-\w+)", r"- [x] \1 ✅ 2026-11-22 ^\2", text)
    agenda.write_text(text, encoding="utf-8")
    h.wait(lambda r: r.run is not None and r.run.recorded, start=n)
    assert "thanked: 2026-11-22" in (h.vault / NOTE).read_text()
    assert not [r for r in h.rebuilds[n:] if r.error]


def test_a_burst_of_200_saves_loses_no_update(harness):
    h = harness()
    n = len(h.rebuilds)
    path = h.vault / "People/Ann Lee.md"
    for i in range(200):
        day = date(2026, 1, 1).toordinal() + i
        path.write_text(
            f"---\ntype: contact\ncadence: weekly\nlast_contact: {date.fromordinal(day).isoformat()}\n---\n"
        )
    last = date.fromordinal(date(2026, 1, 1).toordinal() + 199)
    h.wait(lambda r: f"last touch {last.isoformat()}" in h.agenda() or "Ann Lee" not in h.agenda(), start=n)
    time.sleep(0.5)
    runs = [r for r in h.rebuilds[n:] if r.changed]
    assert 1 <= len(runs) <= 5, len(runs)
    data_line = [line for line in h.agenda().splitlines() if "Ann Lee" in line]
    assert data_line == [] or last.isoformat() in data_line[0]
    from mdfollow.note import parse_note

    assert parse_note("x.md", path.read_bytes()).front["last_contact"] == last.isoformat()


def test_deleting_a_contact_removes_its_item(harness):
    h = harness()
    n = len(h.rebuilds)
    (h.vault / NOTE).unlink()
    h.wait(updated(NOTE), start=n)
    assert "Jane Doe" not in h.agenda()


def test_a_failed_rebuild_is_reported_and_watching_goes_on(harness, monkeypatch):
    real = watcher_module.refresh_agenda
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(watcher_module, "refresh_agenda", flaky)
    h = harness()
    n = len(h.rebuilds)
    path = h.vault / NOTE
    path.write_text(path.read_text().replace("met: 2026-11-20", "met: 2026-11-16"))
    failed = h.wait(lambda r: bool(r.error), start=n)
    assert "disk on fire" in failed.error and any("disk on fire" in line for line in h.lines)
    path.write_text(path.read_text().replace("met: 2026-11-16", "met: 2026-11-15"))
    h.wait(lambda r: "met 2026-11-15" in h.agenda(), start=n)


def test_the_agenda_moves_on_at_midnight(harness):
    h = harness()
    assert "Follow-ups for Monday 23 November 2026" in h.agenda()
    n = len(h.rebuilds)
    h.day = date(2026, 11, 24)
    h.wait(lambda r: "Tuesday 24 November 2026" in h.agenda(), start=n)


def test_polling_sees_changes(harness):
    h = harness(poll=True)
    n = len(h.rebuilds)
    path = h.vault / NOTE
    path.write_text(path.read_text().replace("met: 2026-11-20", "met: 2026-11-14"))
    h.wait(lambda r: "met 2026-11-14" in h.agenda(), start=n, timeout=15)


def test_inotify_limit_falls_back_to_polling_with_the_fix(make_vault, monkeypatch):
    # The kernel limit cannot be reached safely here; the observer's refusal is simulated.
    def refuse(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(watcher_module.Observer, "schedule", refuse)
    h = Harness(make_vault(contact(met="2026-11-20"))).start()
    try:
        assert any("sysctl fs.inotify.max_user_watches" in line and "polling" in line for line in h.lines)
        n = len(h.rebuilds)
        path = h.vault / NOTE
        path.write_text(path.read_text().replace("met: 2026-11-20", "met: 2026-11-13"))
        h.wait(lambda r: "met 2026-11-13" in h.agenda(), start=n, timeout=15)
    finally:
        h.stop()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signals_stop_cleanly(make_vault, sig):
    vault = make_vault(contact(met="2026-11-20"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "mdfollow", "--vault", str(vault), "--today", "2026-11-23", "watch"],
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    started = threading.Event()

    def read() -> None:
        for line in proc.stderr:
            lines.append(line)
            if "Agenda.md" in line:
                started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if not started.wait(timeout=20):
        proc.kill()
        raise AssertionError(f"watch did not write the agenda: {''.join(lines)}")
    assert "failed" not in "".join(lines), lines
    proc.send_signal(sig)
    assert proc.wait(timeout=15) == 0
    reader.join(timeout=5)
    rest = "".join(lines)
    assert "Traceback" not in rest and rest.strip().endswith("stopped")


def test_ignored_paths():
    for rel in (
        "People/.Jane.md.swp",
        "People/Jane.md~",
        "4913",
        "People/4913",
        ".git/index",
        ".obsidian/workspace.json",
        "x.tmp",
        "People/.#Jane.md",
        "People/#Jane.md#",
        "People/Jane.md.tmp.4821",  # write-then-rename savers with a random suffix
        "People/Jane.md___jb_tmp___",
        "People/Jane.md___jb_old___",
        "People/Jane.md.crswap",
        "People/Jane.md.orig",
        "Agenda.ics",
    ):
        assert ignored(rel), rel
    for rel in ("People/Jane.md", "Agenda.md", ".mdfollow.toml", ".obsidian/daily-notes.json"):
        assert not ignored(rel), rel


def test_renaming_a_folder_reads_the_vault_again(harness):
    h = harness()
    n = len(h.rebuilds)
    os.rename(h.vault / "People", h.vault / "Contacts")
    h.wait(lambda r: r.run is not None and any(c.path.startswith("Contacts/") for c in r.run.index.contacts), start=n)
    assert "Thank [[Jane Doe]]" in h.agenda()


def test_a_dead_observer_thread_is_noticed_restarted_and_said(harness, monkeypatch):
    """watchdog's inotify emitter can die with a KeyError under heavy folder churn (a real
    bug, hard to provoke on demand): make the real emitter thread die that way once."""
    from watchdog.observers.inotify import InotifyEmitter

    real = InotifyEmitter.queue_events
    state = {"armed": False, "fired": 0}

    def dying(self, timeout, **kwargs):
        if state["armed"] and not state["fired"]:
            state["fired"] += 1
            raise KeyError(b"/vault/gone-folder")
        return real(self, timeout, **kwargs)

    monkeypatch.setattr(InotifyEmitter, "queue_events", dying)
    h = harness()
    h.watcher.health_seconds = 0.1
    state["armed"] = True
    time.sleep(0.3)  # the emitter thread wakes on its timeout and dies
    before = len(h.rebuilds)
    deadline = time.monotonic() + 10
    while not any("restarted" in line for line in h.lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert state["fired"] == 1
    assert any("the file watcher died (KeyError" in line and "restarted" in line for line in h.lines), h.lines
    # The new observer delivers events: an edit after the restart reaches the agenda.
    note = h.vault / "People/Ann Lee.md"
    note.write_text(note.read_text().replace("cadence: weekly", "cadence: weekly\nmet: 2026-11-22"))
    h.wait(lambda r: "People/Ann Lee.md" in r.changed, start=before)
    assert "Thank [[Ann Lee]]" in h.agenda()


def test_a_settings_file_saved_half_written_keeps_the_settings_in_force(harness):
    from mdfollow.vault import load_settings

    h = harness()
    h.watcher.load_settings = lambda: load_settings(h.vault)
    (h.vault / ".mdfollow.toml").write_text("horizon_days = [\n", encoding="utf-8")
    deadline = time.monotonic() + 10
    while not any("not valid TOML" in p.message for p in h.problems):
        assert time.monotonic() < deadline, h.problems
        time.sleep(0.05)
    assert h.watcher.settings == Settings()
    n = len(h.rebuilds)
    path = h.vault / NOTE
    path.write_text(path.read_text().replace("met: 2026-11-20", "met: 2026-11-19"))
    h.wait(updated(NOTE), start=n)
    assert "met 2026-11-19" in h.agenda()  # still watching, with the settings it had
    n = len(h.rebuilds)
    (h.vault / ".mdfollow.toml").write_text("horizon_days = 1\n", encoding="utf-8")
    h.wait(lambda r: r.run is not None, start=n)
    assert h.watcher.settings.horizon_days == 1
