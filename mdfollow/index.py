"""The vault index: every note summarised, then cross-referenced.

`summarize` turns one note's bytes into a small `NoteSummary` (pure, per note,
so it can be cached and run in parallel); `build_index` resolves links,
mentions, referrals and duplicates across the records.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mdfollow.contact import Contact, build_contact, fold, given_name, without_titles
from mdfollow.dates import DailyFormat, DateError, leading_date, parse_date
from mdfollow.diagnostics import Diagnostic, warning
from mdfollow.keys import People
from mdfollow.links import Link, property_links, scan_links
from mdfollow.milestones import Milestone
from mdfollow.note import parse_note

KIND_CONTACT = "contact"
KIND_DATED = "dated"
KIND_OTHER = "other"
KIND_SKIPPED = "skipped"


@dataclass(frozen=True)
class DailyNotes:
    """Where daily notes live and how they are named."""

    folder: str  # vault-relative, "" for the root
    format: DailyFormat
    template: str = ""  # the daily-note template's vault path, as Obsidian's settings give it

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


def summarize(path: str, raw: bytes, people: People | tuple[str, ...], daily: DailyNotes) -> NoteSummary:
    """One note's summary; `people` says which notes are contacts (a tuple: contact types only)."""
    if not isinstance(people, People):
        people = People(tuple(people))
    note = parse_note(path, raw)
    diags = list(note.diagnostics)
    if not note.readable:
        return NoteSummary(path, KIND_SKIPPED, diagnostics=tuple(diags))
    if people.is_contact(path, note.front, note.body if people.tags else ""):
        contact, more = build_contact(note, keys=people.keys)
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
    links = property_links(note.front, note.key_lines, note.front_line) if note.front else []
    links += scan_links(note.body, note.body_line)
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
    _by_stem: dict[str, list[str]] = field(default_factory=dict, repr=False)  # folded file name -> note paths
    _copies: dict[str, Contact] = field(default_factory=dict, repr=False)  # copy's path -> the note kept
    _by_path: dict[str, str] | None = field(default=None, repr=False)  # folded path -> note path, built on first use
    _contact_at: dict[str, Contact] = field(default_factory=dict, repr=False)  # note path -> contact
    _referred: dict[str, list[Contact]] = field(default_factory=dict, repr=False)
    _dupes: tuple[Diagnostic, ...] = field(default=(), repr=False)  # copies reported, for patch_index

    def resolve(self, target: str, source: str = "") -> Contact | None:
        """The contact a link in the note `source` goes to, as Obsidian resolves it; None when
        it goes to a note that is not a contact, or to no note at all."""
        path = self.resolve_path(target, source)
        return self._contact_at.get(path) if path is not None else None

    def resolve_path(self, target: str, source: str = "") -> str | None:
        """The note a link goes to. A link with a folder goes to that path (from the vault's
        root, or from the linking note's folder) and to no other note; a bare name goes to the
        note of that name at the vault's root, else in the linking note's folder, else to the one
        with the shortest path (Obsidian 1.x's getFirstLinkpathDest, as observed)."""
        target = target.replace("\\", "/").strip()
        folder = source.rsplit("/", 1)[0] if "/" in source else ""
        if "/" not in target:
            return self._nearest(self._by_stem.get(fold(target), ()), folder)
        paths = self._paths()
        if target.startswith("/"):
            return paths.get(fold(target.lstrip("/")))
        relative = _join(folder, target)
        if target.startswith(("./", "../")):
            return paths.get(fold(relative)) if relative is not None else None
        found = paths.get(fold(target))
        if found is None and relative is not None and folder:
            found = paths.get(fold(relative))
        if found is None:
            # Obsidian also takes the end of a path: `People/Jane` finds `Work/People/Jane`.
            tail = "/" + fold(target)
            stem = fold(target.rsplit("/", 1)[-1])
            found = self._nearest([p for p in self._by_stem.get(stem, ()) if fold(p[:-3]).endswith(tail)], folder)
        return found

    @staticmethod
    def _nearest(paths: Sequence[str], folder: str) -> str | None:
        if not paths:
            return None
        if len(paths) == 1:
            return paths[0]
        root = [p for p in paths if "/" not in p]
        if root:
            return root[0]
        here = [p for p in paths if (p.rsplit("/", 1)[0] if "/" in p else "") == folder]
        return here[0] if here else min(paths, key=lambda p: (len(p), p))

    def _paths(self) -> dict[str, str]:
        """Notes by folded vault path without `.md`: few links name a path, so built lazily."""
        if self._by_path is None:
            by_path = {fold(p[:-3]): p for paths in self._by_stem.values() for p in paths}
            if len(by_path) < sum(map(len, self._by_stem.values())):
                # Notes spelt alike (`A/b` and `A／b`, a fullwidth solidus): the last by path wins,
                # whatever their file names, as the index store's lookup keeps it.
                by_path = {fold(p[:-3]): p for p in sorted(p for paths in self._by_stem.values() for p in paths)}
            self._by_path = by_path
        return self._by_path

    def has_contacts(self) -> bool:
        return bool(self.contacts)

    def whole_index(self) -> VaultIndex:
        """This index with every note in memory (an index read from a store reads on demand)."""
        return self

    def agenda_for(self, today: date, settings: Any) -> Any:
        """The agenda already put together for this day and settings (the index store's), else None."""
        return None

    def referrer_of(self, contact: Contact) -> Contact | None:
        """The first contact who referred this one (templates' `referrer`)."""
        found = self.referrers_of(contact)
        return found[0] if found else None

    def referrers_of(self, contact: Contact) -> list[Contact]:
        """Every contact `referred_by` links to, in the order written."""
        found: list[Contact] = []
        for target in contact.referred_by:
            referrer = self.resolve(target, contact.path)
            if referrer is not None and referrer not in found:
                found.append(referrer)
        return found

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
    by_stem: dict[str, list[str]] = {}  # every note, contact or not: links resolve among all of them
    contacts: list[Contact] = []
    skipped = 0
    for record in records:
        path = record.path
        if record.diagnostics:
            problems.extend(record.diagnostics)
        key = fold(path[path.rfind("/") + 1 : -3])
        by_stem.setdefault(key, []).append(path)
        if record.kind == KIND_SKIPPED:
            skipped += 1
        elif record.contact is not None:
            contacts.append(record.contact)

    by_path = {c.path: c for c in contacts}
    owners, dupes = copies_among([c.path for c in contacts])
    problems.extend(dupes)
    kept = [c for c in contacts if c.path not in owners]
    copies = {path: by_path[owner] for path, owner in owners.items()}
    contact_at = {c.path: c for c in kept}
    contact_at.update(copies)

    index = VaultIndex(
        contacts=tuple(kept),
        mentions={},
        milestones=tuple(sorted(milestones, key=lambda m: (m.date, m.line))),
        problems=(),
        notes_read=len(records),
        notes_skipped=skipped,
        ambiguous_stems=frozenset(s for s, paths in by_stem.items() if len(paths) > 1),
        _by_stem=by_stem,
        _copies=copies,
        _contact_at=contact_at,
    )

    mentions: dict[str, list[Mention]] = defaultdict(list)
    for record in records:
        if record.kind != KIND_DATED or record.date is None:
            continue
        seen: set[str] = set()
        for link in record.links:
            linked = index.resolve(link.target, record.path)
            if linked is None or linked.path in seen:
                continue
            seen.add(linked.path)
            mentions[linked.path].append(Mention(record.date, record.path, link.line))
    index.mentions = {p: tuple(sorted(ms, key=lambda m: (m.date, m.path))) for p, ms in mentions.items()}

    index._dupes = tuple(dupes)
    _referrals(index, kept, problems)
    index.problems = tuple(sorted(set(problems), key=_problem_order))
    return index


