"""Article records -> the full-text search index (OutputFiles under search/data/), and the search page plan.

The index is written from the records the build already holds, so making it costs about what
rendering costs, and a build that changes a few articles rewrites only the index files that hold
their words. Articles are numbered from the oldest (id 0), so a new story takes the next number
and an edit keeps its own; the files are a function of the published articles alone, so an
index patched by an incremental build is byte for byte the one a cold build writes.

- search/data/index.json: the number of articles, how many rows each docs file holds, and the
  names of the term files.
- search/data/t/<bucket>.txt: one line per term, sorted, "term ids", where ids are the articles
  holding the term, ascending, as comma-separated gaps. A term's bucket is named by its first two
  characters, so a browser looking up a word (or a word's beginning) fetches one file.
- search/data/d/<n>.json: the rows of articles n*DOCS_PER_FILE and on: URL, headline, section,
  date as shown and as ISO 8601.

Words are folded the same way here and in static/search.js: lower case, accents and other marks
dropped ("Kukës" is found as "kukes"), split at anything that is not a letter, digit or "_".
"""

from __future__ import annotations

import bisect
import collections
import html
import itertools
import operator
import re
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import urlsplit

import orjson

from flashnews.config import SiteConfig
from flashnews.errors import OutputError
from flashnews.compose.i18n import format_date_time
from flashnews.model import RenderedArticle, Site
from flashnews.compose.render import PagePlan, absolute_url, site_context
from flashnews.compose.site import article_url, section_of

SEARCH_DIR = "search/data"
SEARCH_PAGE = "search/index.html"
INDEX_FILE = f"{SEARCH_DIR}/index.json"
DOCS_PER_FILE = 500
FORMAT_VERSION = 1

_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]*>")
_FOLDED: dict[str, str] = {}


def plan_search_page(site: Site, config: SiteConfig) -> PagePlan:
    """search/index.html: the search form and its results, searched in the browser (static/search.js)."""
    root_path = urlsplit(config.base_url).path or "/"
    context = {
        "site": site_context(site, config),
        "root": "../",
        "root_path": root_path if root_path.endswith("/") else root_path + "/",
        "canonical_url": absolute_url(config, "search/"),
        "data_path": "data/",
    }
    return PagePlan(SEARCH_PAGE, "search.html", context)


def is_search_output(path: str) -> bool:
    return path.startswith(SEARCH_DIR + "/")


def _fold(word: str) -> str:
    folded = _FOLDED.get(word)
    if folded is None:
        decomposed = unicodedata.normalize("NFKD", word)
        folded = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
        if len(_FOLDED) < 200_000:
            _FOLDED[word] = folded
    return folded


# Bytes -> themselves for ASCII letters (lower-cased), digits, "_" and every non-ASCII byte; a
# space for the rest. Splitting text translated with it finds the ASCII words at C speed; runs that
# hold other characters are split with the regex.
_ASCII_WORDS = bytes(
    c + 32 if 65 <= c <= 90 else c if (97 <= c <= 122 or 48 <= c <= 57 or c == 95 or c >= 128) else 32 for c in range(256)
)


def words_of(text: str) -> set[str]:
    """The distinct folded words of a text: the word-character runs of its NFC form, lower-cased,
    marks dropped."""
    found = set()
    for token in set(text.encode("utf-8", "surrogatepass").translate(_ASCII_WORDS).split()):
        if token.isascii():
            found.add(token.decode("ascii"))
            continue
        piece = unicodedata.normalize("NFC", token.decode("utf-8", "surrogatepass")).lower()
        found.update(word if word.isascii() else _fold(word) for word in _WORD.findall(piece))
    return found


def article_terms(item: RenderedArticle) -> bytes:
    """The words an article is found by (its headline and body), sorted, one a line."""
    body = html.unescape(_TAG.sub(" ", item.body_html))
    return "\n".join(sorted(words_of(item.article.title) | words_of(body))).encode("utf-8")


def bucket_of(term: str) -> str:
    """The name of the term file that holds a term: its first two characters, spelt safely."""
    return "".join(c if ("a" <= c <= "z" or "0" <= c <= "9") else f"_{ord(c):x}" for c in term[:2])


def term_path(bucket: str) -> str:
    return f"{SEARCH_DIR}/t/{bucket}.txt"


def docs_path(number: int) -> str:
    return f"{SEARCH_DIR}/d/{number}.json"


def article_row(item: RenderedArticle, config: SiteConfig) -> list[str]:
    """What a result shows of an article: URL, headline, section, date as its card shows it, ISO date."""
    article = item.article
    shown = format_date_time(article.date.astimezone(config.tz), config.language)
    return [article_url(item), article.title, section_of(article.category, config).display_name, shown, article.date.isoformat()]


def encode_ids(ids: Sequence[int]) -> str:
    return ",".join(map(str, map(operator.sub, ids, itertools.chain((0,), ids))))


