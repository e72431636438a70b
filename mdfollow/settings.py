"""Settings: a declarative spec with types, defaults and docs.

`.mdfollow.toml` at the vault root is optional. Every problem in it is
reported at once (unknown key: warning; wrong type: error naming the key and
the file), and a bad value falls back to its default so the run goes on. A
file that is not TOML at all is different: nothing in it can be trusted, so
it raises SettingsUnusable and the command stops before touching the vault.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Any

from mdfollow.dates import MAX_SETTING_DAYS, MAX_STRETCH
from mdfollow.diagnostics import Diagnostic, error, warning
from mdfollow.errors import SettingsUnusable
from mdfollow.keys import KeyMap, People, parse_keymap

SETTINGS_FILE = ".mdfollow.toml"


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


@dataclass(frozen=True)
class Me:
    """The user, for signatures in drafts."""

    name: str = field(default="", metadata=_doc("Your name, used to sign drafts."))
    email: str = field(
        default="", metadata=_doc("Your e-mail address, for templates; `harvest` knows your mail by it.")
    )
    emails: tuple[str, ...] = field(
        default=(), metadata=_doc("Your other addresses (work, old ones): `harvest` counts them as yours too.")
    )
    signature: str = field(default="", metadata=_doc("A sign-off block for drafts; empty uses your name."))


@dataclass(frozen=True)
class Settings:
    contact_types: tuple[str, ...] = field(
        default=("contact", "person"),
        metadata=_doc("Values of the `type` key that mark a note as a contact."),
    )
    contact_tags: tuple[str, ...] = field(
        default=(),
        metadata=_doc("Tags that mark a note as a contact (`people` also matches `#people/work`)."),
    )
    contact_folders: tuple[str, ...] = field(
        default=(),
        metadata=_doc("Folders (from the vault root) whose notes are all contacts, e.g. `People`."),
    )
    contacts_folder: str = field(default="People", metadata=_doc("Where `new` and imports create contact notes."))
    agenda_file: str = field(
        default="Agenda.md", metadata=_doc("The agenda file `agenda` writes, from the vault root.")
    )
    drafts_folder: str = field(default="Drafts", metadata=_doc("Where `draft` writes messages."))
    templates_folder: str = field(
        default="Templates/mdfollow",
        metadata=_doc("Vault templates that replace the built-in ones; never read as notes."),
    )
    milestones_file: str = field(
        default="Milestones.md",
        metadata=_doc("Where `milestone` records news to tell people about (rule 6)."),
    )
    daily_notes_folder: str = field(
        default="",
        metadata=_doc(
            "Daily-notes folder; empty takes it from Periodic Notes (when enabled) or `.obsidian/daily-notes.json`."
        ),
    )
    daily_notes_format: str = field(
        default="",
        metadata=_doc(
            "Daily-note name format (moment.js, e.g. `YYYY-MM-DD`); empty takes it from "
            "`.obsidian/daily-notes.json`, else `YYYY-MM-DD`."
        ),
    )
    calendar_file: str = field(
        default="Agenda.ics", metadata=_doc("The iCalendar file `ics` writes, from the vault root.")
    )
    calendar_todo: bool = field(
        default=False, metadata=_doc("Write the calendar's items as to-dos (VTODO) instead of all-day events.")
    )
    review_file: str = field(
        default="Review.md", metadata=_doc("The weekly review file `review` writes, from the vault root.")
    )
    review_weeks: int = field(default=12, metadata=_doc("The review counts touches per week over this many weeks."))
    review_xychart: bool = field(
        default=False,
        metadata=_doc(
            "Also draw the review's touches per week as a Mermaid `xychart-beta` bar chart "
            "(needs Mermaid 10.5 or later in Obsidian; the table is always there)."
        ),
    )
    drift_min_touch_days: int = field(
        default=3, metadata=_doc("The review judges drift only for people touched on at least this many days.")
    )
    drift_factor: int = field(
        default=2,
        metadata=_doc("Drifting: more days since the last touch than this many times their usual (median) gap ..."),
    )
    drift_min_days_since: int = field(default=14, metadata=_doc("... and more than this many days."))
    never_followed_up_days: int = field(
        default=30,
        metadata=_doc("The review lists people with no touch and no cadence added more than this many days ago."),
    )
    vcard_file: str = field(
        default="Contacts.vcf", metadata=_doc("The file `export vcard` writes, from the vault root.")
    )
    daily_agenda: bool = field(
        default=False,
        metadata=_doc("Write the agenda as a block in today's daily note, as if `agenda --daily` were given."),
    )
    log_heading: str = field(
        default="Interactions",
        metadata=_doc("The heading in a contact note under which `log` appends one line per event."),
    )
    ignore: tuple[str, ...] = field(
        default=(),
        metadata=_doc("Glob patterns (from the vault root) of notes never to read, e.g. `Archive/**`."),
    )
    horizon_days: int = field(default=7, metadata=_doc("The agenda shows what falls due within this many days."))
    thank_after_days: int = field(default=1, metadata=_doc("A thank-you is due this many days after `met`."))
    reach_out_after_days: int = field(default=2, metadata=_doc("Contact a referral this many days after `added`."))
    nudge_after_days: tuple[int, ...] = field(
        default=(7, 14),
        metadata=_doc(
            "Days after `last_outreach` before the next nudge, after the 1st, 2nd, ... "
            "unanswered message (the last number repeats)."
        ),
    )
    strike_limit: int = field(
        default=3,
        metadata=_doc("Unanswered messages before a contact has gone quiet; the last try is light."),
    )
    tell_referrer_after_days: int = field(
        default=3, metadata=_doc("Tell the referrer how it went this many days after the meeting.")
    )
    report_back_after_days: int = field(
        default=30, metadata=_doc("Report back on the advice this many days after `thanked`.")
    )
    update_after_days: int = field(default=2, metadata=_doc("Tell people about a milestone this many days after it."))
    cool_stretch: int = field(
        default=2,
        metadata=_doc("A `warmth: cool` contact's cadence is multiplied by this (write less often)."),
    )
    commit: bool = field(
        default=False,
        metadata=_doc("Commit the files a command writes, as if `--commit` were given (git vaults)."),
    )
    timezone: str = field(
        default="",
        metadata=_doc(
            "IANA time zone (e.g. `Europe/Paris`) in which `harvest` turns mail and meeting times into dates; "
            "empty uses this machine's zone."
        ),
    )
    me: Me = field(default_factory=Me, metadata=_doc("The `[me]` table: `name`, `email`, `emails`, `signature`."))
    keys: KeyMap = field(
        default_factory=KeyMap,
        metadata=_doc(
            'The `[keys]` table: your names for mdfollow\'s keys (`last_contact = "last_contacted"`); '
            "mdfollow then reads and writes your name only."
        ),
    )

    @cached_property
    def people(self) -> People:
        """What makes a note a contact, and the key names, for the readers and writers."""
        return People(self.contact_types, self.contact_tags, self.contact_folders, self.keys)

    def fingerprint(self) -> str:
        """A stable text of every setting, to invalidate caches when one changes."""
        return repr(self)


_KINDS = {
    "str": "a string",
    "int": "an integer",
    "bool": "true or false",
    "tuple[str, ...]": "a list of strings",
    "tuple[int, ...]": "a list of integers",
}


def _kind(tp: str) -> str:
    return _KINDS.get(tp, tp)


def _check_type(tp: str, value: Any) -> Any:
    """The value converted to the field's type, or raise TypeError."""
    if tp == "str":
        if isinstance(value, str):
            return value
    elif tp == "int":
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    elif tp == "bool":
        if isinstance(value, bool):
            return value
    elif (tp == "tuple[str, ...]" and isinstance(value, list) and all(isinstance(v, str) for v in value)) or (
        tp == "tuple[int, ...]"
        and isinstance(value, list)
        and value
        and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
    ):
        return tuple(value)
    raise TypeError


