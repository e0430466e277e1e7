"""The typed values that travel between pipeline stages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from flashnews.errors import FlashnewsError, SourceWarning

EMPTY_MAPPING: Mapping[str, str] = MappingProxyType({})


class Role(Enum):
    """What a line of a drop became."""

    TITLE = "title"
    CATEGORY = "category"
    BYLINE = "byline"
    DATE = "date"
    SUMMARY = "summary"
    BODY = "body"
    STRIPPED = "stripped"


@dataclass(frozen=True, slots=True)
class LineDecision:
    """One line of a drop, what it became and why."""

    number: int
    text: str
    role: Role
    reason: str = ""

    def __str__(self) -> str:
        why = f" ({self.reason})" if self.reason else ""
        return f"{self.number:>4}  {self.role.value:<8} {self.text}{why}"


@dataclass(frozen=True, slots=True)
class Normalized:
    """A raw drop turned into front-matter Markdown, with what was stripped as chrome, what each
    line became, and notes on what was guessed."""

    markdown: str
    title: str
    stripped: tuple[str, ...] = ()
    warnings: tuple[SourceWarning, ...] = ()
    decisions: tuple[LineDecision, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """One parsed article: typed front matter plus the Markdown body."""

    source_path: str
    title: str
    date: datetime
    category: str
    slug: str
    body: str
    summary: str = ""
    author: str = ""
    draft: bool = False
    lang: str = ""
    updated: datetime | None = None
    body_line: int = 1
    extra: Mapping[str, str] = field(default_factory=lambda: EMPTY_MAPPING)
    # The file line of each front-matter field, so later stages can point at "slug:" or "category:".
    field_lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class PictureReference:
    """A picture beside the article that its body shows (`![alt](harbour-2.png)`): the src as the
    body's HTML holds it, the file as a POSIX path relative to the content folder, and the line."""

    src: str
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class RenderedArticle:
    """An article with its body as safe HTML and the facts pages show about it."""

    article: Article
    body_html: str
    lead: str
    reading_minutes: int
    word_count: int
    # A digest of everything above (the build cache's key for the source); "" when not known.
    digest: str = ""
    # True when loaded without its body (article.body and body_html are ""), as listings,
    # rails and keys need; the full record is fetched by digest for the article's own page.
    partial: bool = False
    # The local pictures body_html shows, in order; their <img> tags are pointed at the published
    # files when a page is rendered (images.place_pictures), since those depend on the files' bytes.
    pictures: tuple[PictureReference, ...] = ()
    # The words related-article lists match it by (related.key_terms), worked out when it is
    # parsed and cached with it; None when not known (then they are worked out when needed).
    key_terms: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Section:
    """A section of the site and its articles, newest first."""

    key: str
    name: str
    label: str
    articles: tuple[RenderedArticle, ...]


@dataclass(frozen=True, slots=True)
class Site:
    """Everything that is published in one build, in reading order."""

    articles: tuple[RenderedArticle, ...]
    sections: tuple[Section, ...]
    built_at: datetime
    next_scheduled_at: datetime | None = None
    held_back: int = 0


@dataclass(frozen=True, slots=True)
class OutputFile:
    """The bytes of one file of the output folder, at a POSIX path relative to it."""

    path: str
    data: bytes


@dataclass(frozen=True, slots=True)
class WriteReport:
    """What writing the output changed."""

    written: tuple[str, ...] = ()
    unchanged: int = 0
    deleted: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BuildPaths:
    """The folders a build reads and writes."""

    content_dir: Path
    output_dir: Path
    templates_dir: Path
    static_dir: Path


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build did, for the summary line and the exit status."""

    articles: int
    pages: int
    written: int
    deleted: int
    errors: tuple[FlashnewsError, ...]
    warnings: tuple[SourceWarning, ...]
    next_scheduled_at: datetime | None
    seconds: float
    held_back: int = 0
    rendered: int = 0
    written_paths: tuple[str, ...] = field(default=())
    indexed: int = 0  # articles (re)indexed for search in this build; 0 when the index was reused
    search_pending: bool = False  # the pages changed but the search index was left for a later build

    @classmethod
    def of_site(
        cls,
        site: Site,
        *,
        pages: int,
        seconds: float,
        errors: Iterable[FlashnewsError] = (),
        warnings: Iterable[SourceWarning] = (),
        written_paths: tuple[str, ...] = (),
        deleted: int = 0,
        rendered: int = 0,
        indexed: int = 0,
        search_pending: bool = False,
    ) -> BuildResult:
        """The result of a build or check that collected site; errors are sorted by message."""
        return cls(
            articles=len(site.articles),
            pages=pages,
            written=len(written_paths),
            deleted=deleted,
            errors=tuple(sorted(errors, key=str)),
            warnings=tuple(warnings),
            next_scheduled_at=site.next_scheduled_at,
            seconds=seconds,
            held_back=site.held_back,
            rendered=rendered,
            written_paths=written_paths,
            indexed=indexed,
            search_pending=search_pending,
        )

    def summary(self) -> dict[str, Any]:
        """The figures of a clean build, as JSON values, for a later build that loads no site (see from_summary)."""
        return {
            "articles": self.articles,
            "pages": self.pages,
            "held_back": self.held_back,
            "next_scheduled_at": self.next_scheduled_at.isoformat() if self.next_scheduled_at else None,
        }

    @classmethod
    def from_summary(
        cls,
        summary: Mapping[str, Any],
        *,
        seconds: float,
        written_paths: tuple[str, ...] = (),
        deleted: int = 0,
        rendered: int = 0,
        indexed: int = 0,
        search_pending: bool = False,
    ) -> BuildResult:
        """The result of a clean build that loaded no site: the figures of the last full build's summary()."""
        scheduled = summary["next_scheduled_at"]
        return cls(
            articles=summary["articles"],
            pages=summary["pages"],
            written=len(written_paths),
            deleted=deleted,
            errors=(),
            warnings=(),
            next_scheduled_at=datetime.fromisoformat(scheduled) if scheduled else None,
            seconds=seconds,
            held_back=summary["held_back"],
            rendered=rendered,
            written_paths=written_paths,
            indexed=indexed,
            search_pending=search_pending,
        )
