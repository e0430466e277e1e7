"""Articles edited in place -> their own pages, without loading or planning the whole site.

The commonest change to a published site is to the text of a story: a typo, a correction, a new
paragraph. When every file that changed since the last clean build is such an edit (the article
keeps its headline, summary, lead, date, section, slug, author, language, publication, update
time and front-matter extras), no other page changes: listings, rails, related lists, sitemaps and
the 404 page show only those. Feeds carry the full text, so the feeds that list an edited article
are made again too.

Then each edited article's page is rendered from its new record and its neighbours, read from the
build cache in the order the last full build remembered: the rail (the articles published just
before it) and its related-article window in its section; a feed from the newest articles of the
site and of each section. Pages and keys are exactly those a full build makes. Anything else (a
new, moved or deleted file, a lead picture, an error or warning, another kind of file, new code,
templates or config, a clock outside the last build's window) returns None, and the caller runs
the full build.
"""

from __future__ import annotations

import bisect
import json
import os
import stat
from collections.abc import Callable, Sequence
from typing import Any
from dataclasses import dataclass
from datetime import datetime
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
from flashnews.feeds import plan_feed_pages
from flashnews.planner import article_page_key, card_digest, whole_page_key
from flashnews.related import CANDIDATE_WINDOW, RelatedFinder
from flashnews.render import PagePlan, article_card, article_context, render_page
from flashnews.site import article_url
from flashnews.sources import read_source_bytes
from flashnews.state import BuildState, FileStamp, OutputRecord, content_digest, stamp_of
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
class InPlaceBuild:
    """What an in-place build wrote."""

    written: tuple[str, ...]
    deleted: tuple[str, ...]
    rendered: int
    indexed: int


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """What an Indexer staged: the index files' records, the old index files to delete, and how
    many pages it indexed."""

    records: dict[str, OutputRecord]
    stale: tuple[str, ...]
    pages: int


Indexer = Callable[[OutputTransaction, list[str]], SearchIndex]


@dataclass(frozen=True, slots=True)
class _Edit:
    shown: str
    path: Path
    stamp: FileStamp
    digest: str
    key: str
    whole: bytes
    partial: bytes


def tree_json(value: object) -> bytes:
    """value as JSON; file names that are not UTF-8 (held as lone surrogates) are escaped."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value).encode()


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
        "order": [[item.article.source_path, sections[item.article.source_path]] for item in site.articles],
    }
    state.put_many({SITE_KEY: tree_json(payload), TREE_KEY: tree_data})


def _edited_files(old: Tree, new: Tree) -> list[Sequence[object]] | None:
    """The entries of new whose stamps differ from old's; None when a file came or went."""
    if len(old) != len(new):
        return None
    edited = []
    for before, after in zip(old, new):
        if before[0] != after[0]:
            return None
        if before[1] != after[1] or before[2] != after[2] or before[3] != after[3] or before[4] != after[4]:
            edited.append(after)
    return edited


def _outputs_present(state: BuildState, output_dir: Path) -> bool:
    """Whether every file the manifest records is still in the output folder."""
    folder = f"{output_dir}{os.sep}"
    return all(os.path.isfile(folder + path) for path in state.read_output_paths())


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
    record, warnings, error = parse_source(shown, text, config.timezone)
    if record is None or error is not None or warnings:
        return None
    digest = content_digest(raw)
    return _Edit(shown, path, stamp_of(info), digest, source_cache_key(config, shown, digest), *record)


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
) -> InPlaceBuild | None:
    """Render and write the pages of the articles edited in place since the last clean full build
    (see above), and bring the build state up to date; None when the site needs a full build.
    tree is fingerprint.stamp_tree of content/ (its archive left out), tree_data is tree_json(tree).
    index(transaction, rendered paths), when given, stages the search index of the new pages in
    the same transaction (so a failure leaves the output as it was) and says what it staged."""
    window = ClockWindow.decode(state.read_value("clock") or "")
    if state.read_value("fingerprint") is None or window is None or not window.contains(now):
        return None
    remembered = state.get_many([SITE_KEY, TREE_KEY])
    if len(remembered) != 2:
        return None
    site_facts = _from_json(remembered[SITE_KEY])
    if site_facts["base"] != base:
        return None
    edited = _edited_files(_from_json(remembered[TREE_KEY]), tree)
    if not edited or len(edited) > MAX_EDITS or not all(str(entry[0]).casefold().endswith(".md") for entry in edited):
        return None
    if not _outputs_present(state, output_dir):
        return None
    edits = [_read_edit(content_dir, str(entry[0]), config) for entry in edited]
    if any(edit is None for edit in edits):
        return None
    remembered_site = _RememberedSite(site_facts, config=config, state=state, now=now)
    planned: list[tuple[PagePlan, str]] = []
    new_items: dict[str, RenderedArticle] = {}
    for edit in edits:
        assert edit is not None
        item = records.decode_rendered(edit.whole, edit.key)
        plan = remembered_site.plan_article(edit.shown, item, content_dir)
        if plan is None:
            return None
        planned.append(plan)
        new_items[edit.shown] = item
    feeds = remembered_site.plan_feeds(new_items)
    if feeds is None:
        return None
    planned += feeds
    try:
        pages = [render_page(environment, plan) for plan, _ in planned]
    except FlashnewsError:
        return None  # the full build reports it
    indexed = SearchIndex({}, (), 0)
    with OutputTransaction(output_dir) as transaction:
        for page in pages:
            transaction.stage(page)
        if index is not None:
            indexed = index(transaction, [plan.path for plan, _ in planned])
        report = transaction.commit(indexed.stale)
    sources = [edit for edit in edits if edit is not None]
    known = state.read_file_digests_of(edit.shown for edit in sources)
    for edit in sources:
        cache_parsed(state, edit.key, edit.whole, edit.partial)
    state.write_file_digests({edit.shown: (edit.stamp, edit.digest) for edit in sources}, known=known)
    state.write_outputs({**{plan.path: OutputRecord(key, plan.source) for plan, key in planned}, **indexed.records}, report.deleted)
    state.put_many({TREE_KEY: tree_data})
    return InPlaceBuild(written=report.written, deleted=report.deleted, rendered=len(pages), indexed=indexed.pages)


