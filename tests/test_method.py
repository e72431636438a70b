"""The method as users live it: news is not a try, promises, referrals."""

from __future__ import annotations

from mdfollow.note import parse_note
from tests.helpers import contact

TODAY = "2026-11-23"


def front(vault, name):
    return parse_note("x.md", (vault / "People" / f"{name}.md").read_bytes()).front


def agenda_json(run, vault, today=TODAY):
    import json

    result = run("--vault", vault, "--today", today, "agenda", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_informed_sets_last_outreach_and_adds_no_strike(run, make_vault):
    vault = make_vault(contact("Maria Lopez", strikes=1, last_outreach="2026-11-01", cadence="quarterly"))
    result = run("--vault", vault, "--today", TODAY, "log", "Maria Lopez", "informed", "--note", "got the offer")
    assert result.exit_code == 0, result.stderr
    got = front(vault, "Maria Lopez")
    assert got["last_outreach"] == TODAY and got["strikes"] == 1
    assert f"- {TODAY} informed: got the offer" in (vault / "People/Maria Lopez.md").read_text()


def test_news_never_makes_an_old_contact_go_quiet(run, make_vault):
    """Two routine check-ins ticked on a quarterly contact: no nudge, no gone quiet."""
    vault = make_vault(contact("Old Friend", cadence="quarterly", last_contact="2026-01-10"))
    for today in ("2026-04-10", "2026-07-10", "2026-10-10"):
        run("--vault", vault, "--today", today, "agenda")
        path = vault / "Agenda.md"
        text = path.read_text(encoding="utf-8")
        assert "Check in with [[Old Friend]]" in text, text
        path.write_text(text.replace("- [ ] Check in", "- [x] Check in"), encoding="utf-8")
        result = run("--vault", vault, "--today", today, "agenda")
        assert result.exit_code == 0, result.stderr
    data = agenda_json(run, vault, "2026-10-20")
    assert data["gone_quiet"] == [] and all(i["action"] != "nudge" for i in data["items"])
    assert "strikes" not in front(vault, "Old Friend")
    assert (vault / "People/Old Friend.md").read_text().count(" informed: check-in") == 3


def test_log_help_lists_every_event_from_the_one_table(run):
    from mdfollow.actions import ACTIONS
    from mdfollow.events import EVENT_KINDS, EVENTS

    TICK_EVENTS = {action.name: action.tick for action in ACTIONS}

    result = run("log", "--help")
    for kind in EVENT_KINDS:
        assert f"  {kind.name} " in result.stdout
    assert set(TICK_EVENTS.values()) <= set(EVENTS)
    assert {TICK_EVENTS[a] for a in ("check-in", "update", "tell-referrer")} == {"informed"}


def test_log_next_sets_a_promise_that_the_agenda_shows(run, make_vault):
    vault = make_vault(contact("Ana Ruiz", last_contact="2026-11-01"))
    result = run("--vault", vault, "--today", TODAY, "log", "Ana Ruiz", "replied", "--next", "2027-01-15")
    assert result.exit_code == 0, result.stderr
    assert front(vault, "Ana Ruiz")["next_follow_up"] == "2027-01-15"
    data = agenda_json(run, vault, "2027-01-14")
    assert [(i["action"], i["due"]) for i in data["items"]] == [("scheduled", "2027-01-15")]


def test_log_next_in_the_past_is_a_usage_error(run, make_vault):
    vault = make_vault(contact("Ana Ruiz"))
    before = (vault / "People/Ana Ruiz.md").read_bytes()
    result = run("--vault", vault, "--today", TODAY, "log", "Ana Ruiz", "met", "--next", "2026-11-01")
    assert result.exit_code == 2 and "--next 2026-11-01" in result.stderr
    assert (vault / "People/Ana Ruiz.md").read_bytes() == before


def test_referred_to_an_existing_contact_sets_referred_by_byte_exactly(run, make_vault):
    grace = "---\r\ntype: contact  # keep me\r\ncompany: Acme\r\n---\r\n# Grace\r\n"
    vault = make_vault({**contact("Elena Petrova"), "People/Grace Liu.md": grace})
    result = run("--vault", vault, "--today", TODAY, "log", "Elena", "referred", "--to", "grace liu")
    assert result.exit_code == 0, result.stderr
    assert "set referred_by: [[Elena Petrova]]" in result.stderr
    after = (vault / "People/Grace Liu.md").read_bytes()
    assert after == grace.replace("company: Acme\r\n", 'company: Acme\r\nreferred_by: "[[Elena Petrova]]"\r\n').encode()
    data = agenda_json(run, vault)
    assert [(i["contact"], i["action"]) for i in data["items"]] == [("Grace Liu", "reach-out")]


def test_referred_to_a_contact_with_another_referrer_leaves_it(run, make_vault):
    vault = make_vault(
        {**contact("Elena Petrova"), **contact("Tom Reed"), **contact("Grace Liu", referred_by='"[[Tom Reed]]"')}
    )
    before = (vault / "People/Grace Liu.md").read_bytes()
    result = run("--vault", vault, "--today", TODAY, "log", "Elena Petrova", "referred", "--to", "Grace Liu")
    assert result.exit_code == 0, result.stderr
    assert "already referred by [[Tom Reed]]; left as it is" in result.stderr
    assert (vault / "People/Grace Liu.md").read_bytes() == before
    assert "referred me to [[Grace Liu]]" in (vault / "People/Elena Petrova.md").read_text()


def test_draft_greets_the_given_name_not_the_title(run, make_vault):
    vault = make_vault(
        {
            **contact("Dr. Priya Nair", met="2026-11-20"),
            **contact("Prof Robert Hale", met="2026-11-20", nickname="Bob"),
            **contact("Ms Jo Park", met="2026-11-20", first_name="Joanna", nickname="Jo"),
        }
    )
    for name, hello in [("Dr. Priya Nair", "Hi Priya,"), ("Robert", "Hi Bob,"), ("Jo Park", "Hi Joanna,")]:
        result = run("--vault", vault, "--today", TODAY, "draft", name, "--stdout")
        assert result.exit_code == 0, result.stderr
        assert hello in result.stdout, result.stdout


def test_a_unique_first_name_finds_the_contact_and_a_shared_one_lists_them(run, example_vault):
    result = run("--vault", example_vault, "--today", TODAY, "show", "Hannah")
    assert result.exit_code == 0, result.stderr
    assert "Hannah Schulz" in result.stdout
    vault = example_vault
    (vault / "People/Hannah Berg.md").write_text("---\ntype: contact\n---\n", encoding="utf-8")
    result = run("--vault", vault, "--today", TODAY, "show", "hannah")
    assert result.exit_code == 1 and "matches several contacts" in result.stderr
    assert "Hannah Berg" in result.stderr and "Hannah Schulz" in result.stderr


def test_near_misses_suggest_the_closest_names_first(run, example_vault):
    for typo in ("Hanah Schulz", "hanah", "Schulz Hannah"):
        result = run("--vault", example_vault, "show", typo)
        assert result.exit_code == 1
        assert "did you mean 'Hannah Schulz'" in result.stderr, (typo, result.stderr)


def test_same_company_ignores_case_accents_punctuation_legal_forms_and_trailing_words():
    from mdfollow.milestones import same_company

    for a, b in [
        ("Northwind", "Northwind Foods, Inc."),
        ("northwind foods", "NORTHWIND FOODS INC"),
        ("Nestlé S.A.", "nestle"),
        ("Müller GmbH", "Muller"),
        ("AT&T", "at and t inc"),
        ("Northwind Inc", "Northwind Foods LLC"),
    ]:
        assert same_company(a, b) and same_company(b, a), (a, b)
    for a, b in [("Acme", "Acmeco"), ("Foods", "Northwind Foods"), ("", "Inc"), ("Inc.", "LLC")]:
        assert not same_company(a, b), (a, b)


def test_milestone_tells_everyone_at_the_company_and_says_who(run, make_vault):
    vault = make_vault(
        {
            **contact("Ana Ruiz", company='"Northwind Foods, Inc."', last_contact="2026-11-01"),
            **contact("Bo Chen", company="northwind", last_contact="2026-11-01"),
            **contact("Cy Dorn", company="Northwinds Ltd", last_contact="2026-11-01"),
            **contact("Di Eck", keep_informed="true", last_contact="2026-11-01"),
            **contact("Ed Fry", company="Northwind", status="closed"),
        }
    )
    result = run("--vault", vault, "--today", TODAY, "milestone", "Offer from Northwind", "--company", "Northwind")
    assert result.exit_code == 0, result.stderr
    assert "will be told (3): Ana Ruiz, Bo Chen, Di Eck" in result.stderr
    data = agenda_json(run, vault, "2026-11-25")
    assert sorted(i["contact"] for i in data["items"] if i["action"] == "update") == ["Ana Ruiz", "Bo Chen", "Di Eck"]


def test_milestone_that_concerns_no_one_says_so(run, make_vault):
    vault = make_vault(contact("Ana Ruiz", company="Acme"))
    result = run("--vault", vault, "--today", TODAY, "milestone", "Offer", "--company", "Globex")
    assert result.exit_code == 0
    assert "no one will be told" in result.stderr and "'Globex'" in result.stderr


def test_an_unset_field_in_a_vault_template_is_a_listed_placeholder_not_none(run, make_vault):
    template = "Hi {{ contact.first_name }} ({{ contact.email }}, {{ contact.role }}, {{ me.email }})\n"
    template += "{% if contact.email %}HAS EMAIL{% endif %}{{ contact.phone }}\n"
    vault = make_vault(
        {
            **contact("Ana Ruiz", met="2026-11-20", role="", phone="555"),
            "Templates/mdfollow/thank.md": template,
        }
    )
    result = run("--vault", vault, "--today", TODAY, "draft", "Ana Ruiz", "--stdout")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Hi Ana ([email], [role], [your email])\n555\n"
    assert "None" not in result.stdout
    assert "fill in before sending: [email]; [role]; [your email]" in result.stderr


def test_a_misspelt_field_is_still_an_error_naming_file_and_line(run, make_vault):
    vault = make_vault(
        {**contact("Ana Ruiz", met="2026-11-20"), "Templates/mdfollow/thank.md": "Hi\n{{ contact.emial }}\n"}
    )
    result = run("--vault", vault, "--today", TODAY, "draft", "Ana Ruiz", "--stdout")
    assert result.exit_code == 1
    assert "Templates/mdfollow/thank.md:2:" in result.stderr and "emial" in result.stderr


def test_import_through_a_vault_template_keeps_every_imported_key_once(run, make_vault):
    from tests.test_import import SAMPLES

    bare = "---\ntype: person\n---\n# {{ contact.name }}\n"
    tagged = "---\ntype: contact\ntags: [person]\nemail: {{ contact.email | yaml }}\n---\n# {{ contact.name }}\n"
    for template in (bare, tagged):
        vault = make_vault({"Templates/mdfollow/contact.md": template}, root=None)
        result = run("--vault", vault, "--today", TODAY, "import", "google", SAMPLES / "google.csv")
        assert result.exit_code == 0, result.stderr
        raw = (vault / "People/Grace Liu.md").read_text(encoding="utf-8")
        got = parse_note("g.md", raw.encode()).front
        assert got["email"] == "grace.liu@example.com" and got["role"] == "Recruiter", raw
        assert raw.count("tags:") == 1 and raw.count("email:") == 1, raw
        assert "work" in [t.lower() for t in got["tags"]], raw
        if template is tagged:
            assert got["tags"][0] == "person"
        assert run("--vault", vault, "check").exit_code == 0
        for path in (vault / "People").iterdir():
            path.unlink()


def test_set_changes_only_the_given_keys_and_clears_with_an_empty_value(run, make_vault):
    text = "\ufeff---\r\ntype: contact # mine\r\nwarmth: cool\r\nnext_follow_up: 2026-12-01\r\n---\r\nbody\r\n"
    vault = make_vault({**contact("Tom Reed"), "People/Nina Kovacs.md": text.encode("utf-8")})
    args = ("snooze_until=2026-12-15", "warmth=warm", "next_follow_up=", "referred_by=tom")
    result = run("--vault", vault, "--today", TODAY, "set", "Nina", *args)
    assert result.exit_code == 0, result.stderr
    after = (vault / "People/Nina Kovacs.md").read_bytes().decode("utf-8")
    assert after == (
        "\ufeff---\r\ntype: contact # mine\r\nwarmth: warm\r\n"
        'snooze_until: 2026-12-15\r\nreferred_by: "[[Tom Reed]]"\r\n---\r\nbody\r\n'
    )
    again = run("--vault", vault, "--today", TODAY, "set", "Nina", "warmth=warm")
    assert again.exit_code == 0 and "already so" in again.stderr


def test_set_checks_every_value_first_and_writes_nothing_on_error(run, make_vault):
    vault = make_vault(contact("Nina Kovacs", warmth="cool"))
    before = (vault / "People/Nina Kovacs.md").read_bytes()
    for bad, says in [
        (("status=paused", "warmth=scorching"), "warmth: 'scorching' is not one of warm, neutral, cool"),
        (("met=tomorrow",), "met:"),
        (("cadence=often",), "cadence:"),
        (("strikes=-1",), "strikes:"),
        (("keep_informed=maybe",), "keep_informed:"),
        (("status",), "is not KEY=VALUE"),
        (("bad key=1",), "is not a key name"),
        (("birthday=02-30",), "birthday: '02-30' is not a real date (February has 29 days); nothing was written"),
    ]:
        result = run("--vault", vault, "--today", TODAY, "set", "Nina Kovacs", *bad)
        assert result.exit_code == 2, (bad, result.stderr)
        assert "the key is ignored" not in result.stderr  # nothing is ignored: the edit is refused
        assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert (vault / "People/Nina Kovacs.md").read_bytes() == before


def test_set_commits_exactly_the_note(run, make_vault):
    import subprocess

    vault = make_vault(contact("Nina Kovacs"))
    git = ["git", "-C", str(vault), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "start"], check=True)
    result = run("--vault", vault, "--today", TODAY, "set", "Nina Kovacs", "status=closed", "--commit")
    assert result.exit_code == 0, result.stderr
    log = subprocess.run([*git, "log", "-1", "--name-only", "--format=%s"], capture_output=True, text=True).stdout
    assert log.split("\n")[0] == "set: status: closed on Nina Kovacs" and "People/Nina Kovacs.md" in log


