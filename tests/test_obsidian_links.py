"""Mentions are the links Obsidian follows, resolved the way Obsidian resolves them.

The link forms below are the ones Obsidian writes: wikilinks, and with
"Use [[Wikilinks]]" turned off, Markdown links with the path URL-encoded
(`Ben%20Carter.md`) or in angle brackets, relative to the note or from the
vault root; and links in properties (`attendees: ["[[Ben Carter]]"]`).
"""

import json

import pytest

from tests.helpers import contact, index_of

DATED = "Daily/2026-11-20.md"


def mentioned(files, who="People/Ben Carter.md"):
    index = index_of(files)
    found = next((c for c in index.contacts if c.path == who), None)
    assert found is not None, who
    return [(m.path, m.line) for m in index.mentions_of(found)]


@pytest.mark.parametrize(
    "source, body",
    [
        ("Daily/2026-11-20.md", "Coffee with [Ben](Ben%20Carter.md)."),
        ("Daily/2026-11-20.md", "Coffee with [Ben](<Ben Carter.md>)."),
        ("Daily/2026-11-20.md", "Coffee with [Ben](../People/Ben%20Carter.md)."),
        ("Daily/2026-11-20.md", "Coffee with [Ben](<../People/Ben Carter.md>)."),
        ("Daily/2026-11-20.md", "Coffee with [Ben](/People/Ben%20Carter.md)."),
        ("Daily/2026-11-20.md", "Coffee with [Ben](People/Ben%20Carter.md#Notes)."),
        ("Daily/2026-11-20.md", "Coffee with [Ben](Ben%20Carter)."),
        ("Daily/2026-11-20.md", "Coffee with [[People/Ben Carter.md|Ben]]."),
        ("Meetings/2026-11-20 Coffee.md", 'Coffee with [Ben](../People/Ben%20Carter.md "Ben").'),
    ],
)
def test_markdown_links_in_every_form_obsidian_writes_are_mentions(source, body):
    assert mentioned(contact("Ben Carter") | {source: body}) == [(source, 1)]


def test_links_in_properties_of_a_dated_note_are_mentions():
    meeting = '---\ndate: 2026-11-20\nattendees: ["[[Ben Carter]]"]\norganizer:\n  - "[[Ann Lee]]"\n---\nAgenda.\n'
    index = index_of(contact("Ben Carter") | contact("Ann Lee") | {"Meetings/Planning.md": meeting})
    by_path = {c.path: c for c in index.contacts}
    assert [(m.path, m.line) for m in index.mentions_of(by_path["People/Ben Carter.md"])] == [
        ("Meetings/Planning.md", 3)
    ]
    assert [m.line for m in index.mentions_of(by_path["People/Ann Lee.md"])] == [4]


def test_unquoted_property_link_counts_the_way_obsidian_shows_it():
    meeting = "---\ndate: 2026-11-20\nwith: [[Ben Carter]]\n---\n"
    assert mentioned(contact("Ben Carter") | {"Meetings/m.md": meeting}) == [("Meetings/m.md", 3)]


def test_a_path_link_goes_only_to_that_path_and_a_missing_note_touches_no_one():
    files = (
        contact("Sam Lee")
        | {"Projects/Sam Lee.md": "---\ntype: project\n---\n"}
        | {DATED: "[[Projects/Sam Lee]] and [[Archive/Sam Lee]] and [x](../Archive/Sam%20Lee.md)\n"}
    )
    assert mentioned(files, "People/Sam Lee.md") == []


