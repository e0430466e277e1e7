"""Sources and page plans -> parsed articles and rendered pages, on every core.

A process pool runs the two expensive stages (Markdown and Jinja) when there is enough work to
repay starting it. Each worker makes its Markdown converter and Jinja environment once. Results
come back in the order the work went out, so the output is the same as rendering in-process.
Errors cross the process boundary as (class, attributes) and are raised again as themselves.
"""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from collections import deque
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2

from flashnews.ingest import content, markup, records
from flashnews.compose import related, search
from flashnews.ingest.decode import decode_markdown_bytes
from flashnews.errors import FlashnewsError, SourceError, SourceLocation, SourceWarning, portable_error, restore_error
from flashnews.build.output import StageTarget, stage_file
from flashnews.compose.render import PagePlan, create_environment, render_page
from flashnews.ingest.sources import read_source_bytes
from flashnews.ingest.sources import content_digest

# Below this many items the pool costs more than it saves.
POOL_THRESHOLD = 200
_CHUNK = 64
# Chunks handed out ahead of the one the caller reads, per worker: enough to keep every worker
# busy, few enough that results waiting for a slow reader (a slow disk) hold little memory.
_AHEAD_PER_WORKER = 4
_PR_SET_PDEATHSIG = 1  # linux/prctl.h

_converter: markup.BodyConverter | None = None
_environment: jinja2.Environment | None = None
_templates_dir: Path | None = None



@dataclass(frozen=True, slots=True)
class ParsedRecords:
    """A parsed source as the build cache keeps it: whole, without its body, and its words for
    the search index (b"" when they were not asked for)."""

    whole: bytes
    partial: bytes
    terms: bytes


@dataclass(frozen=True, slots=True)
class ParseOutcome:
    """The parse of one source: its records, or the error that stopped it (as errors.portable_error
    gives it, to cross a process boundary); its warnings; and the digest of the bytes parsed
    (None when the file was not read)."""

    records: ParsedRecords | None
    warnings: tuple[SourceWarning, ...] = ()
    error: tuple[Any, ...] | None = None
    digest: str | None = None


@dataclass(frozen=True, slots=True)
class ParseJob:
    """A source file to read and parse: shown path, file path, the digest its bytes must have
    (None: not read before), the site's time zone, the byte limit, and whether to work out its
    words for the search index."""

    shown: str
    path: str
    digest: str | None
    zone_name: str
    max_bytes: int
    with_terms: bool = False


def _map_chunk(function: Callable[[Any], Any], chunk: Sequence[Any]) -> list[Any]:
    return [function(item) for item in chunk]


def ordered_map(pool: Executor, function: Callable[[Any], Any], items: Sequence[Any], *, chunk: int, ahead: int) -> Iterator[Any]:
    """function over items on the pool, results in order, like Executor.map with a chunksize;
    but at most `ahead` chunks are out at once, so results never pile up faster than they are
    read. The first chunks are handed out (and the pool's processes started) before this
    returns; stopping early cancels the chunks not yet started."""
    starts = iter(range(0, len(items), chunk))
    pending: deque[Future[list[Any]]] = deque(
        pool.submit(_map_chunk, function, items[start : start + chunk]) for start in itertools.islice(starts, ahead)
    )
    return _drain(pool, function, items, chunk, pending, starts)


def _drain(
    pool: Executor, function: Callable[[Any], Any], items: Sequence[Any], chunk: int, pending: deque[Future[list[Any]]], starts: Iterator[int]
) -> Iterator[Any]:
    try:
        while pending:
            done = pending.popleft().result()
            for start in itertools.islice(starts, 1):
                pending.append(pool.submit(_map_chunk, function, items[start : start + chunk]))
            yield from done
    finally:
        for future in pending:
            future.cancel()


