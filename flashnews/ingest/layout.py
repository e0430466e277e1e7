"""The lines of a drop, with its furniture marked (marking.py) -> where its story is: the
best-scoring stretch of sentences that is the body, where a copied story ends, the lists that
belong to it, and the headline above it.

Everything here judges a line by its shape (length, position, case, punctuation, whether it is
a sentence, repeats the headline or other lines, names social networks) and uses the word lists
of site.toml only as hints, so that text copied from portals never seen before works too.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from flashnews.ingest.bylines import name_of
from flashnews.ingest.furniture import (
    Line,
    ends_like_sentence,
    is_capitalized,
    is_repeat_of,
    is_sentence,
    is_short,
    is_title_like,
    is_truncated,
)
from flashnews.ingest.headline import first_headline, is_byline_or_dateline, is_metadata, pick_headline
from flashnews.ingest.hints import Hints
from flashnews.ingest.marking import is_page_copy

# A page copy whose best stretch of sentences is shorter than this is not trusted to be the story.
PAGE_COPY_MIN_WORDS = 60


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_CLOCK = re.compile(r"(?<!\d)\d{1,2}[:.]\d\d(?!\d)")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")


def _score(line: Line, furniture: str) -> float:
    """How much a line looks like part of the story's running text (negative: like furniture)."""
    if furniture:
        return 0.0  # known furniture is taken out of the story wherever it stands, so it neither joins nor splits
    if is_sentence(line.text) and not is_truncated(line.text) and not (line.words <= 3 and line.text.endswith((":", "："))):
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


def _rail_starts(lines: tuple[Line, ...], furniture: list[str], hints: Hints) -> set[int]:
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
class Layout:
    title: int | None
    body_start: int
    body_end: int
    # False when no line of the story reads as a sentence and the body is everything under the headline.
    sentences: bool = True
    # Items of a list the story announces or goes on into: short lines that are the story all the same.
    listed: frozenset[int] = frozenset()
    # A line of the story that reads as an offer to the reader or a comment, kept (not on a copied page).
    doubtful: int | None = None


def find_layout(lines: tuple[Line, ...], furniture: list[str], hints: Hints) -> Layout | None:
    scores = [_score(line, furniture[i]) for i, line in enumerate(lines)]
    rails = _rail_starts(lines, furniture, hints)
    for i in rails:
        scores[i] = -6.0
    listed = set(_introduced_list_items(lines, furniture))
    for i in listed:
        scores[i] = max(scores[i], 0.1)
    stretch = _best_stretch(scores)
    if stretch is None:
        return _layout_without_sentences(lines, furniture, hints, rails)
    start, end = stretch
    title = pick_headline(lines, start, furniture, hints, page_copy=is_page_copy(lines))
    if title is not None:
        title, start = _list_over_story(lines, title, start, furniture, listed)
    if title is None and start < end:
        first = lines[start]
        if first.words <= 25 and (not is_sentence(first.text) or first.text.endswith(("?", "!"))):
            title, start = start, start + 1
    if title is None:
        # No title-shaped line above the story: the first line above it that is no furniture.
        title = next((i for i in range(start) if not furniture[i] and not is_byline_or_dateline(lines[i], hints)), None)
    # A headline cut or repeated right above the story is not its first paragraph.
    while title is not None and start <= end and start not in listed and _is_header_line(lines[start], lines[title], furniture, hints):
        start += 1
    if title is not None:
        start = _standfirst_start(lines, title, start, furniture, hints)
    if start > end:
        return None
    doubtful = None
    if title is not None:
        tail = _page_tail_start(lines, start, end, furniture, hints)
        if is_page_copy(lines) or tail is not None and _is_comment_header(lines[tail]):
            end = end if tail is None else max(start, tail - 1)
        else:
            doubtful = tail  # without the rest of a page around it, an offer may be the story's own last line
        if is_page_copy(lines):
            end = _trim_off_topic_tail(lines, title, start, end, furniture)
        story_end, end = end, _list_after_story(lines, title, end, furniture)
        listed.update(range(story_end + 1, end + 1))
    return Layout(title, start, end, listed=frozenset(listed), doubtful=doubtful)


def _list_over_story(lines: tuple[Line, ...], title: int, start: int, furniture: list[str], listed: set[int]) -> tuple[int, int]:
    """A story that opens with a list (results, a timetable) before its first sentence: the line
    taken for the headline is the list's last item when the lines over it have its shape, with
    numbers in it. The headline is then the line over the list, and the list opens the story."""
    upward = [line for line in reversed(lines[: title + 1]) if not furniture[line.index]]
    items = _shaped_run(upward)
    above = upward[len(items)] if len(items) < len(upward) else None
    if len(items) < 3 or above is None or not is_title_like(above.text):
        return title, start
    listed.update(item.index for item in items)
    return above.index, items[-1].index


def _introduced_list_items(lines: tuple[Line, ...], furniture: list[str]) -> list[int]:
    """The items of a list a line of the story announces ("The newly selected five are:"): short
    lines that read as no sentence, up to the next sentence."""
    items: list[int] = []
    for i, line in enumerate(lines):
        if furniture[i] or line.words < 3 or not line.text.endswith((":", "：")):
            continue
        for following in lines[i + 1 : i + 40]:
            if furniture[following.index]:
                continue
            if is_sentence(following.text) or following.words > 15 or following.text.endswith((":", "：")):
                break
            items.append(following.index)
    return items


def _shape(text: str) -> str:
    """A line's punctuation and numbers, its words left out: "June 9 – Tampa, FL @ Arena" -> "0–,@"."""
    return re.sub(r"\d+", "0", re.sub(r"[^\W\d_]+|\s+", "", text))


