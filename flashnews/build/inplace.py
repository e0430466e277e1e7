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

import json
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jinja2

from flashnews.ingest import records
from flashnews.config import SiteConfig
from flashnews.ingest.decode import decode_markdown_bytes
from flashnews.errors import FlashnewsError
from flashnews.build.fingerprint import ClockWindow, record_path, record_text
from flashnews.build.loading import cache_parsed, source_cache_key
from flashnews.model import RenderedArticle
from flashnews.build.order import SiteFacts, read_site_facts, store_site_facts
from flashnews.build.output import OutputTransaction
from flashnews.build.remembered import PlannedPage, RememberedSite
from flashnews.compose.render import render_page
from flashnews.ingest.sources import ARCHIVE_DIR, read_source_bytes
from flashnews.build.state import BuildState, FileStamp, OutputRecord, stamp_of
from flashnews.ingest.sources import content_digest
from flashnews.build.workers import ParsedRecords, parse_source

# The stamps of content/ at the last clean build (remember_tree), which changes are found against.
TREE_KEY = "content_stamps"
# More edits than this at once are left to the full build, which renders them in parallel.
MAX_EDITS = 16

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


@dataclass(frozen=True, slots=True)
class _Edit:
    """A changed source, parsed: its shown path, file, stamp, digest, cache key and records."""

    shown: str
    path: Path
    stamp: FileStamp
    digest: str
    key: str
    records: ParsedRecords


def remember_tree(state: BuildState, tree_data: bytes) -> None:
    """Record the stamps of content/ (fingerprint.stamp_records) a clean full build read."""
    state.write_large(TREE_KEY, tree_data)


def _tree_changes(old_data: bytes, tree_data: bytes) -> tuple[list[str], list[str]] | None:
    """The relative paths of the files whose stamps in tree_data differ from those in old_data,
    and of those old_data does not have; None when a file went away. Both are
    fingerprint.tree_lines, compared record by record."""
    if old_data == tree_data:
        return [], []
    old_records = old_data.split(b"\0") if old_data else []
    new_records = tree_data.split(b"\0") if tree_data else []
    if len(new_records) == len(old_records):
        # The records are sorted by path: with as many files, an edit keeps every file's place.
        pairs = [(old, new) for old, new in zip(old_records, new_records) if old != new]
        paths = [record_path(new) for old, new in pairs if record_path(old) == record_path(new)]
        if len(paths) != len(pairs) or None in paths:
            return None  # a file renamed or replaced by another, or records of another form
        return [record_text(path) for path in paths if path is not None], []
    unchanged = set(old_records)
    differing = [record for record in new_records if record not in unchanged]
    known = set(map(record_path, old_records))
    if None in known:
        return None  # written by another version
    edited = [record_path(record) for record in differing if record_path(record) in known]
    added = [record_path(record) for record in differing if record_path(record) not in known]
    if len(new_records) - len(added) != len(old_records) or None in added:
        return None
    return [record_text(path) for path in edited if path is not None], [record_text(path) for path in added if path is not None]


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
    parsed = parse_source(shown, text, config.timezone, config.search)
    if parsed.records is None or parsed.warnings:
        return None
    digest = content_digest(raw)
    return _Edit(shown, path, stamp_of(info), digest, source_cache_key(config, shown, digest), parsed.records)


def build_in_place(
    config: SiteConfig,
    *,
    content_dir: Path,
    output_dir: Path,
    state: BuildState,
    base: str,
    tree_data: bytes,
    now: datetime,
    environment: jinja2.Environment,
    index: Indexer | None = None,
) -> InPlaceBuild | None:
    """Render and write the pages of the articles edited in place, or added, since the last clean
    full build (see above), and bring the build state up to date; None when the site needs a full build.
    tree_data is fingerprint.stamp_records of content/ (its archive left out).
    index(transaction, published sources newest first, parsed articles), when given, stages the search index in
    the same transaction (so a failure leaves the output as it was) and says what it staged."""
    found = _changed_sources(state, base=base, tree_data=tree_data, now=now, output_dir=output_dir)
    if found is None:
        return None
    facts, window, changed, adding = found
    edits = [_read_edit(content_dir, relative, config) for relative in changed]
    if any(edit is None for edit in edits):
        return None
    sources = [edit for edit in edits if edit is not None]
    new_items = {edit.shown: records.decode_rendered(edit.records.whole, edit.key) for edit in sources}
    remembered_site = RememberedSite(facts, config=config, state=state, now=now)
    addition = remembered_site.plan_additions(new_items, content_dir, window) if adding else None
    if adding:
        planned = addition.pages if addition is not None else None
    else:
        planned = remembered_site.plan_edits(new_items, content_dir)
    if planned is None:
        return None
    recorded = state.read_outputs_of([page.path for page in planned])
    # A new article's own page is new even when it was published first (publish_first).
    new_pages = sum(1 for page in planned if page.path not in recorded or adding and page.source in new_items)
    # A page whose key is the manifest's is on disk as it would be rendered (has_every_top_output;
    # the next build that finds nothing changed checks every file).
    planned = [page for page in planned if page.path not in recorded or recorded[page.path].digest != page.key]
    try:
        pages = [render_page(environment, page.plan()) for page in planned]
    except FlashnewsError:
        return None  # the full build reports it
    indexed = NO_INDEX
    with OutputTransaction(output_dir) as transaction:
        for page in pages:
            transaction.stage(page)
        if index is not None:
            indexed = index(transaction, (addition.facts if addition is not None else facts).sources, new_items)
        report = transaction.commit(indexed.stale)
    _remember(state, sources, planned, indexed, report.deleted, tree_data, output_dir)
    if addition is not None:
        summary = json.loads(state.read_value("summary") or "null")
        summary["articles"] += len(new_items)
        summary["pages"] += new_pages
        store_site_facts(state, addition.facts)
        state.write_values({"summary": json.dumps(summary), "clock": addition.window.encode()})
    return InPlaceBuild(written=report.written, deleted=report.deleted, rendered=len(pages), search=indexed)