def test_new_takes_email_role_tags_warmth_and_keep_informed(run, make_vault):
    vault = make_vault(contact("Tom Reed"))
    args = ("--email", "lena@example.com", "--role", "Head of Insights", "--tag", "cpg", "--tag", "#mentor")
    result = run("--vault", vault, "--today", TODAY, "new", "Lena Ortiz", *args, "--warmth", "warm", "--keep-informed")
    assert result.exit_code == 0, result.stderr
    got = front(vault, "Lena Ortiz")
    assert got["email"] == "lena@example.com" and got["role"] == "Head of Insights"
    assert got["tags"] == ["cpg", "mentor"] and got["warmth"] == "warm" and got["keep_informed"] is True
    assert run("--vault", vault, "check").exit_code == 0


def test_small_words_one_day_integer_and_no_stray_space(run, make_vault):
    from mdfollow.settings import parse_settings

    _, [problem] = parse_settings('horizon_days = "soon"\n', ".mdfollow.toml")
    assert "must be an integer (0 or more), not 'soon'" in problem.message
    vault = make_vault({**contact("Ana Ruiz", cadence="weekly", last_contact="2026-11-17"), ".mdfollow.toml": ""})
    (vault / ".mdfollow.toml").write_text("horizon_days = 1\n")
    result = run("--vault", vault, "--today", TODAY, "agenda", "--stdout")
    assert "next 1 day)" in result.stdout and "1 days" not in result.stdout
    result = run("--vault", vault, "--today", "2026-11-23", "show", "Ana Ruiz")
    assert "due in 1 day)" in result.stdout, result.stdout
    result = run("--vault", vault, "--today", TODAY, "draft", "Ana Ruiz", "--kind", "thank", "--force", "--stdout")
    assert "talking with me." in result.stdout and " ." not in result.stdout


