"""Proof of equivalence for everything a user sees: the same vault twice, one copy run with the
index store (A), the other with `--no-cache` (B), the same changes made to both, and after every
change the whole `agenda` run (ticks recorded into notes, Agenda.md written), `agenda --json` and
`agenda --stdout` on each. Every file of both vaults must be byte-identical, and so must the
exit codes, stdout and stderr.

In the random sequences a third copy (C) is kept current as `watch` keeps it: a Watcher told
which files changed, as its file observer would say, must leave C as `agenda` leaves B.

Only public entry points are used (the CLI with `--vault`, `--today`, `--no-cache`, and a
Watcher's `rebuild(changed)`), so these tests hold whatever the store does inside. Every test
here gets its own cache folders.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from mdfollow.cli import cli
from mdfollow.vault import load_settings
from mdfollow.watcher import Watcher

TODAY = date(2026, 11, 23)
NFC = unicodedata.normalize("NFC", "Chloé Dubois")
NFD = unicodedata.normalize("NFD", "Chloé Dubois")
NAMES = ["Ann Lee", "Ben Carter", NFC, "Dan Roe", "Eva Berg"]
# Names a note may take beside a contact's: copies as sync tools and Obsidian make them, the
# same name in the other Unicode form (macOS writes NFD), and a second Ann in another folder.
VARIANTS = ["Ann Lee 2", "Ann Lee (conflicted copy)", "Ben Carter 1", NFD]
FOLDERS = ["People/", "Work/", ""]
DAYS = [
    "2026-08-20", "2026-10-02", "2026-10-24", "2026-11-01", "2026-11-10", "2026-11-15", "2026-11-20",
    "2026-11-22", "2026-11-23", "2026-11-24", "2026-12-01", "2026-12-20",
]  # fmt: skip
BIRTHDAYS = ["1990-11-25", "11-24", "--11-26", "--12-24", "1984-12-23", "02-29", "1979-11-23"]
COMPANIES = ["Acme", "Globex"]
# Whatever the next run is told today is: the same day, the next, the next month.
DAYS_RUN = [TODAY, TODAY + timedelta(days=1), date(2026, 12, 23), date(2026, 11, 30)]


# --- the vault ---------------------------------------------------------------------------


def contact_text(draw: st.DrawFn) -> str:
    lines = ["---", draw(st.sampled_from(["type: contact", "type: contact", "type: person", "type: Contact"]))]
    if draw(st.integers(0, 2)) == 0:
        lines.append(f"name: {draw(st.sampled_from([*NAMES, 'ann lee', 'BEN CARTER', NFD]))}")
    if draw(st.integers(0, 2)):
        lines.append(f"met: {draw(st.sampled_from(DAYS))}")
    for key in ("thanked", "last_contact", "added", "next_follow_up", "reported_back", "snooze_until"):
        if draw(st.integers(0, 3)) == 0:
            lines.append(f"{key}: {draw(st.sampled_from(DAYS))}")
    if draw(st.integers(0, 3)) == 0:
        lines.append("advice: Talk to the data team first")
    if draw(st.booleans()):
        lines.append(f"cadence: {draw(st.sampled_from(['monthly', '2w', 'quarterly', 'weekly', 'none', '45d']))}")
    if draw(st.integers(0, 3)) == 0:
        lines.append(f"warmth: {draw(st.sampled_from(['cool', 'warm', 'hot']))}")  # hot: a key problem
    referrers = [*NAMES, *VARIANTS, "Nobody", "Work/Ben Carter", "People/Ann Lee", "../People/Dan Roe", "/Eva Berg"]
    if draw(st.integers(0, 2)) == 0:
        lines.append(f'referred_by: "[[{draw(st.sampled_from(referrers))}]]"')
    elif draw(st.integers(0, 3)) == 0:  # several people referred this one
        many = draw(st.lists(st.sampled_from(referrers), min_size=2, max_size=3))
        lines += ["referred_by:", *(f'  - "[[{target}]]"' for target in many)]
    if draw(st.integers(0, 2)) == 0:
        lines.append(f"company: {draw(st.sampled_from(COMPANIES))}")
    if draw(st.integers(0, 4)) == 0:
        lines.append("keep_informed: true")
    if draw(st.integers(0, 4)) == 0:
        lines.append(f"status: {draw(st.sampled_from(['paused', 'closed', 'active']))}")
    if draw(st.integers(0, 2)) == 0:
        lines.append(f"birthday: {draw(st.sampled_from(BIRTHDAYS))}")
    log: list[str] = []
    strikes = draw(st.integers(0, 5))
    if strikes <= 3:  # tries unanswered, as `log sent` leaves them: the log tells since when
        first = date(2026, 9, 1) + timedelta(days=draw(st.integers(0, 70)))
        sent = [first + timedelta(days=9 * i) for i in range(max(strikes, 1))]
        lines += [f"last_outreach: {sent[-1].isoformat()}", f"strikes: {strikes}"]
        log = [
            "",
            "## Interactions",
            "",
            *(f"- {day.isoformat()} sent: asked, try {i + 1}" for i, day in enumerate(sent)),
        ]
    return "\n".join([*lines, "---", "", "Notes.", *log, ""])


def contact_path(draw: st.DrawFn) -> str:
    return f"{draw(st.sampled_from(FOLDERS))}{draw(st.sampled_from([*NAMES, *VARIANTS]))}.md"


LINKS = [
    *NAMES, *VARIANTS, "Nobody", "People/Ann Lee", "Work/Ben Carter", "Dan Roe|Dan", "Ann Lee#Notes",
    "../People/Eva Berg", "../Ben Carter", "People/Chloé Dubois", "../Work/Ann Lee 2",
]  # fmt: skip
# Markdown links, as Obsidian writes them with "Use [[Wikilinks]]" off: relative to the note, spaces encoded.
MD_LINKS = [
    "[Ann](../People/Ann%20Lee.md)", "[Ben](<../Work/Ben Carter.md>)", "[Dan](Dan%20Roe.md)",
    "[Eva](../People/Eva%20Berg.md)", "[C](../People/Chlo%C3%A9%20Dubois.md)", "[Ann](/People/Ann%20Lee.md)",
]  # fmt: skip


def dated_text(draw: st.DrawFn) -> str:
    head = []
    if draw(st.integers(0, 2)) == 0:  # a date property wins over the file name, or dates a plain note
        head.append(f"date: {draw(st.sampled_from(DAYS))}")
    if draw(st.integers(0, 2)) == 0:  # a meeting note's attendees: links in a property
        head += ["attendees:", *(f'  - "[[{t}]]"' for t in draw(st.lists(st.sampled_from(LINKS), max_size=2)))]
    front = "---\n" + "\n".join(head) + "\n---\n" if head else ""
    body = ""
    for target in draw(st.lists(st.sampled_from(LINKS), max_size=3)):
        box = draw(st.sampled_from(["", "[x] ", "[ ] ", "> "]))  # an open task or a quote is no touch
        body += f"- {box}met [[{target}]]\n"
    body += "".join(f"- emailed {link}\n" for link in draw(st.lists(st.sampled_from(MD_LINKS), max_size=2)))
    return front + "# Day\n\n" + body


def dated_path(draw: st.DrawFn) -> str:
    day = draw(st.sampled_from(DAYS))
    return draw(st.sampled_from([f"Daily/{day}.md", f"Meetings/{day} call.md", "Meetings/Call with the team.md"]))


def settings_text(draw: st.DrawFn) -> str:
    # -1: a bad value, reported, the default used
    lines = [f"horizon_days = {draw(st.sampled_from([7, 30, 400, 30, -1]))}"]
    for key, values in (
        ("thank_after_days", [1, 4]),
        ("strike_limit", [3, 2]),
        ("report_back_after_days", [30, 5]),
        ("cool_stretch", [2, 3]),
        ("update_after_days", [2, 9]),
        ("reach_out_after_days", [2, 0]),
        ("tell_referrer_after_days", [3, 1]),
    ):
        if draw(st.integers(0, 3)) == 0:
            lines.append(f"{key} = {draw(st.sampled_from(values))}")
    if draw(st.integers(0, 3)) == 0:
        lines.append(f"nudge_after_days = {draw(st.sampled_from(['[7, 14]', '[3]', '[2, 5, 9]']))}")
    if draw(st.integers(0, 4)) == 0:
        lines.append('contact_folders = ["People"]')  # every note there is a contact
    if draw(st.integers(0, 4)) == 0:
        lines.append('ignore = ["Projects/*"]')
    if draw(st.integers(0, 4)) == 0:
        lines.append('daily_notes_folder = "Daily"')
    if draw(st.integers(0, 4)) == 0:
        lines += ["[keys]", 'last_contact = "last_contacted"']
    return "\n".join(lines) + "\n"


def milestones_text(draw: st.DrawFn) -> str:
    rows = []
    for _ in range(draw(st.integers(0, 3))):
        day = draw(st.sampled_from(DAYS))
        about = draw(st.sampled_from([*(f" (company: {c})" for c in COMPANIES), ""]))
        rows.append(f"- {day} Interview round{about}\n")
    return "# Milestones\n\n" + "".join(rows)


# --- two vaults, one with the store ------------------------------------------------------


@dataclass
class Twins:
    """Vault A (run with the store, its cache folder kept across runs) and vault B (--no-cache);
    with `watch`, vault C too, kept current by a watcher told which files changed."""

    root: Path
    watch: bool = False
    log: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for sub in ("a", "b", "c", "cache-a", "cache-b"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.watcher: Watcher | None = None
        self.today = TODAY
        self.seen: dict[str, bytes] = {}  # vault C as the watcher last left it

    @property
    def vaults(self) -> tuple[Path, Path]:
        return self.root / "a", self.root / "b"

    @property
    def copies(self) -> tuple[Path, ...]:
        return (*self.vaults, self.root / "c") if self.watch else self.vaults

    def write(self, rel: str, text: str | bytes) -> None:
        data = text.encode("utf-8") if isinstance(text, str) else text
        for vault in self.copies:
            (vault / rel).parent.mkdir(parents=True, exist_ok=True)
            (vault / rel).write_bytes(data)

    def delete(self, rel: str) -> None:
        for vault in self.copies:
            (vault / rel).unlink()

    def rename(self, old: str, new: str) -> None:
        for vault in self.copies:
            (vault / new).parent.mkdir(parents=True, exist_ok=True)
            (vault / old).rename(vault / new)

    def synced(self, rel: str, text: str) -> None:
        """Replace a note as a sync tool does: same size, the old modification time kept."""
        for vault in self.copies:
            path = vault / rel
            before = path.stat()
            path.write_bytes(text.encode("utf-8"))
            os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))

    def watched(self, today: date) -> None:
        """What `watch` does when told which files changed since it last looked (as its file
        observer would report them): vault C must then hold what B holds after `agenda`."""
        vault = self.root / "c"
        self.today = today
        if self.watcher is None:
            settings_, problems = load_settings(vault)
            self.watcher = Watcher(
                vault=vault,
                settings=settings_,
                setting_problems=problems,
                today=lambda: self.today,
                target=vault / "Agenda.md",
                load_settings=lambda: load_settings(vault),
            )
            changed: set[str] | None = None
        else:
            now = _files(vault)
            changed = {rel for rel in now.keys() | self.seen.keys() if now.get(rel) != self.seen.get(rel)}
        for _ in range(4):  # a note that looked mid-save is read again after another quiet moment
            result = self.watcher.rebuild(changed)
            assert not result.error.startswith("rebuild failed"), result.error
            changed = self.watcher.recorder.take()
            if not changed:
                break
        self.seen = _files(vault)
        b = _files(self.vaults[1])
        steps = "\n".join(self.log)
        assert self.seen.keys() == b.keys(), (
            f"watch: files differ after:\n{steps}\n{sorted(self.seen.keys() ^ b.keys())}"
        )
        for rel in b:
            assert self.seen[rel] == b[rel], f"watch: {rel} differs after:\n{steps}\n{_diff(self.seen[rel], b[rel])}"

    def read(self, rel: str) -> bytes | None:
        path = self.vaults[0] / rel
        return path.read_bytes() if path.is_file() else None

    def notes(self) -> list[str]:
        found = []
        for dirpath, _, files in os.walk(self.vaults[0]):
            for name in files:
                rel = (Path(dirpath) / name).relative_to(self.vaults[0]).as_posix()
                if rel.endswith(".md") and rel not in ("Agenda.md", "Milestones.md"):
                    found.append(rel)
        return sorted(found)

    def run(self, vault: Path, today: date, *args: str) -> tuple[int, str, str]:
        store = vault == self.vaults[0]
        cache = self.root / ("cache-a" if store else "cache-b")
        options = ["--vault", str(vault), "--today", today.isoformat(), *([] if store else ["--no-cache"])]
        result = CliRunner().invoke(cli, [*options, *args], env={"MDFOLLOW_CACHE_DIR": str(cache)})
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        out, err = (
            text.replace(str(vault), "<vault>").replace(str(cache), "<cache>")
            for text in (result.stdout, result.stderr)
        )
        return result.exit_code, out, err

    def check(self, today: date, what: str = "") -> list[str]:
        """The whole agenda, then what scripts and a look read, on both; then every byte of both
        vaults. Returns what the commands printed (stdout and stderr, in turn)."""
        self.log.append(f"{what} (today {today})")
        shown: list[str] = []
        for args in (("agenda", "--stdout"), ("agenda",), ("agenda", "--json"), ("agenda", "--stdout")):
            got, expected = (self.run(vault, today, *args) for vault in self.vaults)
            steps = "\n".join(self.log)
            assert got[0] == expected[0], f"`{' '.join(args)}` exit code after:\n{steps}\n{got}\n{expected}"
            assert got[2] == expected[2], f"`{' '.join(args)}` stderr after:\n{steps}\n{_diff(got[2], expected[2])}"
            assert got[1] == expected[1], f"`{' '.join(args)}` stdout after:\n{steps}\n{_diff(got[1], expected[1])}"
            shown += got[1:]
        a, b = (_files(vault) for vault in self.vaults)
        assert a.keys() == b.keys(), f"files differ after:\n{steps}\n{sorted(a.keys() ^ b.keys())}"
        for rel in a:
            assert a[rel] == b[rel], f"{rel} differs after:\n{steps}\n{_diff(a[rel], b[rel])}"
        # --no-cache neither uses nor updates the store (the vault's write lock lives there too)
        kept = [p.name for p in (self.root / "cache-b").iterdir() if not p.name.endswith(".lock")]
        assert not kept, f"--no-cache wrote into the cache folder: {kept}"
        assert any(p for p in (self.root / "cache-a").iterdir() if not p.name.endswith(".lock")), "no store kept"
        if self.watch:
            self.watched(today)
        return shown


def _files(vault: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, _, files in os.walk(vault):
        for name in files:
            path = Path(dirpath) / name
            out[path.relative_to(vault).as_posix()] = path.read_bytes()
    return out


def _diff(got: str | bytes, expected: str | bytes) -> str:
    import difflib

    a, b = (t.decode("utf-8", "replace") if isinstance(t, bytes) else t for t in (got, expected))
    return "\n".join(difflib.unified_diff(b.splitlines(), a.splitlines(), "no-cache", "store", lineterm=""))


# --- what a user does to the agenda file -------------------------------------------------


OWN_LINES = ["- call the recruiter back", "A line of my own.", "- [ ] buy stamps"]


def agenda_edit(twins: Twins, draw: st.DrawFn, today: date) -> str:
    """Tick, cancel or start an item as the Tasks plugin does, or add a line of one's own."""
    raw = twins.read("Agenda.md")
    if raw is None:
        return "no agenda yet"
    lines = raw.decode("utf-8").split("\n")
    open_items = [i for i, line in enumerate(lines) if line.startswith("- [ ] ") and "^mf-" in line]
    kind = draw(st.sampled_from(["tick", "tick", "done-date", "cancel", "in-progress", "own-line"]))
    if kind == "own-line" or not open_items:
        at = draw(st.integers(1, max(1, len(lines) - 2)))
        lines.insert(at, draw(st.sampled_from(OWN_LINES)))
    else:
        at = draw(st.sampled_from(open_items))
        body, ident = lines[at][6:].rsplit(" ^", 1)
        when = today - timedelta(days=draw(st.integers(0, 3)))
        if kind == "tick":
            lines[at] = f"- [x] {body} ^{ident}"
        elif kind == "done-date":  # as Tasks writes it: the done date before the block id
            lines[at] = f"- [x] {body} ✅ {when.isoformat()} ^{ident}"
        elif kind == "cancel":
            lines[at] = f"- [-] {body} ❌ {when.isoformat()} ^{ident}"
        else:
            lines[at] = f"- [/] {body} ^{ident}"
    twins.write("Agenda.md", "\n".join(lines))
    return f"{kind} at line {at + 1}"


