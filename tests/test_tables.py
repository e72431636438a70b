"""One table per fact: the tables say it once, and everything that depends on them follows."""

import ast
import inspect
from datetime import date

from mdfollow import actions, contact, events, naming, rules, watcher
from mdfollow.edits import append_log, parse_log
from mdfollow.settings import SETTINGS_FILE
from mdfollow.vault import DAILY_NOTES_CONFIG


def test_every_action_has_a_rule_and_its_tick_is_an_event():
    made = set()
    for node in ast.walk(ast.parse(inspect.getsource(rules.candidates))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "follow_up":
            made.add(node.args[1].value)  # type: ignore[attr-defined]
    assert made == set(actions.NAMES)
    assert {action.tick for action in actions.ACTIONS} <= set(events.EVENTS)
    assert list(actions.RANK) == list(actions.NAMES)


def test_every_event_moves_only_date_keys_and_is_in_log_help(run):
    for kind in events.EVENT_KINDS:
        assert set(kind.moves) <= set(contact.DATE_KEYS), kind.name
        assert kind.strike in ("", "add", "reset"), kind.name
    shown = run("log", "--help").stdout
    assert all(f"  {kind.name} " in shown and kind.help in shown for kind in events.EVENT_KINDS)


def test_the_touch_methods_follow_the_date_table():
    days = {row.key: date(2026, 1, 1 + n) for n, row in enumerate(contact.DATES)}
    person = contact.Contact(path="P.md", name="P", **days)
    two_way = {days[r.key] for r in contact.DATES if r.touch == "two-way"}
    sent = {days[r.key] for r in contact.DATES if r.touch == "sent"}
    assert set(person.two_way_dates()) == two_way and set(person.sent_dates()) == sent
    assert set(contact.DATE_KEYS) == {f for f in contact.Contact.__dataclass_fields__ if isinstance(days.get(f), date)}


def test_the_log_is_read_by_the_rule_that_writes_it():
    raw = (
        b"\xef\xbb\xbf---\ntype: contact\n# Interactions\n---\n"
        b"```\n## Interactions\n- 2026-01-01 in code\n```\n"
        b"### interactions\r\n- 2026-01-02 met: coffee %%mf-0123abcd%%\r\n## Next\n- 2026-01-03 not in the log\n"
    )
    out = append_log(raw, "- 2026-01-04 sent")
    assert parse_log(out.decode("utf-8"), "Interactions") == [
        (date(2026, 1, 2), "met: coffee"),
        (date(2026, 1, 4), "sent"),
    ]
    fresh = append_log(b"---\ntype: contact\n---\nBody\n", "- 2026-01-05 note", "Log")
    assert parse_log(fresh.decode(), "Log") == [(date(2026, 1, 5), "note")]
    assert parse_log(fresh.decode(), "Interactions") == []


def test_a_made_safe_name_is_a_file_name():
    for name in ["AT&T / Retail", 'a\\b:c*d?e"f<g>h|i#j^k[l]m', "#^"]:
        safe = naming.file_safe(name)
        assert not set(safe) & set(naming.FORBIDDEN) or safe == name
    assert naming.note_file_name(naming.file_safe("AT&T / Retail")) == "AT&T - Retail.md"


def test_every_daily_notes_config_file_reloads_watch():
    # A run with the index store reads them afresh (the daily-note config is part of what every
    # summary is keyed by); watch, which keeps its reader, reloads when one of them changes.
    assert set(DAILY_NOTES_CONFIG) | {SETTINGS_FILE} <= watcher.RELOAD


def test_latest_touch_counts_exactly_the_touch_keys():
    from mdfollow.index import build_index

    index = build_index([])
    day = date(2026, 1, 5)
    for row in contact.DATES:
        person = contact.Contact(path="P.md", name="P", **{row.key: day})
        assert rules.latest_touch(person, index, date(2026, 2, 1)) == (day if row.touch else None), row.key