def parse_source(shown: str, text: str, zone_name: str, with_terms: bool = False) -> ParseOutcome:
    """Parse and render one source: its cache records (with with_terms its words for the search
    index too) and warnings, or a portable error."""
    global _converter
    if _converter is None:
        _converter = markup.create_converter()
    from zoneinfo import ZoneInfo

    try:
        article, warnings = content.parse_article(text, path=shown, zone=ZoneInfo(zone_name))
        item = markup.render_article(article, _converter)
        item = replace(item, key_terms=tuple(sorted(related.key_terms(item.article.title, item.lead))))
    except SourceError as exc:
        return ParseOutcome(None, error=portable_error(exc))
    terms = search.article_terms(item) if with_terms else b""
    return ParseOutcome(ParsedRecords(records.encode_rendered(item), records.encode_partial(item), terms), tuple(warnings))


def parse_file(job: ParseJob) -> ParseOutcome:
    """Read, check and parse one source file (a worker reads its own files, so the build never
    holds every source's text at once); a file whose bytes no longer hash to job.digest is an
    error. The outcome carries the digest of the bytes read."""
    shown = job.shown
    found = None
    try:
        raw = read_source_bytes(Path(job.path), shown=shown, max_bytes=job.max_bytes)
        found = content_digest(raw)
        if job.digest is not None and found != job.digest:
            raise SourceError(SourceLocation(shown, 1), "the file changed while it was being built", hint="build again")
        try:
            text = decode_markdown_bytes(raw)
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise SourceError(SourceLocation(shown, line), "not valid UTF-8", hint="save the .md file as UTF-8") from exc
    except SourceError as exc:
        return ParseOutcome(None, error=portable_error(exc), digest=found)
    return replace(parse_source(shown, text, job.zone_name, job.with_terms), digest=found)


def _render_one(plan: PagePlan) -> bytes | tuple[Any, ...]:
    global _environment
    if _environment is None:
        assert _templates_dir is not None
        _environment = create_environment(_templates_dir)
    try:
        return render_page(_environment, plan).data
    except FlashnewsError as exc:
        return portable_error(exc)


# The planner of the build being rendered and where its pages are staged, inherited by workers
# forked after they are set.
_planner: Any = None
_target: StageTarget | None = None


def _render_and_stage(spec: Any) -> bool | tuple[Any, ...]:
    data = _render_one(_planner.plan(spec))
    if isinstance(data, tuple):
        return data
    assert _target is not None
    try:
        return stage_file(_target, spec.path, data)
    except FlashnewsError as exc:
        return portable_error(exc)


def _start_worker(templates_dir: Path) -> None:
    global _templates_dir, _environment
    _templates_dir = templates_dir
    _environment = None
    parent = os.getppid()
    _die_with_parent()
    if os.getppid() != parent:  # the parent was gone before the signal was asked for
        os._exit(1)
    threading.Thread(target=_exit_with_parent, args=(parent,), name="flashnews-orphan-watch", daemon=True).start()


def _die_with_parent() -> None:
    """On Linux, have the kernel kill this worker the moment its parent dies: a render worker
    writes into the staging folder of a transaction whose lock only the parent holds, so it must
    not outlive it (elsewhere _exit_with_parent notices within half a second)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _exit_with_parent(parent: int) -> None:
    """End this worker once the build that started it is gone (killed, say): a worker holds
    both ends of its task pipe, so it would otherwise wait for work forever."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _context() -> multiprocessing.context.BaseContext:
    # fork is cheap and inherits the imported modules, but is unsafe once other threads exist
    # (watch mode, a progress bar's monitor): a lock held at fork time stays held in the child.
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class _StagedPages(Iterator[bool]):
    """What forked workers staged, page by page; the work is handed out from the first read on.
    close() (or reading to the end) stops the workers, whether or not anything was read."""

    def __init__(self, pool: ProcessPoolExecutor, start: Callable[[], Iterator[Any]], progress: Callable[[int], None] | None) -> None:
        self._pool = pool
        self._start = start
        self._progress = progress
        self._results: Iterator[Any] | None = None

    def __next__(self) -> bool:
        if self._results is None:
            self._results = self._start()
        try:
            staged = next(self._results)
        except BaseException:
            self.close()
            raise
        if isinstance(staged, tuple):
            self.close()
            raise restore_error(staged)
        if self._progress is not None:
            self._progress(1)
        return bool(staged)

    def close(self) -> None:
        """Cancel the work not started, wait for the rest, and stop the workers."""
        close = getattr(self._results, "close", None)
        if close is not None:
            close()
        self._pool.shutdown(wait=True, cancel_futures=True)


