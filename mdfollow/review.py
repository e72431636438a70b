"""The weekly review: who is drifting, who you wait on, who waits on you, and how active you were.

Pure: the index, the agenda, the logged dates and today in; values, Markdown
and JSON out. Drift is measured against each person's own rhythm (the median
gap between the days you were in touch), not against a cadence, so people
without one are covered too.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from mdfollow.contact import Contact, fold
from mdfollow.events import EVENT_KINDS
from mdfollow.index import VaultIndex
from mdfollow.rules import Agenda, FollowUp, is_active, open_strikes
from mdfollow.settings import Settings

MARKER = "%% mdfollow review"
PIE_SLICES = 8
_MARKER_LINE = re.compile(r"^%% mdfollow review ([0-9a-f]{16})\b.*%%\s*$", re.MULTILINE)
# Log lines of events that move no date (a plain note, a name they gave you) record no exchange.
_NOT_TOUCHES = re.compile(
    "^(?:" + "|".join(re.escape(kind.label) for kind in EVENT_KINDS if not kind.moves) + r")(?![\w-])",
    re.IGNORECASE,
)


def is_touch_line(text: str) -> bool:
    """Whether a line of a contact's interactions log records a touch: any line but those of
    events that move no date, so lines written by hand count too."""
    return not _NOT_TOUCHES.match(text.strip())


@dataclass(frozen=True)
class Drift:
    usual_gap: float  # the median gap between consecutive touch days
    days_since: int


def drift(days: Iterable[date], today: date, min_days: int = 3, factor: int = 2, floor: int = 14) -> Drift | None:
    """Drifting: touches on at least `min_days` different days, and more days since the latest
    than `factor` times the usual gap and than `floor`. Days after today are plans: ignored."""
    seen = sorted({d for d in days if d <= today})
    if len(seen) < max(min_days, 2):
        return None
    gaps = [(b - a).days for a, b in itertools.pairwise(seen)]
    usual = statistics.median(gaps)
    since = (today - seen[-1]).days
    if since > factor * usual and since > floor:
        return Drift(float(usual), since)
    return None


def touch_days(contact: Contact, index: VaultIndex, today: date, logged: Sequence[date] = ()) -> list[date]:
    """Every day you were in touch, as the rules count touches (two-way dates, messages sent,
    dated mentions), plus the dated lines of the note's interactions log; sorted, none after today."""
    days = set(contact.two_way_dates() + contact.sent_dates())
    days.update(m.date for m in index.mentions_of(contact))
    days.update(logged)
    return sorted(d for d in days if d <= today)


@dataclass(frozen=True)
class Drifting:
    contact: Contact
    usual_gap: float
    days_since: int
    last_touch: date


@dataclass(frozen=True)
class Waiting:
    contact: Contact
    strikes: int
    days_since: int | None  # since last_outreach
    gone_quiet: bool


@dataclass(frozen=True)
class CompanyActivity:
    company: str
    contacts: int
    touches: int


@dataclass(frozen=True)
class Review:
    today: date
    weeks: tuple[tuple[date, int], ...]  # (Monday, touches), oldest first
    drifting: tuple[Drifting, ...]
    waiting_on_them: tuple[Waiting, ...]
    waiting_on_you: tuple[FollowUp, ...]
    never_followed_up: tuple[Contact, ...]
    companies: tuple[CompanyActivity, ...]
    referrals: tuple[tuple[Contact, Contact], ...]  # (referrer, referred)


