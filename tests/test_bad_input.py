"""Bad input anywhere: one line that says what to do, the contract's exit code, never a traceback."""

import pytest

from tests.conftest import snapshot
from tests.helpers import contact


@pytest.fixture
def vault(make_vault):
    return make_vault(contact(met="2026-11-20") | contact("Priya Raman", met="2026-11-20"))


@pytest.mark.parametrize(
    "args, code, fragment",
    [
        (("show", "Priya Rahman"), 1, "did you mean 'Priya Raman'?"),
        (("log", "Nobody Here", "sent"), 1, "no contact named 'Nobody Here'"),
        (("draft", "Priya Raman", "--kind", "wave"), 2, "Invalid value for '--kind'"),
        (("log", "Jane Doe", "sent", "--date", "31/12/2026"), 2, "--date: '31/12/2026' is not a date"),
        (("--today", "tomorrow", "agenda"), 2, "--today: 'tomorrow' is not a date"),
        (("new", "X", "--met", "2026-02-30"), 2, "February 2026 has 28 days"),
        (("new", "X", "--cadence", "often"), 2, "--cadence: 'often' is not one of"),
        (("milestone", "x", "--date", "soon"), 2, "--date: 'soon' is not a date"),
        (("import", "linkedin", "/no/such/file.csv"), 2, "does not exist"),
        (("import", "outlook", "x.csv"), 2, "No such command 'outlook'"),
        (("agenda", "--daily", "--out", "x.md"), 2, "does not go with --out"),
        (("frobnicate",), 2, "No such command 'frobnicate'"),
        (("list", "--bogus"), 2, "No such option '--bogus'"),
    ],
)
def test_bad_input_is_one_line_with_its_exit_code(run, vault, args, code, fragment):
    before = snapshot(vault)
    result = (
        run("--vault", vault, "--today", "2026-11-23", *args) if args[0] != "--today" else run("--vault", vault, *args)
    )
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mdfollow: ") and fragment in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert snapshot(vault) == before


def test_a_vault_that_does_not_exist(run, tmp_path):
    result = run("--vault", tmp_path / "missing", "check")
    assert result.exit_code == 2 and "is not a folder; give the path of your notes vault" in result.stderr


def test_unwritable_targets_say_so_and_change_nothing(run, vault):
    (vault / "Agenda.md").mkdir()  # a folder where the agenda file should be
    result = run("--vault", vault, "--today", "2026-11-23", "agenda")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()[-1:]) == 1
    (vault / "Drafts").write_text("a file where the drafts folder should be")
    result = run("--vault", vault, "--today", "2026-11-23", "draft", "Jane Doe")
    assert result.exit_code == 1 and "cannot write the draft" in result.stderr
    assert (vault / "Drafts").read_text() == "a file where the drafts folder should be"


def test_a_settings_file_that_is_not_toml_stops_before_anything_is_read_or_written(run, vault):
    (vault / ".mdfollow.toml").write_text("horizon_days = [\n")
    before = snapshot(vault)
    for args in (("agenda",), ("agenda", "--json"), ("log", "Jane Doe", "met"), ("check",)):
        result = run("--vault", vault, "--today", "2026-11-23", *args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith("mdfollow: .mdfollow.toml:2:") and "not valid TOML" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert snapshot(vault) == before


def test_an_explicit_config_that_is_missing_stops(run, vault, tmp_path):
    before = snapshot(vault)
    result = run("--vault", vault, "--config", tmp_path / "missing.toml", "--today", "2026-11-23", "agenda")
    assert result.exit_code == 1 and "missing.toml: error: settings file not found" in result.stderr
    assert snapshot(vault) == before
    result = run("--vault", vault, "--config", tmp_path / "missing.toml", "agenda", "--help")
    assert result.exit_code == 0  # help needs no settings


def test_an_unexpected_error_is_one_line_without_debug(run, vault, monkeypatch):
    from mdfollow import rules

    def boom(*args, **kwargs):
        raise RuntimeError("something impossible")

    monkeypatch.setattr(rules, "build_agenda", boom)
    monkeypatch.delenv("MDFOLLOW_DEBUG")
    result = run("--vault", vault, "--no-cache", "agenda", "--json")
    assert result.exit_code == 1
    assert result.stderr.startswith("mdfollow: internal error: RuntimeError: something impossible.")
    assert "Traceback" not in result.output
