"""Recording what happened: log, milestone."""

from __future__ import annotations

from pathlib import Path

import click

from mdfollow.cli.app import (
    App,
    Usage,
    cli,
    commit_files,
    commit_option,
    find_contact,
    parse_day,
    pass_app,
    write_over,
)
from mdfollow.events import EVENTS


@cli.command()
@click.argument("text")
@click.option("--company", default="", help="The company it concerns: contacts there hear about it.")
@click.option("--date", "when", metavar="YYYY-MM-DD", help="When it happened. Default: today.")
@commit_option
@pass_app
def milestone(app: App, text: str, company: str, when: str | None, commit: bool | None) -> None:
    """Record news to tell people about (an interview, an offer, advice that paid off).

    Contacts with `keep_informed: true`, and those whose `company` matches
    --company, get an `update` item until you have been in touch since.

    \b
    Example:
      mdfollow milestone "Second-round interview at Northwind" --company Northwind
    """
    from mdfollow.milestones import format_milestone
    from mdfollow.store import read_bytes

    if not text.strip():
        raise Usage("TEXT is empty; say what happened")
    day = parse_day(when, "--date") if when else app.today
    settings = app.settings
    path = app.vault / settings.milestones_file
    line = format_milestone(day, text, company)
    old = read_bytes(path)
    if old is None:
        new = (
            "# Milestones\n\nNews to share with the people who helped. One per line: "
            "`- YYYY-MM-DD what happened (company: Name)`.\n\n" + line + "\n"
        ).encode()
    else:
        newline = b"\r\n" if b"\r\n" in old else b"\n"
        sep = b"" if not old or old.endswith((b"\n", b"\r")) else newline
        new = old + sep + line.encode() + newline
    write_over(path, new, old, settings.milestones_file)
    app.say(f"recorded in {settings.milestones_file}: {line}")
    commit_files(app, commit, [path], f"milestone: {' '.join(text.split())}")


def _event_help() -> str:
    from mdfollow.events import EVENT_KINDS

    width = max(len(kind.name) for kind in EVENT_KINDS) + 3
    return "\b\nEvents:\n" + "".join(f"  {kind.name.ljust(width)}{kind.help}\n" for kind in EVENT_KINDS)


@cli.command(epilog=_event_help())
@click.argument("name")
@click.argument("event", type=click.Choice(EVENTS))
@click.option("--date", "when", metavar="YYYY-MM-DD", help="When it happened. Default: today.")
@click.option("--note", "text", default="", help="What happened, for the log line.")
@click.option("--advice", help="Set the advice to highlight (the `advice` key).")
@click.option("--outcome", help="Set what acting on the advice did (the `advice_outcome` key).")
@click.option("--warmth", type=click.Choice(["warm", "neutral", "cool"]), help="How they respond.")
@click.option("--to", "to", metavar="NAME", help="With `referred`: the person they referred you to.")
@commit_option
@pass_app
def log(
    app: App,
    name: str,
    event: str,
    when: str | None,
    text: str,
    advice: str | None,
    outcome: str | None,
    warmth: str | None,
    to: str | None,
    commit: bool | None,
) -> None:
    """Record what happened with a contact.

    Updates the note's front matter (only the keys the event changes; every
    other byte stays as it was) and appends one dated line under its
    Interactions heading. A promised `next_follow_up` is cleared by contact or
    a message from a week before it on.

    \b
    Examples:
      mdfollow log "Priya Raman" thanked --note "the insights readout"
      mdfollow log Tomás met --advice "Lead with one result in numbers"
      mdfollow log Elena referred --to "Grace Liu"
    """
    from mdfollow.events import Event, commit_summary
    from mdfollow.record import create_contact, record_event

    if event == "referred" and not to:
        raise Usage("`referred` needs --to NAME: the person they referred you to")
    if to and event != "referred":
        raise Usage("--to goes with the `referred` event")
    today = app.today
    day = parse_day(when, "--date") if when else today
    if day > today:
        raise Usage(f"--date {day.isoformat()} is after today; log what happened, plan with next_follow_up")
    index = app.index()
    contact = find_contact(index, name)
    settings = app.settings
    written: list[Path] = []
    to_name = None
    if event == "referred" and to:
        from mdfollow.index import lookup

        found, _ = lookup(index, to)
        if len(found) == 1:
            to_name = index.link_target(found[0])
            app.say(f"{found[0].name} is already a contact ({found[0].path}); not creating it")
        else:
            created = create_contact(vault := app.vault, settings, index, to, today, referrer=contact)
            written.append(created)
            to_name = created.stem
            app.say(f"created {created.relative_to(vault).as_posix()} (referred by {contact.name})")
    record = Event(event, day, note=text, advice=advice, outcome=outcome, warmth=warmth, to=to_name)
    recorded = record_event(app.vault, contact.path, record, settings)
    written.append(recorded.path)
    changed = ", ".join(f"{k}: {v if v is not None else '(removed)'}" for k, v in recorded.changes.items())
    app.say(f"{contact.path}: {recorded.line}" + (f"  [{changed}]" if changed else ""))
    commit_files(app, commit, written, f"log: {commit_summary(record, contact.name)}")
