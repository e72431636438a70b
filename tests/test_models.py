"""The models say what they hold: drafts see every key of every person they name."""


def test_a_draft_sees_the_referrers_and_the_referred_peoples_own_keys(run, make_vault):
    vault = make_vault(
        {
            "People/Elena.md": "---\ntype: contact\nrole: Head of Insights\nmet: 2026-11-01\nthanked: 2026-11-02\n---\n",
            "People/Grace.md": '---\ntype: contact\nrole: Recruiter\nreferred_by: "[[Elena]]"\nmet: 2026-11-10\n---\n',
            "People/Sam.md": '---\ntype: contact\nreferred_by: "[[Elena]]"\nadded: 2026-11-20\n---\n',
            "Templates/mdfollow/reach-out.md": "Via {{ referrer.name }}, {{ referrer.role }}.\n",
            "Templates/mdfollow/tell-referrer.md": "{% for p in item.referred %}{{ p.name }} ({{ p.role }}){% endfor %}\n",
        }
    )
    result = run("--vault", vault, "--today", "2026-11-23", "draft", "Sam", "--stdout")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Via Elena, Head of Insights.\n"
    result = run("--vault", vault, "--today", "2026-11-23", "draft", "Elena", "--kind", "tell-referrer", "--stdout")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Grace (Recruiter)"


def test_the_rules_fast_follow_up_is_the_dataclass():
    from dataclasses import replace
    from datetime import date

    from mdfollow.contact import Contact
    from mdfollow.milestones import Milestone
    from mdfollow.rules import FollowUp, follow_up, with_also

    ann, ben = Contact(path="Ann.md", name="Ann"), Contact(path="Ben.md", name="Ben")
    news = (Milestone(date(2026, 1, 2), "offer", "", 3),)
    cases = [
        ((ann, "thank", date(2026, 1, 1), "met"), {}),
        ((ann, "nudge", date(2026, 1, 1), "try 3"), {"light_touch": True, "attempt": 3, "undated": True}),
        ((ann, "tell-referrer", date(2026, 1, 1), "x", False, ("update",), (ben,), news, 0, False), {}),
    ]
    for args, kwargs in cases:
        fast, slow = follow_up(*args, **kwargs), FollowUp(*args, **kwargs)
        assert fast == slow and vars(fast) == vars(slow) and hash(fast) == hash(slow)
        assert vars(with_also(fast, ("check-in",))) == vars(replace(slow, also=("check-in",)))
