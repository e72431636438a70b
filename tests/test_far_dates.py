"""Dates have an end (9999-12-31): a far-future value is one note's problem, never the vault's."""

from __future__ import annotations

import pytest

from mdfollow.dates import LATEST, CadenceError, DateError, parse_cadence, parse_date
from mdfollow.settings import parse_settings
from tests.helpers import contact

TODAY = "2026-11-23"


@pytest.fixture
def far_vault(make_vault):
    return make_vault(
        contact("Ann Lee", met="2026-11-01", cadence="9999y", last_contact="2026-11-01")
        | contact("Bob Roe", met="2026-11-01", thanked="9999-12-31")
        | contact("Cat Poe", met="2026-11-01", next_follow_up="9999-12-31", last_outreach="9999-12-30")
        | contact("Dan Oak", met="2026-11-20")
        | {"Daily/9999-12-31.md": "Met [[Dan Oak]].\n", "Milestones.md": "- 9999-12-31 far news\n"}
    )


@pytest.mark.parametrize(
    "command",
    [["list"], ["agenda", "--stdout"], ["show", "Ann Lee"], ["show", "Bob Roe"], ["show", "Cat Poe"], ["ics"]],
)
def test_far_future_values_are_note_problems_and_the_rest_goes_on(run, far_vault, command):
    result = run("--vault", far_vault, "--today", TODAY, *command)
    assert result.exit_code == 0, result.stderr
    assert "internal error" not in result.stderr


def test_check_reports_each_far_value_with_its_line(run, far_vault):
    result = run("--vault", far_vault, "--today", TODAY, "check")
    assert result.exit_code == 1
    err = result.stderr
    assert "People/Ann Lee.md:4: error: cadence: '9999y' is longer than 10 years" in err
    assert "People/Bob Roe.md:4: error: thanked: '9999-12-31' is after 9000-12-31" in err
    assert "People/Cat Poe.md:4: error: next_follow_up: '9999-12-31' is after 9000-12-31" in err
    assert "Milestones.md:1:" in err


def test_the_agenda_still_lists_the_others(run, far_vault):
    out = run("--vault", far_vault, "--today", TODAY, "agenda", "--stdout").stdout
    assert "Thank [[Dan Oak]]" in out


@pytest.mark.parametrize("day", ["0000-01-01", "0999-12-31", "9999-12-31", "9001-01-01"])
def test_today_out_of_range_is_a_usage_error(run, far_vault, day):
    result = run("--vault", far_vault, "--today", day, "list")
    assert result.exit_code == 2
    assert "--today" in result.stderr and "internal error" not in result.stderr


def test_the_last_day_mdfollow_plans_works_end_to_end(run, far_vault):
    result = run("--vault", far_vault, "--today", LATEST.isoformat(), "agenda", "--stdout")
    assert result.exit_code == 0 and "internal error" not in result.stderr


def test_huge_settings_are_setting_problems(run, far_vault):
    (far_vault / ".mdfollow.toml").write_text(
        "horizon_days = 99999999\ncool_stretch = 100000\nnudge_after_days = [7, 100000000]\nstrike_limit = 10000000\n"
    )
    result = run("--vault", far_vault, "--today", TODAY, "agenda", "--stdout")
    assert result.exit_code == 0, result.stderr
    for line, key in enumerate(["horizon_days", "cool_stretch", "nudge_after_days", "strike_limit"], 1):
        assert f".mdfollow.toml:{line}: error: {key} = " in result.stderr
    settings, _ = parse_settings("horizon_days = 99999999\n", ".mdfollow.toml")
    assert settings.horizon_days == 7


def test_parsers_bound_what_they_accept():
    with pytest.raises(DateError):
        parse_date("9999-12-31")
    with pytest.raises(DateError):
        parse_date("0000-01-01")
    with pytest.raises(CadenceError):
        parse_cadence("9999y")
    with pytest.raises(CadenceError):
        parse_cadence("1" * 5000 + "d")
    assert parse_cadence("10y") is not None and parse_cadence("520w") is not None and parse_cadence("3660d") is not None
