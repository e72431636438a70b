"""Two notes of the same person made one: merge."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from mdfollow.cli.app import App, Failure, cli, commit_files, commit_option, find_contact, pass_app, plural

if TYPE_CHECKING:
    from mdfollow.index import VaultIndex


def _note_path(app: App, index: VaultIndex, name: str) -> str:
    """A vault path from NAME: a note's path (`People/Jane Doe 2.md`), else a contact's name."""
    vault = app.vault
    for candidate in (name, name + ".md"):
        path = vault / candidate
        if candidate.endswith(".md") and path.is_file():
            from mdfollow.vault import relative

            rel = relative(path, vault)
            if rel is not None:
                return rel
    return find_contact(index, name).path


def _trash_path(vault: Path, rel: str) -> str:
    """Where Obsidian's "move to .trash" puts a note: `.trash/NAME.md`, numbered when taken."""
    stem = rel.rsplit("/", 1)[-1][:-3]
    candidate, number = f".trash/{stem}.md", 1
    while (vault / candidate).exists():
        candidate = f".trash/{stem} {number}.md"
        number += 1
    return candidate


@cli.command()
@click.argument("keep")
@click.argument("other")
@click.option("--dry-run", is_flag=True, help="Say what the merge would change; write nothing.")
@commit_option
@pass_app
def merge(app: App, keep: str, other: str, dry_run: bool, commit: bool | None) -> None:
    """Merge OTHER into KEEP: two notes of the same person become one.

    KEEP gains every key it lacks (where both have a value, KEEP's stays and
    the difference is reported), dates take the later one, OTHER's name joins
    KEEP's aliases, OTHER's text is appended under a heading naming it, and
    every link to OTHER in the vault points to KEEP, still showing its old
    text ([[Other]] becomes [[Keep|Other]]). OTHER then moves to .trash/, as
    Obsidian does. Everything is written at once or not at all: if anything
    fails, every note stays as it was.

    KEEP and OTHER are names, aliases or note paths (`People/Jane Doe 2.md`).
    `mdfollow check` lists likely duplicates with the command to merge them.

    \b
    Examples:
      mdfollow merge "Jane Doe" "People/Jane Doe 2.md" --dry-run
      mdfollow merge "Robert Smith" "Bob Smith" --commit
    """
    from mdfollow.contact import build_contact
    from mdfollow.errors import MergeProblem
    from mdfollow.merging import plan_merge, rewrite_links
    from mdfollow.note import parse_note
    from mdfollow.store import AlreadyExists, Transaction, WriteConflict, read_bytes, vault_lock
    from mdfollow.vault import exclusions, walk

    settings = app.settings
    vault = app.vault
    keys = settings.keys
    index = app.index()
    keep_rel, other_rel = _note_path(app, index, keep), _note_path(app, index, other)
    if keep_rel == other_rel:
        raise Failure(f"{keep!r} and {other!r} are the same note ({keep_rel})")
    keep_raw, other_raw = read_bytes(vault / keep_rel), read_bytes(vault / other_rel)
    if keep_raw is None or other_raw is None:
        raise Failure(f"{keep_rel if keep_raw is None else other_rel} no longer exists")
    contacts = []
    for rel, raw in ((keep_rel, keep_raw), (other_rel, other_raw)):
        note = parse_note(rel, raw)
        if not note.readable or not settings.people.is_contact(rel, note.front, note.body):
            raise Failure(f"{rel} is not a contact note mdfollow can read")
        contact, problems = build_contact(note, keys=keys)
        errors = [p for p in (*note.diagnostics, *problems) if p.severity == "error"]
        if errors:
            raise Failure(f"{rel} has errors, so mdfollow will not merge it: {errors[0].format()}")
        contacts.append(contact)
    keep_contact, other_contact = contacts
    try:
        plan = plan_merge(
            keep_rel,
            keep_raw,
            other_rel,
            other_raw,
            keys,
            other_contact.name,
            keep_contact.aliases,
            keep_contact.name,
            f"## Merged from {other_contact.name}",
        )
    except MergeProblem as exc:
        raise Failure(str(exc)) from None

    other_stem = other_rel.rsplit("/", 1)[-1][:-3]
    keep_target = index.link_target(keep_contact)

    def points_to_other(target: str, from_path: str) -> bool:
        """Whether Obsidian would follow this link to OTHER (the index's own resolution)."""
        text = target.strip()
        if text.lower().endswith(".md"):
            text = text[:-3]
        return index.resolve_path(text, from_path) == other_rel

    def rewrite(rel: str, raw: bytes) -> tuple[bytes, int]:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw, 0
        new, count = rewrite_links(rel, text, points_to_other, keep_target, keep_rel)
        return new.encode("utf-8"), count

    keep_new, in_keep = rewrite(keep_rel, plan.keep_bytes)
    files, _ = walk(vault, exclusions(settings))
    needles = {other_stem.lower().encode(), other_stem.lower().replace(" ", "%20").encode()}
    changed: list[tuple[str, bytes, bytes, int]] = []
    for rel, os_path in files:
        if rel in (keep_rel, other_rel):
            continue
        found = read_bytes(Path(os_path))
        if found is None or not any(n in found.lower() for n in needles):
            continue
        new, count = rewrite(rel, found)
        if count:
            before, after = parse_note(rel, found), parse_note(rel, new)
            if before.readable and not after.readable:
                raise Failure(f"rewriting the links in {rel} would make it unreadable; nothing was written")
            changed.append((rel, found, new, count))
    if in_keep and keep_new != plan.keep_bytes and not parse_note(keep_rel, keep_new).readable:
        raise Failure(f"rewriting the links in {keep_rel} would make it unreadable; nothing was written")
    trash = _trash_path(vault, other_rel)

    verb = "would " if dry_run else ""
    for key in plan.added:
        click.echo(f"{keep_rel}: {verb}add {key} from {other_rel}")
    for line in plan.later:
        click.echo(f"{keep_rel}: {verb}take the later date, {line}")
    for line in plan.differences:
        click.echo(f"{keep_rel}: both have {line}")
    click.echo(f"{keep_rel}: {verb}add the alias {other_contact.name!r} and {other_rel}'s text")
    for rel, _, _, count in changed:
        click.echo(f"{rel}: {verb}point {plural(count, 'link')} to {keep_target}")
    if in_keep:
        click.echo(f"{keep_rel}: {verb}point {plural(in_keep, 'link')} to itself")
    click.echo(f"{other_rel}: {verb}move to {trash}")
    if dry_run:
        return

    transaction = Transaction()
    try:
        with vault_lock(vault):  # mdfollow's other writers wait; anyone else is caught by the checks
            transaction.stage(vault / keep_rel, keep_new, keep_raw)
            for rel, raw, new, _ in changed:
                transaction.stage(vault / rel, new, raw)
            transaction.stage(vault / trash, other_raw, None)
            transaction.remove(vault / other_rel, other_raw)
            transaction.commit()
    except (WriteConflict, AlreadyExists):
        transaction.discard()
        raise Failure("a note changed while mdfollow was merging; nothing was changed: run again") from None
    except OSError as exc:
        transaction.discard()
        raise Failure(f"the merge failed ({exc.strerror or exc}); nothing was changed") from None
    app.say(f"merged {other_rel} into {keep_rel}; {plural(len(changed), 'other note')} relinked")
    written = [vault / keep_rel, *(vault / rel for rel, _, _, _ in changed)]
    from mdfollow.git import is_repository, tracked

    if is_repository(vault) and tracked(vault, vault / other_rel):
        written.append(vault / other_rel)  # its removal
    commit_files(app, commit, written, f"merge {other_contact.name} into {keep_contact.name}")
