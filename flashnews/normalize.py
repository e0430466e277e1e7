"""Raw editor text -> front-matter Markdown: find the story in whatever page it was copied from,
keep every sentence of it, and say for each line what it became.

The story is found by the shape of its lines, not by the words a portal uses: the body is the
run of lines that read as sentences (a best-scoring stretch, so a subheading or a short quote
between paragraphs stays in and a rail of headlines after it stays out); the headline is the
title-shaped line closest above it, or the one the browser-tab line or a cut repeat points to;
the section is the short line above the headline. Byline and dateline are read from the lines
between headline and story. Word lists from site.toml only sharpen this.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timezone

import yaml

from flashnews.bylines import BylineReader, name_of
from flashnews.config import NormalizeConfig, SectionConfig
from flashnews.datelines import DateReader, FoundDate, date_languages
from flashnews.errors import NormalizeError, SourceLocation, SourceWarning
from flashnews.furniture import (
    Line,
    ends_like_sentence,
    is_capitalized,
    is_copyright,
    is_link,
    is_repeat_of,
    is_row,
    is_sentence,
    is_short,
    is_title_like,
    is_truncated,
    keys,
    line_key,
    split_lines,
    starts_with_any,
)
from flashnews.model import LineDecision, Normalized, Role
from flashnews.slugs import make_slug

_SUMMARY_CHARS = 220
_ALBANIAN_WORDS = frozenset("dhe të në një për që me nga është se u ka do janë si ky kjo por më edhe".split())
_ENGLISH_WORDS = frozenset("the and of to in a is that for on with was as by it are from at has have".split())
# A copied page: many lines, most of them short (menus, links, buttons).
_PAGE_COPY_LINES = 40
_PAGE_COPY_SHORT_SHARE = 0.5
# A page copy whose best stretch of sentences is shorter than this is not trusted to be the story.
_PAGE_COPY_MIN_WORDS = 60
_STANDALONE_NUMBER = re.compile(r"(?:^|\s)[(\[]?\d+(?:[.,:/-]\d+)*[)\]%]?(?=\s|$)")
_TAB_SEPARATOR = re.compile(r"\s+[|–—-]\s+|\s+::\s+")


@dataclass(frozen=True, slots=True)
class _WordLists:
    """The configured word lists, folded for matching (made once per configuration)."""

    site_names: frozenset[str]
    rails: frozenset[str]
    noise: frozenset[str]
    prompts: frozenset[str]
    credits: frozenset[str]
    social: frozenset[str]
    sections: dict[str, str]
    bylines: BylineReader


@functools.lru_cache(maxsize=8)
def _word_lists(config: NormalizeConfig, sections: tuple[SectionConfig, ...]) -> _WordLists:
    return _WordLists(
        keys(config.site_names),
        keys(config.footer_markers),
        keys(config.noise_lines),
        keys(config.prompt_prefixes),
        keys(config.credit_prefixes),
        keys(config.social_names),
        {line_key(spelling): s.name for s in sections for spelling in (s.name, *s.aliases)},
        BylineReader(config.byline_prefixes),
    )


class _Hints:
    """The configured word lists, and the datelines of one drop as they are read."""

    def __init__(self, config: NormalizeConfig, sections: tuple[SectionConfig, ...]) -> None:
        lists = _word_lists(config, sections)
        self.site_names, self.rails, self.noise = lists.site_names, lists.rails, lists.noise
        self.prompts, self.credits, self.social = lists.prompts, lists.credits, lists.social
        self.sections, self.bylines = lists.sections, lists.bylines
        self.dates: DateReader | None = None
        self._dated: dict[str, FoundDate | None] = {}

    def byline(self, text: str) -> str | None:
        return self.bylines.read(text, credit_words=self.credits)

    def dateline(self, text: str) -> FoundDate | None:
        """The date of a dateline (remembered: the layout asks about the same lines often)."""
        if self.dates is None or text in self._dated:
            return self._dated.get(text)
        found = self._dated[text] = self.dates.read(text)
        return found


_REPEATED = "repeated on the page"


def _furniture_reason(line: Line, hints: _Hints, repeats: Counter[str], *, page_copy: bool = False) -> str:
    """Why a line is page furniture wherever it stands, or "" when it may be part of the story."""
    key = line.key
    if key in hints.noise or key in hints.rails:
        return "page furniture (site.toml word list)"
    if key in hints.site_names:
        return "site name"
    if is_copyright(line.text):
        return "copyright line"
    if is_link(line.text):
        return "a bare link"
    if is_row(line.raw) and not is_sentence(line.text):
        return "menu, breadcrumb or share row"
    if line.words <= 15 and starts_with_any(key, hints.prompts) and not is_sentence(line.text):
        return "prompt to read on"
    if line.words <= 25 and starts_with_any(key.lstrip("([ "), hints.credits) and ":" in line.text[:24]:
        return "picture credit"
    if _is_social_button(line, hints):
        return "share or follow button"
    if repeats[key] > 1 and (line.words <= 12 and not is_sentence(line.text) or page_copy):
        return _REPEATED  # on a copied page even a sentence said twice is a caption or a teaser
    return ""


def _is_social_button(line: Line, hints: _Hints) -> bool:
    """"Share this on WhatsApp", "Follow us on X", "Facebook Twitter Email": a short line that ends
    with a social network's name, or any line naming two of them among few other words."""
    if line.words > 12:
        return False
    names = [word for word in re.split(r"[\s|·•,/:]+", line.key) if word in hints.social]
    if len(names) >= 2 and len(names) * 2 >= line.words - 2:
        return True
    last = re.split(r"[\s|·•,/:]+", line.key.rstrip(" .!"))[-1]
    return line.words <= 7 and last in hints.social and not is_sentence(line.text) and line.words >= 2