def _key_line(text: str, key: str, table: str | None = None) -> int | None:
    """The line of `key = ...` in the TOML text (inside `[table]` when given)."""
    in_table = table is None
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            name = stripped.strip("[]").strip()
            in_table = name == table if table else False
            if table and name == table and key == table:
                return number
            continue
        if in_table and pattern.match(line):
            return number
    return None


def parse_settings(text: str, path: str) -> tuple[Settings, list[Diagnostic]]:
    """Settings from the TOML text of `path`; bad values fall back to defaults.

    Raises SettingsUnusable when the text is not TOML.
    """
    problems: list[Diagnostic] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        if m is None and "end of document" in str(exc):
            line = text.count("\n") + 1
        raise SettingsUnusable(error(path, line, f"not valid TOML: {msg}; nothing was read or written", col)) from None

    values: dict[str, Any] = {}
    known = {f.name: f for f in fields(Settings)}
    for key, value in data.items():
        spec = known.get(key)
        if spec is None:
            problems.append(warning(path, _key_line(text, key), f"unknown setting {key!r}; ignored"))
            continue
        if key == "me":
            me, more = _parse_me(value, text, path)
            values["me"] = me
            problems.extend(more)
            continue
        if key == "keys":
            keymap, found = parse_keymap(value)
            values["keys"] = keymap
            for name, severity, message in found:
                make = error if severity == "error" else warning
                problems.append(make(path, _key_line(text, name or "keys", "keys"), message))
            continue
        try:
            values[key] = _check_type(str(spec.type), value)
        except TypeError:
            problems.append(
                error(
                    path,
                    _key_line(text, key),
                    f"setting {key!r} must be {_kind(str(spec.type))}"
                    + (" (0 or more)" if str(spec.type) == "int" else "")
                    + f", not {value!r}; using the default",
                )
            )
    settings = replace(Settings(), **values)
    for key, bound in _BOUNDS.items():
        value = getattr(settings, key)
        if (max(value) if isinstance(value, tuple) else value) > bound:
            shown = list(value) if isinstance(value, tuple) else value
            problems.append(
                error(path, _key_line(text, key), f"{key} = {shown} is more than {bound}; using the default")
            )
            settings = replace(settings, **{key: getattr(Settings(), key)})
    if settings.strike_limit < 1:
        problems.append(error(path, _key_line(text, "strike_limit"), "strike_limit must be 1 or more; using 3"))
        settings = replace(settings, strike_limit=3)
    if settings.cool_stretch < 1:
        problems.append(error(path, _key_line(text, "cool_stretch"), "cool_stretch must be 1 or more; using 2"))
        settings = replace(settings, cool_stretch=2)
    if not settings.contact_types:
        problems.append(error(path, _key_line(text, "contact_types"), "contact_types is empty; using the default"))
        settings = replace(settings, contact_types=Settings().contact_types)
    for key in PATH_SETTINGS:
        value = getattr(settings, key)
        why = outside_vault(value)
        if why:
            default = getattr(Settings(), key)
            problems.append(
                error(
                    path,
                    _key_line(text, key),
                    f"{key} {value!r} {why}; mdfollow writes only inside the vault, so it uses {default!r}"
                    if default
                    else f"{key} {value!r} {why}; mdfollow writes only inside the vault, so it is ignored",
                )
            )
            settings = replace(settings, **{key: default})
    return settings, problems


