"""Edited or new .md articles -> their own pages, published before the rebuild that follows.

When an editor changes an article without moving it (same date, section, slug, publication and
front-matter extras), or adds one to an existing section on a free URL, its page is exactly what
the next build will make of it from the last build's site and the article: its rail and related
list follow from where it sits in the order. So the watch loop writes it at once — a parse, one
render and one write — instead of waiting for every page that lists the article. The rebuild that
follows finds the page already holding its bytes and brings the front page, section pages,
rails and feeds up to date. Anything else (a deleted file, a moved article, a draft, a new
section, a lead picture or pictures in the body, before or after the edit, an error) leaves the
work to the rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import jinja2

from flashnews import records
from flashnews.config import SiteConfig
from flashnews.decode import decode_markdown_bytes
from flashnews.errors import FlashnewsError
from flashnews.images import find_image_file
from flashnews.model import OutputFile
from flashnews.output import OutputTransaction
from flashnews.planner import SitePlanner
from flashnews.render import render_page
from flashnews.sources import display_path, read_source_bytes
from flashnews.workers import parse_source


def publish_edited_pages(
    paths: Iterable[str],
    *,
    planner: SitePlanner,
    config: SiteConfig,
    content_dir: Path,
    output_dir: Path,
    environment: jinja2.Environment,
) -> tuple[str, ...]:
    """Write the pages of the articles at `paths` when every one of them can be published ahead
    (see above); returns the output paths written (none when any of them needs the whole rebuild)."""
    root = content_dir.resolve()
    pages: list[OutputFile] = []
    for path in paths:
        source = Path(path)
        if source.suffix.lower() != ".md" or planner.config != config:
            return ()
        shown = display_path(source.resolve(), root)
        try:
            text = decode_markdown_bytes(read_source_bytes(source, shown=shown, max_bytes=config.normalize.max_source_bytes))
        except (OSError, UnicodeDecodeError, FlashnewsError):
            return ()
        record, _, error = parse_source(shown, text, config.timezone)
        if record is None or error is not None:
            return ()
        item = records.decode_rendered(record[0])
        if planner.knows(item):
            plan = planner.replan_article(item)
        elif find_image_file(content_dir, item.article) is None:
            plan = planner.plan_new_article(item)
            if plan is not None and (output_dir / plan.path).exists():
                plan = None  # a page kept for a source that failed holds the URL; the rebuild decides
        else:
            plan = None  # its lead picture is made by the rebuild
        if plan is None:
            return ()
        try:
            pages.append(render_page(environment, plan))
        except FlashnewsError:
            return ()
    if not pages:
        return ()
    with OutputTransaction(output_dir) as transaction:
        for page in pages:
            transaction.stage(page)
        return transaction.commit().written