def _is_label(line: Line) -> bool:
    return line.words <= 3 and not is_sentence(line.text) and not any(c.isdigit() for c in line.text)


def _mark_button_rows(lines: tuple[Line, ...], furniture: list[str], hints: _Hints) -> None:
    """Share buttons copied one per line ("Copy link", "Telegram", "Print"): a run of short
    labels in which one is a known button marks its neighbours as buttons too."""
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _is_label(lines[j]):
            j += 1
        if j - i >= 2 and any(lines[k].key in hints.noise for k in range(i, j)):
            for k in range(i, j):
                furniture[k] = furniture[k] or "a row of share or link buttons"
        i = max(j, i + 1)


def _score(line: Line, furniture: str) -> float:
    """How much a line looks like part of the story's running text (negative: like furniture)."""
    if furniture:
        return 0.0  # known furniture is taken out of the story wherever it stands, so it neither joins nor splits
    if is_sentence(line.text) and not is_truncated(line.text):
        if line.words >= 8:
            return 1.0 + min(line.words, 60) / 20
        return 0.5
    if line.words >= 16 and not is_truncated(line.text):
        return 0.6
    if _is_list_item(line.text):
        return -0.2
    if line.words <= 3:
        return -1.2
    return -0.8


def _is_list_item(text: str) -> bool:
    """Items of a list in the story run on in lowercase or end with a comma or semicolon; menus,
    buttons and headlines do not."""
    first = next((c for c in text if c.isalpha()), "")
    return first.islower() or text.endswith((",", ";"))


def _rail_starts(lines: tuple[Line, ...], furniture: list[str], hints: _Hints) -> set[int]:
    """Lines that open a rail of links: a short heading followed by title-shaped lines, not prose."""
    starts: set[int] = set()
    for i, line in enumerate(lines):
        if not is_short(line, 6) or line.text.endswith(":") or _is_list_item(line.text):
            continue
        if furniture[i] and line.key not in hints.rails:
            continue
        following = [f for f in lines[i + 1 : i + 8] if not furniture[f.index]][:2]
        if len(following) >= 2 and all(_is_link_text(f) for f in following):
            starts.add(i)
    return starts


def _is_link_text(line: Line) -> bool:
    """A headline or link label as rails list them: no sentence (or one cut short), not a list item."""
    return (not is_sentence(line.text) or is_truncated(line.text)) and not _is_list_item(line.text)


def _best_stretch(scores: list[float]) -> tuple[int, int] | None:
    """The stretch of lines with the highest total score (Kadane), or None when none is positive."""
    best, best_span = 0.0, None
    total, start = 0.0, 0
    for i, score in enumerate(scores):
        if total <= 0:
            total, start = score, i
        else:
            total += score
        if total > best:
            best, best_span = total, (start, i)
    return best_span


