from mdfollow.links import scan_links
from mdfollow.note import MAX_FRONT_MATTER, parse_note


def parse(text: str | bytes, path: str = "People/Jane.md"):
    return parse_note(path, text.encode() if isinstance(text, str) else text)


def messages(note):
    return [(d.line, d.severity, d.message) for d in note.diagnostics]


def test_plain_front_matter_and_body_position():
    note = parse("---\ntype: contact\nmet: 2026-11-10\n---\n# Jane\n")
    assert note.front == {"type": "contact", "met": "2026-11-10"}
    assert note.key_lines == {"type": 2, "met": 3}
    assert note.body == "# Jane\n"
    assert note.body_line == 5
    assert note.diagnostics == ()


def test_bom_crlf_and_cr_only_read_the_same():
    for raw in (
        b"\xef\xbb\xbf---\r\ntype: contact\r\n---\r\nbody\r\n",
        b"---\rtype: contact\r---\rbody\r",
        b"---\ntype: contact\n---\nbody\n",
    ):
        note = parse(raw)
        assert note.front == {"type": "contact"}, raw
        assert note.body.strip() == "body"


def test_yaml_1_1_surprises_stay_text():
    note = parse(
        "---\nanswer: no\nzip: 0123\ntime: 10:30\nbad: 2024-02-30\nwhen: 2024-01-02T10:00\nflag: yes\nok: true\n---\n"
    )
    assert note.front == {
        "answer": "no",
        "zip": 123,
        "time": "10:30",
        "bad": "2024-02-30",
        "when": "2024-01-02T10:00",
        "flag": "yes",
        "ok": True,
    }
    assert note.diagnostics == ()


def test_unquoted_wikilink_is_a_nested_list():
    assert parse("---\nreferred_by: [[Ann]]\n---\n").front == {"referred_by": [["Ann"]]}


def test_error_line_is_the_file_line_not_the_yaml_line():
    note = parse("---\ntype: contact\nrole: Head of Growth: EMEA\n---\n")
    assert not note.readable
    [(line, severity, message)] = messages(note)
    assert (line, severity) == (3, "error")
    assert 'role: "Head of Growth: EMEA"' in message
    assert note.diagnostics[0].column is not None


def test_unclosed_front_matter_is_reported():
    note = parse("---\ntype: contact\nmet: 2026-01-01\n\n# Jane\n")
    assert messages(note) == [
        (1, "error", "front matter opens with '---' but is never closed; add a '---' line after it")
    ]


def test_note_starting_with_a_horizontal_rule_is_not_an_error():
    for text in ("---\n\nJust some prose.\n\n---\nMore.\n", "---\n\n# Heading\n", "---\n"):
        note = parse(text, "Essay.md")
        assert note.diagnostics == (), text
        assert note.front == {}


def test_list_or_scalar_front_matter_warns_and_is_ignored():
    note = parse("---\n- a\n- b\n---\nbody\n")
    assert note.readable and note.front == {}
    assert messages(note) == [(2, "warning", "front matter is a list, not key: value pairs; it is ignored")]


def test_empty_front_matter_and_empty_file():
    assert parse("---\n---\nbody\n").front == {}
    assert parse("---\n# only a comment\n---\n").front == {}
    empty = parse(b"")
    assert empty.readable and empty.front == {} and empty.diagnostics == ()


def test_anchors_and_aliases_are_refused_without_expanding():
    bomb = (
        "---\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n---\n"
    )
    note = parse(bomb)
    assert not note.readable
    assert "anchors or aliases" in note.diagnostics[0].message


def test_aliases_property_is_fine():
    note = parse("---\ntype: contact\naliases: [Jane, J. Doe]\n---\n")
    assert note.front["aliases"] == ["Jane", "J. Doe"]
    assert note.diagnostics == ()


def test_python_tags_never_run():
    note = parse("---\nx: !!python/object/apply:os.system ['touch /tmp/pwned']\n---\n")
    assert not note.readable
    assert "!!python/object/apply:os.system" in note.diagnostics[0].message


