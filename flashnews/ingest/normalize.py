"""Raw editor text -> front-matter Markdown: find the story in whatever page it was copied from,
keep every sentence of it, and say for each line what it became.

The story is found by the shape of its lines, not by the words a portal uses: the body is the
run of lines that read as sentences (a best-scoring stretch, so a subheading or a short quote
between paragraphs stays in and a rail of headlines after it stays out); the headline is the
title-shaped line closest above it, or the one the browser-tab line or a cut repeat points to;
the section is the short line above the headline. Byline and dateline are read from the lines
between headline and story. Word lists from site.toml only sharpen this.

The stages of reading a drop: furniture (what one line is), hints (site.toml's word lists),
layout (which lines are furniture, where the story is), headline (the headline and section
line), datelines and bylines; this module puts them together and writes the Markdown.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timezone

import yaml

from flashnews.ingest.bylines import name_of
from flashnews.config import NormalizeConfig, SectionConfig
from flashnews.ingest.datelines import DateReader, FoundDate, date_languages
from flashnews.errors import NormalizeError, SourceLocation, SourceWarning
from flashnews.ingest.furniture import Line, is_link, is_repeat_of, is_title_like, line_key, split_lines
from flashnews.ingest.hints import Hints
from flashnews.ingest.headline import bare_name, is_deck, name_and_role, pick_section
from flashnews.ingest.layout import PAGE_COPY_MIN_WORDS, Layout, content_words, find_layout, is_aside, is_link_run, trim_shared_edges
from flashnews.ingest.marking import is_inline_prompt, is_page_copy, mark_furniture
from flashnews.model import LineDecision, Normalized, Role
from flashnews.ingest.slugs import make_slug

_SUMMARY_CHARS = 220
_ALBANIAN_WORDS = frozenset("dhe të në një për që me nga është se u ka do janë si ky kjo por më edhe".split())
_ENGLISH_WORDS = frozenset("the and of to in a is that for on with was as by it are from at has have".split())


def escape_markdown_line(text: str) -> str:
    """Escape one line so Python-Markdown renders it exactly as typed."""
    text = text.replace("\\", "\\\\")
    text = re.sub(r"&(?=#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)", "&amp;", text)
    text = text.replace("<", "&lt;")
    text = re.sub(r"([`*_\[\]])", r"\\\1", text)
    text = re.sub(r"^([#>+\-])", r"\\\1", text)
    text = re.sub(r"^(\d+)\.(?=\s|$)", r"\1\\.", text)
    if re.fullmatch(r"=+\s*", text):
        text = "&#61;" + text[1:]
    return text


# A value YAML writes double-quoted as it is: no quote, backslash, or character it would escape.
_PLAIN_QUOTABLE = re.compile('[^"\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]*')


def yaml_string(value: str) -> str:
    """A value as YAML writes it double-quoted, so it stays the string it is."""
    if _PLAIN_QUOTABLE.fullmatch(value):
        return f'"{value}"'  # what PyYAML writes for it, without its emitter's cost
    return yaml.safe_dump(value, default_style='"', allow_unicode=True, width=1 << 30).rstrip("\n")


def summarize(paragraph: str) -> str:
    """The summary front matter holds: about 220 characters, cut at a sentence or a word."""
    text = " ".join(paragraph.split())
    if len(text) <= _SUMMARY_CHARS:
        return text
    cut = text[:_SUMMARY_CHARS].rsplit(" ", 1)[0]
    sentence_end = max(cut.rfind(mark) for mark in (". ", "! ", "? "))
    if sentence_end >= _SUMMARY_CHARS // 2:
        return cut[: sentence_end + 1]
    if cut.endswith((".", "!", "?")):
        return cut
    return cut.rstrip(",;:–—-") + "…"


def guess_language(text: str) -> str:
    """'sq' or 'en', by which language's most common words the text uses more."""
    words = re.findall(r"[^\W\d_]+", text[:2500].casefold())[:400]
    albanian = sum(word in _ALBANIAN_WORDS for word in words) + 2 * sum("ë" in word for word in words)
    english = sum(word in _ENGLISH_WORDS for word in words)
    return "sq" if albanian > english else "en"


