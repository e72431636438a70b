"""Obsidian's own settings, as Obsidian and its plugins write them.

Shapes: the core Templates plugin's `.obsidian/templates.json` ({"folder",
"dateFormat", "timeFormat"}); Templater's `data.json` ({"templates_folder"});
the core Daily notes plugin's `daily-notes.json` ({"folder", "format",
"template"}); Periodic Notes 0.x (`{"daily": {"enabled", "folder", "format",
"template"}}`) and 1.x (`{"calendarSets": [{"id", "day": {"enabled", "folder",
"format", "templatePath"}}], "activeCalendarSet"}`); the enabled community
plugins in `community-plugins.json` (a list of plugin ids).
"""

import json
import re
from datetime import date

import pytest

from mdfollow.dates import compile_daily_format, fill_template, locale_week
from tests.helpers import contact

TODAY = "2026-11-23"
PERSON_TEMPLATE = "---\ntype: contact\nmet: 2026-11-01\ncompany:\n---\n# {{title}}\n"


def agenda_daily(run, vault, *more):
    return run("--vault", vault, "--today", TODAY, "agenda", "--daily", *more)


@pytest.mark.parametrize(
    "config, data",
    [
        (".obsidian/templates.json", {"folder": "Templates", "dateFormat": "YYYY-MM-DD", "timeFormat": "HH:mm"}),
        (
            ".obsidian/plugins/templater-obsidian/data.json",
            {"templates_folder": "Templates", "trigger_on_file_creation": False},
        ),
    ],
)
def test_obsidian_template_folders_are_never_notes(run, make_vault, config, data):
    vault = make_vault(
        contact(met="2026-11-20")
        | {"Templates/Person.md": PERSON_TEMPLATE, "Templates/Bad.md": "---\ntype: contact\nwarmth: hot\n---\n"}
        | {config: json.dumps(data)}
    )
    listed = json.loads(run("--vault", vault, "--today", TODAY, "list", "--json").stdout)
    assert [c["note"] for c in listed] == ["People/Jane Doe.md"]
    checked = run("--vault", vault, "--today", TODAY, "check")
    assert checked.exit_code == 0, checked.stderr
    assert "Templates/" not in checked.stderr


def test_without_the_setting_a_templates_folder_is_read_as_usual(run, make_vault):
    vault = make_vault(contact(met="2026-11-20") | {"Templates/Person.md": PERSON_TEMPLATE})
    listed = json.loads(run("--vault", vault, "--today", TODAY, "list", "--json").stdout)
    assert len(listed) == 2


DAILY_TEMPLATE = (
    "---\ncreated: {{date:YYYY-MM-DDTHH:mm}}\n---\n# {{title}}\n\n"
    "{{date:dddd, D MMMM YYYY}} · week {{date:gggg-[W]ww}} (ISO {{date:GGGG-[W]WW}}) · {{time}}\n"
    "[[{{yesterday}}]] · [[{{tomorrow}}]] · {{date}}\n\n## Notes\n"
)


def test_the_daily_note_is_created_from_the_daily_notes_template(run, make_vault):
    vault = make_vault(
        contact(met="2026-11-20")
        | {
            ".obsidian/daily-notes.json": json.dumps(
                {"folder": "Journal", "format": "YYYY-MM-DD", "template": "Templates/Daily"}
            )
        }
        | {".obsidian/templates.json": json.dumps({"folder": "Templates"})}
        | {"Templates/Daily.md": DAILY_TEMPLATE}
    )
    result = agenda_daily(run, vault)
    assert result.exit_code == 0, result.stderr
    text = (vault / "Journal/2026-11-23.md").read_text(encoding="utf-8")
    assert re.match(r"---\ncreated: 2026-11-23T\d\d:\d\d\n---\n# 2026-11-23\n\n", text)
    assert "Monday, 23 November 2026 · week 2026-W48 (ISO 2026-W48) · " in text
    assert "[[2026-11-22]] · [[2026-11-24]] · 2026-11-23\n\n## Notes\n" in text
    assert "{{" not in text
    assert text.endswith("## Notes\n\n%% mdfollow agenda: start %%\n" + text.split("%% mdfollow agenda: start %%\n")[1])
    # Only a new note starts from the template; an existing one is left as it is.
    again = agenda_daily(run, vault)
    assert again.exit_code == 0 and (vault / "Journal/2026-11-23.md").read_text(encoding="utf-8") == text


