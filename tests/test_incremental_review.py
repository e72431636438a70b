"""Adversarial cases for the index store: each pins one dependency the store must follow."""

from __future__ import annotations

import pytest

from mdfollow.vault import VaultReader, load_settings
from tests.test_incremental_property import TODAY, _check_steps, outputs, refuse, same

CONTACT = "---\ntype: contact\ncadence: monthly\nadded: 2026-01-01\n---\n"


def agrees(live: VaultReader, changed: set[str], new_process: bool = False) -> tuple[str, str]:
    """The agenda a fresh read gives, after checking that `live`, told `changed`, gives the same
    (and, with `new_process`, a new reader on the same store)."""
    vault, settings_, problems = live.vault, live.settings, live.setting_problems
    expected = outputs(VaultReader(vault, settings_, problems, use_cache=False), TODAY)
    assert not (diff := same(outputs(live, TODAY, changed), expected)), diff
    if new_process:
        stored = VaultReader(vault, settings_, problems, warn=refuse)
        try:
            assert outputs(stored, TODAY) == expected
        finally:
            stored.close()
    return expected


def test_a_path_link_two_notes_spell_alike_goes_where_a_fresh_read_sends_it(tmp_path):
    # Was: index.py VaultIndex._paths built {fold(path): path} over _by_stem.values(), grouped
    # by file name in the order each name first appears, so of two paths that fold alike the
    # later group won; stored.py _Paths.get keeps the last by path. The first build resolves
    # with the whole index, the delta after the edit with _Paths: the mention changes owner.
    # `X/a/b.md` and `X/a／b.md` (a fullwidth solidus, which NFKD folds to "/") both answer
    # the link [[X/a/b]]; a note `A／B.md` shares the second one's folded file name "a/b".
    _check_steps(
        tmp_path,
        {
            "A／B.md": "# a note\n",
            "X/a/b.md": CONTACT,
            "X/a／b.md": CONTACT,
            "Daily/2026-11-20.md": "- met [[X/a/b]]\n",
            ".mdfollow.toml": "horizon_days = 400\n",
        },
        [{"Daily/2026-11-20.md": "- met [[X/a/b]] again\n"}],
    )


def test_a_note_in_a_folder_the_walk_skips_stays_out_after_an_edit(tmp_path):
    # Was: vault.py VaultReader.is_note asked skip_file only; walk() stops at the folder with
    # skip_folder. incremental.py _sync (scope = {rel for rel in changed if reader.is_note(rel)})
    # then stored the note; a run without the store never reads it.
    # `ignore = ["Archive/"]`: the walk never enters Archive (skip_folder matches "Archive/"),
    # but a save there, reported by watch, must not bring the note in either.
    _check_steps(
        tmp_path,
        {
            "Archive/Ann.md": CONTACT,
            "People/Ben.md": CONTACT,
            ".mdfollow.toml": 'horizon_days = 400\nignore = ["Archive/"]\n',
        },
        [{"Archive/Ann.md": CONTACT.replace("monthly", "2w")}],
    )


@pytest.mark.xfail(
    strict=True,
    reason="Indexer._sync in scope mode (and VaultReader.reread) take any changed path that "
    "is_note accepts, also one the walk reaches only through a folder it read under another name",
)
def test_a_save_seen_through_the_folder_the_walk_left_out_adds_no_second_note(tmp_path):
    # Cause: incremental.py _sync in scope mode stats each changed path and stores it when
    # is_note accepts it; nothing ties it to the name the walk read the folder under.
    # `B` is a symlink to `A`: the walk reads that folder once, under one of the two names
    # (a folder reached twice is read once). A save reported under the other name is the
    # same note and must not count as a second contact.
    import os

    vault = tmp_path / "v"
    (vault / "A").mkdir(parents=True)
    (vault / "A" / "Ann.md").write_text(CONTACT, encoding="utf-8")
    os.symlink("A", vault / "B")
    fresh = VaultReader(vault, *load_settings(vault), use_cache=False)
    walked = [c.path for c in fresh.index(None, TODAY).contacts]
    assert len(walked) == 1
    other = "B/Ann.md" if walked == ["A/Ann.md"] else "A/Ann.md"
    settings_, problems = load_settings(vault)
    live = VaultReader(vault, settings_, problems, warn=refuse)
    try:
        outputs(live, TODAY)
        (vault / "A" / "Ann.md").write_text(CONTACT.replace("monthly", "2w"), encoding="utf-8")
        agrees(live, {other})
    finally:
        live.close()


