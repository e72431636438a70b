"""Contact names to file names that are safe on every system and stay in the vault."""

from __future__ import annotations

import re
import unicodedata

from mdfollow.errors import UnusableName

# Characters no note's file name may hold: path separators, what Windows refuses, and what
# Obsidian reads as link syntax (# heading, ^ block, [ ] link).
FORBIDDEN = '/\\:*?"<>|#^[]'
_FORBIDDEN_RUN = re.compile("[" + re.escape(FORBIDDEN) + "]+")
_RESERVED = re.compile(r"^(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(?:\..*)?$", re.IGNORECASE)
MAX_BYTES = 255


def file_safe(name: str) -> str:
    """`AT&T / Retail` → `AT&T - Retail`: each run of forbidden characters becomes '-' (imports)."""
    return _FORBIDDEN_RUN.sub("-", name).strip(" -") or name


def derived_file_name(name: str) -> str:
    """A file name mdfollow makes up from others (a draft's, from the note it is for): the
    characters a file name cannot hold become '-', so any note a user already has works."""
    text = "".join("-" if c in FORBIDDEN or ord(c) < 32 or ord(c) == 127 else c for c in name)
    try:
        return note_file_name(text)
    except UnusableName:
        return note_file_name("-" + text.lstrip(".") if text.strip(". ") else "note")


def note_file_name(name: str) -> str:
    """`Jane Doe` → `Jane Doe.md`; refuses what could escape the folder or break a system."""
    text = unicodedata.normalize("NFC", name)
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise UnusableName(f"{name!r} contains a line break or control character")
    text = " ".join(text.split())
    bad = sorted({c for c in text if c in FORBIDDEN})
    if bad:
        raise UnusableName(
            f"{name!r} contains {' '.join(bad)}, which cannot be in a note's file name; "
            "leave them out (the name can keep them in its `name` key later)"
        )
    text = text.rstrip(". ")
    if not text or set(text) <= {"."}:
        raise UnusableName(f"{name!r} is not a usable name")
    if text.startswith("."):
        raise UnusableName(f"{name!r} starts with a dot, which would hide the note")
    if _RESERVED.match(text):
        raise UnusableName(f"{name!r} is a reserved file name on Windows")
    encoded = text.encode("utf-8")
    limit = MAX_BYTES - len(".md")
    if len(encoded) > limit:
        text = encoded[:limit].decode("utf-8", "ignore").rstrip(". ")
    return text + ".md"
