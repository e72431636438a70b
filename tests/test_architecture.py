"""The core stays pure: no click, no watchdog, no clock, no file writes, no git."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mdfollow"
CORE = [
    "contact",
    "dates",
    "diagnostics",
    "index",
    "milestones",
    "note",
    "render",
    "review",
    "rules",
    "settings",
    "vcard",
]
FORBIDDEN_IMPORTS = {"click", "watchdog", "subprocess", "shutil", "mdfollow.cli", "mdfollow.store", "mdfollow.vault"}
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
