"""build_site(): the one place that knows the order of the stages.

read sources -> parse + markup (cached by source hash) -> collect the site -> plan pages ->
render only pages whose inputs changed -> write the output as one transaction -> save state.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flashnews import fingerprint, images, records, search
from flashnews.drops import ARCHIVE_DIR
from flashnews.fingerprint import clock_window
from flashnews.config import SiteConfig
from flashnews.errors import FlashnewsError, OutputError, SourceError, SourceLocation, SourceWarning, TemplateError
from flashnews.model import OutputFile, RenderedArticle, Site
from flashnews.output import OutputTransaction, recover_output
from flashnews.planner import ARTICLE, PageSpec, SitePlanner
from flashnews.render import create_environment, render_page
from flashnews.site import collect_site
from flashnews.sources import display_path, is_ignored_dir, is_litter, read_source_bytes, scan_source_files
from flashnews.state import BuildState, FileStamp, OutputRecord, stamp_of, state_path
from flashnews.workers import StagePool, parse_file, restore_error

# Bump when parsing or Markdown output changes, so cached articles are rebuilt.
PIPELINE_VERSION = "4"


@dataclass(frozen=True, slots=True)
class BuildPaths:
    """The folders a build reads and writes."""

    content_dir: Path
    output_dir: Path
    templates_dir: Path
    static_dir: Path


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build did, for the summary line and the exit status."""

    articles: int
    pages: int
    written: int
    deleted: int
    errors: tuple[FlashnewsError, ...]
    warnings: tuple[SourceWarning, ...]
    next_scheduled_at: datetime | None
    seconds: float
    held_back: int = 0
    rendered: int = 0
    written_paths: tuple[str, ...] = field(default=())
    indexed: int = 0  # pages Pagefind indexed in this build; 0 when the search index was reused
    search_pending: bool = False  # the pages changed but the search index was left for a later build


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def templates_digest(templates_dir: Path) -> str:
    """A hash of every template, so any template change re-renders the pages."""
    digest = hashlib.sha256()
    for path in sorted(p for p in templates_dir.rglob("*") if p.is_file() and not is_litter(p.name)):
        digest.update(path.relative_to(templates_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


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


def _read_source(path: Path, shown: str, config: SiteConfig) -> bytes:
    """A source's bytes; an OS error becomes a located SourceError."""
    try:
        return read_source_bytes(path, shown=shown, max_bytes=config.normalize.max_source_bytes)
    except OSError as exc:
        raise SourceError(SourceLocation(shown, 1), f"cannot read the file: {exc.strerror}") from exc


# Warnings of a parsed article are cached beside it, so every build reports them again.
_WARNINGS = "\0warnings"
# Parsed records are written to the cache in batches of this many entries.
_FLUSH_EVERY = 2_000
# The record without the body (records.encode_partial), cached beside the whole one.
_PARTIAL = "\0partial"


def _encode_warnings(found: Sequence[SourceWarning]) -> bytes:
    rows = [[w.location.path, w.location.line, w.location.column, w.message, w.hint] for w in found]
    return json.dumps(rows, ensure_ascii=False).encode("utf-8")


def _decode_warnings(data: bytes | None) -> list[SourceWarning]:
    if not data:
        return []
    return [SourceWarning(SourceLocation(path, line, column), message, hint) for path, line, column, message, hint in json.loads(data)]


def _article_url_owners(previous: Mapping[str, OutputRecord]) -> dict[str, str]:
    """Slug -> source path of every article page in the last build's manifest."""
    return {
        path[: -len("/index.html")]: record.source
        for path, record in previous.items()
        if record.source and path.count("/") == 1 and path.endswith("/index.html")
    }


def load_articles(
    content_dir: Path,
    config: SiteConfig,
    state: BuildState,
    *,
    pool: StagePool | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[list[RenderedArticle], list[FlashnewsError], list[SourceWarning], set[str]]:
    """Parse and render every .md source, reusing cached results; returns articles, errors,
    warnings and the sources that failed. A source whose stat is unchanged is not read."""
    salt = f"{PIPELINE_VERSION}\0{config.timezone}\0"
    known = state.read_file_digests()
    remembered: dict[str, tuple[FileStamp, str]] = {}
    sources: list[tuple[str, Path, str, str]] = []  # shown path, path, content digest, cache key
    errors: list[FlashnewsError] = []
    failed: set[str] = set()
    scan = scan_source_files(content_dir, suffix=".md")
    errors.extend(scan.errors)
    failed.update(error.location.path for error in scan.errors)
    for path, shown in zip(scan.paths, scan.shown):
        try:
            try:
                stamp = stamp_of(path.stat())
            except OSError as exc:
                raise SourceError(SourceLocation(shown, 1), f"cannot read the file: {exc.strerror}") from exc
            if stamp.size > config.normalize.max_source_bytes:
                raise SourceError(SourceLocation(shown, 1), f"file is {stamp.size} bytes, over the {config.normalize.max_source_bytes} byte limit")
            hit = known.get(shown)
            data = None if hit is not None and hit[0] == stamp else _read_source(path, shown, config)
        except SourceError as exc:
            errors.append(exc)
            failed.add(shown)
            continue
        digest = _sha(data) if data is not None else known[shown][1]
        remembered[shown] = (stamp, digest)
        # Only the digest is kept: a source to parse is read again by the worker that parses it.
        sources.append((shown, path, digest, _sha(f"{salt}{shown}\0{digest}".encode())))
    # A watch session keeps the articles it decoded; a source whose key is unchanged is reused.
    memo = {key: state.memo[key] for *_, key in sources if key in state.memo}
    cached = state.get_many([k for *_, key in sources if key not in memo for k in (key + _PARTIAL, key + _WARNINGS)])
    # Sources cached before partial records existed are read whole once.
    whole = state.get_many([key for *_, key in sources if key not in memo and key + _PARTIAL not in cached])
    articles: dict[str, RenderedArticle] = {}
    jobs: list[tuple[str, str, str, str, int]] = []
    keys: dict[str, str] = {}
    cached_warnings: list[SourceWarning] = []
    fresh: dict[str, bytes] = {}
    for shown, path, digest, key in sources:
        if key in memo:
            item, remembered_warnings = memo[key]  # type: ignore[misc]
            articles[shown] = item
            cached_warnings.extend(remembered_warnings)
            continue
        if key + _PARTIAL in cached or key in whole:
            if key + _PARTIAL in cached:
                articles[shown] = records.decode_rendered(cached[key + _PARTIAL], key)
            else:
                articles[shown] = records.decode_rendered(whole[key], key)
                fresh[key + _PARTIAL] = records.encode_partial(articles[shown])
            found_warnings = _decode_warnings(cached.get(key + _WARNINGS))
            cached_warnings.extend(found_warnings)
            memo[key] = (articles[shown], found_warnings)
            continue
        jobs.append((shown, os.fspath(path), digest, config.timezone, config.normalize.max_source_bytes))
        keys[shown] = key
    warnings: list[SourceWarning] = [*scan.warnings, *cached_warnings]
    results = pool.parse_files(jobs) if pool is not None else map(lambda job: parse_file(*job), jobs)
    for done, ((shown, *_), (record, found, error)) in enumerate(zip(jobs, results), start=1):
        if progress is not None:
            progress("parse", done, len(jobs))
        if error is not None:
            errors.append(restore_error(error))
            failed.add(shown)
            continue
        assert record is not None
        warnings.extend(found)
        whole_record, partial_record = record
        # Held without the body like every other article, so memory does not grow with the bodies.
        articles[shown] = records.decode_rendered(partial_record, keys[shown])
        memo[keys[shown]] = (articles[shown], list(found))
        fresh[keys[shown]] = whole_record
        fresh[keys[shown] + _PARTIAL] = partial_record
        if found:
            fresh[keys[shown] + _WARNINGS] = _encode_warnings(found)
        if len(fresh) >= _FLUSH_EVERY:
            state.put_many(fresh)  # in batches, so a cold build never holds every record at once
            fresh = {}
    state.put_many(fresh)
    state.write_file_digests(remembered, known=known)
    state.memo = memo  # only the current sources, so a long session does not grow
    # Sources come back in listing order whichever path they took, so results never depend on the cache.
    ordered = [articles[shown] for shown, _, _, _ in sources if shown in articles]
    return ordered, errors, warnings, failed


def make_planner(
    site: Site,
    config: SiteConfig,
    state: BuildState,
    *,
    template_hash: str,
    lead_images: Mapping[str, images.LeadImage] | None = None,
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
    return SitePlanner(site, config, salt=salt, images=lead_images, extra_pages=extra, complete=complete)


def load_lead_images(
    content_dir: Path, site: Site, state: BuildState
) -> tuple[dict[str, images.LeadImage], dict[str, OutputRecord], list[FlashnewsError]]:
    """Find and resize every published article's lead picture, reusing cached variants; returns
    the pictures by source path, an output record per variant (its digest is the cache key of
    its bytes) and the pictures that could not be read."""
    found: dict[str, images.LeadImage] = {}
    outputs: dict[str, OutputRecord] = {}
    errors: list[FlashnewsError] = []
    pictures = images.list_pictures(content_dir)
    for item in site.articles:
        article = item.article
        if not pictures and "image" not in article.extra:
            continue  # a site without pictures costs nothing here
        try:
            picture = images.find_image_file(content_dir, article, pictures=pictures)
            data = picture.read_bytes() if picture else b""
        except OSError as exc:
            errors.append(SourceError(SourceLocation(article.source_path, 1), f"cannot read the lead image: {exc.strerror}"))
            continue
        if picture is None:
            continue
        digest = _sha(data)
        key = f"image\0{images.IMAGE_VERSION}\0{digest}"
        cached = state.get_many([key])
        if key in cached:
            sizes = [tuple(pair) for pair in json.loads(cached[key])]
        else:
            try:
                made = images.resize_image(data)
            except images.ImageError as exc:
                shown = display_path(picture, content_dir)
                errors.append(SourceError(SourceLocation(article.source_path, 1), f"lead image {shown} is {exc}", hint="save it as JPEG, PNG or WebP"))
                continue
            sizes = [(width, height) for width, height, _ in made]
            state.put_many({f"{key}\0{width}": jpeg for width, _, jpeg in made} | {key: json.dumps(sizes).encode()})
        variants = tuple(images.ImageVariant(images.variant_path(digest, w), w, h) for w, h in sizes)
        found[article.source_path] = images.LeadImage(article.extra.get("image_alt", "").strip() or article.title, variants)
        for variant in variants:
            outputs[variant.path] = OutputRecord(f"{key}\0{variant.width}", article.source_path)
    return found, outputs, errors


def index_for_search(
    *,
    config: SiteConfig,
    output_dir: Path,
    article_pages: list[str],
    fresh: Mapping[str, Path],
    rendered: set[str],
    previous: Mapping[str, OutputRecord],
    records_now: dict[str, OutputRecord],
    failed: set[str],
    stale: bool = False,
    defer: bool = False,
    cancel: Callable[[], bool] | None = None,
) -> tuple[list[OutputFile], int]:
    """Re-index the article pages with Pagefind when any of them was rendered, came or went
    (fresh: where this build staged the pages it changed; rendered: every page it rendered); adds
    the index's records to records_now and returns its files that differ from the last build,
    and how many pages were indexed (0 when the last index still holds). stale forces a new
    index; defer keeps the last one (returning -1 when it no longer matches the pages)."""
    pages = article_pages
    kept = [p for p, r in previous.items() if r.source in failed and p not in records_now and p.endswith(".html")]
    old_pages = {p for p, r in previous.items() if r.source and p.endswith(".html")}
    old_index = {p: r for p, r in previous.items() if search.is_search_output(p)}
    entry = output_dir / search.SEARCH_DIR / "pagefind-entry.json"
    current = old_index and entry.is_file() and old_pages == {*pages, *kept} and not any(p in rendered for p in pages)
    if (current and not stale) or defer:
        records_now.update(old_index)
        return [], 0 if current and not stale else -1
    if cancel is not None and cancel():
        raise search.SearchCancelled("search indexing was stopped for a newer change")
    sources = [(p, fresh.get(p) or output_dir / p) for p in sorted({*pages, *kept})]
    if not sources:
        return [], 0  # Pagefind refuses an empty site; the search page then finds nothing
    changed = []
    for item in search.build_search_index(sources, language=config.language, work_dir=state_path(output_dir).parent, cancel=cancel):
        record = OutputRecord(_sha(item.data))
        records_now[item.path] = record
        old = previous.get(item.path)
        if old is None or old.digest != record.digest or not (output_dir / item.path).is_file():
            changed.append(item)
    return changed, len(sources)


def update_search_index(
    config: SiteConfig, paths: BuildPaths, state: BuildState, *, cancel: Callable[[], bool] | None = None
) -> int:
    """Index the article pages the last build published, when a build deferred it (watch mode's
    idle pass): no source is read and no page planned, so cancel() is asked almost at once.
    Returns how many pages were indexed; raises search.SearchCancelled or OutputError."""
    recover_output(paths.output_dir)
    previous = state.read_outputs()
    pages = sorted(path for path in _article_url_owners(previous))
    records_now = {path: record for path, record in previous.items() if not search.is_search_output(path)}
    with OutputTransaction(paths.output_dir) as transaction:
        files, indexed = index_for_search(
            config=config,
            output_dir=paths.output_dir,
            article_pages=[f"{slug}/index.html" for slug in pages],
            fresh={},
            rendered=set(),
            previous=previous,
            records_now=records_now,
            failed=set(),
            stale=True,
            cancel=cancel,
        )
        for item in files:
            transaction.stage(item)
        report = transaction.commit([path for path in previous if path not in records_now])
    state.write_outputs({item.path: records_now[item.path] for item in files}, report.deleted)
    state.write_values({"search_stale": None})
    return indexed


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
    plan_always: bool = False,
) -> BuildResult:
    """Build the site into paths.output_dir; raises TemplateError, OutputError or ConfigError
    (fatal: the previous output is left untouched) and reports source errors in the result.

    progress(stage, done, total) is called as sources are parsed and pages rendered. With
    defer_search the pages are published without waiting for the search index, which keeps its
    last version until a later build (result.search_pending says one is due). cancel_search()
    is asked after loading and while the search index is made; when it turns true the build stops
    with search.SearchCancelled and the output is left as it was. plan_always skips the shortcut
    for a build with nothing to do, so state.last_planner describes the site (watch mode's start)."""
    started = time.perf_counter()
    recover_output(paths.output_dir)
    own_state = state is None
    state = state or BuildState(state_path(paths.output_dir))
    try:
        if not paths.templates_dir.is_dir():
            raise TemplateError("", None, f"templates folder {paths.templates_dir} not found")
        template_hash = templates_digest(paths.templates_dir)
        fingerprint_now = _input_fingerprint(config, paths, include_drafts=include_drafts, template_hash=template_hash)
        unchanged = None if plan_always else _unchanged_result(state, fingerprint_now, now=now, output_dir=paths.output_dir, started=started)
        if unchanged is not None:
            return unchanged
        environment = create_environment(paths.templates_dir)
        with StagePool(environment, paths.templates_dir) as pool:
            return _build_changed(
                config, paths, now=now, include_drafts=include_drafts, state=state, pool=pool, progress=progress,
                template_hash=template_hash, fingerprint_now=fingerprint_now, started=started, defer_search=defer_search,
                cancel_search=cancel_search,
            )
    finally:
        if own_state:
            state.close()


def _input_fingerprint(config: SiteConfig, paths: BuildPaths, *, include_drafts: bool, template_hash: str) -> str:
    return fingerprint.input_fingerprint(
        PIPELINE_VERSION,
        fingerprint.code_stamp(),
        config.digest(),
        include_drafts,
        template_hash,
        [str(p.resolve()) for p in (paths.content_dir, paths.templates_dir, paths.static_dir)],
        fingerprint.stamp_tree(paths.content_dir, skip=[ARCHIVE_DIR]),
        fingerprint.stamp_tree(paths.static_dir),
    )


def _unchanged_result(state: BuildState, fingerprint_now: str, *, now: datetime, output_dir: Path, started: float) -> BuildResult | None:
    """The result of the last build when nothing it read has changed, the clock is still inside its
    window and every output it recorded is still there; None when the site must be built."""
    if state.read_value("fingerprint") != fingerprint_now:
        return None
    window = fingerprint.ClockWindow.decode(state.read_value("clock") or "")
    summary = json.loads(state.read_value("summary") or "null")
    if window is None or not window.contains(now) or not isinstance(summary, dict):
        return None
    folder = str(output_dir) + os.sep
    if not all(os.path.isfile(folder + path) for path in state.read_output_paths()):
        return None
    scheduled = summary["next_scheduled_at"]
    return BuildResult(
        articles=summary["articles"],
        pages=summary["pages"],
        written=0,
        deleted=0,
        errors=(),
        warnings=(),
        next_scheduled_at=datetime.fromisoformat(scheduled) if scheduled else None,
        seconds=time.perf_counter() - started,
        held_back=summary["held_back"],
    )


def _remember_build(state: BuildState, fingerprint_now: str, result: BuildResult, window: fingerprint.ClockWindow) -> None:
    if result.errors or result.warnings:
        # Only a clean build may be skipped next time: errors and warnings must be shown again.
        state.write_values({"fingerprint": None, "clock": None, "summary": None})
        return
    summary = {
        "articles": result.articles,
        "pages": result.pages,
        "held_back": result.held_back,
        "next_scheduled_at": result.next_scheduled_at.isoformat() if result.next_scheduled_at else None,
    }
    state.write_values({"fingerprint": fingerprint_now, "clock": window.encode(), "summary": json.dumps(summary)})


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
    fingerprint_now: str,
    started: float,
    defer_search: bool = False,
    cancel_search: Callable[[], bool] | None = None,
) -> BuildResult:
    """Build everything whose inputs changed since the last build."""
    state.write_values({"fingerprint": None})
    articles, errors, warnings, failed = load_articles(paths.content_dir, config, state, pool=pool, progress=progress)
    previous = state.read_outputs()
    site, collisions = collect_site(
        articles, now=now, config=config, include_drafts=include_drafts, url_owners=_article_url_owners(previous)
    )
    errors.extend(collisions)
    failed.update(c.location.path for c in collisions)
    lead_images, image_records, image_errors = load_lead_images(paths.content_dir, site, state)
    errors.extend(image_errors)
    if cancel_search is not None and cancel_search():
        raise search.SearchCancelled("the build was stopped for a newer change")
    planner = make_planner(site, config, state, template_hash=template_hash, lead_images=lead_images)
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

    pages = pool.render_specs(planner, to_render, progress=rendered)
    extra: list[OutputFile] = []
    for static in read_static_files(paths.static_dir):
        record = OutputRecord(_sha(static.data))
        records_now[static.path] = record
        old = previous.get(static.path)
        if old is None or old.digest != record.digest or not (paths.output_dir / static.path).is_file():
            extra.append(static)
    for path, record in image_records.items():
        records_now[path] = record
        old = previous.get(path)
        if old is None or old.digest != record.digest or not (paths.output_dir / path).is_file():
            extra.append(OutputFile(path, state.get_many([record.digest])[record.digest]))
    indexed = 0
    made: list[str] = []  # every file made in this build, written or found unchanged
    # Pages are staged as the workers hand them over, so writing overlaps rendering.
    with OutputTransaction(paths.output_dir) as transaction:
        for spec, data in zip(to_render, pages):
            transaction.stage(OutputFile(spec.path, data))
            made.append(spec.path)
        for item in extra:
            transaction.stage(item)
            made.append(item.path)
        if config.search:
            fresh = {path: transaction.staged(path) for path in made}
            index_files, indexed = index_for_search(
                config=config,
                output_dir=paths.output_dir,
                article_pages=[spec.path for spec in specs if spec.kind == ARTICLE],
                fresh={path: place for path, place in fresh.items() if place is not None},
                rendered=set(made),
                previous=previous,
                records_now=records_now,
                failed=failed,
                stale=state.read_value("search_stale") is not None,
                defer=defer_search,
                cancel=cancel_search,
            )
            for item in index_files:
                transaction.stage(item)
                made.append(item.path)
        kept = {path: record for path, record in previous.items() if record.source in failed and path not in records_now}
        report = transaction.commit([path for path in previous if path not in records_now and path not in kept])
    changed = {path: records_now[path] for path in made}
    state.write_outputs(changed, report.deleted)
    state.last_planner = planner
    if config.search:
        state.write_values({"search_stale": "1" if indexed < 0 else None})
    result = BuildResult(
        articles=len(site.articles),
        pages=len(specs),
        written=len(report.written),
        deleted=len(report.deleted),
        errors=tuple(sorted(errors, key=str)),
        warnings=tuple(warnings),
        next_scheduled_at=site.next_scheduled_at,
        seconds=time.perf_counter() - started,
        held_back=site.held_back,
        rendered=len(to_render),
        written_paths=report.written,
        indexed=max(indexed, 0),
        search_pending=indexed < 0,
    )
    if indexed < 0:
        state.write_values({"fingerprint": None})  # the next build must bring the index up to date
    else:
        _remember_build(state, fingerprint_now, result, clock_window(site, config, now=now))
    return result


def check_site(config: SiteConfig, paths: BuildPaths, *, now: datetime, include_drafts: bool = False) -> BuildResult:
    """Validate drops, sources and templates by rendering every page in memory; writes nothing."""
    from flashnews.drops import normalize_drops

    started = time.perf_counter()
    drops = normalize_drops(paths.content_dir, config, now=now, dry_run=True)
    state = BuildState(Path(":memory:"))
    try:
        environment = create_environment(paths.templates_dir)
        articles, errors, warnings, _ = load_articles(paths.content_dir, config, state)
        site, collisions = collect_site(articles, now=now, config=config, include_drafts=include_drafts)
        planner = make_planner(site, config, state, template_hash="")
        specs = planner.specs()
        for spec in specs:
            render_page(environment, planner.plan(spec))
    finally:
        state.close()
    return BuildResult(
        articles=len(site.articles),
        pages=len(specs),
        written=0,
        deleted=0,
        errors=tuple(sorted([*drops.errors, *errors, *collisions], key=str)),
        warnings=(*drops.warnings, *warnings),
        next_scheduled_at=site.next_scheduled_at,
        seconds=time.perf_counter() - started,
        held_back=site.held_back,
    )
