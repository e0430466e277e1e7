"""Folders, settings and the build clock -> one fingerprint of everything a build reads.

When the fingerprint equals the one stored by the last clean build, and the clock is still inside
the window in which that build's output stays the same, a build can stop before reading a single
source: the output folder already holds exactly what it would write.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import select
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, time, timedelta
from importlib import metadata
from pathlib import Path

from flashnews.config import SiteConfig
from flashnews.model import Site

# Libraries whose output ends up in pages; a new version may change them.
_LIBRARIES = ("jinja2", "MarkupSafe", "markdown", "babel", "nh3", "python-slugify", "PyYAML", "Pillow")
_PACKAGE_DIR = Path(__file__).resolve().parent.parent
# The smallest step of the clock: the output built at t is also right at t itself.
_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class ClockWindow:
    """The build times [valid_from, valid_until) that give the same output as the build at valid_from."""

    valid_from: datetime
    valid_until: datetime | None

    def contains(self, moment: datetime) -> bool:
        return self.valid_from <= moment and (self.valid_until is None or moment < self.valid_until)

    def with_published(self, dates: Iterable[datetime], config: SiteConfig, *, now: datetime) -> ClockWindow:
        """The window of the output built at `now` after articles published at `dates` (none
        after `now`) joined a site whose output held in this window: from when the last of them
        went live, and while each stays in the news sitemap's window, or out of it (clock_window)."""
        span = timedelta(hours=config.news_sitemap_hours)
        start, end = self.valid_from, self.valid_until
        for date in dates:
            start = max(start, date)
            if date + span >= now:
                end = date + span + _INSTANT if end is None else min(end, date + span + _INSTANT)
            else:
                start = max(start, date + span + _INSTANT)
        return ClockWindow(start, end)

    def encode(self) -> str:
        return f"{self.valid_from.isoformat()}|{self.valid_until.isoformat() if self.valid_until else ''}"

    @staticmethod
    def decode(text: str) -> ClockWindow | None:
        start, _, end = text.partition("|")
        try:
            return ClockWindow(datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None)
        except ValueError:
            return None


def clock_window(site: Site, config: SiteConfig, *, now: datetime) -> ClockWindow:
    """How long the output built at `now` stays right: until the edition date turns, the next
    scheduled article goes live, or an article leaves the news sitemap's window. Any new
    dependence of the output on the build clock must be added here."""
    local = now.astimezone(config.tz)
    ends = [datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=config.tz)]
    if site.next_scheduled_at is not None:
        ends.append(site.next_scheduled_at)
    span = timedelta(hours=config.news_sitemap_hours)
    # The articles are newest first, so those in the window come first; a day's margin covers
    # the difference between adding `span` to a local time and to a UTC one.
    horizon = now - span - timedelta(days=1)
    for item in site.articles:
        if item.article.date < horizon:
            break
        # An article exactly `span` old is still in the window at `now` and leaves it right after.
        if item.article.date + span >= now:
            ends.append(item.article.date + span + _INSTANT)
    return ClockWindow(now, min(ends))


Stamp = tuple[str, int, int, int, int]  # relative path, size, mtime, ctime, inode
# Trees of more files than this are stamped by two processes at once (see _stat_records).
PARALLEL_STAT_MIN = 20_000


def stamp_tree(root: Path, *, skip: Iterable[str] = ()) -> list[Stamp]:
    """(relative path, size, mtime, ctime, inode) of every file under root, symlinks followed
    for files, top-level folders named in skip left out; sorted."""
    return tree_entries(stamp_records(root, skip=skip))


def stamp_records(root: Path, *, skip: Iterable[str] = ()) -> bytes:
    """stamp_tree's entries as tree_lines gives them, made without a tuple per file: the form
    the build state keeps and two builds compare."""
    return _stat_records(os.fspath(root) + os.sep, _files_under(root, set(skip)))


class StartedStamps:
    """stamp_records(root) made by a forked child while this process goes on (a command-line
    build normalizes drops and imports the build meanwhile). Calling it waits for the records;
    where no child could be forked, or it failed, the call makes them itself."""

    def __init__(self, root: Path, *, skip: Iterable[str] = ()) -> None:
        self._root = root
        self._skip = list(skip)
        self._child = _Child(lambda: stamp_records(root, skip=self._skip)) if _may_fork() else None

    def __call__(self) -> bytes:
        made = self._child.result() if self._child is not None else None
        self._child = None
        return made if made is not None else stamp_records(self._root, skip=self._skip)

    def busy(self) -> bool:
        """Whether the child is still at work (waiting for it now would be idle time)."""
        return self._child is not None and not self._child.done()

    def discard(self) -> None:
        """Leave the records unread (content/ changed since they were started)."""
        if self._child is not None:
            self._child.discard()
            self._child = None


