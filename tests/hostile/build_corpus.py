"""Write the hostile corpus: python tests/hostile/build_corpus.py

Each file is one way notes break in the wild (see shared RELIABILITY.md). The
bytes are written exactly; .gitattributes keeps git from touching them. Names
never collide with the example vault's people, and no file links to them, so
dropping the corpus into that vault must leave its agenda as it was.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent / "corpus"

FM = "---\ntype: contact\n{}---\n# Body\n"


def contact(keys: str) -> str:
    return FM.format(keys)


CASES: dict[str, bytes | str] = {
    # --- encodings
    "enc-bom.md": b"\xef\xbb\xbf---\ntype: contact\nmet: 2026-11-20\n---\nbody\n",
    "enc-crlf.md": b"---\r\ntype: contact\r\nmet: 2026-11-20\r\n---\r\nbody\r\n",
    "enc-cr-only.md": b"---\rtype: contact\rmet: 2026-11-20\r---\rbody\r",
    "enc-latin1.md": "---\ntype: contact\nname: Renée Lefèvre\n---\n".encode("latin-1"),
    "enc-cp1252-quotes.md": "---\ntype: contact\nadvice: \u201cquoted\u201d\n---\n".encode("cp1252"),
    "enc-utf16le.md": "---\ntype: contact\nmet: 2026-11-20\n---\n".encode("utf-16"),
    "enc-utf16be.md": b"\xfe\xff" + "---\ntype: contact\n---\n".encode("utf-16-be"),
    "enc-binary.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    "enc-empty.md": b"",
    "enc-only-bom.md": b"\xef\xbb\xbf",
    "enc-nul-in-text.md": b"---\ntype: contact\n---\nhello\x00world\n",
    "enc-mixed-endings.md": b"---\r\ntype: contact\nmet: 2026-11-20\r\n---\nbody\r\n",
    # --- front-matter edges
    "fm-unclosed.md": "---\ntype: contact\nmet: 2026-11-20\n\n# Body without a closing line\n",
    "fm-unclosed-prose.md": "---\n\nJust a horizontal rule at the top and prose.\n",
    "fm-rule-in-body.md": contact("met: 2026-11-20\n") + "\n---\n\nAfter a rule.\n\n---\n",
    "fm-starts-with-rule.md": "---\n\nAn essay that opens with a rule.\n\n---\n\nMore text.\n",
    "fm-second-block.md": contact("met: 2026-11-20\n") + "---\ntype: person\nmet: 2020-01-01\n---\n",
    "fm-list.md": "---\n- type: contact\n- met: 2026-11-20\n---\n",
    "fm-scalar.md": "---\ntype contact\n---\n",
    "fm-conflict.md": "---\ntype: contact\n<<<<<<< HEAD\nmet: 2026-11-20\n=======\nmet: 2026-11-21\n>>>>>>> other\n---\n",
    "fm-four-dashes.md": "----\ntype: contact\n----\nnot front matter for Obsidian\n",
    "fm-indented-open.md": " ---\ntype: contact\n---\n",
    "fm-empty.md": "---\n---\nnothing here\n",
    "fm-comment-only.md": "---\n# nothing but a comment\n---\n",
    "fm-dots-close.md": "---\ntype: contact\n...\n",
    "fm-trailing-space-close.md": "---   \ntype: contact\nmet: 2026-11-20\n---  \nbody\n",
    # --- YAML 1.1 surprises
    "y11-no-yes.md": contact("keep_informed: yes\nname: Norway no\nanswer: no\n"),
    "y11-sexagesimal.md": contact("met: 10:30\n"),
    "y11-octal.md": contact("strikes: 010\n"),
    "y11-bad-day.md": contact("met: 2024-02-30\nthanked: 2024-02-29\n"),
    "y11-datetime.md": contact("met: 2026-11-20T10:00\nthanked: 2026-11-21 09:15:00+02:00\n"),
    "y11-unquoted-link.md": contact("referred_by: [[Hostile Referrer]]\n"),
    "y11-tab-indent.md": contact("advice:\n\t- read more\n"),
    "y11-duplicate-key.md": contact("met: 2026-11-01\nmet: 2026-11-20\n"),
    "y11-colon-in-value.md": contact("role: CEO: Acme\n"),
    "y11-null-values.md": contact("met: ~\nthanked: null\nwarmth:\n"),
    "y11-bool-name.md": contact("name: true\n"),
    "y11-float-strikes.md": contact("strikes: 1.5\n"),
    "y11-exotic-date.md": contact("met: 20.11.2026\n"),
    # --- hostile YAML
    "hy-billion-laughs.md": "---\na: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ntype: contact\n---\n",
    "hy-python-object.md": "---\ntype: contact\nx: !!python/object/apply:os.system ['echo pwned']\n---\n",
    "hy-python-name.md": "---\ntype: contact\nx: !!python/name:os.system\n---\n",
    "hy-custom-tag.md": "---\ntype: contact\nx: !secret abc\n---\n",
    "hy-huge.md": "---\ntype: contact\nnotes: " + "x" * 70000 + "\n---\n",
    "hy-deep-nesting.md": "---\ntype: contact\nx: " + "[" * 500 + "]" * 500 + "\n---\n",
    "hy-aliases-property.md": contact("aliases: [Hostile Alias, H. A.]\n"),
    "hy-merge-key.md": contact("<<: {met: 2026-11-20}\n"),
    "hy-long-line.md": contact("advice: " + "very long advice " * 400 + "\n"),
    # --- wrong types in every known key
    "type-met-word.md": contact("met: tomorrow\n"),
    "type-met-list.md": contact("met: [2026-11-20]\n"),
    "type-thanked-number.md": contact("thanked: 20261120\n"),
    "type-reported-bool.md": contact("reported_back: true\n"),
    "type-last-contact-map.md": contact("last_contact: {when: 2026-11-20}\n"),
    "type-last-outreach-empty-string.md": contact('last_outreach: ""\n'),
    "type-next-follow-up-word.md": contact("next_follow_up: soon\n"),
    "type-snooze-number.md": contact("snooze_until: 7\n"),
    "type-added-month.md": contact("added: 2026-13-01\n"),
    "type-strikes-word.md": contact("strikes: three\n"),
    "type-strikes-negative.md": contact("strikes: -1\n"),
    "type-strikes-bool.md": contact("strikes: true\n"),
    "type-cadence-word.md": contact("cadence: often\n"),
    "type-cadence-number.md": contact("cadence: 30\n"),
    "type-cadence-zero.md": contact("cadence: 0d\n"),
    "type-warmth-hot.md": contact("warmth: hot\nmet: 2026-11-20\n"),
    "type-warmth-number.md": contact("warmth: 7\n"),
    "type-status-word.md": contact("status: maybe\n"),
    "type-keep-informed-number.md": contact("keep_informed: 2\n"),
    "type-referred-by-number.md": contact("referred_by: 42\n"),
    "type-referred-by-half-link.md": contact('referred_by: "[[Broken"\n'),
    "type-advice-map.md": contact("advice: {a: 1}\n"),
    "type-outcome-list.md": contact("advice_outcome: [a, b]\n"),
    "type-name-empty.md": contact('name: ""\n'),
    "type-aliases-map.md": contact("aliases: {a: 1}\n"),
    "type-company-list.md": contact("company: [Acme, Beta]\n"),
    "type-email-bool.md": contact("email: false\n"),
    "type-type-list.md": "---\ntype: [person, friend]\nmet: 2026-11-20\n---\n",
    "type-type-case.md": "---\ntype: Contact\nmet: 2026-11-20\n---\n",
    "type-date-key-in-note.md": "---\ndate: 2026-02-30\n---\nA note with an impossible date.\n",
}


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for old in HERE.glob("*.md"):
        old.unlink()
    for name, content in CASES.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (HERE / name).write_bytes(data)
    print(f"wrote {len(CASES)} files to {HERE}")


if __name__ == "__main__":
    main()