# Upper bounds for the numbers, so that no date arithmetic can pass 9999-12-31.
_BOUNDS = {
    "horizon_days": MAX_SETTING_DAYS,
    "thank_after_days": MAX_SETTING_DAYS,
    "reach_out_after_days": MAX_SETTING_DAYS,
    "nudge_after_days": MAX_SETTING_DAYS,
    "tell_referrer_after_days": MAX_SETTING_DAYS,
    "report_back_after_days": MAX_SETTING_DAYS,
    "update_after_days": MAX_SETTING_DAYS,
    "strike_limit": 100,
    "cool_stretch": MAX_STRETCH,
}


# The settings that name a file or folder mdfollow writes into (or reads notes from).
PATH_SETTINGS = (
    "contacts_folder",
    "agenda_file",
    "drafts_folder",
    "templates_folder",
    "milestones_file",
    "daily_notes_folder",
    "calendar_file",
)


def outside_vault(value: str) -> str:
    """Why a path setting (relative to the vault root) would lead outside the vault; '' if it does not.

    Only the text is judged here; symlinks are resolved when a file is written.
    """
    if "\0" in value:
        return "contains a NUL character"
    text = value.replace("\\", "/")
    if text.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", text):
        return "is not a path inside the vault (it is absolute)"
    depth = 0
    for part in text.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return "leads outside the vault (..)"
        elif part not in ("", "."):
            depth += 1
    return ""


def _parse_me(value: Any, text: str, path: str) -> tuple[Me, list[Diagnostic]]:
    problems: list[Diagnostic] = []
    if not isinstance(value, dict):
        problems.append(error(path, _key_line(text, "me"), "setting 'me' must be a table ([me])"))
        return Me(), problems
    known = {f.name for f in fields(Me)}
    values: dict[str, Any] = {}
    for key, item in value.items():
        if key not in known:
            problems.append(warning(path, _key_line(text, key, "me"), f"unknown setting 'me.{key}'; ignored"))
        elif key == "emails":
            if isinstance(item, str):
                item = [item]
            if isinstance(item, list) and all(isinstance(v, str) for v in item):
                values[key] = tuple(item)
            else:
                problems.append(
                    error(path, _key_line(text, key, "me"), "setting 'me.emails' must be a list of strings")
                )
        elif not isinstance(item, str):
            problems.append(error(path, _key_line(text, key, "me"), f"setting 'me.{key}' must be a string"))
        else:
            values[key] = item
    return Me(**values), problems


def settings_reference() -> list[tuple[str, str, str]]:
    """(key, default as TOML, doc) for every setting, for the README and `--help`."""
    rows: list[tuple[str, str, str]] = []
    for f in fields(Settings):
        if f.name == "me":
            for mf in fields(Me):
                rows.append((f"me.{mf.name}", _toml(mf.default), mf.metadata["doc"]))
            continue
        if f.name == "keys":
            rows.append(("keys", "{}", f.metadata["doc"]))
            continue
        rows.append((f.name, _toml(f.default), f.metadata["doc"]))
    return rows


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)