# --- 1. random sequences -----------------------------------------------------------------


OPERATIONS = [
    "edit", "edit", "add", "delete", "rename", "dated", "dated-edit", "namesake", "copy", "flip", "day",
    "milestones", "settings", "agenda", "agenda", "bulk", "synced", "obsidian",
]  # fmt: skip
# Obsidian's own settings that change which notes are dated notes and which are templates.
OBSIDIAN = [
    (".obsidian/daily-notes.json", '{"folder": "Journal", "format": "DD.MM.YYYY"}'),
    (".obsidian/daily-notes.json", '{"folder": "Daily", "format": "YYYY-MM-DD"}'),
    (".obsidian/daily-notes.json", None),
    (".obsidian/templates.json", '{"folder": "Meetings"}'),
    (".obsidian/templates.json", None),
]  # fmt: skip


def operate(twins: Twins, draw: st.DrawFn, op: str, today: date) -> tuple[str, date]:
    notes = twins.notes()
    typed = [rel for rel in notes if (twins.read(rel) or b"").startswith((b"---\ntype: ", b"---\nkind: "))]
    if op == "synced" and notes:  # one digit of a date changed, size and modification time kept
        rel = draw(st.sampled_from(notes))
        text = (twins.read(rel) or b"").decode("utf-8")
        if "2026-1" not in text:
            return f"synced {rel}: no date", today
        twins.synced(rel, text.replace("2026-1", draw(st.sampled_from(["2026-0", "2025-1"])), 1))
        return f"synced {rel}", today
    if op in ("edit", "delete", "rename", "flip", "dated-edit") and notes:
        untyped = [rel for rel in notes if rel not in typed]
        pool = (typed if op == "flip" else untyped if op == "dated-edit" else notes) or notes
        rel = draw(st.sampled_from(pool))
        text = (twins.read(rel) or b"").decode("utf-8")
        is_contact = text.startswith("---\ntype: ")
        if op == "edit":
            twins.write(rel, contact_text(draw) if is_contact else dated_text(draw))
        elif op == "dated-edit":  # a note moving to another day: date property or file name
            twins.write(rel, dated_text(draw))
        elif op == "delete":
            twins.delete(rel)
        elif op == "flip":  # a contact note loses its type, or gets it back
            if is_contact:
                twins.write(rel, text.replace("type: ", "kind: ", 1))
            elif text.startswith("---\nkind: "):
                twins.write(rel, text.replace("kind: ", "type: ", 1))
        else:
            new = contact_path(draw) if is_contact else dated_path(draw)
            if twins.read(new) is not None:
                return f"rename {rel}: {new} is taken", today
            twins.rename(rel, new)
            return f"rename {rel} -> {new}", today
        return f"{op} {rel}", today
    if op in ("add", "dated", "copy", "namesake"):
        if op == "add":
            rel, text = contact_path(draw), contact_text(draw)
        elif op == "dated":
            rel, text = dated_path(draw), dated_text(draw)
        elif op == "copy":  # a copy beside the original, as sync tools leave them
            rel = f"{draw(st.sampled_from(FOLDERS))}{draw(st.sampled_from(VARIANTS))}.md"
            text = contact_text(draw)
        else:  # not a person, named as one: at the root, beside the daily notes, elsewhere
            folder = draw(st.sampled_from(["Projects/", "Daily/", "Meetings/", ""]))
            rel, text = f"{folder}{draw(st.sampled_from([*NAMES, NFD]))}.md", "# A project\n"
        twins.write(rel, text)
        return f"{op} {rel}", today
    if op == "day":
        return "day", draw(st.sampled_from(DAYS_RUN))
    if op == "obsidian":
        rel, config = draw(st.sampled_from(OBSIDIAN))
        if config is not None:
            twins.write(rel, config)
            twins.write("Journal/20.11.2026.md", dated_text(draw))  # a daily note only in that format
        elif twins.read(rel) is not None:
            twins.delete(rel)
        return f"obsidian {rel}: {config}", today
    if op == "milestones":
        twins.write("Milestones.md", milestones_text(draw))
        return "milestones", today
    if op == "settings":
        twins.write(".mdfollow.toml", settings_text(draw))
        return "settings", today
    if op == "agenda":
        return "agenda: " + agenda_edit(twins, draw, today), today
    # bulk: many notes at once, as a sync or a search-and-replace does
    for rel in notes:
        if draw(st.booleans()):
            text = (twins.read(rel) or b"").decode("utf-8")
            twins.write(rel, text.replace("2026-11-", "2026-10-").replace("monthly", "weekly"))
    return "bulk", today