def _referrals(index: VaultIndex, kept: Iterable[Contact], problems: list[Diagnostic]) -> None:
    for contact in kept:
        for referrer in referrers_and_problems(index, contact, problems):
            referred = index._referred.setdefault(referrer.path, [])
            if contact not in referred:
                referred.append(contact)


def referrers_and_problems(index: VaultIndex, contact: Contact, problems: list[Diagnostic]) -> list[Contact]:
    """Each contact `referred_by` resolves to, in the order written (repeats kept); a warning
    in `problems` for each link that goes to no contact."""
    found = []
    for target in contact.referred_by:
        referrer = index.resolve(target, contact.path)
        if referrer is not None:
            found.append(referrer)
            continue
        problems.append(
            warning(
                contact.path,
                _line(contact, "referred_by"),
                f"referred_by: [[{target}]] is not a contact note; create it (mdfollow new) or fix the link",
            )
        )
    return found


def _problem_order(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.path, d.line or 0, d.column or 0, d.message)


def _line(contact: Contact, key: str) -> int | None:
    return contact.lines.get(key)


def _path_of(record: NoteSummary) -> str:
    return record.path


def copies_among(paths: list[str]) -> tuple[dict[str, str], list[Diagnostic]]:
    """Contact notes that are copies (`Ann 2`, sync conflicts, the same name spelt twice in one
    folder), each with the path of the note it copies; and one warning per copy. `paths`: every
    contact note, sorted. Depends on paths only, so a store can keep it without the notes.

    Notes of the same name in different folders are different people
    (`Work/Alex Kim`, `Friends/Alex Kim`): all are contacts.
    """
    by_place: dict[tuple[str, str], str] = {}
    for path in paths:
        by_place.setdefault((_folder(path), fold(_stem(path))), path)
    problems: list[Diagnostic] = []
    copies: dict[str, str] = {}
    for path in paths:
        stem = _stem(path)
        first = by_place[(_folder(path), fold(stem))]
        if first != path:  # `Zoë Park` spelt twice (NFC, NFD) or in two cases in one folder
            problems.append(
                warning(
                    path,
                    None,
                    f"another note in this folder has the same name: {first}; only that one is used: merge the two notes",
                )
            )
            copies[path] = first
            continue
        m = _COPY.match(stem)
        original = by_place.get((_folder(path), fold(m.group("base")))) if m else None
        if original is not None and original != path and not _COPY.match(_stem(original)):
            problems.append(
                warning(
                    path,
                    None,
                    f"looks like a copy of {original} (a duplicate or sync conflict); "
                    "it is not counted: merge it into that note and delete it",
                )
            )
            copies[path] = original
    return copies, problems