def test_quiet_is_accepted_after_the_command_name(run, example_vault, tmp_path):
    from tests.test_import import SAMPLES

    for args in (("agenda",), ("import", "google", SAMPLES / "google.csv", "--dry-run")):
        loud = run("--vault", example_vault, "--today", TODAY, *args)
        quiet = run("--vault", example_vault, "--today", TODAY, "-q", *args)
        assert loud.stderr != quiet.stderr
        (example_vault / "Agenda.md").unlink(missing_ok=True)
        for flag in ("-q", "--quiet"):
            result = run("--vault", example_vault, "--today", TODAY, *args, flag)
            assert result.exit_code == 0 and result.stderr == quiet.stderr, (args, result.stderr)
            (example_vault / "Agenda.md").unlink(missing_ok=True)


def test_draft_says_when_it_wrote_a_numbered_file(run, example_vault):
    first = run("--vault", example_vault, "--today", TODAY, "draft", "Priya Raman")
    assert first.exit_code == 0 and "already exists" not in first.stderr
    second = run("--vault", example_vault, "--today", TODAY, "draft", "Priya Raman")
    assert second.exit_code == 0
    assert second.stdout.strip() == "Drafts/2026-11-23 thank Priya Raman 2.md"
    assert "Drafts/2026-11-23 thank Priya Raman.md already exists" in second.stderr
    assert "wrote Drafts/2026-11-23 thank Priya Raman 2.md" in second.stderr