def seed(twins: Twins, draw: st.DrawFn) -> None:
    for name in NAMES:
        twins.write(f"People/{name}.md", contact_text(draw))
    twins.write("Work/Ben Carter.md", contact_text(draw))  # the same name in two folders
    twins.write("Daily/2026-11-20.md", dated_text(draw))
    twins.write("Meetings/2026-11-15 call.md", dated_text(draw))
    twins.write("Companies/Acme.md", "# Acme\n\nWhere [[Ann Lee]] works.\n")
    twins.write("Milestones.md", milestones_text(draw))
    twins.write(".mdfollow.toml", settings_text(draw))


@settings(
    max_examples=20,
    deadline=None,
    # No shrinking: at six CLI runs a step it takes minutes; the failure message lists every step.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    derandomize=True,  # the same sequences on every run: a failure here is never a fluke
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.data())
def test_a_run_with_the_store_shows_what_a_run_without_shows_after_every_change(tmp_path_factory, data):
    twins = Twins(tmp_path_factory.mktemp("twins"), watch=True)
    try:
        seed(twins, data.draw)
        today = TODAY
        twins.check(today, "the first run")
        for _ in range(data.draw(st.integers(3, 10))):
            op = data.draw(st.sampled_from(OPERATIONS))
            what, today = operate(twins, data.draw, op, today)
            note(what)
            twins.check(today, what)
    finally:
        release_stores()