def _stem(path: str) -> str:
    return path[path.rfind("/") + 1 : -3]


def note_tail(path: str) -> str:
    """The key every link that may resolve to this note is filed under (see `link_keys`)."""
    return fold(_stem(path)).rsplit("/", 1)[-1].strip()


def link_keys(target: str, source: str) -> tuple[str, ...]:
    """The `note_tail`s of every note `resolve_path(target, source)` may look at: a note whose
    tail is none of these cannot change where the link goes. A store re-resolves a link only
    when a note with one of its keys is added or removed."""
    target = target.replace("\\", "/").strip()
    keys = {fold(target).rsplit("/", 1)[-1].strip()}
    if "/" in target and not target.startswith("/"):
        folder = source.rsplit("/", 1)[0] if "/" in source else ""
        relative = _join(folder, target)
        if relative is not None:
            keys.add(fold(relative).rsplit("/", 1)[-1].strip())
    return tuple(sorted(keys))


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _join(folder: str, target: str) -> str | None:
    """`target` read from `folder` (`../People/Jane` from `Daily`), or None when it climbs out of the vault."""
    parts = folder.split("/") if folder else []
    for part in target.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def ambiguous(name: str, matches: list[Contact]) -> str:
    """What to say when a name matches several contacts: each with its path, and how to pick one."""
    listed = "; ".join(f"{c.name} ({c.path})" for c in matches)
    return f"{name!r} matches several contacts: {listed}; give one by its path, e.g. {matches[0].path[:-3]!r}"


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


SHARED_FROM = 3  # more contacts than this on one address, profile or name: shared, not duplicates


def likely_duplicates(contacts: Iterable[Contact]) -> list[Diagnostic]:
    """One warning per pair of contacts that are likely the same person.

    Same e-mail address, same LinkedIn profile, or the same name once case,
    accents, word order and titles are ignored ("Dr. Doe, Jane" is Jane Doe).
    Each pair is named once, on the later note, with both paths and the
    command that merges them. A value shared by more than SHARED_FROM
    contacts (an office inbox, a common name) makes no pairs.
    """
    from mdfollow.contact import contact_emails, linkedin_key, name_key

    groups: dict[tuple[str, str], list[Contact]] = defaultdict(list)
    for contact in contacts:
        for email in sorted(contact_emails(contact)):
            groups[("same e-mail", email)].append(contact)
        if contact.linkedin:
            groups[("same LinkedIn profile", linkedin_key(contact.linkedin))].append(contact)
        key = name_key(contact.name)
        if key:
            groups[("same name", key)].append(contact)
    reasons: dict[tuple[str, str], str] = {}
    problems: list[Diagnostic] = []
    order = ("same e-mail", "same LinkedIn profile", "same name")
    for (why, value), members in sorted(groups.items(), key=lambda g: (order.index(g[0][0]), g[0][1])):
        paths = sorted({c.path for c in members})
        if len(paths) < 2:
            continue
        if len(paths) > SHARED_FROM:
            continue  # a company inbox, a family address, a common name: not one person written down many times
        for i, first in enumerate(paths):
            for second in paths[i + 1 :]:
                reasons.setdefault((first, second), f"{why}: {value}" if why != "same name" else why)
    for (first, second), why in sorted(reasons.items()):
        keep, other = first[:-3].rsplit("/", 1)[-1], second[:-3].rsplit("/", 1)[-1]
        problems.append(
            warning(
                second,
                None,
                f'likely the same person as {first} ({why}); merge them: mdfollow merge "{keep}" "{other}"',
            )
        )
    return problems
