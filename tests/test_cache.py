"""The index cache: same answers as a cold read, rebuilt whenever it cannot be trusted."""

import json
import os

from mdfollow import cache
from tests.conftest import EXAMPLE_TODAY, snapshot
from tests.helpers import contact


def agenda_json(run, vault, *more):
    result = run("--vault", vault, "--today", EXAMPLE_TODAY, *more, "agenda", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def cache_files(folder):
    return list(folder.glob("*.index"))


def test_warm_cache_gives_the_same_answer_and_lives_outside_the_vault(run, example_vault, private_cache):
    before = snapshot(example_vault)
    cold = agenda_json(run, example_vault, "--no-cache")
    assert cache_files(private_cache) == []  # --no-cache neither reads nor writes it
    first = agenda_json(run, example_vault)
    [made] = cache_files(private_cache)
    stamp = made.stat().st_mtime_ns
    warm = agenda_json(run, example_vault)
    assert cold == first == warm
    assert made.stat().st_mtime_ns == stamp  # nothing changed: not rewritten
    assert snapshot(example_vault) == before


def test_a_changed_note_is_read_again(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    assert agenda_json(run, vault)["items"][0]["due"] == "2026-11-21"
    path = vault / "People/Jane Doe.md"
    path.write_text(path.read_text().replace("met: 2026-11-20", "met: 2026-11-10"))
    assert agenda_json(run, vault)["items"][0]["due"] == "2026-11-11"
    path.unlink()
    assert agenda_json(run, vault)["items"] == []


def test_same_size_and_restored_mtime_is_caught_by_the_content_hash(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    path = vault / "People/Jane Doe.md"
    agenda_json(run, vault)
    stat = path.stat()
    path.write_text(path.read_text().replace("met: 2026-11-20", "met: 2026-11-12"))  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the old mtime (a coarse clock)
    assert agenda_json(run, vault)["items"][0]["due"] == "2026-11-13"


def test_corrupt_or_truncated_cache_is_rebuilt(run, example_vault, private_cache):
    good = agenda_json(run, example_vault)
    [made] = cache_files(private_cache)
    raw = made.read_bytes()
    for broken in (
        raw[: len(raw) // 2],
        raw[:10],
        b"",
        raw.replace(b"mdfollow-index", b"mdfollow-indey"),
        raw[:-5] + b"xxxxx",
    ):
        made.write_bytes(broken)
        for memo in private_cache.glob("*.results"):
            memo.write_bytes(b"{not json")  # a broken memo must not be trusted either
        assert agenda_json(run, example_vault) == good
        assert made.read_bytes() == raw  # rewritten whole


def test_settings_and_version_changes_invalidate(run, make_vault, private_cache, monkeypatch):
    vault = make_vault(contact(met="2026-11-20") | {"Notes/x.md": "---\ntype: person\n---\n"})
    assert len(agenda_json(run, vault)["items"]) == 1
    (vault / ".mdfollow.toml").write_text('contact_types = ["contact"]\n')
    assert agenda_json(run, vault)["problems"] == []
    assert [c["contact"] for c in json.loads(run("--vault", vault, "list", "--json").stdout)] == ["Jane Doe"]
    expected_before = cache.fingerprint("a")
    monkeypatch.setattr(cache, "__version__", "99.0")
    assert cache.fingerprint("a") != expected_before


def test_records_round_trip_through_the_encoding(run, example_vault):
    from mdfollow.index import summarize
    from tests.helpers import DAILY

    (example_vault / "People/Extra.md").write_text(
        "---\ntype: contact\nemails: [a@x.y, b@x.y]\nlinkedin: https://linkedin.com/in/x\ncadence: 6w\n---\n"
    )
    for path in sorted(example_vault.rglob("*.md")):
        rel = path.relative_to(example_vault).as_posix()
        record = summarize(rel, path.read_bytes(), ("contact", "person"), DAILY)
        again = cache.decode(cache.encode(record))
        assert again == record
        if record.contact is not None:
            assert vars(again.contact) == vars(record.contact), rel
        if record.contact is not None:
            assert again.contact.lines == record.contact.lines


def test_results_memo_answers_only_for_identical_inputs(run, make_vault, private_cache):
    vault = make_vault(contact(met="2026-11-20") | {"Milestones.md": "# M\n"})
    first = agenda_json(run, vault)
    assert list(private_cache.glob("*.results"))
    assert agenda_json(run, vault) == first
    # Each input the agenda depends on invalidates it: a note, the milestones file, settings, the day.
    (vault / "Milestones.md").write_text("# M\n\n- 2026-11-21 Offer (company: Acme)\n")
    (vault / "People/Jane Doe.md").write_text("---\ntype: contact\nmet: 2026-11-20\ncompany: Acme\n---\n")
    assert agenda_json(run, vault)["items"][0]["also"] == ["update"]
    (vault / ".mdfollow.toml").write_text("thank_after_days = 2\n")
    assert agenda_json(run, vault)["items"][0]["due"] == "2026-11-22"
    later = json.loads(run("--vault", vault, "--today", "2026-11-24", "agenda", "--json").stdout)
    assert later["today"] == "2026-11-24"


def test_the_snapshot_is_the_same_in_every_process(make_vault):
    """A digest that followed the string hash seed would make the memo miss at random."""
    import subprocess
    import sys

    vault = make_vault(contact(met="2026-11-20"))
    code = (
        "import sys; from pathlib import Path; from mdfollow.vault import VaultReader, load_settings;"
        "v = Path(sys.argv[1]); print(VaultReader(v, load_settings(v)[0], [], ('Agenda.md',)).snapshot())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code, str(vault)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            check=True,
        ).stdout
        for seed in (1, 2, 3, 4)
    }
    assert len(digests) == 1


def test_a_few_edits_are_read_again_until_enough_make_a_rewrite_worth_it(run, make_vault, private_cache):
    """Rewriting the whole cache for one edited note would cost more than re-reading it."""
    from mdfollow.vault import SAVE_AFTER

    notes = {}
    for n in range(SAVE_AFTER + 5):
        notes |= contact(f"Person {n}", met="2026-11-20")
    vault = make_vault(notes)
    agenda_json(run, vault)
    [made] = cache_files(private_cache)
    saved = made.read_bytes()

    first = vault / "People/Person 0.md"
    first.write_text(first.read_text().replace("met: 2026-11-20", "met: 2026-11-10"))
    items = {i["contact"]: i["due"] for i in agenda_json(run, vault, "--no-cache")["items"]}
    assert items["Person 0"] == "2026-11-11"
    for _ in range(2):  # each run reads the edited note again, from disk
        assert {i["contact"]: i["due"] for i in agenda_json(run, vault)["items"]} == items
    assert made.read_bytes() == saved

    for n in range(1, SAVE_AFTER + 1):
        path = vault / f"People/Person {n}.md"
        path.write_text(path.read_text().replace("met: 2026-11-20", "met: 2026-11-12"))
    many = agenda_json(run, vault)
    assert made.read_bytes() != saved
    assert many == agenda_json(run, vault, "--no-cache")
    assert {i["contact"]: i["due"] for i in many["items"]}["Person 1"] == "2026-11-13"


def test_a_result_saved_by_another_cache_format_is_not_served(make_vault, monkeypatch):
    vault = make_vault({"a.md": "x\n"})
    cache.save_result(vault, "snap", "agenda-json-2026-11-23", "old output\n", [])
    assert cache.load_result(vault, "snap", "agenda-json-2026-11-23") == ("old output\n", [])
    monkeypatch.setattr(cache, "FORMAT", cache.FORMAT + 1)  # e.g. agenda JSON that gained `birthdays`
    assert cache.load_result(vault, "snap", "agenda-json-2026-11-23") is None
