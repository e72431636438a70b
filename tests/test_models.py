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
