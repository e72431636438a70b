"""Which notes are people, and what the user calls mdfollow's keys.

Pure. People who kept contact notes before mdfollow have their own key names
(`last_contacted`, `bday`) and mark people by tag or folder rather than by
`type`. `KeyMap` is the one place that translates: a note's front matter is
read into mdfollow's canonical key names (`KeyMap.read`), and the keys
mdfollow writes are turned back into the user's names (`KeyMap.write`). Every
reader and writer goes through it, so a renamed key is read and written under
the user's name only, never both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

# Every front-matter key mdfollow reads or writes, by its canonical name.
KEYS = (
    "type",
    "name",
    "aliases",
    "met",
    "thanked",
    "advice",
    "advice_outcome",
    "reported_back",
    "last_contact",
    "last_outreach",
    "strikes",
    "cadence",
    "next_follow_up",
    "warmth",
    "referred_by",
    "keep_informed",
    "status",
    "snooze_until",
    "added",
    "company",
    "role",
    "email",
    "emails",
    "phone",
    "linkedin",
    "birthday",
    "tags",
)


@dataclass(frozen=True)
class KeyMap:
    """mdfollow's key names to the user's (only the renamed ones)."""

    renames: tuple[tuple[str, str], ...] = ()

    @cached_property
    def _to_user(self) -> dict[str, str]:
        return dict(self.renames)

    @cached_property
    def _to_canonical(self) -> dict[str, str]:
        return {user: canonical for canonical, user in self.renames}

    def __bool__(self) -> bool:
        return bool(self.renames)

    def user(self, key: str) -> str:
        """The name the user's notes give to mdfollow's `key`."""
        return self._to_user.get(key, key) if self.renames else key

    def canonical(self, name: str) -> str | None:
        """mdfollow's name for the user's key `name`; None for a canonical name the user renamed."""
        if not self.renames:
            return name
        if name in self._to_canonical:
            return self._to_canonical[name]
        return None if name in self._to_user else name

    def read(self, front: Mapping[str, Any]) -> dict[str, Any]:
        """The front matter under mdfollow's names. A canonical name the user renamed
        is not read (their `last_contacted` is the key; a stray `last_contact` is not)."""
        if not self.renames:
            return front if isinstance(front, dict) else dict(front)
        out: dict[str, Any] = {}
        for key, value in front.items():
            name = self.canonical(key)
            if name is not None:
                out[name] = value
        return out

    def write(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Keys mdfollow is about to write, under the user's names."""
        if not self.renames:
            return dict(changes)
        return {self.user(key): value for key, value in changes.items()}

    def toml(self) -> dict[str, str]:
        return dict(self.renames)


def parse_keymap(table: Any) -> tuple[KeyMap, list[tuple[str | None, str, str]]]:
    """The `[keys]` table as a KeyMap, and its problems as (key, severity, message).

    Unknown mdfollow keys are warned about and ignored; a name given to two keys,
    or one that is another of mdfollow's keys left unrenamed, is an error, and the
    rename is dropped.
    """
    problems: list[tuple[str | None, str, str]] = []
    if not isinstance(table, dict):
        return KeyMap(), [(None, "error", "setting 'keys' must be a table ([keys]: mdfollow_key = \"your_key\")")]
    renames: dict[str, str] = {}
    taken: dict[str, str] = {}
    for key, value in table.items():
        if key not in KEYS:
            problems.append((key, "warning", f"keys.{key}: {key!r} is not a key mdfollow uses; ignored"))
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append((key, "error", f"keys.{key} must be the name of a front-matter key (text)"))
            continue
        name = value.strip()
        if name == key:
            continue
        if name in taken:
            problems.append(
                (key, "error", f"keys.{key}: {name!r} is already the name of {taken[name]!r}; this rename is ignored")
            )
            continue
        taken[name] = key
        renames[key] = name
    for key, name in list(renames.items()):
        if name in KEYS and name not in renames:
            problems.append(
                (
                    key,
                    "error",
                    f"keys.{key}: {name!r} is mdfollow's own key for something else; "
                    f"rename that one too or pick another name; this rename is ignored",
                )
            )
            del renames[key]
    return KeyMap(tuple(sorted(renames.items()))), problems


def body_tags(body: str) -> list[str]:
    """Obsidian tags written in the body (`#people`, `#people/work`), by the note reader's one rule."""
    from mdfollow.links import scan_tags

    return list(scan_tags(body))


def tag_values(raw: Any) -> list[str]:
    """Tags from a front-matter `tags` value: a list, or text split on commas and spaces."""
    if isinstance(raw, list):
        items: Iterable[Any] = raw
    elif isinstance(raw, str):
        items = re.split(r"[,\s]+", raw)
    else:
        return []
    return [str(t).strip().lstrip("#") for t in items if isinstance(t, str | int) and str(t).strip().lstrip("#")]


def tag_matches(tag: str, wanted: str) -> bool:
    """`people/work` is a `people` tag (Obsidian's nested tags); case is ignored."""
    tag, wanted = tag.casefold().strip("/"), wanted.casefold().lstrip("#").strip("/")
    return tag == wanted or tag.startswith(wanted + "/")


def type_value(value: str) -> str:
    """A `type`/`category` value folded for comparison; `"[[People]]"` (a link to a category note) is `people`."""
    text = value.strip()
    if text.startswith("[[") and text.endswith("]]"):
        text = text[2:-2].split("|", 1)[0].rsplit("/", 1)[-1]
    return text.strip().casefold()


@dataclass(frozen=True)
class People:
    """What makes a note a contact: its `type`, a tag, or its folder; and the key names."""

    types: tuple[str, ...] = ("contact", "person")
    tags: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()
    keys: KeyMap = field(default_factory=KeyMap)

    @cached_property
    def _types(self) -> frozenset[str]:
        return frozenset(t.casefold() for t in self.types)

    @cached_property
    def _prefixes(self) -> tuple[str, ...]:
        return tuple(f.strip("/") + "/" for f in self.folders if f.strip("/"))

    def is_contact(self, path: str, front: Mapping[str, Any], body: str = "") -> bool:
        """Whether the note at `path` (front matter as written, under the user's names) is a contact."""
        kind = front.get(self.keys.user("type"))
        if isinstance(kind, str):
            if type_value(kind) in self._types:
                return True
        elif isinstance(kind, list) and any(isinstance(k, str) and type_value(k) in self._types for k in kind):
            return True
        if self._prefixes and path.startswith(self._prefixes):
            return True
        if self.tags:
            tags = tag_values(front.get(self.keys.user("tags")))
            if "tag" in front and self.keys.user("tags") == "tags":
                tags += tag_values(front.get("tag"))
            if body:
                tags += body_tags(body)
            return any(tag_matches(t, w) for t in tags for w in self.tags)
        return False
