"""Raw drops in content/ (.txt, .docx, saved .html pages) -> .md files beside them, the raw bytes archived unchanged.

content/_archive/ keeps every raw drop byte for byte (a saved page with its _files folder) and a
manifest of the Markdown and pictures each drop produced, so a file an editor has changed since
is never overwritten.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flashnews.config import SiteConfig
from flashnews.errors import NormalizeError, SourceError, SourceLocation, SourceWarning, portable_error, restore_error
from flashnews.model import Normalized
from flashnews.ingest.archive import MANIFEST, apply_drop, archive_page_folder, archive_raw, check_not_taken, check_target, compact_manifest, previous_date, read_manifest
from flashnews.ingest.sources import ARCHIVE_DIR, DROP_SUFFIXES, display_path, read_source_bytes, scan_source_files

if TYPE_CHECKING:
    from flashnews.ingest.normalize import DropContext

@dataclass(frozen=True, slots=True)
class DropReport:
    """What normalizing the drops did."""

    written: tuple[str, ...] = ()
    errors: tuple[SourceError, ...] = ()
    warnings: tuple[SourceWarning, ...] = ()
    stripped: tuple[str, ...] = ()
    # What the normalizer had to guess (a date without a year, a day/month order), per drop.
    notes: tuple[str, ...] = ()
    # (raw drop, .md it became) for each drop applied, as found under content_dir: what a
    # commit of the run must hold, with content/_archive/.
    applied: tuple[tuple[Path, Path], ...] = ()
    # The pictures document drops wrote beside their .md, which such a commit holds too.
    pictures: tuple[Path, ...] = ()


def explain_drop(raw_path: Path, content_dir: Path, config: SiteConfig, *, now: datetime) -> str:
    """What every line of one raw drop becomes, with the warnings and guesses; writes nothing.
    Raises SourceError when the drop cannot be read or holds no article."""
    shown = display_path(raw_path, content_dir) if raw_path.is_relative_to(content_dir) else raw_path.as_posix()
    is_text = raw_path.suffix.lower() == ".txt"
    limit = config.normalize.max_source_bytes if is_text else config.normalize.max_document_bytes
    try:
        data = read_source_bytes(raw_path, shown=shown, max_bytes=limit)
    except OSError as exc:
        raise NormalizeError(SourceLocation(shown, 1), f"cannot read the file: {exc.strerror or exc}") from exc
    if not is_text:
        from flashnews.ingest.documents import explain_document, extract_document

        article = extract_document(data, suffix=raw_path.suffix, path=shown, stem=raw_path.stem, config=config, zone=config.tz)
        return "\n".join([f"{shown}: part became", *(f"  {what:<12} {text}" for what, text in explain_document(article))])
    from flashnews.ingest.decode import decode_bytes
    from flashnews.ingest.normalize import explain_text, normalize_text

    decoded = decode_bytes(data, path=shown, fallback_encoding=config.normalize.fallback_encoding)
    result = normalize_text(decoded.text, path=shown, now=now.astimezone(config.tz), config=config.normalize, sections=config.sections, context=_context_of(raw_path, content_dir, config))
    problems = [str(w) for w in (*decoded.warnings, *result.warnings)]
    return "\n".join([f"{shown}: line  became   text (why)", explain_text(result.decisions, result.notes), *problems])


def _context_of(raw_path: Path, content_dir: Path, config: SiteConfig) -> DropContext:
    from flashnews.ingest.normalize import DropContext, section_for_folder

    relative = raw_path.relative_to(content_dir).as_posix() if raw_path.is_relative_to(content_dir) else raw_path.name
    return DropContext(section_for_folder(relative, config.sections), config.default_section)


def _companion_reader(folder: Path, *, max_bytes: int) -> Callable[[str], bytes | None]:
    """Reads a picture a saved page links to, only from inside the page's folder."""
    root = folder.resolve()

    def read(relative: str) -> bytes | None:
        try:
            candidate = (folder / relative).resolve()
            if not candidate.is_relative_to(root) or not candidate.is_file() or candidate.stat().st_size > max_bytes:
                return None
            return candidate.read_bytes()
        except (OSError, ValueError):
            return None

    return read


def _convert_drop(
    raw_path: Path, data: bytes, *, shown: str, relative: str, now: datetime, config: SiteConfig, content_dir: Path,
    shared: frozenset[str] = frozenset(),
) -> tuple[Normalized, tuple[tuple[str, bytes], ...]]:
    """A drop's front-matter Markdown and the pictures to write beside it, by its kind (its suffix)."""
    # Decoding and normalizing need charset detection, YAML and slug libraries, and documents
    # their converters, which a build without new drops (the usual one) does not import.
    if raw_path.suffix.lower() == ".txt":
        from flashnews.ingest.decode import decode_bytes
        from flashnews.ingest.normalize import normalize_text

        decoded = decode_bytes(data, path=shown, fallback_encoding=config.normalize.fallback_encoding)
        context = replace(_context_of(raw_path, content_dir, config), shared_lines=shared)
        result = normalize_text(decoded.text, path=shown, now=now, config=config.normalize, sections=config.sections, context=context)
        return replace(result, warnings=decoded.warnings + result.warnings), ()
    from flashnews.ingest.documents import normalize_document

    reader = _companion_reader(raw_path.parent, max_bytes=config.normalize.max_document_bytes)
    drop = normalize_document(data, suffix=raw_path.suffix, path=shown, relative_path=relative, now=now, config=config, read_companion=reader)
    return drop.normalized, drop.files


