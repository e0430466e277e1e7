"""A web page saved from a browser (.html/.htm, with or without its _files folder) -> ExtractedArticle.

trafilatura finds the article in the page and reads the page's own metadata (og:title,
article:published_time, article:section, JSON-LD); flashnews.ingest.htmlmarkdown writes its body as
Markdown. Pictures are kept only when the saved page holds them (its _files folder): a picture on
another site is never fetched or hotlinked.
"""

from __future__ import annotations

import codecs
import functools
import re
from configparser import ConfigParser
from datetime import datetime, tzinfo
from urllib.parse import unquote, urlsplit

from flashnews.ingest.bylines import BylineReader
from flashnews.ingest.extracted import CompanionReader, ExtractedArticle, ExtractedImage, read_header_line
from flashnews.errors import NormalizeError, SourceLocation, SourceWarning
from flashnews.ingest.htmlmarkdown import Block, html_blocks, join_blocks, picture_markdown

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)
_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"))
# A page far larger than its article is refused by trafilatura beyond this many elements.
MAX_TREE_SIZE = 50_000
_CHROME_BLOCKS = 4
# Fewer words than this is a list of links (a front page, a menu), not a story.
_MIN_ARTICLE_WORDS = 8


def decode_page(data: bytes, *, path: str, fallback_encoding: str) -> tuple[str, tuple[SourceWarning, ...]]:
    """The page's text: by its BOM, else the charset its meta tag declares, else UTF-8, else the fallback."""
    location = SourceLocation(path, 1)
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), ()
    declared = _META_CHARSET.search(data[:8192])
    candidates = [declared.group(1).decode("ascii").lower()] if declared else []
    candidates += ["utf-8", fallback_encoding]
    for encoding in candidates:
        try:
            text = data.decode("cp1252" if encoding in ("iso-8859-1", "latin1", "us-ascii") else encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if declared is None and encoding != "utf-8":
            return text, (SourceWarning(location, f"the page declares no encoding and is not UTF-8; read it as {encoding}", "check its accented letters"),)
        return text, ()
    message = f"the page is not valid {candidates[0]}; undecodable bytes were replaced"
    return data.decode(fallback_encoding, errors="replace"), (SourceWarning(location, message, "save the page again from the browser"),)


@functools.cache
def _extractor_settings() -> ConfigParser:
    from trafilatura.settings import use_config

    settings = use_config()
    settings.set("DEFAULT", "MAX_TREE_SIZE", str(MAX_TREE_SIZE))
    return settings


def _picture_suffix(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return next((suffix for signature, suffix in _SIGNATURES if data.startswith(signature)), None)


def _is_local(src: str) -> bool:
    parts = urlsplit(src)
    return not parts.scheme and not parts.netloc and not src.startswith("/") and bool(parts.path)


def _parse_date(value: str | None, zone: tzinfo) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


class _Pictures:
    """The pictures a saved page holds itself, named after the article as they are found."""

    def __init__(self, stem: str, read_companion: CompanionReader) -> None:
        self.stem = stem
        self.read_companion = read_companion
        self.lead: ExtractedImage | None = None
        self.kept: list[ExtractedImage] = []
        self.remote = 0
        self._seen: dict[str, ExtractedImage | None] = {}

    def read(self, src: str, alt: str) -> ExtractedImage | None:
        if not _is_local(src):
            self.remote += 1
            return None
        path = unquote(urlsplit(src).path)
        if path not in self._seen:
            data = self.read_companion(path)
            suffix = _picture_suffix(data) if data else None
            number = len(self.kept) + 2 if self.lead is not None else 0
            name = f"{self.stem}{suffix}" if number == 0 else f"{self.stem}-{number}{suffix}"
            self._seen[path] = ExtractedImage(name, data, alt) if data and suffix else None
        return self._seen[path]

    def take_lead(self, src: str, alt: str, basename_folder: str) -> None:
        """The page's own lead picture (og:image), when the saved page holds it."""
        if not src:
            return
        candidates = [src] if _is_local(src) else [f"{basename_folder}/{unquote(urlsplit(src).path).rsplit('/', 1)[-1]}"]
        for candidate in candidates:
            image = self.read(candidate, alt)
            if image is not None:
                self.lead = image
                return

    def reference(self, src: str, alt: str) -> str | None:
        image = self.read(src, alt)
        if image is None or image is self.lead:
            return None
        if self.lead is None:
            self.lead = image
            return None
        if image not in self.kept:
            self.kept.append(image)
        return picture_markdown(alt, image.name)


def _strip_repeats(blocks: list[Block], *, title: str, author: str, byline: BylineReader, zone: tzinfo) -> tuple[list[Block], list[str], datetime | None, str]:
    """Leave out the headline, byline and dateline the body repeats at its top, and what comes
    before a repeated headline (navigation the extractor kept)."""
    stripped: list[str] = []
    date = None
    title_key = " ".join(title.casefold().split())
    repeat = next((i for i, block in enumerate(blocks[:_CHROME_BLOCKS]) if " ".join(block.text.casefold().split()) == title_key), 0)
    stripped.extend(f"{block.text} (above the headline)" for block in blocks[:repeat] if block.text)
    blocks = blocks[repeat:]
    while blocks:
        block = blocks[0]
        key = " ".join(block.text.casefold().split())
        header = read_header_line(block.text, byline=byline, zone=zone) if block.kind == "paragraph" else None
        if key and (key == title_key or key == author.casefold()):
            stripped.append(f"{block.text} (repeat)")
        elif header is not None:
            author = author or header.author
            date = date or header.date
            stripped.append(f"{block.text} (header)")
        else:
            break
        blocks = blocks[1:]
    return blocks, stripped, date, author


def extract_webpage(
    data: bytes,
    *,
    path: str,
    stem: str,
    byline: BylineReader,
    zone: tzinfo,
    read_companion: CompanionReader,
    fallback_encoding: str = "cp1252",
) -> ExtractedArticle:
    """The article in a saved page; raises NormalizeError when the page holds none."""
    import trafilatura
    from trafilatura.htmlprocessing import convert_to_html

    location = SourceLocation(path, 1)
    text, warnings = decode_page(data, path=path, fallback_encoding=fallback_encoding)
    document = trafilatura.bare_extraction(
        text,
        with_metadata=True,
        include_links=True,
        include_formatting=True,
        include_images=True,
        include_tables=True,
        include_comments=False,
        config=_extractor_settings(),
        date_extraction_params={"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True, "extensive_search": False},
    )
    if document is None or document.body is None or not (document.title or "").strip():
        raise NormalizeError(location, "no article found in the page", hint="save the article's own page (not a front or section page), or paste its text into a .txt file")
    pictures = _Pictures(stem, read_companion)
    pictures.take_lead(document.image or "", document.title or "", f"{stem}_files")
    body = convert_to_html(document.body).find("body")
    blocks = html_blocks(body, image_reference=pictures.reference) if body is not None else []
    author = " ".join((document.author or "").split(";")[0].split())
    blocks, stripped, header_date, author = _strip_repeats(blocks, title=document.title, author=author, byline=byline, zone=zone)
    texts = [block for block in blocks if block.kind != "image"]
    if sum(len(block.text.split()) for block in texts) < _MIN_ARTICLE_WORDS:
        raise NormalizeError(location, "no article found in the page (a title but no story text)", hint="save the article's own page (not a front or section page), or paste its text into a .txt file")
    if pictures.remote:
        warnings += (SourceWarning(location, f"{pictures.remote} picture(s) on other sites were left out", "save the page with its pictures (\"Webpage, Complete\")"),)
    first = next((block.text for block in texts if block.kind == "paragraph"), texts[0].text)
    return ExtractedArticle(
        title=" ".join(document.title.split()),
        body_markdown=join_blocks(blocks),
        author=author,
        date=_parse_date(document.date, zone) or header_date,
        category=(document.categories or [None])[0],
        standfirst=" ".join((document.description or "").split()),
        lead_image=pictures.lead,
        images=tuple(pictures.kept),
        warnings=warnings,
        stripped=tuple(stripped),
        first_paragraph=first,
        paragraphs=len(blocks),
    )
