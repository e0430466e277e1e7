"""Dates in English and Albanian: the fast formatter writes exactly what babel's CLDR patterns do."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime

from flashnews.compose.i18n import format_date_time, format_edition_date, format_short_date, format_time

PATTERNS = ("d MMMM y, HH:mm", "d MMMM y", "EEEE, d MMMM y", "HH:mm", "d MMM y")
TIRANE = ZoneInfo("Europe/Tirane")


@pytest.mark.parametrize("language", ["en", "sq"])
def test_every_date_of_two_years_reads_as_babel_writes_it(language: str) -> None:
    moment = datetime(2024, 1, 1, 0, 7, tzinfo=TIRANE)
    while moment.year < 2026:
        expected = {p: format_datetime(moment, p, tzinfo=TIRANE, locale=language) for p in PATTERNS}
        time_text = expected["HH:mm"] if (moment.hour, moment.minute) != (0, 0) else ""
        date_time = expected["d MMMM y, HH:mm"] if time_text else expected["d MMMM y"]
        assert format_date_time(moment, language) == date_time
        assert format_edition_date(moment, language) == expected["EEEE, d MMMM y"]
        assert format_short_date(moment, language) == expected["d MMM y"]
        assert format_time(moment, language) == time_text
        moment += timedelta(hours=11, minutes=37)


def test_same_instant_in_two_zones_is_shown_in_each_zone_own_time() -> None:
    instant = datetime(2025, 3, 1, 23, 30, tzinfo=timezone.utc)
    assert format_date_time(instant, "en") == "1 March 2025, 23:30"
    assert format_date_time(instant.astimezone(TIRANE), "en") == "2 March 2025, 00:30"
