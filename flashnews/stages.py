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
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from flashnews import fingerprint, images, records, search
from flashnews.config import SiteConfig
from flashnews.errors import OutputError
from flashnews.fingerprint import clock_window
from flashnews.indexing import SEARCH_DOCS, SEARCH_PENDING, docs_of, encode_docs_state, read_docs_state, update_index
from flashnews.inplace import Indexer, SearchIndex, build_in_place, remember_site
from flashnews.loading import (
    cached_partial, load_articles, load_body_pictures, load_lead_images, locate_body_pictures, locate_lead_images, source_cache_key,
)
from flashnews.model import BuildPaths, BuildResult, OutputFile, RenderedArticle, Site
from flashnews.output import OutputTransaction, recover_output
from flashnews.planner import PageSpec, SitePlanner
from flashnews.render import create_environment, render_page
from flashnews.site import collect_site
from flashnews.sources import is_ignored_dir, is_litter
from flashnews.state import PIPELINE_VERSION, BuildState, OutputRecord, article_url_owners, content_digest
from flashnews.workers import StagePool

if TYPE_CHECKING:
    # Only for annotations: pipeline imports this module when a build has work to do.
    from flashnews.pipeline import BuildInputs


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
    plan_always: bool = False,
) -> BuildResult:
    """The build of changed inputs (see pipeline.build_site): in place when it can be, else full."""
    environment = create_environment(paths.templates_dir)
    # A session that keeps its planner (watch mode) needs every build to renew it.
    if not plan_always and not defer_search and state.last_planner is None:
        edited = _build_in_place(
            config, paths, now=now, state=state, inputs=inputs, environment=environment, started=started, cancel_search=cancel_search
        )
        if edited is not None:
            return edited
    with StagePool(environment, paths.templates_dir) as pool:
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


def update_search_index(
    config: SiteConfig, paths: BuildPaths, state: BuildState, *, cancel: Callable[[], bool] | None = None
) -> int:
    """Index the articles the last build published, when a build deferred it (watch mode's idle
    pass): no source is read and no page planned. Returns how many articles were (re)indexed;
    raises search.SearchCancelled or OutputError."""
    recover_output(paths.output_dir)
    pending = read_docs_state(state, SEARCH_PENDING)
    if pending is None:
        return 0
    if cancel is not None and cancel():
        raise search.SearchCancelled("search indexing was stopped for a newer change")
    remembered = read_docs_state(state)
    previous = state.read_outputs_of(remembered[1]) if remembered else {}
    with OutputTransaction(paths.output_dir) as transaction:
        update = update_index(
            config=config, state=state, output_dir=paths.output_dir, docs=pending[0], previous=previous,
            articles=lambda keys: cached_partial(state, keys),
        )
        for item in update.files:
            transaction.stage(item)
        report = transaction.commit(update.stale)
    state.write_outputs({item.path: update.records[item.path] for item in update.files}, report.deleted)
    state.write_values({SEARCH_DOCS: update.remembered, SEARCH_PENDING: None})
    return update.indexed


def _build_in_place(
    config: SiteConfig, paths: BuildPaths, *, now: datetime, state: BuildState, inputs: BuildInputs,
    environment: jinja2.Environment, started: float, cancel_search: Callable[[], bool] | None = None,
) -> BuildResult | None:
    """The build of sources edited in place or added (see inplace), or None when the site needs a full build."""
    if not isinstance(json.loads(state.read_value("summary") or "null"), dict):
        return None
    edited = build_in_place(
        config, content_dir=paths.content_dir, output_dir=paths.output_dir, state=state, base=inputs.base, tree=inputs.tree,
        tree_data=inputs.tree_data, now=now, environment=environment,
        index=_search_indexer(config, state, paths.output_dir, cancel=cancel_search) if config.search else None,
    )
    if edited is None:
        return None
    state.write_values({"fingerprint": inputs.fingerprint, **edited.search_state})
    return BuildResult.from_summary(
        json.loads(state.read_value("summary") or "null"),
        seconds=time.perf_counter() - started,
        written_paths=edited.written,
        deleted=len(edited.deleted),
        rendered=edited.rendered,
        indexed=edited.indexed,
    )


def _search_indexer(config: SiteConfig, state: BuildState, output_dir: Path, *, cancel: Callable[[], bool] | None = None) -> Indexer:
    """Stages the search index of the site an in-place build changed: the articles in its new
    order (newest first) with the records of those it parsed. Raises search.SearchCancelled when
    cancel() is true as it starts."""

    def index(transaction: OutputTransaction, order: list[str], new_items: Mapping[str, RenderedArticle]) -> SearchIndex:
        if cancel is not None and cancel():
            raise search.SearchCancelled("search indexing was stopped for a newer change")
        remembered = read_docs_state(state)
        base = read_docs_state(state, SEARCH_PENDING) or remembered
        if base is not None:
            keys = dict(base[0])
        else:
            keys = {shown: source_cache_key(config, shown, digest) for shown, (_, digest) in state.read_file_digests().items()}
        keys.update({source: item.digest for source, item in new_items.items()})
        parsed = {item.digest: item for item in new_items.values()}

        def articles(wanted: Sequence[str]) -> dict[str, RenderedArticle]:
            found = cached_partial(state, [key for key in wanted if key not in parsed])
            return {**found, **{key: parsed[key] for key in wanted if key in parsed}}

        update = update_index(
            config=config, state=state, output_dir=output_dir, docs=[(source, keys[source]) for source in reversed(order)],
            previous=state.read_outputs_of(remembered[1]) if remembered else {}, articles=articles,
            terms={item.digest: search.article_terms(item) for item in new_items.values()},
        )
        for item in update.files:
            transaction.stage(item)
        files = {item.path: update.records[item.path] for item in update.files}
        return SearchIndex(files, tuple(update.stale), update.indexed, {SEARCH_DOCS: update.remembered, SEARCH_PENDING: None})

    return index