def release_stores() -> None:
    """Close the store connections the in-process runs left open. A command's reader is not
    closed (its process ends), and the collector was told to freeze what a full read built."""
    import gc

    gc.unfreeze()
    gc.collect()


# --- 2. the dependencies one at a time ---------------------------------------------------


def check_steps(
    tmp_path: Path, files: dict[str, str], steps: list[dict[str, str | None]], today: date = TODAY
) -> Twins:
    """Each step: {path: new text, or None to delete; "@today": a date; "@rename": "old -> new"}.

    Each step must change what the agenda shows: a store that missed the change would show
    the step before."""
    twins = Twins(tmp_path)
    for rel, text in files.items():
        twins.write(rel, text)
    before = twins.check(today, "the first run")
    for step in steps:
        for rel, change in step.items():
            if rel == "@today":
                today = date.fromisoformat(str(change))
            elif rel == "@rename":
                old, new = str(change).split(" -> ")
                twins.rename(old, new)
            elif change is None:
                twins.delete(rel)
            else:
                twins.write(rel, change)
        shown = twins.check(today, repr(step)[:200])
        assert shown != before, f"this step changed nothing the agenda shows: {step!r}"[:300]
        before = shown
    return twins


WIDE = "horizon_days = 400\n"  # every item shows, so every change shows


