"""Interface strings and CLDR date formats in English and Albanian."""

from __future__ import annotations

from datetime import datetime

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
        "of": "of",
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
        "of": "nga",
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
        "footer_note": "Lajme të pavarura, të përditësuara gjatë gjithë kohës.",
    },
}


def strings_for(language: str) -> dict[str, str]:
    """The interface strings of a language ('en' or 'sq')."""
    return STRINGS[language]


def has_time_of_day(moment: datetime) -> bool:
    """Datelines without a time are stored at midnight; such dates are shown without one."""
    return (moment.hour, moment.minute, moment.second) != (0, 0, 0)


def format_date_time(moment: datetime, language: str) -> str:
    """'27 February 2025, 14:30' / '27 shkurt 2025, 14:30' ('27 February 2025' at midnight)."""
    pattern = "d MMMM y, HH:mm" if has_time_of_day(moment) else "d MMMM y"
    return format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale=language)


def format_edition_date(moment: datetime, language: str) -> str:
    """'Thursday, 27 February 2025' / 'e enjte, 27 shkurt 2025'."""
    return format_datetime(moment, "EEEE, d MMMM y", tzinfo=moment.tzinfo, locale=language)


def format_time(moment: datetime, language: str) -> str:
    """'14:30', or '' for a date stored without a time."""
    return format_datetime(moment, "HH:mm", tzinfo=moment.tzinfo, locale=language) if has_time_of_day(moment) else ""


def format_short_date(moment: datetime, language: str) -> str:
    """'27 Feb' / '27 shk'."""
    return format_datetime(moment, "d MMM", tzinfo=moment.tzinfo, locale=language)
