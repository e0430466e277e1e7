"""Articles edited in place -> their own pages, without loading or planning the whole site.

The commonest change to a published site is to the text of a story: a typo, a correction, a new
paragraph. When every file that changed since the last clean build is such an edit (the article
keeps its headline, summary, lead, date, section, slug, author, language, publication, update
time and front-matter extras), no other page changes: listings, rails, related lists, sitemaps and
the 404 page show only those. Feeds carry the full text, so an article among the newest a feed
lists is left to the full build, as is one with a lead picture.

Then each edited article's page is rendered from its new record and its neighbours, read from the
build cache in the order the last full build remembered: the rail (the articles published just
before it) and its related-article window in its section. Page and key are exactly those a full
build makes. Anything else (a new, moved or deleted file, an error or warning, another kind of
file, new code, templates or config, a clock outside the last build's window) returns None, and
the caller runs the full build.
"""

from __future__ import annotations

import bisect
import os
import stat
from collections.abc import Sequence
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
from flashnews.planner import article_page_key, card_digest
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
    rendered: int


@dataclass(frozen=True, slots=True)
class _Edit:
    shown: str
    path: Path
    stamp: FileStamp
    digest: str
    key: str
    whole: bytes
    partial: bytes


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
    state.put_many({SITE_KEY: orjson.dumps(payload), TREE_KEY: tree_data})



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
) -> InPlaceBuild | None:
    """Render and write the pages of the articles edited in place since the last clean full build
    (see above), and bring the build state up to date; None when the site needs a full build.
    tree is fingerprint.stamp_tree of content/ (its archive left out), tree_data the same as JSON."""
    window = ClockWindow.decode(state.read_value("clock") or "")
    if state.read_value("fingerprint") is None or window is None or not window.contains(now):
        return None
    remembered = state.get_many([SITE_KEY, TREE_KEY])
    if len(remembered) != 2:
        return None
    site_facts = orjson.loads(remembered[SITE_KEY])
    if site_facts["base"] != base:
        return None
    edited = _edited_files(orjson.loads(remembered[TREE_KEY]), tree)
    if not edited or len(edited) > MAX_EDITS or not all(str(entry[0]).casefold().endswith(".md") for entry in edited):
        return None
    if not _outputs_present(state, output_dir):
        return None
    edits = [_read_edit(content_dir, str(entry[0]), config) for entry in edited]
    if any(edit is None for edit in edits):
        return None
    order: list[list[str]] = site_facts["order"]
    position = {shown: index for index, (shown, _) in enumerate(order)}
    planned: list[tuple[PagePlan, str, _Edit]] = []
    for edit in edits:
        assert edit is not None
        plan = _plan_edit(edit, config, content_dir, state, site_facts, order, position, now)
        if plan is None:
            return None
        planned.append((*plan, edit))
    try:
        pages = [render_page(environment, plan) for plan, _, _ in planned]
    except FlashnewsError:
        return None  # the full build reports it
    with OutputTransaction(output_dir) as transaction:
        for page in pages:
            transaction.stage(page)
        report = transaction.commit()
    known = state.read_file_digests_of(edit.shown for _, _, edit in planned)
    for _, _, edit in planned:
        cache_parsed(state, edit.key, edit.whole, edit.partial)
    state.write_file_digests({edit.shown: (edit.stamp, edit.digest) for _, _, edit in planned}, known=known)
    state.write_outputs({plan.path: OutputRecord(key, plan.source) for plan, key, _ in planned}, ())
    state.put_many({TREE_KEY: tree_data})
    return InPlaceBuild(written=report.written, rendered=len(pages))


def _plan_edit(
    edit: _Edit,
    config: SiteConfig,
    content_dir: Path,
    state: BuildState,
    site_facts: dict[str, object],
    order: list[list[str]],
    position: dict[str, int],
    now: datetime,
) -> tuple[PagePlan, str] | None:
    """The page of one edited article and its key, or None when it must wait for the full build."""
    index = position.get(edit.shown)
    count = config.latest_count
    if index is None or index < config.feed_items or index + count >= len(order):
        return None  # not published, in the site's feeds, or its rail runs off the end
    key_of_section = order[index][1]
    members = [i for i, (_, key) in enumerate(order) if key == key_of_section]
    place = bisect.bisect_left(members, index)
    if place < config.feed_items:
        return None  # in its section's feed
    start, stop = max(0, place - CANDIDATE_WINDOW), place + CANDIDATE_WINDOW + 1
    rail_paths = [order[i][0] for i in range(index + 1, index + 1 + count)]
    window_paths = [order[i][0] for i in members[start:stop]]
    needed = [*rail_paths, *window_paths]
    digests = state.read_file_digests_of(needed)
    if len(digests) != len(set(needed)):
        return None
    keys = {shown: source_cache_key(config, shown, digests[shown][1]) for shown in needed}
    found = cached_partial(state, list(keys.values()))
    if len(found) != len(set(keys.values())):
        return None
    old = found[keys[edit.shown]]
    item = records.decode_rendered(edit.whole, edit.key)
    if not _same_elsewhere(old, item) or "image" in item.article.extra or find_image_file(content_dir, item.article) is not None:
        return None
    window = tuple(item if shown == edit.shown else found[keys[shown]] for shown in window_paths)
    rail = tuple(found[keys[shown]] for shown in rail_paths)
    nav = site_facts["nav"]
    assert isinstance(nav, list)
    sections = tuple(Section(key, name, label, window if key == key_of_section else ()) for key, name, label in nav)
    site = Site(articles=(item, *rail), sections=sections, built_at=now)
    related = RelatedFinder(site).related(edit.shown)
    context = article_context(site, config, item, rail=rail, related=related, cards=lambda shown: article_card(shown, config), images={})
    path = article_url(item) + "index.html"
    salt = site_facts["salt"]
    assert isinstance(salt, str)
    key = article_page_key(
        salt, path, item.digest, "", (card_digest(other) for other in rail), place - start, (card_digest(other) for other in window)
    )
    return PagePlan(path, "article.html", context, source=edit.shown), key