def test_a_root_note_takes_a_bare_link_from_the_contact(tmp_path):
    # Pins: a new note whose name makes an existing bare link resolve elsewhere (a note at the
    # root wins [[Ann Lee]] over People/Ann Lee.md); the daily note itself did not change.
    check_steps(
        tmp_path,
        {
            "People/Ann Lee.md": "---\ntype: contact\ncadence: monthly\nadded: 2026-01-01\n---\n",
            "Daily/2026-11-20.md": "- met [[Ann Lee]]\n",
            ".mdfollow.toml": WIDE,
        },
        [{"Ann Lee.md": "# a project\n"}, {"Ann Lee.md": None}],
    )


def test_a_deleted_note_lets_its_links_fall_back_to_the_contact(tmp_path):
    # Pins: deleting the note a link resolved to makes the link resolve to the next candidate
    # (here, from the daily note's folder, to the contact): the linking note is unchanged.
    check_steps(
        tmp_path,
        {
            "People/Ann Lee.md": "---\ntype: contact\ncadence: 2w\nadded: 2026-01-01\n---\n",
            "Daily/Ann Lee.md": "# not a person\n",
            "Daily/2026-11-20.md": "- met [[Ann Lee]]\n",
            "Meetings/2026-11-21 call.md": "---\nattendees:\n  - '[[Ann Lee]]'\n---\n",
            ".mdfollow.toml": WIDE,
        },
        [{"Daily/Ann Lee.md": None}, {"Daily/Ann Lee.md": "# back\n"}],
    )


def test_a_contact_becomes_a_copy_when_its_original_appears(tmp_path):
    # Pins: "Ann Lee 2.md" alone is a contact named Ann Lee 2; "Ann Lee.md" appearing beside it
    # changes what [[Ann Lee]] and [[Ann Lee 2]] reach and which contact the copy is taken for.
    check_steps(
        tmp_path,
        {
            "People/Ann Lee 2.md": "---\ntype: contact\nmet: 2026-11-20\n---\n",
            "People/Ben Carter.md": "---\ntype: contact\nreferred_by: '[[Ann Lee]]'\nmet: 2026-11-19\n---\n",
            "Daily/2026-11-22.md": "- met [[Ann Lee]]\n- met [[Ann Lee 2]]\n",
            ".mdfollow.toml": WIDE,
        },
        [
            {"People/Ann Lee.md": "---\ntype: contact\ncadence: weekly\n---\n"},
            {"People/Ann Lee (conflicted copy).md": "---\ntype: contact\nmet: 2026-11-21\n---\n"},
            {"People/Ann Lee.md": None},
        ],
    )


