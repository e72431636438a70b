"""Vaults in the styles people keep before they meet mdfollow.

Each is what a real setup writes: a Dataview/Templater people-note vault (the
Templater template in the vault, `tags: [people]`, `last_contacted`, `bday`),
a vault where people are simply the notes in `Contacts/`, and one where a
`#person` tag in the text is all that marks them.
"""

from __future__ import annotations

# A Templater people-note template, the way such setups write them: it must never count as a person.
TEMPLATER_PERSON = """---
tags: [people]
aliases: []
company:
email:
bday:
first_met: <% tp.date.now("YYYY-MM-DD") %>
last_contacted: <% tp.date.now("YYYY-MM-DD") %>
---
# <% tp.file.title %>

## Notes
"""

DATAVIEW_QUERY = """# People dashboard

```dataview
TABLE last_contacted, bday, company
FROM #people
SORT last_contacted ASC
```
"""


def dataview_vault() -> dict[str, str]:
    """People notes in `People/`, tagged `people` (some nested), with the user's own date keys."""
    files = {
        ".obsidian/templates.json": '{"folder": "Templates"}',
        ".obsidian/plugins/templater-obsidian/data.json": '{"templates_folder": "Templates"}',
        "Templates/Person.md": TEMPLATER_PERSON,
        "Dashboards/People.md": DATAVIEW_QUERY,
        "People/Sam Rivera.md": (
            "---\n"
            "tags: [people, people/work]\n"
            "aliases: [Sammy]\n"
            'company: "[[Acme]]"\n'
            "email: sam@acme.io\n"
            "bday: 1988-04-12\n"
            "first_met: 2024-05-03\n"
            "last_contacted: 2026-08-01\n"
            "cadence: monthly\n"
            "---\n"
            "# Sam Rivera\n\nMet at the Rust meetup.\n"
        ),
        "People/Priya Nair.md": (
            "---\n"
            "tags:\n  - people/friends\n"
            "email: priya@example.org\n"
            "bday: 04-30\n"
            "last_contacted: 2026-11-10\n"
            "---\n"
            "Priya, from university.\n"
        ),
        "People/Tom Becker.md": (
            "---\ntags: people\nlast_contacted: 2025-12-24\nfirst_met: 2019-09-01\n---\nTom, neighbour.\n"
        ),
        "Projects/Launch.md": "---\ntags: [project]\nstatus: active\n---\nPlan with [[Sam Rivera]].\n",
        "Daily/2026-11-20.md": "Lunch with [[Priya Nair]].\n",
    }
    return files


def folder_vault() -> dict[str, str]:
    """People are the notes in `Contacts/`: no tag, no type, keys written by hand."""
    return {
        "Contacts/Ada Lovelace.md": (
            "---\nlast-contacted: 2026-10-01\nbirth_date: 1990-12-10\ne-mail: ada@example.com\n---\nAda.\n"
        ),
        "Contacts/Grace Hopper.md": "---\nlast-contacted: 2026-06-15\ne-mail: grace@example.com\n---\nGrace.\n",
        "Contacts/Linus.md": "No front matter at all, just notes about Linus.\n",
        "Notes/Reading list.md": "---\ncreated: 2026-01-05\n---\nBooks.\n",
        "Notes/Ideas.md": "Ideas.\n",
    }


def tag_vault() -> dict[str, str]:
    """A flat vault: a `#person` tag in the text marks people; camelCase keys."""
    return {
        "Bob Stone.md": "---\nlastContacted: 2026-09-09\nmail: bob@stone.dev\n---\n#person #person/mentor\n\nBob.\n",
        "Carla Diaz.md": "---\nlastContacted: 2026-11-01\nbirthday: 1985-03-03\n---\nTags: #person\n\nCarla.\n",
        "Dan Wu.md": "#person\n\nDan, no keys yet.\n",
        "Shopping.md": "- milk #todo\n",
        "Code.md": "```\n#person is not a tag in code\n```\n",
    }
