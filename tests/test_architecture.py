"""The core stays pure: no click, no watchdog, no clock, no file writes, no git; every module is placed."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mdfollow"
# Values in, values out: no clock, no file system, no processes, no click.
CORE = [
    "__init__",
    "actions",
    "contact",
    "dates",
    "diagnostics",
    "drafting",
    "edits",
    "errors",
    "events",
    "feed",
    "harvest",
    "importing",
    "index",
    "jsontext",
    "keys",
    "links",
    "matching",
    "meetings",
    "merging",
    "milestones",
    "naming",
    "note",
    "render",
    "review",
    "rules",
    "settings",
    "survey",
    "templating",
    "ticks",
    "timeline",
    "vcard",
]
# Where the outside world comes in: files, git, the clock, the terminal.
EDGES = [
    "__main__",
    "cache",
    "cli",
    "exporting",
    "git",
    "harvesting",
    "incremental",
    "stored",
    "mailfiles",
    "parallel",
    "record",
    "refresh",
    "reviewing",
    "store",
    "template_files",
    "vault",
    "watcher",
]
FORBIDDEN_IMPORTS = {"click", "watchdog", "subprocess", "shutil", "sqlite3", *(f"mdfollow.{edge}" for edge in EDGES)}
FORBIDDEN_CALLS = {
    "today",
    "now",
    "utcnow",
    "open",
    "write_text",
    "write_bytes",
    "unlink",
    "mkdir",
    "rename",
    "system",
    "time",
}


def test_core_modules_have_no_edges():
    for name in CORE:
        tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] not in FORBIDDEN_IMPORTS and alias.name not in FORBIDDEN_IMPORTS, (
                        name,
                        alias.name,
                    )
                    assert alias.name not in ("os", "time", "pathlib"), (name, alias.name)
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                assert module not in FORBIDDEN_IMPORTS and module.split(".")[0] not in {"click", "watchdog"}, (
                    name,
                    module,
                )
                assert module not in ("os", "time", "pathlib"), (name, module)
            elif isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
                assert called not in FORBIDDEN_CALLS, (name, called, node.lineno)


def test_every_module_is_core_or_edge():
    """A new module must be placed: listed in CORE (and held pure above) or in EDGES."""
    modules = {path.stem for path in PACKAGE.glob("*.py")} | {
        p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()
    }
    assert modules == set(CORE) | set(EDGES), (modules - set(CORE) - set(EDGES), (set(CORE) | set(EDGES)) - modules)
    assert not set(CORE) & set(EDGES)


def _calls(path: Path) -> list[tuple[str, str, int]]:
    """(object, attribute, line) of every `x.y(...)` call and every `x.y` read."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            found.append((node.value.id, node.attr, node.lineno))
    return found


def test_only_the_command_line_reads_the_date():
    """Today is an input: the command line reads it and passes it (watch gets the function)."""
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "cli":
            continue
        for obj, attr, line in _calls(path):
            assert (obj, attr) not in {("date", "today"), ("datetime", "now"), ("datetime", "utcnow")}, (
                path.name,
                line,
            )


def test_who_reads_the_environment():
    """The command line (vault, today, debug), the cache (its folder) and git (its own environment)."""
    readers = {"cache.py", "git.py"}
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "cli" or path.name in readers:
            continue
        for obj, attr, line in _calls(path):
            assert (obj, attr) not in {("os", "environ"), ("os", "getenv")}, (path.name, line)


def test_click_lives_only_in_the_cli():
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "cli":
            continue
        assert "import click" not in path.read_text(encoding="utf-8"), path.name


def test_only_the_store_writes_files():
    for path in PACKAGE.rglob("*.py"):
        if path.name == "store.py":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("write_text(", "write_bytes(", "os.replace(", "open(", "os.rename("):
            assert needle not in text, (path.name, needle)