def test_a_referrer_renamed_stops_being_the_referrer(tmp_path):
    # Pins: referred_by resolves through the file name; renaming the referrer's file (no
    # content change anywhere) drops the tell-referrer item, renaming it back restores it.
    check_steps(
        tmp_path,
        {
            "People/Ann Lee.md": "---\ntype: contact\nmet: 2026-11-19\nreferred_by: '[[Ben Carter]]'\n---\n",
            "People/Ben Carter.md": "---\ntype: contact\nlast_contact: 2026-10-01\n---\n",
            ".mdfollow.toml": WIDE,
        },
        [
            {"@rename": "People/Ben Carter.md -> People/Benjamin Carter.md"},
            {"@rename": "People/Benjamin Carter.md -> Work/Ben Carter.md"},
        ],
    )


def test_a_dated_note_moved_to_another_day(tmp_path):
    # Pins: a mention's date comes from the note's date property, else its file name: changing
    # either moves the touch (and so the check-in, the nudge, the tell-referrer).
    meeting = "---\ndate: 2026-11-02\n---\n- met [[Ann Lee]]\n"
    check_steps(
        tmp_path,
        {
            "People/Ann Lee.md": "---\ntype: contact\ncadence: 2w\nadded: 2026-01-01\n---\n",
            "People/Ben Carter.md": "---\ntype: contact\nmet: 2026-11-01\nreferred_by: '[[Ann Lee]]'\n---\n",
            "Meetings/2026-11-20 call.md": meeting,
            ".mdfollow.toml": WIDE,
        },
        [
            {"Meetings/2026-11-20 call.md": meeting.replace("2026-11-02", "2026-11-21")},
            {"Meetings/2026-11-20 call.md": "- met [[Ann Lee]]\n"},  # the file name's date now
            {"@rename": "Meetings/2026-11-20 call.md -> Meetings/2026-11-05 call.md"},
            {"@rename": "Meetings/2026-11-05 call.md -> Meetings/Call.md"},  # no date at all: no touch
        ],
    )


def test_a_mention_moved_from_one_contact_to_another(tmp_path):
    # Pins: the reverse mention map: editing one dated note changes two contacts' items.
    check_steps(
        tmp_path,
        {
            "People/Ann Lee.md": "---\ntype: contact\ncadence: monthly\nadded: 2026-01-01\n---\n",
            "People/Ben Carter.md": "---\ntype: contact\ncadence: monthly\nadded: 2026-01-01\n---\n",
            "Daily/2026-11-20.md": "- met [[Ann Lee]]\n",
            ".mdfollow.toml": WIDE,
        },
        [
            {"Daily/2026-11-20.md": "- met [Ben](../People/Ben%20Carter.md)\n"},
            {"Daily/2026-11-20.md": "- [ ] call [[Ben Carter]]\n- [x] called [[Ann Lee]]\n"},
        ],
    )


def test_a_milestone_for_a_company(tmp_path):
    # Pins: the milestones file reaches every contact of the company (and those kept informed),
    # though no note changed.
    check_steps(
        tmp_path,
        {
            "People/Ann Lee.md": "---\ntype: contact\ncompany: Acme\nlast_contact: 2026-11-01\n---\n",
            "People/Ben Carter.md": "---\ntype: contact\nkeep_informed: true\nlast_contact: 2026-11-01\n---\n",
            "People/Dan Roe.md": "---\ntype: contact\ncompany: Globex\nlast_contact: 2026-11-01\n---\n",
            "Milestones.md": "# Milestones\n\n",
        },
        [
            {"Milestones.md": "# Milestones\n\n- 2026-11-19 Offer (company: Acme)\n"},
            {"Milestones.md": "# Milestones\n\n- 2026-11-19 Offer (company: Globex)\n"},
            {"Milestones.md": None},
        ],
    )


def test_the_day_changes_and_nothing_else(tmp_path):
    # Pins: today is an input of every item, birthday, gone-quiet and snooze: a new day with no
    # note changed, then a new month, then back.
    check_steps(
        tmp_path,
        {
            "People/Ann Lee.md": "---\ntype: contact\nmet: 2026-11-20\nbirthday: --11-25\n---\n",
            "People/Ben Carter.md": "---\ntype: contact\nsnooze_until: 2026-11-24\ncadence: weekly\n---\n",
            "People/Dan Roe.md": "---\ntype: contact\nbirthday: 1990-12-24\nnext_follow_up: 2026-12-22\n---\n",
        },
        [{"@today": "2026-11-24"}, {"@today": "2026-12-23"}, {"@today": "2026-11-23"}],
    )


def test_the_settings_change_and_nothing_else(tmp_path):
    # Pins: the settings are an input of every contact (horizon, rules' days, what is a contact,
    # key names), with no note changed.
    check_steps(
        tmp_path,
        {
            "People/Ann Lee.md": "---\ntype: contact\ncadence: weekly\nmet: 2026-10-01\nthanked: 2026-10-02\n"
            "reported_back: 2026-10-05\nlast_contacted: 2026-11-21\n---\n",
            "People/Ben Carter.md": "---\ntype: contact\nthanked: 2026-11-01\n---\n",
            "People/Dan Roe.md": "# no type, but in People\n",
            "Daily/2026-11-21.md": "- met [[Dan Roe]]\n",
        },
        [
            {".mdfollow.toml": WIDE},
            {".mdfollow.toml": "report_back_after_days = 5\nthank_after_days = 5\n"},
            {".mdfollow.toml": 'contact_folders = ["People"]\n'},
            {".mdfollow.toml": '[keys]\nlast_contact = "last_contacted"\n'},
            {".mdfollow.toml": None},
        ],
    )


