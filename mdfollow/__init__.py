"""mdfollow: networking follow-up for contacts kept as Markdown notes."""

__version__ = "0.1.0"
