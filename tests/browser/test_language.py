"""The same sample built with language = "sq": Albanian interface strings and dates, per-article lang kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import build_sample, serve


@pytest.fixture(scope="module")
def albanian_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("albanian-site"), language="sq")


def _html(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def test_the_front_page_speaks_albanian(albanian_site):
    page = _html(albanian_site, "index.html")
    assert page.startswith('<!doctype html>\n<html lang="sq">')
    assert "Lajmet e fundit" in page and "Kalo te përmbajtja" in page and " Kërko</a>" in page
    assert "e premte, 5 dhjetor 2025" in page  # the edition date


def test_dates_use_albanian_month_names(albanian_site):
    page = _html(albanian_site, "the-us-and-russia-reopen-the-doors-of-the-dialogue-in-istanbul-ukraine-remains/index.html")
    assert re.search(r">5 dhjetor 2025, 12:00<", page)
    assert "December" not in page


def test_an_english_article_keeps_lang_en_and_the_interface_around_it_stays_albanian(albanian_site):
    page = _html(albanian_site, "the-us-and-russia-reopen-the-doors-of-the-dialogue-in-istanbul-ukraine-remains/index.html")
    assert '<html lang="en">' in page
    assert '<header class="masthead" lang="sq">' in page
    assert '<footer class="site-footer" lang="sq">' in page


def test_english_cards_on_albanian_listings_carry_lang_en(albanian_site):
    page = _html(albanian_site, "index.html")
    assert re.search(r'<article class="card" lang="en">', page) or re.search(r'<article class="lead-story[^"]*" lang="en">', page)


def test_an_english_interface_writes_english_dates(site_output):
    page = _html(site_output, "the-us-and-russia-reopen-the-doors-of-the-dialogue-in-istanbul-ukraine-remains/index.html")
    assert ">5 December 2025, 12:00<" in page


def test_the_albanian_search_page_speaks_albanian(albanian_site, browser):
    with serve(albanian_site) as url:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/search/", wait_until="networkidle")
        page.locator(".search-input").fill("maratona")
        page.locator(".search-results .search-result").first.wait_for()
        assert "1 rezultat për maratona" in page.locator(".search-summary").inner_text()
        assert "14 shtator 2025" in page.locator(".search-results").inner_text()
        assert errors == []
        page.close()
