"""Full-text search on the static site: Pagefind's index, queried in the browser, no server code."""

from __future__ import annotations

from tests.browser.conftest import PHONE, screenshot
from tests.browser.test_pages import page_paths  # noqa: F401 - shared fixture


def _search(open_page, words: str, *, width: int = 1280):
    visit = open_page("/search/", width=width)
    visit.page.locator("pagefind-input input").fill(words)
    return visit


def test_a_word_from_an_article_body_finds_the_article_with_section_and_date(open_page):
    visit = _search(open_page, "Lavrov")
    result = visit.page.locator("pagefind-results .search-result").first
    result.wait_for()
    assert "The US and Russia reopen the doors" in result.locator(".card-title").inner_text()
    kicker = result.locator(".kicker").text_content()
    assert "World" in kicker and "5 December 2025, 12:00" in kicker
    assert visit.errors == []


def test_clicking_a_result_opens_the_article(open_page):
    visit = _search(open_page, "maratona", width=PHONE)
    link = visit.page.locator("pagefind-results .search-result a").first
    link.wait_for()
    screenshot(visit, "search-results-375")
    link.click()
    visit.page.wait_for_load_state("networkidle")
    assert "Maratona e Tiranës" in visit.page.locator("h1.headline").inner_text()


def test_only_article_text_is_indexed_not_navigation_or_footer(open_page):
    visit = _search(open_page, "RSS")  # only in the footer's "RSS feed" link
    summary = visit.page.locator("pagefind-summary")
    summary.get_by_text("No results", exact=False).wait_for()
    assert visit.page.locator("pagefind-results .search-result").count() == 0
