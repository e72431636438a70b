"""Drafts: golden per action, placeholders, overrides, the sandbox, never overwrite."""

import pytest

from mdfollow.note import parse_note
from tests.conftest import EXAMPLE_TODAY, snapshot
from tests.helpers import contact

CASES = [
    ("Priya Raman", "thank"),
    ("Grace Liu", "reach-out"),
    ("Nina Kovacs", "nudge"),
    ("Daniel Okafor", "nudge-light"),
    ("Elena Petrova", "tell-referrer"),
    ("Hannah Schulz", "report-back"),
    ("Leo Brandt", "report-back-homework"),
    ("Aisha Mensah", "update"),
    ("Owen Park", "update-company"),
    ("Marcus Bell", "scheduled"),
    ("Fatima Zahra", "check-in"),
]


@pytest.mark.parametrize("name, case", CASES)
def test_each_action_draft_on_the_example_vault_is_golden(run, example_vault, golden, name, case):
    result = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "draft", name, "--stdout")
    assert result.exit_code == 0, result.stderr
    golden(
        f"drafts/{case}.md",
        result.stdout + ("\n<!-- stderr: " + result.stderr.strip() + " -->\n" if result.stderr else ""),
    )


def test_the_light_touch_nudge_is_visibly_different(run, example_vault):
    light = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "draft", "Daniel Okafor", "--stdout").stdout
    plain = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "draft", "Nina Kovacs", "--stdout").stdout
    assert "I'll leave it with you" in light and "last note" in light and "try again" not in light
    assert "try again" not in plain


def test_draft_file_has_front_matter_and_never_overwrites(run, example_vault, golden):
    first = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "draft", "Priya Raman")
    assert first.exit_code == 0 and first.stdout == "Drafts/2026-11-23 thank Priya Raman.md\n"
    path = example_vault / "Drafts/2026-11-23 thank Priya Raman.md"
    golden("drafts/thank-file.md", path.read_text(encoding="utf-8"))
    front = parse_note("d.md", path.read_bytes()).front
    assert front == {
        "to": "[[Priya Raman]]",
        "action": "thank",
        "date": EXAMPLE_TODAY,
        "email": "priya.raman@example.com",
        "subject": "Thank you for your time",
    }
    path.write_text(path.read_text(encoding="utf-8") + "my edits\n", encoding="utf-8")
    second = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "draft", "Priya Raman")
    assert second.stdout == "Drafts/2026-11-23 thank Priya Raman 2.md\n"
    assert path.read_text(encoding="utf-8").endswith("my edits\n")
    # Drafts are never read as notes: no mention, no contact, no problem.
    data = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "agenda", "--json").stdout
    assert "Drafts/" not in data


def test_missing_fields_become_placeholders_and_draft_says_so(run, make_vault):
    vault = make_vault(contact(met="2026-11-20"))
    result = run("--vault", vault, "--today", "2026-11-23", "draft", "Jane Doe", "--stdout")
    assert result.exit_code == 0
    assert "your advice to [the one piece of advice you found most useful]" in result.stdout
    assert "[your name]" in result.stdout
    assert result.stderr.startswith(
        "fill in before sending: [the one piece of advice you found most useful]; [your name]"
    )


def test_kind_and_force(run, example_vault):
    nope = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "draft", "Priya Raman", "--kind", "report-back")
    assert nope.exit_code == 1 and "report-back does not apply to Priya Raman now" in nope.stderr
    forced = run(
        "--vault",
        example_vault,
        "--today",
        EXAMPLE_TODAY,
        "draft",
        "Priya Raman",
        "--kind",
        "report-back",
        "--force",
        "--stdout",
    )
    assert forced.exit_code == 0 and "Hi Priya" in forced.stdout
    also = run(
        "--vault", example_vault, "--today", EXAMPLE_TODAY, "draft", "Priya Raman", "--kind", "check-in", "--stdout"
    )
    assert also.exit_code == 0 and "Checking in" in also.stdout
    quiet = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "draft", "Sam Whitaker")
    assert quiet.exit_code == 1 and "gone quiet" in quiet.stderr
    assert run("--vault", example_vault, "draft", "x", "--kind", "hello").exit_code == 2


def test_a_vault_template_replaces_the_built_in(run, example_vault):
    folder = example_vault / "Templates/mdfollow"
    folder.mkdir(parents=True)
    (folder / "thank.md").write_text(
        "Subject: Thanks!\nDear {{ contact.name }}, thanks. -- {{ me.name }}\n", encoding="utf-8"
    )
    result = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "draft", "Priya Raman", "--stdout")
    assert result.stdout == "Subject: Thanks!\n\nDear Priya Raman, thanks. -- Alex Rivera\n"
    listing = run("--vault", example_vault, "templates").stdout
    rows = {line.split()[0]: line.split(None, 1)[1] for line in listing.splitlines()}
    assert rows["thank.md"] == "Templates/mdfollow/thank.md (yours)"
    assert rows["nudge.md"] == "built-in" and rows["birthday.md"] == "built-in" and len(rows) == 10


