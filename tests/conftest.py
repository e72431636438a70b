from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mdfollow.cli import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "example-vault"
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLE_TODAY = "2026-11-23"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from the current output")


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own index cache folder, never the user's."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("MDFOLLOW_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def golden(update_golden: bool) -> Callable[[str, str], None]:
    """Compare text with tests/golden/NAME; `pytest --update-golden` refreshes it."""

    def check(name: str, actual: str) -> None:
        path = GOLDEN / name
        if update_golden:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8", newline="")
        assert path.exists(), f"no golden file {path}; run pytest --update-golden"
        with open(path, encoding="utf-8", newline="") as handle:
            expected = handle.read()
        assert actual == expected, f"differs from {path}"

    return check


@pytest.fixture
def make_vault(tmp_path: Path) -> Callable[..., Path]:
    """A vault from {relative path: text or bytes}."""

    def make(files: dict[str, str | bytes], root: Path | None = None) -> Path:
        vault = root or tmp_path / "vault"
        vault.mkdir(parents=True, exist_ok=True)
        for rel, content in files.items():
            path = vault / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="")
        return vault

    return make


@pytest.fixture
def example_vault(tmp_path: Path) -> Path:
    """A private copy of the example vault, safe to write into."""
    target = tmp_path / "example-vault"
    shutil.copytree(EXAMPLE, target)
    return target


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    monkeypatch.delenv("MDFOLLOW_VAULT", raising=False)
    monkeypatch.delenv("MDFOLLOW_TODAY", raising=False)
    monkeypatch.setenv("MDFOLLOW_DEBUG", "1")  # an unexpected error fails the test with its traceback

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)

    return invoke


def snapshot(folder: Path) -> dict[str, str]:
    """Path → (hash, mtime) of every file, to prove nothing was touched."""
    out = {}
    for dirpath, _, files in os.walk(folder):
        for name in files:
            path = Path(dirpath) / name
            if path.is_symlink():
                continue
            stat = path.stat()
            out[str(path.relative_to(folder))] = f"{hashlib.sha256(path.read_bytes()).hexdigest()}:{stat.st_mtime_ns}"
    return out
