"""File-system paths -> which part of the site they change, and when a burst of changes is due.

`classify_change` sorts a path into content, picture (a picture file in the content folder, which
articles show), templates, static, config or ignored (litter, the output and state folders, the
drop archive). A `Debouncer` collects paths until nothing has
changed for a quiet period and every changed file has stopped growing, then hands them over as
one `ChangeBatch`. Pure bookkeeping: the watch loop (flashnews.app.watch) does the I/O.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from flashnews.compose.images import IMAGE_SUFFIXES
from flashnews.build.output import staging_path
from flashnews.model import BuildPaths
from flashnews.ingest.sources import DROP_SUFFIXES, is_ignored_dir, is_litter
from flashnews.build.state import state_path

ChangeKind = Literal["content", "picture", "templates", "static", "config", "ignored"]
Signature = tuple[int, int, int] | None

QUIET_SECONDS = 0.1
_SOURCE_SUFFIXES = (".md", *DROP_SUFFIXES)
# Reading a file (the build reads every source) raises "opened"/"closed_no_write"; only writes matter.
WRITE_EVENTS = frozenset({"created", "modified", "moved", "deleted", "closed"})


@dataclass(frozen=True, slots=True)
class WatchRoots:
    """The absolute paths a watch looks at, and the output folders it must never react to."""

    content_dir: Path
    templates_dir: Path
    static_dir: Path
    output_dir: Path
    config_path: Path | None = None

    @property
    def excluded(self) -> tuple[Path, ...]:
        return (self.output_dir, staging_path(self.output_dir), state_path(self.output_dir).parent)


def watch_roots(paths: BuildPaths, config_path: Path | None) -> WatchRoots:
    """Absolute roots for a build's folders, spelled the way watchdog reports them."""

    def absolute(path: Path) -> Path:
        return Path(os.path.abspath(path))

    return WatchRoots(
        content_dir=absolute(paths.content_dir),
        templates_dir=absolute(paths.templates_dir),
        static_dir=absolute(paths.static_dir),
        output_dir=absolute(paths.output_dir),
        config_path=absolute(config_path) if config_path else None,
    )


def _classify_inside(kind: ChangeKind, parts: tuple[str, ...]) -> ChangeKind:
    if kind == "templates":
        return "ignored" if any(part.startswith(".") for part in parts[:-1]) else kind
    if any(is_ignored_dir(part) for part in parts[:-1]):
        return "ignored"
    if kind == "static" or not parts:
        return kind
    name = parts[-1]
    suffix = os.path.splitext(name)[1]
    if suffix.lower() in _SOURCE_SUFFIXES:
        return kind
    if suffix.lower() in IMAGE_SUFFIXES:
        # Any picture may be one an article shows (a lead picture named like it, `image:`, or the
        # body); the page keys decide which pages, if any, it changes.
        return "picture"
    # No suffix: most likely a folder of articles being added, moved or removed.
    return kind if not suffix and not is_ignored_dir(name) else "ignored"


def classify_change(path: str | Path, roots: WatchRoots) -> ChangeKind:
    """Which part of the site a changed path belongs to; pure, the file need not exist."""
    changed = Path(os.path.abspath(path))
    if any(changed == folder or changed.is_relative_to(folder) for folder in roots.excluded):
        return "ignored"
    if roots.config_path is not None and changed == roots.config_path:
        return "config"
    if is_litter(changed.name):
        return "ignored"
    candidates: list[tuple[ChangeKind, Path]] = [
        ("content", roots.content_dir),
        ("templates", roots.templates_dir),
        ("static", roots.static_dir),
    ]
    # The deepest root wins, in case one folder sits inside another.
    for kind, root in sorted(candidates, key=lambda item: len(item[1].parts), reverse=True):
        if changed == root or changed.is_relative_to(root):
            return _classify_inside(kind, changed.relative_to(root).parts)
    return "ignored"


@dataclass(frozen=True, slots=True)
class ChangeBatch:
    """Changes that settled together and are rebuilt as one."""

    paths: tuple[str, ...]
    kinds: frozenset[ChangeKind]


class Debouncer:
    """Collects changed paths until none has changed for `quiet` seconds and every file's
    signature (size, mtime, inode) stayed the same over that time; pure, the caller passes
    the clock and the signatures."""

    def __init__(self, quiet: float = QUIET_SECONDS) -> None:
        self.quiet = quiet
        self._pending: dict[str, tuple[ChangeKind, Signature]] = {}
        self._last_at = 0.0
        self._echoes: dict[str, Signature] = {}

    def expect(self, signatures: Mapping[str, Signature]) -> None:
        """Remember files the build itself just wrote, so their events are not taken for edits."""
        self._echoes = dict(signatures)

    def add(self, path: str, kind: ChangeKind, *, signature: Signature, at: float) -> bool:
        """Record one change; False when it is the echo of the build's own write or ignored."""
        if kind == "ignored":
            return False
        if path not in self._pending and path in self._echoes and self._echoes[path] == signature:
            return False
        self._pending[path] = (kind, signature)
        self._last_at = at
        return True

    @property
    def pending(self) -> tuple[str, ...]:
        return tuple(self._pending)

    def seconds_left(self, *, at: float) -> float | None:
        """How long until a batch may be due; None when nothing is pending."""
        if not self._pending:
            return None
        return max(0.0, self._last_at + self.quiet - at)

    def take(self, *, at: float, signatures: Mapping[str, Signature]) -> ChangeBatch | None:
        """The settled batch, or None while changes are recent or a file is still changing."""
        if not self._pending or at < self._last_at + self.quiet:
            return None
        moving = [path for path, (_, seen) in self._pending.items() if signatures.get(path, seen) != seen]
        if moving:
            for path in moving:
                self._pending[path] = (self._pending[path][0], signatures[path])
            self._last_at = at
            return None
        batch = ChangeBatch(tuple(sorted(self._pending)), frozenset(kind for kind, _ in self._pending.values()))
        self._pending.clear()
        return batch


def needs_normalizing(batch: ChangeBatch, roots: WatchRoots) -> bool:
    """Whether a batch can change what the drops normalize to: a .txt changed, something in
    content/ was deleted or moved (a .md removed to regenerate it from its drop, a picture that
    stood where a drop's picture goes, a folder), or the config; edits of existing .md files and
    pictures, and of templates or static files, cannot."""
    if "config" in batch.kinds:
        return True
    for path in batch.paths:
        kind = classify_change(path, roots)
        if kind == "content" and (not path.endswith(".md") or not os.path.isfile(path)):
            return True
        if kind == "picture" and not os.path.isfile(path):
            return True
    return False


def read_signature(path: str) -> Signature:
    """A file's (size, mtime in ns, inode), or None when it is gone."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)
