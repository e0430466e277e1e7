"""Articles edited in place, or new ones -> the pages that show them, without loading or planning
the whole site.

The commonest changes to a published site are edits to a story that leave it where it is: a typo,
a correction, a new paragraph, a better headline. When every file that changed since the last
clean build is such an edit (the article keeps its date, section, slug, publication, update time
and front-matter extras, so its place in every list and its URL stay), the pages that change are
known from the site's order alone:

- an edit to the text changes only the article's own page, and the feeds that carry it (feeds
  carry the full text);
- an edit to what its card shows (headline, summary, lead, author, language) also changes the
  rails of the articles published just after it, the related lists of its section's neighbours
  (their candidate windows), the front and section pages it is on, the 404 page when it is among
  the newest, and the news sitemap when it is in its window.

The next commonest is a new story, published at once in a section the site has. Its place in the
order is found by bisection over the cached records; it changes its own page, the rails and
related lists that show it, the listing pages whose stories or links move (paging keeps the
archive pages older than it as they were), the feeds, 404 page and news sitemap when they show
it, and the sitemap.

Those pages are rendered from the new records and their neighbours, read from the build cache in
the order the last full build remembered. Pages and keys are exactly those a full build makes.
Anything else (a moved or deleted file, a new one that is a draft, scheduled, starts a section
or claims a URL in use, an edit and a new file at once, a lead picture on a page involved or a
picture in the body of an article whose page or feeds are involved (before or after the edit), an
error or warning, another kind of file, new code, templates or config, a clock outside the last
build's window) returns None, and the caller runs the full build.
"""

from __future__ import annotations

import bisect
import json
import os
import stat
from collections.abc import Callable, Sequence
from typing import Any
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import jinja2
import orjson

from flashnews import records
from flashnews.config import SiteConfig
from flashnews.decode import decode_markdown_bytes
from flashnews.errors import FlashnewsError
from flashnews.fingerprint import ClockWindow
from flashnews.images import find_image_file
from flashnews.loading import cache_parsed, cached_partial, source_cache_key
from flashnews.model import RenderedArticle, Section, Site
from flashnews.output import OutputTransaction
from flashnews.paging import FRONT, archive_count, listing_page, listing_pages, page_path, pages_showing
from flashnews.feeds import modified_at, plan_feed_pages
from flashnews import sitemap
from flashnews.sitemap import article_entries, listing_entries, plan_news_sitemap_pages
from flashnews.i18n import format_edition_date
from flashnews.planner import (
    article_page_key,
    card_digest,
    front_listing,
    listing_head,
    listing_page_key,
    record_digest,
    section_listing,
    whole_page_key,
)
from flashnews.related import CANDIDATE_WINDOW, RelatedFinder
from flashnews.render import Context, PagePlan, article_card, article_context, listing_context, plan_not_found_page, render_page
from flashnews.site import RESERVED_SLUGS, article_url, is_published, section_key, section_of, section_url, sort_key
from flashnews.sources import read_source_bytes
from flashnews.state import BuildState, FileStamp, OutputRecord, content_digest, stamp_of, tree_json
from flashnews.workers import parse_source

# Build-cache entries written by every clean full build (remember_site).
TREE_KEY = "inplace\0tree"
SITE_KEY = "inplace\0site"
# More edits than this at once are left to the full build, which renders them in parallel.
MAX_EDITS = 16
# Record fields only an article's own page shows.
_OWN_PAGE_FIELDS = ("body", "body_html", "reading_minutes", "word_count", "body_line", "field_lines")

Tree = Sequence[Sequence[object]]  # fingerprint.stamp_tree: (relative path, size, mtime, ctime, inode)


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """What an Indexer staged: the index files' records, the old index files to delete, how
    many articles it indexed, the build-state values to save once the transaction commits, and
    whether it left the index behind for a later pass (deferred)."""

    records: dict[str, OutputRecord]
    stale: tuple[str, ...]
    indexed: int
    state: dict[str, str | None]
    pending: bool = False