def test_the_daily_notes_config_changes_and_nothing_else(tmp_path):
    # Pins: Obsidian's daily-notes and templates settings decide which notes are dated notes and
    # which are templates (never read): changing them changes mentions, with no note changed.
    check_steps(
        tmp_path,
        {
            "People/Ann Lee.md": "---\ntype: contact\ncadence: weekly\nadded: 2026-10-01\n---\n",
            "Journal/21.11.2026.md": "- met [[Ann Lee]]\n",
            "Meetings/2026-11-22 call.md": "- met [[Ann Lee]]\n",
        },
        [
            {".obsidian/daily-notes.json": '{"folder": "Journal", "format": "DD.MM.YYYY"}'},
            {".obsidian/templates.json": '{"folder": "Meetings"}'},
            {".obsidian/daily-notes.json": None},
            {".obsidian/templates.json": None},
        ],
    )


def test_edits_the_store_sees_only_long_after(tmp_path):
    # Pins: the stamp itself (size, modification and change time, inode), for notes old enough
    # that a store may trust it without reading: an edit that keeps the size and puts the old
    # modification time back (as sync tools do), and an edit made well before the run. Every
    # other test writes notes just before a run, when a careful store reads them anyway.
    import time

    twins = Twins(tmp_path)
    twins.write("People/Ann Lee.md", "---\ntype: contact\nmet: 2026-11-20\n---\n")
    twins.write("People/Ben Carter.md", "---\ntype: contact\ncadence: weekly\nadded: 2026-11-01\n---\n")
    twins.write("Daily/2026-11-19.md", "- met [[Ben Carter]]\n")
    time.sleep(2.2)
    before = twins.check(TODAY, "the first run, the notes old")
    twins.synced("People/Ann Lee.md", "---\ntype: contact\nmet: 2026-11-10\n---\n")
    twins.write("Daily/2026-11-19.md", "- met [[Ann Lee]]\n")
    time.sleep(2.2)
    after = twins.check(TODAY, "a synced edit, and an edit made two seconds ago")
    assert after != before


def test_a_hundred_notes_change_in_one_step(tmp_path):
    # Pins: a change set larger than any "few notes" shortcut (a sync, a search-and-replace).
    files = {f"People/P{i:03}.md": f"---\ntype: contact\nmet: 2026-11-{1 + i % 22:02}\n---\n" for i in range(60)}
    files |= {f"Daily/2026-10-{1 + i % 28:02}.md": f"- met [[P{i:03}]]\n" for i in range(60)}
    step: dict[str, str | None] = {
        rel: text.replace("met:", "thanked: 2026-11-22\nmet:") for rel, text in list(files.items())[:50]
    }
    step |= {f"Daily/2026-11-{1 + i % 22:02}.md": f"- met [[P{59 - i:03}]]\n" for i in range(40)}
    step |= {f"Daily/2026-10-{1 + i:02}.md": None for i in range(10)}
    check_steps(tmp_path, files, [step])


def test_gone_quiet_and_back(tmp_path):
    # Pins: "gone quiet since" is read from the contact's log, and a reply ends it.
    quiet = (
        "---\ntype: contact\nlast_outreach: 2026-10-20\nstrikes: 3\n---\n\n## Interactions\n\n"
        "- 2026-10-01 sent: asked\n- 2026-10-10 sent: nudge\n- 2026-10-20 sent: last try\n"
    )
    check_steps(
        tmp_path,
        {"People/Ann Lee.md": quiet, "People/Ben Carter.md": "---\ntype: contact\ncadence: weekly\n---\n"},
        [
            {"People/Ann Lee.md": quiet.replace("- 2026-10-01 sent: asked\n", "")},
            {"People/Ann Lee.md": quiet.replace("strikes: 3", "strikes: 3\nlast_contact: 2026-10-25")},
            {".mdfollow.toml": "strike_limit = 4\n"},
        ],
    )


def test_ticks_cancels_and_own_lines_in_the_agenda(tmp_path):
    # Pins: a tick recorded into a contact's note changes that contact (and its referrer) in the
    # same run; cancelled and in-progress lines and lines of one's own are kept.
    twins = check_steps(
        tmp_path,
        {
            "People/Ann Lee.md": "---\ntype: contact\nmet: 2026-11-20\nreferred_by: '[[Ben Carter]]'\n---\n",
            "People/Ben Carter.md": "---\ntype: contact\nmet: 2026-11-18\n---\n",
            "People/Dan Roe.md": "---\ntype: contact\ncadence: weekly\n---\n",
        },
        [],
    )
    text = (twins.read("Agenda.md") or b"").decode("utf-8")
    lines = text.split("\n")
    items = [i for i, line in enumerate(lines) if line.startswith("- [ ] ")]
    assert len(items) >= 3, text
    ann = next(i for i in items if "Ann Lee" in lines[i])
    ben = next(i for i in items if "Ben Carter" in lines[i])
    dan = next(i for i in items if "Dan Roe" in lines[i])
    body, ident = lines[ann][6:].rsplit(" ^", 1)
    lines[ann] = f"- [x] {body} ✅ 2026-11-22 ^{ident}"
    lines[ben] = lines[ben].replace("- [ ] ", "- [/] ", 1)
    lines[dan] = lines[dan].replace("- [ ] ", "- [-] ", 1).replace(" ^", " ❌ 2026-11-23 ^")
    lines.insert(dan + 1, "- my own line")
    twins.write("Agenda.md", "\n".join(lines))
    twins.check(TODAY, "ticked, cancelled, in progress, own line")
    assert b"thanked: 2026-11-22" in (twins.read("People/Ann Lee.md") or b"")
    twins.check(TODAY + timedelta(days=1), "the next day")