def test_templates_copy_never_overwrites(run, example_vault):
    folder = example_vault / "Templates/mdfollow"
    folder.mkdir(parents=True)
    (folder / "nudge.md").write_text("mine\n", encoding="utf-8")
    result = run("--vault", example_vault, "templates", "--copy")
    assert result.exit_code == 0
    assert "Templates/mdfollow/thank.md" in result.stdout and "nudge.md" not in result.stdout
    assert (folder / "nudge.md").read_text() == "mine\n"
    assert len(list(folder.glob("*.md"))) == 10
    before = snapshot(example_vault)
    assert run("--vault", example_vault, "templates", "--copy").stdout == ""
    assert snapshot(example_vault) == before
    # The copies render exactly like the built-ins they came from.
    (folder / "nudge.md").unlink()
    assert (
        run("--vault", example_vault, "--today", EXAMPLE_TODAY, "check").exit_code == 1
    )  # the example's own errors only
    assert "Templates/" not in run("--vault", example_vault, "check").stderr


@pytest.mark.parametrize(
    "source, line, message",
    [
        ("Subject: x\nHello {{ contact.compnay }}\n", 2, "no field 'compnay'"),
        ("a\nb\n{{ contact.__class__.__mro__[1].__subclasses__() }}\n", 3, "not allowed in a template"),
        ("{{ cycler.__init__.__globals__.os.system('touch /tmp/x') }}\n", 1, "not allowed in a template"),
        ("{{ contact.name.format.__globals__ }}\n", 1, "not allowed in a template"),
        ("{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}\n", 1, "loops over"),
        ("{{ 'x' * 100000000 }}\n", 1, "a value over"),
        ("x\n{% if %}\n", 2, "template syntax"),
    ],
)
def test_vault_templates_are_sandboxed_and_errors_name_file_and_line(run, example_vault, source, line, message):
    folder = example_vault / "Templates/mdfollow"
    folder.mkdir(parents=True)
    (folder / "thank.md").write_text(source, encoding="utf-8")
    before = snapshot(example_vault)
    result = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "draft", "Priya Raman")
    assert result.exit_code == 1
    assert f"Templates/mdfollow/thank.md:{line}: " in result.stderr and message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert snapshot(example_vault) == before


def test_data_is_never_template_source_and_cannot_inject_front_matter(run, make_vault):
    vault = make_vault(
        {
            "People/Eve.md": '---\ntype: contact\nname: "Eve\\n---\\nevil: true"\nmet: 2026-11-20\n'
            'advice: "{{ 7 * 7 }} and {% raw %}"\nemail: "x\\"\\n---\\nbad: 1"\n---\n'
        }
    )
    result = run("--vault", vault, "--today", "2026-11-23", "draft", "Eve")
    assert result.exit_code == 0, result.stderr
    path = vault / result.stdout.strip()
    note = parse_note("d.md", path.read_bytes())
    assert set(note.front) == {"to", "action", "date", "email", "subject"}
    assert note.front["email"] == 'x"\n---\nbad: 1'
    assert "{{ 7 * 7 }} and {% raw %}" in note.body


def test_a_huge_output_is_stopped(run, example_vault):
    folder = example_vault / "Templates/mdfollow"
    folder.mkdir(parents=True)
    (folder / "thank.md").write_text("{% for i in range(9000) %}{{ 'y' * 99 }}{% endfor %}", encoding="utf-8")
    result = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "draft", "Priya Raman", "--stdout")
    assert result.exit_code == 1 and "over 64 KiB" in result.stderr


def test_birthday_draft_is_golden_and_needs_a_birthday(run, example_vault, golden):
    result = run(
        "--vault", example_vault, "--today", EXAMPLE_TODAY, "draft", "Priya Raman", "--kind", "birthday", "--stdout"
    )
    assert result.exit_code == 0, result.stderr
    golden("drafts/birthday.md", result.stdout + "\n<!-- stderr: " + result.stderr.strip() + " -->\n")
    missing = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "draft", "Grace Liu", "--kind", "birthday")
    assert missing.exit_code == 1 and "no birthday" in missing.stderr
    written = run("--vault", example_vault, "--today", EXAMPLE_TODAY, "draft", "Elena Petrova", "--kind", "birthday")
    assert written.stdout.strip() == "Drafts/2026-11-23 birthday Elena Petrova.md"
