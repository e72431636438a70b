"""One error tree: every refusal is an MdfollowError with its exit code, caught once by the command line."""

import ast
import inspect

from mdfollow import errors
from tests.test_architecture import PACKAGE

# Exceptions that never leave their module: they become diagnostics or hand over to another reader.
# TimeUp: a render's clock; StoreDamaged: the index store's, which it rebuilds;
# _NotMail: a message whose headers are not mail, which becomes a diagnostic.
INTERNAL = {"FrontMatterError", "_GiveUp", "TimeUp", "StoreDamaged", "_NotMail"}


def _exception_classes() -> dict[str, str]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(b) for b in node.bases}
                if any(b.endswith(("Exception", "Error", "Problem", "Refused")) for b in bases):
                    found[node.name] = path.relative_to(PACKAGE).as_posix()
    return found


def test_every_exception_class_is_in_the_tree():
    classes = _exception_classes()
    outside = {name: where for name, where in classes.items() if where != "errors.py" and name not in INTERNAL}
    assert all(where.startswith("cli/") for where in outside.values()), outside
    for name in outside:  # the command line's own Failure and Usage subclass the tree
        assert name in ("Failure", "Usage"), name


def test_every_refusal_has_its_exit_code():
    for name, cls in inspect.getmembers(errors, inspect.isclass):
        if issubclass(cls, Exception):
            assert issubclass(cls, errors.MdfollowError), name
            assert cls.exit_code == (2 if issubclass(cls, errors.UsageError) else 1), name
    assert issubclass(errors.DateError, ValueError) and issubclass(errors.UnusableName, errors.RecordProblem)


def test_a_refusal_deep_inside_a_command_is_one_line_with_its_code(run, make_vault):
    vault = make_vault({"People/Ann.md": "---\ntype: contact\n---\n"})
    result = run("--vault", vault, "--today", "2026-11-23", "new", "A/B")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("mdfollow: 'A/B' contains /")
    result = run("--vault", vault, "--today", "2026-11-23", "log", "Ann", "sent", "--date", "2026-13-01")
    assert result.exit_code == 2
    assert result.stderr == "mdfollow: --date: '2026-13-01' has no month 13; write YYYY-MM-DD (see 'cli log --help')\n"


def test_an_unreadable_vault_template_is_one_line_for_every_command(run, make_vault):
    vault = make_vault(
        {
            "People/Ann.md": "---\ntype: contact\nmet: 2026-11-20\n---\n",
            "Templates/mdfollow/contact.md": b"\xff\xfe\x00broken",
            "Templates/mdfollow/thank.md": b"Hi \xe9\n",
        }
    )
    for command, name in ((("new", "Bo"), "contact.md"), (("draft", "Ann", "--stdout"), "thank.md")):
        result = run("--vault", vault, "--today", "2026-11-23", *command)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith(f"mdfollow: Templates/mdfollow/{name} cannot be read: ")
        assert result.stderr.count("\n") == 1


def test_templates_list_and_copy_are_not_both_taken_silently(run, make_vault):
    vault = make_vault({"People/Ann.md": "---\ntype: contact\n---\n"})
    result = run("--vault", vault, "templates", "--list", "--copy")
    assert result.exit_code == 2 and not (vault / "Templates").exists()
    assert (
        result.stderr == "mdfollow: --list and --copy are two different things; give one (see 'cli templates --help')\n"
    )
    listed = run("--vault", vault, "templates", "--list")
    assert listed.exit_code == 0 and listed.stdout == run("--vault", vault, "templates").stdout


def test_an_option_missing_its_value_points_to_its_own_commands_help(run, make_vault):
    vault = make_vault({})
    for args, where in [
        (("list", "--tag"), "cli list --help"),
        (("harvest", "mail", "x.mbox", "--bogus"), "cli harvest mail --help"),
        (("--today", "2026-11-23", "import", "vcard", "--update"), "cli import vcard --help"),
    ]:
        result = run("--vault", vault, *args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.endswith(f"(see '{where}')\n"), (args, result.stderr)
