"""The follow-up actions, one row each: everything about an action but its rule.

Pure, and cheap to import (the command line reads the names to build its
options). The order is the rank: when two rules fall due the same day, the
action higher in the table wins. Adding an action is a row here and its rule
in `rules.candidates`; the agenda, the calendar, ticks and `draft --kind`
read everything else from this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mdfollow.rules import FollowUp


@dataclass(frozen=True)
class Action:
    name: str
    verb: str  # what to do, with {link} for the contact: the agenda's and the calendar's words
    # The event a ticked item records in the contact's note (an `events.EVENTS` name):
    # an ask is `sent` (a strike); news needs no answer, so it is `informed` (none).
    tick: str
    tick_note: Callable[[FollowUp], str]  # the words of that log line


def _thank_note(item: FollowUp) -> str:
    return "thank-you" + (f", highlighted: {item.contact.advice[0]}" if item.contact.advice else "")


def _nudge_note(item: FollowUp) -> str:
    return f"nudge, try {item.attempt}" + (" (the last, light one)" if item.light_touch else "")


ACTIONS: tuple[Action, ...] = (
    Action("thank", "Thank {link}", "thanked", _thank_note),
    Action("reach-out", "Reach out to {link}", "sent", lambda item: "first message"),
    Action("nudge", "Nudge {link}", "sent", _nudge_note),
    Action(
        "tell-referrer",
        "Tell {link} how it went",
        "informed",
        lambda item: "told them how it went with " + ", ".join(c.name for c in item.referred),
    ),
    Action(
        "report-back",
        "Report back to {link}",
        "reported",
        lambda item: "reported back on the advice",
    ),
    Action(
        "update", "Update {link}", "informed", lambda item: "told them: " + "; ".join(m.text for m in item.milestones)
    ),
    Action("scheduled", "Follow up with {link} as promised", "sent", lambda item: "the promised follow-up"),
    Action("check-in", "Check in with {link}", "informed", lambda item: "check-in"),
)
# The last try of a run of nudges, said as such (the nudge's `light_touch`).
LIGHT_NUDGE_VERB = "Send a last, light nudge to {link}"

NAMES: tuple[str, ...] = tuple(action.name for action in ACTIONS)
BY_NAME: dict[str, Action] = {action.name: action for action in ACTIONS}
RANK: dict[str, int] = {action.name: rank for rank, action in enumerate(ACTIONS)}


def verb(item: FollowUp) -> str:
    """The action's words for this item, with {link} still to fill."""
    return LIGHT_NUDGE_VERB if item.action == "nudge" and item.light_touch else BY_NAME[item.action].verb


# Drafts for a date the contact keeps (their `birthday.md` template): no rule, never an agenda item.
OCCASIONS: tuple[str, ...] = ("birthday",)
