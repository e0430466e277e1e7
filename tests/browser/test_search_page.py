"""Full-text search on the static site: flashnews's own index, searched in the browser, no server code."""

from __future__ import annotations

from tests.browser.conftest import PHONE, screenshot
from tests.browser.test_pages import page_paths  # noqa: F401 - shared fixture


def _search(open_page, words: str, *, width: int = 1280):
    visit = open_page("/search/", width=width)
    visit.page.locator(".search-input").fill(words)
    return visit


def test_a_word_from_an_article_body_finds_the_article_with_section_and_date(open_page):
    visit = _search(open_page, "Lavrov")
    result = visit.page.locator(".search-results .search-result").first
    result.wait_for()
    assert "The US and Russia reopen the doors" in result.locator(".card-title").inner_text()
    kicker = result.locator(".kicker").text_content()
    assert "World" in kicker and "5 December 2025, 12:00" in kicker
    assert visit.errors == []


def test_clicking_a_result_opens_the_article(open_page):
    visit = _search(open_page, "maratona", width=PHONE)
    link = visit.page.locator(".search-results .search-result a").first
    link.wait_for()
    screenshot(visit, "search-results-375")
    link.click()
    visit.page.wait_for_load_state("networkidle")
    assert "Maratona e Tiranës" in visit.page.locator("h1.headline").inner_text()


def test_only_article_text_is_indexed_not_navigation_or_footer(open_page):
    visit = _search(open_page, "RSS")  # only in the footer's "RSS feed" link
    summary = visit.page.locator(".search-summary")
    summary.get_by_text("No results", exact=False).wait_for()
    assert visit.page.locator(".search-results .search-result").count() == 0


def test_the_excerpt_marks_the_word_found_and_accents_do_not_matter(open_page):
    visit = _search(open_page, "tiranes")
    result = visit.page.locator(".search-results .search-result").first
    result.locator("mark").first.wait_for()
    assert "Tiranës" in result.locator("mark").first.inner_text()
    assert visit.errors == []


def test_the_start_of_a_word_finds_it_and_a_query_in_the_address_is_searched(open_page):
    visit = open_page("/search/?q=marat")
    result = visit.page.locator(".search-results .search-result").first
    result.wait_for()
    assert "Maratona e Tiranës" in result.locator(".card-title").inner_text()
    assert visit.page.locator(".search-input").input_value() == "marat"
