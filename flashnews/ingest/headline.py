"""The lines above a story -> its headline and its section line.

A headline is title-shaped (a few to thirty words, no closing stop); among such lines the one
chosen stands closest above the story, unless the browser-tab line at the top of a copied page
names another, a cut repeat follows one, or a byline or dateline stands under one. The section is
the short line above the headline that is no site name, menu, date or byline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flashnews.ingest.bylines import leading_name, name_of
from flashnews.ingest.datelines import DateReader
from flashnews.ingest.furniture import REPEATED, Line, is_capitalized, is_repeat_of, is_sentence, is_title_case, is_title_like, is_truncated, line_key
from flashnews.ingest.hints import Hints

STANDALONE_NUMBER = re.compile(r"(?:^|\s)[(\[]?\d+(?:[.,:/-]\d+)*[)\]%]?(?=\s|$)")
_NUMBER = re.compile(r"[(\[]?\d+(?:[.,:/-]\d+)*[)\]%]?")
_TAB_SEPARATOR = re.compile(r"\s+[|–—-]\s+|\s+::\s+")


def pick_headline(lines: tuple[Line, ...], body_start: int, furniture: list[str], hints: Hints, *, page_copy: bool = False) -> int | None:
    """The headline: a title-shaped line above the story, the closest one unless the tab line or
    a cut repeat points to another."""
    tabs = [head for i in range(len(lines)) if (head := _tab_head(lines, i))]
    # On a whole copied page the headline may stand far above the story (pictures, captions,
    # share panels between), so nearness counts for less there.
    step = 0.5 if page_copy else 1.0
    best: tuple[float, int] | None = None
    distance = 0.0
    for i in range(body_start - 1, -1, -1):
        line = lines[i]
        # Pages repeat their own headline (share widgets, breadcrumbs), so a repeat may be it.
        if furniture[i] not in ("", REPEATED) or not is_title_like(line.text) or is_top_banner(lines, i, body_start):
            continue
        if is_byline_or_dateline(line, hints) or _is_counter(line) or i > 0 and hints.bylines.is_lead_in(lines[i - 1].text):
            continue  # "Burst story number 7" may be a headline; "5 min read", "Image 5 of 5", "By" + a name are not
        if line.key in hints.sections or (line.words < 3 and i == 0):
            distance += 1
            continue
        score = _headline_score(lines, i, furniture, hints, tabs) - step * distance
        if best is None or score > best[0]:
            best = (score, i)
        if not _is_repeat_target(lines, i):
            distance += 1 if line.words > 2 else 0.5  # "Print Article", "Text size": buttons stand between more often
    return _over_deck(lines, best[1], furniture, hints, body_start, tabs) if best else None


def _over_deck(lines: tuple[Line, ...], index: int, furniture: list[str], hints: Hints, body_start: int, tabs: list[str]) -> int:
    """Of two title-shaped lines stacked over the byline or dateline, the upper is the headline
    and the lower its deck, whichever is longer (unless more speaks for the lower, such as the
    browser-tab line naming it)."""
    above = index - 1
    if above < 0 or furniture[above] not in ("", REPEATED) or not is_deck(lines[index]) or not is_deck(lines[above]):
        return index
    if is_top_banner(lines, above, body_start) or is_byline_or_dateline(lines[above], hints) or lines[above].key in hints.sections:
        return index
    # Under a rail of headlines the upper line is the rail's last item, not a headline.
    earlier = [line for line in lines[max(0, above - 4) : above] if furniture[line.index] in ("", REPEATED)][-2:]
    if len(earlier) == 2 and all(is_deck(line) for line in earlier):
        return index
    if _headline_score(lines, above, furniture, hints, tabs) < _headline_score(lines, index, furniture, hints, tabs) - 1:
        return index
    return above if _heads_byline_or_dateline(lines, above, furniture, hints) else index


def _headline_score(lines: tuple[Line, ...], i: int, furniture: list[str], hints: Hints, tabs: list[str]) -> float:
    """What speaks for a title-shaped line being the headline, nearness apart."""
    line = lines[i]
    score = 0.0
    # A headline stands at the top of the file or under a short line (the section).
    if i == 0 or lines[i - 1].words <= 3 and not is_sentence(lines[i - 1].text) and not is_metadata(lines[i - 1], hints):
        score += 1.5
    if any(tab in line.key and len(tab) >= 0.7 * len(line.key) for tab in tabs):
        score += 20
    if line.words >= 4 and any(is_repeat_of(other.text, line.text) for other in lines[i + 1 : i + 4]):
        score += 10
    if line.words >= 4:
        score += 1
    if i > 3 and any(line.key == top.key for top in lines[:3]):
        score += 8  # the browser-tab title at the top of a copied page, said again above the story
    if _heads_byline_or_dateline(lines, i, furniture, hints):
        score += 5
    if furniture[i] == REPEATED and line.words >= 3:
        score += 1.5
    if line.words == 2 and not (i == 0 or lines[i - 1].key in hints.sections):
        score -= 1.5  # "Read Later", "Contact Us": buttons and menus are two words; few headlines are
    if (name_of(line.text) or name_with_role(line.text)) and (i > 0 and is_title_like(lines[i - 1].text) and lines[i - 1].words >= 4 or _dateline_follows(lines, i, furniture, hints)):
        score -= 4  # a name under a headline, or over a date, is a byline
    return score


def _heads_byline_or_dateline(lines: tuple[Line, ...], index: int, furniture: list[str], hints: Hints) -> bool:
    """Whether a byline or a dateline follows the line (past a cut repeat or furniture): the
    mark of a headline on any portal."""
    following = [
        line for line in lines[index + 1 : index + 6] if furniture[line.index] in ("", REPEATED) and not is_repeat_of(line.text, lines[index].text)
    ][:4]
    if _opens_credits(following, hints):
        return True
    # A deck (a longer line that tells more) may stand between a headline and its byline.
    # ("Home News Business <headline>" over the headline is a breadcrumb, not a headline over a deck.)
    deck = following[0] if following else None
    return deck is not None and len(following) > 1 and is_deck(deck) and deck.key not in lines[index].key and _opens_credits(following[1:], hints)


def _opens_credits(following: list[Line], hints: Hints) -> bool:
    """Whether the lines open with a byline or a dateline."""
    if not following:
        return False
    first = following[0]
    if is_byline_or_dateline(first, hints, following[1] if len(following) > 1 else None):
        return True
    # A name alone ("Suzanne Gamboa"), or with a role ("Ana Lika Transport correspondent"), is a
    # byline when a dateline follows it.
    named = name_of(first.text) or name_with_role(first.text)
    return bool(named) and first.words >= 2 and len(following) > 1 and is_byline_or_dateline(following[1], hints)


def is_deck(line: Line) -> bool:
    """A line under a headline that tells more (a deck or standfirst set as a headline is)."""
    return is_title_like(line.text) and line.words >= 4 and not is_sentence(line.text) and not line.text.endswith(("›", ">", "»", "/", "|"))


def is_byline_or_dateline(line: Line, hints: Hints, following: Line | None = None) -> bool:
    if hints.byline_over(line.text, following.text if following else None) or name_and_role(line.text):
        return True
    return line.words <= 14 and any(c.isdigit() for c in line.text) and hints.dateline(line.text) is not None


def _dateline_follows(lines: tuple[Line, ...], index: int, furniture: list[str], hints: Hints) -> bool:
    following = next((line for line in lines[index + 1 : index + 4] if not furniture[line.index]), None)
    return following is not None and is_byline_or_dateline(following, hints)


def name_with_role(text: str) -> str | None:
    """"Ana Lika Transport correspondent": a name of two or three words, then a role of one to
    three words that ends in lowercase (a headline in title case goes on longer)."""
    words = text.split()
    if not 3 <= len(words) <= 6 or not words[-1][:1].islower():
        return None
    name = leading_name(text)
    if name is None or not 2 <= len(name.split()) <= 3 or len(words) - len(name.split()) > 3:
        return None
    return name


def name_and_role(text: str) -> str | None:
    """"Steve Peoples, AP National Political Writer": a name, a comma, a few capitalized words."""
    head, _, role = text.partition(", ")
    if not role or len(role.split()) > 5 or not is_capitalized(role):
        return None
    name = name_of(head)
    return name if name and len(name.split()) >= 2 else None


def _tab_head(lines: tuple[Line, ...], index: int) -> str | None:
    """The headline a browser-tab line names ("Headline | Site" at the top of a copied page, the
    headline also standing on a line of its own), or None when the line is no tab line."""
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


def is_metadata(line: Line, hints: Hints) -> bool:
    """Lines that sit between a headline and its story without being either: bylines, datelines,
    reading times."""
    if hints.byline(line.text) or name_and_role(line.text):
        return True
    if line.words <= 6 and STANDALONE_NUMBER.search(line.text) and not is_sentence(line.text):
        return True  # "5 min read", "Image 1 of 4"
    return line.words <= 14 and any(c.isdigit() for c in line.text) and hints.dateline(line.text) is not None


def _is_counter(line: Line) -> bool:
    """A short line that is mostly numbers: a reading time ("5 min read"), a gallery counter
    ("Image 2 of 5"), a page number ("Page 3"). A headline may hold a number too ("Inflation hits
    9%", "Drop 2959 lands"): a counter opens with its number, or has only numbers and short
    joining words ("of") after its label."""
    if line.words > 5 or 2 * len(STANDALONE_NUMBER.findall(line.text)) < line.words - 1:
        return False
    tokens = line.text.split()
    numeric = [_NUMBER.fullmatch(token) is not None for token in tokens]
    if numeric[0]:
        return True
    after = zip(tokens[2:], numeric[2:])
    return len(tokens) > 1 and numeric[1] and all(is_number or len(token) <= 3 and token.islower() for token, is_number in after)


def first_headline(lines: tuple[Line, ...], furniture: list[str], hints: Hints) -> int | None:
    """Without a story to stand above, the headline is the first title-shaped line, past a short
    section line over a longer line."""
    for i, line in enumerate(lines):
        if furniture[i] or not is_title_like(line.text) or is_metadata(line, hints) or line.key in hints.sections:
            continue
        following = lines[i + 1] if i + 1 < len(lines) else None
        if line.words <= 3 and following is not None and is_title_like(following.text) and following.words > line.words:
            continue
        return i
    return None


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    index: int | None


def pick_section(lines: tuple[Line, ...], title: int, furniture: list[str], hints: Hints, dates: DateReader) -> Section | None:
    """The section line: the short line closest above the headline that is no site name, menu,
    date or byline; the file's first line is taken for the site's name unless site.toml knows it."""
    crumb = _breadcrumb_section(lines, title, hints)
    if crumb is not None:
        return crumb
    first = next((i for i in range(title) if not is_top_banner(lines, i, title)), None)
    for i in range(title - 1, -1, -1):
        line = lines[i]
        # The section's name is in the menu too, so the line right over the headline may repeat one.
        repeated_section = furniture[i] == REPEATED and i == title - 1 and line.words <= 3
        if furniture[i] and not repeated_section or is_top_banner(lines, i, title) or is_repeat_of(line.text, lines[title].text):
            continue
        if line.key in hints.sections:
            return Section(line.text, i)
        if line.words > 5 or len(line.text) > 40 or is_sentence(line.text) or line.text.endswith(":"):
            continue
        if hints.byline(line.text) or hints.dateline(line.text):
            continue
        if i == first and not _named_by_section_line(lines, i, title):
            return None
        return Section(line.text, i)
    return None


_CRUMB = re.compile(r"\s[>›»/]\s")


def _breadcrumb_section(lines: tuple[Line, ...], title: int, hints: Hints) -> Section | None:
    """The section a breadcrumb just above the headline names ("Home > Politics > Congress"):
    the item site.toml knows as a section, else the last one that is no cut headline."""
    for i in range(title - 1, max(-1, title - 3), -1):
        line = lines[i]
        items = [item.strip() for item in _CRUMB.split(line.text) if item.strip()] if _CRUMB.search(line.text) else []
        if len(items) < 2 or any(len(item.split()) > 4 for item in items[:-1]):
            continue
        known = [item for item in items if line_key(item) in hints.sections]
        if known:
            return Section(known[-1], i)
        named = [item for item in items[1:] if not is_truncated(item) and not is_repeat_of(item, lines[title].text) and len(item.split()) <= 4]
        return Section(named[-1], i) if named else None
    return None


def _named_by_section_line(lines: tuple[Line, ...], index: int, title: int) -> bool:
    """A drop's first line is its section, not the site's name, when it is the only line above
    the headline and no other line of the drop (a copyright line, a tab title) names it."""
    key = lines[index].key
    if index != 0 or title - index > 1:
        return False
    return not any(key in other.key for other in lines if other.index != index)


def is_top_banner(lines: tuple[Line, ...], index: int, title: int) -> bool:
    """Cookie notices and the browser-tab line at the top of a copied page."""
    line = lines[index]
    if is_sentence(line.text) and not is_title_case(line.text) and index < title:
        # A question below the top may be the headline ("What do you buy for …?"); a statement is a banner.
        return not (line.text.endswith(("?", "!", "？", "！")) and index > 2)
    if index == 0 and re.search(r"[.!?]\s+\S+(?:\s+\S+)?$", line.text):
        return True  # "This site uses cookies. Accept"
    return _is_tab_line(lines, index)


def bare_name(lines: tuple[Line, ...], index: int, title: int) -> str | None:
    """A name alone on the line right under the headline (or under the cut repeat of it) is its byline."""
    if not title < index <= title + 2 or lines[index].words < 2 or lines[index].text.isupper():
        return None  # "BOYS SOCCER" in capitals is a label, not a name
    return name_of(lines[index].text)