def test_tabs_duplicates_conflicts_and_size():
    tabbed = parse("---\ntype: contact\nadvice:\n\t- x\n---\n")
    assert not tabbed.readable and "tab" in tabbed.diagnostics[0].message
    dup = parse("---\nmet: 2026-01-01\nmet: 2026-02-01\n---\n")
    assert dup.front["met"] == "2026-02-01"
    assert messages(dup) == [(3, "warning", "key 'met' appears twice (lines 2 and 3); the last one is used")]
    conflict = parse("---\ntype: contact\n<<<<<<< HEAD\nmet: 2026-01-01\n=======\nmet: 2026-01-02\n>>>>>>> x\n---\n")
    assert not conflict.readable and conflict.diagnostics[0].line == 3
    huge = parse("---\nx: " + "a" * (MAX_FRONT_MATTER + 10) + "\n---\n")
    assert not huge.readable and "64 KiB" in huge.diagnostics[0].message


def test_encodings():
    latin1 = parse("---\ntype: contact\nname: José\n---\n".encode("latin-1"))
    assert not latin1.readable and "not UTF-8" in latin1.diagnostics[0].message
    assert latin1.diagnostics[0].line == 3
    utf16 = parse("---\ntype: contact\n---\n".encode("utf-16"))
    assert utf16.readable and utf16.front == {"type": "contact"}
    assert "UTF-16" in utf16.diagnostics[0].message
    binary = parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert not binary.readable and "binary" in binary.diagnostics[0].message


def test_scan_links_counts_only_real_mentions():
    body = "\n".join(
        [
            "Met [[Jane Doe]] today.",  # 10
            "- [ ] call [[Unchecked]]",
            "- [x] called [[Done|the done one]]",
            "- [X] also [[Done Upper#Heading]]",
            "> [[Quoted]]",
            "> [!note] [[Callout]]",
            "`[[Inline]]` but [[After Code]]",
            "![[Embedded]] and [[Beside Embed]]",
            "%% [[Commented]] %% [[Outside]]",
            "<!-- [[Html]] --> [[After Html]]",
            "```",
            "[[Fenced]]",
            "```",
            "%%",
            "[[Block Comment]]",
            "%%",
            "| [[Table\\|alias]] |",
            "[[People/Path Link]] [[Note.md]]",
            "1. [ ] numbered [[Numbered Unchecked]]",
            "- [/] in progress [[In Progress]]",
        ]
    )
    got = [(link.target, link.line) for link in scan_links(body, 10)]
    assert got == [
        ("Jane Doe", 10),
        ("Done", 12),
        ("Done Upper", 13),
        ("After Code", 16),
        ("Beside Embed", 17),
        ("Outside", 18),
        ("After Html", 19),
        ("Table", 26),
        ("People/Path Link", 27),
        ("Note", 27),
    ]


def test_multiline_html_comment_and_tilde_fence():
    body = "<!--\n[[Hidden]]\n-->\n~~~python\n[[Code]]\n~~~\n[[Seen]]\n"
    assert [link.target for link in scan_links(body, 1)] == ["Seen"]


def test_agrees_with_python_frontmatter_on_well_formed_notes():
    """A second, independent reader: same keys and same body on ordinary notes.

    (Values may differ on purpose: python-frontmatter uses YAML 1.1, so it turns
    `no` into False and dates into date objects; mdfollow keeps them as text.)
    """
    import frontmatter

    samples = [
        "---\ntitle: Hello\ntags: [a, b]\n---\n# Body\n\ntext\n",
        "---\ntype: contact\nmet: 2026-11-20\nadvice:\n  - one\n  - two\n---\nbody with --- inside\n",
        "---\nsummary: >\n  folded\n  text\n# comment\nok: true\n---\n\nafter a blank line\n",
        "no front matter at all\n",
        "---\nname: Zoë\nрусский: да\n---\n日本語\n",
    ]
    for text in samples:
        ours = parse_note("n.md", text.encode())
        theirs = frontmatter.loads(text)
        assert set(ours.front) == set(theirs.metadata), text
        assert ours.body.strip() == theirs.content.strip(), text
