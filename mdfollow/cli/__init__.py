"""The command line, one module per group of commands; `app` holds what they share."""

from mdfollow.cli import agenda, contacts, drafts, export, imports, notes, review  # noqa: F401  (registers the commands)
from mdfollow.cli.app import cli, main

__all__ = ["cli", "main"]
