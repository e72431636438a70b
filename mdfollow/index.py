"""The vault index: every note summarised, then cross-referenced.

`summarize` turns one note's bytes into a small `NoteSummary` (pure, per note,
so it can be cached and run in parallel); `build_index` resolves links,
mentions, referrals and duplicates across the records.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from mdfollow.contact import Contact, build_contact, fold, given_name, is_contact, without_titles
from mdfollow.dates import DailyFormat, DateError, leading_date, parse_date
from mdfollow.diagnostics import Diagnostic, warning
from mdfollow.milestones import Milestone
from mdfollow.note import Link, parse_note, scan_links

KIND_CONTACT = "contact"
KIND_DATED = "dated"
KIND_OTHER = "other"
KIND_SKIPPED = "skipped"


@dataclass(frozen=True)
class DailyNotes:
    """Where daily notes live and how they are named."""

    folder: str  # vault-relative, "" for the root
    format: DailyFormat

    def date_of(self, path: str) -> date | None:
        folder = self.folder.strip("/")
        if folder:
            if not path.startswith(folder + "/"):
                return None
            rest = path[len(folder) + 1 :]
        else:
            rest = path
        return self.format.parse(rest[:-3])

    def path_for(self, day: date) -> str:
        """Today's daily note, vault-relative (the folder pattern may nest: YYYY/MM/YYYY-MM-DD)."""
        name = self.format.render(day) + ".md"
        return f"{self.folder}/{name}" if self.folder else name