NO_INDEX = SearchIndex({}, (), 0, {})


@dataclass(frozen=True, slots=True)
class InPlaceBuild:
    """What an in-place build wrote."""

    written: tuple[str, ...]
    deleted: tuple[str, ...]
    rendered: int
    search: SearchIndex


# index(transaction, sources of the published articles newest first, the articles parsed now by source)
Indexer = Callable[[OutputTransaction, list[str], dict[str, RenderedArticle]], SearchIndex]


# A page of a listing: URL prefix, template, extra context, the positions of the listing's
# articles in the site's order, and the page's number (paging).
_ListingAt = tuple[str, str, Context, list[int], int]


@dataclass(frozen=True, slots=True)
class _Addition:
    """What adding articles changes: the pages with their keys, the remembered site after it (as
    remember_site stores it) and the clock window of the new output."""

    pages: list[tuple[PagePlan, str]]
    facts: bytes
    window: ClockWindow


def _changed_listing_pages(before: Sequence[str], after: Sequence[str], per_page: int) -> list[int]:
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


@dataclass(frozen=True, slots=True)
class _Edit:
    shown: str
    path: Path
    stamp: FileStamp
    digest: str
    key: str
    whole: bytes
    partial: bytes
    terms: bytes


def _from_json(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)  # tree_json's escaped lone surrogates


def remember_site(state: BuildState, *, base: str, salt: str, tree_data: bytes, site: Site) -> None:
    """Record what a later in-place build needs of this clean full build: the fingerprint of its
    inputs other than content/, its page-key salt, the stamps of content/, and the order and
    sections of its articles."""
    sections = {item.article.source_path: section.key for section in site.sections for item in section.articles}
    payload = {
        "base": base,
        "salt": salt,
        "nav": [[s.key, s.name, s.label] for s in site.sections],
        "order": [_row(item, sections[item.article.source_path]) for item in site.articles],
    }
    state.put_many({SITE_KEY: tree_json(payload), TREE_KEY: tree_data})


def _row(item: RenderedArticle, section: str) -> list[str]:
    """What the remembered order holds of an article: its source, section, URL and last change."""
    return [item.article.source_path, section, article_url(item), modified_at(item).isoformat()]


def _tree_changes(old: Tree, new: Tree) -> tuple[list[Sequence[object]], list[Sequence[object]]] | None:
    """The entries of new whose stamps differ from old's, and those old does not have; None when
    a file went away."""
    stamps = {entry[0]: tuple(entry[1:5]) for entry in old}
    edited, added = [], []
    for entry in new:
        before = stamps.get(entry[0])
        if before is None:
            added.append(entry)
        elif before != tuple(entry[1:5]):
            edited.append(entry)
    if len(new) - len(added) != len(old):
        return None
    return edited, added


def _read_edit(content_dir: Path, relative: str, config: SiteConfig) -> _Edit | None:
    """The parse of one edited .md file, or None if it is not a clean, regular source file."""
    shown = f"{content_dir.name}/{relative}" if content_dir.name else relative
    path = content_dir.joinpath(*relative.split("/"))
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            return None
        raw = read_source_bytes(path, shown=shown, max_bytes=config.normalize.max_source_bytes)
        text = decode_markdown_bytes(raw)
        if stamp_of(os.stat(path)) != stamp_of(info):
            return None  # changed while being read
    except (OSError, UnicodeDecodeError, FlashnewsError):
        return None
    record, warnings, error = parse_source(shown, text, config.timezone, config.search)
    if record is None or error is not None or warnings:
        return None
    digest = content_digest(raw)
    return _Edit(shown, path, stamp_of(info), digest, source_cache_key(config, shown, digest), *record)


def _same_place(old: RenderedArticle, new: RenderedArticle) -> bool:
    """Whether the two versions have the same place in the site: the same position in every
    list, URL, publication, sitemap entry and front-matter extras (a lead picture among them)."""
    a, b = old.article, new.article
    return (a.source_path, a.date, a.category, a.slug, a.draft, a.updated, dict(a.extra)) == (
        b.source_path, b.date, b.category, b.slug, b.draft, b.updated, dict(b.extra)
    )