def _list_after_story(lines: tuple[Line, ...], title: int, end: int, furniture: list[str]) -> int:
    """A list that goes on from the story under a heading of the story's own (tour dates under
    "The Doobie Brothers Tour Dates", results under "Stock Car 2018"): the heading shares a word
    with the headline, and three lines or more under it have one shape with numbers in it."""
    following = [line for line in lines[end + 1 : end + 60] if not furniture[line.index]]
    if len(following) < 4:
        return end
    heading = following[0]
    if heading.words > 8 or is_sentence(heading.text) or not content_words(heading.text) & content_words(lines[title].text):
        return end
    items = _shaped_run(following[1:])
    return items[-1].index if len(items) >= 3 else end


def _shaped_run(candidates: list[Line]) -> list[Line]:
    """The items of a list at the head of candidates: lines with the first one's shape, numbers
    in it ("June 9 – Tampa, FL @ Arena", "Partizani - Tirana 2:1"), and no sentence among them."""
    shape = _shape(candidates[0].text) if candidates else ""
    if not any(c.isdigit() for c in shape):
        return []
    run: list[Line] = []
    for line in candidates:
        if line.words > 20 or is_sentence(line.text) or _shape(line.text)[:2] != shape[:2]:
            break
        run.append(line)
    return run


def _is_comment_header(line: Line) -> bool:
    """A reader's comment opens with who wrote it and when (a year and a time), then a colon."""
    return line.words <= 20 and line.text.endswith((":", "：")) and _YEAR.search(line.text) is not None and _CLOCK.search(line.text) is not None


def _page_tail_start(lines: tuple[Line, ...], start: int, end: int, furniture: list[str], hints: Hints) -> int | None:
    """Where a copied page starts talking to the reader after the story: an offer of a newsletter,
    a subscription or a follow ("Want more? Sign up for our newsletter."), or the readers'
    comments; None when it does not. Only a line in the last part of the story counts, and only
    an offer put to the reader (it opens a sentence), not a sentence that reports on one
    ("Subscribers rose")."""
    story = [line for line in lines[start : end + 1] if not furniture[line.index]]
    total = sum(line.words for line in story)
    seen = 0
    for line in story:
        seen += line.words
        if seen - line.words < 0.6 * total or line.words > 25:
            continue
        if _is_comment_header(line):
            return line.index  # "Jamie Cassidy on November 15, 2018 at 10:12 am said:"
        for sentence in _SENTENCE_SPLIT.split(line.key):
            match = hints.signup.search(sentence)
            if match is not None and len(sentence[: match.start()].split()) <= 1:
                return line.index
    return None


def _trim_off_topic_tail(lines: tuple[Line, ...], title: int, start: int, end: int, furniture: list[str]) -> int:
    """On a copied page the story may run on into forms, disclaimers and newsletter offers that
    read as sentences too; they share no word with the headline and the story's first lines."""
    opening = [line for line in lines[start : end + 1] if not furniture[line.index]][:3]
    topic = content_words(lines[title].text).union(*(content_words(line.text) for line in opening))
    floor = opening[-1].index if opening else start
    while end > floor and (furniture[end] or not (content_words(lines[end].text) & topic)):
        end -= 1
    return end


def _layout_without_sentences(lines: tuple[Line, ...], furniture: list[str], hints: Hints, rails: set[int]) -> Layout | None:
    """A story with no line that reads as a sentence (notes, a list): the headline, then every
    line after it up to a rail of links."""
    title = first_headline(lines, furniture, hints)
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
    return Layout(title, start, end, sentences=False) if end >= start else None


def _is_header_line(line: Line, headline: Line, furniture: list[str], hints: Hints) -> bool:
    """The cut repeat of the headline, a byline, a dateline or furniture: never the story's first line."""
    return bool(furniture[line.index]) or is_metadata(line, hints) or is_repeat_of(line.text, headline.text)


def _standfirst_start(lines: tuple[Line, ...], title: int, start: int, furniture: list[str], hints: Hints) -> int:
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


def content_words(text: str) -> set[str]:
    """Words of four letters or more, cut to five so that "conditions" meets "condition"."""
    return {word[:5] for word in re.findall(r"[^\W\d_]{4,}", text.casefold())}


def is_aside(line: Line, story_words: Counter[str]) -> bool:
    """A short line in the story that shares no word with the rest of it: an advert, a "story
    continues below" or a button, whatever language the portal speaks. Subheadings repeat the
    words of the paragraphs they head."""
    if line.words > 4 or ends_like_sentence(line.text) or _is_list_item(line.text):
        return False
    own = content_words(line.text)
    return bool(own) and not any(story_words[word] > (1 if word in own else 0) for word in own)


def is_link_run(lines: tuple[Line, ...], index: int, furniture: list[str]) -> bool:
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


def trim_shared_edges(layout: Layout, lines: tuple[Line, ...], furniture: list[str], shared: frozenset[str]) -> Layout:
    """A story neither opens nor ends with a line that other drops of the same portal carry too
    (marked so in furniture)."""
    start, end = layout.body_start, layout.body_end
    while start < end and (lines[start].key in shared or furniture[start]):
        if lines[start].key in shared and not furniture[start]:
            furniture[start] = "found in other drops too"
        start += 1
    while end > start and (lines[end].key in shared or furniture[end]):
        if lines[end].key in shared and not furniture[end]:
            furniture[end] = "found in other drops too"
        end -= 1
    return replace(layout, body_start=start, body_end=end)


