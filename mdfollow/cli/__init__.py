"""The command line, one module per group of commands; `app` holds what they share."""

from mdfollow.cli import (  # noqa: F401  (registers the commands)
    agenda,
    contacts,
    drafts,
    export,
    harvest,
    imports,
    merge,
    notes,
    review,
    setup,
)
from mdfollow.cli.app import cli, main

__all__ = ["cli", "main"]