def _remember_build(
    state: BuildState, inputs: BuildInputs, result: BuildResult, window: fingerprint.ClockWindow, *, site: Site, salt: str
) -> None:
    if result.errors or result.warnings:
        # Only a clean build may be skipped next time: errors and warnings must be shown again.
        state.write_values({"fingerprint": None, "clock": None, "summary": None})
        return
    remember_site(state, base=inputs.base, salt=salt, tree_data=inputs.tree_data, site=site)
    state.write_values({"fingerprint": inputs.fingerprint, "clock": window.encode(), "summary": json.dumps(result.summary())})


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
    """Build everything whose inputs changed since the last build."""
    state.write_values({"fingerprint": None})
    articles, errors, warnings, failed = load_articles(
        paths.content_dir, config, state, pool=pool, progress=progress,
        # Windows' directory walk reports no inode, which a source's stamp needs.
        stats=inputs.source_stats(paths.content_dir) if os.name == "posix" else None,
    )
    previous = state.read_outputs()
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
    image_records = {**picture_records, **image_records}
    if cancel_search is not None and cancel_search():
        raise search.SearchCancelled("the build was stopped for a newer change")
    planner = make_planner(site, config, state, template_hash=template_hash, lead_images=lead_images, body_pictures=body_pictures)
    specs = planner.specs()
    if previous and not paths.output_dir.is_dir():
        state.clear_outputs()
        previous = {}
    records_now: dict[str, OutputRecord] = {}
    to_render: list[PageSpec] = []
    folder = f"{paths.output_dir}{os.sep}"
    for spec in specs:
        record = OutputRecord(spec.key, spec.source)
        records_now[spec.path] = record
        old = previous.get(spec.path)
        if old is None or old.digest != record.digest or not os.path.isfile(folder + spec.path):
            to_render.append(spec)
    done = 0

    def rendered(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress("render", done, len(to_render))

    extra: list[OutputFile] = []
    for static in read_static_files(paths.static_dir):
        record = OutputRecord(content_digest(static.data))
        records_now[static.path] = record
        old = previous.get(static.path)
        if old is None or old.digest != record.digest or not (paths.output_dir / static.path).is_file():
            extra.append(static)
    for path, record in image_records.items():
        records_now[path] = record
        old = previous.get(path)
        if old is None or old.digest != record.digest or not (paths.output_dir / path).is_file():
            extra.append(OutputFile(path, state.get_many([record.digest])[record.digest]))
    transaction = OutputTransaction(paths.output_dir)
    staged = pool.stage_specs(planner, to_render, transaction.target, progress=rendered)
    indexed = 0
    made: list[str] = []  # every file made in this build, written or found unchanged
    # The workers stage each page as they render it, so writing overlaps rendering. They are
    # stopped before the transaction ends, and also when it cannot start.
    with contextlib.ExitStack() as stack:
        stack.callback(staged.close)
        stack.enter_context(transaction)
        stack.callback(staged.close)
        for spec, was_staged in zip(to_render, staged):
            transaction.adopt(spec.path, was_staged)
            made.append(spec.path)
        for item in extra:
            transaction.stage(item)
            made.append(item.path)
        search_state: dict[str, str | None] = {SEARCH_DOCS: None, SEARCH_PENDING: None}
        if config.search:
            docs = docs_of(site.articles)
            remembered = read_docs_state(state)
            if defer_search and (remembered is None or remembered[0] != docs):
                records_now.update({path: record for path, record in previous.items() if search.is_search_output(path)})
                indexed = -1
                search_state = {SEARCH_PENDING: encode_docs_state(docs)}
            else:
                if cancel_search is not None and cancel_search():
                    raise search.SearchCancelled("search indexing was stopped for a newer change")
                by_key = {item.digest: item for item in site.articles}
                update = update_index(
                    config=config, state=state, output_dir=paths.output_dir, docs=docs, previous=previous,
                    articles=lambda keys: by_key,
                )
                records_now.update(update.records)
                for item in update.files:
                    transaction.stage(item)
                    made.append(item.path)
                indexed = update.indexed
                search_state = {SEARCH_DOCS: update.remembered, SEARCH_PENDING: None}
        kept = {path: record for path, record in previous.items() if record.source in failed and path not in records_now}
        report = transaction.commit([path for path in previous if path not in records_now and path not in kept])
    changed = {path: records_now[path] for path in made}
    state.write_outputs(changed, report.deleted)
    state.last_planner = planner
    state.write_values(search_state)
    result = BuildResult.of_site(
        site,
        pages=len(specs),
        seconds=time.perf_counter() - started,
        errors=errors,
        warnings=warnings,
        written_paths=report.written,
        deleted=len(report.deleted),
        rendered=len(to_render),
        indexed=max(indexed, 0),
        search_pending=indexed < 0,
    )
    if indexed < 0:
        state.write_values({"fingerprint": None})  # the next build must bring the index up to date
    else:
        _remember_build(state, inputs, result, clock_window(site, config, now=now), site=site, salt=planner.salt)
    return result


def check_site(config: SiteConfig, paths: BuildPaths, *, now: datetime, include_drafts: bool = False) -> BuildResult:
    """Validate drops, sources, the pictures articles name and templates by rendering every page
    in memory; writes nothing."""
    from flashnews.drops import normalize_drops

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
