"""Every rule, exclusion and ordering rule of DOMAIN.md, with an injected today."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdfollow.rules import build_agenda, next_action
from mdfollow.settings import Settings
from tests.helpers import contact, d, index_of

TODAY = date(2026, 11, 23)
S = Settings()


def item_for(files, today=TODAY, settings=S, milestones="", name="Jane Doe"):
    index = index_of(files, milestones, settings)
    person = next(c for c in index.contacts if c.name == name)
    return next_action(person, index, today, settings)


def agenda_of(files, today=TODAY, settings=S, milestones=""):
    return build_agenda(index_of(files, milestones, settings), today, settings)


# 1. thank ------------------------------------------------------------------


def test_thank_due_the_day_after_meeting():
    item = item_for(contact(met="2026-11-20", advice="Read the trade press"))
    assert (item.action, item.due) == ("thank", d("2026-11-21"))
    assert "highlight: “Read the trade press”" in item.reason


def test_thank_again_after_a_newer_meeting_but_not_for_the_same_one():
    assert item_for(contact(met="2026-11-20", thanked="2026-11-20")).action == "report-back"
    assert item_for(contact(met="2026-11-20", thanked="2026-11-19")).action == "thank"


def test_thank_without_advice_says_to_name_it():
    assert "add `advice:`" in item_for(contact(met="2026-11-20")).reason


# 2. reach-out ----------------------------------------------------------------


def test_reach_out_to_a_referral_two_days_after_added():
    files = contact("Ann Lee") | contact(referred_by='"[[Ann Lee]]"', added="2026-11-20")
    item = item_for(files)
    assert (item.action, item.due) == ("reach-out", d("2026-11-22"))
    assert "referred by Ann Lee" in item.reason


def test_reach_out_due_today_when_added_is_missing():
    assert item_for(contact("Ann Lee") | contact(referred_by='"[[Ann Lee]]"')).due == TODAY


def test_any_touch_ends_reach_out_including_a_mention():
    base = contact("Ann Lee") | contact(referred_by='"[[Ann Lee]]"', added="2026-11-20")
    mentioned = base | {"Daily/2026-11-21.md": "Wrote to [[Jane Doe]]\n"}
    assert item_for(mentioned) is None
    intention = base | {"Daily/2026-11-21.md": "- [ ] write to [[Jane Doe]]\n"}
    assert item_for(intention).action == "reach-out"
    future = base | {"Daily/2026-11-30.md": "Call [[Jane Doe]]\n"}
    assert item_for(future).action == "reach-out"  # a plan, not a touch


# 3. nudge and gone quiet --------------------------------------------------------


@pytest.mark.parametrize(
    "strikes, due, light",
    [(1, "2026-11-17", False), (2, "2026-11-24", True)],
)
def test_nudge_waits_7_then_14_days_and_the_last_try_is_light(strikes, due, light):
    item = item_for(contact(last_outreach="2026-11-10", strikes=strikes))
    assert (item.action, item.due, item.light_touch) == ("nudge", d(due), light)
    assert f"try {strikes + 1} of 3" in item.reason


def test_three_strikes_is_gone_quiet_with_no_item():
    files = contact(last_outreach="2026-10-01", strikes=3, cadence="monthly")
    assert item_for(files) is None
    agenda = agenda_of(files)
    assert agenda.items == ()
    [quiet] = agenda.gone_quiet
    assert (quiet.strikes, quiet.last_outreach) == (3, d("2026-10-01"))


def test_a_reply_after_the_last_outreach_ends_the_strikes():
    files = contact(last_outreach="2026-10-01", strikes=3, last_contact="2026-10-05")
    assert agenda_of(files).gone_quiet == ()
    assert item_for(contact(last_outreach="2026-11-10", strikes=1, last_contact="2026-11-12")) is None


def test_a_reply_on_the_same_day_is_not_after():
    files = contact(last_outreach="2026-10-01", strikes=3, last_contact="2026-10-01")
    assert len(agenda_of(files).gone_quiet) == 1


def test_a_mention_is_not_a_reply():
    files = contact(last_outreach="2026-11-10", strikes=1) | {"Daily/2026-11-15.md": "Saw [[Jane Doe]]\n"}
    assert item_for(files).action == "nudge"


def test_strike_limit_and_gaps_are_settings():
    settings = Settings(strike_limit=5, nudge_after_days=(3,))
    item = item_for(contact(last_outreach="2026-11-10", strikes=3), settings=settings)
    assert (item.due, item.light_touch) == (d("2026-11-13"), False)
    item = item_for(contact(last_outreach="2026-11-10", strikes=4), settings=settings)
    assert item.light_touch


# 4. tell-referrer ----------------------------------------------------------------


def referral(**referrer_keys):
    return contact("Ann Lee", **referrer_keys) | contact(
        referred_by='"[[Ann Lee]]"', met="2026-11-18", thanked="2026-11-19"
    )


def test_tell_referrer_three_days_after_the_meeting():
    item = item_for(referral(), name="Ann Lee")
    assert (item.action, item.due) == ("tell-referrer", d("2026-11-21"))
    assert "Jane Doe on 2026-11-18" in item.reason


def test_a_message_to_the_referrer_since_the_meeting_closes_the_loop():
    assert item_for(referral(last_outreach="2026-11-18"), name="Ann Lee") is None  # since includes the day
    assert item_for(referral(last_contact="2026-11-17"), name="Ann Lee").action == "tell-referrer"


def test_a_mention_of_the_referrer_counts_only_after_the_meeting_day():
    same_day = referral() | {"Daily/2026-11-18.md": "- [x] Met [[Jane Doe]] via [[Ann Lee]]\n"}
    assert item_for(same_day, name="Ann Lee").action == "tell-referrer"
    later = referral() | {"Daily/2026-11-20.md": "Told [[Ann Lee]] it went well\n"}
    assert item_for(later, name="Ann Lee") is None


# 5. report-back --------------------------------------------------------------------


def test_report_back_thirty_days_after_thanks():
    item = item_for(contact(thanked="2026-10-20", advice="Read the trade press", advice_outcome="I sound fluent now"))
    assert (item.action, item.due) == ("report-back", d("2026-11-19"))
    assert "I sound fluent now" in item.reason


def test_report_back_without_outcome_says_act_first():
    item = item_for(contact(thanked="2026-10-20", advice="Read the trade press"))
    assert "act on the advice first: “Read the trade press”" in item.reason


def test_report_back_done_unless_thanked_again():
    assert item_for(contact(thanked="2026-10-20", reported_back="2026-11-19")) is None
    assert item_for(contact(thanked="2026-10-20", reported_back="2026-10-19")).action == "report-back"


# 6. update -------------------------------------------------------------------------

NEWS = "- 2026-11-18 Second interview at Northwind (company: Northwind)\n"


def test_update_for_keep_informed_and_for_the_company():
    informed = item_for(contact(keep_informed="true", last_contact="2026-11-01"), milestones=NEWS)
    assert (informed.action, informed.due) == ("update", d("2026-11-20"))
    assert "Second interview at Northwind" in informed.reason
    same_company = item_for(contact(company="northwind", last_contact="2026-11-01"), milestones=NEWS)
    assert same_company.action == "update"
    other = item_for(contact(company="Acme", last_contact="2026-11-01"), milestones=NEWS)
    assert other is None


def test_update_not_after_a_touch_since_the_milestone():
    assert item_for(contact(keep_informed="true", last_outreach="2026-11-18"), milestones=NEWS) is None
    mention = contact(keep_informed="true") | {"Daily/2026-11-19.md": "Told [[Jane Doe]]\n"}
    assert item_for(mention, milestones=NEWS) is None


def test_future_milestones_and_those_before_the_contact_existed_are_ignored():
    assert item_for(contact(keep_informed="true"), today=d("2026-11-17"), milestones=NEWS) is None
    assert item_for(contact(keep_informed="true", added="2026-11-20"), milestones=NEWS) is None


# 7. scheduled and 8. check-in ----------------------------------------------------


def test_scheduled_on_the_promised_date_and_it_replaces_the_cadence():
    item = item_for(contact(next_follow_up="2026-11-25", cadence="weekly", last_contact="2026-11-01"))
    assert (item.action, item.due, item.also) == ("scheduled", d("2026-11-25"), ())


def test_check_in_after_the_latest_touch():
    item = item_for(contact(cadence="monthly", last_contact="2026-10-20"))
    assert (item.action, item.due) == ("check-in", d("2026-11-20"))
    mention = contact(cadence="monthly", last_contact="2026-10-20") | {"2026-11-01 Coffee.md": "with [[Jane Doe]]\n"}
    assert item_for(mention).due == d("2026-12-01")


def test_check_in_stretched_for_cool_contacts():
    item = item_for(contact(cadence="monthly", warmth="cool", last_contact="2026-09-30"))
    assert item.due == d("2026-11-30")
    assert item_for(contact(cadence="monthly", warmth="warm", last_contact="2026-09-30")).due == d("2026-10-30")


def test_check_in_with_no_touch_uses_added_or_today():
    assert item_for(contact(cadence="weekly", added="2026-11-20")).due == d("2026-11-27")
    assert item_for(contact(cadence="weekly")).due == TODAY
    assert item_for(contact(cadence="none", last_contact="2026-01-01")) is None


def test_dated_notes_by_key_folder_and_file_name():
    base = contact(cadence="weekly", last_contact="2026-01-01")
    for path, text in [
        ("Daily/2026-11-10.md", "[[Jane Doe]]"),
        ("Notes/Lunch.md", "---\ndate: 2026-11-10\n---\n[[Jane Doe]]"),
        ("Meetings/2026-11-10 Lunch.md", "[[Jane Doe]]"),
    ]:
        assert item_for(base | {path: text}).due == d("2026-11-17"), path
    undated = base | {"Notes/Plan 2026-11-10.md": "[[Jane Doe]]"}
    assert item_for(undated).due == d("2026-01-08")


def test_mentions_in_contact_notes_do_not_count():
    files = (
        contact(cadence="weekly", last_contact="2026-01-01")
        | contact("Ann Lee", met="2026-11-10")
        | {"People/Ann Lee.md": "---\ntype: contact\ndate: 2026-11-10\n---\nKnows [[Jane Doe]]\n"}
    )
    assert item_for(files).due == d("2026-01-08")


# choosing, excluding, ordering ----------------------------------------------------


def test_one_item_per_contact_the_earliest_with_the_rest_as_also():
    item = item_for(contact(met="2026-11-20", thanked="2026-11-01", cadence="weekly"))
    assert (item.action, item.due) == ("thank", d("2026-11-21"))
    assert item.also == ("check-in", "report-back")  # due 11-27, then 12-01


def test_same_day_goes_to_the_rule_higher_in_the_table():
    # thank due 11-21 (met 11-20); check-in due 11-21 (last touch 11-20 + 1 day cadence)
    item = item_for(contact(met="2026-11-20", cadence="1d"))
    assert (item.action, item.also) == ("thank", ("check-in",))


@pytest.mark.parametrize("keys", [{"status": "paused"}, {"status": "closed"}, {"snooze_until": "2026-11-24"}])
def test_paused_closed_and_snoozed_get_nothing(keys):
    files = contact(met="2026-11-20", **keys)
    assert item_for(files) is None
    assert agenda_of(files).items == ()


def test_snooze_ends_on_its_date():
    assert item_for(contact(met="2026-11-20", snooze_until="2026-11-23")).action == "thank"


def test_snoozed_gone_quiet_is_not_listed():
    files = contact(last_outreach="2026-10-01", strikes=3, snooze_until="2026-12-01")
    assert agenda_of(files).gone_quiet == ()


def test_agenda_horizon_and_order():
    files = (
        contact("Zed", met="2026-11-20")  # 11-21 overdue
        | contact("Amy", met="2026-11-20")  # 11-21 overdue, before Zed by name
        | contact("Bob", next_follow_up="2026-11-23")  # today
        | contact("Cat", next_follow_up="2026-11-30")  # horizon edge, included
        | contact("Dan", next_follow_up="2026-12-01")  # beyond the horizon
    )
    agenda = agenda_of(files)
    assert [(i.contact.name, i.due.isoformat()) for i in agenda.items] == [
        ("Amy", "2026-11-21"),
        ("Zed", "2026-11-21"),
        ("Bob", "2026-11-23"),
        ("Cat", "2026-11-30"),
    ]
    assert [i.contact.name for i in agenda.overdue()] == ["Amy", "Zed"]
    assert [i.contact.name for i in agenda.due_today()] == ["Bob"]
    assert [i.contact.name for i in agenda.upcoming()] == ["Cat"]
    assert agenda.items[0].days_overdue(TODAY) == 2 and agenda.items[3].days_overdue(TODAY) == -7


def test_a_bad_key_never_hides_a_due_thank_you():
    files = contact(met="2026-11-20", warmth="hot", strikes="three", cadence="often")
    assert item_for(files).action == "thank"


_DAYS = st.dates(min_value=date(2026, 10, 1), max_value=date(2026, 12, 31))


@given(
    keys=st.fixed_dictionaries(
        {},
        optional={k: _DAYS for k in ("met", "last_contact", "last_outreach", "thanked", "reported_back")},
    ),
    mentioned=st.lists(_DAYS, max_size=4, unique=True),
)
@settings(max_examples=200, deadline=None)
def test_latest_touch_is_the_last_dated_touch_not_after_today(keys, mentioned):
    from mdfollow.rules import latest_touch

    files = contact(**keys) | {f"Daily/{day.isoformat()}.md": "Met [[Jane Doe]]\n" for day in mentioned}
    index = index_of(files)
    [jane] = index.contacts
    today = d("2026-11-23")
    touches = [day for day in [*keys.values(), *mentioned] if day <= today]
    assert latest_touch(jane, index, today) == (max(touches) if touches else None)