@dataclass(frozen=True, slots=True)
class _Layout:
    title: int | None
    body_start: int
    body_end: int
    # False when no line of the story reads as a sentence and the body is everything under the headline.
    sentences: bool = True


def _pick_title(lines: tuple[Line, ...], body_start: int, furniture: list[str], hints: _Hints) -> int | None:
    """The headline: a title-shaped line above the story, the closest one unless the tab line or
    a cut repeat points to another."""
    tabs = [head for i in range(min(6, len(lines))) if (head := _tab_head(lines, i))]
    # On a whole copied page the headline may stand far above the story (pictures, captions,
    # share panels between), so nearness counts for less there.
    step = 0.5 if _is_page_copy(lines) else 1.0
    best: tuple[float, int] | None = None
    distance = 0
    for i in range(body_start - 1, -1, -1):
        line = lines[i]
        # Pages repeat their own headline (share widgets, breadcrumbs), so a repeat may be it.
        if furniture[i] not in ("", _REPEATED) or not is_title_like(line.text) or _is_top_banner(lines, i, body_start):
            continue
        if _is_byline_or_dateline(line, hints) or _is_counter(line):
            continue  # "Burst story number 7" may be a headline; "5 min read", "Image 5 of 5" are not
        if line.key in hints.sections or (line.words < 3 and i == 0):
            distance += 1
            continue
        score = -step * distance
        # A headline stands at the top of the file or under a short line (the section).
        if i == 0 or lines[i - 1].words <= 4 and not is_sentence(lines[i - 1].text) and not _is_metadata(lines[i - 1], hints):
            score += 1.5
        if any(tab in line.key and len(tab) >= 0.7 * len(line.key) for tab in tabs):
            score += 20
        if line.words >= 3 and any(is_repeat_of(other.text, line.text) for other in lines[i + 1 : i + 4]):
            score += 10
        if line.words >= 4:
            score += 1
        if i > 3 and any(line.key == top.key for top in lines[:3]):
            score += 8  # the browser-tab title at the top of a copied page, said again above the story
        if _heads_byline_or_dateline(lines, i, furniture, hints):
            score += 5
        if furniture[i] == _REPEATED and line.words >= 3:
            score += 1.5
        if line.words == 2 and not (i == 0 or lines[i - 1].key in hints.sections):
            score -= 1.5  # "Read Later", "Contact Us": buttons and menus are two words; few headlines are
        if name_of(line.text) and (i > 0 and is_title_like(lines[i - 1].text) and lines[i - 1].words >= 4 or _dateline_follows(lines, i, furniture, hints)):
            score -= 4  # a name under a headline, or over a date, is a byline
        if best is None or score > best[0]:
            best = (score, i)
        if not _is_repeat_target(lines, i):
            distance += 1
    return best[1] if best else None


def _heads_byline_or_dateline(lines: tuple[Line, ...], index: int, furniture: list[str], hints: _Hints) -> bool:
    """Whether a byline or a dateline follows the line (past a cut repeat or furniture): the
    mark of a headline on any portal."""
    following = [
        line for line in lines[index + 1 : index + 6] if furniture[line.index] in ("", _REPEATED) and not is_repeat_of(line.text, lines[index].text)
    ][:2]
    if not following:
        return False
    first = following[0]
    if _is_byline_or_dateline(first, hints):
        return True
    # A name alone ("Suzanne Gamboa") is a byline when a dateline follows it.
    return bool(name_of(first.text)) and first.words >= 2 and len(following) > 1 and _is_byline_or_dateline(following[1], hints)


def _is_byline_or_dateline(line: Line, hints: _Hints) -> bool:
    if hints.byline(line.text) or _name_and_role(line.text):
        return True
    return line.words <= 14 and any(c.isdigit() for c in line.text) and hints.dateline(line.text) is not None


def _dateline_follows(lines: tuple[Line, ...], index: int, furniture: list[str], hints: _Hints) -> bool:
    following = next((line for line in lines[index + 1 : index + 4] if not furniture[line.index]), None)
    return following is not None and _is_byline_or_dateline(following, hints)


