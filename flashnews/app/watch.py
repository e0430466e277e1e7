"""File-system events -> debounced incremental rebuilds: watch content, templates, static and config.

The watchdog callback only records paths in a queue. One loop thread sorts each path with
`classify_change` (flashnews.app.changes; pictures in the content folder count, since articles show
them), waits with a `Debouncer` until the changes have been quiet for a moment and
the files stopped growing, then normalizes drops and rebuilds with one `BuildState` kept open,
so every rebuild is incremental. A failed rebuild is reported and the loop keeps watching.

A rebuild publishes its pages without waiting for the search index; the index is patched (the
term files holding the changed articles' words) as soon as the loop is idle.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import jinja2

from flashnews.config import SiteConfig, load_config
from flashnews.ingest.drops import DropReport, normalize_drops
from flashnews.errors import ConfigError, FlashnewsError
from flashnews.compose.images import find_picture_users, list_pictures
from flashnews.build.loading import cached_articles
from flashnews.build.pipeline import BuildPaths, build_site
from flashnews.build.searching import update_search_index
from flashnews.compose.render import create_environment
from flashnews.app.observe import FolderObserver
from flashnews.app.reporting import report_problems, summary_line
from flashnews.compose.search import SearchCancelled
from flashnews.ingest.sources import ARCHIVE_DIR, DROP_SUFFIXES, display_path
from flashnews.build.state import BuildState, state_path, templates_cache_dir
from flashnews.app.changes import (
    QUIET_SECONDS,
    ChangeBatch,
    ChangeKind,
    Debouncer,
    Signature,
    WatchRoots,
    classify_change,
    needs_normalizing,
    read_signature,
    watch_roots,
)

# Re-exported: the watch loop's public names include the change bookkeeping it runs on.
__all__ = [
    "QUIET_SECONDS", "BuildOutcome", "ChangeBatch", "ChangeKind", "Debouncer", "WatchRoots", "Watcher",
    "classify_change", "needs_normalizing", "read_signature", "watch_roots",
]

@dataclass(frozen=True, slots=True)
class BuildOutcome:
    """What one build of the watch loop did; number 0 is the build at start."""

    number: int
    changed: tuple[str, ...]
    kinds: frozenset[ChangeKind]
    problems: tuple[str, ...]
    written: int = 0
    deleted: int = 0
    fatal: bool = False
    seconds: float = 0.0

    @property
    def is_clean(self) -> bool:
        return not self.problems


class Watcher:
    """Builds once, then rebuilds after every settled change until stopped."""

    def __init__(
        self,
        config: SiteConfig,
        paths: BuildPaths,
        *,
        config_path: Path | None = None,
        base_url: str | None = None,
        now: datetime | None = None,
        include_drafts: bool = False,
        poll: bool = False,
        quiet: float = QUIET_SECONDS,
        verbosity: int = 0,
        on_build: Callable[[BuildOutcome], None] | None = None,
        on_pages: Callable[[tuple[str, ...]], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.paths = paths
        self.roots = watch_roots(paths, config_path)
        self._base_url = base_url
        self._now = now
        self._include_drafts = include_drafts
        self._verbosity = verbosity
        self._on_build = on_build
        self._on_pages = on_pages
        self._clock = clock
        self._debouncer = Debouncer(quiet)
        self._changes: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._outcomes: list[BuildOutcome] = []
        self._built = threading.Condition()
        self._config_problem: str | None = None
        # With a live clock, articles dated in the future are published by a rebuild at their time.
        self._scheduled_at: datetime | None = None
        # Pages are published without waiting for the search index; it is rebuilt once the loop is idle.
        self._search_due = False
        self._environment: jinja2.Environment | None = None
        self._thread: threading.Thread | None = None
        folders = (self.roots.content_dir, self.roots.templates_dir, self.roots.static_dir)
        self._observer = FolderObserver(self._changes, folders, self.roots.config_path, poll=poll)
        # The picture files in content/ as of the last build, so a log line can say whether a
        # changed picture was added, replaced or deleted.
        self._pictures: set[str] = set()

    # -- control -------------------------------------------------------------------------

    def start(self) -> None:
        """Build in the loop thread, then start watching; returns at once."""
        self.paths.content_dir.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="flashnews-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._observer.stop()
        self._changes.put(None)
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._observer.join(timeout=10)

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self, *, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout=timeout)

    @property
    def outcomes(self) -> tuple[BuildOutcome, ...]:
        with self._built:
            return tuple(self._outcomes)

    @property
    def rebuilds(self) -> int:
        """Builds after the one at start."""
        with self._built:
            return max(0, len(self._outcomes) - 1)

    def wait_for_builds(self, count: int, *, timeout: float) -> bool:
        """Wait until `count` builds (the one at start included) have finished."""
        with self._built:
            return self._built.wait_for(lambda: len(self._outcomes) >= count, timeout=timeout)

    def wait_until_idle(self, *, timeout: float) -> bool:
        """Wait until the search index has caught up with the last build."""
        with self._built:
            return self._built.wait_for(lambda: not self._search_due, timeout=timeout)

    # -- the loop ------------------------------------------------------------------------

    def _run(self) -> None:
        # SQLite connections belong to the thread that opened them, so the state lives here.
        state = BuildState(state_path(self.paths.output_dir), session=True)
        try:
            self._observer.start()
            self._build(state, ChangeBatch((), frozenset()))
            self._loop(state)
        finally:
            state.close()

    def _seconds_to_schedule(self) -> float | None:
        if self._scheduled_at is None:
            return None
        return (self._scheduled_at - datetime.now(timezone.utc).replace(microsecond=0)).total_seconds()

    def _loop(self, state: BuildState) -> None:
        while True:
            waits = [self._debouncer.seconds_left(at=self._clock()), self._seconds_to_schedule(), 0.0 if self._search_due and not self._debouncer.pending else 1.0]
            try:
                path = self._changes.get(timeout=max(0.0, min(w for w in waits if w is not None)))
            except queue.Empty:
                path = ""
            while path is not None:
                if path:
                    self._record(path)
                try:
                    path = self._changes.get_nowait()
                except queue.Empty:
                    break
            if path is None:
                return
            self._observer.rearm()
            pending = self._debouncer.pending
            batch = self._debouncer.take(at=self._clock(), signatures={p: read_signature(p) for p in pending})
            due = self._seconds_to_schedule()
            if batch is not None:
                self._build(state, batch)
            elif not pending and self._search_due and self._changes.empty():
                self._update_search(state)
            elif not pending and due is not None and due <= 0:
                if self._verbosity >= 0:
                    print(f"publishing what was scheduled for {self._scheduled_at.isoformat()}")  # type: ignore[union-attr]
                self._build(state, ChangeBatch((), frozenset({"content"})))

    def _record(self, path: str) -> None:
        kind = classify_change(path, self.roots)
        if kind != "ignored":
            self._debouncer.add(path, kind, signature=read_signature(path), at=self._clock())

    def _build(self, state: BuildState, batch: ChangeBatch) -> None:
        number = len(self._outcomes)
        started = time.perf_counter()
        # Set again by a build that finishes; a failed one waits for the next change instead.
        self._scheduled_at = None
        try:
            outcome = self._rebuild(state, batch, number)
        except FlashnewsError as exc:
            outcome = self._fatal(batch, number, str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug in one rebuild must not end the watch
            traceback.print_exc()
            outcome = self._fatal(batch, number, f"internal error: {type(exc).__name__}: {exc}")
        outcome = replace(outcome, seconds=time.perf_counter() - started)
        with self._built:
            self._outcomes.append(outcome)
            self._built.notify_all()
        if self._on_build is not None:
            try:
                self._on_build(outcome)
            except Exception:  # noqa: BLE001 - a listener's failure must not end the watch
                traceback.print_exc()

    def _first_pages_published(self, started: float) -> Callable[[tuple[str, ...]], None]:
        """What a build calls once it has published the own pages of edited or new articles,
        before it renders the pages that list them."""

        def published(written: tuple[str, ...]) -> None:
            if written and self._verbosity >= 0:
                print(f"published {', '.join(written)} in {time.perf_counter() - started:.2f} s; updating the pages that list it", flush=True)
            if written and self._on_pages is not None:
                try:
                    self._on_pages(written)
                except Exception:  # noqa: BLE001 - a listener's failure must not end the watch
                    traceback.print_exc()

        return published

    def _change_is_waiting(self) -> bool:
        """Whether a change that needs a rebuild (or a stop) has come in; litter does not count."""
        while True:
            try:
                path = self._changes.get_nowait()
            except queue.Empty:
                return bool(self._debouncer.pending)
            if path is None:
                self._changes.put(None)
                return True
            if path:
                self._record(path)

    def _update_search(self, state: BuildState) -> None:
        """Bring the search index up to date with the pages the last build published."""
        started = time.perf_counter()
        try:
            indexed = update_search_index(self.config, self.paths, state, cancel=self._change_is_waiting)
            if self._verbosity >= 0:
                print(f"search index updated: {indexed} articles in {time.perf_counter() - started:.2f} s", flush=True)
        except SearchCancelled:
            return  # a change came in: it is built first, and the index waits for the next idle moment
        except FlashnewsError as exc:
            print(f"search index not updated: {exc}", file=sys.stderr)
        except Exception:  # noqa: BLE001 - a bug here must not end the watch
            traceback.print_exc()
        with self._built:
            self._search_due = False
            self._built.notify_all()

    def _fatal(self, batch: ChangeBatch, number: int, message: str) -> BuildOutcome:
        print(message, file=sys.stderr)
        print("the previous output is unchanged; watching for the fix", file=sys.stderr)
        problems = tuple(p for p in (self._config_problem, message) if p)
        return BuildOutcome(number, batch.paths, batch.kinds, problems, fatal=True)

    def _reload_config(self) -> None:
        if self.roots.config_path is None:
            return
        try:
            self.config = load_config(self.roots.config_path, base_url=self._base_url)
        except ConfigError as exc:
            self._config_problem = f"{exc}; keeping the last good config"
            print(self._config_problem, file=sys.stderr)
            return
        self._config_problem = None

    def _sort_pictures(self, batch: ChangeBatch) -> dict[str, str]:
        """Each picture of the batch that came, changed or went, with what happened to it."""
        changed: dict[str, str] = {}
        for path in batch.paths:
            if classify_change(path, self.roots) != "picture":
                continue
            was, is_now = path in self._pictures, os.path.isfile(path)
            if was or is_now:
                changed[path] = "deleted" if not is_now else "replaced" if was else "added"
            if is_now:
                self._pictures.add(path)
            else:
                self._pictures.discard(path)
        return changed

    def _picture_lines(self, state: BuildState, pictures: dict[str, str]) -> list[str]:
        """What happened to each changed picture and which articles show it, as the build just found them."""
        articles = cached_articles(self.config, state) if pictures else []
        lines = []
        for path, happened in pictures.items():
            users = find_picture_users(Path(path), self.paths.content_dir, articles)
            shown = display_path(Path(path), self.roots.content_dir)
            lines.append(f"picture {shown} {happened}, used by {', '.join(users) if users else 'no article'}")
        return lines

    def _rebuild(self, state: BuildState, batch: ChangeBatch, number: int) -> BuildOutcome:
        started = time.perf_counter()
        if "config" in batch.kinds:
            self._reload_config()
            if self._config_problem is not None and batch.kinds == {"config"}:
                return BuildOutcome(number, batch.paths, batch.kinds, (self._config_problem,), fatal=True)
        if batch.paths and self._verbosity >= 0:
            print(f"changed: {', '.join(_shown(batch.paths))}")
        pictures = self._sort_pictures(batch)
        now = self._now or datetime.now(timezone.utc).replace(microsecond=0)
        drops = DropReport()
        if number == 0 or needs_normalizing(batch, self.roots):
            drops = normalize_drops(self.paths.content_dir, self.config, now=now)
            self._debouncer.expect(_drop_signatures(drops, self.paths.content_dir))
        self._pictures.update(os.path.abspath(path) for path in drops.pictures)
        # A folder that came or went (or a rescan) may hold pictures no event named.
        if number == 0 or any(classify_change(p, self.roots) == "content" and not os.path.splitext(p)[1] for p in batch.paths):
            self._pictures = {os.path.abspath(path) for path in list_pictures(self.paths.content_dir)}
        if self._verbosity >= 0:
            for path in drops.written:
                print(f"normalized {path}")
        report_problems(drops.errors, drops.warnings, self._verbosity)
        if self._environment is None:
            self._environment = create_environment(self.paths.templates_dir, reload=True, cache_dir=templates_cache_dir(self.paths.output_dir))
        # The edited and new articles' own pages go out first (see inplace.publish_first).
        changed: list[str] = []
        if number > 0 and batch.kinds == {"content"} and not drops.errors:
            normalized = [str(self.paths.content_dir.joinpath(*shown.split("/")[1:])) for shown in drops.written]
            changed = [*(path for path in batch.paths if path.lower().endswith(".md")), *normalized]
        result = build_site(
            self.config, self.paths, now=now, include_drafts=self._include_drafts, state=state, defer_search=True,
            environment=self._environment, changed=[Path(path) for path in changed], on_first_pages=self._first_pages_published(started),
        )
        with self._built:
            self._search_due = self._search_due or result.search_pending
        report_problems(result.errors, result.warnings, self._verbosity)
        if self._verbosity >= 0:
            for line in self._picture_lines(state, pictures):
                print(line)
        if self._verbosity > 0:
            for path in result.written_paths:
                print(f"wrote {path}")
        print(summary_line(result, drops), flush=True)
        self._scheduled_at = result.next_scheduled_at if self._now is None else None
        problems = [str(e) for e in (*drops.errors, *result.errors)]
        if self._config_problem:
            problems.insert(0, self._config_problem)
        return BuildOutcome(number, batch.paths, batch.kinds, tuple(problems), result.written, result.deleted)


def _shown(paths: Iterable[str]) -> list[str]:
    here = os.getcwd()
    return [os.path.relpath(p, here) if p.startswith(here) else p for p in paths]


def _drop_signatures(report: DropReport, content_dir: Path) -> dict[str, Signature]:
    """The .md files and pictures normalizing wrote, and the drops (with a saved page's _files
    folder) it moved away, as they are now."""
    signatures: dict[str, Signature] = {}
    root = os.path.abspath(content_dir)
    for shown in report.written:
        markdown = os.path.join(root, *Path(shown).parts[1:])
        signatures[markdown] = read_signature(markdown)
        for suffix in DROP_SUFFIXES:
            raw = os.path.splitext(markdown)[0] + suffix
            signatures[raw] = read_signature(raw)
    for picture in report.pictures:
        signatures[os.path.abspath(picture)] = read_signature(os.path.abspath(picture))
    for raw_path, _ in report.applied:
        folder = Path(os.path.abspath(raw_path)).with_name(f"{Path(raw_path).stem}_files")
        archived = Path(root, ARCHIVE_DIR, folder.relative_to(root))
        if archived.is_dir() and not folder.exists():
            signatures[str(folder)] = None
            for inside in archived.rglob("*"):
                signatures[str(folder / inside.relative_to(archived))] = None
    return signatures
