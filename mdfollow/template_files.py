"""Where templates come from: the vault's own, else the ones shipped in the package.

An edge: it reads the package's data and the vault's templates folder, and
hands `templating` the source text.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from mdfollow.errors import TemplateUnreadable
from mdfollow.settings import Settings

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
        text = own.read_text(encoding="utf-8-sig")
        return Source(name, text.replace("\r\n", "\n"), f"{settings.templates_folder.strip('/')}/{name}")
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateUnreadable(f"{settings.templates_folder}/{name} cannot be read: {exc}") from None
    text = resources.files("mdfollow").joinpath(BUILTIN_TEMPLATES, name).read_text(encoding="utf-8")
    return Source(name, text, f"built-in {name}")