def _name_and_role(text: str) -> str | None:
    """"Steve Peoples, AP National Political Writer": a name, a comma, a few capitalized words."""
    head, _, role = text.partition(", ")
    if not role or len(role.split()) > 5 or not is_capitalized(role):
        return None
    name = name_of(head)
    return name if name and len(name.split()) >= 2 else None


def _tab_head(lines: tuple[Line, ...], index: int) -> str | None:
    """The headline a browser-tab line names ("Headline | Site" at the top of a copied page, the
    headline also standing on a line of its own), or None when the line is no tab line."""
    if index >= 6:
        return None
    line = lines[index]
    parts = _TAB_SEPARATOR.split(line.text)
    if len(parts) < 2 or len(parts[-1].split()) > 5:
        return None
    head = line_key(line.text[: line.text.rfind(parts[-1])].rstrip(" |–—-:"))
    for other in lines:
        if other.index != index and len(other.key) < len(line.key) and head in other.key and len(head) >= 0.7 * len(other.key):
            return head
    return None


def _is_tab_line(lines: tuple[Line, ...], index: int) -> bool:
    return _tab_head(lines, index) is not None


def _is_repeat_target(lines: tuple[Line, ...], index: int) -> bool:
    return index > 0 and is_repeat_of(lines[index].text, lines[index - 1].text)


def _is_metadata(line: Line, hints: _Hints) -> bool:
    """Lines that sit between a headline and its story without being either: bylines, datelines,
    reading times."""
    if hints.byline(line.text) or _name_and_role(line.text):
        return True
    if line.words <= 6 and _STANDALONE_NUMBER.search(line.text) and not is_sentence(line.text):
        return True  # "5 min read", "Image 1 of 4"
    return line.words <= 14 and any(c.isdigit() for c in line.text) and hints.dateline(line.text) is not None


def _find_layout(lines: tuple[Line, ...], furniture: list[str], hints: _Hints) -> _Layout | None:
    scores = [_score(line, furniture[i]) for i, line in enumerate(lines)]
    rails = _rail_starts(lines, furniture, hints)
    for i in rails:
        scores[i] = -6.0
    stretch = _best_stretch(scores)
    if stretch is None:
        return _layout_without_sentences(lines, furniture, hints, rails)
    start, end = stretch
    title = _pick_title(lines, start, furniture, hints)
    if title is None and start < end:
        first = lines[start]
        if first.words <= 25 and (not is_sentence(first.text) or first.text.endswith(("?", "!"))):
            title, start = start, start + 1
    if title is None:
        # No title-shaped line above the story: the first line above it that is no furniture.
        title = next((i for i in range(start) if not furniture[i] and not _is_byline_or_dateline(lines[i], hints)), None)
    # A headline cut or repeated right above the story is not its first paragraph.
    while title is not None and start <= end and _is_header_line(lines[start], lines[title], furniture, hints):
        start += 1
    if title is not None:
        start = _standfirst_start(lines, title, start, furniture, hints)
    if start > end:
        return None
    if title is not None and _is_page_copy(lines):
        end = _trim_off_topic_tail(lines, title, start, end, furniture)
    return _Layout(title, start, end)


def _trim_off_topic_tail(lines: tuple[Line, ...], title: int, start: int, end: int, furniture: list[str]) -> int:
    """On a copied page the story may run on into forms, disclaimers and newsletter offers that
    read as sentences too; they share no word with the headline and the story's first lines."""
    opening = [line for line in lines[start : end + 1] if not furniture[line.index]][:3]
    topic = _content_words(lines[title].text).union(*(_content_words(line.text) for line in opening))
    floor = opening[-1].index if opening else start
    while end > floor and (furniture[end] or not (_content_words(lines[end].text) & topic)):
        end -= 1
    return end


def _is_counter(line: Line) -> bool:
    """A short line that is mostly numbers: a reading time, a gallery counter, a page number."""
    return line.words <= 5 and 2 * len(_STANDALONE_NUMBER.findall(line.text)) >= line.words - 1


def _first_title(lines: tuple[Line, ...], furniture: list[str], hints: _Hints) -> int | None:
    """Without a story to stand above, the headline is the first title-shaped line, past a short
    section line over a longer line."""
    for i, line in enumerate(lines):
        if furniture[i] or not is_title_like(line.text) or _is_metadata(line, hints) or line.key in hints.sections:
            continue
        following = lines[i + 1] if i + 1 < len(lines) else None
        if line.words <= 3 and following is not None and is_title_like(following.text) and following.words > line.words:
            continue
        return i
    return None


