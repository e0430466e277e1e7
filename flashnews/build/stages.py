"""The work of a build whose inputs changed: sources -> articles -> site -> pages -> output.

read sources -> parse + markup (cached by source hash) -> collect the site -> plan pages ->
render only pages whose inputs changed -> write the output as one transaction -> save state.
Edits and new stories that leave the rest of the site in place are built in place (inplace);
everything else takes the full build, which still renders only pages whose key changed.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from flashnews.build import fingerprint
from flashnews.compose import images, search
from flashnews.ingest import records
from flashnews.config import SiteConfig
from flashnews.errors import OutputError, SourceError
from flashnews.build.fingerprint import clock_window
from flashnews.build.indexing import docs_of, encode_docs_state, read_docs_state, update_index
from flashnews.build.inplace import build_in_place, remember_tree
from flashnews.build.searching import search_indexer
from flashnews.build.order import remember_site
from flashnews.build.loading import load_articles, load_body_pictures, load_lead_images, locate_body_pictures, locate_lead_images
from flashnews.model import BuildPaths, BuildResult, OutputFile, RenderedArticle, Site
from flashnews.build.output import OutputTransaction, WriteReport
from flashnews.compose.planner import PageSpec, SitePlanner
from flashnews.compose.render import create_environment, render_page
from flashnews.compose.site import collect_site
from flashnews.ingest.sources import is_ignored_dir, is_litter
from flashnews.build.state import PIPELINE_VERSION, SEARCH_DOCS, SEARCH_PENDING, BuildState, OutputRecord, article_url_owners, templates_cache_dir
from flashnews.ingest.sources import content_digest
from flashnews.build.workers import StagePool

if TYPE_CHECKING:
    # Only for annotations: pipeline imports this module when a build has work to do.
    from flashnews.build.pipeline import BuildInputs


def build(
    config: SiteConfig,
    paths: BuildPaths,
    *,
    now: datetime,
    include_drafts: bool,
    state: BuildState,
    progress: Callable[[str, int, int], None] | None,
    template_hash: str,
    inputs: BuildInputs,
    started: float,
    defer_search: bool = False,
    cancel_search: Callable[[], bool] | None = None,
    environment: jinja2.Environment | None = None,
) -> BuildResult:
    """The build of changed inputs (see pipeline.build_site): in place when it can be, else full."""
    edited = _build_in_place(
        config, paths, now=now, state=state, inputs=inputs, environment=environment or create_environment(paths.templates_dir, cache_dir=templates_cache_dir(paths.output_dir)),
        started=started, defer_search=defer_search, cancel_search=cancel_search,
    )
    if edited is not None:
        return edited
    with StagePool(create_environment(paths.templates_dir, cache_dir=templates_cache_dir(paths.output_dir)), paths.templates_dir) as pool:
        return _build_changed(
            config, paths, now=now, include_drafts=include_drafts, state=state, pool=pool, progress=progress,
            template_hash=template_hash, inputs=inputs, started=started, defer_search=defer_search,
            cancel_search=cancel_search,
        )


def read_static_files(static_dir: Path) -> list[OutputFile]:
    """Files under static/ as outputs under static/ (litter and dot files left out)."""
    if not static_dir.is_dir():
        return []
    files = []
    for path in sorted(static_dir.rglob("*")):
        relative = path.relative_to(static_dir)
        if path.is_file() and not is_litter(path.name) and not any(is_ignored_dir(p) for p in relative.parts[:-1]):
            files.append(OutputFile(f"static/{relative.as_posix()}", path.read_bytes()))
    return files


def make_planner(
    site: Site,
    config: SiteConfig,
    state: BuildState,
    *,
    template_hash: str,
    lead_images: Mapping[str, images.LeadImage] | None = None,
    body_pictures: Mapping[str, Mapping[str, images.BodyImage]] | None = None,
) -> SitePlanner:
    """The planner of one build: page keys are salted with the templates, the code and the
    pipeline version; article bodies are read back from the build cache when a page needs them."""

    def complete(item: RenderedArticle) -> RenderedArticle:
        if not item.partial:
            return item
        data = state.get_one(item.digest)
        if data is None:
            raise OutputError(f"the build cache lost the record of {item.article.source_path}", hint="build again")
        return records.decode_rendered(data, item.digest)

    extra = (search.plan_search_page(site, config),) if config.search else ()
    salt = f"{PIPELINE_VERSION}\0{template_hash}\0{fingerprint.code_digest()}"
    return SitePlanner(site, config, salt=salt, images=lead_images, pictures=body_pictures, extra_pages=extra, complete=complete)


def _build_in_place(
    config: SiteConfig, paths: BuildPaths, *, now: datetime, state: BuildState, inputs: BuildInputs,
    environment: jinja2.Environment, started: float, defer_search: bool = False, cancel_search: Callable[[], bool] | None = None,
) -> BuildResult | None:
    """The build of sources edited in place or added (see inplace), or None when the site needs a full build."""
    summary = json.loads(state.read_value("summary") or "null")
    if not isinstance(summary, dict):
        return None
    index = None
    if config.search:
        index = search_indexer(config, state, paths.output_dir, defer=defer_search, cancel=cancel_search)
    edited = build_in_place(
        config, content_dir=paths.content_dir, output_dir=paths.output_dir, state=state, base=inputs.base,
        tree_data=inputs.tree_data, now=now, environment=environment, index=index,
    )
    if edited is None:
        return None
    state.write_values({"fingerprint": inputs.fingerprint, **edited.search.state})
    return BuildResult.from_summary(
        json.loads(state.read_value("summary") or "null"),
        seconds=time.perf_counter() - started,
        written_paths=edited.written,
        deleted=len(edited.deleted),
        rendered=edited.rendered,
        indexed=edited.search.indexed,
        search_pending=edited.search.pending,
    )


def _remember_build(
    state: BuildState, inputs: BuildInputs, result: BuildResult, window: fingerprint.ClockWindow, *, site: Site, salt: str
) -> None:
    if result.errors or result.warnings:
        # Only a clean build may be skipped next time: errors and warnings must be shown again.
        state.write_values({"fingerprint": None, "clock": None, "summary": None})
        return
    remember_site(state, base=inputs.base, salt=salt, site=site)
    remember_tree(state, inputs.tree_data)
    state.write_values({"fingerprint": inputs.fingerprint, "clock": window.encode(), "summary": json.dumps(result.summary())})


@dataclass(slots=True)
class _LoadedSite:
    """The site of a full build with its pictures, and what loading it reported."""

    site: Site
    errors: list[SourceError]
    warnings: list[SourceError]
    failed: set[str]  # sources whose last good pages are kept
    lead_images: dict[str, images.LeadImage]
    body_pictures: dict[str, dict[str, images.BodyImage]]
    image_records: dict[str, OutputRecord]


@dataclass(slots=True)
class _Changes:
    """What a full build writes: the pages whose keys changed, the other files that changed, and
    the record of every output of the new site."""

    pages: list[PageSpec]
    files: list[OutputFile]
    records: dict[str, OutputRecord]


@dataclass(frozen=True, slots=True)
class _SearchOutcome:
    """What the search index stage did in a full build: the index files it staged (their paths
    among `made`), how many articles it indexed, whether it left the index to a later pass, and
    the build-state values to save."""

    indexed: int
    pending: bool
    state: dict[str, str | None]


def _load_site(config: SiteConfig, paths: BuildPaths, *, now: datetime, include_drafts: bool, state: BuildState, pool: StagePool,
               progress: Callable[[str, int, int], None] | None, inputs: BuildInputs, previous: Mapping[str, OutputRecord]) -> _LoadedSite:
    """Sources -> articles (parsed ones from the cache) -> the site, its lead and body pictures."""
    articles, errors, warnings, failed = load_articles(
        paths.content_dir, config, state, pool=pool, progress=progress,
        # Windows' directory walk reports no inode, which a source's stamp needs.
        stats=inputs.source_stats(paths.content_dir) if os.name == "posix" else None,
    )
    site, collisions = collect_site(
        articles, now=now, config=config, include_drafts=include_drafts, url_owners=article_url_owners(previous)
    )
    errors.extend(collisions)
    failed.update(c.location.path for c in collisions)
    lead_images, image_records, image_errors = load_lead_images(paths.content_dir, site, state)
    errors.extend(image_errors)
    body_pictures, picture_records, picture_errors, picture_warnings = load_body_pictures(paths.content_dir, site, state)
    errors.extend(picture_errors)
    warnings.extend(picture_warnings)
    return _LoadedSite(site, errors, warnings, failed, lead_images, body_pictures, {**picture_records, **image_records})


def _find_changes(
    specs: Sequence[PageSpec], loaded: _LoadedSite, paths: BuildPaths, state: BuildState, previous: Mapping[str, OutputRecord]
) -> _Changes:
    """The pages whose key is not the manifest's (or whose file is gone), and the static files and
    pictures whose digest changed."""
    changes = _Changes([], [], {})
    folder = f"{paths.output_dir}{os.sep}"

    def changed(path: str, record: OutputRecord) -> bool:
        changes.records[path] = record
        old = previous.get(path)
        return old is None or old.digest != record.digest or not os.path.isfile(folder + path)

    changes.pages = [spec for spec in specs if changed(spec.path, OutputRecord(spec.key, spec.source))]
    changes.files = [static for static in read_static_files(paths.static_dir) if changed(static.path, OutputRecord(content_digest(static.data)))]
    for path, record in loaded.image_records.items():
        if changed(path, record):
            changes.files.append(OutputFile(path, state.get_many([record.digest])[record.digest]))
    return changes


def _stage_search(
    config: SiteConfig, paths: BuildPaths, state: BuildState, site: Site, *, transaction: OutputTransaction, made: list[str],
    changes: _Changes, previous: Mapping[str, OutputRecord], defer: bool, cancel: Callable[[], bool] | None,
) -> _SearchOutcome:
    """Stage the search index of the site in the build's transaction, or, with defer and the
    index behind, keep the live index and remember what it must catch up with."""
    if not config.search:
        return _SearchOutcome(0, False, {SEARCH_DOCS: None, SEARCH_PENDING: None})
    docs = docs_of(site.articles)
    remembered = read_docs_state(state)
    if defer and (remembered is None or remembered[0] != docs):
        changes.records.update({path: record for path, record in previous.items() if search.is_search_output(path)})
        return _SearchOutcome(0, True, {SEARCH_PENDING: encode_docs_state(docs)})
    if cancel is not None and cancel():
        raise search.SearchCancelled("search indexing was stopped for a newer change")
    by_key = {item.digest: item for item in site.articles}
    update = update_index(
        config=config, state=state, output_dir=paths.output_dir, docs=docs, remembered=remembered, previous=previous,
        articles=lambda keys: by_key,
    )
    changes.records.update(update.records)
    for item in update.files:
        transaction.stage(item)
        made.append(item.path)
    return _SearchOutcome(update.indexed, False, {SEARCH_DOCS: update.remembered, SEARCH_PENDING: None})


def _write(
    config: SiteConfig, paths: BuildPaths, state: BuildState, planner: SitePlanner, pool: StagePool, changes: _Changes,
    loaded: _LoadedSite, previous: Mapping[str, OutputRecord], *, progress: Callable[[str, int, int], None] | None,
    defer_search: bool, cancel_search: Callable[[], bool] | None,
) -> tuple[WriteReport, _SearchOutcome]:
    """Render the changed pages and stage them, the changed files and the search index in one
    transaction; delete what the site no longer has (but the last good pages of sources that
    failed) and record it all in the manifest."""
    done = 0

    def rendered(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress("render", done, len(changes.pages))

    transaction = OutputTransaction(paths.output_dir)
    staged = pool.stage_specs(planner, changes.pages, transaction.target, progress=rendered)
    made: list[str] = []  # every file made in this build, written or found unchanged
    # The workers stage each page as they render it, so writing overlaps rendering. They are
    # stopped before the transaction ends, and also when it cannot start.
    with contextlib.ExitStack() as stack:
        stack.callback(staged.close)
        stack.enter_context(transaction)
        stack.callback(staged.close)
        for spec, was_staged in zip(changes.pages, staged):
            transaction.adopt(spec.path, was_staged)
            made.append(spec.path)
        for item in changes.files:
            transaction.stage(item)
            made.append(item.path)
        searched = _stage_search(
            config, paths, state, loaded.site, transaction=transaction, made=made, changes=changes, previous=previous,
            defer=defer_search, cancel=cancel_search,
        )
        records_now = changes.records
        kept = {path for path, record in previous.items() if record.source in loaded.failed and path not in records_now}
        report = transaction.commit([path for path in previous if path not in records_now and path not in kept])
    state.write_outputs({path: records_now[path] for path in made}, report.deleted, output_dir=paths.output_dir)
    return report, searched


def _build_changed(
    config: SiteConfig,
    paths: BuildPaths,
    *,
    now: datetime,
    include_drafts: bool,
    state: BuildState,
    pool: StagePool,
    progress: Callable[[str, int, int], None] | None,
    template_hash: str,
    inputs: BuildInputs,
    started: float,
    defer_search: bool = False,
    cancel_search: Callable[[], bool] | None = None,
) -> BuildResult:
    """Build everything whose inputs changed since the last build: load, plan, find the pages
    whose keys changed, render and stage them with the search index in one transaction, save."""
    state.write_values({"fingerprint": None})
    previous = state.read_outputs()
    loaded = _load_site(config, paths, now=now, include_drafts=include_drafts, state=state, pool=pool, progress=progress, inputs=inputs, previous=previous)
    if cancel_search is not None and cancel_search():
        raise search.SearchCancelled("the build was stopped for a newer change")
    site = loaded.site
    planner = make_planner(
        site, config, state, template_hash=template_hash, lead_images=loaded.lead_images, body_pictures=loaded.body_pictures
    )
    specs = planner.specs()
    if previous and not paths.output_dir.is_dir():
        state.clear_outputs()
        previous = {}
    changes = _find_changes(specs, loaded, paths, state, previous)
    report, searched = _write(
        config, paths, state, planner, pool, changes, loaded, previous, progress=progress, defer_search=defer_search, cancel_search=cancel_search
    )
    state.write_values(searched.state)
    result = BuildResult.of_site(
        site,
        pages=len(specs),
        seconds=time.perf_counter() - started,
        errors=loaded.errors,
        warnings=loaded.warnings,
        written_paths=report.written,
        deleted=len(report.deleted),
        rendered=len(changes.pages),
        indexed=searched.indexed,
        search_pending=searched.pending,
    )
    _remember_build(state, inputs, result, clock_window(site, config, now=now), site=site, salt=planner.salt)
    return result


def check_site(config: SiteConfig, paths: BuildPaths, *, now: datetime, include_drafts: bool = False) -> BuildResult:
    """Validate drops, sources, the pictures articles name and templates by rendering every page
    in memory; writes nothing."""
    from flashnews.ingest.drops import normalize_drops

    started = time.perf_counter()
    drops = normalize_drops(paths.content_dir, config, now=now, dry_run=True)
    state = BuildState(Path(":memory:"))
    try:
        environment = create_environment(paths.templates_dir)
        articles, errors, warnings, _ = load_articles(paths.content_dir, config, state)
        site, collisions = collect_site(articles, now=now, config=config, include_drafts=include_drafts)
        # Pictures are found, not resized: a missing one is reported, one that cannot be decoded only by a build.
        errors.extend(locate_lead_images(paths.content_dir, site)[1])
        _, picture_errors, picture_warnings = locate_body_pictures(paths.content_dir, site)
        errors.extend(picture_errors)
        warnings.extend(picture_warnings)
        planner = make_planner(site, config, state, template_hash="")
        specs = planner.specs()
        for spec in specs:
            render_page(environment, planner.plan(spec))
    finally:
        state.close()
    return BuildResult.of_site(
        site,
        pages=len(specs),
        seconds=time.perf_counter() - started,
        errors=[*drops.errors, *errors, *collisions],
        warnings=(*drops.warnings, *warnings),
    )