def tree_lines(tree: Iterable[Stamp]) -> bytes:
    """Stamps as records "size mtime ctime inode path" separated by NUL (which no file name
    holds), so two trees are compared record by record without decoding; names that are not
    UTF-8 keep their bytes."""
    return "\0".join([f"{size} {mtime} {ctime} {inode} {path}" for path, size, mtime, ctime, inode in tree]).encode("utf-8", "surrogateescape")


def record_path(record: bytes) -> bytes | None:
    """The path in one of tree_lines' records (its last field); None for a record of another form."""
    fields = record.split(b" ", 4)
    return fields[4] if len(fields) == 5 else None


def record_text(path: bytes) -> str:
    """A record's path as the str os gives (names that are not UTF-8 keep their bytes)."""
    return path.decode("utf-8", "surrogateescape")


def tree_entries(data: bytes) -> list[Stamp]:
    """The stamps in tree_lines' records; ValueError for data in another form."""
    entries = []
    for record in data.split(b"\0") if data else ():
        size, mtime, ctime, inode, path = record.split(b" ", 4)
        entries.append((record_text(path), int(size), int(mtime), int(ctime), int(inode)))
    return entries


def _files_under(root: Path, skipped: set[str]) -> list[str]:
    """The relative paths of the files under root (anything that is not a folder; links to
    folders count as files), sorted."""
    found: list[str] = []
    pending = [(os.fspath(root), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not (prefix == "" and entry.name in skipped):
                    pending.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                found.append(prefix + entry.name)
    found.sort()
    return found


def _stat_records(prefix: str, paths: list[str]) -> bytes:
    """The records of paths (relative to prefix). A stat is a system call of several
    microseconds, most of a large site's build of one edit: past PARALLEL_STAT_MIN files a
    forked child stats the second half while this process stats the first."""
    if len(paths) < PARALLEL_STAT_MIN or not _may_fork():
        return _records(prefix, paths)
    half = len(paths) // 2
    theirs = _Child(lambda: _records(prefix, paths[half:]))
    mine = _records(prefix, paths[:half])
    other = theirs.result()
    return mine + b"\0" + (other if other is not None else _records(prefix, paths[half:]))


def _records(prefix: str, paths: list[str]) -> bytes:
    records = []
    for relative in paths:
        try:
            result = os.stat(prefix + relative)
        except OSError:
            records.append(f"-1 0 0 0 {relative}")
            continue
        records.append(f"{result.st_size} {result.st_mtime_ns} {result.st_ctime_ns} {result.st_ino} {relative}")
    return "\0".join(records).encode("utf-8", "surrogateescape")


def _may_fork() -> bool:
    """Whether this process can fork a child that only makes system calls: Linux (elsewhere a
    forked child may not use the system's libraries) and no other thread (a watch session's
    threads stat in turn instead)."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


class _Child:
    """work() run by a forked child, its bytes sent back through a pipe."""

    def __init__(self, work: Callable[[], bytes]) -> None:
        self._pid = 0
        try:
            reader, writer = os.pipe()
        except OSError:
            return
        try:
            pid = os.fork()
        except OSError:
            os.close(reader)
            os.close(writer)
            return
        if pid == 0:  # the child: compute, send, and end without running the parent's exit handlers
            status = 1
            try:
                os.close(reader)
                with open(writer, "wb") as pipe:
                    pipe.write(work())
                status = 0
            finally:
                os._exit(status)
        os.close(writer)
        self._pid, self._reader = pid, reader

    def done(self) -> bool:
        """Whether the child has sent its bytes (or ended without)."""
        return not self._pid or bool(select.select([self._reader], [], [], 0)[0])

    def result(self) -> bytes | None:
        """The child's bytes; None when it could not be started or failed."""
        if not self._pid:
            return None
        with open(self._reader, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        return data if status == 0 else None

    def discard(self) -> None:
        """Stop the child and reap it; its bytes are not wanted."""
        if self._pid:
            os.close(self._reader)
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            self._pid = 0


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """The flashnews modules and library versions that produced the output (those this process
    loaded: a module edited under a running watch session is not the code it runs)."""
    parts = [sys.version]
    for path in sorted(_PACKAGE_DIR.rglob("*.py")):
        result = path.stat()
        parts.append(f"{path.relative_to(_PACKAGE_DIR).as_posix()}:{result.st_size}:{result.st_mtime_ns}")
    return "\n".join([*parts, *_library_versions()])


@lru_cache(maxsize=1)
def _library_versions() -> tuple[str, ...]:
    """The versions of the libraries pages are made with (those this process imported: a library
    upgraded under a running watch session is not the one it runs)."""
    found = []
    for name in _LIBRARIES:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=-")
    return tuple(found)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the flashnews code this process runs and the libraries it renders with; part
    of every page's key, so new code re-renders the pages (their bytes are written only if they differ)."""
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(_PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    for version in _library_versions():
        digest.update(version.encode())
    return digest.hexdigest()


def input_fingerprint(*parts: object) -> str:
    """A hash over the given inputs; each part is rendered with repr()."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    return digest.hexdigest()
