"""The order a clean full build remembers of its site: every article's place (OrderRow), the
navigation, the page-key salt and the fingerprint of the build's inputs other than content/.

A build of an edit or a new story (inplace, remembered) places the changed articles in it
without reading every source: RememberedOrder answers where an article's rail, related window
and listing pages are, by the planner's rules, and reads the articles it needs from the build cache.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from datetime import datetime, timedelta
from typing import Any, NamedTuple, overload

import orjson

from flashnews.ingest import records
from flashnews.config import SiteConfig
from flashnews.compose.feeds import modified_at
from flashnews.build.loading import cached_partial, source_cache_key
from flashnews.model import RenderedArticle, Section, Site
from flashnews.compose.paging import archive_count, listing_page, listing_pages, pages_showing
from flashnews.compose.planner import front_listing, rail_positions, section_listing
from flashnews.compose.related import window_span
from flashnews.compose.images import find_image_file
from flashnews.compose.render import Context
from flashnews.compose.site import article_url, sort_key
from flashnews.build.state import BuildState, tree_json
from flashnews.ingest.sources import content_digest

# The build-cache entry every clean full build writes (remember_site).
SITE_KEY = "site_order"
SITE_DIGEST = "site_facts"  # the build-state value holding the digest of SITE_KEY's value


class OrderRow(NamedTuple):
    """What the remembered order holds of an article: its source, section, URL and last change
    (ISO time; the sitemap's lastmod). Made from the stored columns as it is asked for
    (OrderColumns), so a named tuple: several times quicker to make than a dataclass."""

    source: str
    section: str
    url: str
    modified: str

    @staticmethod
    def of(item: RenderedArticle, section: str) -> OrderRow:
        return OrderRow(item.article.source_path, section, article_url(item), modified_at(item).isoformat())


@dataclass(frozen=True, slots=True)
class NavEntry:
    """A section of the navigation: its key, the name editors write and the label readers see."""

    key: str
    name: str
    label: str


class OrderColumns(Sequence[OrderRow]):
    """The remembered order as it is stored: one list per field, each row made when it is asked
    for. A build of one edit reads the order of the whole site and looks at a few rows of it."""

    __slots__ = ("sources", "sections", "urls", "modified")

    def __init__(self, sources: list[str], sections: list[str], urls: list[str], modified: list[str]) -> None:
        if not len(sources) == len(sections) == len(urls) == len(modified):
            raise ValueError("the order's columns differ in length")
        self.sources, self.sections, self.urls, self.modified = sources, sections, urls, modified

    @staticmethod
    def of(rows: Sequence[OrderRow]) -> OrderColumns:
        if isinstance(rows, OrderColumns):
            return rows
        return OrderColumns([r.source for r in rows], [r.section for r in rows], [r.url for r in rows], [r.modified for r in rows])

    def __len__(self) -> int:
        return len(self.sources)

    @overload
    def __getitem__(self, index: int) -> OrderRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[OrderRow]: ...
    def __getitem__(self, index: int | slice) -> OrderRow | list[OrderRow]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return OrderRow(self.sources[index], self.sections[index], self.urls[index], self.modified[index])


@dataclass(frozen=True)
class SiteFacts:
    """What remember_site records of a clean full build, and the indexes over its order (worked
    out once per decoded value: a watch session keeps it between builds)."""

    base: str  # the fingerprint of its inputs other than content/
    salt: str  # its page-key salt
    nav: tuple[NavEntry, ...]
    order: Sequence[OrderRow]  # newest first

    @cached_property
    def columns(self) -> OrderColumns:
        return OrderColumns.of(self.order)

    @cached_property
    def sources(self) -> list[str]:
        return self.columns.sources

    @cached_property
    def positions(self) -> dict[str, int]:
        return {shown: index for index, shown in enumerate(self.sources)}

    @cached_property
    def members(self) -> dict[str, list[int]]:
        """Each section's articles, as positions in the site's order."""
        found: dict[str, list[int]] = {entry.key: [] for entry in self.nav}
        for index, section in enumerate(self.columns.sections):
            found[section].append(index)
        return found

    def encode(self) -> bytes:
        columns = self.columns
        payload = {
            "base": self.base,
            "salt": self.salt,
            "nav": [[e.key, e.name, e.label] for e in self.nav],
            "columns": [columns.sources, columns.sections, columns.urls, columns.modified],
        }
        return tree_json(payload)

    @staticmethod
    def decode(data: bytes) -> SiteFacts:
        payload = from_json(data)
        return SiteFacts(payload["base"], payload["salt"], tuple(NavEntry(*entry) for entry in payload["nav"]), OrderColumns(*payload["columns"]))


def from_json(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)  # tree_json's escaped lone surrogates


def remember_site(state: BuildState, *, base: str, salt: str, site: Site) -> SiteFacts:
    """Record what a later build of an edit or a new story needs of this clean full build."""
    sections = {item.article.source_path: section.key for section in site.sections for item in section.articles}
    facts = SiteFacts(
        base, salt, tuple(NavEntry(s.key, s.name, s.label) for s in site.sections),
        [OrderRow.of(item, sections[item.article.source_path]) for item in site.articles],
    )
    store_site_facts(state, facts)
    return facts


def store_site_facts(state: BuildState, facts: SiteFacts) -> None:
    data = facts.encode()
    digest = content_digest(data)
    state.write_large(SITE_KEY, data)
    state.write_values({SITE_DIGEST: digest})
    state.memo[SITE_KEY] = (digest, facts)


def read_site_facts(state: BuildState) -> SiteFacts | None:
    """The facts the last clean full build remembered (decoded once per session: the digest the
    state holds is compared with the one of the value decoded before)."""
    digest = state.read_value(SITE_DIGEST)
    known = state.memo.get(SITE_KEY)
    if digest is not None and isinstance(known, tuple) and known[0] == digest:
        return known[1]  # type: ignore[no-any-return]
    found = state.read_large(SITE_KEY)
    if found is None:
        return None
    try:
        facts = SiteFacts.decode(found)
    except (KeyError, TypeError, ValueError):
        return None  # written by another version; the full build writes it again
    state.memo[SITE_KEY] = (content_digest(found), facts)
    return facts


@dataclass(frozen=True, slots=True)
class ListingAt:
    """A page of a listing: its URL prefix, template and extra context, the positions of the
    listing's articles in the site's order, and the page's number (paging)."""

    prefix: str
    template: str
    extra: Context
    members: list[int]
    number: int


# Record fields only an article's own page shows.
_OWN_PAGE_FIELDS = ("body", "body_html", "reading_minutes", "word_count", "body_line", "field_lines")


def changed_listing_pages(before: Sequence[str], after: Sequence[str], per_page: int) -> list[int]:
    """The numbers of the pages of a listing, once `before` and now `after` (its articles newest
    first), whose stories or links differ."""
    known = archive_count(len(before), per_page)
    changed = []
    for page in listing_pages(len(after), per_page):
        if page.number > known:
            changed.append(page.number)
            continue
        old = listing_page(len(before), per_page, page.number)
        if (old.newer, old.older) != (page.newer, page.older) or before[old.start : old.stop] != after[page.start : page.stop]:
            changed.append(page.number)
    return changed


def same_place(old: RenderedArticle, new: RenderedArticle) -> bool:
    """Whether the two versions have the same place in the site: the same position in every
    list, URL, publication, sitemap entry and front-matter extras (a lead picture among them)."""
    a, b = old.article, new.article
    return (a.source_path, a.date, a.category, a.slug, a.draft, a.updated, dict(a.extra)) == (
        b.source_path, b.date, b.category, b.slug, b.draft, b.updated, dict(b.extra)
    )


def has_picture(item: RenderedArticle, content_dir: Path) -> bool:
    """Whether the article has a lead picture or its body shows pictures (both made by the full build)."""
    return bool(item.pictures) or "image" in item.article.extra or find_image_file(content_dir, item.article) is not None


def same_elsewhere(old: RenderedArticle, new: RenderedArticle) -> bool:
    """Whether the two versions show the same on every page but the article's own."""
    a, b = records.partial_fields(old), records.partial_fields(new)
    for name in _OWN_PAGE_FIELDS:
        a.pop(name, None)
        b.pop(name, None)
    return a == b



class RememberedOrder:
    """The last full build's site as remember_site recorded it: where each article's rail,
    related window and listing pages are; articles are read from the build cache as they are
    needed."""

    def __init__(
        self, facts: SiteFacts, *, config: SiteConfig, state: BuildState, now: datetime, fresh: dict[str, RenderedArticle] | None = None
    ) -> None:
        """fresh: articles of the site that are not in the build cache yet (new ones), by source."""
        self._fresh = fresh or {}
        self._config = config
        self._state = state
        self._now = now
        self._salt = facts.salt
        self._nav = facts.nav
        self._facts = facts
        self._rows = facts.order
        self._order = facts.sources
        self._position = facts.positions
        self._members = facts.members

    def _keys(self, shown: Sequence[str]) -> dict[str, str] | None:
        digests = self._state.read_file_digests_of(set(shown))
        if len(digests) != len(set(shown)):
            return None
        return {path: source_cache_key(self._config, path, digests[path][1]) for path in shown}

    def _partials(self, shown: Sequence[str]) -> dict[str, RenderedArticle] | None:
        keys = self._keys([path for path in shown if path not in self._fresh])
        if keys is None:
            return None
        found = cached_partial(self._state, list(set(keys.values())))
        if len(found) != len(set(keys.values())):
            return None
        return {**{path: found[key] for path, key in keys.items()}, **{path: self._fresh[path] for path in shown if path in self._fresh}}

    def _wholes(self, shown: Sequence[str]) -> dict[str, RenderedArticle] | None:
        keys = self._keys([path for path in shown if path not in self._fresh])
        if keys is None:
            return None
        found = self._state.get_many(set(keys.values()))
        if len(found) != len(set(keys.values())):
            return None
        return {
            **{path: records.decode_rendered(found[key], key) for path, key in keys.items()},
            **{path: self._fresh[path] for path in shown if path in self._fresh},
        }

    def _site(self, articles: tuple[RenderedArticle, ...], sections: dict[str, tuple[RenderedArticle, ...]]) -> Site:
        return Site(
            articles=articles,
            sections=tuple(Section(entry.key, entry.name, entry.label, sections.get(entry.key, ())) for entry in self._nav),
            built_at=self._now,
        )

    def _rail(self, index: int) -> list[int]:
        return rail_positions(index, len(self._order), self._config.latest_count)

    def _window(self, index: int) -> tuple[list[int], int]:
        """The positions of an article's related-article window in its section (RelatedFinder.span)
        and the article's offset in it."""
        members = self._members[self._rows[index].section]
        place = bisect.bisect_left(members, index)
        start, stop = window_span(place)
        return members[start:stop], place - start

    def _showing_card(self, index: int) -> set[int]:
        """The articles whose pages show the card of the article at `index`: its rail is on the
        pages of the articles published just after it, and its related terms count on the pages
        of its section's neighbours."""
        count, total = self._config.latest_count, len(self._order)
        showing = {other for other in range(max(0, index - count), index)}
        if index <= count:  # the rails of the oldest articles show the newest
            showing.update(other for other in range(max(0, total - count), total) if index in self._rail(other))
        window, _ = self._window(index)
        return showing | set(window)

    def _listing_pages(self, index: int) -> list[ListingAt]:
        """The front and section pages an article is listed on: prefix, template, extra context,
        the positions the listing holds, and the page number."""
        per_page = self._config.per_page
        key = self._rows[index].section
        label = next(entry.label for entry in self._nav if entry.key == key)
        members = self._members[key]
        everything = list(range(len(self._order)))
        place = bisect.bisect_left(members, index)
        return [
            *(ListingAt(*front_listing(), everything, number) for number in pages_showing(index, len(everything), per_page)),
            *(ListingAt(*section_listing(key, label), members, number) for number in pages_showing(place, len(members), per_page)),
        ]

    def _news_positions(self) -> list[int] | None:
        """The positions of the articles in the news sitemap (the newest, published within its
        window), or None when they cannot all be read."""
        since = self._now - timedelta(hours=self._config.news_sitemap_hours)
        found: list[int] = []
        batch = 64
        while len(found) < len(self._order):
            paths = self._order[len(found) : len(found) + batch]
            items = self._partials(paths)
            if items is None:
                return None
            for path in paths:
                if items[path].article.date < since:
                    return found
                found.append(len(found))
            batch *= 2
        return found

    def _insertion_point(self, order: list[OrderRow], wanted: tuple[float, str], known: dict[str, RenderedArticle]) -> int | None:
        """Where an article with sort key `wanted` goes among the rows of `order` (site.sort_key),
        found by reading the cache records of a few articles."""
        low, high = 0, len(order)
        while low < high:
            middle = (low + high) // 2
            shown = order[middle].source
            if shown not in known:
                found = self._partials([shown])
                if found is None:
                    return None
                known.update(found)
            if sort_key(known[shown]) < wanted:
                low = middle + 1
            else:
                high = middle
        return low
