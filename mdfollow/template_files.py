"""Where templates come from: the vault's own, else the ones shipped in the package.

An edge: it reads the package's data and the vault's templates folder, and
hands `templating` the source text.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from mdfollow.errors import TemplateUnreadable
from mdfollow.settings import Settings
from mdfollow.store import read_all_bytes

if TYPE_CHECKING:
    from mdfollow.templating import Source  # imported when used: jinja2 is slow to import

BUILTIN_TEMPLATES = "templates"


def builtin_template_names() -> list[str]:
    folder = resources.files("mdfollow").joinpath(BUILTIN_TEMPLATES)
    return sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".md"))


def load_template(vault: Path, settings: Settings, name: str) -> Source:
    """The vault's template of that name if there is one, else the built-in one."""
    from mdfollow.templating import Source

    own = vault / settings.templates_folder / name
    try:
        text = read_all_bytes(own).decode("utf-8-sig")  # never a FIFO, never without end
        return Source(name, text.replace("\r\n", "\n"), f"{settings.templates_folder.strip('/')}/{name}")
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateUnreadable(f"{settings.templates_folder}/{name} cannot be read: {exc}") from None
    text = resources.files("mdfollow").joinpath(BUILTIN_TEMPLATES, name).read_text(encoding="utf-8")
    return Source(name, text, f"built-in {name}")


class _Clock:
    """A render's time budget with a real clock: a deadline checked at every sandbox hook and,
    in the main thread, a timer signal that also stops loops that call nothing (Jinja compiles
    a `for` over a string to a plain Python loop, which no sandbox hook sees)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.deadline = 0.0
        self.previous: Any = None

    def arm(self) -> None:
        self.deadline = time.monotonic() + self.seconds
        if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
            return
        if signal.getitimer(signal.ITIMER_REAL)[0]:
            return  # someone else's timer is running: leave it alone
        self.previous = signal.signal(signal.SIGALRM, self._ring)
        signal.setitimer(signal.ITIMER_REAL, self.seconds + 0.5)

    def check(self) -> None:
        from mdfollow.templating import TimeUp

        if self.deadline and time.monotonic() > self.deadline:
            raise TimeUp

    def disarm(self) -> None:
        if self.previous is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
            self.previous = None

    @staticmethod
    def _ring(signum: int, frame: Any) -> None:
        from mdfollow.templating import TimeUp

        raise TimeUp


@contextlib.contextmanager
def time_limited(seconds: float | None = None) -> Iterator[None]:
    """Every template rendered inside this block stops after `seconds` (templating.MAX_SECONDS)."""
    from mdfollow import templating

    clock = _Clock(templating.MAX_SECONDS if seconds is None else seconds)
    budget = cast("templating.TimeBudget", clock)
    with templating.time_budget(budget):
        yield