# (raw path, shown path, path under content/, the clock to date it with, the lines other drops
# of the batch share).
_Job = tuple[Path, str, str, datetime, Path, frozenset[str]]
# The drop's bytes, its Markdown and the pictures to write beside it; or why it was refused.
_Converted = tuple[bytes, Normalized, tuple[tuple[str, bytes], ...]] | SourceError


def _job(raw_path: Path, content_dir: Path, config: SiteConfig, now: datetime, shared: frozenset[str]) -> _Job:
    md_path = raw_path.with_suffix(".md")
    # A re-drop of an article keeps the date its .md has, so it keeps its place in the news.
    clock = previous_date(md_path) or now.astimezone(config.tz)
    return (raw_path, display_path(raw_path, content_dir), raw_path.relative_to(content_dir).as_posix(), clock, content_dir, shared)


def _shared_lines(paths: Sequence[Path], config: SiteConfig) -> frozenset[str]:
    """Lines that stand in three or more of the drops (a portal's furniture), as line_key folds them."""
    from flashnews.ingest.furniture import line_key

    counts: Counter[str] = Counter()
    for path in paths:
        if path.suffix.lower() != ".txt":
            continue
        try:
            data = read_source_bytes(path, shown=path.name, max_bytes=config.normalize.max_source_bytes)
        except (SourceError, OSError):
            continue
        text = data.decode("utf-8", errors="replace")
        counts.update({line_key(line) for line in text.splitlines() if line.strip()})
    return frozenset(key for key, count in counts.items() if count >= 3)


def _convert_job(job: _Job, config: SiteConfig) -> _Converted:
    """Read, decode and normalize one drop."""
    raw_path, shown, relative, clock, content_dir, shared = job
    limit = config.normalize.max_source_bytes if raw_path.suffix.lower() == ".txt" else config.normalize.max_document_bytes
    try:
        data = read_source_bytes(raw_path, shown=shown, max_bytes=limit)
        result, files = _convert_drop(raw_path, data, shown=shown, relative=relative, now=clock, config=config, content_dir=content_dir, shared=shared)
    except SourceError as exc:
        return exc
    except OSError as exc:
        return NormalizeError(SourceLocation(shown, 1), f"cannot read the file: {exc.strerror}")
    return data, result, files


def _convert_all(jobs: list[_Job], config: SiteConfig) -> Iterator[_Converted]:
    """Every drop converted, in the order of jobs. A large batch is shared between two forked
    processes that send back only what the run writes and reports (the Markdown, warnings,
    stripped lines, notes; not each line's decision), so that the writes in this process
    overlap the conversions; a small one, or one where forking is unsafe, is converted here."""
    if len(jobs) < _POOL_THRESHOLD or (os.cpu_count() or 1) < 2 or not _can_fork():
        return (_convert_job(job, config) for job in jobs)
    return _convert_forked(jobs, config)


# Below this many drops a pool costs more than it saves (bench/normalize_speed.py).
_POOL_THRESHOLD = 200
_pool_config: SiteConfig | None = None


def _can_fork() -> bool:
    # Forking is unsafe once other threads exist (watch mode): a lock held at fork time stays held.
    import multiprocessing
    import threading

    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


def _convert_portable(job: _Job) -> tuple[object, ...]:
    """A conversion in a worker, in a form that crosses the process boundary."""
    assert _pool_config is not None
    converted = _convert_job(job, _pool_config)
    if isinstance(converted, SourceError):
        return ("error", portable_error(converted))
    data, result, files = converted
    return ("ok", data, replace(result, decisions=()), files)


def _convert_forked(jobs: list[_Job], config: SiteConfig) -> Iterator[_Converted]:
    import multiprocessing

    global _pool_config
    _pool_config = config  # the forked workers inherit it
    with multiprocessing.get_context("fork").Pool(2) as pool:
        for outcome in pool.imap(_convert_portable, jobs, chunksize=16):
            if outcome[0] == "error":
                error = restore_error(outcome[1])  # type: ignore[arg-type]
                assert isinstance(error, SourceError)
                yield error
            else:
                yield outcome[1], outcome[2], outcome[3]  # type: ignore[misc]


