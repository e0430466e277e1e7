"""One line of a raw drop -> what kind of line it is: a sentence of a story, a title, or page
furniture (menus, share rows, copyright, credits, prompts), judged by its shape first and by
configurable word lists only as hints."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

_BLANK_CHARS = " \t\u00a0\u200b\u200c\u200d\u2060\u202f\u3000\f\v"
# A sentence ends with a stop, maybe inside closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?…:;。！？：；][\"'”’»)\]」』）]*$")
# Chinese, Japanese and Korean write words without spaces between them.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_TRUNCATED = re.compile(r"(?:…|\.\.\.)\s*$")
# Separators of menus, breadcrumbs and share rows ("Home / World / …", "Facebook · X · Email").
_ROW_SEPARATOR = re.compile(r"\s+[|·•›»>/]\s+|\s*[|·•›»]\s*|\s{2,}|\t")
_ROW_HINT = re.compile(r"[|·•›»>/\t]|\s\s")
_URL = re.compile(r"^(?:https?://|www\.)\S+$|^@\w+$|^\S+\.(?:com|org|net|al|rs|ru|de|uk)(?:/\S*)?$", re.IGNORECASE)
_COPYRIGHT = re.compile(r"^(?:©|\(c\)\s|copyright\b)|©\s*(?:\d{4}|[^\W\d_]+\s+\d{4})", re.IGNORECASE)
# A word with at least two letters.
# A picture caption ends with its credit: "(AP)", "(Credit: Getty Images)", "(Joshua Roberts/Reuters)",
# "….Reuters" glued to the caption's last stop, "… earnings. Photograph by Robyn Beck/AFP/Getty Images".
_NAME = r"[A-ZÀ-ÞА-ЯЁ][\w.'’&-]*"
_GLUED = r"[A-ZÀ-ÞА-ЯЁ][a-zà-ÿа-яё][\w.'’&-]*"
_CREDIT_TAIL = re.compile(
    # "… 2019. (AP)", "(Joshua Roberts/Reuters)", "(Credit: Getty Images)"
    rf"[.!?]\s*\(\s*(?:[A-Z]{{2,6}}|{_NAME}(?:[\s,]+{_NAME})+)\s*\)$"
    rf"|\(\s*{_NAME}(?:\s+{_NAME})*\s*/\s*{_NAME}(?:[\s/]+{_NAME})*\s*\)$"
    rf"|\(\s*[^\W\d_]+\s*:\s*[^()\s][^()]{{0,60}}\)$"
    # "… in New York.Reuters", "… isn't easy.Kathrin Ziegler/Getty": the credit glued to the stop
    rf"|[a-zà-ÿа-яё\d][.!?][\"”’]?{_GLUED}(?:\s+{_NAME}){{0,3}}(?:\s*/\s*{_NAME}(?:\s+{_NAME})*)*$"
    # "… earnings. Photograph by Robyn Beck/AFP/Getty Images", "… pier. Photograph: Ana Lika/Harbour Press"
    rf"|[.!?][\"”’]?\s+(?:{_NAME}\s+by\s+|{_NAME}:\s*)?{_NAME}(?:\s+{_NAME}){{0,3}}\s*/\s*{_NAME}(?:\s*/?\s*{_NAME})*$"
)
_WORDY = re.compile(r"\S*[^\W\d_]\S*[^\W\d_]\S*")
_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")


# Why a line is furniture when the page says it more than once.
REPEATED = "repeated on the page"


@dataclass(frozen=True, slots=True)
class Line:
    """One non-blank line of a drop: its text and where it stands."""

    index: int
    number: int
    text: str
    words: int
    key: str
    # The text with its inner spacing kept: menus copied from a page separate items by runs of spaces.
    raw: str = ""


def line_key(text: str) -> str:
    """A line's text for comparisons: case, spacing and closing punctuation folded."""
    return " ".join(text.casefold().split()).rstrip(":：.…!").strip()


def word_count(text: str) -> int:
    """Words of a line; in scripts without spaces, one for every two characters."""
    words = len(text.split())
    if not text.isascii():
        words += len(_CJK.findall(text)) // 2
    return words


def split_lines(text: str) -> tuple[Line, ...]:
    """The non-blank lines of a text, numbered as in the file."""
    lines: list[Line] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip(_BLANK_CHARS)
        if stripped:
            clean = " ".join(stripped.split())
            lines.append(Line(len(lines), number, clean, word_count(clean), line_key(clean), stripped))
    return tuple(lines)