def test_nfc_and_nfd_names_side_by_side(tmp_path):
    # Pins: two files whose names differ only in Unicode form are two notes; links in either
    # form reach the note spelt that way, and deleting one leaves the other.
    check_steps(
        tmp_path,
        {
            f"People/{NFC}.md": "---\ntype: contact\ncadence: weekly\nadded: 2026-11-01\n---\n",
            "Daily/2026-11-20.md": f"- met [[{NFD}]]\n",
            ".mdfollow.toml": WIDE,
        },
        [
            {f"People/{NFD}.md": "---\ntype: contact\ncadence: 2w\nadded: 2026-10-01\n---\n"},
            {f"People/{NFC}.md": None},
            {"Daily/2026-11-20.md": f"- met [[{NFC}]]\n"},
        ],
    )


@pytest.mark.parametrize("form", ["1990-11-25", "11-25", "--11-25", "02-29"])
def test_birthdays_in_every_form_near_today(tmp_path, form):
    # Pins: birthdays depend on today and the horizon only; the contact's other keys do not matter.
    check_steps(
        tmp_path,
        {"People/Ann Lee.md": f"---\ntype: contact\nbirthday: {form}\n---\n"},
        [
            {"@today": "2026-11-25"},
            {"@today": "2027-02-26"},
            {"People/Ann Lee.md": f"---\ntype: contact\nbirthday: {form}\nstatus: closed\n---\n"},
        ],
    )


def test_watch_keeps_what_is_the_users_after_rewriting_the_agenda_itself(tmp_path):
    # Pins: the agenda file's own lines, kept statuses and carried ticks are an input of every
    # rewrite, in watch as in `agenda`, also when the file is exactly what watch wrote last.
    twins = Twins(tmp_path, watch=True)
    twins.write("People/Ann Lee.md", "---\ntype: contact\nmet: 2026-11-20\n---\n")
    twins.write("People/Ben Carter.md", "---\ntype: contact\ncadence: weekly\nlast_contact: 2026-11-20\n---\n")
    twins.write("People/Dan Roe.md", "---\ntype: contact\ncadence: weekly\nlast_contact: 2026-11-19\n---\n")
    twins.check(TODAY, "the first run")
    lines = (twins.read("Agenda.md") or b"").decode("utf-8").split("\n")
    ann = next(i for i, line in enumerate(lines) if line.startswith("- [ ] Thank [[Ann Lee]]"))
    ben = next(i for i, line in enumerate(lines) if line.startswith("- [ ] Check in with [[Ben Carter]]"))
    lines[ann] = lines[ann].replace("- [ ] ", "- [-] ").replace(" ^", " ❌ 2026-11-23 ^")
    lines[ben] = lines[ben].replace("- [ ] ", "- [x] ")
    lines[ann + 1 : ann + 1] = ["", "my own line"]
    twins.write("Agenda.md", "\n".join(lines))
    # Ben's item changes under the tick: it is carried, not recorded
    twins.write("People/Ben Carter.md", "---\ntype: contact\ncadence: 2w\nlast_contact: 2026-11-20\n---\n")
    twins.check(TODAY, "cancelled, ticked, and a line of my own")  # every run rewrites the file, keeping them
    twins.write("People/Dan Roe.md", "---\ntype: contact\ncadence: weekly\nlast_contact: 2026-11-21\n---\n")
    twins.check(TODAY, "another contact changed")
    watched = (tmp_path / "c" / "Agenda.md").read_text(encoding="utf-8")
    assert "\nmy own line\n" in watched and "- [-] Thank [[Ann Lee]]" in watched, watched
    assert "## Ticked, not recorded" in watched and "- [x] Check in with [[Ben Carter]]" in watched, watched


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files through /proc")
def test_watch_releases_the_store_when_the_settings_reload(tmp_path, private_cache):
    # Pins: a long-lived process holds one store connection, however often the settings change.
    def open_in_cache() -> int:
        count = 0
        for fd in os.listdir("/proc/self/fd"):
            try:
                target = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:
                continue
            count += target.startswith(str(private_cache)) and not target.endswith(".lock")
        return count

    vault = tmp_path / "v"
    (vault / "People").mkdir(parents=True)
    (vault / "People" / "Ann Lee.md").write_text("---\ntype: contact\nmet: 2026-11-20\n---\n", encoding="utf-8")
    settings_, problems = load_settings(vault)
    watcher = Watcher(
        vault=vault,
        settings=settings_,
        setting_problems=problems,
        today=lambda: TODAY,
        target=vault / "Agenda.md",
        load_settings=lambda: load_settings(vault),
    )
    try:
        watcher.rebuild(None)
        first = open_in_cache()
        for days in range(10, 15):
            (vault / ".mdfollow.toml").write_text(f"horizon_days = {days}\n", encoding="utf-8")
            assert not watcher.rebuild({".mdfollow.toml"}).error
        assert open_in_cache() <= first
    finally:
        watcher.reader.close()
        release_stores()
