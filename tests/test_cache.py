"""The index store: same answers as a run without it, rebuilt whenever it cannot be trusted."""

import json
import os
import sqlite3
import subprocess
import sys

from mdfollow import cache
from tests.conftest import EXAMPLE_TODAY, snapshot
from tests.helpers import contact


def agenda_json(run, vault, *more):
    result = run("--vault", vault, "--today", EXAMPLE_TODAY, *more, "agenda", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def store_files(folder):
    return list(folder.glob("*.sqlite"))


def test_the_store_gives_the_same_answer_and_lives_outside_the_vault(run, example_vault, private_cache):
    before = snapshot(example_vault)
    cold = agenda_json(run, example_vault, "--no-cache")
    assert store_files(private_cache) == []  # --no-cache neither reads nor writes it
    first = agenda_json(run, example_vault)
    assert len(store_files(private_cache)) == 1
    warm = agenda_json(run, example_vault)
    assert cold == first == warm
    assert snapshot(example_vault) == before
    assert not list(example_vault.rglob("*.sqlite*"))


def test_a_changed_note_is_read_again(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    assert agenda_json(run, vault)["items"][0]["due"] == "2026-11-21"
    path = vault / "People/Jane Doe.md"
    path.write_text(path.read_text().replace("met: 2026-11-20", "met: 2026-11-10"))
    assert agenda_json(run, vault)["items"][0]["due"] == "2026-11-11"
    path.unlink()
    assert agenda_json(run, vault)["items"] == []


def test_a_recent_same_size_edit_with_its_mtime_restored_is_read_again(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    path = vault / "People/Jane Doe.md"
    agenda_json(run, vault)
    stat = path.stat()
    path.write_text(path.read_text().replace("met: 2026-11-20", "met: 2026-11-12"))  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert agenda_json(run, vault)["items"][0]["due"] == "2026-11-13"


def test_a_damaged_foreign_or_newer_store_is_rebuilt_with_one_warning(run, example_vault, private_cache):
    good = agenda_json(run, example_vault)
    [made] = store_files(private_cache)
    db = sqlite3.connect(made)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything into the main file, to damage it
    db.close()
    raw = made.read_bytes()

    def foreign(path):
        cache.discard(path)
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE mine(x)")
        db.commit()
        db.close()

    def newer(path):
        db = sqlite3.connect(path)
        db.execute(f"PRAGMA user_version = {cache.SCHEMA + 1}")
        db.commit()
        db.close()

    damages = [
        lambda p: p.write_bytes(raw[: len(raw) // 2]),
        lambda p: p.write_bytes(b"x" * 4096),
        lambda p: p.write_bytes(raw.replace(b"SQLite format 3", b"SQLite formet 3", 1)),
        lambda p: p.write_bytes(raw[:100] + b"\xff" * 400 + raw[500:]),
        foreign,
        newer,
    ]
    for damage in damages:
        cache.discard(made)
        made.write_bytes(raw)
        damage(made)
        result = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "agenda", "--json")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout) == good
        warnings = [line for line in result.stderr.splitlines() if "index store" in line]
        assert len(warnings) == 1, (damages.index(damage), result.stderr)
        again = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "agenda", "--json")
        assert json.loads(again.stdout) == good and "index store" not in again.stderr


def test_an_unusable_cache_folder_means_a_run_without_the_store(run, example_vault, tmp_path, monkeypatch):
    good = agenda_json(run, example_vault, "--no-cache")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("MDFOLLOW_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    assert agenda_json(run, example_vault) == good
    inside = example_vault / "cache"
    monkeypatch.setenv("MDFOLLOW_CACHE_DIR", str(inside))  # the store never writes into the vault
    before = snapshot(example_vault)
    result = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "agenda", "--json")
    assert json.loads(result.stdout) == good and "inside the vault" in result.stderr
    assert snapshot(example_vault) == before and not inside.exists()


def test_two_processes_at_once_share_the_store(example_vault, private_cache):
    args = [
        sys.executable,
        "-m",
        "mdfollow",
        "--vault",
        str(example_vault),
        "--today",
        EXAMPLE_TODAY,
        "agenda",
        "--json",
    ]
    env = dict(os.environ, MDFOLLOW_CACHE_DIR=str(private_cache))
    for _ in range(2):
        procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(3)]
        outs = [p.communicate(timeout=60) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], [o[1] for o in outs]
        assert len({o[0] for o in outs}) == 1
        assert all(b"index store" not in o[1] for o in outs)
        (example_vault / "People/Zed New.md").write_text("---\ntype: contact\nmet: 2026-11-20\n---\n")


def test_every_global_input_invalidates(run, make_vault, monkeypatch):
    vault = make_vault(contact(met="2026-11-20") | {"Milestones.md": "# M\n", "Notes/x.md": "---\ntype: person\n---\n"})
    first = agenda_json(run, vault)
    assert agenda_json(run, vault) == first
    (vault / "Milestones.md").write_text("# M\n\n- 2026-11-21 Offer (company: Acme)\n")
    (vault / "People/Jane Doe.md").write_text("---\ntype: contact\nmet: 2026-11-20\ncompany: Acme\n---\n")
    assert agenda_json(run, vault)["items"][0]["also"] == ["update"]
    (vault / ".mdfollow.toml").write_text("thank_after_days = 2\n")
    assert agenda_json(run, vault)["items"][0]["due"] == "2026-11-22"
    (vault / ".mdfollow.toml").write_text('contact_types = ["contact"]\nthank_after_days = 2\n')
    assert [c["contact"] for c in json.loads(run("--vault", vault, "list", "--json").stdout)] == ["Jane Doe"]
    later = json.loads(run("--vault", vault, "--today", "2026-11-24", "agenda", "--json").stdout)
    assert later["today"] == "2026-11-24" and later["items"][0]["days_overdue"] == 2
    before = cache.code_digest()
    monkeypatch.setattr(cache, "__version__", "99.0")
    assert cache.code_digest() != before


def test_records_round_trip_through_the_encoding(run, example_vault):
    from mdfollow.index import summarize
    from tests.helpers import DAILY

    (example_vault / "People/Extra.md").write_text(
        "---\ntype: contact\nemails: [a@x.y, b@x.y]\nlinkedin: https://linkedin.com/in/x\ncadence: 6w\n---\n"
    )
    for path in sorted(example_vault.rglob("*.md")):
        rel = path.relative_to(example_vault).as_posix()
        record = summarize(rel, path.read_bytes(), ("contact", "person"), DAILY)
        again = cache.unpack(cache.pack(record))
        assert again == record
        if record.contact is not None:
            assert vars(again.contact) == vars(record.contact), rel
            assert again.contact.lines == record.contact.lines


def test_nothing_changed_is_known_from_the_walk_alone_and_any_change_breaks_it(run, make_vault, monkeypatch):
    """Notes older than the racy window: an unchanged walk skips every stamp comparison."""
    from mdfollow import incremental

    monkeypatch.setattr(incremental, "RACY_NS", -(10**18))  # nothing counts as recently written
    vault = make_vault(contact(met="2026-11-20") | contact("Ann Lee", met="2026-11-19"))
    first = agenda_json(run, vault)
    assert agenda_json(run, vault) == first
    path = vault / "People/Jane Doe.md"
    stat = path.stat()
    path.write_text(path.read_text().replace("met: 2026-11-20", "met: 2026-11-12"))  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert agenda_json(run, vault) == agenda_json(run, vault, "--no-cache")
    assert {i["contact"]: i["due"] for i in agenda_json(run, vault)["items"]}["Jane Doe"] == "2026-11-13"
