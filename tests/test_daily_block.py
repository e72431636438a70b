"""The agenda as a block in today's daily note."""

import json

from tests.conftest import snapshot
from tests.helpers import contact

TODAY = "2026-11-23"


def agenda_daily(run, vault, *more):
    return run("--vault", vault, "--today", TODAY, "agenda", "--daily", *more)


def test_block_from_daily_notes_config_is_created_then_only_replaced(run, make_vault):
    vault = make_vault(
        contact(met="2026-11-20") | {".obsidian/daily-notes.json": '{"folder": "Journal", "format": "YYYY-MM-DD"}'}
    )
    assert agenda_daily(run, vault).exit_code == 0
    note = vault / "Journal/2026-11-23.md"
    text = note.read_text(encoding="utf-8")
    assert text.startswith("%% mdfollow agenda: start %%\n### Overdue\n") and "Thank [[Jane Doe]]" in text
    assert not (vault / "Agenda.md").exists()
    # The user writes above and below; the next run changes only the block.
    above, below = (
        "\ufeff# Monday\r\n\r\nMet [[Jane Doe]] in the lift.\r\n\r\n",
        "\r\n## Evening\r\n- [ ] plan tomorrow\r\n",
    )
    block = text.replace("\n", "\r\n")
    note.write_bytes((above + block + below).encode("utf-8"))
    (vault / "People/Jane Doe.md").write_text("---\ntype: contact\nmet: 2026-11-21\n---\n", encoding="utf-8")
    assert agenda_daily(run, vault).exit_code == 0
    raw = note.read_bytes().decode("utf-8")
    assert raw.startswith(above) and raw.endswith(below)
    assert "met 2026-11-21" in raw and "met 2026-11-20" not in raw
    assert "\n" not in raw.replace("\r\n", "")  # still CRLF throughout
    before = snapshot(vault)
    assert agenda_daily(run, vault).exit_code == 0
    assert snapshot(vault) == before


def test_periodic_notes_config_with_a_nested_folder_format(run, make_vault):
    settings = {"daily": {"enabled": True, "folder": "Journal", "format": "YYYY/MM/YYYY-MM-DD dddd"}}
    vault = make_vault(contact(met="2026-11-20") | {".obsidian/plugins/periodic-notes/data.json": json.dumps(settings)})
    assert agenda_daily(run, vault).exit_code == 0
    assert (vault / "Journal/2026/11/2026-11-23 Monday.md").exists()
    # ...and that note is a dated note too: a mention there is a touch on its day.
    (vault / "Journal/2026/11/2026-11-22 Sunday.md").write_text("Lunch with [[Jane Doe]]\n")
    data = json.loads(run("--vault", vault, "--today", TODAY, "show", "Jane Doe", "--json").stdout)
    assert {"date": "2026-11-22", "source": "mention", "text": "Journal/2026/11/2026-11-22 Sunday.md:1"} in data[
        "history"
    ]


def test_existing_note_without_a_block_gets_it_appended(run, make_vault):
    vault = make_vault(contact(met="2026-11-20") | {"2026-11-23.md": "# Today\n\nNo final newline"})
    assert agenda_daily(run, vault).exit_code == 0
    text = (vault / "2026-11-23.md").read_text(encoding="utf-8")
    assert text.startswith("# Today\n\nNo final newline\n\n%% mdfollow agenda: start %%\n")


def test_a_tick_in_the_block_is_recorded(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    agenda_daily(run, vault)
    note = vault / "2026-11-23.md"
    note.write_text(
        "Notes first\n" + note.read_text(encoding="utf-8").replace("- [ ] Thank", "- [x] Thank"), encoding="utf-8"
    )
    result = agenda_daily(run, vault)
    assert result.exit_code == 0 and "recorded: thank for Jane Doe" in result.stderr
    assert "thanked: 2026-11-23" in (vault / "People/Jane Doe.md").read_text()
    text = note.read_text(encoding="utf-8")
    assert text.startswith("Notes first\n") and "Thank [[Jane Doe]]" not in text


def test_block_links_are_not_mentions_but_the_users_own_lines_are(run, make_vault):
    vault = make_vault(
        contact(cadence="weekly", last_contact="2026-10-01") | contact("Sam", strikes=3, last_outreach="2026-10-01")
    )
    agenda_daily(run, vault)
    note = vault / "2026-11-23.md"
    assert "[[Sam]]" in note.read_text(encoding="utf-8")  # gone quiet, listed in the block
    data = json.loads(run("--vault", vault, "--today", TODAY, "agenda", "--json").stdout)
    assert data["gone_quiet"][0]["contact"] == "Sam"  # not un-quieted by its own listing
    assert data["items"][0]["reason"].endswith("last touch 2026-10-01")


def test_a_hand_edited_block_is_not_clobbered(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    agenda_daily(run, vault)
    note = vault / "2026-11-23.md"
    note.write_text(note.read_text(encoding="utf-8").replace("### Overdue", "### Overdue!!"), encoding="utf-8")
    before = snapshot(vault)
    result = agenda_daily(run, vault)
    assert result.exit_code == 1 and "edited by hand" in result.stderr
    assert snapshot(vault) == before
    assert agenda_daily(run, vault, "--force").exit_code == 0


def test_daily_setting_and_out_do_not_mix(run, make_vault):
    vault = make_vault(contact(met="2026-11-20") | {".mdfollow.toml": "daily_agenda = true\n"})
    assert run("--vault", vault, "--today", TODAY, "agenda").exit_code == 0
    assert (vault / "2026-11-23.md").exists() and not (vault / "Agenda.md").exists()
    assert run("--vault", vault, "--today", TODAY, "agenda", "--no-daily").exit_code == 0
    assert (vault / "Agenda.md").exists()
    assert run("--vault", vault, "agenda", "--daily", "--out", vault / "x.md").exit_code == 2


def test_daily_messages_name_the_daily_note_and_watch_resolves_options_like_agenda(run, make_vault):
    vault = make_vault(contact(met="2026-11-20") | {".mdfollow.toml": "daily_agenda = true\n"})
    first = run("--vault", vault, "--today", TODAY, "agenda")
    assert "wrote 2026-11-23.md" in first.stderr
    again = run("--vault", vault, "--today", TODAY, "agenda")
    assert "2026-11-23.md is up to date" in again.stderr and "Agenda.md" not in again.stderr
    for args in (("--daily", "--out", vault / "x.md"), ("--out", vault / "x.md")):
        result = run("--vault", vault, "--today", TODAY, "watch", *args)
        assert result.exit_code == 2 and "does not go with --out" in result.stderr, args
        assert not (vault / "x.md").exists()