@dataclass(frozen=True)
class NoteSummary:
    """What the rules need from one note."""

    path: str
    kind: str
    contact: Contact | None = None
    date: date | None = None
    links: tuple[Link, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()


_DATEISH = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")


def summarize(path: str, raw: bytes, contact_types: tuple[str, ...], daily: DailyNotes) -> NoteSummary:
    note = parse_note(path, raw)
    diags = list(note.diagnostics)
    if not note.readable:
        return NoteSummary(path, KIND_SKIPPED, diagnostics=tuple(diags))
    if is_contact(note.front, contact_types):
        contact, more = build_contact(note)
        return NoteSummary(path, KIND_CONTACT, contact=contact, diagnostics=tuple(diags + more))

    when = daily.date_of(path)
    if when is None and "date" in note.front:
        value = note.front["date"]
        try:
            when = parse_date(value)
        except DateError as exc:
            if isinstance(value, str) and _DATEISH.match(value.strip()):
                diags.append(warning(path, note.line_of("date"), f"date: {exc}; the note is not treated as dated"))
    if when is None:
        when = leading_date(path.rsplit("/", 1)[-1][:-3])
    if when is None:
        return NoteSummary(path, KIND_OTHER, diagnostics=tuple(diags))
    links = scan_links(note.body, note.body_line)
    return NoteSummary(path, KIND_DATED, date=when, links=tuple(links), diagnostics=tuple(diags))


@dataclass(frozen=True)
class Mention:
    """A dated note that links a contact: a touch on the note's date."""

    date: date
    path: str
    line: int


_COPY = re.compile(
    r"^(?P<base>.+?)(?: \d{1,3}| \(\d{1,3}\)| copy|\.sync-conflict-[\w-]+| \(conflicted copy[^)]*\)"
    r"| \([^)]*conflicted copy[^)]*\))$",
    re.IGNORECASE,
)


@dataclass
class VaultIndex:
    contacts: tuple[Contact, ...]
    mentions: dict[str, tuple[Mention, ...]]
    milestones: tuple[Milestone, ...]
    problems: tuple[Diagnostic, ...]
    notes_read: int
    notes_skipped: int
    ambiguous_stems: frozenset[str] = frozenset()
    _by_stem: dict[str, list[Contact]] = field(default_factory=dict, repr=False)
    _copies: dict[str, Contact] = field(default_factory=dict, repr=False)  # copy's path -> the note kept
    _by_path: dict[str, Contact] | None = field(default=None, repr=False)  # built on first use
    _referred: dict[str, list[Contact]] = field(default_factory=dict, repr=False)

    def resolve(self, target: str) -> Contact | None:
        """The contact a link target names (`Jane Doe`, `People/Jane Doe`), like Obsidian."""
        key = fold(target)
        if "/" in key:
            found = self._paths().get(key)
            if found:
                return found
            key = key.rsplit("/", 1)[-1]
        matches = self._by_stem.get(key, [])
        return matches[0] if len(matches) == 1 else None

    def _paths(self) -> dict[str, Contact]:
        """Contacts by folded vault path without `.md`: few links name a path, so built lazily."""
        if self._by_path is None:
            paths = {fold(c.path[:-3]): c for c in self.contacts}
            for copy_path, original in self._copies.items():
                paths[fold(copy_path[:-3])] = original
            self._by_path = paths
        return self._by_path

    def referrer_of(self, contact: Contact) -> Contact | None:
        return self.resolve(contact.referred_by) if contact.referred_by else None

    def referrals(self, referrer: Contact) -> list[Contact]:
        """The contacts whose referred_by links to this one."""
        return self._referred.get(referrer.path, [])

    def mentions_of(self, contact: Contact) -> tuple[Mention, ...]:
        return self.mentions.get(contact.path, ())

    def link_target(self, contact: Contact) -> str:
        """What to put in [[...]] so that Obsidian resolves it to this contact."""
        return contact.stem if fold(contact.stem) not in self.ambiguous_stems else contact.path[:-3]

    def link_for(self, contact: Contact) -> str:
        """A wikilink Obsidian resolves to this contact, showing its name."""
        target = self.link_target(contact)
        return f"[[{target}]]" if target == contact.name else f"[[{target}|{contact.name}]]"


def build_index(
    records: Iterable[NoteSummary], milestones: Iterable[Milestone] = (), extra_problems: Iterable[Diagnostic] = ()
) -> VaultIndex:
    records = sorted(records, key=_path_of)
    problems: list[Diagnostic] = list(extra_problems)
    stem_keys: dict[str, str] = {}  # path -> folded file name: each folded once
    counts: dict[str, int] = {}
    contacts: list[Contact] = []
    skipped = 0
    for record in records:
        path = record.path
        if record.diagnostics:
            problems.extend(record.diagnostics)
        key = fold(path[path.rfind("/") + 1 : -3])
        stem_keys[path] = key
        counts[key] = counts.get(key, 0) + 1
        if record.kind == KIND_SKIPPED:
            skipped += 1
        elif record.contact is not None:
            contacts.append(record.contact)

    kept, aliases_of, dupes = _drop_duplicates(contacts, stem_keys)
    problems.extend(dupes)
    by_stem: dict[str, list[Contact]] = {}
    for contact in kept:
        by_stem.setdefault(stem_keys[contact.path], []).append(contact)
    for copy_path in aliases_of:
        by_stem.setdefault(stem_keys[copy_path], [aliases_of[copy_path]])

    index = VaultIndex(
        contacts=tuple(kept),
        mentions={},
        milestones=tuple(sorted(milestones, key=lambda m: (m.date, m.line))),
        problems=(),
        notes_read=len(records),
        notes_skipped=skipped,
        ambiguous_stems=frozenset(s for s, n in counts.items() if n > 1),
        _by_stem=by_stem,
        _copies=aliases_of,
    )

    mentions: dict[str, list[Mention]] = defaultdict(list)
    for record in records:
        if record.kind != KIND_DATED or record.date is None:
            continue
        seen: set[str] = set()
        for link in record.links:
            linked = index.resolve(link.target)
            if linked is None or linked.path in seen:
                continue
            seen.add(linked.path)
            mentions[linked.path].append(Mention(record.date, record.path, link.line))
    index.mentions = {p: tuple(sorted(ms, key=lambda m: (m.date, m.path))) for p, ms in mentions.items()}

    for contact in kept:
        referrer = index.resolve(contact.referred_by) if contact.referred_by else None
        if referrer is not None:
            index._referred.setdefault(referrer.path, []).append(contact)
        if contact.referred_by and referrer is None:
            problems.append(
                warning(
                    contact.path,
                    _line(contact, "referred_by"),
                    f"referred_by: [[{contact.referred_by}]] is not a contact note; "
                    "create it (mdfollow new) or fix the link",
                )
            )
    index.problems = tuple(sorted(set(problems), key=_problem_order))
    return index


def _problem_order(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.path, d.line or 0, d.column or 0, d.message)


def _line(contact: Contact, key: str) -> int | None:
    return contact.lines.get(key)


def _path_of(record: NoteSummary) -> str:
    return record.path


def _drop_duplicates(
    contacts: list[Contact], stem_keys: dict[str, str]
) -> tuple[list[Contact], dict[str, Contact], list[Diagnostic]]:
    """One note per person: copies (`Ann 2`, sync conflicts) and same-name notes are reported."""
    by_name: dict[str, Contact] = {}
    problems: list[Diagnostic] = []
    copies: dict[str, Contact] = {}
    names = {fold(c.name): c for c in contacts}  # a file name wins over another note's `name`
    names.update({stem_keys[c.path]: c for c in contacts})
    kept: list[Contact] = []
    for contact in contacts:
        m = _COPY.match(contact.stem)
        original = names.get(fold(m.group("base"))) if m else None
        if original is not None and original is not contact and not _COPY.match(original.stem):
            problems.append(
                warning(
                    contact.path,
                    None,
                    f"looks like a copy of {original.path} (a duplicate or sync conflict); "
                    "it is not counted: merge it into that note and delete it",
                )
            )
            copies[contact.path] = original
            continue
        key = fold(contact.name)
        first = by_name.get(key) or by_name.get(stem_keys[contact.path])
        if first is not None:
            problems.append(
                warning(
                    contact.path,
                    None,
                    f"another contact note is also {contact.name!r}: {first.path}; "
                    "only that one is used: merge the two notes",
                )
            )
            copies[contact.path] = first
            continue
        by_name[key] = contact
        by_name.setdefault(stem_keys[contact.path], contact)
        kept.append(contact)
    return kept, copies, problems


def lookup(index: VaultIndex, name: str) -> tuple[list[Contact], list[str]]:
    """Contacts whose file name, `name` or alias is NAME (case and accents ignored),
    else those whose given name it is ("Hannah"), and, when none is, the closest
    names to suggest (at most three, closest first)."""
    import difflib

    wanted = fold(name)
    if wanted.endswith(".md"):
        wanted = wanted[:-3]
    matches = []
    for contact in index.contacts:
        keys = {fold(contact.stem), fold(contact.name), fold(contact.path[:-3]), fold(without_titles(contact.name))}
        keys.update(fold(a) for a in contact.aliases)
        if wanted in keys:
            matches.append(contact)
    if matches:
        return matches, []
    if wanted and " " not in wanted:
        matches = [c for c in index.contacts if fold(given_name(c.name)).rstrip(".") == wanted]
        if matches:
            return matches, []
    scored: dict[str, float] = {}
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(wanted)
    for contact in index.contacts:
        for key in (contact.name, contact.stem, given_name(contact.name), *contact.aliases):
            matcher.set_seq1(fold(key))
            floor = scored.get(contact.name, 0.6)
            # The cheap upper bounds first, as difflib.get_close_matches does.
            if matcher.real_quick_ratio() >= floor and matcher.quick_ratio() >= floor:
                ratio = matcher.ratio()
                if ratio >= floor:
                    scored[contact.name] = ratio
    best = sorted(scored, key=lambda n: (-scored[n], fold(n), n))
    return [], best[:3]