class StagePool:
    """A process pool shared by the stages of one build, started only when there is enough work;
    smaller batches run in-process with the build's own environment."""

    def __init__(self, environment: jinja2.Environment, templates_dir: Path, *, workers: int | None = None) -> None:
        self._environment = environment
        self._templates_dir = templates_dir
        self._workers = workers or os.cpu_count() or 1
        self._executor: Executor | None = None

    def __enter__(self) -> StagePool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)

    def release(self) -> None:
        """Stop the workers started so far (the next stage starts its own)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def _pool(self, count: int) -> Executor | None:
        if self._workers < 2 or count <= POOL_THRESHOLD:
            return None
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self._workers, mp_context=_context(), initializer=_start_worker, initargs=(self._templates_dir,)
            )
        return self._executor

    def _chunk(self, count: int) -> int:
        return max(1, min(_CHUNK, count // (self._workers * 4)))

    def _map(self, pool: Executor, function: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Any]:
        return ordered_map(pool, function, items, chunk=self._chunk(len(items)), ahead=self._workers * _AHEAD_PER_WORKER)

    def parse_files(self, jobs: Sequence[ParseJob]) -> Iterator[ParseOutcome]:
        """The outcome of each job, in the same order (see parse_file)."""
        pool = self._pool(len(jobs))
        if pool is None:
            return map(parse_file, jobs)
        return self._map(pool, parse_file, jobs)

    def stage_specs(
        self, planner: Any, specs: Sequence[Any], target: StageTarget, *, progress: Callable[[int], None] | None = None
    ) -> _StagedPages | Generator[bool, None, None]:
        """Render each spec of planner (a SitePlanner) and stage it into target (stage_file);
        yields, in order, whether each page was staged (False: the output already holds it).
        Raises the first TemplateError or OutputError.

        Where processes can be forked, workers forked now inherit the planner, build each page's
        context and stage the page themselves, so only specs and flags cross between processes
        and files are written on every core; elsewhere pages are rendered as in render_pages and
        staged here. The workers are started before this returns, so they never inherit a lock
        the caller takes next (the output transaction's); nothing is rendered before the result
        is read, so the caller can open the transaction whose staging folder target names first."""
        context = None
        if self._workers >= 2 and len(specs) > POOL_THRESHOLD:
            self.release()  # its manager thread would make forking unsafe
            context = _context()
        if context is None or context.get_start_method() != "fork":
            rendered = self.render_pages([planner.plan(spec) for spec in specs], progress=progress)
            return (stage_file(target, spec.path, data) for spec, data in zip(specs, rendered))
        global _planner, _target
        _planner, _target = planner, target
        pool = ProcessPoolExecutor(self._workers, mp_context=context, initializer=_start_worker, initargs=(self._templates_dir,))
        try:
            pool.submit(int)  # forks every worker now, with the planner and target set above
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        finally:
            _planner = _target = None
        return _StagedPages(pool, lambda: self._map(pool, _render_and_stage, specs), progress)

    def render_pages(self, plans: Sequence[PagePlan], *, progress: Callable[[int], None] | None = None) -> Iterator[bytes]:
        """The bytes of each plan, in order; raises the first TemplateError."""
        pool = self._pool(len(plans))
        if pool is None:
            for plan in plans:
                if progress is not None:
                    progress(1)
                yield render_page(self._environment, plan).data
            return
        for data in self._map(pool, _render_one, plans):
            if isinstance(data, tuple):
                raise restore_error(data)
            if progress is not None:
                progress(1)
            yield data