def _has_picture(item: RenderedArticle, content_dir: Path) -> bool:
    """Whether the article has a lead picture or its body shows pictures (both made by the full build)."""
    return bool(item.pictures) or "image" in item.article.extra or find_image_file(content_dir, item.article) is not None


def _same_elsewhere(old: RenderedArticle, new: RenderedArticle) -> bool:
    """Whether the two versions show the same on every page but the article's own."""
    a, b = records.partial_fields(old), records.partial_fields(new)
    for name in _OWN_PAGE_FIELDS:
        a.pop(name, None)
        b.pop(name, None)
    return a == b


def build_in_place(
    config: SiteConfig,
    *,
    content_dir: Path,
    output_dir: Path,
    state: BuildState,
    base: str,
    tree: Tree,
    tree_data: bytes,
    now: datetime,
    environment: jinja2.Environment,
    index: Indexer | None = None,
    first: Callable[[tuple[str, ...]], None] | None = None,
) -> InPlaceBuild | None:
    """Render and write the pages of the articles edited in place, or added, since the last clean
    full build (see above), and bring the build state up to date; None when the site needs a full build.
    tree is fingerprint.stamp_tree of content/ (its archive left out), tree_data is tree_json(tree).
    index(transaction, published sources newest first, parsed articles), when given, stages the search index in
    the same transaction (so a failure leaves the output as it was) and says what it staged.
    With first(paths), the changed articles' own pages are published first, in a transaction of
    their own, and first is called with their paths before the pages that list them are rendered."""
    window = ClockWindow.decode(state.read_value("clock") or "")
    if state.read_value("fingerprint") is None or window is None or not window.contains(now):
        return None
    remembered = state.get_many([SITE_KEY, TREE_KEY])
    if len(remembered) != 2:
        return None
    site_facts = _from_json(remembered[SITE_KEY])
    if site_facts["base"] != base:
        return None
    changes = _tree_changes(_from_json(remembered[TREE_KEY]), tree)
    if changes is None or (changes[0] and changes[1]):
        return None  # a file went away, or files were both edited and added
    changed = changes[0] or changes[1]
    if not changed or len(changed) > MAX_EDITS or not all(str(entry[0]).casefold().endswith(".md") for entry in changed):
        return None
    if not state.has_every_output(output_dir):
        return None
    edits = [_read_edit(content_dir, str(entry[0]), config) for entry in changed]
    if any(edit is None for edit in edits):
        return None
    remembered_site = _RememberedSite(site_facts, config=config, state=state, now=now)
    new_items: dict[str, RenderedArticle] = {}
    for edit in edits:
        assert edit is not None
        new_items[edit.shown] = records.decode_rendered(edit.whole, edit.key)
    addition = None
    if changes[1]:
        addition = remembered_site.plan_additions(new_items, content_dir, window)
        planned = addition.pages if addition is not None else None
    else:
        planned = remembered_site.plan_edits(new_items, content_dir)
    if planned is None:
        return None
    recorded = state.read_outputs_of([plan.path for plan, _ in planned])
    new_pages = sum(1 for plan, _ in planned if plan.path not in recorded)
    # A page whose key is the manifest's is on disk as it would be rendered (BuildState.has_every_output).
    planned = [(plan, key) for plan, key in planned if plan.path not in recorded or recorded[plan.path].digest != key]
    written: tuple[str, ...] = ()
    if first is not None:
        ahead = [(plan, key) for plan, key in planned if plan.source in new_items]
        written = _publish(ahead, environment, output_dir, state)
        if written is None:
            return None
        first(written)
        planned = [(plan, key) for plan, key in planned if plan.source not in new_items]
    try:
        pages = [render_page(environment, plan) for plan, _ in planned]
    except FlashnewsError:
        return None  # the full build reports it
    indexed = NO_INDEX
    with OutputTransaction(output_dir) as transaction:
        for page in pages:
            transaction.stage(page)
        if index is not None:
            order = _from_json(addition.facts)["order"] if addition is not None else site_facts["order"]
            indexed = index(transaction, [row[0] for row in order], new_items)
        report = transaction.commit(indexed.stale)
    sources = [edit for edit in edits if edit is not None]
    known = state.read_file_digests_of(edit.shown for edit in sources)
    for edit in sources:
        cache_parsed(state, edit.key, edit.whole, edit.partial, edit.terms)
    state.write_file_digests({edit.shown: (edit.stamp, edit.digest) for edit in sources}, known=known)
    state.write_outputs({**{plan.path: OutputRecord(key, plan.source) for plan, key in planned}, **indexed.records}, report.deleted)
    if addition is not None:
        summary = json.loads(state.read_value("summary") or "null")
        summary["articles"] += len(new_items)
        summary["pages"] += new_pages
        state.put_many({SITE_KEY: addition.facts})
        state.write_values({"summary": json.dumps(summary), "clock": addition.window.encode()})
    state.put_many({TREE_KEY: tree_data})
    return InPlaceBuild(written=written + report.written, deleted=report.deleted, rendered=len(written) + len(pages), search=indexed)