def test_a_bare_name_goes_to_the_same_folder_then_the_shortest_path():
    files = {
        "Work/Alex Kim.md": "---\ntype: contact\n---\n",
        "Friends/Alex Kim.md": "---\ntype: contact\n---\n",
        "Work/2026-11-20 Standup.md": "With [[Alex Kim]].\n",
        "Friends/2026-11-21 Dinner.md": "With [[Alex Kim]].\n",
        "Daily/2026-11-22.md": "Saw [[Friends/Alex Kim]] and [[Work/Alex Kim|Alex]].\n",
    }
    index = index_of(files)
    assert sorted(c.path for c in index.contacts) == ["Friends/Alex Kim.md", "Work/Alex Kim.md"]
    by_path = {c.path: [m.path for m in index.mentions_of(c)] for c in index.contacts}
    assert by_path["Work/Alex Kim.md"] == ["Work/2026-11-20 Standup.md", "Daily/2026-11-22.md"]
    assert by_path["Friends/Alex Kim.md"] == ["Friends/2026-11-21 Dinner.md", "Daily/2026-11-22.md"]
    # A note of that name at the vault's root wins over both, from anywhere, as in Obsidian.
    near = index_of({"Alex Kim.md": "---\ntype: contact\n---\n", "Daily/2026-11-23.md": "[[Alex Kim]]\n"} | files)
    root = next(c for c in near.contacts if c.path == "Alex Kim.md")
    assert [m.path for m in near.mentions_of(root)] == [
        "Work/2026-11-20 Standup.md",
        "Friends/2026-11-21 Dinner.md",
        "Daily/2026-11-23.md",
    ]


def test_math_html_blocks_and_indented_code_hold_no_mentions():
    body = (
        "$$\n[[Ben Carter]]\n$$\n"
        "Inline $x = [[Ben Carter]]$ math.\n\n"
        "<div>\n[[Ben Carter]]\n</div>\n\n"
        "    [[Ben Carter]] in indented code\n\n"
        "<details>\n<summary>x</summary>\n[Ben](Ben%20Carter.md)\n</details>\n\n"
        "Costs $5 and $10 for [[Ben Carter]].\n"
    )
    assert mentioned(contact("Ben Carter") | {DATED: body}) == [(DATED, 17)]


def test_a_nested_list_item_is_not_indented_code():
    body = "- met people\n    - [x] coffee with [[Ben Carter]]\n"
    assert mentioned(contact("Ben Carter") | {DATED: body}) == [(DATED, 2)]


def test_web_addresses_and_embeds_are_not_mentions():
    body = "[site](https://example.org/Ben%20Carter.md) ![photo](Ben%20Carter.md) [[#Ben Carter]]\n"
    assert mentioned(contact("Ben Carter") | {DATED: body}) == []


def test_namesakes_are_both_contacts_and_commands_ask_for_the_path(run, make_vault):
    vault = make_vault(
        {
            "Work/Alex Kim.md": "---\ntype: contact\nmet: 2026-11-20\n---\n",
            "Friends/Alex Kim.md": "---\ntype: contact\ncadence: weekly\n---\n",
        }
    )
    data = json.loads(run("--vault", vault, "--today", "2026-11-23", "agenda", "--json").stdout)
    assert sorted(i["note"] for i in data["items"]) == ["Friends/Alex Kim.md", "Work/Alex Kim.md"]
    assert data["problems"] == []
    several = run("--vault", vault, "--today", "2026-11-23", "show", "Alex Kim")
    assert several.exit_code == 1
    assert "Work/Alex Kim.md" in several.stderr and "Friends/Alex Kim.md" in several.stderr
    assert "by its path" in several.stderr
    one = run("--vault", vault, "--today", "2026-11-23", "show", "Work/Alex Kim")
    assert one.exit_code == 0, one.stderr
    before = sorted(p.name for p in vault.rglob("*.md"))
    referred = run("--vault", vault, "--today", "2026-11-23", "log", "Work/Alex Kim", "referred", "--to", "alex kim")
    assert referred.exit_code == 1 and "by its path" in referred.stderr
    assert sorted(p.name for p in vault.rglob("*.md")) == before
    # The agenda links each one by its path, so Obsidian opens the right note.
    assert run("--vault", vault, "--today", "2026-11-23", "agenda").exit_code == 0
    text = (vault / "Agenda.md").read_text(encoding="utf-8")
    assert "[[Work/Alex Kim|Alex Kim]]" in text and "[[Friends/Alex Kim|Alex Kim]]" in text