class _RememberedSite:
    """The last full build's site as remember_site recorded it; articles are read from the build
    cache as they are needed."""

    def __init__(self, facts: dict[str, Any], *, config: SiteConfig, state: BuildState, now: datetime) -> None:
        self._config = config
        self._state = state
        self._now = now
        self._salt: str = facts["salt"]
        self._nav: list[tuple[str, str, str]] = [tuple(row) for row in facts["nav"]]
        self._order: list[str] = [shown for shown, _ in facts["order"]]
        self._section_of: list[str] = [key for _, key in facts["order"]]
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
        keys = self._keys(shown)
        if keys is None:
            return None
        found = cached_partial(self._state, list(set(keys.values())))
        if len(found) != len(set(keys.values())):
            return None
        return {path: found[key] for path, key in keys.items()}

    def _wholes(self, shown: Sequence[str]) -> dict[str, RenderedArticle] | None:
        keys = self._keys(shown)
        if keys is None:
            return None
        found = self._state.get_many(set(keys.values()))
        if len(found) != len(set(keys.values())):
            return None
        return {path: records.decode_rendered(found[key], key) for path, key in keys.items()}

    def _site(self, articles: tuple[RenderedArticle, ...], sections: dict[str, tuple[RenderedArticle, ...]]) -> Site:
        return Site(
            articles=articles,
            sections=tuple(Section(key, name, label, sections.get(key, ())) for key, name, label in self._nav),
            built_at=self._now,
        )

    def plan_article(self, shown: str, item: RenderedArticle, content_dir: Path) -> tuple[PagePlan, str] | None:
        """The page of a new version of a published article and its key, from its rail and its
        related-article window; None when the edit shows on other pages or has a lead picture."""
        index = self._position.get(shown)
        count = self._config.latest_count
        if index is None or index + count >= len(self._order):
            return None  # not published, or its rail runs off the end of the site
        key_of_section = self._section_of[index]
        members = self._members[key_of_section]
        place = bisect.bisect_left(members, index)
        start, stop = max(0, place - CANDIDATE_WINDOW), place + CANDIDATE_WINDOW + 1
        rail_paths = self._order[index + 1 : index + 1 + count]
        window_paths = [self._order[i] for i in members[start:stop]]
        found = self._partials([*rail_paths, *window_paths])
        if found is None:
            return None
        if not _same_elsewhere(found[shown], item) or "image" in item.article.extra or find_image_file(content_dir, item.article) is not None:
            return None
        window = tuple(item if path == shown else found[path] for path in window_paths)
        rail = tuple(found[path] for path in rail_paths)
        site = self._site((item, *rail), {key_of_section: window})
        related = RelatedFinder(site).related(shown)
        config = self._config
        context = article_context(site, config, item, rail=rail, related=related, cards=lambda other: article_card(other, config), images={})
        path = article_url(item) + "index.html"
        key = article_page_key(
            self._salt, path, item.digest, "", (card_digest(other) for other in rail), place - start, (card_digest(other) for other in window)
        )
        return PagePlan(path, "article.html", context, source=shown), key

    def plan_feeds(self, new_items: dict[str, RenderedArticle]) -> list[tuple[PagePlan, str]] | None:
        """The feeds that carry any of the new versions, with their keys (feeds show full text)."""
        count = self._config.feed_items
        site_paths = self._order[:count]
        section_paths = {key: [self._order[i] for i in members[:count]] for key, members in self._members.items()}
        shown = {*site_paths, *(path for paths in section_paths.values() for path in paths)}
        if not shown & new_items.keys():
            return []
        found = self._wholes(sorted(shown - new_items.keys()))
        if found is None:
            return None
        found.update(new_items)
        site = self._site(
            tuple(found[path] for path in site_paths), {key: tuple(found[path] for path in paths) for key, paths in section_paths.items()}
        )
        plans = [(plan, whole_page_key(self._salt, plan)) for plan in plan_feed_pages(site, self._config)]
        recorded = self._state.read_outputs_of([plan.path for plan, _ in plans])
        return [(plan, key) for plan, key in plans if plan.path not in recorded or recorded[plan.path].digest != key]
