"""Problems found in the vault, as values with a location.

Nothing in mdfollow raises for a bad note: each problem becomes a
`Diagnostic`, collected and reported, and the run goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int | None
    column: int | None
    severity: Severity
    message: str

    def format(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.severity}: {self.message}"

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
        }


def error(path: str, line: int | None, message: str, column: int | None = None) -> Diagnostic:
    return Diagnostic(path, line, column, "error", message)


def warning(path: str, line: int | None, message: str, column: int | None = None) -> Diagnostic:
    return Diagnostic(path, line, column, "warning", message)
