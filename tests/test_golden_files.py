"""Every generated file has a golden copy: the calendar feed and the daily-note block too."""

from tests.conftest import EXAMPLE_TODAY


def test_example_vault_calendar_feed_is_golden(run, example_vault, golden):
    for name, more in (("example/Agenda.ics", ()), ("example/Agenda-todo.ics", ("--todo",))):
        out = example_vault / name.split("/")[1]
        result = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "ics", "--out", out, *more)
        assert result.exit_code == 0, result.output
        golden(name, out.read_bytes().decode("utf-8"))


def test_example_vault_daily_note_block_is_golden(run, example_vault, golden):
    note = example_vault / "Daily" / f"{EXAMPLE_TODAY}.md"
    note.write_bytes(b"# Monday\r\n\r\nCall with [[Owen Park]] moved to Friday.\r\n")
    result = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "agenda", "--daily")
    assert result.exit_code == 0, result.output
    golden("example/daily-note.md", note.read_bytes().decode("utf-8"))
