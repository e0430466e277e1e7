"""Dateline text in any language ("Updated 14:05 CET, 3 March 2021", "3 марта 2021, 14:05",
"2 hours ago") -> a timezone-aware datetime, with a note when the date had to be guessed.

This module picks the part of a line that can be a date and hands it to dateparser, the
maintained multilingual date parser; it writes no date formats of its own. The time of day is
taken apart first ("14:05", "2:55 p.m.", "16.55") because the words that join a date to its time
differ in every language ("ora", "u", "в", "at") and confuse the parser.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

# Lines longer than this are sentences, not datelines.
_MAX_DATELINE_WORDS = 14
# What may stay of a dateline once its date and time are taken out: a label ("Updated",
# "Objavljeno:"), a weekday, a zone, a place.
_MAX_LEFTOVER_WORDS = 4
_TIME = re.compile(
    r"(?<![\d.:/-])(?P<hour>[01]?\d|2[0-3])[:.h](?P<minute>[0-5]\d)(?::[0-5]\d)?"
    r"(?:\s*(?P<meridiem>[AaPp])\.?\s?[Mm]\.?(?!\w))?(?![\d.:/]*\d)"
    r"(?:\s*(?:(?:GMT|UTC)(?:[+-]?\d{1,2}(?::?\d\d)?)?|[A-Z]{3,4}\b|[+-]\d\d:?\d\d))?"
)
_YEAR = re.compile(r"(?<!\d)(?:1[89]|2\d)\d\d(?!\d)")
_NUMERIC_AMBIGUOUS = re.compile(r"(?<!\d)(?P<a>\d{1,2})[./-]\s?(?P<b>\d{1,2})[./-]\s?\d{2,4}(?!\d)")
_RELATIVE_HINT = re.compile(r"\d+\s*\w+\s+\w+$|^\w+\s+\d+\s*\w+$")
_TOKEN = re.compile(r"\S+")
_LEADING_DATELINE = re.compile(r"^(?P<head>[^.!?]{3,80}?)\s+[—–-]{1,2}\s+\S")

# Tried for a line with a year that none of a drop's own languages could read ("26. mart 2012."
# in a Serbian text typed without diacritics).
_WIDE_LANGUAGES = (
    "en", "sq", "sr-Latn", "hr", "bs", "sl", "de", "fr", "es", "it", "pt", "nl", "pl", "cs", "sk",
    "ro", "tr", "hu", "sv", "da", "nb", "fi", "ru", "sr", "uk", "bg", "mk", "el",
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Scripts and letters -> the dateparser languages a drop written with them may use. Only these
# are tried (all of dateparser's 200 locales would cost 30-80 ms a line).
_SCRIPT_LANGUAGES = (
    (re.compile(r"[\u0400-\u04ff]"), ("ru", "sr", "uk", "bg", "mk")),
    (re.compile(r"[ëç]", re.IGNORECASE), ("sq",)),
    (re.compile(r"[čćšžđ]", re.IGNORECASE), ("sr-Latn", "hr", "bs", "sl")),
    (re.compile(r"[äöüß]", re.IGNORECASE), ("de",)),
    (re.compile(r"[éèêàâîôûœ]", re.IGNORECASE), ("fr",)),
    (re.compile(r"[ñ¿¡]", re.IGNORECASE), ("es",)),
    (re.compile(r"[ãõ]", re.IGNORECASE), ("pt",)),
    (re.compile(r"[ąęłńśźż]", re.IGNORECASE), ("pl",)),
    (re.compile(r"[ğışİ]"), ("tr",)),
    (re.compile(r"[\u0370-\u03ff]"), ("el",)),
)


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date read from a line; `guess` says why it may be wrong ("" when it is certain)."""

    moment: datetime
    text: str
    guess: str = ""


def date_languages(text: str, configured: tuple[str, ...]) -> tuple[str, ...]:
    """The dateparser languages to try for a drop: those its letters point to, then the configured ones."""
    sample = text[:4000]
    if sample.isascii():
        return configured
    letters = "".join(set(_NON_ASCII.findall(sample)))
    found: list[str] = []
    for pattern, languages in _SCRIPT_LANGUAGES:
        if pattern.search(letters):
            found.extend(languages)
    return tuple(dict.fromkeys((*found, *configured)))


