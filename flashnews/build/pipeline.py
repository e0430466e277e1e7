"""build_site(): the one entry to a build.

A build first fingerprints what it reads (BuildInputs) and stops there when nothing changed
since the last clean build; otherwise flashnews.build.stages does the work, in order: read sources ->
parse + markup (cached by source hash) -> collect the site -> plan pages -> render only pages
whose inputs changed -> write the output as one transaction -> save state.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flashnews.build import fingerprint
from flashnews.config import SiteConfig
from flashnews.errors import TemplateError
from flashnews.model import BuildPaths, BuildResult
from flashnews.build.output import recover_output
from flashnews.ingest.sources import ARCHIVE_DIR, is_litter
from flashnews.build.state import PIPELINE_VERSION, SEARCH_PENDING, BuildState, FileStamp, state_path, templates_cache_dir
from flashnews.ingest.sources import content_digest

if TYPE_CHECKING:
    import jinja2

__all__ = ["PIPELINE_VERSION", "BuildInputs", "BuildPaths", "BuildResult", "build_site", "content_stamps_started", "templates_digest"]


# Template files last changed longer ago than this are known by their stamps (size, times, inode)
# until one changes: a file written more recently could be written again within the file
# system's clock tick and keep its stamp.
_SETTLED_NS = 2_000_000_000
# The templates folders this process hashed: folder -> (their stamps, the digest).
_known_templates: dict[str, tuple[list[tuple[str, int, int, int, int]], str]] = {}


def templates_digest(templates_dir: Path) -> str:
    """A hash of every template, so any template change re-renders the pages. A session that
    builds again and again reads the templates again only when their stamps change."""
    folder = os.path.abspath(templates_dir)
    stamps = fingerprint.stamp_tree(templates_dir)
    known = _known_templates.get(folder)
    if known is not None and known[0] == stamps:
        return known[1]
    digest = _hash_templates(templates_dir)
    if stamps and time.time_ns() - max(max(mtime, ctime) for _, _, mtime, ctime, _ in stamps) > _SETTLED_NS:
        _known_templates[folder] = (stamps, digest)
    return digest


def _hash_templates(templates_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in templates_dir.rglob("*") if p.is_file() and not is_litter(p.name)):
        digest.update(path.relative_to(templates_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def content_stamps_started(paths: BuildPaths) -> fingerprint.StartedStamps:
    """The stamps of content/ a build reads, started now: a command that builds calls this
    first and passes the result to build_site, or discards it when it changed content/ in between."""
    return fingerprint.StartedStamps(paths.content_dir, skip=[ARCHIVE_DIR])


def build_site(
    config: SiteConfig,
    paths: BuildPaths,
    *,
    now: datetime,
    include_drafts: bool = False,
    state: BuildState | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    defer_search: bool = False,
    cancel_search: Callable[[], bool] | None = None,
    environment: jinja2.Environment | None = None,
    on_first_pages: Callable[[tuple[str, ...]], None] | None = None,
    changed: Sequence[Path] = (),
    content_stamps: fingerprint.StartedStamps | None = None,
) -> BuildResult:
    """Build the site into paths.output_dir; raises TemplateError, OutputError or ConfigError
    (fatal: the previous output is left untouched) and reports source errors in the result.

    progress(stage, done, total) is called as sources are parsed and pages rendered. With
    defer_search the pages are published without waiting for the search index, which keeps its
    last version until a later build or update_search_index (result.search_pending says one is
    due). cancel_search() is asked after loading and while the search index is made; when it
    turns true the build stops with search.SearchCancelled and the output is left as it was.

    A session that builds again and again (watch mode) passes the template `environment` it keeps
    for the builds that render a few pages, the files it saw change, and on_first_pages(paths):
    the own pages of those that are edited or new articles are then published first (see
    inplace.publish_first) and on_first_pages is called with them before the build goes on.
    content_stamps (content_stamps_started) gives the stamps of content/ made while the caller did
    other work."""
    started = time.perf_counter()
    recover_output(paths.output_dir)
    own_state = state is None
    state = state or BuildState(state_path(paths.output_dir))
    try:
        if not paths.templates_dir.is_dir():
            raise TemplateError("", None, f"templates folder {paths.templates_dir} not found")
        template_hash = templates_digest(paths.templates_dir)
        base = BuildInputs.base_of(config, paths, include_drafts=include_drafts, template_hash=template_hash)
        if changed and on_first_pages is not None:
            _publish_first(config, paths, state, base=base, now=now, environment=environment, changed=changed, on_first_pages=on_first_pages)
        if content_stamps is not None and content_stamps.busy():
            # The stages take a few tenths of a second to import; a build that would wait for
            # the stamps of content/ imports them meanwhile.
            from flashnews.build import stages  # noqa: F401
        inputs = BuildInputs.of(paths, base=base, stamps=content_stamps)
        unchanged = _unchanged_result(state, inputs.fingerprint, now=now, output_dir=paths.output_dir, started=started, defer_search=defer_search)
        if unchanged is not None:
            return unchanged
        # The stages are imported only by a build with work to do: Jinja, Markdown, the image
        # library and the rest take longer to import than a build with nothing to do takes.
        from flashnews.build import stages

        return stages.build(
            config, paths, now=now, include_drafts=include_drafts, state=state, progress=progress, template_hash=template_hash,
            inputs=inputs, started=started, defer_search=defer_search, cancel_search=cancel_search, environment=environment,
        )
    finally:
        if own_state:
            state.close()


@dataclass(frozen=True, slots=True)
class BuildInputs:
    """What a build reads: `base` fingerprints everything but content/, `tree_data` stamps
    content/ (fingerprint.stamp_records: one record per file)."""

    base: str
    tree_data: bytes
    fingerprint: str

    @staticmethod
    def base_of(config: SiteConfig, paths: BuildPaths, *, include_drafts: bool, template_hash: str) -> str:
        """The fingerprint of what a build reads outside content/."""
        return fingerprint.input_fingerprint(
            PIPELINE_VERSION,
            fingerprint.code_stamp(),
            config.digest(),
            include_drafts,
            template_hash,
            [str(p.resolve()) for p in (paths.content_dir, paths.templates_dir, paths.static_dir)],
            fingerprint.stamp_tree(paths.static_dir),
        )

    @staticmethod
    def of(paths: BuildPaths, *, base: str, stamps: Callable[[], bytes] | None = None) -> BuildInputs:
        """stamps, when given, gives content/'s records (content_stamps_started)."""
        tree_data = stamps() if stamps is not None else fingerprint.stamp_records(paths.content_dir, skip=[ARCHIVE_DIR])
        return BuildInputs(base, tree_data, fingerprint.input_fingerprint(base, content_digest(tree_data)))

    def source_stats(self, content_dir: Path) -> dict[str, FileStamp]:
        """The stat of each .md file in the tree, by the path builds show (content/...), so
        loading does not stat every source a second time."""
        head = f"{content_dir.name}/" if content_dir.name else ""
        return {
            head + relative: FileStamp(size, mtime, ctime, inode)
            for relative, size, mtime, ctime, inode in fingerprint.tree_entries(self.tree_data)
            if size >= 0 and relative[-3:].casefold() == ".md"
        }


