"""Ticks survive what Obsidian and the Tasks plugin do to the agenda.

The edited lines below are written the way the Tasks plugin writes them (its
emoji format: done date `✅ YYYY-MM-DD` before the block link, cancelled
`[-]` with `❌ YYYY-MM-DD`, fields in its own order; its Dataview format
`[completion:: YYYY-MM-DD]`), and the way Obsidian rewrites links when a note
is renamed, not the way mdfollow would write them.
"""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdfollow.note import parse_note
from tests.helpers import contact

TODAY = "2026-11-23"


def agenda(run, vault, *more, today=TODAY):
    return run("--vault", vault, "--today", today, "agenda", *more)


def edit_line(path, needle, change):
    """Apply `change` to the one line holding `needle`, as an editor would."""
    lines = path.read_text(encoding="utf-8").split("\n")
    hits = [i for i, line in enumerate(lines) if needle in line]
    assert len(hits) == 1, needle
    lines[hits[0]] = change(lines[hits[0]])
    path.write_text("\n".join(lines), encoding="utf-8")


def tasks_done(line, day="2026-11-22"):
    """What the Tasks plugin's 'toggle done' writes: [x], then ✅ before the block link."""
    body, ident = line.rsplit(" ^", 1)
    return body.replace("- [ ]", "- [x]", 1) + f" ✅ {day} ^{ident}"


def front(vault, name):
    return parse_note("x.md", (vault / f"People/{name}.md").read_bytes()).front


