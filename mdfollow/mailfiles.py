"""Reading mail and calendar files: mbox, Maildir, .eml, .ics. Reads only; never writes.

An mbox is streamed in large chunks and only each message's header block is
kept: the separators are found with `bytes.find` (C speed) rather than line by
line, and bodies and attachments are skipped without being copied or parsed.
A 500 MB mailbox needs about one chunk of memory. A separator is a line
starting `From ` that looks like one (`From sender date` with a time and a
year), as Thunderbird, Apple Mail, mutt and Gmail Takeout write it; a body line
that happens to start with "From " (unquoted by some writers) does not split a
message, and `>From ` quoting is simply a body line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from mdfollow.diagnostics import Diagnostic, error, warning
from mdfollow.store import open_to_read

CHUNK = 4 << 20
HEAD_LIMIT = 1 << 20  # a header block larger than this is not mail
_SEPARATOR = re.compile(rb"From \S+[ \t]+(?:.*\D)?\d{1,2}:\d{2}(?::\d{2})?(?:\D.*)?\d{4}[ \t]*\r?$")
_BLANK = re.compile(rb"\n\r?\n")
_HEADER_START = re.compile(rb"^[!-9;-~]+[ \t]*:")
_MAIL_EXTENSIONS = (".eml", ".mbox", ".mbx", ".msg")  # .msg here is RFC 822 text, as some tools write it
_NOT_MAIL = (".msf", ".dat", ".plist", ".json", ".sqlite", ".db", ".toc", ".summary", ".emlxpart", ".index")

Progress = Callable[[int], None]


@dataclass(frozen=True)
class RawMessage:
    shown: str  # the file as shown to the user
    line: int | None  # where the message starts in it
    number: int  # its place in an mbox; 0 for a file of its own
    head: bytes


@dataclass(frozen=True)
class MailSource:
    kind: str  # "mbox", "eml", "maildir"
    path: Path
    shown: str
    size: int


def _shown(path: Path) -> str:
    return str(path)


def find_mail(paths: list[Path]) -> tuple[list[MailSource], list[Diagnostic]]:
    """The mailboxes, Maildirs and messages under the given paths, in a stable order."""
    sources: list[MailSource] = []
    problems: list[Diagnostic] = []
    for path in paths:
        shown = _shown(path)
        if path.is_dir():
            if _is_maildir(path):
                sources.append(MailSource("maildir", path, shown, _folder_size(path)))
                continue
            found = list(_walk(path))
            if not found:
                problems.append(error(shown, None, "no mail found in this folder (mbox files, Maildir, .eml)"))
            sources.extend(found)
        elif path.is_file():
            kind = _sniff(path)
            if kind is None:
                problems.append(error(shown, 1, "not a mail file (neither an mbox nor a message); skipped"))
            else:
                sources.append(MailSource(kind, path, shown, _size(path)))
        elif path.exists():
            problems.append(error(shown, None, "not a regular file or folder; skipped"))
        else:
            problems.append(error(shown, None, "no such file or folder"))
    return sources, problems


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _folder_size(path: Path) -> int:
    return sum(_size(f) for sub in ("cur", "new") for f in _files(path / sub))


def _files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    except OSError:
        return []


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _walk(root: Path) -> Iterator[MailSource]:
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if _is_maildir(here):
            yield MailSource("maildir", here, _shown(here), _folder_size(here))
            dirs[:] = [d for d in dirs if d not in ("cur", "new", "tmp")]
        if here.name in ("cur", "new", "tmp") and _is_maildir(here.parent):
            continue
        for name in sorted(names):
            path = here / name
            lower = name.lower()
            if name.startswith(".") or lower.endswith(_NOT_MAIL) or not path.is_file():
                continue
            if "." in name and not lower.endswith(_MAIL_EXTENSIONS):
                continue  # attachments, indexes and notes beside the mail
            kind = _sniff(path)
            if kind is not None:
                yield MailSource(kind, path, _shown(path), _size(path))


def _sniff(path: Path) -> str | None:
    """ "mbox" or "eml" by the first bytes, or None when the file is not mail."""
    try:
        with open_to_read(path) as handle:
            start = handle.read(4096)
    except OSError:
        return None
    first = start.split(b"\n", 1)[0]
    if first.startswith(b"From "):
        return "mbox"
    if _HEADER_START.match(first.lstrip(b"\xef\xbb\xbf")):
        return "eml"
    return None


def messages(source: MailSource, progress: Progress | None = None) -> Iterator[RawMessage | Diagnostic]:
    """Each message's header block, or a problem, in file order."""
    if source.kind == "mbox":
        yield from _mbox(source.path, source.shown, progress)
    elif source.kind == "eml":
        yield from _single(source.path, source.shown, progress)
    else:
        for sub in ("cur", "new"):
            for path in _files(source.path / sub):
                yield from _single(path, _shown(path), progress)