@functools.lru_cache(maxsize=32)
def _parser(languages: tuple[str, ...], order: str, base: datetime) -> Any:
    from dateparser.date import DateDataParser

    settings = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "past",
        "DATE_ORDER": order,
        "REQUIRE_PARTS": ["day", "month"],
        "PREFER_DAY_OF_MONTH": "first",
    }
    # A portal writes its dates one way: the locale that read the last one is tried first.
    return DateDataParser(languages=list(languages), settings=settings, try_previous_locales=True)


@functools.lru_cache(maxsize=8192)
def _parse_cached(languages: tuple[str, ...], order: str, base: datetime, text: str) -> datetime | None:
    """dateparser's reading of a text, remembered: the drops of one day share their dates."""
    try:
        data = _parser(languages, order, base).get_date_data(text)
    except (ValueError, OverflowError, TypeError, AttributeError):
        return None
    if data.date_obj is None or data.period not in ("day", "time"):
        return None
    return data.date_obj


class DateReader:
    """Reads datelines for one drop: its languages, the site's day/month order, the drop's time."""

    def __init__(self, *, zone: tzinfo, now: datetime, languages: tuple[str, ...], order: str = "DMY") -> None:
        self.zone = zone
        self.now = now.astimezone(zone)
        self.order = order
        base = self.now.replace(tzinfo=None, microsecond=0)
        self._key = (languages or ("en",), order, base)
        self._wide = (_WIDE_LANGUAGES, order, base)

    def _parse(self, text: str, *, wide: bool = False) -> datetime | None:
        languages, order, base = self._wide if wide else self._key
        moment = _parse_cached(languages, order, base, text)
        if moment is None or not 1900 <= moment.year <= self.now.year + 1:
            return None
        return moment

    def read(self, line: str) -> FoundDate | None:
        """The date of a line that is a dateline (a date, maybe a time, a label, a weekday), else None."""
        text = " ".join(line.split())
        tokens = text.split()
        if not 1 <= len(tokens) <= _MAX_DATELINE_WORDS or not _may_hold_date(text, len(tokens)):
            return None
        time_match = _TIME.search(text)
        if time_match is not None and _TIME_ONLY.fullmatch(text[: time_match.start()]) and not text[time_match.end() :].strip():
            return self._today_at(text, time_match)
        rest = _TIME.sub(" ", text, count=1) if time_match else text
        found = self._read_date(rest)
        if found is None and _YEAR.search(rest) and re.search(r"[^\W\d_]{3}", rest):
            found = self._read_date(rest, wide=True)
        if found is None:
            return self._read_first_part(text)
        day, span = found
        if re.fullmatch(r"\W*\d{4}\W*", rest[span[0] : span[1]]):
            return None  # "Paris 2024 opens": a year alone dates nothing
        if not _YEAR.search(rest[span[0] : span[1]]) and not re.search(r"[^\W\d_]{3}", rest[span[0] : span[1]]):
            return None  # "3-1" is a score, not a date: a date without a year names its month
        leftover = (rest[: span[0]] + " " + rest[span[1] :]).split()
        # A sentence that mentions a date ("He was born on 3 March 1990.") is no dateline.
        limit = 2 if text.endswith((".", "!", "?")) and not text.endswith(("m.", "M.")) else _MAX_LEFTOVER_WORDS
        if len([word for word in leftover if any(c.isalnum() for c in word)]) > limit:
            return None
        if time_match is not None and not _has_clock(day):
            day = day.replace(hour=_hour(time_match), minute=int(time_match.group("minute")))
        moment = day.replace(tzinfo=self.zone) if day.tzinfo is None else day.astimezone(self.zone)
        return FoundDate(moment.replace(second=0, microsecond=0), text, self._guess(rest[span[0] : span[1]], moment))

    def _today_at(self, text: str, time_match: re.Match[str]) -> FoundDate:
        """"14:05", "Ora 14:05": a time alone is of the drop's day (of the day before, when that
        time is still to come)."""
        now = self.now.astimezone(self.zone)
        moment = now.replace(hour=_hour(time_match), minute=int(time_match.group("minute")), second=0, microsecond=0)
        if moment > now + timedelta(minutes=10):
            moment -= timedelta(days=1)
        return FoundDate(moment, text, "no date given, only a time; took the day of the drop")

    def _read_first_part(self, text: str) -> FoundDate | None:
        """"Publié le 3 mars 2021 à 14h05, mis à jour à 15h20": the first part of a dateline
        that reads as one, the line kept as its text."""
        parts = [part for part in _PARTS.split(text) if any(c.isdigit() for c in part)]
        if len(parts) < 2:
            return None
        for part in parts:
            found = self.read(part)
            if found is not None:
                return FoundDate(found.moment, text, found.guess)
        return None

    def _read_date(self, text: str, *, wide: bool = False) -> tuple[datetime, tuple[int, int]] | None:
        """The date in text and where it stands, trying the spans a dateline's date can take."""
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
        digits = [i for i, (a, b) in enumerate(tokens) if any(c.isdigit() for c in text[a:b])]
        if not digits:
            return None
        first, last = digits[0], digits[-1]
        spans = []
        if first > 0 and not text[tokens[first - 1][0] : tokens[first - 1][1]].endswith(":"):
            spans.append((first - 1, last))  # "March 3", "Nov 19, 2019": the month stands before the day
        spans.append((first, last))
        if last + 1 < len(tokens):
            spans.append((first, min(last + 2, len(tokens) - 1)))  # "2 hours ago", "3 марта 2021 года"
        if last > first:
            spans.append((first, last - 1))
        spans.append((0, len(tokens) - 1))
        for start, end in dict.fromkeys(spans):
            begin, finish = tokens[start][0], tokens[end][1]
            candidate = text[begin:finish].strip(" ,;|·-–—()[]")
            moment = self._parse(candidate, wide=wide) if candidate else None
            if moment is not None and (not _is_relative(candidate, moment) or _may_be_relative(text)):
                return moment, (begin, finish)
        return None

    def _guess(self, text: str, moment: datetime) -> str:
        if not _YEAR.search(text) and not _RELATIVE_HINT.search(text.strip()):
            return f"no year given; took {moment.year}, the latest year not after the drop"
        numeric = _NUMERIC_AMBIGUOUS.search(text)
        if numeric and int(numeric.group("a")) <= 12 and int(numeric.group("b")) <= 12 and numeric.group("a") != numeric.group("b"):
            order = "day first" if self.order.startswith("D") else "month first"
            return f"day and month can be read both ways; read {order} (normalize.date_order)"
        return ""

    def read_leading(self, paragraph: str) -> FoundDate | None:
        """The date a paragraph opens with ("TIRANA, March 3 — ..."), else None."""
        match = _LEADING_DATELINE.match(paragraph)
        if match is None or not any(c.isdigit() for c in match.group("head")):
            return None
        head = match.group("head")
        if "," in head:
            head = head.split(",", 1)[1]  # the place: "TIRANA, March 3"
        return self.read(head)


