"""The published articles of a build -> the search index files that changed, patched in place
when few articles changed (see search for the files).

The build state remembers which article record each id of the live index was made from
(SEARCH_DOCS, with the digests of the index files it wrote). When the new list differs from it
at a few ids (records that changed; a story dated between others, which moves each newer one up
an id; new stories that took the next ids), each of those ids is taken out of the terms its old
article had and the new one has not, and put into those the new one brought: only the term
files holding those words, and the docs files holding those rows, are rewritten. Anything else
(a deleted story, too many ids changed, an index file that is not the one remembered) writes
the index anew. The words of each record are cached beside it
(TERMS_SUFFIX), made by the worker that parsed it.
"""

from __future__ import annotations

import itertools
import operator
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple
from pathlib import Path

import orjson

from flashnews.ingest import records
from flashnews.compose import search
from flashnews.config import SiteConfig
from flashnews.errors import OutputError
from flashnews.model import OutputFile, RenderedArticle
from flashnews.build.state import SEARCH_DOCS, BuildState, OutputRecord
from flashnews.ingest.sources import content_digest

# The cache entry beside an article record holding its words (search.article_terms).
TERMS_SUFFIX = "\0terms"
# Above this many changed articles (or a fiftieth of the site), writing the index anew is cheaper.
_MOST_PATCHED = 64
_READ_CHUNK = 2_000



class Docs(NamedTuple):
    """The articles of an index in the order of their ids (oldest first), as two columns: each
    one's source path and the cache key of its record. Kept as columns, a site's list is
    compared, decoded and encoded by whole lists."""

    sources: list[str]
    keys: list[str]


RememberedDocs = tuple[Docs, dict[str, str]]  # the docs of an index and the digests of its files
ArticleLookup = Callable[[Sequence[str]], Mapping[str, RenderedArticle]]


@dataclass(frozen=True, slots=True)
class IndexUpdate:
    """What indexing changed: files to stage, the records of every index file after it, index
    files to delete, how many articles were (re)indexed, and the state value to save after the
    transaction commits."""

    files: list[OutputFile]
    records: dict[str, OutputRecord]
    stale: list[str]
    indexed: int
    remembered: str


def docs_of(articles: Sequence[RenderedArticle]) -> Docs:
    """The index's articles, oldest first, from the site's order (newest first)."""
    return Docs([item.article.source_path for item in reversed(articles)], [item.digest for item in reversed(articles)])


def encode_docs_state(docs: Docs, files: Mapping[str, str] | None = None) -> str:
    return orjson.dumps({"sources": docs.sources, "keys": docs.keys, "files": files or {}}).decode()


def read_docs_state(state: BuildState, key: str = SEARCH_DOCS) -> RememberedDocs | None:
    value = state.read_value(key)
    if not value:
        return None
    data = orjson.loads(value)
    if not isinstance(data, dict) or "sources" not in data:
        return None
    return Docs(data["sources"], data["keys"]), data["files"]


def read_terms(state: BuildState, keys: Sequence[str], known: Mapping[str, bytes] | None = None) -> dict[str, bytes]:
    """The words of these records: known ones, else cached ones; records cached without them are
    read whole and their words cached now."""
    known = known or {}
    found = {key: known[key] for key in keys if key in known}
    wanted = [key + TERMS_SUFFIX for key in keys if key not in found]
    found.update((key.removesuffix(TERMS_SUFFIX), data) for key, data in state.get_many(wanted).items())
    missing = [key for key in keys if key not in found]
    if missing:
        wholes = state.get_many(missing)
        made = {key: search.article_terms(records.decode_rendered(data, key)) for key, data in wholes.items()}
        state.put_many({key + TERMS_SUFFIX: data for key, data in made.items()})
        found.update(made)
    return found


def update_index(
    *,
    config: SiteConfig,
    state: BuildState,
    output_dir: Path,
    docs: Docs,
    remembered: RememberedDocs | None,
    previous: Mapping[str, OutputRecord],
    articles: ArticleLookup,
    terms: Mapping[str, bytes] | None = None,
) -> IndexUpdate:
    """Bring the index from `remembered` (read_docs_state: what the live index holds) to docs
    (oldest first); articles(keys) gives the records of those keys (their bodies are not
    needed), terms the words of records not cached yet. Raises OutputError when a record is
    missing from the cache."""
    old_files = {path: record.digest for path, record in previous.items() if search.is_search_output(path)}
    if remembered is not None and remembered[1] == old_files and _all_present(output_dir, old_files):
        if remembered[0] == docs:
            return IndexUpdate([], {p: OutputRecord(d) for p, d in old_files.items()}, [], 0, encode_docs_state(docs, old_files))
        patched = _patch(config, state, output_dir, remembered[0], docs, old_files, articles, terms or {})
        if patched is not None:
            return patched
    files = search.make_index(_terms_in_order(state, docs, terms or {}), _rows(config, docs, articles))
    digests = {path: content_digest(data) for path, data in files.items()}
    changed = [OutputFile(path, data) for path, data in sorted(files.items()) if old_files.get(path) != digests[path] or not (output_dir / path).is_file()]
    stale = sorted(path for path in old_files if path not in files)
    return IndexUpdate(changed, {p: OutputRecord(d) for p, d in digests.items()}, stale, len(docs.keys), encode_docs_state(docs, digests))


