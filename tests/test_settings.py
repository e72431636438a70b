import re

import pytest

from mdfollow.errors import SettingsUnusable
from mdfollow.settings import Me, Settings, parse_settings, settings_reference
from tests.conftest import ROOT


def test_defaults_when_empty():
    settings, problems = parse_settings("", ".mdfollow.toml")
    assert settings == Settings() and problems == []


def test_values_are_read():
    settings, problems = parse_settings(
        'horizon_days = 14\ncontact_types = ["person"]\nnudge_after_days = [5, 10]\ncommit = true\n'
        '[me]\nname = "Alex"\n',
        ".mdfollow.toml",
    )
    assert problems == []
    assert settings.horizon_days == 14 and settings.contact_types == ("person",)
    assert settings.nudge_after_days == (5, 10) and settings.commit is True
    assert settings.me == Me(name="Alex")


def test_every_problem_is_reported_at_once_with_its_line():
    text = 'horizon_days = "soon"\ncolour = true\nstrike_limit = 0\n\n[me]\nname = 3\nnick = "x"\n'
    settings, problems = parse_settings(text, ".mdfollow.toml")
    formatted = [p.format() for p in problems]
    assert formatted == [
        ".mdfollow.toml:1: error: setting 'horizon_days' must be an integer (0 or more), not 'soon'; using the default",
        ".mdfollow.toml:2: warning: unknown setting 'colour'; ignored",
        ".mdfollow.toml:6: error: setting 'me.name' must be a string",
        ".mdfollow.toml:7: warning: unknown setting 'me.nick'; ignored",
        ".mdfollow.toml:3: error: strike_limit must be 1 or more; using 3",
    ]
    assert settings.horizon_days == 7 and settings.strike_limit == 3


def test_invalid_toml_is_an_error_with_position():
    with pytest.raises(SettingsUnusable) as caught:
        parse_settings("horizon_days = \n", "x.toml")
    problem = caught.value.problem
    assert problem.severity == "error" and problem.line == 1 and problem.format().startswith("x.toml:1:")


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key, default, _doc in settings_reference():
        assert re.search(rf"^\| `{re.escape(key)}` \| `{re.escape(default)}` \|", readme, re.MULTILINE), key


def test_bad_settings_file_in_a_vault_is_reported_and_the_run_goes_on(run, make_vault):
    from tests.helpers import contact

    vault = make_vault(contact(met="2026-11-20") | {".mdfollow.toml": "horizon_days = -3\nfoo = 1\n"})
    result = run("--vault", vault, "--today", "2026-11-23", "agenda", "--stdout")
    assert result.exit_code == 0
    assert ".mdfollow.toml:1: error: setting 'horizon_days'" in result.stderr
    assert ".mdfollow.toml:2: warning: unknown setting 'foo'" in result.stderr
    assert "Thank [[Jane Doe]]" in result.stdout
