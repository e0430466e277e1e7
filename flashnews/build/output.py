"""OutputFiles -> the output folder, as one transaction: stage, back up, swap, or roll back.

Changed files are written to a staging folder beside the output folder. A journal then
names every replacement and deletion; old files are hard-linked into a backup; only then are
the staged files renamed into place. A failure rolls back from the backup, and a build killed
midway is rolled back by `recover_output`, which every command runs first. Until the journal
is removed (the commit point) the previous output can always be restored exactly.

One transaction runs at a time: each holds an exclusive lock on a file beside the output
folder, so a second build (say, `build` while `serve` rebuilds) waits instead of rolling back
the first one's swap. The kernel drops the lock when a process dies, so a crash never leaves
the folder locked.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; transactions are then not serialized
    fcntl = None  # type: ignore[assignment]

from flashnews.errors import OutputError
from flashnews.model import OutputFile, WriteReport

JOURNAL = "JOURNAL.json"
_BACKUP = ".backup"


def staging_path(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}.staging"


def lock_path(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}.lock"


@contextmanager
def output_lock(output_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock, waiting while another process holds it."""
    path = lock_path(output_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield  # closing the file releases the lock


_BAD_PARTS = frozenset({"", ".", ".."})


def check_output_path(path: str) -> str:
    """Refuse output paths that are absolute, climb out with '..' or are not normalized."""
    parts = path.split("/")
    if not path or path.startswith("/") or "\\" in path or ":" in parts[0] or not _BAD_PARTS.isdisjoint(parts):
        raise OutputError(f"refusing to write {path!r} outside the output folder")
    return path


def _write_file(path: str, data: bytes, *, root: str | None = None) -> None:
    """Write path, making its folders; with root, only folders inside root, which must exist
    (so a worker never brings back a staging folder its transaction has already removed)."""
    folder = os.path.dirname(path)
    if root is None or len(folder) >= len(root):  # a file in root itself needs no folder made
        try:
            os.mkdir(folder)
        except FileExistsError:
            pass
        except FileNotFoundError:
            if root is not None and not os.path.isdir(root):
                raise
            os.makedirs(folder, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)


@dataclass(frozen=True, slots=True)
class StageTarget:
    """Where an OutputTransaction stages files: its staging folder and, when it skips files the
    output folder already holds, the output folder (both with a trailing separator). Plain
    strings, so a worker process can stage files into a transaction its parent holds."""

    staging: str
    compare_with: str | None


def stage_file(target: StageTarget, path: str, data: bytes) -> bool:
    """Write one file into the staging folder; False, writing nothing, when the output folder
    already holds exactly these bytes. Raises OutputError for a path outside the folder or a
    failed write."""
    check_output_path(path)
    if target.compare_with is not None and _holds(target.compare_with + path, data):
        return False
    try:
        _write_file(target.staging + path, data, root=target.staging)
    except OSError as exc:
        raise OutputError(f"cannot write the output folder (staging in {target.staging}): {exc}", hint="the previous output is unchanged") from exc
    return True


def _holds(path: str, data: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return os.fstat(handle.fileno()).st_size == len(data) and handle.read() == data
    except OSError:
        return False


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)


def _backup(live: Path, backup: Path) -> None:
    backup.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(live, backup)
    except OSError:
        # No hard links here: copy under another name first, so a copy cut short is never
        # mistaken for the backup by a rollback.
        partial = backup.with_name(backup.name + ".partial")
        shutil.copy2(live, partial)
        os.replace(partial, backup)


def _prune_empty_dirs(output_dir: Path, paths: Collection[str]) -> None:
    parents = {output_dir.joinpath(*PurePosixPath(p).parts[:-1]) for p in paths}
    for folder in sorted(parents, key=lambda p: len(p.parts), reverse=True):
        while folder != output_dir and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def _roll_back(output_dir: Path, staging: Path, journal: dict[str, list[str]]) -> None:
    backup = staging / _BACKUP
    existed = set(journal["existed"])
    for path in journal["replace"]:
        live, saved = output_dir / path, backup / path
        if saved.exists():
            _move(saved, live)
        elif path not in existed and live.exists():
            live.unlink()
    for path in journal["delete"]:
        if (backup / path).exists():
            _move(backup / path, output_dir / path)
    _prune_empty_dirs(output_dir, journal["replace"])


def _read_journal(path: Path) -> dict[str, list[str]] | None:
    # The journal is renamed into place whole, so an unreadable one was never committed to:
    # nothing in the output folder was touched yet.
    try:
        journal = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return journal if isinstance(journal, dict) else None


def recover_output(output_dir: Path) -> bool:
    """Undo a build that was interrupted before its commit point; True if one was undone.

    Raises OutputError when the rollback itself fails; the staging folder is then kept,
    so the next run can finish restoring the previous output."""
    if not staging_path(output_dir).exists():
        return False
    with output_lock(output_dir):
        return _recover(output_dir)


def _recover(output_dir: Path) -> bool:
    staging = staging_path(output_dir)
    if not staging.exists():
        return False
    journal = _read_journal(staging / JOURNAL)
    if journal is not None:
        try:
            _roll_back(output_dir, staging, journal)
        except OSError as exc:
            raise OutputError(
                f"cannot restore {output_dir} from the interrupted build in {staging}: {exc}",
                hint="free the disk or fix permissions, then build again",
            ) from exc
    shutil.rmtree(staging, ignore_errors=True)
    return journal is not None


def write_outputs(output_dir: Path, files: Sequence[OutputFile], *, stale: Collection[str] = ()) -> WriteReport:
    """Write changed files and delete stale ones atomically; raises OutputError and leaves
    the previous output exactly as it was when anything fails."""
    paths = [check_output_path(f.path) for f in files]
    if len(set(paths)) != len(paths):
        raise OutputError("two outputs share one path")
    if not files and not stale:
        return WriteReport()
    with OutputTransaction(output_dir, compare=False) as transaction:
        for item in files:
            transaction.stage(item)
        return transaction.commit(stale)


class OutputTransaction:
    """Files staged one at a time as they are made, then swapped in together by commit();
    leaving the block without commit, or failing in it, restores the previous output.

    Holding the lock for the whole transaction lets a build write its pages while it is still
    rendering the next ones. With compare, a file whose bytes the output folder already holds
    is not staged (rewriting it would only cost a write and disturb its mtime)."""

    def __init__(self, output_dir: Path, *, compare: bool = True) -> None:
        self.output_dir = output_dir
        self.staging = staging_path(output_dir)
        self._compare = compare and output_dir.is_dir()
        self.target = StageTarget(f"{self.staging}{os.sep}", f"{output_dir}{os.sep}" if self._compare else None)
        self._paths: list[str] = []
        self._seen: set[str] = set()
        self._lock: contextlib.AbstractContextManager[None] | None = None
        self._done = False

    def __enter__(self) -> OutputTransaction:
        self._lock = output_lock(self.output_dir)
        self._lock.__enter__()
        try:
            _recover(self.output_dir)
            self.staging.mkdir(parents=True)
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if not self._done:
                _recover(self.output_dir)
        finally:
            assert self._lock is not None
            self._lock.__exit__(None, None, None)

    def stage(self, item: OutputFile) -> bool:
        """Stage one file; False when the output folder already holds exactly these bytes."""
        self._claim(item.path)
        return self._took(item.path, stage_file(self.target, item.path, item.data))

    def adopt(self, path: str, staged: bool) -> bool:
        """Take in a file another process staged into self.target with stage_file (staged is
        what stage_file returned); returns staged."""
        self._claim(path)
        return self._took(path, staged)

    def _claim(self, path: str) -> None:
        if path in self._seen:
            raise OutputError("two outputs share one path")
        self._seen.add(path)

    def _took(self, path: str, staged: bool) -> bool:
        if staged:
            self._paths.append(path)
        return staged

    def staged(self, path: str) -> Path | None:
        """Where a staged file is until commit, or None if it was not staged."""
        target = self.staging / path
        return target if path in self._seen and target.is_file() else None

    def commit(self, stale: Collection[str] = ()) -> WriteReport:
        """Swap the staged files in and delete the stale ones, as one transaction."""
        unique = set(self._paths)
        stale_paths = sorted(check_output_path(p) for p in stale if p not in unique)
        paths = self._paths
        try:
            if not paths and not stale_paths:
                shutil.rmtree(self.staging, ignore_errors=True)
                self._done = True
                return WriteReport()
            if not self.output_dir.exists():
                os.replace(self.staging, self.output_dir)
                self._done = True
                return WriteReport(written=tuple(paths))
            _commit(self.output_dir, self.staging, paths, stale_paths)
        except BaseException as exc:
            # Any failure, an interrupt included, rolls back to the previous output.
            _recover(self.output_dir)
            self._done = True
            if isinstance(exc, OSError):
                raise OutputError(f"cannot write the output folder {self.output_dir}: {exc}", hint="the previous output is unchanged") from exc
            raise
        self._done = True
        return WriteReport(written=tuple(paths), deleted=tuple(stale_paths))


def _write_journal(staging: Path, journal: dict[str, list[str]]) -> None:
    temporary = staging / f"{JOURNAL}.tmp"
    temporary.write_text(json.dumps(journal), encoding="utf-8")
    os.replace(temporary, staging / JOURNAL)


def _commit(output_dir: Path, staging: Path, paths: list[str], stale: list[str]) -> None:
    """Swap the staged files in; the caller rolls back (from the journal) if this raises."""
    existed = [p for p in paths if (output_dir / p).exists()]
    journal = {"replace": paths, "delete": [p for p in stale if (output_dir / p).exists()], "existed": existed}
    _write_journal(staging, journal)
    backup = staging / _BACKUP
    for path in existed:
        _backup(output_dir / path, backup / path)
    for path in paths:
        _move(staging / path, output_dir / path)
    for path in journal["delete"]:
        _move(output_dir / path, backup / path)
    (staging / JOURNAL).unlink()
    _prune_empty_dirs(output_dir, journal["delete"])
    shutil.rmtree(staging, ignore_errors=True)
