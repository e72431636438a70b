"""Reading contacts: check, list, show, history, new."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, Any

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
    plural,
    print_json,
)

if TYPE_CHECKING:
    from mdfollow.contact import Contact
    from mdfollow.diagnostics import Diagnostic
    from mdfollow.index import VaultIndex
    from mdfollow.timeline import Entry


def _problem_order(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.path, d.line or 0, d.column or 0, d.message)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@pass_app
def check(app: App, as_json: bool, strict: bool) -> None:
    """Check every note; exit 1 when any has an error.

    Each problem is one line, `path:line[:col]: error|warning: message`, on
    stderr. Errors are values mdfollow ignores (a contact keeps its other
    keys) or notes it cannot read at all (skipped). Warnings are worth a look.

    \b
    Examples:
      mdfollow check
      mdfollow --vault ~/Notes check --strict
      mdfollow check --json | jq '.problems[] | .path'
    """
    from mdfollow.index import likely_duplicates

    index = app.index()
    problems = tuple(sorted({*index.problems, *likely_duplicates(index.contacts)}, key=_problem_order))
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    if as_json:
        print_json(
            {
                "notes": index.notes_read,
                "contacts": len(index.contacts),
                "skipped": index.notes_skipped,
                "errors": errors,
                "warnings": warnings,
                "problems": [p.to_json() for p in problems],
            }
        )
    else:
        app.report(problems, always=True)
        notes = len({p.path for p in problems})
        status = (
            "no problems"
            if not problems
            else f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(notes, 'file')}"
        )
        app.say(f"checked {index.notes_read} notes ({len(index.contacts)} contacts): {status}")
    if errors or (strict and warnings):
        sys.exit(1)


@cli.command(name="list")
@click.option("--due", is_flag=True, help="Only contacts with something due today or overdue.")
@click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="TAG",
    help="Only contacts with this tag (repeatable; #work/x matches work).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def list_(app: App, due: bool, tags: tuple[str, ...], as_json: bool) -> None:
    """List contacts with their next action and due date.

    \b
    Examples:
      mdfollow list --due
      mdfollow list --tag recruiter
      mdfollow list --json | jq -r '.[] | select(.action) | .contact'
    """
    from mdfollow.contact import fold
    from mdfollow.render import one_line
    from mdfollow.rules import contact_state, next_action

    index = app.index()
    today = app.today
    settings = app.settings
    app.report(index.problems)
    wanted = [fold(t.lstrip("#")) for t in tags]
    rows = []
    for contact in sorted(index.contacts, key=lambda c: (fold(c.name), c.path)):
        have = [fold(t) for t in contact.tags]
        if wanted and not all(any(h == w or h.startswith(w + "/") for h in have) for w in wanted):
            continue
        item = next_action(contact, index, today, settings)
        if due and (item is None or item.due > today):
            continue
        rows.append((contact, item, contact_state(contact, today, settings)))
    if as_json:
        print_json(
            [
                {
                    "contact": c.name,
                    "note": c.path,
                    "status": state,
                    "action": item.action if item else None,
                    "due": item.due.isoformat() if item else None,
                    "days_overdue": item.days_overdue(today) if item else None,
                    "reason": one_line(item.reason) if item else None,
                    "also": list(item.also) if item else [],
                    "tags": list(c.tags),
                }
                for c, item, state in rows
            ]
        )
        return
    if not rows:
        app.say(
            "no contacts match"
            if (due or tags)
            else "no contacts found; contacts have `type: contact` in their front matter"
        )
        return
    width = max(len(c.name) for c, _, _ in rows)
    for contact, item, state in rows:
        if item is None:
            what = f"— ({state})"
        else:
            days = item.days_overdue(today)
            when = "today" if days == 0 else (f"{days}d overdue" if days > 0 else f"in {-days}d")
            what = f"{item.action:<14} {item.due.isoformat()}  {when}"
            if days > 0:
                what = click.style(what, fg="red")
        click.echo(f"{contact.name:<{width}}  {what}")


@cli.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def show(app: App, name: str, as_json: bool) -> None:
    """Show one contact: state, next action, history.

    NAME matches the note's file name, its `name`, or an alias, ignoring case
    and accents.

    \b
    Examples:
      mdfollow show "Priya Raman"
      mdfollow show priya --json | jq .next
    """
    from mdfollow.render import item_json, one_line
    from mdfollow.rules import Agenda, gone_quiet, next_action

    index = app.index()
    contact = find_contact(index, name)
    today = app.today
    settings = app.settings
    app.report([p for p in index.problems if p.path == contact.path])
    item = next_action(contact, index, today, settings)
    quiet = gone_quiet(contact, today, settings)
    from mdfollow.store import read_all_bytes

    raw = read_all_bytes(app.vault / contact.path)
    history = _timeline(app, contact, index, raw)
    from mdfollow.note import parse_note
    from mdfollow.store import read_all_bytes

    front = parse_note(contact.path, raw).front
    state = {key: _plain(front[key]) for key in front if key != "type"}
    if as_json:
        empty = Agenda(today, settings.horizon_days, (), (), ())
        print_json(
            {
                "contact": contact.name,
                "note": contact.path,
                "state": state,
                "next": item_json(item, empty) if item else None,
                "gone_quiet": quiet is not None,
                "history": [entry.to_json() for entry in history],
            }
        )
        return
    click.echo(click.style(contact.name, bold=True) + f"  ({contact.path})")
    for key, value in state.items():
        click.echo(f"  {key}: {one_line(str(value)) if not isinstance(value, list) else ', '.join(map(str, value))}")
    click.echo("")
    if item is not None:
        days = item.days_overdue(today)
        when = (
            "due today"
            if days == 0
            else (f"{plural(days, 'day')} overdue" if days > 0 else f"due in {plural(-days, 'day')}")
        )
        click.echo(f"Next: {item.action} on {item.due.isoformat()} ({when})")
        click.echo(f"  {one_line(item.reason)}")
        if item.also:
            click.echo(f"  also: {', '.join(item.also)}")
    elif quiet is not None:
        click.echo(f"Gone quiet: {quiet.strikes} messages unanswered; wait until they write back.")
    else:
        click.echo("Next: nothing to do" + (f" ({contact.status})" if contact.status != "active" else ""))
    if history:
        click.echo("\nHistory:")
        _print_timeline(history)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _timeline(app: App, contact: Contact, index: VaultIndex, raw: bytes) -> list[Entry]:
    from mdfollow.git import changes_to
    from mdfollow.timeline import timeline

    commits = [(c.date, c.commit, c.subject) for c in changes_to(app.vault, app.vault / contact.path)]
    settings = app.settings
    return timeline(contact, index, raw.decode("utf-8", "replace"), settings.log_heading, commits, settings.keys)


def _print_timeline(entries: list[Entry]) -> None:
    for entry in entries:
        click.echo(f"  {entry.date.isoformat()}  {entry.source:<7}  {entry.text}")


@cli.command()
@click.argument("name")
@click.option("--met", metavar="YYYY-MM-DD", help="When you met (a thank-you falls due the day after).")
@click.option("--referred-by", "referred_by", metavar="NAME", help="The contact who gave you this name.")
@click.option("--company", default="", help="Where they work.")
@click.option("--advice", default="", help="The advice they gave, to highlight in the thank-you.")
@click.option("--cadence", default="", help="How often to keep in touch: monthly, quarterly, 6w, 45d ...")
@click.option("--role", default="", help="Their role or title.")
@click.option("--email", default="", help="Their e-mail address.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="A tag (repeatable).")
@click.option("--warmth", type=click.Choice(["warm", "neutral", "cool"]), help="How they respond.")
@click.option("--keep-informed", is_flag=True, help="They asked to hear how it goes (milestones reach them).")
@commit_option
@pass_app
def new(
    app: App,
    name: str,
    met: str | None,
    referred_by: str | None,
    company: str,
    advice: str,
    cadence: str,
    role: str,
    email: str,
    tags: tuple[str, ...],
    warmth: str | None,
    keep_informed: bool,
    commit: bool | None,
) -> None:
    """Create a contact note from the contact.md template.

    The note goes to the contacts folder (People/ by default), named after the
    person; `added` is set to today. mdfollow never overwrites a note, and
    refuses names that could not be a file name inside that folder.

    \b
    Example:
      mdfollow new "Priya Raman" --met 2026-11-17 --company "Larkspur Foods" \\
          --advice "Sit in on a consumer-insights readout"
      mdfollow new "Lena Ortiz" --email lena@example.com --role "Head of Insights" \\
          --tag cpg --tag mentor --warmth warm --keep-informed
    """
    from mdfollow.dates import CadenceError, parse_cadence
    from mdfollow.record import create_contact

    met_day = parse_day(met, "--met") if met else None
    if cadence:
        try:
            parse_cadence(cadence)
        except CadenceError as exc:
            raise Usage(f"--cadence: {exc}") from None
    extra: list[tuple[str, object]] = [("role", " ".join(role.split())), ("email", email.strip())]
    clean_tags = [t.strip().lstrip("#") for t in tags if t.strip().lstrip("#")]
    extra += [("tags", clean_tags), ("warmth", warmth or ""), ("keep_informed", True if keep_informed else "")]
    index = app.index()
    app.report_setting_errors()
    referrer = find_contact(index, referred_by) if referred_by else None
    path = create_contact(
        app.vault,
        app.settings,
        index,
        name,
        app.today,
        met=met_day,
        referrer=referrer,
        company=company,
        advice=advice,
        cadence=cadence,
        extra=[(key, value) for key, value in extra if value],
    )
    rel = path.relative_to(app.vault).as_posix()
    app.say(f"created {rel}")
    click.echo(rel)
    commit_files(app, commit, [path], f"new: contact {' '.join(name.split())}")


@cli.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def history(app: App, name: str, as_json: bool) -> None:
    """A contact's timeline: its log lines, dated mentions and, in a git vault, commits.

    Oldest first, the same timeline `show` ends with. Log lines come from the
    note's Interactions section, front-matter dates no log line explains
    (typed by hand) from the keys, mentions from dated notes that link the
    contact, commits from `git log --follow`.

    \b
    Examples:
      mdfollow history "Priya Raman"
      mdfollow history Priya --json | jq -r '.[].text'
    """
    from mdfollow.store import read_all_bytes

    index = app.index()
    contact = find_contact(index, name)
    events = _timeline(app, contact, index, read_all_bytes(app.vault / contact.path))
    if as_json:
        print_json([entry.to_json() for entry in events])
        return
    click.echo(click.style(contact.name, bold=True) + f"  ({contact.path})")
    if not events:
        click.echo("  no history yet: `mdfollow log` records events")
    _print_timeline(events)
