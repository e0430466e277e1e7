"""Accessibility in a real browser: axe-core finds nothing serious, keyboard users can skip and see focus."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_pages import KINDS, page_paths  # noqa: F401 - shared fixture

axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")


def _serious_violations(page: object) -> list[str]:
    results = axe_module.Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_serious_or_critical_violation(open_page, page_paths, kind, dark):
    visit = open_page(page_paths[kind], width=PHONE if dark else DESKTOP, dark=dark)
    assert _serious_violations(visit.page) == []


def test_search_results_pass_axe_too(open_page, page_paths):
    visit = open_page(page_paths["search"])
    visit.page.locator(".search-input").fill("Tirana")
    visit.page.locator(".search-results .search-result").first.wait_for()
    assert _serious_violations(visit.page) == []


def test_every_page_has_a_banner_navigation_main_and_footer(open_page, page_paths):
    for kind in KINDS:
        page = open_page(page_paths[kind]).page
        for role in ("banner", "navigation", "main", "contentinfo"):
            assert page.get_by_role(role).count() >= 1, f"{kind} has no {role} landmark"
        assert page.locator("h1").count() == 1, f"{kind} has {page.locator('h1').count()} h1 elements"


def test_the_first_tab_reveals_a_skip_link_that_moves_focus_to_the_main_content(open_page, page_paths):
    page = open_page(page_paths["article"]).page
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("link => link === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0, "the focused skip link stays off screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_focused_links_get_a_visible_outline(open_page, page_paths):
    page = open_page(page_paths["front"]).page
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    style = page.evaluate("(() => { const s = getComputedStyle(document.activeElement); return [document.activeElement.tagName, s.outlineStyle, s.outlineWidth]; })()")
    assert style[0] == "A"
    assert style[1] != "none" and style[2] not in ("0px", "")


def test_an_albanian_article_is_marked_albanian_and_its_interface_english(open_page, page_paths):
    page = open_page(page_paths["albanian"]).page
    assert page.locator("html").get_attribute("lang") == "sq"
    assert page.locator(".masthead").get_attribute("lang") == "en"
    assert page.locator(".site-footer").get_attribute("lang") == "en"


def test_cards_of_albanian_articles_on_english_pages_carry_lang(open_page):
    marked = 0
    for path in ("/", "/page/1/", "/page/2/", "/page/3/"):
        page = open_page(path).page
        assert page.locator("html").get_attribute("lang") == "en"
        marked += page.locator('.card[lang="sq"], .lead-story[lang="sq"]').count()
    assert marked >= 1


def test_every_image_has_alternative_text(open_page, page_paths):
    for kind in KINDS:
        page = open_page(page_paths[kind]).page
        missing = page.evaluate("[...document.images].filter(img => img.getAttribute('alt') === null).map(img => img.src)")
        assert missing == [], f"{kind}: images without alt: {missing}"
