"""Messages: draft, templates."""

from __future__ import annotations

import click

from mdfollow.actions import NAMES, OCCASIONS
from mdfollow.cli.app import (
    App,
    Failure,
    Usage,
    cli,
    commit_files,
    commit_option,
    find_contact,
    pass_app,
    plural,
)


@cli.command()
@click.argument("name")
@click.option(
    "--kind",
    type=click.Choice(NAMES + OCCASIONS),
    help="Draft this action (or `birthday`) instead of the contact's next one.",
)
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the draft; write nothing.")
@click.option("--force", is_flag=True, help="Draft even when nothing is due, or --kind does not apply now.")
@commit_option
@pass_app
def draft(app: App, name: str, kind: str | None, to_stdout: bool, force: bool, commit: bool | None) -> None:
    """Write the message for a contact's next follow-up, ready to edit and send.

    The draft goes to the drafts folder (Drafts/) as its own note, with `to`,
    `action`, `date`, `email` and `subject` in its front matter; an existing
    draft is never overwritten. Where the note lacks something the message
    needs (the advice they gave, what acting on it did), the draft holds a
    [bracketed placeholder] and mdfollow lists what to fill in.

    Templates: `mdfollow templates` shows which one is in force per action.

    \b
    Examples:
      mdfollow draft "Priya Raman"
      mdfollow draft Hannah --kind report-back --stdout
      mdfollow draft "Priya Raman" --kind birthday
    """
    from mdfollow.drafting import choose_item, draft_base_name, render_draft
    from mdfollow.errors import AlreadyExists, TemplateProblem
    from mdfollow.store import read_all_bytes, write_new_numbered
    from mdfollow.template_files import load_template, time_limited

    index = app.index()
    app.report_setting_errors()
    contact = find_contact(index, name)
    today = app.today
    settings = app.settings
    item = choose_item(contact, index, today, settings, kind, force)
    try:
        source = load_template(app.vault, settings, f"{item.action}.md")

        def read_note(path: str) -> str:
            return read_all_bytes(app.vault / path).decode("utf-8", "replace")

        with time_limited():
            result = render_draft(source, item, index, today, settings, read_note(contact.path), read_note)
    except TemplateProblem as exc:
        raise Failure(f"template error: {exc}") from None
    except OSError as exc:
        raise Failure(str(exc)) from None
    hint = ""
    if result.placeholders:
        hint = "fill in before sending: " + "; ".join(f"[{p}]" for p in result.placeholders)
    if to_stdout:
        if result.subject:
            click.echo(f"Subject: {result.subject}\n")
        click.echo(result.message, nl=False)
        if hint:
            app.say(hint)
        return
    text = result.file_text(f"[[{index.link_target(contact)}]]", today, contact.email).encode("utf-8")
    base = draft_base_name(item, today)
    try:
        path = write_new_numbered(app.vault / settings.drafts_folder, base, text, within=app.vault)
    except AlreadyExists:
        raise Failure(f"too many drafts named {base!r} already; clear some out of {settings.drafts_folder}/") from None
    except OSError as exc:
        raise Failure(f"cannot write the draft: {exc.strerror or exc}") from None
    rel = path.relative_to(app.vault).as_posix()
    click.echo(rel)
    if path.name != f"{base}.md":
        app.say(f"{settings.drafts_folder}/{base}.md already exists (mdfollow never overwrites a draft); wrote {rel}")
    if hint:
        app.say(hint)
    commit_files(app, commit, [path], f"draft: {item.action} for {contact.name}")


@cli.command()
@click.option("--list", "as_list", is_flag=True, help="Which template is in force for each action (the default).")
@click.option("--copy", is_flag=True, help="Copy the built-in templates into the vault to edit; never overwrites.")
@commit_option
@pass_app
def templates(app: App, as_list: bool, copy: bool, commit: bool | None) -> None:
    """Which message templates are in force; copy the built-ins into the vault to edit them.

    A file in the templates folder (Templates/mdfollow/) with the name of a
    built-in template replaces it. Templates are Jinja2, rendered in a
    sandbox, and see:

    \b
      contact   every front-matter key as an attribute, plus name, first_name,
                note (its path), link, and last_log (date, text)
      item      action, due, reason, light_touch, also, attempt,
                referred (contacts met), milestones (date, text, company)
      referrer  the contact who referred them, or none
      me        name, email, signature (from [me] in .mdfollow.toml)
      today     the date; when(d) says it the way you would ("on Monday")

    \b
    Filters: yaml, one_line, lower_first, end_sentence.
    A field the note leaves empty prints as a visible [placeholder] ([email],
    [role]) that `draft` lists, and is false in {% if contact.email %}.
    A misspelled field is an error naming the template file and line.
    """
    from mdfollow.errors import AlreadyExists
    from mdfollow.store import write_file
    from mdfollow.template_files import builtin_template_names, load_template

    if as_list and copy:
        raise Usage("--list and --copy are two different things; give one")
    settings = app.settings
    app.report_setting_errors()
    vault = app.vault
    folder = vault / settings.templates_folder
    names = builtin_template_names()
    if copy:
        written = []
        for name in names:
            source = load_template(vault, settings, name)
            if not source.origin.startswith("built-in"):
                app.say(f"kept {source.origin} (yours)")
                continue
            try:
                write_file(folder / name, source.text.encode("utf-8"), expected=None, within=vault)
            except AlreadyExists:
                app.say(f"kept {settings.templates_folder}/{name}")
                continue
            except OSError as exc:
                raise Failure(f"cannot write {settings.templates_folder}/{name}: {exc.strerror or exc}") from None
            written.append(folder / name)
            click.echo(f"{settings.templates_folder.strip('/')}/{name}")
        commit_files(app, commit, written, f"templates: copied {plural(len(written), 'built-in template')}")
        return
    width = max(len(n) for n in names)
    for name in names:
        source = load_template(vault, settings, name)
        where = f"{source.origin} (yours)" if not source.origin.startswith("built-in") else "built-in"
        click.echo(f"{name:<{width}}  {where}")
    if folder.is_dir():
        for extra in sorted(p.name for p in folder.glob("*.md") if p.name not in names):
            app.say(
                f"{settings.templates_folder.strip('/')}/{extra}: not a template name mdfollow uses ({', '.join(names)})"
            )