def _cli(vault, cache, *args):
    from click.testing import CliRunner

    from mdfollow.cli import cli

    options = ["--vault", str(vault), "--today", TODAY.isoformat()]
    if cache is None:
        options.append("--no-cache")
    result = CliRunner().invoke(cli, [*options, *args], env={"MDFOLLOW_CACHE_DIR": str(cache or vault.parent / "none")})
    return result.exit_code, result.stdout, result.stderr


def test_a_walk_problem_in_a_folder_without_notes_shows_in_a_remembered_agenda(tmp_path):
    # A symlink back to the vault's root holds no notes of its own, but the walk warns about
    # it. (Once missed: the saved `agenda --json` output was keyed by a snapshot of each
    # folder's notes and stamps that left the walk's problems out; that memo is gone.)
    import os

    vault = tmp_path / "v"
    (vault / "People").mkdir(parents=True)
    (vault / "People" / "Ann.md").write_text(CONTACT, encoding="utf-8")
    cache = tmp_path / "cache"
    for args in (("agenda", "--json"), ("agenda", "--stdout")):
        _cli(vault, cache, *args)
    os.symlink(".", vault / "Self")
    for args in (("agenda", "--json"), ("agenda", "--stdout")):
        assert _cli(vault, cache, *args) == _cli(vault, None, *args)


def test_changes_read_by_a_run_without_a_day_still_reach_the_next_agenda(tmp_path):
    # `list`, `show` and the like index without a day: the contacts they make dirty are kept
    # in the store (table dirty) for the next agenda, in this process or another.
    vault = tmp_path / "v"
    (vault / "People").mkdir(parents=True)
    (vault / "People" / "Ann.md").write_text(CONTACT, encoding="utf-8")
    (vault / "People" / "Ben.md").write_text(CONTACT, encoding="utf-8")
    settings_, problems = load_settings(vault)
    live = VaultReader(vault, settings_, problems, warn=refuse)
    try:
        outputs(live, TODAY)
        (vault / "Daily").mkdir()
        (vault / "Daily" / "2026-11-20.md").write_text("- met [[Ann]]\n", encoding="utf-8")
        live.index({"Daily/2026-11-20.md"}, None)  # a run without a day reads the change
        other = VaultReader(vault, settings_, problems, warn=refuse)
        other.index(None, None)
        other.close()
        (vault / "People" / "Ben.md").write_text(CONTACT.replace("monthly", "2w"), encoding="utf-8")
        other = VaultReader(vault, settings_, problems, warn=refuse)
        other.index(None, None)
        other.close()
        agrees(live, set(), new_process=True)
    finally:
        live.close()


def test_a_batch_past_the_whole_rebuild_threshold_then_one_edit(tmp_path):
    # More than 100 notes changed at once in a small vault take the whole-index road
    # (Indexer._rebuild); the next single edit takes the delta road again.
    files = {f"People/P{i}.md": CONTACT for i in range(5)}
    files[".mdfollow.toml"] = "horizon_days = 400\n"
    batch: dict[str, str | None] = {
        f"Daily/2026-{1 + i % 11:02d}-{1 + i % 28:02d} n{i}.md": f"- met [[P{i % 5}]]\n" for i in range(120)
    }
    batch["People/P0 2.md"] = CONTACT  # a copy, counted for P0
    _check_steps(
        tmp_path,
        files,
        [
            batch,
            {"People/P0.md": None},  # P0 2 is a contact of its own now
            {"Daily/2026-01-01 n0.md": "- met [[P1]]\n"},
            dict.fromkeys(batch),  # every one of them removed at once
        ],
    )