def _publish_first(
    config: SiteConfig, paths: BuildPaths, state: BuildState, *, base: str, now: datetime, environment: jinja2.Environment | None,
    changed: Sequence[Path], on_first_pages: Callable[[tuple[str, ...]], None],
) -> None:
    from flashnews.compose import render
    from flashnews.build.inplace import publish_first

    written = publish_first(
        config, content_dir=paths.content_dir, output_dir=paths.output_dir, state=state, base=base, now=now,
        environment=environment or render.create_environment(paths.templates_dir, cache_dir=templates_cache_dir(paths.output_dir)), changed=changed,
    )
    if written:
        on_first_pages(written)


def _unchanged_result(
    state: BuildState, fingerprint_now: str, *, now: datetime, output_dir: Path, started: float, defer_search: bool
) -> BuildResult | None:
    """The result of the last build when nothing it read has changed, the clock is still inside its
    window, every output it recorded is still there and the search index is not behind (unless
    the caller defers it); None when the site must be built."""
    if state.read_value("fingerprint") != fingerprint_now:
        return None
    pending = state.read_value(SEARCH_PENDING) is not None
    if pending and not defer_search:
        return None
    window = fingerprint.ClockWindow.decode(state.read_value("clock") or "")
    summary = json.loads(state.read_value("summary") or "null")
    if window is None or not window.contains(now) or not isinstance(summary, dict):
        return None
    if not state.has_every_output(output_dir):
        return None
    return BuildResult.from_summary(summary, seconds=time.perf_counter() - started, search_pending=pending)
