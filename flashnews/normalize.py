"""Raw editor text -> front-matter Markdown: strip page chrome, keep every word of the story."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

import yaml

from flashnews.config import NormalizeConfig, SectionConfig
from flashnews.datelines import find_leading_date, parse_dateline
from flashnews.errors import NormalizeError, SourceLocation, SourceWarning
from flashnews.model import Normalized
from flashnews.slugs import make_slug

_BLANK_CHARS = " \t\u00a0\u200b\u200c\u200d\u2060\u202f\u3000"
_HEADER_WINDOW = 8
_SHORT_LINE_WORDS = 6
_SUMMARY_CHARS = 220
_TRAILING_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*$")
_CAPITALIZED = r"(?-i:[A-ZÀ-ÖØ-Þ][\w.'’-]*)"
_NAME = _CAPITALIZED + r"(?:\s+" + _CAPITALIZED + r"){0,4}"
_PLACE = _CAPITALIZED + r"(?:\s+" + _CAPITALIZED + r"){0,2}"
_ALBANIAN_WORDS = frozenset("dhe të në një për që me nga është se u ka do janë si ky kjo por më edhe".split())
_ENGLISH_WORDS = frozenset("the and of to in a is that for on with was as by it are from at has have".split())


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    text: str


def _lines(text: str) -> list[_Line | None]:
    """Non-blank lines with their numbers; None marks a paragraph break."""
    result: list[_Line | None] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip(_BLANK_CHARS + "\f\v")
        result.append(_Line(number, stripped) if stripped else None)
    return result


def _paragraphs(lines: list[_Line | None]) -> list[list[_Line]]:
    """Every non-blank line is a paragraph of its own: copied pages separate their parts
    (byline, dateline, footer, body paragraphs) by line breaks, with or without blank lines."""
    return [[line] for line in lines if line is not None]


def _key(text: str) -> str:
    return " ".join(text.casefold().rstrip(":：.…").split())


def _word_count(text: str) -> int:
    return len(text.split())


def _is_repeat(candidate: str, headline: str) -> bool:
    shortened = _TRAILING_ELLIPSIS.sub("", candidate)
    return len(headline) >= 15 and len(shortened) >= min(20, len(headline)) and headline.startswith(shortened)


class _Rules:
    """The chrome and metadata rules of one normalizer configuration."""

    def __init__(self, config: NormalizeConfig, sections: tuple[SectionConfig, ...], zone: tzinfo) -> None:
        self.zone = zone
        self.site_names = {_key(name) for name in config.site_names}
        self.footers = {_key(marker) for marker in config.footer_markers}
        self.noise = {_key(line) for line in config.noise_lines}
        self.sections = {_key(spelling): s.name for s in sections for spelling in (s.name, *s.aliases)}
        prefixes = "|".join(re.escape(p.rstrip(":")) for p in sorted(config.byline_prefixes, key=len, reverse=True))
        # "By Ana Lika, Tirana": the name is the author; the place after the comma is dropped.
        self.byline = re.compile(rf"(?:{prefixes})\s*:?\s+(?P<name>{_NAME})(?:,\s*{_PLACE})?", re.IGNORECASE)

    def author_of(self, text: str) -> str | None:
        match = self.byline.fullmatch(text)
        return match.group("name") if match else None

    def is_headline_like(self, text: str, *, min_words: int = 3, min_chars: int = 15) -> bool:
        key = _key(text)
        return (
            _word_count(text) >= min_words
            and len(text) >= min_chars
            and key not in self.site_names
            and key not in self.sections
            and key not in self.noise
            and self.author_of(text) is None
            and parse_dateline(text, self.zone) is None
        )


@dataclass(slots=True)
class _Header:
    headline: int
    repeat: int | None


def _find_header(lines: list[_Line], rules: _Rules) -> _Header | None:
    window = lines[:_HEADER_WINDOW]
    for i, line in enumerate(window):
        if any(_word_count(before.text) > _SHORT_LINE_WORDS for before in window[:i]):
            break
        for j in range(i + 1, min(i + 4, len(window))):
            if _is_repeat(window[j].text, line.text) and rules.is_headline_like(line.text):
                return _Header(i, j)
    for i, line in enumerate(window):
        if rules.is_headline_like(line.text):
            return _Header(_short_headline_before(window, i, rules), None)
    return None


def _short_headline_before(window: list[_Line], index: int, rules: _Rules) -> int:
    """A short headline ("Rama resigns") sits right under the section line, above the line that
    first looked like one; otherwise that line is the headline."""
    sections = [i for i, line in enumerate(window[:index]) if _key(line.text) in rules.sections]
    if sections:
        for i in range(sections[-1] + 1, index):
            if rules.is_headline_like(window[i].text, min_words=2, min_chars=6):
                return i
    return index


def _pick_category(before: list[_Line], rules: _Rules) -> tuple[str | None, list[_Line]]:
    """The section line above the headline, and the lines that are chrome."""
    known = [line for line in before if _key(line.text) in rules.sections]
    if known:
        line = known[-1]
        return line.text, [other for other in before if other is not line]
    unknown = [
        line
        for line in before
        if _key(line.text) not in rules.site_names
        and rules.author_of(line.text) is None
        and parse_dateline(line.text, rules.zone) is None
    ]
    if unknown:
        line = unknown[-1]
        return line.text, [other for other in before if other is not line]
    return None, before


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


def _yaml_string(value: str) -> str:
    return yaml.safe_dump(value, default_style='"', allow_unicode=True, width=1 << 30).rstrip("\n")


def _summarize(paragraph: str) -> str:
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
    words = re.findall(r"[^\W\d_]+", text.casefold())[:400]
    albanian = sum(word in _ALBANIAN_WORDS for word in words) + 2 * sum("ë" in word for word in words)
    english = sum(word in _ENGLISH_WORDS for word in words)
    return "sq" if albanian > english else "en"


def is_normalized(text: str) -> bool:
    """Whether text already is front-matter Markdown."""
    return text.startswith("---\n")


def normalize_text(
    text: str,
    *,
    path: str,
    now: datetime,
    config: NormalizeConfig,
    sections: tuple[SectionConfig, ...] = (),
) -> Normalized:
    """Turn decoded raw text into front-matter Markdown; raises NormalizeError when it cannot."""
    if is_normalized(text):
        return Normalized(text, title="")
    rules = _Rules(config, sections, now.tzinfo or _utc())
    paragraphs = _paragraphs(_lines(text))
    flat = [line for paragraph in paragraphs for line in paragraph]
    if not flat:
        raise NormalizeError(SourceLocation(path, 1), "file is empty", hint="write a section line, a headline and the story")
    header = _find_header(flat, rules)
    if header is None:
        raise NormalizeError(
            SourceLocation(path, flat[0].number),
            "no headline found",
            hint="the first line of three or more words becomes the headline",
        )
    headline = flat[header.headline]
    category, chrome = _pick_category(flat[: header.headline], rules)
    if category is None:
        raise NormalizeError(
            SourceLocation(path, headline.number),
            "no section line above the headline",
            hint="put the section (for example Bota) on its own line above the headline",
        )
    skip = {headline.number} | {line.number for line in chrome} | {line.number for line in flat[: header.headline]}
    stripped = [f"{line.number}: {line.text}" for line in chrome]
    if header.repeat is not None:
        skip.add(flat[header.repeat].number)
        stripped.append(f"{flat[header.repeat].number}: {flat[header.repeat].text}")

    author = ""
    date: datetime | None = None
    for line in chrome:
        date = date or parse_dateline(line.text, rules.zone)
        author = author or (rules.author_of(line.text) or "")
    body: list[list[_Line]] = []
    for paragraph in paragraphs:
        kept = [line for line in paragraph if line.number not in skip]
        if not kept:
            continue
        if len(kept) == 1 and _key(kept[0].text) in rules.footers:
            stripped.append(f"{kept[0].number}: {kept[0].text} (and everything after it)")
            break
        lines: list[_Line] = []
        for line in kept:
            line_date = parse_dateline(line.text, rules.zone) if len(body) < 3 and len(kept) == 1 else None
            line_author = rules.author_of(line.text) if len(kept) == 1 else None
            if _key(line.text) in rules.noise:
                stripped.append(f"{line.number}: {line.text}")
            elif line_date is not None and date is None:
                date = line_date
                stripped.append(f"{line.number}: {line.text} (date)")
            elif line_author is not None and not author:
                author = line_author
                stripped.append(f"{line.number}: {line.text} (author)")
            else:
                lines.append(line)
        if lines:
            body.append(lines)
    if not body:
        raise NormalizeError(
            SourceLocation(path, headline.number),
            "the article has a headline but no body text",
            hint="write the story below the headline",
        )
    warnings: list[SourceWarning] = []
    if date is None:
        date = find_leading_date(body[0][0].text, rules.zone)
    if date is None:
        date = now.replace(microsecond=0)
        warnings.append(
            SourceWarning(SourceLocation(path, headline.number), "no dateline found; dated with the time of normalization")
        )
    plain = [" ".join(line.text for line in paragraph) for paragraph in body]
    title = " ".join(headline.text.split())
    front = [
        ("title", title),
        ("date", date.isoformat()),
        ("category", category),
        ("slug", make_slug(title)),
        ("summary", _summarize(plain[0])),
    ]
    if author:
        front.append(("author", author))
    front.append(("lang", guess_language(title + " " + " ".join(plain))))
    header_text = "\n".join(f"{key}: {_yaml_string(value)}" for key, value in front)
    body_text = "\n\n".join("\n".join(escape_markdown_line(line.text) for line in paragraph) for paragraph in body)
    return Normalized(f"---\n{header_text}\n---\n\n{body_text}\n", title, tuple(stripped), tuple(warnings))


def _utc() -> tzinfo:
    from datetime import timezone

    return timezone.utc