def is_normalized(text: str) -> bool:
    """Whether text already is front-matter Markdown."""
    return text.startswith("---\n")


def section_for_folder(relative_path: str, sections: tuple[SectionConfig, ...]) -> str | None:
    """The section whose name or alias names a folder the drop sits in (content/sport/x.txt -> Sport)."""
    folders = [line_key(part.replace("-", " ").replace("_", " ")) for part in relative_path.split("/")[:-1]]
    for folder in reversed(folders):
        for section in sections:
            if folder in {line_key(s) for s in (section.name, *section.aliases)}:
                return section.name
    return None


@dataclass(frozen=True, slots=True)
class DropContext:
    """What a drop's place tells the normalizer: its folder's section and the site's default."""

    folder_section: str | None = None
    default_section: str = ""
    # Lines (as line_key folds them) that stand in two or more other drops normalized with this
    # one: a portal's furniture, even when it reads as a sentence ("Subscribe to our newsletter.").
    shared_lines: frozenset[str] = frozenset()


class _Reader:
    """Reads one drop: decides what each line is."""

    def __init__(self, text: str, *, path: str, now: datetime, config: NormalizeConfig, sections: tuple[SectionConfig, ...]) -> None:
        self.path = path
        self.lines = split_lines(text)
        self.hints = Hints(config, sections)
        zone = now.tzinfo or timezone.utc
        self.dates = DateReader(zone=zone, now=now, languages=date_languages(text, config.date_languages), order=config.date_order)
        self.hints.dates = self.dates
        self.furniture = mark_furniture(self.lines, self.hints)
        self.decisions: dict[int, LineDecision] = {}
        self.warnings: list[SourceWarning] = []
        self.notes: list[str] = []

    def decide(self, line: Line, role: Role, reason: str = "") -> None:
        self.decisions[line.index] = LineDecision(line.number, line.text, role, reason)

    def location(self, line: Line | None = None) -> SourceLocation:
        return SourceLocation(self.path, line.number if line else 1)


def _refuse_empty(reader: _Reader) -> None:
    lines = reader.lines
    if not lines:
        raise NormalizeError(reader.location(), "file is empty", hint="paste the headline and the story into it")
    if len(lines) == 1:
        raise NormalizeError(reader.location(lines[0]), "the file holds one line, not an article", hint="put the headline on the first line and the story below it")


def _layout(reader: _Reader) -> Layout:
    lines = reader.lines
    layout = find_layout(lines, reader.furniture, reader.hints)
    if layout is None:
        titled = next((line for line in lines if is_title_like(line.text) and not reader.furniture[line.index]), None)
        if titled is None or all(is_link(line.text) or reader.furniture[line.index] for line in lines):
            raise NormalizeError(reader.location(lines[0]), "no article found: no headline and no sentence of a story", hint="an article is a headline followed by paragraphs")
        raise NormalizeError(reader.location(titled), "the article has a headline but no body text", hint="write the story below the headline")
    body_words = sum(line.words for line in lines[layout.body_start : layout.body_end + 1])
    if is_page_copy(lines) and (layout.title is None or body_words < PAGE_COPY_MIN_WORDS):
        raise NormalizeError(
            reader.location(lines[0]),
            "this looks like a whole copied web page and the story in it could not be found with confidence",
            hint="copy only the headline and the story's paragraphs into the file",
        )
    if layout.title is None:
        raise NormalizeError(reader.location(lines[layout.body_start]), "no headline found above the story", hint="put the headline on its own line above the first paragraph")
    return layout