def build_review(
    index: VaultIndex, agenda: Agenda, today: date, settings: Settings, logged: Mapping[str, Sequence[date]]
) -> Review:
    """The review of the vault on `today`; `logged` holds each contact's logged touch days by note path."""
    first_monday = today - timedelta(days=today.weekday()) - timedelta(weeks=max(settings.review_weeks, 1) - 1)
    weeks = {first_monday + timedelta(weeks=n): 0 for n in range(max(settings.review_weeks, 1))}
    drifting: list[Drifting] = []
    waiting: list[Waiting] = []
    never: list[Contact] = []
    by_company: dict[str, tuple[str, int, int]] = {}
    for contact in index.contacts:
        days = touch_days(contact, index, today, logged.get(contact.path, ()))
        recent = [d for d in days if d >= first_monday]
        for day in recent:
            weeks[day - timedelta(days=day.weekday())] += 1
        if contact.company.strip():
            key = fold(contact.company)
            name, people, touches = by_company.get(key, (contact.company.strip(), 0, 0))
            by_company[key] = (name, people + 1, touches + len(recent))
        if not is_active(contact, today):
            continue
        found = drift(days, today, settings.drift_min_touch_days, settings.drift_factor, settings.drift_min_days_since)
        if found is not None:
            drifting.append(Drifting(contact, found.usual_gap, found.days_since, days[-1]))
        strikes = open_strikes(contact)
        if strikes >= 1:
            since = (today - contact.last_outreach).days if contact.last_outreach else None
            waiting.append(Waiting(contact, strikes, since, strikes >= settings.strike_limit))
        added_long_ago = contact.added is None or (today - contact.added).days > settings.never_followed_up_days
        if not days and contact.cadence is None and added_long_ago:
            never.append(contact)

    def by_name(contact: Contact) -> tuple[str, str]:
        return fold(contact.name), contact.path

    drifting.sort(key=lambda d: (-d.days_since, *by_name(d.contact)))
    waiting.sort(key=lambda w: (w.days_since is None, -(w.days_since or 0), *by_name(w.contact)))
    never.sort(key=by_name)
    companies = sorted(
        (CompanyActivity(name, people, touches) for name, people, touches in by_company.values()),
        key=lambda c: (-c.touches, fold(c.company), c.company),
    )
    referrals = []
    for contact in index.contacts:
        for referrer in index.referrers_of(contact):  # `referred_by` may name several people
            if referrer is not contact:
                referrals.append((referrer, contact))
    referrals.sort(key=lambda pair: (by_name(pair[0]), by_name(pair[1])))
    return Review(
        today=today,
        weeks=tuple(sorted(weeks.items())),
        drifting=tuple(drifting),
        waiting_on_them=tuple(waiting),
        waiting_on_you=tuple(agenda.overdue()),
        never_followed_up=tuple(never),
        companies=tuple(companies),
        referrals=tuple(referrals),
    )


# --- JSON -----------------------------------------------------------------------------


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def review_json(review: Review, agenda: Agenda) -> dict[str, Any]:
    from mdfollow.render import item_json

    def who(contact: Contact) -> dict[str, Any]:
        return {"contact": contact.name, "note": contact.path}

    return {
        "today": review.today.isoformat(),
        "weeks": [{"week": monday.isoformat(), "touches": count} for monday, count in review.weeks],
        "drifting": [
            who(d.contact) | {"usual_gap_days": _number(d.usual_gap), "days_since": d.days_since}
            for d in review.drifting
        ],
        "waiting_on_them": [
            who(w.contact) | {"strikes": w.strikes, "days_since": w.days_since} for w in review.waiting_on_them
        ],
        "waiting_on_you": [item_json(item, agenda) for item in review.waiting_on_you],
        "never_followed_up": [who(c) for c in review.never_followed_up],
        "companies": [{"company": c.company, "contacts": c.contacts, "touches": c.touches} for c in review.companies],
        "referrals": [{"from": a.path, "to": b.path} for a, b in review.referrals],
    }


# --- Markdown -------------------------------------------------------------------------


def _days(n: int) -> str:
    return f"{n} day" + ("" if n == 1 else "s")


def _gap(value: float) -> str:
    return _days(int(value)) if float(value).is_integer() else f"{value:g} days"


def _mermaid_text(text: str) -> str:
    """A label inside double quotes: Mermaid has its own entity for a quote."""
    return " ".join(text.split()).replace('"', "#quot;")


def _referral_graph(review: Review, index: VaultIndex) -> list[str]:
    if not review.referrals:
        return ["No one in the vault was referred by another contact (`referred_by`).", ""]
    ids: dict[str, str] = {}
    lines = ["```mermaid", "flowchart LR"]
    for person in sorted({c.path: c for pair in review.referrals for c in pair}.values(), key=lambda c: c.path):
        ids[person.path] = f"p{len(ids)}"
        # The label is the link target, so that Obsidian's internal-link class opens the note.
        lines.append(f'  {ids[person.path]}["{_mermaid_text(index.link_target(person))}"]')
    for referrer, referred in review.referrals:
        lines.append(f"  {ids[referrer.path]} --> {ids[referred.path]}")
    lines.append(f"  class {','.join(ids.values())} internal-link")
    lines += ["```", ""]
    return lines


def _week_chart(review: Review) -> list[str]:
    labels = ", ".join(f'"{monday.strftime("%d %b")}"' for monday, _ in review.weeks)
    counts = [count for _, count in review.weeks]
    return [
        "```mermaid",
        "xychart-beta",
        '  title "Touches per week"',
        f"  x-axis [{labels}]",
        f'  y-axis "Touches" 0 --> {max([*counts, 1])}',
        f"  bar [{', '.join(str(c) for c in counts)}]",
        "```",
        "",
    ]


