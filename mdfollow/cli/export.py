"""Contacts out of the vault: export vcard."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mdfollow.cli.app import App, Failure, Usage, cli, commit_files, commit_option, pass_app, plural, write_over
from mdfollow.diagnostics import warning

if TYPE_CHECKING:
    from mdfollow.vcard import Card


@cli.group()
def export() -> None:
    """Write your contacts in a format other tools read."""


@export.command()
@click.option(
    "--out",
    help="Write here instead of the vcard_file setting (Contacts.vcf in the vault); `-` prints the cards.",
)
@click.option("--v3", is_flag=True, help="vCard 3.0 instead of 4.0, for older phones and Google Contacts.")
@click.option(
    "--split", is_flag=True, help="One .vcf per contact in the folder --out names (Outlook reads one card per file)."
)
@commit_option
@pass_app
def vcard(app: App, out: str | None, v3: bool, split: bool, commit: bool | None) -> None:
    """Every contact as a vCard, for a phone or an address book.

    Each card holds the name (FN and N), e-mails, phones, company, role,
    birthday, LinkedIn profile, tags as CATEGORIES, and a NOTE with the advice
    they gave and what acting on it did. A year-less birthday is `--MMDD` in
    4.0 and Apple's X-APPLE-OMIT-YEAR form in 3.0. `mdfollow import vcard`
    reads the file back. The file is rewritten only when it changes, and never
    over a file mdfollow did not write; without --out it stays in the vault.

    \b
    Examples:
      mdfollow export vcard                      # Contacts.vcf in the vault
      mdfollow export vcard --v3 --out ~/Desktop/contacts.vcf
      mdfollow export vcard --out - | less
      mdfollow export vcard --split --out ~/Desktop/cards   # for Outlook
    """
    from mdfollow.exporting import cards
    from mdfollow.store import read_bytes, vault_lock
    from mdfollow.vault import relative
    from mdfollow.vcard import is_ours, vcard_file

    if split and (out is None or out == "-"):
        raise Usage("--split needs --out FOLDER: the folder to write one .vcf per contact into")
    vault = app.vault
    index = app.index()
    app.report(index.problems)
    if not index.contacts:
        raise Failure(f"no contact notes found in {vault}; nothing written")
    found = cards(vault, index, app.settings.keys)
    if split:
        _write_split(app, found, out, v3, commit)
        return
    data = vcard_file(found, v3=v3)
    if out == "-":
        stream = sys.stdout.buffer
        stream.write(data)  # bytes as they are: CRLF line ends, no newline translation
        stream.flush()
        return
    if out is not None:
        target = Path(out).expanduser()
    else:
        target = vault / app.settings.vcard_file
        if relative(target.resolve(), vault.resolve()) is None:
            raise Failure(f"vcard_file {app.settings.vcard_file!r} is outside the vault; use --out to write there")
    shown = relative(target, vault) or str(target)
    what = f"{plural(len(found), 'contact')}, vCard {'3.0' if v3 else '4.0'}"
    with vault_lock(vault):  # mdfollow's writers of one vault queue
        try:
            old = read_bytes(target)
        except OSError as exc:
            raise Failure(f"cannot read {shown}: {exc.strerror or exc}; is it a folder?") from None
        if old is not None and not is_ours(old):
            raise Failure(
                f"{shown} exists and was not written by mdfollow; move it away or choose another file with --out"
            )
        if old == data:
            app.say(f"{shown} is up to date ({what})")
            return
        write_over(target, data, old, shown, vault if out is None else None)
    app.say(f"wrote {shown} ({what})")
    commit_files(app, commit, [target], f"export vcard: {plural(len(found), 'contact')}")


def _write_split(app: App, found: list[Card], out: str | None, v3: bool, commit: bool | None) -> None:
    """One file per card, named after the note; each file under the same rules as the single file."""
    from mdfollow.store import read_bytes, vault_lock
    from mdfollow.vault import relative
    from mdfollow.vcard import card_file_name, is_ours, vcard_file

    assert out is not None
    folder = Path(out).expanduser()
    if folder.exists() and not folder.is_dir():
        raise Failure(f"{out} is not a folder; --split writes one file per contact into a folder")
    written: list[Path] = []
    kept = 0
    with vault_lock(app.vault):
        for card in found:
            target = folder / card_file_name(card)
            shown = relative(target, app.vault) or str(target)
            data = vcard_file([card], v3=v3)
            old = read_bytes(target)
            if old is not None and not is_ours(old):
                app.report([warning(shown, None, "exists and was not written by mdfollow; left as it is")], always=True)
                continue
            if old == data:
                kept += 1
                continue
            write_over(target, data, old, shown, None)  # --out: the user's choice of place
            written.append(target)
    app.say(f"wrote {plural(len(written), 'card')} to {out}" + (f", {kept} up to date" if kept else ""))
    commit_files(app, commit, written, f"export vcard: {plural(len(written), 'card')}")