def _layout_without_sentences(lines: tuple[Line, ...], furniture: list[str], hints: _Hints, rails: set[int]) -> _Layout | None:
    """A story with no line that reads as a sentence (notes, a list): the headline, then every
    line after it up to a rail of links."""
    title = _first_title(lines, furniture, hints)
    if title is None:
        return None
    start = title + 1
    while start < len(lines) and _is_header_line(lines[start], lines[title], furniture, hints):
        start += 1
    end = start - 1
    for i in range(start, len(lines)):
        if i in rails:
            break
        if not furniture[i]:
            end = i
    return _Layout(title, start, end, sentences=False) if end >= start else None


def _is_header_line(line: Line, headline: Line, furniture: list[str], hints: _Hints) -> bool:
    """The cut repeat of the headline, a byline, a dateline or furniture: never the story's first line."""
    return bool(furniture[line.index]) or _is_metadata(line, hints) or is_repeat_of(line.text, headline.text)


def _standfirst_start(lines: tuple[Line, ...], title: int, start: int, furniture: list[str], hints: _Hints) -> int:
    """Lines between the headline and the first sentence that belong to the story (a standfirst,
    a lead-in line, a table's first rows): the run just above it of lines that are no furniture,
    byline, dateline or headline repeat."""
    while start - 1 > title:
        line = lines[start - 1]
        if _is_header_line(line, lines[title], furniture, hints):
            break
        if name_of(line.text) or not (is_sentence(line.text) or line.words >= 4):
            break
        start -= 1
    return start


def _is_page_copy(lines: tuple[Line, ...]) -> bool:
    if len(lines) < _PAGE_COPY_LINES:
        return False
    short = sum(1 for line in lines if line.words <= 4)
    return short >= len(lines) * _PAGE_COPY_SHORT_SHARE


@dataclass(frozen=True, slots=True)
class _Section:
    name: str
    index: int | None


def _pick_section(lines: tuple[Line, ...], title: int, furniture: list[str], hints: _Hints, dates: DateReader) -> _Section | None:
    """The section line: the short line closest above the headline that is no site name, menu,
    date or byline; the file's first line is taken for the site's name unless site.toml knows it."""
    first = next((i for i in range(title) if not _is_top_banner(lines, i, title)), None)
    for i in range(title - 1, -1, -1):
        line = lines[i]
        if furniture[i] or _is_top_banner(lines, i, title) or is_repeat_of(line.text, lines[title].text):
            continue
        if line.key in hints.sections:
            return _Section(line.text, i)
        if line.words > 5 or len(line.text) > 40 or is_sentence(line.text) or line.text.endswith(":"):
            continue
        if hints.byline(line.text) or hints.dateline(line.text):
            continue
        if i == first and not _named_by_section_line(lines, i, title):
            return None
        return _Section(line.text, i)
    return None


def _named_by_section_line(lines: tuple[Line, ...], index: int, title: int) -> bool:
    """A drop's first line is its section, not the site's name, when it is the only line above
    the headline and no other line of the drop (a copyright line, a tab title) names it."""
    key = lines[index].key
    if index != 0 or title - index > 1:
        return False
    return not any(key in other.key for other in lines if other.index != index)


def _is_top_banner(lines: tuple[Line, ...], index: int, title: int) -> bool:
    """Cookie notices and the browser-tab line at the top of a copied page."""
    line = lines[index]
    if is_sentence(line.text) and index < title:
        return True
    if index == 0 and re.search(r"[.!?]\s+\S+(?:\s+\S+)?$", line.text):
        return True  # "This site uses cookies. Accept"
    return _is_tab_line(lines, index)


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


def _distant_repeats(lines: tuple[Line, ...]) -> Counter[str]:
    """How often each line stands on the page, not counting a repeat right under it (a headline
    and its repeat are one headline)."""
    last: dict[str, int] = {}
    counts: Counter[str] = Counter()
    for line in lines:
        if line.key not in last or line.index - last[line.key] > 2 or line.words <= 3:
            counts[line.key] += 1
        last[line.key] = line.index
    return counts


