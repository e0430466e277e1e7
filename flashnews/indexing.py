"""The article pages of a build -> the Pagefind index files that changed, with their records."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from flashnews import search
from flashnews.config import SiteConfig
from flashnews.model import OutputFile
from flashnews.state import OutputRecord, content_digest, state_path



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
        record = OutputRecord(content_digest(item.data))
        records_now[item.path] = record
        old = previous.get(item.path)
        if old is None or old.digest != record.digest or not (output_dir / item.path).is_file():
            changed.append(item)
    return changed, len(sources)
