"""The hostile corpus: each broken note beside its expected outcome, and the vault that survives them all."""

import contextlib
import dataclasses
import json
import os
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdfollow.contact import Contact
from mdfollow.edits import EditError, append_log, set_keys
from mdfollow.importing import parse_google, parse_linkedin, parse_vcard
from mdfollow.index import summarize
from mdfollow.note import parse_note
from tests.conftest import EXAMPLE_TODAY, snapshot
from tests.helpers import DAILY

CORPUS = Path(__file__).resolve().parent / "hostile" / "corpus"
FILES = sorted(p.name for p in CORPUS.glob("*.md"))
DEFAULTS = Contact(path="", name="")


def outcome(name: str) -> str:
    """What mdfollow makes of one file: its kind, the contact it yields, every diagnostic."""
    rel = f"Hostile/{name}"
    record = summarize(rel, (CORPUS / name).read_bytes(), ("contact", "person"), DAILY)
    lines = [f"kind: {record.kind}"]
    if record.date is not None:
        lines.append(f"date: {record.date.isoformat()}")
    if record.contact is not None:
        shown = {}
        for field in dataclasses.fields(Contact):
            if field.name in ("path", "fields", "lines"):
                continue
            value = getattr(record.contact, field.name)
            if value != getattr(DEFAULTS, field.name) or field.name == "name":
                shown[field.name] = (
                    value.isoformat()
                    if hasattr(value, "isoformat")
                    else (value.text if hasattr(value, "text") else value)
                )
        lines.append("contact: " + json.dumps(shown, ensure_ascii=False, default=list))
    lines += [d.format() for d in record.diagnostics]
    return "\n".join(lines) + "\n"


def test_the_corpus_covers_every_failure_mode():
    assert len(FILES) >= 60
    for prefix in ("enc-", "fm-", "y11-", "hy-", "type-"):
        assert sum(1 for f in FILES if f.startswith(prefix)) >= 5, prefix
    attributes = (CORPUS.parent.parent.parent / ".gitattributes").read_text()
    assert "tests/hostile/corpus/** -text" in attributes


@pytest.mark.parametrize("name", FILES)
def test_each_hostile_file_has_its_expected_outcome(name, update_golden):
    expected = CORPUS / (name[:-3] + ".expected")
    actual = outcome(name)
    if update_golden:
        expected.write_text(actual, encoding="utf-8")
    assert expected.exists(), f"no {expected.name}; run pytest --update-golden and review it"
    assert actual == expected.read_text(encoding="utf-8")


def test_limits_are_enforced_fast():
    for name in ("hy-huge.md", "hy-billion-laughs.md", "hy-deep-nesting.md"):
        raw = (CORPUS / name).read_bytes()
        started = time.perf_counter()
        note = parse_note(name, raw)
        assert time.perf_counter() - started < 1.0, name
        assert not note.readable or name == "hy-deep-nesting.md"
    huge = b"---\ntype: contact\nx: " + b"y" * 10_000_000 + b"\n---\n"
    started = time.perf_counter()
    assert not parse_note("big.md", huge).readable
    assert time.perf_counter() - started < 1.0


def test_python_tags_never_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("hy-python-object.md", "hy-python-name.md"):
        parse_note(name, (CORPUS / name).read_bytes())
    evil = b"---\nx: !!python/object/apply:os.system ['touch pwned']\n---\n"
    parse_note("evil.md", evil)
    assert not (tmp_path / "pwned").exists()


def test_the_example_vault_survives_the_whole_corpus(run, example_vault, tmp_path, private_cache):
    before = json.loads(run("--vault", example_vault, "--today", EXAMPLE_TODAY, "agenda", "--json").stdout)
    shutil.copytree(CORPUS, example_vault / "Hostile", ignore=shutil.ignore_patterns("*.expected"))
    # Paths too: a symlink loop, a very deep folder, a link to nowhere.
    (example_vault / "Hostile" / "loop").symlink_to(example_vault / "Hostile")
    deep = example_vault / "Hostile" / Path(*["deeper"] * 60)
    deep.mkdir(parents=True)
    (deep / "deep.md").write_text("---\ntype: contact\nname: Deep Person\n---\n")
    (example_vault / "Hostile" / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    files_before = snapshot(example_vault)
    result = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "agenda", "--json")
    assert result.exit_code == 0 and "Traceback" not in result.output
    after = json.loads(result.stdout)
    mine = [i for i in after["items"] if not i["note"].startswith("Hostile/")]
    assert mine == before["items"]
    assert [q for q in after["gone_quiet"] if not q["note"].startswith("Hostile/")] == before["gone_quiet"]
    # Each broken file is reported, and no problem is reported twice.
    reported = [(p["path"], p["line"], p["message"]) for p in after["problems"]]
    assert len(reported) == len(set(reported))
    for name in FILES:
        expected = (CORPUS / (name[:-3] + ".expected")).read_text(encoding="utf-8")
        if ": error: " in expected or ": warning: " in expected:
            assert any(p[0] == f"Hostile/{name}" for p in reported), name
    assert any("reached twice" in p[2] for p in reported)  # the loop was walked once
    assert any(p[0] == "Hostile/dangling.md" for p in reported)
    checked = run("--vault", example_vault, "check")
    assert checked.exit_code == 1 and "Traceback" not in checked.output
    # And writing the agenda touched only the agenda.
    assert run("--vault", example_vault, "--today", EXAMPLE_TODAY, "agenda").exit_code == 0
    changed = {k for k in snapshot(example_vault) if snapshot(example_vault)[k] != files_before.get(k)}
    assert changed <= {"Agenda.md"}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_fuzz_arbitrary_bytes_only_ever_give_diagnostics(raw):
    for data in (raw, b"---\n" + raw, b"---\ntype: contact\n" + raw + b"\n---\n"):
        record = summarize("Fuzz/x.md", data, ("contact", "person"), DAILY)
        assert record.kind in ("contact", "dated", "other", "skipped")
        for diagnostic in record.diagnostics:
            assert diagnostic.path == "Fuzz/x.md" and diagnostic.severity in ("error", "warning")
        try:
            out = set_keys(data, {"strikes": 1})
            assert parse_note("x.md", out).readable
        except EditError:
            pass
        with contextlib.suppress(EditError):
            append_log(data, "- 2026-11-23 note")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=800))
def test_fuzz_import_parsers_never_crash(text):
    for parse in (parse_linkedin, parse_google, parse_vcard):
        people, problems = parse(text, "x")
        assert all(p.name for p in people)
        assert all(d.severity in ("error", "warning") for d in problems)
        # an error is a file this parser cannot read at all (not its export): it gives no one
        assert people == [] or all(d.severity == "warning" for d in problems)


def test_an_unreadable_note_is_reported_and_skipped(run, make_vault, monkeypatch):
    """Running as root, chmod 000 does not stop reads; the refusal is simulated at the read."""
    from tests.helpers import contact

    vault = make_vault(contact(met="2026-11-20") | contact("Locked", met="2026-11-20"))
    import mdfollow.vault

    real = mdfollow.vault.read_all_bytes

    def refuse(path):
        if os.path.basename(path) == "Locked.md":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(mdfollow.vault, "read_all_bytes", refuse)
    data = json.loads(run("--vault", vault, "--today", EXAMPLE_TODAY, "--no-cache", "agenda", "--json").stdout)
    assert [i["contact"] for i in data["items"]] == ["Jane Doe"]
    assert data["problems"][0]["path"] == "People/Locked.md" and "Permission denied" in data["problems"][0]["message"]
    assert os.path.exists(vault / "People/Locked.md")
