"""What `init` learns from a vault kept before mdfollow: which notes are people, what their keys are called.

Pure: notes come in as (path, bytes), findings and a commented settings file
go out. People notes are found by folder (People/, Contacts/, CRM/ ...), by
tag (#person, #people/work ...) and by a `type`, `category` or `fileClass`
value. Key names are matched by what the values look like, not by name
alone: `last_contacted` becomes mdfollow's `last_contact` only when most of
its values are dates, `mail` becomes `email` only when they are addresses.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mdfollow.dates import parse_cadence, parse_date
from mdfollow.errors import CadenceError, DateError
from mdfollow.keys import KeyMap, body_tags, tag_values, type_value
from mdfollow.note import parse_note

PEOPLE_WORDS = frozenset({"person", "persons", "people", "contact", "contacts", "crm", "humans", "human"})
FOLDER_WORDS = PEOPLE_WORDS | {"network", "networking", "relationships"}
TYPE_KEYS = ("type", "category", "categories", "fileClass", "fileclass", "class", "kind", "note_type", "notetype")
DEFAULT_TYPES = ("contact", "person")


def norm(key: str) -> str:
    """`last-contacted`, `lastContacted` and `Last_Contacted` are the same name."""
    return re.sub(r"[^a-z0-9]", "", key.lower())


_TOUCH_WORDS: tuple[str, ...] = (
    "contact",
    "chat",
    "spoke",
    "spoken",
    "talk",
    "seen",
    "touch",
    "call",
    "met",
    "meet",
    "interact",
)
_TOUCH_WORDS += ("catch", "convers", "connect", "hang", "reach", "ping", "messag", "email", "wrote")

# mdfollow key -> (names it goes by, the kind of value it holds)
HINTS: dict[str, tuple[frozenset[str], str]] = {
    "last_contact": (
        frozenset(
            {
                "lastcontact",
                "lastcontacted",
                "lastcontactdate",
                "lastcontacteddate",
                "lastcontactedon",
                "lastchatted",
                "lastchat",
                "lastspoke",
                "lastspokewith",
                "lastspoken",
                "lastseen",
                "lasttalked",
                "lastinteraction",
                "lastinteracted",
                "lasttouch",
                "lasttouched",
                "lastcall",
                "lastcalled",
                "lastmet",
                "lastmeeting",
                "lastconversation",
                "lastconnected",
                "lastcatchup",
                "contacted",
            }
        ),
        "date",
    ),
    "met": (frozenset({"met", "meton", "metdate", "datemet", "lastmetup"}), "date"),
    "last_outreach": (
        frozenset(
            {"lastoutreach", "lastreachedout", "lastmessaged", "lastpinged", "lastemailed", "lastsent", "lastwrote"}
        ),
        "date",
    ),
    "next_follow_up": (
        frozenset(
            {"nextfollowup", "followup", "followupon", "followupdate", "nextcontact", "nextcheckin", "nexttouch"}
        ),
        "date",
    ),
    "birthday": (frozenset({"birthday", "bday", "birthdate", "dateofbirth", "dob", "born", "birth"}), "birthday"),
    "email": (frozenset({"email", "mail", "emailaddress", "mailaddress", "eaddress"}), "email"),
    "linkedin": (frozenset({"linkedin", "linkedinurl", "linkedinprofile", "li"}), "linkedin"),
    "company": (
        frozenset({"company", "organization", "organisation", "org", "employer", "worksat", "workplace"}),
        "text",
    ),
    "role": (frozenset({"role", "title", "jobtitle", "position", "job"}), "text"),
    "phone": (frozenset({"phone", "mobile", "tel", "telephone", "phonenumber", "cell"}), "phone"),
    "cadence": (
        frozenset({"cadence", "frequency", "contactfrequency", "touchfrequency", "keepintouch", "checkinevery"}),
        "cadence",
    ),
}
# Found and explained, never mapped: a first meeting years ago would make mdfollow's
# `met` ask for a thank-you today.
FIRST_MET = frozenset({"firstmet", "firstmeeting", "metfirst", "datefirstmet"})

ABOUT = {
    "last_contact": "the latest two-way contact (a meeting, a call, a reply)",
    "met": "the latest meeting that calls for a thank-you",
    "last_outreach": "the latest message you sent",
    "next_follow_up": "a promised date to follow up",
    "birthday": "their birthday",
    "email": "their e-mail address, matched by imports",
    "linkedin": "their LinkedIn profile, matched by imports",
    "company": "where they work",
    "role": "what they do",
    "phone": "their phone number",
    "cadence": "how often to keep in touch",
    "type": "what kind of note it is",
}

_PEOPLE_BYTES = re.compile(rb"(?i)person|people|contact|crm|human")
SAMPLE = 400  # values per key looked at: enough to judge, bounded on a large vault
_BIRTHDAY = re.compile(r"^(?:--)?\d{1,2}-\d{1,2}$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_DATE_LINK = re.compile(r"^\[\[\d{4}-\d{2}-\d{2}(?:\|[^\]]*)?\]\]$")


def value_kind(value: Any, kind: str) -> bool:
    """Whether the value looks like the kind of thing the mdfollow key holds."""
    if kind in ("date", "birthday"):
        try:
            parse_date(value)
            return True
        except DateError:
            return kind == "birthday" and isinstance(value, str) and bool(_BIRTHDAY.match(value.strip()))
    if kind == "email":
        items = value if isinstance(value, list) else [value]
        return bool(items) and all(isinstance(v, str) and _EMAIL.match(v.strip().strip("<>")) for v in items)
    if kind == "linkedin":
        return isinstance(value, str) and "linkedin.com/" in value.lower()
    if kind == "phone":
        return isinstance(value, str | int) and not isinstance(value, bool) and len(re.sub(r"\D", "", str(value))) >= 6
    if kind == "cadence":
        try:
            parse_cadence(value)
            return True
        except CadenceError:
            return False
    return isinstance(value, str) and bool(value.strip())


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


@dataclass
class KeyStats:
    notes: int = 0  # people notes with a non-empty value
    values: list[Any] = field(default_factory=list)

    def share(self, kind: str) -> tuple[int, int]:
        """(values of that kind, values) among the non-empty ones."""
        return sum(1 for v in self.values if value_kind(v, kind)), len(self.values)

    def date_links(self) -> int:
        return sum(1 for v in self.values if isinstance(v, str) and _DATE_LINK.match(v.strip()))


@dataclass(frozen=True)
class Mapping_:
    canonical: str
    user: str
    notes: int
    matching: int
    note: str = ""


@dataclass
class Findings:
    notes: int = 0
    folders: Counter[str] = field(default_factory=Counter)
    tags: Counter[str] = field(default_factory=Counter)
    types: dict[str, Counter[str]] = field(default_factory=dict)  # type key -> value -> notes
    template_folders: tuple[str, ...] = ()
    people: list[str] = field(default_factory=list)  # paths of the people notes
    mappings: list[Mapping_] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)  # findings explained but not applied
    contact_types: tuple[str, ...] = DEFAULT_TYPES
    contact_tags: tuple[str, ...] = ()
    contact_folders: tuple[str, ...] = ()
    type_key: str = "type"
    contacts_folder: str = "People"

    @property
    def keys(self) -> KeyMap:
        renames = {m.canonical: m.user for m in self.mappings if m.user != m.canonical}
        if self.type_key != "type":
            renames["type"] = self.type_key
        return KeyMap(tuple(sorted(renames.items())))

    @property
    def found_people(self) -> bool:
        return bool(self.people)


def _people_folders(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i, part in enumerate(parts) if part.casefold() in FOLDER_WORDS]


def _people_tags(tags: Iterable[str]) -> set[str]:
    return {t.split("/", 1)[0].casefold() for t in tags if t.split("/", 1)[0].casefold() in PEOPLE_WORDS}


def _people_types(front: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for key in TYPE_KEYS:
        value = front.get(key)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, str) and type_value(item) in PEOPLE_WORDS:
                found.append((key, item.strip()))
    return found


Mark = tuple[str, list[str], set[str], list[tuple[str, str]], dict[str, Any]]  # path, folders, tags, types, front


def scan(notes: Iterable[tuple[str, bytes]], template_folders: tuple[str, ...] = ()) -> list[Mark]:
    """What marks each note as a person, if anything (per note: can run in parallel)."""
    prefixes = tuple(f.strip("/") + "/" for f in template_folders if f.strip("/"))
    marks: list[Mark] = []
    for path, raw in notes:
        if prefixes and path.startswith(prefixes):
            continue
        if b"<%" in raw and b"%>" in raw:  # a Templater template outside the templates folder
            continue
        folders = _people_folders(path)
        if not folders and not _PEOPLE_BYTES.search(raw):
            continue  # no people word anywhere: not worth parsing (most notes of a large vault)
        note = parse_note(path, raw)
        if not note.readable:
            continue
        front = note.front
        tags = _people_tags(tag_values(front.get("tags")) + tag_values(front.get("tag")) + body_tags(note.body))
        types = _people_types(front)
        if folders or tags or types:
            marks.append((path, folders, tags, types, front))
    return marks


def survey(
    notes: Iterable[tuple[str, Any]], template_folders: tuple[str, ...] = (), marks: list[Mark] | None = None
) -> Findings:
    """Find the people notes and their key names. Template folders are never people.

    `marks` (from `scan`, run elsewhere) stand in for reading `notes`, which then only count.
    """
    found = Findings(template_folders=template_folders)
    if marks is None:
        listed = list(notes)
        marks = scan(listed, template_folders)
        found.notes = len(listed)
    else:
        found.notes = sum(1 for _ in notes)
    _decide_marks(found, marks)
    people = [m for m in marks if m[1] or m[2] or any(k == found.type_key for k, _ in m[3])]
    found.people = sorted(m[0] for m in people)
    _decide_keys(found, [m[4] for m in sorted(people, key=lambda m: m[0])])
    return found


def _decide_marks(found: Findings, marks: list[Mark]) -> None:
    for _, folders, tags, types, _ in marks:
        found.folders.update(folders)
        found.tags.update(tags)
        for key, value in types:
            found.types.setdefault(key, Counter())[value] += 1
    # A folder inside another people folder adds nothing: keep the outermost.
    outer = [f for f in sorted(found.folders) if not any(f.startswith(o + "/") for o in found.folders if o != f)]
    found.contact_folders = tuple(outer)
    found.contact_tags = tuple(sorted(found.tags))
    if found.types:
        key = max(found.types, key=lambda k: (sum(found.types[k].values()), k == "type"))
        found.type_key = key
        values = sorted({v for v in found.types[key]}, key=str.casefold)
        wanted = {type_value(v) for v in values}
        if key == "type":
            extra = [v for v in values if type_value(v) not in DEFAULT_TYPES]
            found.contact_types = DEFAULT_TYPES + tuple(extra)
        else:
            # mdfollow's own `contact` stays: the notes `new` and imports create say `KEY: contact`.
            found.contact_types = DEFAULT_TYPES + tuple(sorted(wanted - set(DEFAULT_TYPES)))
    if found.contact_folders:
        found.contacts_folder = max(found.contact_folders, key=lambda f: (found.folders[f], -len(f)))


def _decide_keys(found: Findings, fronts: list[dict[str, Any]]) -> None:
    stats: dict[str, KeyStats] = {}
    for front in fronts:
        for key, value in front.items():
            if _empty(value):
                continue
            entry = stats.setdefault(str(key), KeyStats())
            entry.notes += 1
            if len(entry.values) < SAMPLE:
                entry.values.append(value)
    taken: set[str] = set()
    for canonical, (names, kind) in HINTS.items():
        candidates = []
        for key, entry in stats.items():
            n = norm(key)
            named = n in names or _looks_named(canonical, n)
            if not named or key in taken:
                continue
            if key != canonical and key in HINTS:  # another mdfollow key's own name
                continue
            matching, total = entry.share(kind)
            if total and matching * 5 >= total * 3:  # most values look right
                candidates.append((matching, key == canonical, key, entry))
            elif total and kind in ("date", "birthday") and entry.date_links() * 2 >= total:
                found.left_alone.append(
                    f"{key}: its values are links to daily notes ([[YYYY-MM-DD]]); mdfollow reads plain dates, "
                    f"so it is not used as {canonical}"
                )
            elif total and key != canonical:
                found.left_alone.append(
                    f"{key}: named like mdfollow's {canonical}, but only {matching} of {total} values look like "
                    f"{'a ' + kind if kind != 'email' else 'an e-mail address'}; not used"
                )
        if not candidates:
            continue
        matching, _, key, entry = max(candidates, key=lambda c: (c[0], c[1], -len(c[2])))
        taken.add(key)
        note = ""
        own = stats.get(canonical)
        if key != canonical and own is not None:
            note = f"{own.notes} notes also have `{canonical}`: mdfollow will not read it there"
        found.mappings.append(Mapping_(canonical, key, entry.notes, matching, note))
    for key, entry in stats.items():
        if norm(key) in FIRST_MET:
            matching, total = entry.share("date")
            if matching:
                found.left_alone.append(
                    f"{key}: dates of a first meeting ({matching} notes); not used as mdfollow's `met`, which asks "
                    f'for a thank-you: add met = "{key}" under [keys] if it means the latest meeting'
                )


def _looks_named(canonical: str, n: str) -> bool:
    """Names beyond the lists: `last_spoke_to`, `work_email`, `linkedin_profile_url`."""
    if canonical == "last_contact":
        return n.startswith("last") and any(w in n for w in _TOUCH_WORDS) and "outreach" not in n
    if canonical == "email":
        return "email" in n and not n.endswith("s")
    if canonical == "linkedin":
        return "linkedin" in n
    if canonical == "birthday":
        return "birth" in n
    return False


# --- the settings file -----------------------------------------------------------


def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(_toml_str(i) for i in items) + "]"


def settings_text(found: Findings) -> str:
    """A commented `.mdfollow.toml` that says what was found; it parses back to exactly these settings."""
    lines = [
        "# mdfollow's settings for this vault, written by `mdfollow init`.",
        "# Every setting is optional; the README lists them all. Edit freely: `mdfollow check`",
        "# reports a mistake here with its line.",
        "",
        "# Which notes are people. A note is a contact when its `type` is one of",
        "# contact_types, when it has a tag of contact_tags (in its tags or its text;",
        "# `people` also matches #people/work), or when it lies in a folder of contact_folders.",
    ]
    if found.type_key != "type":
        lines.append(f"# Your notes say what they are in `{found.type_key}` (see [keys] below).")
    if found.types:
        counts = ", ".join(f"{v} on {n} notes" for v, n in sorted(found.types[found.type_key].items()))
        lines.append(f"# Found: {found.type_key}: {counts}.")
    lines.append(f"contact_types = {_toml_list(found.contact_types)}")
    if found.contact_tags:
        lines.append(
            "# Found: "
            + ", ".join(f"#{t} on {found.tags[t]} notes" for t in found.contact_tags)
            + " (nested tags included)."
        )
    lines.append(f"contact_tags = {_toml_list(found.contact_tags)}" + ("" if found.contact_tags else "  # none found"))
    if found.contact_folders:
        lines.append(
            "# Found: " + ", ".join(f"{f}/ with {found.folders[f]} notes" for f in found.contact_folders) + "."
        )
    lines.append(
        f"contact_folders = {_toml_list(found.contact_folders)}" + ("" if found.contact_folders else "  # none found")
    )
    lines += [
        "",
        "# Where `mdfollow new` and imports create contact notes.",
        f"contacts_folder = {_toml_str(found.contacts_folder)}",
    ]
    if found.template_folders:
        lines += [
            "",
            "# Notes never read: your templates (Obsidian's and Templater's folders).",
            f"ignore = {_toml_list(f.strip('/') + '/**' for f in found.template_folders)}",
        ]
    lines += [
        "",
        "# The agenda of follow-ups, rewritten by `mdfollow agenda`.",
        '# agenda_file = "Agenda.md"',
        "# Commit what mdfollow writes (in a git vault), as if --commit were given.",
        "# commit = false",
        "",
        "# You, for signing drafts.",
        "[me]",
        '# name = "Your Name"',
        '# email = "you@example.com"',
        "",
        "# Your names for mdfollow's keys: mdfollow reads and writes your name, never its own.",
        '# Each line is  mdfollow_key = "your_key".',
        "[keys]",
    ]
    renames = found.keys.toml()
    if not renames:
        lines.append('# last_contact = "last_contacted"')
    for canonical, user in renames.items():
        mapping = next((m for m in found.mappings if m.canonical == canonical), None)
        why = ABOUT.get(canonical, canonical)
        if mapping is not None:
            why += f"; {mapping.notes} notes, {mapping.matching} of {min(mapping.notes, SAMPLE)} values looked at fit"
            if mapping.note:
                why += f"; {mapping.note}"
        lines.append(f"{canonical} = {_toml_str(user)}  # {why}")
    for text in found.left_alone:
        if "add met =" in text:
            key = text.split(":", 1)[0]
            lines.append(
                f"# met = {_toml_str(key)}  # a first meeting would ask for a thank-you: only if it is the latest"
            )
    return "\n".join(lines) + "\n"


EXAMPLE_SETTINGS = """\
# mdfollow's settings for this vault, written by `mdfollow init`.
# Every setting is optional; the README lists them all.

# Which notes are people: a `type` of contact_types, a tag of contact_tags
# (nested tags count: #people/work), or a note in a folder of contact_folders.
contact_types = ["contact", "person"]
contact_tags = []
contact_folders = ["People"]

# Where `mdfollow new` and imports create contact notes.
contacts_folder = "People"

# You, for signing drafts.
[me]
# name = "Your Name"

# Your names for mdfollow's keys, if your notes already use others.
[keys]
# last_contact = "last_contacted"
"""
