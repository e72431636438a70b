"""Fixtures shared with the ordinary suite."""

from tests.test_watch import harness  # noqa: F401  (the watch harness, real observer)