def _table_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_review(review: Review, index: VaultIndex, settings: Settings) -> str:
    today = review.today
    weeks = len(review.weeks)
    total = sum(count for _, count in review.weeks)
    lines = [
        f"# Weekly review, {today.strftime('%A')} {today.day} {today.strftime('%B %Y')}",
        "",
        f"{total} {'touch' if total == 1 else 'touches'} in the last {weeks} weeks; {len(review.drifting)} drifting, "
        f"{len(review.waiting_on_them)} waiting on them, {len(review.waiting_on_you)} waiting on you, "
        f"{len(review.never_followed_up)} never followed up.",
        "",
        "## Drifting",
        "",
        f"In touch on {settings.drift_min_touch_days} or more days, and now more than {settings.drift_factor} "
        f"times their usual gap (and over {settings.drift_min_days_since} days) since the last touch.",
        "",
    ]
    for d in review.drifting:
        lines.append(
            f"- {index.link_for(d.contact)}: {_days(d.days_since)} since {d.last_touch.isoformat()}; "
            f"usually every {_gap(d.usual_gap)}"
        )
    if not review.drifting:
        lines.append("No one is drifting.")
    lines += ["", "## Waiting on them", ""]
    for w in review.waiting_on_them:
        since = f", {_days(w.days_since)} since your last message" if w.days_since is not None else ""
        state = "gone quiet, " if w.gone_quiet else ""
        lines.append(f"- {index.link_for(w.contact)}: {state}{w.strikes} unanswered{since}")
    if not review.waiting_on_them:
        lines.append("No one: every message you sent has had its answer.")
    lines += ["", "## Waiting on you", ""]
    for item in review.waiting_on_you:
        lines.append(
            f"- {index.link_for(item.contact)}: {item.action}, due {item.due.isoformat()} "
            f"({_days(item.days_overdue(today))} overdue)"
        )
    if not review.waiting_on_you:
        lines.append("Nothing is overdue.")
    lines += ["", "## Never followed up", ""]
    for contact in review.never_followed_up:
        added = f" (added {contact.added.isoformat()})" if contact.added else ""
        lines.append(f"- {index.link_for(contact)}{added}")
    if not review.never_followed_up:
        lines.append("No one: everyone has a touch or a cadence.")
    lines += ["", "## Referrals", "", *_referral_graph(review, index)]
    lines += ["## Activity", "", f"### Touches per week (last {weeks} weeks)", ""]
    if settings.review_xychart:
        lines += _week_chart(review)
    peak = max([count for _, count in review.weeks] + [1])
    lines += ["| Week of | Touches | |", "|---|--:|---|"]
    for monday, count in review.weeks:
        bar = "█" * round(10 * count / peak) if count else ""
        lines.append(f"| {monday.isoformat()} | {count} | {bar} |")
    lines += ["", "### Per company", ""]
    touched = [c for c in review.companies if c.touches]
    if touched:
        lines += ["```mermaid", f"pie title Touches per company, last {weeks} weeks"]
        slices = [(c.company, c.touches) for c in touched[:PIE_SLICES]]
        rest = touched[PIE_SLICES:]
        if rest:  # a pie of a hundred slivers says nothing; the table below has them all
            slices.append((f"{len(rest)} other companies", sum(c.touches for c in rest)))
        lines += [f'  "{_mermaid_text(name)}" : {count}' for name, count in slices]
        lines += ["```", ""]
    if review.companies:
        lines += ["| Company | People | Touches |", "|---|--:|--:|"]
        lines += [f"| {_table_cell(c.company)} | {c.contacts} | {c.touches} |" for c in review.companies]
    else:
        lines.append("No contact has a `company`.")
    body = "\n".join(lines) + "\n"
    return body + f"\n{MARKER} {signature(body)}: mdfollow review rewrites this file; keep your notes elsewhere. %%\n"


def signature(body: str) -> str:
    return hashlib.blake2b(body.encode(), digest_size=8).hexdigest()


def review_state(text: str) -> str:
    """'ours' (as mdfollow wrote it), 'edited' (changed by hand) or 'foreign' (not written by mdfollow)."""
    text = text.replace("\r\n", "\n")
    markers = list(_MARKER_LINE.finditer(text))
    if not markers:
        return "foreign"
    m = markers[-1]
    body = text[: m.start()]
    body = body[:-1] if body.endswith("\n\n") else body
    return "ours" if signature(body) == m.group(1) else "edited"