def test_show_and_history_tell_one_timeline(run, example_vault):
    import json

    for name in ("Priya Raman", "Hannah Schulz", "Daniel Okafor", "Elena Petrova"):
        shown = json.loads(run("--vault", example_vault, "--today", TODAY, "show", name, "--json").stdout)
        told = json.loads(run("--vault", example_vault, "--today", TODAY, "history", name, "--json").stdout)
        assert shown["history"] == told and told, name
        text = run("--vault", example_vault, "--today", TODAY, "show", name).stdout
        lines = run("--vault", example_vault, "--today", TODAY, "history", name).stdout.splitlines()[1:]
        assert text.rstrip("\n").endswith("\n".join(lines)), name
    told = json.loads(run("--vault", example_vault, "--today", TODAY, "history", "Daniel Okafor", "--json").stdout)
    assert [e["date"] for e in told] == sorted(e["date"] for e in told)
    assert {e["source"] for e in told} <= {"key", "log", "mention", "commit"}


# What Android's and old Nokia/Outlook exporters write: vCard 2.1, quoted-printable
# NOTE with soft line breaks (unindented), and a 3.0 NOTE with escaped newlines.
VCF = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Haddad;Yara;;Dr.;\r\nFN:Dr. Yara Haddad\r\n"
    "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Met at the caf=C3=A9 meetup. Runs =\r\n"
    "survey design at Lumen.=0D=0ASend her the =\r\ndeck.\r\n"
    "EMAIL;INTERNET:yara@example.org\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo Lind\r\nNOTE:First line\\nSecond line\\, with a comma\r\n"
    "X-BROKEN;;:x\r\nEND:VCARD\r\n"
)