def test_a_tasks_done_date_is_recorded_as_the_day_and_is_no_hand_edit(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    assert agenda(run, vault).exit_code == 0
    edit_line(vault / "Agenda.md", "Thank [[Jane Doe]]", tasks_done)
    result = agenda(run, vault)
    assert result.exit_code == 0, result.stderr
    assert "recorded:" in result.stderr and "edited by hand" not in result.stderr
    assert front(vault, "Jane Doe")["thanked"] == "2026-11-22"
    note = (vault / "People/Jane Doe.md").read_text(encoding="utf-8")
    assert "2026-11-22" in note.split("---", 2)[2] and note.count("%%mf-") == 1


def test_a_done_date_after_today_is_recorded_as_today_and_said(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    agenda(run, vault)
    edit_line(vault / "Agenda.md", "Thank [[Jane Doe]]", lambda line: tasks_done(line, "2026-11-30"))
    result = agenda(run, vault)
    assert result.exit_code == 0
    assert "done date 2026-11-30 is after today; recorded as 2026-11-23" in result.stderr
    assert front(vault, "Jane Doe")["thanked"] == TODAY


def test_the_dataview_format_and_reordered_fields_are_read(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    agenda(run, vault)

    def dataview(line):
        # Tasks in Dataview format, with a priority the user set in its edit dialog.
        m = re.match(r"- \[ \] (.*) 📅 (\S+) \^(mf-\w+)$", line)
        return f"- [x] {m.group(1)} [priority:: high] [due:: {m.group(2)}] [completion:: 2026-11-21] ^{m.group(3)}"

    edit_line(vault / "Agenda.md", "Thank [[Jane Doe]]", dataview)
    result = agenda(run, vault)
    assert result.exit_code == 0, result.stderr
    assert front(vault, "Jane Doe")["thanked"] == "2026-11-21"


def test_emoji_fields_moved_and_the_id_not_last_still_match(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    agenda(run, vault)

    def shuffled(line):
        m = re.match(r"- \[ \] (.*) (📅 \S+) \^(mf-\w+)$", line)
        return f"- [x] {m.group(1)} ⏫ ^{m.group(3)} ✅ 2026-11-23 {m.group(2)}"

    edit_line(vault / "Agenda.md", "Thank [[Jane Doe]]", shuffled)
    result = agenda(run, vault)
    assert result.exit_code == 0, result.stderr
    assert front(vault, "Jane Doe")["thanked"] == TODAY


def test_a_cancelled_task_logs_nothing_and_stays_cancelled(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    agenda(run, vault)
    before = (vault / "People/Jane Doe.md").read_bytes()

    def cancelled(line):
        body, ident = line.rsplit(" ^", 1)
        return body.replace("- [ ]", "- [-]", 1) + f" ❌ 2026-11-23 ^{ident}"

    edit_line(vault / "Agenda.md", "Thank [[Jane Doe]]", cancelled)
    result = agenda(run, vault)
    assert result.exit_code == 0, result.stderr
    assert "recorded" not in result.stderr and "no longer matches" not in result.stderr
    assert (vault / "People/Jane Doe.md").read_bytes() == before
    assert "- [-] Thank [[Jane Doe]]" in (vault / "Agenda.md").read_text(encoding="utf-8")
    again = agenda(run, vault)
    assert again.exit_code == 0 and "- [-] Thank" in (vault / "Agenda.md").read_text(encoding="utf-8")


def rename(vault, old, new, form="[[{}]]"):
    """What Obsidian does on a rename: move the file and rewrite every link to it."""
    (vault / f"People/{old}.md").rename(vault / f"People/{new}.md")
    agenda_file = vault / "Agenda.md"
    agenda_file.write_text(
        agenda_file.read_text(encoding="utf-8").replace(form.format(old), form.format(new)), encoding="utf-8"
    )


def test_a_rename_rewriting_the_link_is_no_hand_edit_and_its_tick_is_recorded(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    agenda(run, vault)
    rename(vault, "Jane Doe", "Jane Smith")
    plain = agenda(run, vault)
    assert plain.exit_code == 0, plain.stderr
    rename(vault, "Jane Smith", "Jane Q Smith")
    edit_line(vault / "Agenda.md", "Thank [[Jane Q Smith]]", tasks_done)
    result = agenda(run, vault)
    assert result.exit_code == 0, result.stderr
    assert "recorded: thank for Jane Q Smith" in result.stderr
    assert front(vault, "Jane Q Smith")["thanked"] == "2026-11-22"


def test_a_tick_on_a_renamed_contact_whose_id_changed_is_matched_by_link_action_and_due(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    agenda(run, vault)
    edit_line(vault / "Agenda.md", "Thank [[Jane Doe]]", tasks_done)
    # Renamed in Obsidian after ticking: the block id still names the old path.
    rename(vault, "Jane Doe", "Jane Smith")
    result = agenda(run, vault)
    assert result.exit_code == 0, result.stderr
    assert "no longer matches" not in result.stderr
    assert front(vault, "Jane Smith")["thanked"] == "2026-11-22"


def test_lines_the_user_adds_are_kept(run, make_vault):
    vault = make_vault(contact(met="2026-11-20") | contact("Ann Lee", cadence="weekly", last_contact="2026-11-19"))
    agenda(run, vault)
    path = vault / "Agenda.md"
    edit_line(path, "Thank [[Jane Doe]]", lambda line: line + "\n    - she prefers e-mail")
    edit_line(path, "## Overdue", lambda line: line + "\nRemember: Friday is a holiday.")
    path.write_text(path.read_text(encoding="utf-8") + "\n## My notes\n- call the bank\n", encoding="utf-8")
    result = agenda(run, vault, today="2026-11-24")
    assert result.exit_code == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    assert re.search(r"Thank \[\[Jane Doe\]\].*\n    - she prefers e-mail\n", text)
    assert "## Overdue\nRemember: Friday is a holiday.\n" in text
    assert text.endswith("%%\n\n## My notes\n- call the bank\n")
    # Once the item it sat under is done, the line is kept below the footer, and the user is told.
    edit_line(path, "Thank [[Jane Doe]]", tasks_done)
    done = agenda(run, vault, today="2026-11-24")
    assert done.exit_code == 0, done.stderr
    assert "a line you added was kept below the agenda's footer" in done.stderr
    text = path.read_text(encoding="utf-8")
    assert "    - she prefers e-mail" in text.split("%% mdfollow agenda")[1]
    assert "## My notes\n- call the bank\n" in text
    steady = agenda(run, vault, today="2026-11-24")
    assert steady.exit_code == 0 and steady.stderr.count("warning") == 0


def test_properties_added_in_obsidian_stay_above_the_title(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    agenda(run, vault)
    path = vault / "Agenda.md"
    head = "---\ntags:\n  - dashboard\ncssclasses:\n  - wide\n---\n"
    path.write_text(head + path.read_text(encoding="utf-8"), encoding="utf-8")
    result = agenda(run, vault, today="2026-11-24")
    assert result.exit_code == 0, result.stderr
    assert path.read_text(encoding="utf-8").startswith(head + "# Follow-ups for Tuesday 24 November 2026\n")


def test_changing_what_mdfollow_wrote_still_stops_the_run(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    agenda(run, vault)
    edit_line(vault / "Agenda.md", "Thank [[Jane Doe]]", lambda line: line.replace("met 2026", "met her 2026"))
    result = agenda(run, vault)
    assert result.exit_code == 1 and "edited by hand" in result.stderr


def test_an_agenda_signed_by_the_previous_version_is_still_ours(run, make_vault):
    from mdfollow.ticks import _legacy_signature

    vault = make_vault(contact(met="2026-11-20"))
    agenda(run, vault)
    path = vault / "Agenda.md"
    text = path.read_text(encoding="utf-8")
    body, footer = text.rsplit("%% mdfollow agenda ", 1)
    path.write_text(body + "%% mdfollow agenda " + _legacy_signature(body) + footer[16:], encoding="utf-8")
    tick = agenda(run, vault, today="2026-11-24")
    assert tick.exit_code == 0, tick.stderr


def test_the_daily_block_takes_the_same_edits(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    assert agenda(run, vault, "--daily").exit_code == 0
    note = vault / "2026-11-23.md"
    edit_line(note, "Thank [[Jane Doe]]", lambda line: tasks_done(line) + "\n  - sent from my phone")
    result = agenda(run, vault, "--daily")
    assert result.exit_code == 0, result.stderr
    assert front(vault, "Jane Doe")["thanked"] == "2026-11-22"
    assert "kept below the mdfollow block" in result.stderr
    text = note.read_text(encoding="utf-8")
    assert text.split("%% mdfollow agenda: end ")[1].split("\n", 1)[1] == "  - sent from my phone\n"


def test_a_recurring_task_done_in_tasks_is_recorded_once(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    agenda(run, vault)

    def recurred(line):
        # The user made it recur; done in Tasks, the next occurrence goes one line above.
        m = re.match(r"- \[ \] (.*) 📅 (\S+) \^(mf-\w+)$", line)
        words, ident = m.group(1), m.group(3)
        return (
            f"- [ ] {words} 🔁 every week 📅 2026-11-28 ^{ident}\n"
            f"- [x] {words} 🔁 every week 📅 {m.group(2)} ✅ 2026-11-22 ^{ident}"
        )

    edit_line(vault / "Agenda.md", "Thank [[Jane Doe]]", recurred)
    result = agenda(run, vault)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("recorded:") == 1 and "no longer matches" not in result.stderr
    assert (vault / "People/Jane Doe.md").read_text(encoding="utf-8").count("%%mf-") == 1


def test_a_note_under_the_title_stays_under_it_from_day_to_day(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    agenda(run, vault)
    edit_line(vault / "Agenda.md", "# Follow-ups for", lambda line: line + "\n> Focus: the Larkspur interview")
    result = agenda(run, vault, today="2026-11-24")
    assert result.exit_code == 0 and "warning" not in result.stderr, result.stderr
    text = (vault / "Agenda.md").read_text(encoding="utf-8")
    assert text.startswith("# Follow-ups for Tuesday 24 November 2026\n> Focus: the Larkspur interview\n")


FIELDS = ["⏫", "🔼", "🔁 every week", "➕ 2026-11-01", "🛫 2026-11-02", "⏳ 2026-11-03", "🏁 keep", "❌ 2026-11-04"]


@given(
    st.permutations(FIELDS).flatmap(lambda p: st.integers(0, len(p)).map(lambda n: p[:n])),
    st.sampled_from(["x", "X", "-", "/", " "]),
    st.booleans(),
    st.integers(0, 3),
)
def test_whatever_tasks_adds_or_moves_the_line_is_the_same_line(extra, status, done, where):
    from mdfollow.ticks import _canonical, read_task

    line = "- [ ] Thank [[Jane Doe]]: met 2026-11-20; highlight: “x” 📅 2026-11-21 ^mf-0a1b2c3d"
    words, rest = line[6:].split(" 📅 ")
    due, ident = rest.split(" ")
    fields = [f"📅 {due}", *extra] + (["✅ 2026-11-22"] if done else [])
    fields.insert(min(where, len(fields)), ident)  # the block id anywhere among them
    edited = f"- [{status}] {words.replace('[[Jane Doe]]', '[[Jane Smith]]')} " + " ".join(fields)
    assert _canonical(edited) == _canonical(line)
    tick = read_task(edited, 7)
    assert tick is not None and tick.block_id == "mf-0a1b2c3d" and tick.status == status
    assert tick.action == "thank" and str(tick.due) == "2026-11-21" and tick.link == "Jane Smith"
    assert (str(tick.done) if tick.done else None) == ("2026-11-22" if done else None)


@pytest.mark.parametrize(
    "needle, typed",
    [
        ("## Overdue", lambda line: line + "\n\nfirst, call the bank"),  # after the heading's blank line
        ("Thank [[Jane Doe]]", lambda line: line + "\n  - she prefers e-mail\n\n  - and mornings"),
        ("Check in with [[Ann Lee]]", lambda line: line + "\n\nA closing thought.\n"),
    ],
)
def test_an_agenda_with_lines_typed_into_it_is_left_byte_for_byte(run, make_vault, needle, typed):
    vault = make_vault(contact(met="2026-11-20") | contact("Ann Lee", cadence="weekly", last_contact="2026-11-10"))
    agenda(run, vault)
    path = vault / "Agenda.md"
    edit_line(path, needle, typed)
    before = path.read_bytes()
    result = agenda(run, vault)
    assert result.exit_code == 0, result.stderr
    assert "up to date" in result.stderr and path.read_bytes() == before