def test_a_watcher_after_another_version_rebuilt_the_store_keeps_every_note(tmp_path):
    # Was: incremental.py _sync: `if self.store.meta("parse") != parse_key: self.store.clear()`
    # ran in scope mode too (watch, told what changed): the notes table is emptied and only
    # the changed notes were read back, so every other contact dropped out of the agenda.
    # Another mdfollow (a newer version, whose code digest differs) rebuilding the store
    # while a watcher runs is enough.
    vault = tmp_path / "v"
    (vault / "People").mkdir(parents=True)
    for name in ("Ann", "Ben", "Cy"):
        (vault / "People" / f"{name}.md").write_text(CONTACT, encoding="utf-8")
    settings_, problems = load_settings(vault)
    live = VaultReader(vault, settings_, problems, warn=refuse)
    try:
        outputs(live, TODAY)
        other = VaultReader(vault, settings_, problems, warn=refuse)
        assert other.indexer is not None
        other.indexer.code = "another version"
        other.index(None, TODAY)
        other.close()
        (vault / "People" / "Ann.md").write_text(CONTACT.replace("monthly", "2w"), encoding="utf-8")
        agrees(live, {"People/Ann.md"})
    finally:
        live.close()


def test_the_code_digest_covers_every_module_the_stored_results_come_from():
    # Was: cache.py code_digest read nine modules; a change to links.py (what counts as a
    # mention), keys.py, vault.py (how a note is read), timeline.py/edits.py (since when a
    # contact went quiet), stored.py or incremental.py left the store's summaries and results
    # standing until a release bumped the version.
    import subprocess
    import sys

    script = (
        "import sys, mdfollow.incremental, mdfollow.render, mdfollow.timeline, mdfollow.jsontext\n"
        "from mdfollow.cache import _CODE\n"
        "print(sorted(m[9:] for m in sys.modules if m.startswith('mdfollow.') and m[9:] not in _CODE))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_dangling_link_named_by_watch_is_reported_as_the_walk_reports_it(tmp_path):
    # Was: incremental.py _sync, scope mode: `except OSError: continue` after os.stat, where
    # walk() keeps a note it cannot stat with NO_STAMP, reads it and warns that it is gone.
    import os

    vault = tmp_path / "v"
    (vault / "People").mkdir(parents=True)
    (vault / "People" / "Ann.md").write_text(CONTACT, encoding="utf-8")
    settings_, problems = load_settings(vault)
    live = VaultReader(vault, settings_, problems, warn=refuse)
    try:
        outputs(live, TODAY)
        os.symlink("../Elsewhere/Ben.md", vault / "People" / "Ben.md")
        expected = agrees(live, {"People/Ben.md"})
        assert "People/Ben.md" in expected[0]  # the walk's warning
    finally:
        live.close()


def test_a_fifo_named_as_a_note_and_named_by_watch_is_reported_as_the_walk_reports_it(tmp_path):
    # Was: incremental.py _sync, scope mode, kept only regular files (stat.S_ISREG); the walk
    # keeps anything that is not a folder and reports what cannot be read as a note.
    import os

    vault = tmp_path / "v"
    (vault / "People").mkdir(parents=True)
    (vault / "People" / "Ann.md").write_text(CONTACT, encoding="utf-8")
    settings_, problems = load_settings(vault)
    live = VaultReader(vault, settings_, problems, warn=refuse)
    try:
        outputs(live, TODAY)
        os.mkfifo(vault / "People" / "Pipe.md")
        expected = agrees(live, {"People/Pipe.md"}, new_process=True)
        assert "People/Pipe.md" in expected[0]
    finally:
        live.close()


def test_watch_without_the_store_reports_a_dangling_link_and_a_fifo_as_the_walk_does(tmp_path):
    # Was: vault.py VaultReader.reread dropped what `path.is_file()` denies; the walk reads it.
    import os

    vault = tmp_path / "v"
    (vault / "People").mkdir(parents=True)
    (vault / "People" / "Ann.md").write_text(CONTACT, encoding="utf-8")
    settings_, problems = load_settings(vault)
    live = VaultReader(vault, settings_, problems, use_cache=False)
    outputs(live, TODAY)
    os.mkfifo(vault / "People" / "Pipe.md")
    os.symlink("../Elsewhere/Ben.md", vault / "People" / "Ben.md")
    agrees(live, {"People/Pipe.md", "People/Ben.md"})