def _all_present(output_dir: Path, files: Mapping[str, str]) -> bool:
    folder = f"{output_dir}{os.sep}"
    return bool(files) and all(os.path.isfile(folder + path) for path in files)


def _terms_in_order(state: BuildState, docs: Docs, known: Mapping[str, bytes]) -> Iterator[bytes]:
    for start in range(0, len(docs.keys), _READ_CHUNK):
        keys = docs.keys[start : start + _READ_CHUNK]
        found = read_terms(state, keys, known)
        for key in keys:
            if key not in found:
                raise OutputError(f"the build cache lost the record of an article ({key[:12]}…)", hint="build again")
            yield found[key]


def _rows(config: SiteConfig, docs: Docs, articles: ArticleLookup) -> list[list[object]]:
    keys = docs.keys
    found = articles(keys)
    missing = [source for source, key in zip(*docs) if key not in found]
    if missing:
        raise OutputError(f"the build cache lost the record of {missing[0]}", hint="build again")
    return [search.article_row(found[key], config) for key in keys]


def _read_live(output_dir: Path, path: str, digest: str) -> bytes | None:
    """A live index file, or None when it is not the one the state remembers."""
    try:
        data = (output_dir / path).read_bytes()
    except OSError:
        return None
    return data if content_digest(data) == digest else None


