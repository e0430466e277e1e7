"""RenderedArticle <-> JSON bytes, for the build cache (plain data, never pickles).

Each article is cached whole and without its body (a partial record): a build that does not
re-render an article's own page needs only the partial one, a tenth of the bytes to read and decode.
"""

from __future__ import annotations

import sys

from datetime import datetime
from types import MappingProxyType

import orjson

from flashnews.model import Article, PictureReference, RenderedArticle


_BODY_FIELDS = ("body_html",)


def _record(item: RenderedArticle) -> dict[str, object]:
    # The Markdown body is left out: every page is made from body_html, so a cached article comes
    # back with an empty article.body, and the cache holds (and workers send) half the bytes.
    a = item.article
    return {
        "source_path": a.source_path, "title": a.title, "date": a.date.isoformat(), "category": a.category,
        "slug": a.slug, "summary": a.summary, "author": a.author, "draft": a.draft, "lang": a.lang,
        "updated": a.updated.isoformat() if a.updated else None, "body_line": a.body_line, "extra": dict(a.extra), "field_lines": dict(a.field_lines),
        "body_html": item.body_html, "lead": item.lead, "reading_minutes": item.reading_minutes,
        "word_count": item.word_count,
        "pictures": [[p.src, p.path, p.line] for p in item.pictures],
        **({"key_terms": list(item.key_terms)} if item.key_terms is not None else {}),
    }


def partial_fields(item: RenderedArticle) -> dict[str, object]:
    """The fields of an article's partial record (everything but its body), as plain data."""
    record = _record(item)
    for name in _BODY_FIELDS:
        del record[name]
    return record


def encode_rendered(item: RenderedArticle) -> bytes:
    return orjson.dumps(_record(item))


def encode_partial(item: RenderedArticle) -> bytes:
    """The record without the article's body: what pages other than its own need."""
    return orjson.dumps(partial_fields(item))


def decode_rendered(data: bytes, digest: str = "") -> RenderedArticle:
    r = orjson.loads(data)
    article = Article(
        source_path=r["source_path"], title=r["title"], date=datetime.fromisoformat(r["date"]), category=r["category"],
        slug=r["slug"], body=r.get("body", ""), summary=r["summary"], author=r["author"], draft=r["draft"], lang=r["lang"],
        updated=datetime.fromisoformat(r["updated"]) if r["updated"] else None, body_line=r["body_line"],
        extra=MappingProxyType(r["extra"]), field_lines=MappingProxyType(r.get("field_lines", {})),
    )
    partial = "body_html" not in r
    pictures = tuple(PictureReference(src, path, line) for src, path, line in r.get("pictures", ()))
    terms = r.get("key_terms")
    return RenderedArticle(
        article, r.get("body_html", ""), r["lead"], r["reading_minutes"], r["word_count"], digest, partial, pictures,
        # Interned: the same few thousand stems recur in every article, held once for the whole site.
        tuple(map(sys.intern, terms)) if terms is not None else None,
    )