def test_referred_by_typed_as_a_list_in_the_properties_panel(run, make_vault):
    # What Obsidian writes for a List property holding one link, and holding two.
    one = '---\ntype: contact\nreferred_by:\n  - "[[Elena Petrova]]"\nadded: 2026-11-20\n---\n'
    two = '---\ntype: contact\nreferred_by:\n  - "[[Elena Petrova]]"\n  - "[[Ann Lee]]"\nmet: 2026-11-18\n---\n'
    vault = make_vault(
        contact("Elena Petrova", cadence="yearly", last_contact="2026-11-01")
        | contact("Ann Lee", cadence="yearly", last_contact="2026-11-01")
        | {"People/Grace Liu.md": one, "People/Omar Haddad.md": two}
    )
    data = json.loads(run("--vault", vault, "--today", "2026-11-23", "agenda", "--json").stdout)
    assert data["problems"] == []
    items = {(i["contact"], i["action"]): i for i in data["items"]}
    assert items[("Grace Liu", "reach-out")]["reason"].startswith("referred by Elena Petrova;")
    # Omar was met: each of the two who referred him is told how it went.
    assert "Omar Haddad" in items[("Elena Petrova", "tell-referrer")]["reason"]
    assert "Omar Haddad" in items[("Ann Lee", "tell-referrer")]["reason"]


def test_several_referrers_are_all_named_until_contacted():
    from mdfollow.rules import next_action
    from mdfollow.settings import Settings
    from tests.helpers import d

    two = '---\ntype: contact\nreferred_by: ["[[Elena Petrova]]", "[[Ann Lee]]", "[[Nobody]]"]\n---\n'
    index = index_of(contact("Elena Petrova") | contact("Ann Lee") | {"People/Omar Haddad.md": two})
    omar = next(c for c in index.contacts if c.name == "Omar Haddad")
    assert [c.name for c in index.referrers_of(omar)] == ["Elena Petrova", "Ann Lee"]
    item = next_action(omar, index, d("2026-11-23"), Settings())
    assert item is not None and item.reason.startswith("referred by Elena Petrova and Ann Lee and Nobody;")
    assert [p.message for p in index.problems if p.path == "People/Omar Haddad.md"] == [
        "referred_by: [[Nobody]] is not a contact note; create it (mdfollow new) or fix the link"
    ]


def test_body_tags_count_for_list_tag(run, make_vault):
    body = (
        "---\ntype: contact\ntags: [alumni]\n---\n# Notes\n\nMet at the fair. #recruiter #work/talent\n\n"
        "```\n#incode\n```\nSee [[Other#Section]] and `#inline` and https://example.org/#frag, issue #12.\n"
    )
    vault = make_vault(contact("Ann Lee") | {"People/Jane Doe.md": body})

    def listed(*tags):
        args = [a for t in tags for a in ("--tag", t)]
        data = json.loads(run("--vault", vault, "--today", "2026-11-23", "list", *args, "--json").stdout)
        return [c["contact"] for c in data]

    assert listed("recruiter") == ["Jane Doe"]
    assert listed("#work") == ["Jane Doe"]  # nested tags are found by their parent, as in Obsidian
    assert listed("work/talent", "alumni") == ["Jane Doe"]
    assert listed("incode") == listed("inline") == listed("frag") == listed("Section") == listed("12") == []


def test_bare_name_tie_break_is_obsidians_root_then_own_folder_then_shortest_string():
    # As observed with app.metadataCache.getFirstLinkpathDest: an exact vault path wins even
    # over a note beside the linking one; then the linking note's folder; then the shortest path.
    def target(paths, source):
        index = index_of({p: "---\ntype: contact\n---\n" for p in paths} | {source: "[[Note]]\n"})
        return [c.path for c in index.contacts if index.mentions_of(c)]

    assert target(["Note.md", "b/Note.md"], "b/2026-11-20.md") == ["Note.md"]
    assert target(["a/Note.md", "b/Note.md"], "b/2026-11-20.md") == ["b/Note.md"]
    assert target(["a/b/Note.md", "zzzz/Note.md"], "c/2026-11-20.md") == ["a/b/Note.md"]