def _patch_docs(
    config: SiteConfig, output_dir: Path, new: Docs, changed: list[int], old_files: Mapping[str, str], articles: ArticleLookup
) -> dict[str, bytes | None] | None:
    """The docs files holding the rows of the changed ids, patched; None when one is not the
    file the state remembers or a record is missing."""
    found = articles([new.keys[i] for i in changed])
    if any(new.keys[i] not in found for i in changed):
        return None
    by_file: dict[int, list[int]] = {}
    for i in changed:
        by_file.setdefault(i // search.DOCS_PER_FILE, []).append(i)
    files: dict[str, bytes | None] = {}
    for number, positions in by_file.items():
        path = search.docs_path(number)
        rows: list[object] = []
        if path in old_files:
            data = _read_live(output_dir, path, old_files[path])
            if data is None:
                return None
            rows = orjson.loads(data)
        first = number * search.DOCS_PER_FILE
        for i in positions:
            row = search.article_row(found[new.keys[i]], config)
            if i - first < len(rows):
                rows[i - first] = row
            else:
                rows.append(row)
        files[path] = search.encode_docs(rows)
    return files


def _patch(
    config: SiteConfig,
    state: BuildState,
    output_dir: Path,
    old: Docs,
    new: Docs,
    old_files: Mapping[str, str],
    articles: ArticleLookup,
    known: Mapping[str, bytes],
) -> IndexUpdate | None:
    """The index files of new patched from those of old, or None when it must be written anew."""
    aligned = _align(old, new)
    if aligned is None:
        return None
    kept, inserted = aligned
    old_id = {j: x for x, j in enumerate(kept)}
    edited = [kept[x] for x in itertools.compress(range(len(kept)), map(operator.ne, old.keys, map(new.keys.__getitem__, kept)))]
    changed = sorted([*edited, *inserted])
    if len(changed) > max(_MOST_PATCHED, len(new.keys) // 50):
        return None
    old_terms = read_terms(state, [old.keys[old_id[j]] for j in edited])
    new_terms = read_terms(state, [new.keys[j] for j in changed], known)
    if any(old.keys[old_id[j]] not in old_terms for j in edited) or any(new.keys[j] not in new_terms for j in changed):
        return None
    by_bucket: dict[str, dict[str, tuple[set[int], set[int]]]] = {}
    for j in changed:
        before = set(old_terms[old.keys[old_id[j]]].decode("utf-8").split("\n")) - {""} if j in old_id else set()
        after = set(new_terms[new.keys[j]].decode("utf-8").split("\n")) - {""}
        for term in before - after:
            by_bucket.setdefault(search.bucket_of(term), {}).setdefault(term, (set(), set()))[0].add(j)
        for term in after - before:
            by_bucket.setdefault(search.bucket_of(term), {}).setdefault(term, (set(), set()))[1].add(j)
    # A story inserted before old id t moves every id from t up by one: the old ids before which each went.
    shift_at = [j - number for number, j in enumerate(inserted) if j - number < len(kept)]
    tails = _tails(state, old, shift_at[0]) if shift_at else {}
    if tails is None:
        return None
    for bucket in tails:
        by_bucket.setdefault(bucket, {})
    files: dict[str, bytes | None] = {}
    for bucket, changes in by_bucket.items():
        path = search.term_path(bucket)
        data = None
        if path in old_files:
            data = _read_live(output_dir, path, old_files[path])
            if data is None:
                return None
        files[path] = search.patch_bucket(data, changes, shift_at=shift_at, tails=tails.get(bucket))
    if shift_at:
        docs_files = _moved_docs(config, output_dir, new, kept, changed, old_files, articles)
    else:
        docs_files = _patch_docs(config, output_dir, new, changed, old_files, articles)
    if docs_files is None:
        return None
    files.update(docs_files)
    buckets = {path[len(search.SEARCH_DIR) + 3 : -4] for path in old_files if path.startswith(search.SEARCH_DIR + "/t/")}
    for path, data in files.items():
        if path.startswith(search.SEARCH_DIR + "/t/"):
            name = path[len(search.SEARCH_DIR) + 3 : -4]
            (buckets.add if data is not None else buckets.discard)(name)
    files[search.INDEX_FILE] = search.encode_manifest(len(new.keys), buckets)
    digests = dict(old_files)
    written, stale = [], []
    for path, data in sorted(files.items()):
        if data is None:
            digests.pop(path, None)
            if path in old_files:
                stale.append(path)
            continue
        digest = content_digest(data)
        if digests.get(path) != digest:
            written.append(OutputFile(path, data))
        digests[path] = digest
    return IndexUpdate(written, {p: OutputRecord(d) for p, d in digests.items()}, stale, len(changed), encode_docs_state(new, digests))


def _align(old: Docs, new: Docs) -> tuple[list[int], list[int]] | None:
    """When new is old with stories inserted (anywhere), each kept article's new id (by old id)
    and the inserted stories' ids; None when an article went away or two changed places."""
    present = set(old.sources)
    kept = list(itertools.compress(range(len(new.sources)), map(present.__contains__, new.sources)))
    if len(kept) != len(old.sources) or list(map(new.sources.__getitem__, kept)) != old.sources:
        return None
    inserted = list(itertools.compress(range(len(new.sources)), map(operator.not_, map(present.__contains__, new.sources))))
    return kept, inserted


def _tails(state: BuildState, old: Docs, start: int) -> dict[str, dict[str, list[int]]] | None:
    """By term file and term, the ids from `start` up that the live index lists for the term:
    the words of those articles, as cached beside their records (what the live files were made
    from). None when a record's words are missing."""
    keys = old.keys[start:]
    words = read_terms(state, keys)
    if any(key not in words for key in keys):
        return None
    by_term: dict[str, list[int]] = {}
    for number, key in enumerate(keys, start):
        for term in set(words[key].decode("utf-8").split("\n")) - {""}:
            by_term.setdefault(term, []).append(number)
    tails: dict[str, dict[str, list[int]]] = {}
    for term, numbers in by_term.items():
        tails.setdefault(search.bucket_of(term), {})[term] = numbers
    return tails


def _moved_docs(
    config: SiteConfig, output_dir: Path, new: Docs, kept: list[int], changed: list[int], old_files: Mapping[str, str], articles: ArticleLookup
) -> dict[str, bytes | None] | None:
    """The docs files from the one holding the first changed id on, when stories were inserted:
    the rows of the kept articles move to their new ids (a row does not hold its id), the
    changed ones are made. Before the first changed id every id is what it was."""
    per_file = search.DOCS_PER_FILE
    start = changed[0] - changed[0] % per_file
    old_rows: list[object] = []
    for number in range(start // per_file, (len(kept) + per_file - 1) // per_file):
        path = search.docs_path(number)
        data = _read_live(output_dir, path, old_files[path]) if path in old_files else None
        if data is None:
            return None
        old_rows.extend(orjson.loads(data))
    found = articles([new.keys[j] for j in changed])
    if len(old_rows) != len(kept) - start or any(new.keys[j] not in found for j in changed):
        return None
    rows: list[object] = [None] * (len(new.keys) - start)
    for old_id in range(start, len(kept)):
        rows[kept[old_id] - start] = old_rows[old_id - start]
    for j in changed:
        rows[j - start] = search.article_row(found[new.keys[j]], config)
    return {search.docs_path((start + offset) // per_file): search.encode_docs(rows[offset : offset + per_file]) for offset in range(0, len(rows), per_file)}
