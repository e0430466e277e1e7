"""Dateline text in English and Albanian forms -> timezone-aware datetimes."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan", "janar", "janari"),
            ("february", "feb", "shkurt", "shkurti"),
            ("march", "mar", "mars", "marsi"),
            ("april", "apr", "prill", "prilli"),
            ("may", "maj", "maji"),
            ("june", "jun", "qershor", "qershori"),
            ("july", "jul", "korrik", "korriku"),
            ("august", "aug", "gusht", "gushti"),
            ("september", "sep", "sept", "shtator", "shtatori"),
            ("october", "oct", "tetor", "tetori"),
            ("november", "nov", "nëntor", "nentor", "nëntori"),
            ("december", "dec", "dhjetor", "dhjetori"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[A-Za-zëË]+)\.?"
_TIME = (
    r"(?:,?\s+(?:at\s+|ora\s+|në\s+|-\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})"
    r"(?:\s*(?P<meridiem>[AaPp])\.?\s?[Mm]\.?)?)?"
)
_DATE_FORMS = (
    re.compile(r"(?P<day>\d{1,2})\.(?P<month_number>\d{1,2})\.(?P<year>\d{4})" + _TIME),
    re.compile(r"(?P<year>\d{4})-(?P<month_number>\d{2})-(?P<day>\d{2})" + _TIME),
    re.compile(r"(?P<day>\d{1,2})\.?\s+" + _MONTH + r",?\s+(?P<year>\d{4})" + _TIME),
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})" + _TIME),
)
_WEEKDAY = (
    r"(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"e hënë|e henë|e martë|e mërkurë|e enjte|e premte|e shtunë|e diel),?\s+)?"
)
_LABEL = r"(?:(?:published|updated|posted|date|publikuar|përditësuar|data|ora)\s*:?\s*)?"


def _build(match: re.Match[str], zone: tzinfo) -> datetime | None:
    parts = match.groupdict()
    month = int(parts["month_number"]) if parts.get("month_number") else MONTHS.get(parts["month"].casefold())
    if month is None:
        return None
    hour = int(parts["hour"] or 0)
    meridiem = (parts.get("meridiem") or "").casefold()
    if meridiem and not 1 <= hour <= 12:
        return None
    if meridiem:
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    try:
        return datetime(int(parts["year"]), month, int(parts["day"]), hour, int(parts["minute"] or 0), tzinfo=zone)
    except ValueError:
        return None


def parse_dateline(line: str, zone: tzinfo) -> datetime | None:
    """The date of a line that holds only a date (optionally labelled), else None."""
    text = line.strip().rstrip(".")
    for form in _DATE_FORMS:
        match = re.fullmatch(_LABEL + _WEEKDAY + form.pattern, text, re.IGNORECASE)
        if match:
            return _build(match, zone)
    return None


def find_leading_date(paragraph: str, zone: tzinfo) -> datetime | None:
    """The date a paragraph opens with ("TIRANA, 27 February 2025 – ..."), else None."""
    head = paragraph[:80]
    for form in _DATE_FORMS:
        match = re.match(r"(?:[A-ZËÇ][\w ]{1,30},\s+)?" + _WEEKDAY + form.pattern + r"\s*[–—:-]", head, re.IGNORECASE)
        if match:
            return _build(match, zone)
    return None
