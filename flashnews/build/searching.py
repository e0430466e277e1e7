"""The search index outside the full build: the indexer an in-place build stages in its
transaction, and the pass that brings an index a build deferred up to date (watch mode, when idle).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from flashnews.build.indexing import Docs, encode_docs_state, read_docs_state, update_index
from flashnews.build.inplace import Indexer, SearchIndex
from flashnews.build.loading import cached_partial, source_cache_key
from flashnews.build.output import OutputTransaction, recover_output
from flashnews.build.state import SEARCH_DOCS, SEARCH_PENDING, BuildState
from flashnews.compose import search
from flashnews.config import SiteConfig
from flashnews.model import BuildPaths, RenderedArticle


def update_search_index(
    config: SiteConfig, paths: BuildPaths, state: BuildState, *, cancel: Callable[[], bool] | None = None
) -> int:
    """Index the articles the last build published, when a build deferred it (watch mode's idle
    pass): no source is read and no page planned. Returns how many articles were (re)indexed;
    raises search.SearchCancelled or OutputError."""
    recover_output(paths.output_dir)
    pending = read_docs_state(state, SEARCH_PENDING)
    if pending is None:
        return 0
    if cancel is not None and cancel():
        raise search.SearchCancelled("search indexing was stopped for a newer change")
    remembered = read_docs_state(state)
    previous = state.read_outputs_of(remembered[1]) if remembered else {}
    checked = state.output_folder_unchanged(paths.output_dir)
    with OutputTransaction(paths.output_dir) as transaction:
        update = update_index(
            config=config, state=state, output_dir=paths.output_dir, docs=pending[0], remembered=remembered, previous=previous,
            articles=lambda keys: cached_partial(state, keys),
        )
        for item in update.files:
            transaction.stage(item)
        report = transaction.commit(update.stale)
    state.write_outputs({item.path: update.records[item.path] for item in update.files}, report.deleted, output_dir=paths.output_dir, checked=checked)
    state.write_values({SEARCH_DOCS: update.remembered, SEARCH_PENDING: None})
    return update.indexed


def search_indexer(
    config: SiteConfig, state: BuildState, output_dir: Path, *, defer: bool = False, cancel: Callable[[], bool] | None = None
) -> Indexer:
    """Stages the search index of the site an in-place build changed: the articles in its new
    order (newest first) with the records of those it parsed. With defer the index is left as it
    is and the articles are remembered as pending (watch mode indexes them when idle). Raises
    search.SearchCancelled when cancel() is true as it starts."""

    def index(transaction: OutputTransaction, order: list[str], new_items: Mapping[str, RenderedArticle]) -> SearchIndex:
        remembered = read_docs_state(state)
        base = read_docs_state(state, SEARCH_PENDING) or remembered
        if base is not None:
            keys = dict(zip(*base[0]))
        else:
            keys = {shown: source_cache_key(config, shown, digest) for shown, (_, digest) in state.read_file_digests().items()}
        keys.update({source: item.digest for source, item in new_items.items()})
        oldest_first = list(reversed(order))
        docs = Docs(oldest_first, list(map(keys.__getitem__, oldest_first)))
        if defer:
            return SearchIndex({}, (), 0, {SEARCH_PENDING: encode_docs_state(docs)}, pending=True)
        if cancel is not None and cancel():
            raise search.SearchCancelled("search indexing was stopped for a newer change")
        parsed = {item.digest: item for item in new_items.values()}

        def articles(wanted: Sequence[str]) -> dict[str, RenderedArticle]:
            found = cached_partial(state, [key for key in wanted if key not in parsed])
            return {**found, **{key: parsed[key] for key in wanted if key in parsed}}

        update = update_index(
            config=config, state=state, output_dir=output_dir, docs=docs, remembered=remembered,
            previous=state.read_outputs_of(remembered[1]) if remembered else {}, articles=articles,
            terms={item.digest: search.article_terms(item) for item in new_items.values()},
        )
        for item in update.files:
            transaction.stage(item)
        files = {item.path: update.records[item.path] for item in update.files}
        return SearchIndex(files, tuple(update.stale), update.indexed, {SEARCH_DOCS: update.remembered, SEARCH_PENDING: None})

    return index
