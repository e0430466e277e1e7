"""The lines of a drop -> which of them are page furniture wherever they stand, and why.

A line is furniture by what it is (a copyright line, a bare link, a menu or share row, a caption
ending with its credit, a gallery's counter, a run of button labels, a headline under a lone
prompt, a line said again further down a copied page), with site.toml's word lists as hints
only. Where the story is among the rest is the layout's question (layout.py).
"""

from __future__ import annotations

import re
from collections import Counter

from flashnews.ingest.bylines import name_of
from flashnews.ingest.furniture import (
    REPEATED,
    Line,
    ends_like_sentence,
    has_credit_tail,
    is_capitalized,
    is_copyright,
    is_link,
    is_row,
    is_sentence,
    is_tag_list,
    is_title_like,
    starts_with_any,
)
from flashnews.ingest.hints import Hints

# A copied page: many lines, most of them short (menus, links, buttons).
_PAGE_COPY_LINES = 40


_PAGE_COPY_SHORT_SHARE = 0.45


def _furniture_reason(line: Line, hints: Hints, repeats: Counter[str], *, page_copy: bool = False) -> str:
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
    if line.words <= 25 and starts_with_any(key.lstrip("([ "), hints.credits) and (":" in line.text[:24] or _is_bracketed(line.text) or " by " in line.text[:24]):
        return "picture credit"
    if line.words <= 60 and (has_credit_tail(line.text) or _CAPTION_LABEL.match(line.text)):
        return "picture caption (it ends with the picture's credit)"
    if page_copy and is_tag_list(line.text):
        return "a list of the page's tags"
    if line.words <= 15 and _EMAIL.search(line.text) and not is_sentence(line.text):
        return "a contact line (an e-mail address)"
    if _is_social_button(line, hints):
        return "share or follow button"
    if repeats[key] > 1 and (line.words <= 12 and not is_sentence(line.text) or page_copy):
        return REPEATED  # on a copied page even a sentence said twice is a caption or a teaser
    return ""


# "Image caption Assange gestures…", "Media captionWho is…", "Image copyright Reuters": a label the page
# puts before a caption or a credit.
_CAPTION_LABEL = re.compile(r"(?:image|media|photo|picture|video)\s*(?:caption|copyright|credit|source)", re.IGNORECASE)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


_INLINE_PROMPT = re.compile(r"(?P<label>[^\W\d_][^:]{0,24}?)\s?:\s+(?P<headline>.+)")


def _is_bracketed(text: str) -> bool:
    return text[:1] in "([" and text[-1:] in ")]"


def is_inline_prompt(text: str) -> bool:
    """"Lire aussi : Le prix de l'essence atteint un record": a label of a few words, a colon and a
    headline (no closing stop). Only between a story's paragraphs, since headlines have this
    shape too ("Kultura i sport: Kadare dobio nagradu")."""
    match = _INLINE_PROMPT.fullmatch(text)
    if match is None or len(match.group("label").split()) > 3 or is_sentence(text):
        return False
    headline = match.group("headline")
    return 3 <= len(headline.split()) <= 20 and is_capitalized(headline) and not ends_like_sentence(headline)


def _is_social_button(line: Line, hints: Hints) -> bool:
    """"Share this on WhatsApp", "Follow us on X", "Facebook Twitter Email": a short line that ends
    with a social network's name, or any line naming two of them among few other words."""
    if line.words > 12 or is_sentence(line.text):
        return False  # "Follow the story on Reddit and X." is a sentence of the story
    names = [word for word in re.split(r"[\s|·•,/:]+", line.key) if word in hints.social]
    if len(names) >= 2 and len(names) * 2 >= line.words - 2:
        return True
    last = re.split(r"[\s|·•,/:]+", line.key.rstrip(" .!"))[-1]
    return line.words <= 7 and last in hints.social and not is_sentence(line.text) and line.words >= 2


def _is_label(line: Line) -> bool:
    return line.words <= 3 and not is_sentence(line.text) and not any(c.isdigit() for c in line.text)


def _mark_button_rows(lines: tuple[Line, ...], furniture: list[str], hints: Hints) -> None:
    """Share buttons copied one per line ("Copy link", "Telegram", "Print"): a run of short
    labels in which one is a known button marks its neighbours as buttons too."""
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _is_label(lines[j]):
            j += 1
        if j - i >= 2 and any(lines[k].key in hints.noise for k in range(i, j)):
            # A name right under a dateline is the byline the buttons follow ("5 March 2024" / "Ana Lika" / "Share").
            first = i + 1 if i > 0 and _is_byline_after_date(lines[i], lines[i - 1], hints) else i
            for k in range(first, j):
                furniture[k] = furniture[k] or "a row of share or link buttons"
        i = max(j, i + 1)


def _is_byline_after_date(line: Line, above: Line, hints: Hints) -> bool:
    return line.words >= 2 and name_of(line.text) is not None and any(c.isdigit() for c in above.text) and hints.dateline(above.text) is not None


def is_page_copy(lines: tuple[Line, ...]) -> bool:
    if len(lines) < _PAGE_COPY_LINES:
        return False
    short = sum(1 for line in lines if line.words <= 4)
    return short >= len(lines) * _PAGE_COPY_SHORT_SHARE


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


def mark_furniture(lines: tuple[Line, ...], hints: Hints) -> list[str]:
    """For each line of a drop, why it is page furniture wherever it stands ("" when it may be
    part of the story)."""
    repeats = _distant_repeats(lines)
    page_copy = is_page_copy(lines)
    furniture = [_furniture_reason(line, hints, repeats, page_copy=page_copy) for line in lines]
    _mark_button_rows(lines, furniture, hints)
    _mark_galleries(lines, furniture)
    _mark_prompted_links(lines, furniture, hints)
    return furniture


def _mark_prompted_links(lines: tuple[Line, ...], furniture: list[str], hints: Hints) -> None:
    """A prompt alone on its line ("Related", "Read more") and the headlines it points to, up to
    the next sentence."""
    for i, line in enumerate(lines):
        if line.key not in hints.prompts:
            continue
        for following in lines[i + 1 : i + 6]:
            if is_sentence(following.text) or not is_title_like(following.text):
                break
            furniture[following.index] = furniture[following.index] or "a headline under a prompt to read on"


_GALLERY_COUNTER = re.compile(r"(?:[^\W\d_]+\s+)?(\d{1,3})\s*(?:/|[^\W\d_]{1,4})\s*(\d{1,3})")


def _mark_galleries(lines: tuple[Line, ...], furniture: list[str]) -> None:
    """"Image 2 of 5" and the caption under it: a picture gallery copied with the story (two
    counters or more with the same total, so that "Season 19/20" alone is no gallery)."""
    counters: dict[int, str] = {}
    for i, line in enumerate(lines):
        match = _GALLERY_COUNTER.fullmatch(line.text) if line.words <= 4 else None
        if match is not None and 1 <= int(match[1]) <= int(match[2]):
            counters[i] = match[2]
    totals = Counter(counters.values())
    for i, total in counters.items():
        if totals[total] < 2:
            continue
        furniture[i] = furniture[i] or "a picture gallery's counter"
        if i + 1 < len(lines) and not furniture[i + 1] and i + 1 not in counters and lines[i + 1].words <= 60:
            furniture[i + 1] = "a picture gallery's caption"
