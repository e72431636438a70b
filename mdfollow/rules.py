"""The follow-up rules: who needs what, and when.

Pure: every function takes `today`; nothing here reads a clock or a file.
Each contact gets at most one item, the rule due first (ties go to the rule
higher in the table); the others that apply are listed as `also`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from mdfollow.actions import RANK
from mdfollow.contact import Contact, fold
from mdfollow.diagnostics import Diagnostic
from mdfollow.index import VaultIndex
from mdfollow.milestones import Milestone, same_company
from mdfollow.settings import Settings


@dataclass(frozen=True)
class FollowUp:
    """One thing to do for one contact."""

    contact: Contact
    action: str
    due: date
    reason: str
    light_touch: bool = False
    also: tuple[str, ...] = ()
    # What a draft needs beyond the contact: referred people met, milestones, try number.
    referred: tuple[Contact, ...] = field(default=(), compare=False)
    milestones: tuple[Milestone, ...] = field(default=(), compare=False)
    attempt: int = 0
    # Items due "today" for want of a date keep one identity from day to day.
    undated: bool = False

    def days_overdue(self, today: date) -> int:
        return (today - self.due).days


def follow_up(
    contact: Contact,
    action: str,
    due: date,
    reason: str,
    light_touch: bool = False,
    also: tuple[str, ...] = (),
    referred: tuple[Contact, ...] = (),
    milestones: tuple[Milestone, ...] = (),
    attempt: int = 0,
    undated: bool = False,
) -> FollowUp:
    """`FollowUp(...)` for the rules, which make one for most of 100k contacts: one
    __dict__ update instead of the frozen dataclass's ten object.__setattr__ calls
    (a quarter of `build_agenda`'s time on a 10k-note vault). Equal to the
    constructor; tests/test_models.py holds it so."""
    item = object.__new__(FollowUp)
    item.__dict__.update(
        contact=contact,
        action=action,
        due=due,
        reason=reason,
        light_touch=light_touch,
        also=also,
        referred=referred,
        milestones=milestones,
        attempt=attempt,
        undated=undated,
    )
    return item


def with_also(item: FollowUp, also: tuple[str, ...]) -> FollowUp:
    """`dataclasses.replace(item, also=also)`, the same way and for the same reason as `follow_up`."""
    new = object.__new__(FollowUp)
    new.__dict__.update({k: v for k, v in item.__dict__.items() if k[0] != "_"}, also=also)  # no cached lines
    return new


@dataclass(frozen=True)
class GoneQuiet:
    contact: Contact
    strikes: int
    last_outreach: date | None


@dataclass(frozen=True)
class BirthdayItem:
    """A birthday within the horizon: a line of its own, never a follow-up item."""

    contact: Contact
    date: date  # this occurrence (28 February for 29 February in other years)

    @property
    def age(self) -> int | None:
        return self.contact.birthday.age_on(self.date) if self.contact.birthday else None


@dataclass(frozen=True)
class Agenda:
    today: date
    horizon: int
    items: tuple[FollowUp, ...]
    gone_quiet: tuple[GoneQuiet, ...]
    problems: tuple[Diagnostic, ...]
    birthdays: tuple[BirthdayItem, ...] = ()
    # Note path -> the first unanswered try of each contact gone quiet, when known without
    # reading their logs again (the index store keeps it); None: read them (refresh.quiet_since).
    since: Mapping[str, date] | None = field(default=None, compare=False)

    def overdue(self) -> list[FollowUp]:
        return [i for i in self.items if i.due < self.today]

    def due_today(self) -> list[FollowUp]:
        return [i for i in self.items if i.due == self.today]

    def upcoming(self) -> list[FollowUp]:
        return [i for i in self.items if i.due > self.today]


def is_active(contact: Contact, today: date) -> bool:
    if contact.status in ("paused", "closed"):
        return False
    return not (contact.snooze_until is not None and today < contact.snooze_until)


def latest_touch(contact: Contact, index: VaultIndex, today: date) -> date | None:
    latest = None
    for day in (contact.met, contact.last_contact, contact.last_outreach, contact.thanked, contact.reported_back):
        if day is not None and day <= today and (latest is None or day > latest):
            latest = day
    for mention in reversed(index.mentions_of(contact)):  # sorted by date: the last one not after today
        if mention.date <= today:
            if latest is None or mention.date > latest:
                latest = mention.date
            break
    return latest


def _replied_since_outreach(contact: Contact) -> bool:
    if contact.last_outreach is None:
        return False
    return any(d > contact.last_outreach for d in contact.two_way_dates())


def open_strikes(contact: Contact) -> int:
    """Unanswered messages still counting: a reply after the last outreach ends the run."""
    if contact.strikes <= 0 or _replied_since_outreach(contact):
        return 0
    return contact.strikes


def candidates(contact: Contact, index: VaultIndex, today: date, settings: Settings) -> list[FollowUp]:
    """Every rule that applies to the contact, unordered."""
    found: list[FollowUp] = []
    touch = latest_touch(contact, index, today)

    # 1. thank
    if contact.met is not None and (contact.thanked is None or contact.thanked < contact.met):
        reason = f"met {contact.met.isoformat()}; " + (
            f"highlight: “{contact.advice[0]}”"
            if contact.advice
            else "name the one piece of advice you value (add `advice:`)"
        )
        found.append(follow_up(contact, "thank", contact.met + timedelta(days=settings.thank_after_days), reason))

    # 2. reach-out
    if contact.referred_by and touch is None and not contact.two_way_dates() and not contact.sent_dates():
        referrers = []
        for target in contact.referred_by:
            referrer = index.resolve(target, contact.path)
            referrers.append(referrer.name if referrer else target)
        who = " and ".join(dict.fromkeys(referrers))
        due = contact.added + timedelta(days=settings.reach_out_after_days) if contact.added else today
        found.append(
            follow_up(contact, "reach-out", due, f"referred by {who}; not contacted yet", undated=contact.added is None)
        )

    # 3. nudge
    strikes = open_strikes(contact)
    limit = settings.strike_limit
    if 1 <= strikes < limit:
        gaps = settings.nudge_after_days or (7,)
        gap = gaps[min(strikes - 1, len(gaps) - 1)]
        light = strikes == limit - 1
        attempt = strikes + 1
        if contact.last_outreach is not None:
            due = contact.last_outreach + timedelta(days=gap)
            since = f"no reply since {contact.last_outreach.isoformat()}"
        else:
            due = today
            since = "no reply (last_outreach is not set)"
        reason = f"try {attempt} of {limit}, {since}"
        if light:
            reason += "; last try: keep it light and leave the door open"
        found.append(
            follow_up(
                contact, "nudge", due, reason, light_touch=light, attempt=attempt, undated=contact.last_outreach is None
            )
        )

    # 4. tell-referrer
    referred_met = _pending_referrals(contact, index, today)
    if referred_met:
        first = min(c.met for c in referred_met if c.met)
        names = ", ".join(f"{c.name} on {c.met.isoformat()}" for c in referred_met if c.met)
        found.append(
            follow_up(
                contact,
                "tell-referrer",
                first + timedelta(days=settings.tell_referrer_after_days),
                f"you met {names} through them",
                referred=tuple(referred_met),
            )
        )

    # 5. report-back
    if contact.thanked is not None and (contact.reported_back is None or contact.reported_back < contact.thanked):
        advice = f"“{contact.advice[0]}”" if contact.advice else "their advice (add `advice:`)"
        if contact.advice_outcome:
            reason = f"thanked {contact.thanked.isoformat()}; say what acting on {advice} did: {contact.advice_outcome}"
        else:
            reason = f"thanked {contact.thanked.isoformat()}; act on the advice first: {advice}"
        found.append(
            follow_up(contact, "report-back", contact.thanked + timedelta(days=settings.report_back_after_days), reason)
        )

    # 6. update
    news = _pending_milestones(contact, index, today)
    if news:
        latest = news[-1]
        reason = f"tell them: {latest.text} ({latest.date.isoformat()})"
        if len(news) > 1:
            reason += f" and {len(news) - 1} more"
        found.append(
            follow_up(
                contact,
                "update",
                news[0].date + timedelta(days=settings.update_after_days),
                reason,
                milestones=tuple(news),
            )
        )

    # 7. scheduled
    if contact.next_follow_up is not None:
        found.append(
            follow_up(
                contact,
                "scheduled",
                contact.next_follow_up,
                f"you promised to follow up on {contact.next_follow_up.isoformat()}",
            )
        )

    # 8. check-in
    if contact.cadence is not None and contact.next_follow_up is None:
        stretch = settings.cool_stretch if contact.warmth == "cool" else 1
        every = contact.cadence.span(stretch)
        if stretch > 1:
            every += f" ({contact.cadence.text}, stretched for a cool contact)"
        if touch is not None:
            due, since = contact.cadence.after(touch, stretch), f"last touch {touch.isoformat()}"
        elif contact.added is not None:
            due, since = (
                contact.cadence.after(contact.added, stretch),
                f"added {contact.added.isoformat()}, no touch yet",
            )
        else:
            due, since = today, "no touch yet"
        undated = touch is None and contact.added is None
        found.append(follow_up(contact, "check-in", due, f"every {every}; {since}", undated=undated))
    return found


def _pending_referrals(referrer: Contact, index: VaultIndex, today: date) -> list[Contact]:
    """People this contact referred whom you met, with no word to the referrer since."""
    referred = index.referrals(referrer)
    if not referred:
        return []
    logged = referrer.two_way_dates() + referrer.sent_dates()
    mentioned = [m.date for m in index.mentions_of(referrer) if m.date <= today]
    pending = []
    for person in referred:
        meeting = person.met
        if meeting is None or meeting > today:
            continue
        if any(d >= meeting for d in logged) or any(d > meeting for d in mentioned):
            continue
        pending.append(person)
    return sorted(pending, key=lambda c: (c.met, fold(c.name)))


def concerns(contact: Contact, milestone: Milestone) -> bool:
    """Whether they want to hear of it: `keep_informed`, or the milestone is about their company."""
    return contact.keep_informed or bool(
        contact.company and milestone.company and same_company(contact.company, milestone.company)
    )


def to_be_told(milestone: Milestone, index: VaultIndex, today: date) -> list[Contact]:
    """The active contacts a new milestone concerns (each will get an `update` item), by name."""
    found = [c for c in index.contacts if is_active(c, today) and concerns(c, milestone)]
    return sorted(found, key=lambda c: (fold(c.name), c.path))


def _pending_milestones(contact: Contact, index: VaultIndex, today: date) -> list[Milestone]:
    """Milestones that concern the contact and that they have not heard of since."""
    if not index.milestones:
        return []
    known = [d for d in (contact.added, contact.met) if d is not None]
    start = min(known) if known else None
    touches = contact.two_way_dates() + contact.sent_dates() + [m.date for m in index.mentions_of(contact)]
    touches = [d for d in touches if d <= today]
    pending = []
    for milestone in index.milestones:
        if milestone.date > today or (start is not None and milestone.date < start):
            continue
        if concerns(contact, milestone) and not any(d >= milestone.date for d in touches):
            pending.append(milestone)
    return pending


def next_action(contact: Contact, index: VaultIndex, today: date, settings: Settings) -> FollowUp | None:
    """The one item for the contact (None when inactive or nothing applies)."""
    if not is_active(contact, today):
        return None
    if open_strikes(contact) >= settings.strike_limit:
        return None
    found = sorted(candidates(contact, index, today, settings), key=lambda f: (f.due, RANK[f.action]))
    if not found:
        return None
    first = found[0]
    if len(found) == 1:
        return first
    return with_also(first, tuple(f.action for f in found[1:]))


def gone_quiet(contact: Contact, today: date, settings: Settings) -> GoneQuiet | None:
    if not is_active(contact, today):
        return None
    strikes = open_strikes(contact)
    if strikes >= settings.strike_limit:
        return GoneQuiet(contact, strikes, contact.last_outreach)
    return None


def contact_state(contact: Contact, today: date, settings: Settings) -> str:
    """'active', 'paused', 'closed', 'snoozed' or 'gone quiet', for listings."""
    if contact.status != "active":
        return contact.status
    if not is_active(contact, today):
        return "snoozed"
    return "gone quiet" if gone_quiet(contact, today, settings) is not None else "active"


def sort_key(item: FollowUp) -> tuple[date, str, str, int]:
    key = item.__dict__.get("_sort_key")  # kept on the (immutable) item: watch sorts the same items save after save
    if key is None:
        key = item.__dict__["_sort_key"] = (item.due, fold(item.contact.name), item.contact.path, RANK[item.action])
    return key


Memo = dict[str, tuple[object, FollowUp | None, GoneQuiet | None]]


def _inputs(contact: Contact, index: VaultIndex, today: date, settings: Settings) -> object:
    """Everything a contact's result depends on besides the contact itself.

    Unchanged notes keep the very same Contact objects between rebuilds, so
    identity stands for them; a re-read note is a new object and misses.
    """
    return (
        today,
        id(settings),
        index.mentions_of(contact),
        tuple(id(c) for c in index.referrals(contact)),
        tuple(id(c) for c in index.referrers_of(contact)),
        index.milestones,
    )


def upcoming_birthdays(contacts: tuple[Contact, ...], today: date, last_day: date) -> list[BirthdayItem]:
    """Birthdays from today to `last_day`, by date then name; closed contacts have none."""
    found = []
    for contact in contacts:
        if contact.birthday is None or contact.status == "closed":
            continue
        when = contact.birthday.next_on_or_after(today)
        if today <= when <= last_day:
            found.append(BirthdayItem(contact, when))
    found.sort(key=lambda b: (b.date, fold(b.contact.name), b.contact.path))
    return found


def build_agenda(index: VaultIndex, today: date, settings: Settings, memo: Memo | None = None) -> Agenda:
    """What is overdue, due today and due within the horizon, in agenda order.

    With a `memo` (kept by `watch` between rebuilds), a contact whose note and
    inputs did not change reuses its last result.
    """
    stored = index.agenda_for(today, settings)
    if stored is not None:  # the index store put it together from each contact's stored result
        return stored
    last_day = today + timedelta(days=settings.horizon_days)
    items: list[FollowUp] = []
    quiet: list[GoneQuiet] = []
    for contact in index.contacts:
        if memo is not None:
            inputs = (contact, _inputs(contact, index, today, settings))
            hit = memo.get(contact.path)
            if hit is not None and hit[0][0] is contact and hit[0][1] == inputs[1]:  # type: ignore[index]
                item, silent = hit[1], hit[2]
            else:
                item = next_action(contact, index, today, settings)
                silent = gone_quiet(contact, today, settings)
                memo[contact.path] = (inputs, item, silent)
        elif not is_active(contact, today):
            continue
        else:
            item = next_action(contact, index, today, settings)
            silent = gone_quiet(contact, today, settings)
        if item is not None and item.due <= last_day:
            items.append(item)
        if silent is not None:
            quiet.append(silent)
    items.sort(key=sort_key)
    quiet.sort(key=lambda q: (fold(q.contact.name), q.contact.path))
    birthdays = tuple(upcoming_birthdays(index.contacts, today, last_day))
    return Agenda(today, settings.horizon_days, tuple(items), tuple(quiet), index.problems, birthdays)