def _read_header(reader: _Reader, layout: Layout, context: DropContext) -> tuple[str, str, FoundDate | None, str]:
    """Section, author, date and deck (the line under the headline that tells more) from the
    lines around the headline; the rest is stripped."""
    lines, hints = reader.lines, reader.hints
    title = layout.title
    assert title is not None
    section = pick_section(lines, title, reader.furniture, hints, reader.dates)
    if section is not None and is_page_copy(lines) and line_key(section.name) not in hints.sections:
        section = None  # on a copied page the short line over the headline is as often a menu item
    author = deck = ""
    found: FoundDate | None = None
    # Nearest the headline first: the lines between it and the story, then those above it.
    order = [*range(title + 1, layout.body_start), *range(title - 1, -1, -1)]
    for i in order:
        line = lines[i]
        if section is not None and i == section.index:
            reader.decide(line, Role.CATEGORY)
            continue
        if reader.furniture[i]:
            reader.decide(line, Role.STRIPPED, reader.furniture[i])
            continue
        if is_repeat_of(line.text, lines[title].text):
            reader.decide(line, Role.STRIPPED, "the headline repeated")
            continue
        under = lines[i + 1].text if i + 1 < layout.body_start else None
        name = None if author else (
            hints.byline_over(line.text, under) or bare_name(lines, i, title) or (name_and_role(line.text) if title < i <= title + 3 else None) or _name_under_date(reader, line)
        )
        date = hints.dateline(line.text) if found is None and line.words <= 14 else None
        if name:
            author = name
            reader.decide(line, Role.BYLINE, f"author {name}")
            if found is None and (inline := hints.dateline(line.text)) is not None:
                found = inline
        elif date is not None:
            found = date
            reader.decide(line, Role.DATE, date.moment.isoformat())
        elif not deck and i > title and is_deck(line) and not any(not reader.furniture[j] for j in range(title + 1, i)):
            deck = line.text
            reader.decide(line, Role.SUMMARY, "the deck under the headline")
        else:
            reader.decide(line, Role.STRIPPED, "above the headline" if i < title else "between the headline and the story")
    category = section.name if section else ""
    if not category:
        category = _fallback_section(reader, context, lines[title])
    return category, author, found, deck


def _name_under_date(reader: _Reader, line: Line) -> str | None:
    """A name alone right under the dateline ("5 March 2024" / "Ana Lika") is the byline."""
    above = reader.decisions.get(line.index - 1)
    if above is None or above.role is not Role.DATE or line.words < 2 or line.text.isupper():
        return None
    return name_of(line.text)


def _fallback_section(reader: _Reader, context: DropContext, headline: Line) -> str:
    if context.folder_section:
        reader.warnings.append(SourceWarning(reader.location(headline), f"no section line above the headline; filed under {context.folder_section!r}, the section of its folder", "put the section on its own line above the headline to choose another"))
        return context.folder_section
    sections = list(reader.hints.sections.values())
    default = context.default_section or (sections[0] if sections else "News")
    reader.warnings.append(SourceWarning(reader.location(headline), f"no section line above the headline; filed under the default section {default!r}", "put the section (for example Sport) on its own line above the headline, or drop the file into that section's folder"))
    return default


def _read_body(reader: _Reader, layout: Layout, headline: Line) -> list[Line]:
    body: list[Line] = []
    lines = reader.lines
    story_words: Counter[str] = Counter()
    if any(line.words <= 4 for line in lines[layout.body_start : layout.body_end + 1]):
        for line in lines[layout.body_start : layout.body_end + 1]:
            story_words.update(content_words(line.text))
        story_words.update(content_words(headline.text))
    for line in lines[layout.body_start : layout.body_end + 1]:
        reason = reader.furniture[line.index] or _aside_reason(reader, layout, line, headline, story_words)
        if reason:
            reader.decide(line, Role.STRIPPED, reason)
        else:
            reader.decide(line, Role.BODY)
            body.append(line)
    for line in lines[layout.body_end + 1 :]:
        reader.decide(line, Role.STRIPPED, reader.furniture[line.index] or "after the story (related links, footer)")
    return body


def _aside_reason(reader: _Reader, layout: Layout, line: Line, headline: Line, story_words: Counter[str]) -> str:
    """Why a line inside the story is not part of it (a repeat, a prompt, a run of links, an
    aside), or "" when it is."""
    if is_repeat_of(line.text, headline.text):
        return "the headline repeated"
    if line.index > layout.body_start and is_inline_prompt(line.text):
        return "prompt to read on"
    if line.index in layout.listed:
        return ""  # the items of a list the story announced are short lines, not links
    if is_link_run(reader.lines, line.index, reader.furniture):
        return "a run of link or button labels"
    if is_aside(line, story_words):
        return "a short line sharing no word with the story (advert or prompt)"
    return ""