def decode_ids(text: str) -> list[int]:
    return list(itertools.accumulate(map(int, text.split(","))))


def shift_ids(text: str, shift_at: Sequence[int], tail: Sequence[int]) -> str:
    """An encoded id list with each id moved up by one for each value of shift_at (ascending)
    it is not below; tail holds the list's ids from shift_at[0] up (ascending), which the caller
    knows from the articles holding the term. The list holds differences, so only the
    difference that crosses each value changes: the text is split off for the tail alone, and
    nothing before it is read."""
    if not tail:
        return text
    parts = text.rsplit(",", len(tail))  # the tail's elements, after the text before them if any
    first = len(parts) - len(tail)
    for value in shift_at:
        at = bisect.bisect_left(tail, value)
        if at < len(tail):
            parts[first + at] = str(int(parts[first + at]) + 1)
    return ",".join(parts)


def encode_bucket(lines: Mapping[str, str]) -> bytes:
    return "".join(f"{term} {lines[term]}\n" for term in sorted(lines)).encode("utf-8")


def decode_bucket(data: bytes) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in data.decode("utf-8").splitlines())


def encode_docs(rows: Sequence[Sequence[object]]) -> bytes:
    return orjson.dumps(list(rows))


def encode_manifest(count: int, buckets: Iterable[str]) -> bytes:
    return orjson.dumps(
        {"version": FORMAT_VERSION, "count": count, "docs_per_file": DOCS_PER_FILE, "buckets": sorted(buckets)},
        option=orjson.OPT_SORT_KEYS,
    )


def make_index(terms: Iterable[bytes], rows: Sequence[Sequence[object]]) -> dict[str, bytes]:
    """Every index file of articles 0, 1, … (terms: each one's article_terms; rows: article_row)."""
    # Ids in 4-byte arrays, not lists of ints: 100,000 articles hold about 20 million of them.
    postings: defaultdict[str, array[int]] = defaultdict(lambda: array("i"))
    count = 0
    for number, found in enumerate(terms):
        count += 1
        if found:
            words = found.decode("utf-8").split("\n")
            # The appends run in C: about a quarter of the time of a Python loop over the words.
            collections.deque(map(array.append, map(postings.__getitem__, words), itertools.repeat(number, len(words))), maxlen=0)
    buckets: dict[str, list[str]] = {}
    for term in sorted(postings):
        buckets.setdefault(bucket_of(term), []).append(term)
    files = {}
    for name, bucket_terms in buckets.items():
        files[term_path(name)] = "".join(f"{term} {encode_ids(postings.pop(term))}\n" for term in bucket_terms).encode("utf-8")
    for start in range(0, len(rows), DOCS_PER_FILE):
        files[docs_path(start // DOCS_PER_FILE)] = encode_docs(rows[start : start + DOCS_PER_FILE])
    files[INDEX_FILE] = encode_manifest(count, buckets)
    return files


def patch_bucket(
    data: bytes | None,
    changes: Mapping[str, tuple[set[int], set[int]]],
    *,
    shift_at: Sequence[int] = (),
    tails: Mapping[str, Sequence[int]] | None = None,
) -> bytes | None:
    """A term file with, for each term, (ids to remove, ids to add) applied; None when it ends up
    empty. shift_at (ascending; stories inserted before those ids) first moves every id up by one
    for each of them it is not below (shift_ids; tails: each term's ids from shift_at[0] up, a
    term without any left out); the changes are in the ids after that."""
    lines = decode_bucket(data) if data else {}
    if shift_at:
        for term, tail in (tails or {}).items():
            if term in lines:
                lines[term] = shift_ids(lines[term], shift_at, tail)
    for term, (removed, added) in changes.items():
        if term in lines and added and not removed:
            appended = _appended(lines[term], added)
            if appended is not None:
                lines[term] = appended
                continue
        ids = decode_ids(lines[term]) if term in lines else []
        if removed:
            ids = [number for number in ids if number not in removed]
        if added and (not ids or min(added) > ids[-1]):
            ids.extend(sorted(added))  # a new story takes the next id: no need to sort them all
        elif added:
            ids = sorted({*ids, *added})
        if ids:
            lines[term] = encode_ids(ids)
        else:
            lines.pop(term, None)
    return encode_bucket(lines) if lines else None


def _appended(text: str, added: set[int]) -> str | None:
    """An encoded id list with ids above all of its own added at its end (new stories take the
    next ids): only its last id is worked out, and the text is kept as it is; None when one of
    them is not above it."""
    last = sum(map(int, text.split(",")))
    numbers = sorted(added)
    if numbers[0] <= last:
        return None
    return f"{text},{','.join(map(str, map(operator.sub, numbers, (last, *numbers[:-1]))))}"


class SearchCancelled(OutputError):
    """Indexing was stopped because something more urgent came up; the last index stands."""