@dataclass(slots=True)
class _Run:
    """What one run of normalize_drops has done so far."""

    content_dir: Path
    manifest: dict[str, str]
    dry_run: bool
    errors: list[SourceError]
    warnings: list[SourceWarning]
    written: list[str] = field(default_factory=list)
    stripped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    applied: list[tuple[Path, Path]] = field(default_factory=list)
    pictures: list[Path] = field(default_factory=list)
    targets: dict[str, str] = field(default_factory=dict)  # each .md and picture this run writes -> the drop it comes from

    @property
    def archive(self) -> Path:
        return self.content_dir / ARCHIVE_DIR

    def report(self) -> DropReport:
        return DropReport(
            tuple(self.written), tuple(self.errors), tuple(self.warnings), tuple(self.stripped), tuple(self.notes),
            tuple(self.applied), tuple(self.pictures),
        )


def normalize_drops(content_dir: Path, config: SiteConfig, *, now: datetime, dry_run: bool = False) -> DropReport:
    """Normalize every drop (.txt, .docx, .html, .htm) under content_dir; with dry_run, only report."""
    scan = scan_source_files(content_dir, suffix=DROP_SUFFIXES, report_documents=True)
    if not scan.paths:  # the usual build: no drop, so the manifest (one entry per drop ever made) is not read
        return DropReport((), tuple(scan.errors), tuple(scan.warnings), ())
    run = _Run(content_dir, {}, dry_run, list(scan.errors), list(scan.warnings))
    manifest = read_manifest(run.archive)
    if manifest is None:
        run.warnings.append(
            SourceWarning(
                SourceLocation(display_path(run.archive / MANIFEST, content_dir), 1),
                "the drop manifest is unreadable, so no existing .md file is overwritten",
                "restore it from a backup, or delete it and the .md files made from drops",
            )
        )
    run.manifest = manifest or {}
    shared = _shared_lines(scan.paths, config) if len(scan.paths) >= 3 else frozenset()
    jobs = [_job(raw_path, content_dir, config, now, shared) for raw_path in scan.paths]
    for raw_path, converted in zip(scan.paths, _convert_all(jobs, config)):
        _take(run, raw_path, converted)
    if run.written:
        try:
            compact_manifest(run.archive, run.manifest)
        except OSError as exc:
            # The journal still holds every drop; the next run folds it in.
            shown = display_path(run.archive / MANIFEST, content_dir)
            run.warnings.append(SourceWarning(SourceLocation(shown, 1), f"cannot update the drop manifest: {exc.strerror or exc}", "free disk space; nothing was lost"))
    return run.report()


def _take(run: _Run, raw_path: Path, converted: _Converted) -> None:
    """Check where one converted drop goes and record what it gives; unless the run is dry,
    write its pictures and .md and archive it."""
    content_dir = run.content_dir
    shown = display_path(raw_path, content_dir)
    md_path = raw_path.with_suffix(".md")
    key = md_path.relative_to(content_dir).as_posix()
    try:
        check_target(md_path, display_path(md_path, content_dir), run.manifest, key, shown)
        check_not_taken(key, run.targets, shown)
        if isinstance(converted, SourceError):
            raise converted
        data, result, files = converted
        outputs = [(raw_path.with_name(name), picture) for name, picture in files]
        for path, _ in outputs:
            picture_key = path.relative_to(content_dir).as_posix()
            check_target(path, display_path(path, content_dir), run.manifest, picture_key, shown)
            check_not_taken(picture_key, run.targets, shown)
    except SourceError as exc:
        run.errors.append(exc)
        return
    run.warnings.extend(result.warnings)
    run.stripped.extend(f"{shown}:{line}" for line in result.stripped)
    run.notes.extend(f"{shown}: {note}" for note in result.notes)
    run.targets.update((target.relative_to(content_dir).as_posix(), shown) for target in (md_path, *(path for path, _ in outputs)))
    if run.dry_run:
        return
    relative = raw_path.relative_to(content_dir).as_posix()
    try:
        # Pictures first: the .md counts as applied only once the pictures it shows are there.
        for path, picture in outputs:
            apply_drop(path, picture, run.manifest, path.relative_to(content_dir).as_posix(), run.archive)
        apply_drop(md_path, result.markdown.encode("utf-8"), run.manifest, key, run.archive)
        archive_raw(raw_path, data, run.archive / relative)
        if raw_path.suffix.lower() != ".txt":
            archive_page_folder(raw_path, run.archive / relative)
    except OSError as exc:
        run.errors.append(
            NormalizeError(
                SourceLocation(shown, 1),
                f"cannot write {display_path(md_path, content_dir)}: {exc.strerror or exc}",
                hint="free disk space or fix permissions; the drop was left in place and is retried next time",
            )
        )
        return
    run.written.append(display_path(md_path, content_dir))
    run.applied.append((raw_path, md_path))
    run.pictures.extend(path for path, _ in outputs)
