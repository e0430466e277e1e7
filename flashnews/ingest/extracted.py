"""What a document converter finds -> typed values: the article, its pictures, a byline-and-dateline line.

The converters (flashnews.ingest.word, flashnews.ingest.webpage) build these and flashnews.ingest.documents turns
them into front-matter Markdown; both import this module, so neither imports the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from flashnews.ingest.bylines import BylineReader
from flashnews.ingest.datelines import parse_dateline
from flashnews.errors import SourceWarning

# "By Arta Hoxha | 27 February 2025" and the like: a byline and a dateline on one line.
_HEADER_SEPARATOR = re.compile(r"\s+[|·•–—]\s+")
_HEADER_WORDS = 14


@dataclass(frozen=True, slots=True)
class ExtractedImage:
    """A picture taken from a document, to be written beside the article under `name` (the lead
    picture, or one the body shows with `![alt](name)`)."""

    name: str
    data: bytes
    alt: str = ""


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    """What a converter found in a document; body_markdown is escaped, ready to render."""

    title: str
    body_markdown: str
    author: str = ""
    date: datetime | None = None
    category: str | None = None
    standfirst: str = ""
    lead_image: ExtractedImage | None = None
    images: tuple[ExtractedImage, ...] = ()
    warnings: tuple[SourceWarning, ...] = ()
    # Header lines taken as metadata or left out, for -v: "¶3: By Arta Hoxha (author)".
    stripped: tuple[str, ...] = ()
    first_paragraph: str = ""
    paragraphs: int = 0


# (relative src of a picture a saved page links to) -> its bytes, or None when it is not there.
CompanionReader = Callable[[str], bytes | None]


@dataclass(frozen=True, slots=True)
class HeaderLine:
    """What a short line under a headline says: an author, a date, or both."""

    author: str = ""
    date: datetime | None = None


def read_header_line(text: str, *, byline: BylineReader, zone: tzinfo) -> HeaderLine | None:
    """The byline and dateline of a line that holds only those ("By Ana Lika | 27 Feb 2025",
    "TIRANA, 27 February 2025"), else None."""
    if len(text.split()) > _HEADER_WORDS:
        return None
    author = ""
    date: datetime | None = None
    for part in _HEADER_SEPARATOR.split(text.strip()):
        name = byline.read(part)
        moment = parse_dateline(part, zone)
        if moment is None and "," in part:  # "TIRANA, 27 February 2025" or "By Ana, 27 Feb 2025"
            head, _, rest = part.partition(",")
            moment = parse_dateline(rest, zone)
            if moment is not None:
                name = byline.read(head)
                if name is None and not head.strip().isupper():
                    return None
        if name is not None and not author:
            author = name
        elif moment is not None and date is None:
            date = moment
        else:
            return None
    return HeaderLine(author, date)
