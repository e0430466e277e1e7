"""Word documents and saved web pages -> ExtractedArticle -> front-matter Markdown, as a .txt drop gives.

The converters (flashnews.ingest.word, flashnews.ingest.webpage) turn a document's bytes into an
`ExtractedArticle` (flashnews.ingest.extracted); `render_document` writes it as the same front matter the text normalizer
writes, and `explain_document` lists what each part became. The converters and their libraries
are imported only when a document is converted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import PurePosixPath

from flashnews.ingest.bylines import BylineReader
from flashnews.config import SectionConfig, SiteConfig
from flashnews.errors import NormalizeError, SourceLocation, SourceWarning
from flashnews.ingest.extracted import CompanionReader, ExtractedArticle
from flashnews.model import Normalized
from flashnews.ingest.normalize import section_for_folder as category_from_folder
from flashnews.ingest.normalize import summarize, yaml_string

@dataclass(frozen=True, slots=True)
class DocumentDrop:
    """A document normalized: its Markdown, and the pictures to write beside it (name, bytes)."""

    normalized: Normalized
    files: tuple[tuple[str, bytes], ...] = ()


def choose_category(
    found: str | None, *, relative_path: str, sections: Sequence[SectionConfig], path: str, default: str = ""
) -> tuple[str, tuple[SourceWarning, ...]]:
    """The section a document is filed under: the one it names when configured, else its folder's,
    else the first configured section (with a warning); raises NormalizeError when there is none."""
    location = SourceLocation(path, 1)
    spellings = {spelling.casefold(): section.name for section in sections for spelling in (section.name, *section.aliases)}
    if found and found.casefold() in spellings:
        return spellings[found.casefold()], ()
    from_folder = category_from_folder(relative_path, tuple(sections))
    if from_folder is not None:
        return from_folder, ()
    named = f"its section {found!r} matches no configured section" if found else "it names no section"
    if default or sections:
        fallback = default or sections[0].name
        warning = SourceWarning(location, f"{named}; filed under {fallback}", "put the file in a folder named after its section")
        return fallback, (warning,)
    if found:
        return found, ()
    raise NormalizeError(location, f"{named} and site.toml has no [[sections]]", hint="put the file in a folder named after its section")


def render_document(article: ExtractedArticle, *, category: str, now: datetime, path: str) -> Normalized:
    """Front-matter Markdown of an extracted article, with the keys and quoting of a .txt drop's."""
    from flashnews.ingest.normalize import guess_language
    from flashnews.ingest.slugs import make_slug

    warnings = list(article.warnings)
    date = article.date
    if date is None:
        date = now.replace(microsecond=0)
        warnings.append(SourceWarning(SourceLocation(path, 1), "no dateline found; dated with the time of normalization"))
    title = " ".join(article.title.split())
    front = [
        ("title", title),
        ("date", date.isoformat()),
        ("category", category),
        ("slug", make_slug(title)),
        ("summary", summarize(article.standfirst or article.first_paragraph)),
    ]
    if article.author:
        front.append(("author", article.author))
    front.append(("lang", guess_language(f"{title} {article.standfirst} {article.first_paragraph}")))
    if article.lead_image is not None:
        front.append(("image", article.lead_image.name))
        if article.lead_image.alt:
            front.append(("image_alt", " ".join(article.lead_image.alt.split())))
    header = "\n".join(f"{key}: {yaml_string(value)}" for key, value in front)
    return Normalized(f"---\n{header}\n---\n\n{article.body_markdown}\n", title, article.stripped, tuple(warnings))


def explain_document(article: ExtractedArticle) -> list[tuple[str, str]]:
    """What each part of a document became, in reading order, as (what, text) pairs."""
    parts = [("title", article.title)]
    parts.append(("author", article.author or "(no byline)"))
    parts.append(("date", article.date.isoformat() if article.date else "(no dateline: the time of normalization)"))
    parts.append(("section", article.category or "(none named: from the folder, else the first section)"))
    if article.standfirst:
        parts.append(("standfirst", article.standfirst))
    if article.lead_image is not None:
        parts.append(("lead picture", f"{article.lead_image.name} ({article.lead_image.alt or 'no alt text'})"))
    parts.extend(("body picture", f"{image.name} ({image.alt or 'no alt text'}), shown where it stood") for image in article.images)
    parts.append(("body", f"{article.paragraphs} blocks, from: {article.first_paragraph[:80]}"))
    parts.extend(("stripped", line) for line in article.stripped)
    parts.extend(("warning", f"{w.message}; {w.hint}" if w.hint else w.message) for w in article.warnings)
    return parts


def extract_document(
    data: bytes,
    *,
    suffix: str,
    path: str,
    stem: str,
    config: SiteConfig,
    zone: tzinfo,
    read_companion: CompanionReader = lambda _: None,
) -> ExtractedArticle:
    """Convert a .docx or saved web page; raises NormalizeError for one that cannot be read."""
    byline = BylineReader(config.normalize.byline_prefixes)
    if suffix.lower() == ".docx":
        from flashnews.ingest.word import extract_word

        return extract_word(data, path=path, stem=stem, sections=config.sections, byline=byline, zone=zone)
    from flashnews.ingest.webpage import extract_webpage

    return extract_webpage(
        data, path=path, stem=stem, byline=byline, zone=zone, read_companion=read_companion,
        fallback_encoding=config.normalize.fallback_encoding,
    )


def normalize_document(
    data: bytes,
    *,
    suffix: str,
    path: str,
    relative_path: str,
    now: datetime,
    config: SiteConfig,
    read_companion: CompanionReader = lambda _: None,
) -> DocumentDrop:
    """A document drop's front-matter Markdown and pictures; raises NormalizeError."""
    stem = PurePosixPath(relative_path).stem
    article = extract_document(
        data, suffix=suffix, path=path, stem=stem, config=config, zone=now.tzinfo or config.tz, read_companion=read_companion
    )
    category, warnings = choose_category(article.category, relative_path=relative_path, sections=config.sections, path=path, default=config.default_section)
    normalized = render_document(article, category=category, now=now, path=path)
    pictures = ((article.lead_image,) if article.lead_image else ()) + article.images
    files = tuple((image.name, image.data) for image in pictures)
    return DocumentDrop(Normalized(normalized.markdown, normalized.title, normalized.stripped, (*normalized.warnings, *warnings)), files)
