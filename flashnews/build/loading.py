"""Sources -> articles through the build cache, and each article's pictures.

A source whose stat is unchanged is not read; one whose bytes hash to a cached record is not
parsed. Articles are held without their bodies (records.encode_partial), except those parsed
in this build, up to a budget; workers parse the sources that changed, reading the files
themselves.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath

from flashnews.compose import images
from flashnews.ingest import records
from flashnews.config import SiteConfig
from flashnews.errors import FlashnewsError, SourceError, SourceLocation, SourceWarning, restore_error
from flashnews.model import PictureReference, RenderedArticle, Site
from flashnews.build.indexing import TERMS_SUFFIX
from flashnews.ingest.sources import display_path, read_source_bytes, scan_source_files
from flashnews.build.state import PIPELINE_VERSION, BuildState, FileStamp, OutputRecord, stamp_of
from flashnews.ingest.sources import content_digest
from flashnews.build.workers import ParseJob, StagePool, parse_file


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
# Freshly parsed articles keep their bodies up to this many bytes of records, so a first build
# renders their pages without reading the bodies back from the cache (all of them up to about
# 10,000 articles); the others are held without, like cached ones, so memory stays bounded.
_BODIES_HELD = 64 << 20
# The record without the body (records.encode_partial), cached beside the whole one.
_PARTIAL = "\0partial"


def _encode_warnings(found: Sequence[SourceWarning]) -> bytes:
    rows = [[w.location.path, w.location.line, w.location.column, w.message, w.hint] for w in found]
    return json.dumps(rows, ensure_ascii=False).encode("utf-8")


def _decode_warnings(data: bytes | None) -> list[SourceWarning]:
    if not data:
        return []
    return [SourceWarning(SourceLocation(path, line, column), message, hint) for path, line, column, message, hint in json.loads(data)]


def source_cache_key(config: SiteConfig, shown: str, digest: str) -> str:
    """The build cache's key for the parse of a source: its path, its bytes' digest, and what
    else parsing depends on."""
    return content_digest(f"{PIPELINE_VERSION}\0{config.timezone}\0{shown}\0{digest}".encode())


def cache_parsed(state: BuildState, key: str, whole: bytes, partial: bytes, terms: bytes = b"") -> None:
    """Store the parse of a source that gave no warning, as load_articles does."""
    state.put_many({key: whole, key + _PARTIAL: partial, **({key + TERMS_SUFFIX: terms} if terms else {})})


def cached_partial(state: BuildState, keys: Sequence[str]) -> dict[str, RenderedArticle]:
    """The articles of these cache keys, without their bodies; keys not in the cache are left out.
    Those a watch session already decoded (load_articles keeps them in state.memo) are not read again."""
    remembered = {key: state.memo[key][0] for key in keys if isinstance(state.memo.get(key), tuple)}  # type: ignore[index]
    found = state.get_many([key + _PARTIAL for key in keys if key not in remembered])
    decoded = {key: records.decode_rendered(found[key + _PARTIAL], key) for key in keys if key + _PARTIAL in found}
    return {**remembered, **decoded}


def cached_articles(config: SiteConfig, state: BuildState) -> list[RenderedArticle]:
    """Every source the last build parsed, as cached (without bodies), in the order of their paths."""
    keys = {shown: source_cache_key(config, shown, digest) for shown, (_, digest) in sorted(state.read_file_digests().items())}
    found = cached_partial(state, list(keys.values()))
    return [found[key] for key in keys.values() if key in found]


@dataclass(frozen=True, slots=True)
class _Source:
    """A source to load: its shown path and file, and its digest and cache key (both None when it
    was not read: with an empty cache the worker that parses it hashes the bytes it reads)."""

    shown: str
    path: Path
    digest: str | None
    key: str | None


@dataclass(slots=True)
class _Loading:
    """What loading found so far."""

    known: dict[str, tuple[FileStamp, str]]  # the stamps and digests the state had
    articles: dict[str, RenderedArticle] = field(default_factory=dict)
    errors: list[FlashnewsError] = field(default_factory=list)
    warnings: list[SourceWarning] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)
    stamps: dict[str, FileStamp] = field(default_factory=dict)
    remembered: dict[str, tuple[FileStamp, str]] = field(default_factory=dict)  # to record
    memo: dict[str, object] = field(default_factory=dict)  # decoded articles, for a watch session


def load_articles(
    content_dir: Path,
    config: SiteConfig,
    state: BuildState,
    *,
    pool: StagePool | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    stats: Mapping[str, FileStamp] | None = None,
) -> tuple[list[RenderedArticle], list[FlashnewsError], list[SourceWarning], set[str]]:
    """Parse and render every .md source, reusing cached results; returns articles, errors,
    warnings and the sources that failed. A source whose stat is unchanged is not read.

    stats: sources already stat-ed earlier in this build, by shown path (a stat taken before
    any read is as good as one taken now: a later write changes it)."""
    loading = _Loading(state.read_file_digests())
    sources = _find_sources(content_dir, config, state, loading, stats or {})
    jobs, keys = _reuse_cached(sources, config, state, loading)
    _parse(jobs, keys, config, state, loading, pool=pool, progress=progress)
    state.write_file_digests(loading.remembered, known=loading.known)
    state.memo = loading.memo  # only the current sources, so a long session does not grow
    # Sources come back in listing order whichever path they took, so results never depend on the cache.
    ordered = [loading.articles[source.shown] for source in sources if source.shown in loading.articles]
    return ordered, loading.errors, loading.warnings, loading.failed


def _find_sources(
    content_dir: Path, config: SiteConfig, state: BuildState, loading: _Loading, stats: Mapping[str, FileStamp]
) -> list[_Source]:
    """Every .md source with its stamp, and its digest when its stamp is the one recorded or the
    cache may hold its parse (then the file is hashed)."""
    # With an empty cache (a first build, as in CI) no digest can find anything, so a source
    # is not read here to be hashed: the worker that parses it hashes the bytes it reads.
    blind = state.cache_is_empty()
    scan = scan_source_files(content_dir, suffix=".md")
    loading.errors.extend(scan.errors)
    loading.warnings.extend(scan.warnings)
    loading.failed.update(error.location.path for error in scan.errors)
    sources: list[_Source] = []
    for path, shown in zip(scan.paths, scan.shown):
        try:
            try:
                stamp = stats.get(shown) or stamp_of(path.stat())
            except OSError as exc:
                raise SourceError(SourceLocation(shown, 1), f"cannot read the file: {exc.strerror}") from exc
            if stamp.size > config.normalize.max_source_bytes:
                raise SourceError(SourceLocation(shown, 1), f"file is {stamp.size} bytes, over the {config.normalize.max_source_bytes} byte limit")
            hit = loading.known.get(shown)
            if hit is not None and hit[0] == stamp:
                digest: str | None = hit[1]
            else:
                digest = None if blind else content_digest(_read_source(path, shown, config))
        except SourceError as exc:
            loading.errors.append(exc)
            loading.failed.add(shown)
            continue
        loading.stamps[shown] = stamp
        if digest is None:
            sources.append(_Source(shown, path, None, None))
            continue
        loading.remembered[shown] = (stamp, digest)
        # Only the digest is kept: a source to parse is read again by the worker that parses it.
        sources.append(_Source(shown, path, digest, source_cache_key(config, shown, digest)))
    return sources


def _reuse_cached(
    sources: list[_Source], config: SiteConfig, state: BuildState, loading: _Loading
) -> tuple[list[ParseJob], dict[str, str]]:
    """The articles a watch session decoded or the cache holds; the others as jobs to parse, and
    the cache keys known for them by shown path."""
    # A watch session keeps the articles it decoded; a source whose key is unchanged is reused.
    looked_up = [source.key for source in sources if source.key is not None]
    memo = loading.memo = {key: state.memo[key] for key in looked_up if key in state.memo}
    cached = state.get_many([k for key in looked_up if key not in memo for k in (key + _PARTIAL, key + _WARNINGS)])
    # Sources cached before partial records existed are read whole once.
    whole = state.get_many([key for key in looked_up if key not in memo and key + _PARTIAL not in cached])
    jobs: list[ParseJob] = []
    keys: dict[str, str] = {}
    fresh: dict[str, bytes] = {}
    for source in sources:
        shown, key = source.shown, source.key
        if key is None or (key not in memo and key + _PARTIAL not in cached and key not in whole):
            jobs.append(ParseJob(shown, os.fspath(source.path), source.digest, config.timezone, config.normalize.max_source_bytes, config.search))
            if key is not None:
                keys[shown] = key
            continue
        if key in memo:
            item, found_warnings = memo[key]  # type: ignore[misc]
        else:
            if key + _PARTIAL in cached:
                item = records.decode_rendered(cached[key + _PARTIAL], key)
            else:
                item = records.decode_rendered(whole[key], key)
                fresh[key + _PARTIAL] = records.encode_partial(item)
            found_warnings = _decode_warnings(cached.get(key + _WARNINGS))
            memo[key] = (item, found_warnings)
        loading.articles[shown] = item
        loading.warnings.extend(found_warnings)
    state.put_many(fresh)
    return jobs, keys


def _parse(
    jobs: list[ParseJob], keys: dict[str, str], config: SiteConfig, state: BuildState, loading: _Loading, *,
    pool: StagePool | None, progress: Callable[[str, int, int], None] | None,
) -> None:
    """Parse the jobs (on the pool when there is one) and cache what they give, in batches."""
    results = pool.parse_files(jobs) if pool is not None else map(parse_file, jobs)
    held = 0
    fresh: dict[str, bytes] = {}
    for done, (job, outcome) in enumerate(zip(jobs, results), start=1):
        shown = job.shown
        if progress is not None:
            progress("parse", done, len(jobs))
        if job.digest is None and outcome.digest is not None:
            # The stamp was taken before the worker read the file, so a later write changes it.
            loading.remembered[shown] = (loading.stamps[shown], outcome.digest)
            keys[shown] = source_cache_key(config, shown, outcome.digest)
        if outcome.records is None:
            assert outcome.error is not None
            loading.errors.append(restore_error(outcome.error))
            loading.failed.add(shown)
            continue
        loading.warnings.extend(outcome.warnings)
        parsed, key = outcome.records, keys[shown]
        if held + len(parsed.whole) <= _BODIES_HELD:
            held += len(parsed.whole)
            item = records.decode_rendered(parsed.whole, key)
        else:
            item = records.decode_rendered(parsed.partial, key)
        loading.articles[shown] = item
        # A watch session remembers the article without its body, so its memory stays bounded.
        loading.memo[key] = (item if item.partial else replace(item, body_html="", partial=True), list(outcome.warnings))
        fresh.update({key: parsed.whole, key + _PARTIAL: parsed.partial})
        if parsed.terms:
            fresh[key + TERMS_SUFFIX] = parsed.terms
        if outcome.warnings:
            fresh[key + _WARNINGS] = _encode_warnings(outcome.warnings)
        if len(fresh) >= _FLUSH_EVERY:
            state.put_many(fresh)  # in batches, so a cold build never holds every record at once
            fresh = {}
    state.put_many(fresh)


def _made_variants(data: bytes, state: BuildState) -> tuple[str, tuple[images.ImageVariant, ...]]:
    """The cache key and variants of a picture's bytes, resized once and then read from the build
    cache (each variant's bytes under key + its width); raises images.ImageError."""
    digest = content_digest(data)
    key = f"image\0{images.IMAGE_VERSION}\0{digest}"
    cached = state.get_many([key])
    if key in cached:
        sizes = [tuple(pair) for pair in json.loads(cached[key])]
    else:
        made = images.resize_image(data)
        sizes = [(width, height) for width, height, _ in made]
        state.put_many({f"{key}\0{width}": jpeg for width, _, jpeg in made} | {key: json.dumps(sizes).encode()})
    return key, tuple(images.ImageVariant(images.variant_path(digest, w), w, h) for w, h in sizes)


def locate_lead_images(
    content_dir: Path, site: Site, *, listed: bool = True
) -> tuple[list[tuple[RenderedArticle, Path]], list[FlashnewsError]]:
    """Each published article's lead picture file, without reading it; a located error (at the
    `image:` line) for a front matter `image` that names a missing file or one outside the content folder."""
    located: list[tuple[RenderedArticle, Path]] = []
    errors: list[FlashnewsError] = []
    pictures = images.list_pictures(content_dir) if listed else None
    for item in site.articles:
        article = item.article
        named = article.extra.get("image", "").strip()
        if listed and not pictures and not named:
            continue  # a site without pictures costs nothing here
        try:
            picture = images.find_image_file(content_dir, article, pictures=pictures)
        except OSError as exc:
            errors.append(SourceError(SourceLocation(article.source_path, 1), f"cannot read the lead image: {exc.strerror}"))
            continue
        if picture is not None:
            located.append((item, picture))
        elif named:
            location = SourceLocation(article.source_path, article.field_lines.get("image", 1))
            source = images.source_file(content_dir, article)
            if not (source.parent / named).resolve().is_relative_to(content_dir.resolve()):
                errors.append(SourceError(location, f"lead picture {named} is outside the content folder", hint="copy the picture into content/"))
            else:
                shown = display_path(Path(os.path.normpath(source.parent / named)), content_dir)
                errors.append(SourceError(location, f"lead picture {shown} is missing", hint="put the picture beside the article, or correct image:"))
    return located, errors


def load_lead_images(
    content_dir: Path, site: Site, state: BuildState, *, listed: bool = True
) -> tuple[dict[str, images.LeadImage], dict[str, OutputRecord], list[FlashnewsError]]:
    """Find and resize every published article's lead picture, reusing cached variants; returns
    the pictures by source path, an output record per variant (its digest is the cache key of
    its bytes) and the pictures that are missing or could not be read. With listed=False the
    pictures of content/ are not listed first (for a few articles: each looks for its own)."""
    found: dict[str, images.LeadImage] = {}
    outputs: dict[str, OutputRecord] = {}
    located, errors = locate_lead_images(content_dir, site, listed=listed)
    for item, picture in located:
        article = item.article
        try:
            data = picture.read_bytes()
        except OSError as exc:
            errors.append(SourceError(SourceLocation(article.source_path, 1), f"cannot read the lead image: {exc.strerror}"))
            continue
        try:
            key, variants = _made_variants(data, state)
        except images.ImageError as exc:
            shown = display_path(picture, content_dir)
            errors.append(SourceError(SourceLocation(article.source_path, 1), f"lead image {shown} is {exc}", hint="save it as JPEG, PNG or WebP"))
            continue
        found[article.source_path] = images.LeadImage(article.extra.get("image_alt", "").strip() or article.title, variants)
        for variant in variants:
            outputs[variant.path] = OutputRecord(f"{key}\0{variant.width}", article.source_path)
    return found, outputs, errors


# A picture a body shows: the article, the reference and the file, and the reference as messages show it.
LocatedPicture = tuple[RenderedArticle, PictureReference, Path, str]


def locate_body_pictures(
    content_dir: Path, site: Site
) -> tuple[list[LocatedPicture], list[FlashnewsError], list[SourceWarning]]:
    """The files the published articles' bodies show, without reading them; a located error (the
    file and the line of the reference) for each picture that is missing or outside the content
    folder, and a located warning for each reference to a file that is not a picture."""
    located: list[LocatedPicture] = []
    errors: list[FlashnewsError] = []
    warnings: list[SourceWarning] = []
    root = content_dir.resolve()
    for item in site.articles:
        for reference in item.pictures:
            location = SourceLocation(item.article.source_path, reference.line)
            shown = f"{content_dir.name}/{reference.path}" if content_dir.name else reference.path
            if PurePosixPath(reference.path).suffix.lower() not in images.IMAGE_SUFFIXES:
                warnings.append(SourceWarning(location, f"picture {shown} is not a JPEG, PNG or WebP file; left out", "save it as JPEG, PNG or WebP"))
                continue
            # The path was checked when the body was parsed; resolving it again catches a link
            # that leads out of the content folder, which is never followed.
            picture = content_dir.joinpath(*PurePosixPath(reference.path).parts).resolve()
            if not picture.is_relative_to(root):
                errors.append(SourceError(location, f"picture {shown} leads outside the content folder", hint="copy the picture into content/"))
                continue
            if not picture.is_file():
                errors.append(SourceError(location, f"picture {shown} is missing", hint="put the picture beside the article, or correct its name"))
                continue
            located.append((item, reference, picture, shown))
    return located, errors, warnings


def load_body_pictures(
    content_dir: Path, site: Site, state: BuildState
) -> tuple[dict[str, dict[str, images.BodyImage]], dict[str, OutputRecord], list[FlashnewsError], list[SourceWarning]]:
    """Resize the pictures the published articles' bodies show (locate_body_pictures), as lead
    pictures are; returns them by source path and src, an output record per variant, the located
    errors and warnings, and an error for each picture that cannot be read. Pages leave out every
    picture that is not returned."""
    found: dict[str, dict[str, images.BodyImage]] = {}
    outputs: dict[str, OutputRecord] = {}
    located, errors, warnings = locate_body_pictures(content_dir, site)
    for item, reference, picture, shown in located:
        location = SourceLocation(item.article.source_path, reference.line)
        try:
            data = picture.read_bytes()
        except OSError as exc:
            errors.append(SourceError(location, f"cannot read the picture {shown}: {exc.strerror}"))
            continue
        try:
            key, variants = _made_variants(data, state)
        except images.ImageError as exc:
            errors.append(SourceError(location, f"picture {shown} is {exc}", hint="save it as JPEG, PNG or WebP"))
            continue
        found.setdefault(item.article.source_path, {})[reference.src] = images.BodyImage(reference.src, variants)
        for variant in variants:
            outputs.setdefault(variant.path, OutputRecord(f"{key}\0{variant.width}", item.article.source_path))
    return found, outputs, errors, warnings
