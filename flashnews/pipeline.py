"""build_site(): the one place that knows the order of the stages.

read sources -> parse + markup (cached by source hash) -> collect the site -> plan pages ->
render only pages whose inputs changed -> write the output as one transaction -> save state.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flashnews import content, markup, records
from flashnews.config import SiteConfig
from flashnews.errors import FlashnewsError, SourceError, SourceLocation, SourceWarning, TemplateError
from flashnews.model import OutputFile, RenderedArticle
from flashnews.feeds import plan_feed_pages
from flashnews.output import recover_output, write_outputs
from flashnews.render import (
    PagePlan,
    create_environment,
    plan_article_pages,
    plan_index_pages,
    plan_not_found_page,
    plan_section_pages,
    render_page,
)
from flashnews.site import collect_site
from flashnews.sitemap import plan_sitemap_pages
from flashnews.sources import display_path, is_ignored_dir, is_litter, list_source_files
from flashnews.state import BuildState, OutputRecord, state_path

# Bump when parsing or Markdown output changes, so cached articles are rebuilt.
PIPELINE_VERSION = "1"


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


def load_articles(
    content_dir: Path, config: SiteConfig, state: BuildState
) -> tuple[list[RenderedArticle], list[FlashnewsError], list[SourceWarning], set[str]]:
    """Parse and render every .md source, reusing cached results; returns articles, errors,
    warnings and the sources that failed."""
    converter = markup.create_converter()
    salt = f"{PIPELINE_VERSION}\0{config.timezone}\0"
    sources: list[tuple[str, bytes, str]] = []
    errors: list[FlashnewsError] = []
    failed: set[str] = set()
    for path in list_source_files(content_dir, suffix=".md"):
        shown = display_path(path, content_dir)
        try:
            size = path.stat().st_size
            if size > config.normalize.max_source_bytes:
                raise SourceError(SourceLocation(shown, 1), f"file is {size} bytes, over the {config.normalize.max_source_bytes} byte limit")
            data = path.read_bytes()
        except SourceError as exc:
            errors.append(exc)
            failed.add(shown)
            continue
        except OSError as exc:
            errors.append(SourceError(SourceLocation(shown, 1), f"cannot read the file: {exc.strerror}"))
            failed.add(shown)
            continue
        sources.append((shown, data, _sha(salt.encode() + shown.encode() + b"\0" + data)))
    cached = state.get_many(key for _, _, key in sources)
    articles: list[RenderedArticle] = []
    warnings: list[SourceWarning] = []
    fresh: dict[str, bytes] = {}
    for shown, data, key in sources:
        if key in cached:
            articles.append(records.decode_rendered(cached[key]))
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            errors.append(SourceError(SourceLocation(shown, line), "not valid UTF-8", hint="save the .md file as UTF-8"))
            failed.add(shown)
            continue
        try:
            article, found = content.parse_article(text, path=shown, zone=config.tz)
            item = markup.render_article(article, converter)
        except SourceError as exc:
            errors.append(exc)
            failed.add(shown)
            continue
        warnings.extend(found)
        articles.append(item)
        fresh[key] = records.encode_rendered(item)
    state.put_many(fresh)
    return articles, errors, warnings, failed


def plan_site_pages(site: object, config: SiteConfig) -> list[PagePlan]:
    return [
        *plan_index_pages(site, config),  # type: ignore[arg-type]
        *plan_section_pages(site, config),  # type: ignore[arg-type]
        *plan_article_pages(site, config),  # type: ignore[arg-type]
        plan_not_found_page(site, config),  # type: ignore[arg-type]
        *plan_feed_pages(site, config),  # type: ignore[arg-type]
        *plan_sitemap_pages(site, config),  # type: ignore[arg-type]
    ]


def _plan_digest(template_hash: str, plan: PagePlan) -> str:
    payload = json.dumps(plan.context, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return _sha(f"{template_hash}\0{plan.template}\0{payload}".encode())


def build_site(
    config: SiteConfig,
    paths: BuildPaths,
    *,
    now: datetime,
    include_drafts: bool = False,
    state: BuildState | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    """Build the site into paths.output_dir; raises TemplateError, OutputError or ConfigError
    (fatal: the previous output is left untouched) and reports source errors in the result."""
    started = time.perf_counter()
    recover_output(paths.output_dir)
    own_state = state is None
    state = state or BuildState(state_path(paths.output_dir))
    try:
        if not paths.templates_dir.is_dir():
            raise TemplateError("", None, f"templates folder {paths.templates_dir} not found")
        environment = create_environment(paths.templates_dir)
        template_hash = templates_digest(paths.templates_dir)
        articles, errors, warnings, failed = load_articles(paths.content_dir, config, state)
        site, collisions = collect_site(articles, now=now, config=config, include_drafts=include_drafts)
        errors.extend(collisions)
        failed.update(c.location.path for c in collisions)
        plans = plan_site_pages(site, config)
        previous = state.read_outputs()
        if previous and not paths.output_dir.is_dir():
            state.clear_outputs()
            previous = {}
        records_now: dict[str, OutputRecord] = {}
        to_render: list[PagePlan] = []
        for plan in plans:
            record = OutputRecord(_plan_digest(template_hash, plan), plan.source)
            records_now[plan.path] = record
            old = previous.get(plan.path)
            if old is None or old.digest != record.digest or not (paths.output_dir / plan.path).is_file():
                to_render.append(plan)
        files = [render_page(environment, plan) for plan in to_render]
        for static in read_static_files(paths.static_dir):
            record = OutputRecord(_sha(static.data))
            records_now[static.path] = record
            old = previous.get(static.path)
            if old is None or old.digest != record.digest or not (paths.output_dir / static.path).is_file():
                files.append(static)
        kept = {path: record for path, record in previous.items() if record.source in failed and path not in records_now}
        stale = [path for path in previous if path not in records_now and path not in kept]
        report = write_outputs(paths.output_dir, files, stale=stale)
        changed = {f.path: records_now[f.path] for f in files}
        state.write_outputs(changed, report.deleted)
    finally:
        if own_state:
            state.close()
    return BuildResult(
        articles=len(site.articles),
        pages=len(plans),
        written=len(report.written),
        deleted=len(report.deleted),
        errors=tuple(sorted(errors, key=str)),
        warnings=tuple(warnings),
        next_scheduled_at=site.next_scheduled_at,
        seconds=time.perf_counter() - started,
        held_back=site.held_back,
        rendered=len(to_render),
        written_paths=report.written,
    )


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
        plans = plan_site_pages(site, config)
        for plan in plans:
            render_page(environment, plan)
    finally:
        state.close()
    return BuildResult(
        articles=len(site.articles),
        pages=len(plans),
        written=0,
        deleted=0,
        errors=tuple(sorted([*drops.errors, *errors, *collisions], key=str)),
        warnings=(*drops.warnings, *warnings),
        next_scheduled_at=site.next_scheduled_at,
        seconds=time.perf_counter() - started,
        held_back=site.held_back,
    )