def test_vcard_notes_keep_quoted_printable_continuations_and_escaped_newlines():
    from mdfollow.importing import parse_vcard

    people, problems = parse_vcard(VCF, "c.vcf")
    notes = {p.name: p.note for p in people}
    assert notes["Dr. Yara Haddad"] == "Met at the café meetup. Runs survey design at Lumen.\nSend her the deck."
    assert notes["Bo Lind"] == "First line\nSecond line, with a comma"
    assert [p.format() for p in problems] == ["c.vcf:14: warning: vCard line not understood, skipped: X-BROKEN;;:x"]


def test_vcard_import_prints_our_messages_not_vobject_log_lines(run, make_vault, tmp_path, capfd):
    vault = make_vault(contact("Tom Reed"))
    (tmp_path / "c.vcf").write_text(VCF, encoding="utf-8", newline="")
    result = run("--vault", vault, "--today", TODAY, "import", "vcard", tmp_path / "c.vcf")
    assert result.exit_code == 0, result.stderr
    assert "vobject" not in result.stderr and "vobject" not in capfd.readouterr().err
    assert "c.vcf:14: warning: vCard line not understood" in result.stderr
    body = (vault / "People/Bo Lind.md").read_text(encoding="utf-8")
    assert "First line\nSecond line, with a comma" in body


def test_gone_quiet_names_the_first_unanswered_try(run, make_vault):
    log = "\n## Interactions\n\n- 2026-09-01 met\n- 2026-09-05 sent: the ask\n- 2026-09-12 sent: nudge\n"
    log += "- 2026-09-20 informed: news, no strike\n- 2026-09-26 sent: last, light\n"
    note = contact("Sam Lee", met="2026-09-01", last_outreach="2026-09-26", strikes=3, thanked="2026-09-02")
    text = next(iter(note.values())) + log
    vault = make_vault({"People/Sam Lee.md": text, **contact("Ann Bell", last_outreach="2026-10-01", strikes=3)})
    result = run("--vault", vault, "--today", TODAY, "agenda", "--stdout")
    assert "[[Sam Lee]]: 3 messages unanswered since 2026-09-05" in result.stdout
    assert "[[Ann Bell]]: 3 messages unanswered, the last on 2026-10-01" in result.stdout  # no log to tell


def test_referred_to_a_name_several_contacts_share_writes_nothing(run, make_vault):
    vault = make_vault({**contact("Elena Petrova"), **contact("Grace Liu"), **contact("Grace Park")})
    before = {p.name: p.read_bytes() for p in (vault / "People").iterdir()}
    result = run("--vault", vault, "--today", TODAY, "log", "Elena Petrova", "referred", "--to", "Grace")
    assert result.exit_code == 1 and "matches several contacts" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in (vault / "People").iterdir()} == before