class _Reader:
    """Reads one drop: decides what each line is."""

    def __init__(self, text: str, *, path: str, now: datetime, config: NormalizeConfig, sections: tuple[SectionConfig, ...]) -> None:
        self.path = path
        self.lines = split_lines(text)
        self.hints = _Hints(config, sections)
        zone = now.tzinfo or timezone.utc
        self.dates = DateReader(zone=zone, now=now, languages=date_languages(text, config.date_languages), order=config.date_order)
        self.hints.dates = self.dates
        repeats = _distant_repeats(self.lines)
        page_copy = _is_page_copy(self.lines)
        self.furniture = [_furniture_reason(line, self.hints, repeats, page_copy=page_copy) for line in self.lines]
        _mark_button_rows(self.lines, self.furniture, self.hints)
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


def _layout(reader: _Reader) -> _Layout:
    lines = reader.lines
    layout = _find_layout(lines, reader.furniture, reader.hints)
    if layout is None:
        titled = next((line for line in lines if is_title_like(line.text) and not reader.furniture[line.index]), None)
        if titled is None or all(is_link(line.text) or reader.furniture[line.index] for line in lines):
            raise NormalizeError(reader.location(lines[0]), "no article found: no headline and no sentence of a story", hint="an article is a headline followed by paragraphs")
        raise NormalizeError(reader.location(titled), "the article has a headline but no body text", hint="write the story below the headline")
    body_words = sum(line.words for line in lines[layout.body_start : layout.body_end + 1])
    if _is_page_copy(lines) and (layout.title is None or body_words < _PAGE_COPY_MIN_WORDS):
        raise NormalizeError(
            reader.location(lines[0]),
            "this looks like a whole copied web page and the story in it could not be found with confidence",
            hint="copy only the headline and the story's paragraphs into the file",
        )
    if layout.title is None:
        raise NormalizeError(reader.location(lines[layout.body_start]), "no headline found above the story", hint="put the headline on its own line above the first paragraph")
    return layout


def _read_header(reader: _Reader, layout: _Layout, context: DropContext) -> tuple[str, str, FoundDate | None]:
    """Section, author and date from the lines around the headline; the rest is stripped."""
    lines, hints = reader.lines, reader.hints
    title = layout.title
    assert title is not None
    section = _pick_section(lines, title, reader.furniture, hints, reader.dates)
    if section is not None and _is_page_copy(lines) and line_key(section.name) not in hints.sections:
        section = None  # on a copied page the short line over the headline is as often a menu item
    author = ""
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
        name = (hints.byline(line.text) or _bare_name(lines, i, title) or (_name_and_role(line.text) if title < i <= title + 3 else None)) if not author else None
        date = hints.dateline(line.text) if found is None and line.words <= 14 else None
        if name:
            author = name
            reader.decide(line, Role.BYLINE, f"author {name}")
            if found is None and (inline := hints.dateline(line.text)) is not None:
                found = inline
        elif date is not None:
            found = date
            reader.decide(line, Role.DATE, date.moment.isoformat())
        else:
            reader.decide(line, Role.STRIPPED, "above the headline" if i < title else "between the headline and the story")
    category = section.name if section else ""
    if not category:
        category = _fallback_section(reader, context, lines[title])
    return category, author, found


def _bare_name(lines: tuple[Line, ...], index: int, title: int) -> str | None:
    """A name alone on the line right under the headline (or under the cut repeat of it) is its byline."""
    if not title < index <= title + 2 or lines[index].words < 2 or lines[index].text.isupper():
        return None  # "BOYS SOCCER" in capitals is a label, not a name
    return name_of(lines[index].text)


def _trim_shared_edges(layout: _Layout, reader: _Reader, shared: frozenset[str]) -> _Layout:
    """A story neither opens nor ends with a line that other drops of the same portal carry too."""
    start, end = layout.body_start, layout.body_end
    lines, furniture = reader.lines, reader.furniture
    while start < end and (lines[start].key in shared or furniture[start]):
        if lines[start].key in shared and not furniture[start]:
            furniture[start] = "found in other drops too"
        start += 1
    while end > start and (lines[end].key in shared or furniture[end]):
        if lines[end].key in shared and not furniture[end]:
            furniture[end] = "found in other drops too"
        end -= 1
    return replace(layout, body_start=start, body_end=end)