def _dated(reader: _Reader, found: FoundDate | None, body: list[Line], headline: Line, now: datetime) -> datetime:
    if found is None and body:
        found = reader.dates.read_leading(body[0].text)
        if found is not None:
            reader.notes.append(f"date {found.moment.isoformat()} from the dateline opening the story ({found.text!r})")
    if found is not None:
        if found.guess:
            reader.notes.append(f"the date {found.text!r} was guessed: {found.guess}")
        return found.moment
    reader.warnings.append(SourceWarning(reader.location(headline), "no dateline found; dated with the time of normalization"))
    return now.replace(microsecond=0)


def normalize_text(
    text: str,
    *,
    path: str,
    now: datetime,
    config: NormalizeConfig,
    sections: tuple[SectionConfig, ...] = (),
    context: DropContext = DropContext(),
) -> Normalized:
    """Turn decoded raw text into front-matter Markdown; raises NormalizeError when the file
    holds no article (empty, one line, only links, or a page copy whose story cannot be found)."""
    if is_normalized(text):
        return Normalized(text, title="")
    reader = _Reader(text, path=path, now=now, config=config, sections=sections)
    _refuse_empty(reader)
    layout = trim_shared_edges(_layout(reader), reader.lines, reader.furniture, context.shared_lines)
    assert layout.title is not None
    headline = reader.lines[layout.title]
    reader.decide(headline, Role.TITLE)
    if not layout.sentences:
        reader.warnings.append(SourceWarning(reader.location(headline), "no line under the headline reads as a sentence; every line under it was kept as the story", "check the article's text"))
    category, author, found, deck = _read_header(reader, layout, context)
    body = _read_body(reader, layout, headline)
    if layout.doubtful is not None:
        doubt = reader.lines[layout.doubtful]
        reader.notes.append(f"line {doubt.number} reads as an offer to the reader or a comment ({doubt.text[:60]!r}); kept, as the drop is no whole copied page")
    if not body:
        raise NormalizeError(reader.location(headline), "the article has a headline but no body text", hint="write the story below the headline")
    date = _dated(reader, found, body, headline, now)
    return _compose(reader, headline, category, author, date, body, deck)


def _compose(reader: _Reader, headline: Line, category: str, author: str, date: datetime, body: list[Line], deck: str = "") -> Normalized:
    plain = [line.text for line in body]
    title = headline.text
    front = [
        ("title", title),
        ("date", date.isoformat()),
        ("category", category),
        ("slug", make_slug(title)),
        ("summary", summarize(deck or plain[0])),
    ]
    if author:
        front.append(("author", author))
    front.append(("lang", guess_language(title + " " + " ".join(plain))))
    header_text = "\n".join(f"{key}: {yaml_string(value)}" for key, value in front)
    body_text = "\n\n".join(escape_markdown_line(line.text) for line in body)
    decisions = tuple(reader.decisions[i] for i in sorted(reader.decisions))
    stripped = tuple(f"{d.number}: {d.text} ({d.reason})" for d in decisions if d.role is Role.STRIPPED)
    return Normalized(
        f"---\n{header_text}\n---\n\n{body_text}\n",
        title,
        stripped,
        tuple(reader.warnings),
        decisions=decisions,
        notes=tuple(reader.notes),
    )


def _shorten(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def explain_text(decisions: tuple[LineDecision, ...], notes: tuple[str, ...] = ()) -> str:
    """Every line of a drop with what it became, for `normalize --explain`."""
    rows = [str(replace(decision, text=_shorten(decision.text))) for decision in decisions]
    rows.extend(f"note: {note}" for note in notes)
    return "\n".join(rows)


__all__ = [
    "DropContext", "LineDecision", "Role", "escape_markdown_line", "explain_text", "guess_language", "is_normalized",
    "normalize_text", "section_for_folder", "summarize", "yaml_string",
]