@functools.lru_cache(maxsize=4096)
def is_sentence(text: str) -> bool:
    """Whether a line reads as running text: it ends with a stop and has several words
    (a dateline such as "utorak, 8. jul 2008." has too few)."""
    if _SENTENCE_END.search(text[-8:]) is None or is_truncated(text):
        return False
    if not text.isascii() and len(_CJK.findall(text, 0, 400)) >= 6:
        return True
    wordy = 0
    for _ in _WORDY.finditer(text, 0, 400):
        wordy += 1
        if wordy == 3:
            return True
    # "A second paragraph." is a sentence; "utorak, 8. jul 2008." is a dateline.
    return wordy == 2 and not any(c.isdigit() for c in text)


def ends_like_sentence(text: str) -> bool:
    """Whether a line ends with a stop (or a comma, as list items do), in any script."""
    return _SENTENCE_END.search(text[-8:]) is not None or text.endswith((",", "，", "、"))


def is_truncated(text: str) -> bool:
    return text.rstrip().endswith(("…", "..."))


def row_items(text: str) -> list[str]:
    """The items of a menu, breadcrumb or share row, or [] when the line is not a row."""
    if len(text) > 400 or not _ROW_HINT.search(text):
        return []
    items = [item for item in _ROW_SEPARATOR.split(text) if item.strip()]
    if len(items) < 2:
        return []
    if all(len(item.split()) <= 4 for item in items[:-1]):
        return items
    return []


def is_row(text: str) -> bool:
    """A menu, breadcrumb or share row: three or more short items between separators, or two
    when the last is a cut headline ("Home / World / The US and Russia…")."""
    items = row_items(text)
    if len(items) >= 3 and all(len(item.split()) <= 4 for item in items):
        return True
    return len(items) >= 2 and (is_truncated(items[-1]) or len(items) >= 3)


def is_copyright(text: str) -> bool:
    if "©" not in text and "(c)" not in text[:4].casefold() and "copyright" not in text[:10].casefold():
        return False
    return _COPYRIGHT.search(text) is not None and len(text.split()) <= 20


def has_credit_tail(text: str) -> bool:
    """Whether a line ends with a picture credit, as captions do (never running text)."""
    return len(text) <= 400 and _CREDIT_TAIL.search(text) is not None


_TAG_LABEL = re.compile(r"[^\W\d_]{2,12}\s*:\s*")


def is_tag_list(text: str) -> bool:
    """"Tags: ads, awareness, meth, South Dakota" or a bare run of lowercase keywords: the topics a
    page files the story under, never running text."""
    if _SENTENCE_END.search(text[-3:]) or len(text) > 400:
        return False
    label = _TAG_LABEL.match(text)
    items = [item.strip() for item in text[label.end() if label else 0 :].split(",")]
    if any(not item or len(item.split()) > 4 for item in items):
        return False
    if label:
        return len(items) >= 3
    return len(items) >= 5 and all(not is_capitalized(item) for item in items)


def is_link(text: str) -> bool:
    return _URL.match(text) is not None


def is_title_like(text: str) -> bool:
    """A headline's shape: two to thirty words with letters, not ending like a sentence or a label."""
    if not 2 <= word_count(text) <= 30 or not any(c.isalpha() for c in text):
        return False
    if text.endswith((",", ":", ";", "…", "...")) or text.endswith(".") and not is_title_case(text):
        return False
    if len(re.findall(r"[.!?]\s+\S", text)) >= 2:
        return False  # "Your privacy matters to us. We use cookies. Read more": a banner of sentences
    return not is_link(text) and not is_copyright(text)


def is_title_case(text: str) -> bool:
    """"Home Depot Stock Is Falling After Its Earnings Release.": most words capitalized."""
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    capitals = sum(1 for w in words if next(c for c in w if c.isalpha()).isupper())
    return len(words) >= 4 and capitals >= 0.75 * len(words)


def is_short(line: Line, limit: int = 6) -> bool:
    return line.words <= limit and not is_sentence(line.text)


def is_capitalized(text: str) -> bool:
    first = next((c for c in text if c.isalpha()), "")
    return first.isupper()


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def is_repeat_of(candidate: str, headline: str) -> bool:
    """Whether a line repeats a headline in full or cut short ("The US and Russia reopen…")."""
    if len(candidate) > len(headline) + 3:
        return False
    cut = _TRUNCATED.sub("", candidate).strip()
    head = " ".join(headline.split())
    if not cut or len(cut) < min(15, len(head)):
        return False
    if cut.casefold() == head.casefold():
        return True
    return len(cut) >= min(20, len(head)) and head.casefold().startswith(cut.casefold())


def keys(texts: Iterable[str]) -> frozenset[str]:
    return frozenset(line_key(text) for text in texts)


def starts_with_any(key: str, prefixes: frozenset[str]) -> bool:
    return any(key == p or key.startswith(p + " ") or key.startswith(p + ":") for p in prefixes)