def _fallback_section(reader: _Reader, context: DropContext, headline: Line) -> str:
    if context.folder_section:
        reader.warnings.append(SourceWarning(reader.location(headline), f"no section line above the headline; filed under {context.folder_section!r}, the section of its folder", "put the section on its own line above the headline to choose another"))
        return context.folder_section
    sections = list(reader.hints.sections.values())
    default = context.default_section or (sections[0] if sections else "News")
    reader.warnings.append(SourceWarning(reader.location(headline), f"no section line above the headline; filed under the default section {default!r}", "put the section (for example Sport) on its own line above the headline, or drop the file into that section's folder"))
    return default


def _content_words(text: str) -> set[str]:
    """Words of four letters or more, cut to five so that "conditions" meets "condition"."""
    return {word[:5] for word in re.findall(r"[^\W\d_]{4,}", text.casefold())}


def _is_aside(line: Line, story_words: Counter[str]) -> bool:
    """A short line in the story that shares no word with the rest of it: an advert, a "story
    continues below" or a button, whatever language the portal speaks. Subheadings repeat the
    words of the paragraphs they head."""
    if line.words > 4 or ends_like_sentence(line.text) or _is_list_item(line.text):
        return False
    own = _content_words(line.text)
    return bool(own) and not any(story_words[word] > (1 if word in own else 0) for word in own)


def _read_body(reader: _Reader, layout: _Layout, headline: Line) -> list[Line]:
    body: list[Line] = []
    lines = reader.lines
    story_words: Counter[str] = Counter()
    if any(line.words <= 4 for line in lines[layout.body_start : layout.body_end + 1]):
        for line in lines[layout.body_start : layout.body_end + 1]:
            story_words.update(_content_words(line.text))
        story_words.update(_content_words(headline.text))
    for line in lines[layout.body_start : layout.body_end + 1]:
        reason = reader.furniture[line.index]
        if not reason and is_repeat_of(line.text, headline.text):
            reason = "the headline repeated"
        if not reason and _is_link_run(lines, line.index, reader.furniture):
            reason = "a run of link or button labels"
        if not reason and _is_aside(line, story_words):
            reason = "a short line sharing no word with the story (advert or prompt)"
        if reason:
            reader.decide(line, Role.STRIPPED, reason)
        else:
            reader.decide(line, Role.BODY)
            body.append(line)
    for line in lines[layout.body_end + 1 :]:
        reader.decide(line, Role.STRIPPED, reader.furniture[line.index] or "after the story (related links, footer)")
    return body


def _is_link_run(lines: tuple[Line, ...], index: int, furniture: list[str]) -> bool:
    """Share buttons and link labels stand in runs of short capitalized lines with no prose."""
    def label(i: int) -> bool:
        return 0 <= i < len(lines) and lines[i].words <= 3 and is_capitalized(lines[i].text) and not is_sentence(lines[i].text) and not any(c.isdigit() for c in lines[i].text)

    if not label(index):
        return False
    run = 1
    i = index - 1
    while label(i) or (0 <= i < len(lines) and furniture[i]):
        run += label(i)
        i -= 1
    i = index + 1
    while label(i) or (i < len(lines) and furniture[i]):
        run += label(i)
        i += 1
    return run >= 3


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
    layout = _trim_shared_edges(_layout(reader), reader, context.shared_lines)
    assert layout.title is not None
    headline = reader.lines[layout.title]
    reader.decide(headline, Role.TITLE)
    if not layout.sentences:
        reader.warnings.append(SourceWarning(reader.location(headline), "no line under the headline reads as a sentence; every line under it was kept as the story", "check the article's text"))
    category, author, found = _read_header(reader, layout, context)
    body = _read_body(reader, layout, headline)
    if not body:
        raise NormalizeError(reader.location(headline), "the article has a headline but no body text", hint="write the story below the headline")
    date = _dated(reader, found, body, headline, now)
    return _compose(reader, headline, category, author, date, body)


def _compose(reader: _Reader, headline: Line, category: str, author: str, date: datetime, body: list[Line]) -> Normalized:
    plain = [line.text for line in body]
    title = headline.text
    front = [
        ("title", title),
        ("date", date.isoformat()),
        ("category", category),
        ("slug", make_slug(title)),
        ("summary", summarize(plain[0])),
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