def test_a_missing_template_is_said_and_the_note_still_made(run, make_vault):
    vault = make_vault(contact(met="2026-11-20") | {".obsidian/daily-notes.json": '{"template": "Templates/Gone"}'})
    result = agenda_daily(run, vault)
    assert result.exit_code == 0
    assert "Templates/Gone: warning: the daily-notes template is not in the vault" in result.stderr
    assert (vault / "2026-11-23.md").read_text(encoding="utf-8").startswith("%% mdfollow agenda: start %%")


PERIODIC_0 = {
    "showGettingStartedBanner": False,
    "hasMigratedDailyNoteSettings": True,
    "daily": {"enabled": True, "folder": "Periodic", "format": "YYYY/MM/YYYY-MM-DD", "template": "T/Day"},
}
PERIODIC_1 = {
    "showGettingStartedBanner": False,
    "calendarSets": [
        {
            "id": "Work",
            "ctime": "1",
            "day": {"enabled": True, "folder": "Work/Days", "format": "DD.MM.YYYY", "templatePath": "T/Day.md"},
        },
        {
            "id": "Default",
            "ctime": "2",
            "day": {"enabled": True, "folder": "Days", "format": "YYYY-MM-DD", "templatePath": "T/Day.md"},
        },
    ],
    "activeCalendarSet": "Work",
}


@pytest.mark.parametrize(
    "periodic, expected",
    [(PERIODIC_0, "Periodic/2026/11/2026-11-23.md"), (PERIODIC_1, "Work/Days/23.11.2026.md")],
)
def test_an_enabled_periodic_notes_wins_over_a_leftover_daily_notes_json(run, make_vault, periodic, expected):
    files = contact(met="2026-11-20") | {
        ".obsidian/daily-notes.json": '{"folder": "Old", "format": "YYYY-MM-DD"}',
        ".obsidian/plugins/periodic-notes/data.json": json.dumps(periodic),
        ".obsidian/community-plugins.json": json.dumps(["obsidian-tasks-plugin", "periodic-notes"]),
        "T/Day.md": "# {{title}}\n",
    }
    vault = make_vault(files)
    result = agenda_daily(run, vault)
    assert result.exit_code == 0, result.stderr
    text = (vault / expected).read_text(encoding="utf-8")
    assert text.startswith("# " + expected.rsplit("/", 1)[1][:-3] + "\n")
    assert not (vault / "Old").exists()
    # Disabled in Obsidian: the core plugin's settings are used again.
    (vault / ".obsidian/community-plugins.json").write_text('["obsidian-tasks-plugin"]', encoding="utf-8")
    assert agenda_daily(run, vault).exit_code == 0
    assert (vault / "Old/2026-11-23.md").exists()


def test_a_dated_note_in_the_periodic_folder_is_a_touch(run, make_vault):
    files = contact(cadence="monthly", last_contact="2026-10-01") | {
        ".obsidian/plugins/periodic-notes/data.json": json.dumps(PERIODIC_1),
        ".obsidian/community-plugins.json": '["periodic-notes"]',
        "Work/Days/20.11.2026.md": "Lunch with [[Jane Doe]].\n",
    }
    vault = make_vault(files)
    data = json.loads(run("--vault", vault, "--today", TODAY, "show", "Jane Doe", "--json").stdout)
    assert {"date": "2026-11-20", "source": "mention", "text": "Work/Days/20.11.2026.md:1"} in data["history"]


@pytest.mark.parametrize(
    "day, locale, iso",
    [
        # moment's default (en) locale: weeks start on Sunday, week 1 holds 1 January.
        ("2026-01-01", "2026-W01", "2026-W01"),
        ("2026-01-04", "2026-W02", "2026-W01"),  # a Sunday
        ("2026-12-27", "2027-W01", "2026-W52"),
        ("2021-01-01", "2021-W01", "2020-W53"),
        ("2023-01-01", "2023-W01", "2022-W52"),
    ],
)
def test_locale_and_iso_week_tokens(day, locale, iso):
    when = date.fromisoformat(day)
    assert compile_daily_format("gggg-[W]ww").render(when) == locale
    assert compile_daily_format("GGGG-[W]WW").render(when) == iso
    assert compile_daily_format("gg-w").render(when) == f"{locale[2:4]}-{int(locale[-2:])}"
    assert locale_week(when) == (int(locale[:4]), int(locale[-2:]))


def test_template_variables_are_filled_as_obsidian_fills_them():
    from datetime import time

    text = "{{date}} {{ time }} {{title}} {{date:YYYY-MM-DD HH:mm}} {{date+1M:MMMM}} {{time-30m}} {{DATE}}"
    got = fill_template(text, date(2026, 11, 23), time(9, 5), "My Day", "DD.MM.YYYY")
    assert got == "23.11.2026 09:05 My Day 2026-11-23 09:05 December 08:35 23.11.2026"
