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
    --company, get an `update` item until you have been in touch since; the
    command says who. Company names match ignoring case, accents,
    punctuation, legal forms (Inc, LLC, GmbH, SA...) and words left off the
    end: "Northwind" matches "Northwind Foods, Inc.".

    \b
    Example:
      mdfollow milestone "Second-round interview at Northwind" --company Northwind
    """
    from mdfollow.milestones import Milestone, format_milestone
    from mdfollow.record import record_milestone
    from mdfollow.rules import to_be_told

    if not text.strip():
        raise Usage("TEXT is empty; say what happened")
    day = parse_day(when, "--date") if when else app.today
    settings = app.settings
    app.report_setting_errors()
    told = to_be_told(Milestone(day, text, company, 0), app.index(), app.today)
    line = format_milestone(day, text, company)
    path, before = record_milestone(app.vault, settings, line)
    app.say(f"recorded in {settings.milestones_file}: {line}")
    if told:
        app.say(f"will be told ({len(told)}): " + ", ".join(c.name for c in told))
    else:
        why = f"works at a company matching {company!r} or " if company.strip() else ""
        app.say(f"no one will be told: no active contact {why}has keep_informed: true")
    commit_files(app, commit, [path], f"milestone: {' '.join(text.split())}", {path: before})


def _event_help() -> str:
    from mdfollow.events import EVENT_KINDS

    width = max(len(kind.name) for kind in EVENT_KINDS) + 3
    return "\b\nEvents:\n" + "".join(f"  {kind.name.ljust(width)}{kind.help}\n" for kind in EVENT_KINDS)


@cli.command(epilog=_event_help())
@click.argument("name")
@click.argument("event", type=click.Choice(EVENTS), metavar="EVENT")
@click.option("--date", "when", metavar="YYYY-MM-DD", help="When it happened. Default: today.")
@click.option("--note", "text", default="", help="What happened, for the log line.")
@click.option("--advice", help="Set the advice to highlight (the `advice` key).")
@click.option("--outcome", help="Set what acting on the advice did (the `advice_outcome` key).")
@click.option("--warmth", type=click.Choice(["warm", "neutral", "cool"]), help="How they respond.")
@click.option("--to", "to", metavar="NAME", help="With `referred`: the person they referred you to.")
@click.option(
    "--next",
    "next_day",
    metavar="YYYY-MM-DD",
    help="A promise: follow up on this date (sets next_follow_up; a `scheduled` item then reminds you).",
)
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
    next_day: str | None,
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
      mdfollow log Aisha informed --note "got the offer" --next 2027-01-15
    """
    from mdfollow.edits import Value
    from mdfollow.events import Event, commit_summary
    from mdfollow.record import record_event, refer

    if event == "referred" and not to:
        raise Usage("`referred` needs --to NAME: the person they referred you to")
    if to and event != "referred":
        raise Usage("--to goes with the `referred` event")
    today = app.today
    day = parse_day(when, "--date") if when else today
    if day > today:
        raise Usage(f"--date {day.isoformat()} is after today; log what happened, plan with --next")
    promise = parse_day(next_day, "--next") if next_day else None
    if promise is not None and promise <= today:
        raise Usage(f"--next {promise.isoformat()} is not after today; a promise is a future date")
    index = app.index()
    app.report_setting_errors()
    contact = find_contact(index, name)
    settings = app.settings
    written: list[Path] = []
    to_name = None
    if event == "referred" and to:
        referral = refer(app.vault, settings, index, contact, to, today)
        to_name = referral.target
        written += [referral.path] if referral.path else []
        app.say(referral.message)
    record = Event(event, day, note=text, advice=advice, outcome=outcome, warmth=warmth, to=to_name)
    extra: dict[str, Value] | None = {"next_follow_up": promise} if promise else None
    recorded = record_event(app.vault, contact.path, record, settings, extra)
    written.append(recorded.path)
    changed = ", ".join(f"{k}: {v if v is not None else '(removed)'}" for k, v in recorded.changes.items())
    app.say(f"{contact.path}: {recorded.line}" + (f"  [{changed}]" if changed else ""))
    commit_files(app, commit, written, f"log: {commit_summary(record, contact.name)}", {recorded.path: recorded.before})


@cli.command(name="set")
@click.argument("name")
@click.argument("assignments", nargs=-1, required=True, metavar="KEY=VALUE...")
@commit_option
@pass_app
def set_(app: App, name: str, assignments: tuple[str, ...], commit: bool | None) -> None:
    """Set front-matter keys of a contact in place; `KEY=` removes one.

    Only those keys' lines change; every other byte of the note stays. A known
    key's value is checked first (dates, warmth, status, cadence, strikes,
    keep_informed; referred_by takes a contact's name), and on any error
    nothing is written.

    \b
    Examples:
      mdfollow set Nina snooze_until=2026-12-15
      mdfollow set "Marcus Bell" status=paused
      mdfollow set Hannah warmth=warm cadence=quarterly next_follow_up=
    """
    from mdfollow.errors import BadValue
    from mdfollow.record import assign

    pairs = []
    for text in assignments:
        key, equals, value = text.partition("=")
        if not equals or not key.strip():
            raise Usage(f"{text!r} is not KEY=VALUE (KEY= removes the key)")
        pairs.append((key.strip(), value))
    index = app.index()
    contact = find_contact(index, name)
    try:
        recorded = assign(app.vault, app.settings, index, contact, pairs)
    except BadValue as exc:
        reason = str(exc).removesuffix("; the key is ignored")  # check's wording; here the edit is refused
        raise Usage(f"{reason}; nothing was written") from None
    if not recorded.changes:
        app.say(f"{contact.path}: already so; nothing written")
        return
    changed = ", ".join(f"{k}: {v if v is not None else '(removed)'}" for k, v in recorded.changes.items())
    app.say(f"{contact.path}: {changed}")
    commit_files(app, commit, [recorded.path], f"set: {changed} on {contact.name}", {recorded.path: recorded.before})
