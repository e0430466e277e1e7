"""Interface strings and CLDR date formats in English and Albanian."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import lru_cache

from babel import Locale
from babel.dates import format_datetime

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "latest_news": "Latest news",
        "sections": "Sections",
        "home": "Home",
        "skip_to_content": "Skip to content",
        "by": "By",
        "min_read": "min read",
        "page": "Page",
        "newer": "Newer",
        "older": "Older",
        "pagination": "Pagination",
        "not_found_title": "Page not found",
        "not_found_text": "The page you asked for is not here. It may have moved or been removed.",
        "back_home": "Back to the front page",
        "feed": "RSS feed",
        "atom": "Atom feed",
        "edition": "Edition",
        "published": "Published",
        "updated": "Updated",
        "more_in": "More in",
        "related": "Related",
        "search": "Search",
        "search_placeholder": "Search articles",
        "search_needs_script": "Search runs in your browser and needs JavaScript.",
        "search_results_none": "No results for [SEARCH_TERM]",
        "search_results_one": "[COUNT] result for [SEARCH_TERM]",
        "search_results_many": "[COUNT] results for [SEARCH_TERM]",
        "search_more": "Show more results",
        "search_failed": "Search failed",
        "related_heading": "Related coverage",
        "footer_note": "Independent news, updated around the clock.",
    },
    "sq": {
        "latest_news": "Lajmet e fundit",
        "sections": "Rubrikat",
        "home": "Kryefaqja",
        "skip_to_content": "Kalo te përmbajtja",
        "by": "Nga",
        "min_read": "min lexim",
        "page": "Faqja",
        "newer": "Më të rejat",
        "older": "Më të vjetrat",
        "pagination": "Faqet",
        "not_found_title": "Faqja nuk u gjet",
        "not_found_text": "Faqja që kërkuat nuk është këtu. Mund të jetë zhvendosur ose hequr.",
        "back_home": "Kthehu te kryefaqja",
        "feed": "Burimi RSS",
        "atom": "Burimi Atom",
        "edition": "Edicioni",
        "published": "Publikuar",
        "updated": "Përditësuar",
        "more_in": "Më shumë në",
        "related": "Të ngjashme",
        "search": "Kërko",
        "search_placeholder": "Kërko artikuj",
        "search_needs_script": "Kërkimi punon në shfletuesin tuaj dhe kërkon JavaScript.",
        "search_results_none": "Asnjë rezultat për [SEARCH_TERM]",
        "search_results_one": "[COUNT] rezultat për [SEARCH_TERM]",
        "search_results_many": "[COUNT] rezultate për [SEARCH_TERM]",
        "search_more": "Shfaq më shumë rezultate",
        "search_failed": "Kërkimi dështoi",
        "related_heading": "Lajme të lidhura",
        "footer_note": "Lajme të pavarura, të përditësuara gjatë gjithë kohës.",
    },
}


# Every article date is shown on several pages (its own, listings, rails) and babel is slow per
# call. The text depends only on the wall-clock fields, so the cache is keyed on those: aware
# datetimes in different zones compare equal when they are the same instant.
@lru_cache(maxsize=1 << 16)
def _format_wall(wall: datetime, pattern: str, language: str) -> str:
    if _KNOWN_FIELDS.fullmatch(pattern):
        names = _names(language)
        return _FIELD.sub(lambda match: _field_text(match.group(), wall, names), pattern)
    return format_datetime(wall, pattern, tzinfo=timezone.utc, locale=language)


# The few CLDR fields our patterns use, filled from babel's locale data without its per-call parsing.
_FIELD = re.compile(r"EEEE|MMMM|MMM|HH|mm|d|y")
_KNOWN_FIELDS = re.compile(r"(?:EEEE|MMMM|MMM|HH|mm|d|y|[ ,:])+")


@lru_cache(maxsize=8)
def _names(language: str) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    locale = Locale.parse(language)
    return dict(locale.months["format"]["wide"]), dict(locale.months["format"]["abbreviated"]), dict(locale.days["format"]["wide"])


def _field_text(field: str, wall: datetime, names: tuple[dict[int, str], dict[int, str], dict[int, str]]) -> str:
    wide, abbreviated, days = names
    if field == "EEEE":
        return days[wall.weekday()]
    if field in ("MMMM", "MMM"):
        return (wide if field == "MMMM" else abbreviated)[wall.month]
    if field in ("HH", "mm"):
        return f"{wall.hour if field == 'HH' else wall.minute:02d}"
    return str(wall.day if field == "d" else wall.year)


def _format_wall_time(moment: datetime, pattern: str, language: str) -> str:
    return _format_wall(moment.replace(tzinfo=None), pattern, language)


def strings_for(language: str) -> dict[str, str]:
    """The interface strings of a language ('en' or 'sq')."""
    return STRINGS[language]


def has_time_of_day(moment: datetime) -> bool:
    """Datelines without a time are stored at midnight; such dates are shown without one."""
    return (moment.hour, moment.minute, moment.second) != (0, 0, 0)


def format_date_time(moment: datetime, language: str) -> str:
    """'27 February 2025, 14:30' / '27 shkurt 2025, 14:30' ('27 February 2025' at midnight)."""
    pattern = "d MMMM y, HH:mm" if has_time_of_day(moment) else "d MMMM y"
    return _format_wall_time(moment, pattern, language)


def format_edition_date(moment: datetime, language: str) -> str:
    """'Thursday, 27 February 2025' / 'e enjte, 27 shkurt 2025'."""
    return _format_wall_time(moment, "EEEE, d MMMM y", language)


def format_time(moment: datetime, language: str) -> str:
    """'14:30', or '' for a date stored without a time."""
    return _format_wall_time(moment, "HH:mm", language) if has_time_of_day(moment) else ""


def format_short_date(moment: datetime, language: str) -> str:
    """'27 Feb 2025' / '27 shk 2025': with the year, so an old story never reads as a new one."""
    return _format_wall_time(moment, "d MMM y", language)
