"""Rendered articles -> Site: publish rules, order, sections and URL clashes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType

from flashnews.config import SectionConfig, SiteConfig
from flashnews.errors import SourceLocation, UrlCollisionError
from flashnews.model import RenderedArticle, Section, Site
from flashnews.ingest.slugs import make_slug

# Top-level folders and files the site itself uses; an article slug may not take them.
RESERVED_SLUGS = frozenset({"page", "feeds", "search", "static", "pagefind", "images", "sitemap", "404", "index", "robots"})


def article_url(item: RenderedArticle) -> str:
    """The article's URL path relative to the site root."""
    return f"{item.article.slug}/"


def section_url(key: str) -> str:
    return f"{key}/"


@lru_cache(maxsize=1024)
def section_key(name: str) -> str:
    return make_slug(name)


@lru_cache(maxsize=4096)
def _section_for(category: str, sections: tuple[SectionConfig, ...]) -> SectionConfig:
    wanted = category.casefold()
    for section in sections:
        if wanted in {spelling.casefold() for spelling in (section.name, *section.aliases)}:
            return section
    return SectionConfig(name=category)


def section_of(category: str, config: SiteConfig) -> SectionConfig:
    """The configured section a category names (by name or alias, any case), else one of its own."""
    return _section_for(category, config.sections)


def is_published(item: RenderedArticle, *, now: datetime, include_drafts: bool) -> bool:
    """Drafts wait for --drafts; future-dated articles wait for the build clock."""
    return (include_drafts or not item.article.draft) and item.article.date <= now


def sort_key(item: RenderedArticle) -> tuple[float, str]:
    """The reading order: newest first, then by source path."""
    return (-item.article.date.timestamp(), item.article.source_path)


def find_url_collisions(
    items: Iterable[RenderedArticle], reserved: frozenset[str], url_owners: Mapping[str, str] = MappingProxyType({})
) -> tuple[list[RenderedArticle], list[UrlCollisionError]]:
    """Keep one claim on each URL — the article that held it in the last build, else the first
    by source path — and report the others naming both files, so a new article can never take
    over a published page."""
    owners: dict[str, RenderedArticle] = {}
    kept: list[RenderedArticle] = []
    errors: list[UrlCollisionError] = []

    def claim_order(item: RenderedArticle) -> tuple[bool, str]:
        return (url_owners.get(item.article.slug) != item.article.source_path, item.article.source_path)

    for item in sorted(items, key=claim_order):
        slug = item.article.slug
        location = SourceLocation(item.article.source_path, item.article.field_lines.get("slug", 1))
        if slug in reserved:
            errors.append(UrlCollisionError(location, f"URL /{slug}/ is used by the site itself", hint="set another slug in the front matter"))
        elif slug in owners:
            other = owners[slug].article.source_path
            errors.append(UrlCollisionError(location, f"URL /{slug}/ is already claimed by {other}", hint="give one of them another slug"))
        else:
            owners[slug] = item
            kept.append(item)
    return kept, errors


def _refuse_reserved_sections(
    items: list[RenderedArticle], sections: tuple[SectionConfig, ...]
) -> tuple[list[RenderedArticle], list[UrlCollisionError]]:
    """Articles whose section would take a folder the site itself uses (a category "Search" or
    "Static") are reported, so one article cannot make two pages share a path."""
    kept: list[RenderedArticle] = []
    errors: list[UrlCollisionError] = []
    for item in items:
        key = section_key(_section_for(item.article.category, sections).name)
        if key in RESERVED_SLUGS:
            errors.append(
                UrlCollisionError(
                    SourceLocation(item.article.source_path, item.article.field_lines.get("category", 1)),
                    f"section {item.article.category!r} would take the URL /{key}/, which the site itself uses",
                    hint="use another category, or configure a section with another name in site.toml",
                )
            )
        else:
            kept.append(item)
    return kept, errors


def collect_site(
    items: Iterable[RenderedArticle],
    *,
    now: datetime,
    config: SiteConfig,
    include_drafts: bool = False,
    url_owners: Mapping[str, str] = MappingProxyType({}),
) -> tuple[Site, list[UrlCollisionError]]:
    """Choose what is published, order it newest first and group it into sections;
    url_owners maps each article slug of the last build to its source path."""
    all_items = list(items)
    waiting = [i for i in all_items if not (include_drafts or not i.article.draft) or i.article.date > now]
    scheduled = [i.article.date for i in waiting if i.article.date > now and (include_drafts or not i.article.draft)]
    published = [i for i in all_items if is_published(i, now=now, include_drafts=include_drafts)]
    published, section_errors = _refuse_reserved_sections(published, config.sections)
    configured_keys = frozenset(section_key(s.name) for s in config.sections)
    categories = {_section_for(i.article.category, config.sections).name for i in published}
    section_keys = configured_keys | {section_key(name) for name in categories}
    kept, errors = find_url_collisions(published, RESERVED_SLUGS | section_keys, url_owners)
    errors = section_errors + errors
    ordered = tuple(sorted(kept, key=sort_key))
    grouped: dict[str, list[RenderedArticle]] = {}
    by_key: dict[str, SectionConfig] = {}
    for item in ordered:
        section = _section_for(item.article.category, config.sections)
        key = section_key(section.name)
        by_key.setdefault(key, section)
        grouped.setdefault(key, []).append(item)
    order = [section_key(s.name) for s in config.sections]
    order += sorted(key for key in grouped if key not in order)
    sections = tuple(
        Section(key=key, name=by_key[key].name, label=by_key[key].display_name, articles=tuple(grouped[key]))
        for key in order
        if key in grouped
    )
    site = Site(
        articles=ordered,
        sections=sections,
        built_at=now,
        next_scheduled_at=min(scheduled) if scheduled else None,
        held_back=len(waiting),
    )
    return site, errors
