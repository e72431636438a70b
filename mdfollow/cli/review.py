"""Looking back and out: review, export vcard."""

from __future__ import annotations

from pathlib import Path

import click

from mdfollow import jsontext
from mdfollow.cli.app import App, cli, commit_files, commit_option, pass_app


@cli.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the review here instead of the review_file setting (Review.md).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the review as JSON; write nothing.")
@click.option("--force", is_flag=True, help="Replace a review file that was edited by hand.")
@commit_option
@pass_app
def review(app: App, out: Path | None, as_json: bool, force: bool, commit: bool | None) -> None:
    """Write the weekly review: who is drifting, who you wait on, what waits on you.

    \b
    Drifting           touched on 3+ days, and now more than twice their usual
                       gap (and over 14 days) since the last touch
    Waiting on them    unanswered messages (gone quiet included), days since
    Waiting on you     overdue agenda items
    Never followed up  no touch and no cadence, added over 30 days ago
    Referrals          who referred whom, as a Mermaid graph
    Activity           touches per week (12 weeks) and per company

    Each person is a wikilink; the graph's nodes open their notes in
    Obsidian. The file is rewritten only when its content changes, never over
    a file mdfollow did not write or one edited by hand, and no note is ever
    touched. Every number is a setting.

    \b
    Examples:
      mdfollow review && open Review.md
      mdfollow --today 2026-11-23 review --json | jq '.drifting[].contact'
    """
    from mdfollow.vault import relative

    settings = app.settings
    vault = app.vault
    target = out if out is not None else vault / settings.review_file
    if as_json:
        from mdfollow.review import review_json
        from mdfollow.reviewing import compute_review

        inside = relative(target, vault)
        run = compute_review(
            vault,
            settings,
            app.today,
            setting_problems=app._setting_problems,
            skip=(inside,) if inside else (),
            use_cache=not app.no_cache,
        )
        app.report(run.index.problems)
        click.echo(jsontext.dumps(review_json(run.review, run.agenda)))
        return
    from mdfollow.reviewing import write_review

    run = write_review(
        vault,
        settings,
        app.today,
        target,
        force=force,
        setting_problems=app._setting_problems,
        use_cache=not app.no_cache,
        within=vault if out is None else None,
    )
    app.report(run.index.problems)
    app.summary(run.index)
    shown = relative(target, vault) or str(target)
    result = run.review
    counts = (
        f"{len(result.drifting)} drifting, {len(result.waiting_on_them)} waiting on them, "
        f"{len(result.waiting_on_you)} waiting on you, {len(result.never_followed_up)} never followed up"
    )
    app.say(f"wrote {shown} ({counts})" if run.written else f"{shown} is up to date ({counts})")
    if run.written:
        commit_files(app, commit, [target], f"review: {app.today.isoformat()}")