def _publish(pages: list[tuple[PagePlan, str]], environment: jinja2.Environment, output_dir: Path, state: BuildState) -> tuple[str, ...] | None:
    """Render and write these pages in a transaction of their own and record them in the
    manifest; None when one cannot be rendered (the full build reports it)."""
    try:
        rendered = [render_page(environment, plan) for plan, _ in pages]
    except FlashnewsError:
        return None
    with OutputTransaction(output_dir) as transaction:
        for page in rendered:
            transaction.stage(page)
        report = transaction.commit()
    state.write_outputs({plan.path: OutputRecord(key, plan.source) for plan, key in pages}, ())
    return report.written


class _RememberedSite:
    """The last full build's site as remember_site recorded it; articles are read from the build
    cache as they are needed."""

    def __init__(
        self, facts: dict[str, Any], *, config: SiteConfig, state: BuildState, now: datetime, fresh: dict[str, RenderedArticle] | None = None
    ) -> None:
        """fresh: articles of the site that are not in the build cache yet (new ones), by source."""
        self._fresh = fresh or {}
        self._config = config
        self._state = state
        self._now = now
        self._salt: str = facts["salt"]
        self._nav: list[tuple[str, str, str]] = [tuple(row) for row in facts["nav"]]
        self._facts = facts
        self._rows: list[list[str]] = facts["order"]  # see _row
        self._order: list[str] = [row[0] for row in self._rows]
        self._section_of: list[str] = [row[1] for row in self._rows]
        self._position = {shown: index for index, shown in enumerate(self._order)}
        # Each section's articles, as positions in the site's order.
        self._members: dict[str, list[int]] = {key: [] for key, _, _ in self._nav}
        for index, key in enumerate(self._section_of):
            self._members[key].append(index)

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
            sections=tuple(Section(key, name, label, sections.get(key, ())) for key, name, label in self._nav),
            built_at=self._now,
        )

    def _rail(self, index: int) -> list[int]:
        """The positions of an article's rail (SitePlanner._rail)."""
        count = self._config.latest_count
        if index + 1 + count <= len(self._order):
            return list(range(index + 1, index + 1 + count))
        return [other for other in range(min(len(self._order), count + 1)) if other != index][:count]

    def _window(self, index: int) -> tuple[list[int], int]:
        """The positions of an article's related-article window in its section (RelatedFinder.span)
        and the article's offset in it."""
        members = self._members[self._section_of[index]]
        place = bisect.bisect_left(members, index)
        start = max(0, place - CANDIDATE_WINDOW)
        return members[start : place + CANDIDATE_WINDOW + 1], place - start

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

    def _listing_pages(self, index: int) -> list[_ListingAt]:
        """The front and section pages an article is listed on: prefix, template, extra context,
        the positions the listing holds, and the page number."""
        per_page = self._config.per_page
        key = self._section_of[index]
        label = next(label for section, _, label in self._nav if section == key)
        members = self._members[key]
        everything = list(range(len(self._order)))
        place = bisect.bisect_left(members, index)
        return [
            *((*front_listing(), everything, number) for number in pages_showing(index, len(everything), per_page)),
            *((*section_listing(key, label), members, number) for number in pages_showing(place, len(members), per_page)),
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

    def plan_edits(self, new_items: dict[str, RenderedArticle], content_dir: Path) -> list[tuple[PagePlan, str]] | None:
        """The pages (with their keys) that new versions of published articles change, planned
        from the remembered site; None when an edit moves an article or any page involved has a
        lead picture. An edit to the text changes only the article's own page (and the feeds
        that carry it); an edit to what its card shows (headline, summary, lead, author,
        language) also changes the rails, related lists, listing pages, 404 page and news
        sitemap that show it."""
        positions = {shown: self._position.get(shown) for shown in new_items}
        if any(index is None for index in positions.values()):
            return None
        old = self._partials(list(new_items))
        if old is None:
            return None
        pages: set[int] = set()
        listings: dict[tuple[str, int], _ListingAt] = {}
        card_edits: list[int] = []
        for shown, item in new_items.items():
            index = positions[shown]
            assert index is not None
            if not _same_place(old[shown], item) or old[shown].pictures:
                return None  # moved, or the pictures its body showed may be left behind
            pages.add(index)
            if not _same_elsewhere(old[shown], item):
                card_edits.append(index)
                pages |= self._showing_card(index)
                for listing in self._listing_pages(index):
                    listings[(listing[0], listing[4])] = listing
        news = self._news_positions() if card_edits else []
        if news is None:
            return None
        return self._plan_pages(
            new_items, content_dir, pages=pages, listings=listings, news=news,
            not_found=any(index < self._config.latest_count for index in card_edits),
            news_sitemap=any(index in news for index in card_edits), sitemap_from=None,
        )

    def plan_additions(self, new_items: dict[str, RenderedArticle], content_dir: Path, window: ClockWindow) -> _Addition | None:
        """The pages (with their keys) that adding new articles changes, and the remembered site
        and clock window after it; None when an article is not published now (a draft, or
        scheduled), would start a section, claims a URL in use or has a lead picture. The new
        articles' pages, the rails and related lists that show them, the listing pages whose
        stories or links change (paging keeps the older archive pages as they were), the feeds,
        the 404 page and the news sitemap when they show them, and the sitemap."""
        config = self._config
        nav = {key for key, _, _ in self._nav}
        reserved = RESERVED_SLUGS | nav | {section_key(section.name) for section in config.sections}
        rows: dict[str, list[str]] = {}
        for shown, item in sorted(new_items.items(), key=lambda pair: sort_key(pair[1])):
            article = item.article
            key = section_key(section_of(article.category, config).name)
            if not is_published(item, now=self._now, include_drafts=False) or key not in nav or article.slug in reserved or _has_picture(item, content_dir):
                return None
            reserved |= {article.slug}
            rows[shown] = _row(item, key)
        if self._state.read_outputs_of([url + "index.html" for _, _, url, _ in rows.values()]):
            return None  # a URL in use, by a published article or the last good page of a failed one
        known: dict[str, RenderedArticle] = dict(new_items)
        order = list(self._rows)
        for shown, row in rows.items():
            at = self._insertion_point(order, sort_key(new_items[shown]), known)
            if at is None:
                return None
            order.insert(at, row)
        site = _RememberedSite({**self._facts, "order": order}, config=config, state=self._state, now=self._now, fresh=new_items)
        pages: set[int] = set()
        listings: dict[tuple[str, int], _ListingAt] = {}
        for shown in rows:
            index = site._position[shown]
            pages |= {index, *site._showing_card(index)}
        for key, label in [("", ""), *((key, label) for key, _, label in self._nav if any(row[1] == key for row in rows.values()))]:
            before = self._order if not key else [self._order[i] for i in self._members[key]]
            members = list(range(len(site._order))) if not key else site._members[key]
            prefix, template, extra = section_listing(key, label) if key else front_listing()
            for number in _changed_listing_pages(before, [site._order[i] for i in members], config.per_page):
                listings[(prefix, number)] = (prefix, template, extra, members, number)
        news = site._news_positions()
        if news is None:
            return None
        indexes = [site._position[shown] for shown in rows]
        planned = site._plan_pages(
            new_items, content_dir, pages=pages, listings=listings, news=news,
            not_found=any(index < config.latest_count for index in indexes),
            news_sitemap=any(index in news for index in indexes),
            sitemap_from=min(len(site._order) - 1 - index for index in indexes),
        )
        if planned is None:
            return None
        return _Addition(planned, tree_json({**self._facts, "order": order}), window.with_published([item.article.date for item in new_items.values()], config, now=self._now))

    def _insertion_point(self, order: list[list[str]], wanted: tuple[float, str], known: dict[str, RenderedArticle]) -> int | None:
        """Where an article with sort key `wanted` goes among the rows of `order` (site.sort_key),
        found by reading the cache records of a few articles."""
        low, high = 0, len(order)
        while low < high:
            middle = (low + high) // 2
            shown = order[middle][0]
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

    def _plan_pages(
        self,
        new_items: dict[str, RenderedArticle],
        content_dir: Path,
        *,
        pages: set[int],
        listings: dict[tuple[str, int], _ListingAt],
        news: list[int],
        not_found: bool,
        news_sitemap: bool,
        sitemap_from: int | None,
    ) -> list[tuple[PagePlan, str]] | None:
        """The article pages at `pages`, the listing pages, the feeds that carry a new item and,
        as asked, the 404 page, the news sitemap (of the articles at `news`) and the sitemap parts
        from the one holding article entry `sitemap_from` (counted from the oldest) on,
        each with its key; pages planned whole only when their keys changed. None when a record
        is missing from the cache or a page involved has a lead picture."""
        count, per_page = self._config.latest_count, self._config.per_page
        wanted: set[int] = set(news)
        for index in pages:
            window, _ = self._window(index)
            wanted.update(self._rail(index), window, (index,))
        for _, _, _, members, number in listings.values():
            page = listing_page(len(members), per_page, number)
            wanted.update(members[page.start : page.stop])
        if not_found:
            wanted.update(range(min(count, len(self._order))))
        paths = [self._order[index] for index in sorted(wanted)]
        found = self._partials([path for path in paths if path not in new_items])
        if found is None:
            return None
        found.update(new_items)
        # Pages with a lead picture are keyed and laid out with it: left to the full build.
        if any(_has_picture(found[self._order[index]], content_dir) for index in pages):
            return None
        if any(number == FRONT and members and _has_picture(found[self._order[members[0]]], content_dir) for _, _, _, members, number in listings.values()):
            return None
        wholes = self._wholes([self._order[index] for index in pages if self._order[index] not in new_items])
        if wholes is None:
            return None
        wholes.update(new_items)
        planned = [self._article_page(index, found, wholes[self._order[index]]) for index in sorted(pages)]
        planned += [self._listing_page(listing, found) for _, listing in sorted(listings.items())]
        whole: list[PagePlan] = []
        if not_found:
            whole.append(plan_not_found_page(self._site(tuple(found[self._order[i]] for i in range(min(count, len(self._order)))), {}), self._config))
        if news_sitemap:
            whole += plan_news_sitemap_pages(self._site(tuple(found[self._order[i]] for i in news), {}), self._config)
        if sitemap_from is not None:
            whole += self._plan_sitemap(sitemap_from)
        feeds = self.plan_feeds(new_items)
        if feeds is None:
            return None
        return planned + self._changed([(plan, whole_page_key(self._salt, plan)) for plan in whole]) + feeds

    def _plan_sitemap(self, first: int) -> list[PagePlan]:
        """sitemap.xml of the remembered site (sitemap.sitemap_entries): the index and the parts
        from the one holding entry `first` (articles count from the oldest) on."""
        config, rows = self._config, self._rows
        moments = [datetime.fromisoformat(row[3]) for row in rows]
        listings = [("", moments), *((section_url(key), [moments[i] for i in self._members[key]]) for key, _, _ in self._nav)]
        listed = listing_entries(listings, config)
        total, limit = len(rows) + len(listed), sitemap.SITEMAP_LIMIT
        offset = first // limit * limit if total > limit else 0
        articles = article_entries([(rows[i][2], moments[i]) for i in range(len(rows) - 1 - offset, -1, -1)], config)
        return sitemap.plan_sitemap(articles + listed, config, offset=offset, total=total)

    def _article_page(self, index: int, found: dict[str, RenderedArticle], item: RenderedArticle) -> tuple[PagePlan, str]:
        """An article's page and key, its neighbours taken from found and itself from item."""
        shown = self._order[index]
        window_positions, offset = self._window(index)
        window = tuple(found[self._order[i]] for i in window_positions)
        rail = tuple(found[self._order[i]] for i in self._rail(index))
        site = self._site((item, *rail), {self._section_of[index]: window})
        related = RelatedFinder(site).related(shown)
        config = self._config
        context = article_context(site, config, item, rail=rail, related=related, cards=lambda other: article_card(other, config), images={})
        path = article_url(item) + "index.html"
        key = article_page_key(
            self._salt, path, record_digest(item), "", (card_digest(other) for other in rail), offset, (card_digest(other) for other in window)
        )
        return PagePlan(path, "article.html", context, source=shown), key

    def _listing_page(self, listing: _ListingAt, found: dict[str, RenderedArticle]) -> tuple[PagePlan, str]:
        """A page of the front page or of a section, and its key (SitePlanner._listing_specs)."""
        prefix, template, extra, members, number = listing
        page = listing_page(len(members), self._config.per_page, number)
        chunk = tuple(found[self._order[i]] for i in members[page.start : page.stop])
        site = self._site(chunk, {})
        edition_date = format_edition_date(self._now.astimezone(self._config.tz), self._config.language)
        head = listing_head(self._salt, template, prefix, extra, edition_date)
        key = listing_page_key(head, page, "", (card_digest(item) for item in chunk))
        path = page_path(prefix, number)
        config = self._config
        context = listing_context(
            site, config, path=path, prefix=prefix, items=chunk, page=page, extra=extra,
            cards=lambda item: article_card(item, config), images={},
        )
        return PagePlan(path, template, context), key

    def _changed(self, plans: list[tuple[PagePlan, str]]) -> list[tuple[PagePlan, str]]:
        """The pages planned whole whose keys differ from the manifest's."""
        recorded = self._state.read_outputs_of([plan.path for plan, _ in plans])
        return [(plan, key) for plan, key in plans if plan.path not in recorded or recorded[plan.path].digest != key]

    def plan_feeds(self, new_items: dict[str, RenderedArticle]) -> list[tuple[PagePlan, str]] | None:
        """The feeds that carry any of the new versions, with their keys (feeds show full text)."""
        count = self._config.feed_items
        site_paths = self._order[:count]
        section_paths = {key: [self._order[i] for i in members[:count]] for key, members in self._members.items()}
        shown = {*site_paths, *(path for paths in section_paths.values() for path in paths)}
        if not shown & new_items.keys():
            return []
        found = self._wholes(sorted(shown - new_items.keys()))
        if found is None or any(item.pictures for item in found.values()):
            return None  # feeds draw the pictures in a body from the files the full build makes
        found.update(new_items)
        site = self._site(
            tuple(found[path] for path in site_paths), {key: tuple(found[path] for path in paths) for key, paths in section_paths.items()}
        )
        return self._changed([(plan, whole_page_key(self._salt, plan)) for plan in plan_feed_pages(site, self._config)])