# What may stand before a time alone: a label of a word or two ("Ora", "Updated at").
_TIME_ONLY = re.compile(r"\s*(?:[^\W\d_]+[.:]?\s+){0,2}")
# Where a dateline's parts meet: "…, updated …", "… / Original …", "… | 5 min read".
_PARTS = re.compile(r",\s+|\s+[|/·•]\s+|\s+[–—]\s+")
_NUMERIC_DATE = re.compile(r"\d{1,4}[./-]\s?\d{1,2}")
_DAY_NUMBER = re.compile(r"(?<!\d)(?:0?[1-9]|[12]\d|3[01])(?!\d)")


def _may_hold_date(text: str, words: int) -> bool:
    """Whether a line can hold a date at all, before the parser is asked: a year, a numeric date,
    or a short line with a day number ("March 3", "2 hours ago")."""
    if _YEAR.search(text) or _NUMERIC_DATE.search(text):
        return True
    return words <= 5 and _DAY_NUMBER.search(text) is not None


def _is_relative(text: str, moment: datetime) -> bool:
    """Whether dateparser read the text as a time before now ("2 hours ago"): no year, and the
    day it found is none of the numbers written."""
    return not _YEAR.search(text) and str(moment.day) not in {str(int(n)) for n in re.findall(r"\d+", text)}


def _may_be_relative(line: str) -> bool:
    """"2 hours ago" is a dateline; "Reading time: 9 minutes" is not."""
    return ":" not in line and len(line.split()) <= 5 and not line.rstrip().endswith((".", "!", "?"))


def _has_clock(moment: datetime) -> bool:
    return bool(moment.hour or moment.minute)


def _hour(match: re.Match[str]) -> int:
    hour = int(match.group("hour"))
    meridiem = (match.group("meridiem") or "").casefold()
    if meridiem and 1 <= hour <= 12:
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    return hour


def parse_dateline(line: str, zone: tzinfo, *, now: datetime | None = None, languages: tuple[str, ...] = ("en",)) -> datetime | None:
    """The date of a line that holds only a date (optionally labelled), else None."""
    reader = DateReader(zone=zone, now=now or datetime.now(zone), languages=date_languages(line, languages))
    found = reader.read(line)
    return found.moment if found else None