def _changed_sources(
    state: BuildState, *, base: str, tree_data: bytes, now: datetime, output_dir: Path
) -> tuple[SiteFacts, ClockWindow, list[str], bool] | None:
    """The remembered site, its clock window, the .md sources changed since (relative paths),
    and whether they are new; None when the last build was not a clean one of these inputs
    other than content/, the clock left its window, a file went away, files were both edited
    and added, another kind of file changed, too many changed, or the output folder misses a
    recorded entry (BuildState.has_every_top_output)."""
    window = ClockWindow.decode(state.read_value("clock") or "")
    if state.read_value("fingerprint") is None or window is None or not window.contains(now):
        return None
    facts = read_site_facts(state)
    old_tree = state.read_large(TREE_KEY)
    if facts is None or old_tree is None or facts.base != base:
        return None
    changes = _tree_changes(old_tree, tree_data)
    if changes is None or (changes[0] and changes[1]):
        return None
    changed = changes[0] or changes[1]
    if not changed or len(changed) > MAX_EDITS or not all(relative.casefold().endswith(".md") for relative in changed):
        return None
    if not state.has_every_top_output(output_dir):
        return None
    return facts, window, changed, bool(changes[1])


def _remember(
    state: BuildState, sources: list[_Edit], planned: list[PlannedPage], indexed: SearchIndex, deleted: Sequence[str], tree_data: bytes,
    output_dir: Path,
) -> None:
    """Record what an in-place build wrote and parsed, and the stamps of content/ it started from."""
    known = state.read_file_digests_of(edit.shown for edit in sources)
    for edit in sources:
        cache_parsed(state, edit.key, edit.records.whole, edit.records.partial, edit.records.terms)
    state.write_file_digests({edit.shown: (edit.stamp, edit.digest) for edit in sources}, known=known)
    state.write_outputs({**{page.path: OutputRecord(page.key, page.source) for page in planned}, **indexed.records}, deleted, output_dir=output_dir)
    state.write_large(TREE_KEY, tree_data)


def publish_first(
    config: SiteConfig,
    *,
    content_dir: Path,
    output_dir: Path,
    state: BuildState,
    base: str,
    now: datetime,
    environment: jinja2.Environment,
    changed: Sequence[Path],
) -> tuple[str, ...]:
    """Publish the own pages of the articles at `changed` (files the caller saw change: watch
    mode) before a build finds every change: each is parsed, placed in the order the last clean
    full build remembered and rendered exactly as the in-place build renders it, so the build
    that follows finds those pages done. Returns the paths written; () when any of the files is
    not an edit or a new story the in-place build could place (that build, or the full one,
    publishes it then)."""
    window = ClockWindow.decode(state.read_value("clock") or "")
    facts = read_site_facts(state)
    if facts is None or facts.base != base or window is None or not window.contains(now) or not 0 < len(changed) <= MAX_EDITS:
        return ()
    root = Path(os.path.abspath(content_dir))
    edits = []
    for path in changed:
        relative = Path(os.path.abspath(path)).relative_to(root) if Path(os.path.abspath(path)).is_relative_to(root) else None
        if relative is None or relative.suffix.casefold() != ".md" or relative.parts[0] == ARCHIVE_DIR:
            return ()
        edits.append(_read_edit(content_dir, relative.as_posix(), config))
    if any(edit is None for edit in edits):
        return ()
    new_items = {edit.shown: records.decode_rendered(edit.records.whole, edit.key) for edit in edits if edit is not None}
    pages = RememberedSite(facts, config=config, state=state, now=now).own_pages(new_items, content_dir)
    recorded = state.read_outputs_of([page.path for page in pages or ()])
    pages = [page for page in pages or () if page.path not in recorded or recorded[page.path].digest != page.key]
    return _publish(pages, environment, output_dir, state) or ()


def _publish(pages: list[PlannedPage], environment: jinja2.Environment, output_dir: Path, state: BuildState) -> tuple[str, ...] | None:
    """Render and write these pages in a transaction of their own and record them in the
    manifest; None when one cannot be rendered (the full build reports it)."""
    try:
        rendered = [render_page(environment, page.plan()) for page in pages]
    except FlashnewsError:
        return None
    if not rendered:
        return ()
    checked = state.output_folder_unchanged(output_dir)
    with OutputTransaction(output_dir) as transaction:
        for page in rendered:
            transaction.stage(page)
        report = transaction.commit()
    state.write_outputs({page.path: OutputRecord(page.key, page.source) for page in pages}, (), output_dir=output_dir, checked=checked)
    return report.written