def _single(path: Path, shown: str, progress: Progress | None) -> Iterator[RawMessage | Diagnostic]:
    try:
        with open_to_read(path) as handle:
            data = handle.read(65536)
            while not _BLANK.search(data) and len(data) < HEAD_LIMIT:
                more = handle.read(65536)
                if not more:
                    break
                data += more
    except OSError as exc:
        yield error(shown, None, f"cannot read: {exc.strerror or exc}")
        return
    if progress is not None:
        progress(_size(path))
    data = data.removeprefix(b"\xef\xbb\xbf")
    if not data.strip():
        yield warning(shown, 1, "empty file; skipped")
        return
    end = _BLANK.search(data)
    yield RawMessage(shown, 1, 0, data[: end.start() + 1] if end else data)


def _mbox(path: Path, shown: str, progress: Progress | None) -> Iterator[RawMessage | Diagnostic]:
    try:
        handle = open_to_read(path)
    except OSError as exc:
        yield error(shown, None, f"cannot read: {exc.strerror or exc}")
        return
    with handle:
        reader = _Chunks(handle, progress)
        yield from _mbox_messages(reader, shown)


class _Chunks:
    """A window on a file: `buf` holds bytes from file offset `base`; lines are counted as it slides."""

    def __init__(self, handle: BinaryIO, progress: Progress | None) -> None:
        self.handle = handle
        self.progress = progress
        self.buf = b""
        self.eof = False
        self.lines_before = 0  # newlines in the bytes dropped before buf
        self.counted_at = 0  # buf index up to which newlines are in counted_lines
        self.counted_lines = 0

    def more(self) -> bool:
        """Read another chunk onto the window; False at the end of the file."""
        if self.eof:
            return False
        data = self.handle.read(CHUNK)
        if not data:
            self.eof = True
            return False
        if self.progress is not None:
            self.progress(len(data))
        self.buf += data
        return True

    def drop(self, upto: int) -> None:
        """Forget the bytes before `upto` (keeping the line count right)."""
        self.line_at(upto)
        self.lines_before += self.counted_lines
        self.counted_lines = 0
        self.counted_at = 0
        self.buf = self.buf[upto:]

    def line_at(self, index: int) -> int:
        """The 1-based line number of buf[index] (index never goes backwards)."""
        self.counted_lines += self.buf.count(b"\n", self.counted_at, index)
        self.counted_at = index
        return self.lines_before + self.counted_lines + 1

    def line_end(self, start: int) -> int:
        """The index of the newline ending the line at `start`, reading on as needed; -1 at the end."""
        while True:
            end = self.buf.find(b"\n", start)
            if end >= 0 or not self.more():
                return end


def _mbox_messages(reader: _Chunks, shown: str) -> Iterator[RawMessage | Diagnostic]:
    reader.more()
    end = reader.line_end(0)
    first = reader.buf[: end if end >= 0 else len(reader.buf)]
    if not _SEPARATOR.match(first):
        yield error(shown, 1, "not an mbox file (it does not start with a `From sender date` line); skipped")
        return
    number = 0
    pos = 0  # the start of the current separator line
    while True:
        number += 1
        line = reader.line_at(pos)
        end = reader.line_end(pos)
        if end < 0:
            yield warning(shown, line, f"message {number}: the file ends inside it (truncated); skipped")
            return
        start = end + 1
        # The header block ends at the first blank line, or at the next separator.
        while True:
            blank = _BLANK.search(reader.buf, start - 1)
            if blank is not None or reader.eof or len(reader.buf) - start > HEAD_LIMIT:
                break
            reader.more()
        head_end = blank.start() + 1 if blank is not None else len(reader.buf)
        following = _next_separator(reader, start, head_end)
        if following is not None and following < head_end:
            head_end = following
        head = reader.buf[start:head_end]
        if blank is None and following is None and reader.eof:
            yield warning(shown, line, f"message {number}: the file ends inside its headers (truncated); skipped")
            return
        if blank is None and following is None and len(head) > HEAD_LIMIT:
            yield warning(shown, line, f"message {number}: headers larger than 1 MB; not mail, skipped")
        else:
            yield RawMessage(shown, line, number, head)
        nxt = following if following is not None else _next_separator(reader, head_end, None)
        if nxt is None:
            return
        pos = nxt
        if pos > CHUNK:
            reader.drop(pos)
            pos = 0


def _next_separator(reader: _Chunks, start: int, stop: int | None) -> int | None:
    """The index of the next separator line at or after `start` (before `stop`, if given).

    Reads on (and drops what lies behind) only when `stop` is None.
    """
    search = max(start - 1, 0)
    while True:
        found = reader.buf.find(b"\nFrom ", search) if stop is None else reader.buf.find(b"\nFrom ", search, stop)
        if found < 0:
            if stop is not None:
                return None
            keep = max(len(reader.buf) - 6, start)
            if keep > CHUNK:  # slide the window over a long body
                reader.drop(keep)
                start = 0
                search = 0
            else:
                search = keep
            if not reader.more():
                return None
            continue
        line_start = found + 1
        end = reader.line_end(line_start)
        if end < 0:
            end = len(reader.buf)
        if _SEPARATOR.match(reader.buf, line_start, end):
            return line_start
        search = line_start


def read_calendar_file(path: Path) -> bytes:
    with open_to_read(path) as handle:
        return bytes(handle.read())


def total_size(paths: list[Path]) -> int:
    """The bytes a mail harvest of these paths will read (for a progress bar)."""
    sources, _ = find_mail(paths)
    return sum(source.size for source in sources)
