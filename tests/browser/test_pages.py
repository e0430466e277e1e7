"""What a reader sees on every kind of page, on a phone and on a desktop, in a real browser."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import DESKTOP, PHONE, screenshot

KINDS = ("front", "section", "article", "albanian", "paginated", "not_found", "search")


@pytest.fixture(scope="session")
def page_paths(site_output: Path) -> dict[str, str]:
    """A URL path for each kind of page of the built sample."""
    articles = sorted(p.parent.name for p in site_output.glob("*/index.html") if 'class="story"' in p.read_text(encoding="utf-8"))
    pictured = next(a for a in articles if 'class="lead-image"' in (site_output / a / "index.html").read_text(encoding="utf-8"))
    albanian = next(a for a in articles if '<html lang="sq">' in (site_output / a / "index.html").read_text(encoding="utf-8"))
    return {
        "front": "/",
        "section": "/bota/",
        "article": f"/{pictured}/",
        "albanian": f"/{albanian}/",
        "paginated": "/page/2/",
        "not_found": "/404.html",
        "search": "/search/",
    }


def _main_heading(page: object) -> object:
    # The headline a reader looks for first: the lead story's on the front page, else the h1.
    lead = page.locator(".lead-title")  # type: ignore[attr-defined]
    return lead if lead.count() else page.locator("h1:not(.visually-hidden)")  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("kind", KINDS)
def test_every_page_shows_its_headline_above_the_fold_without_sideways_scrolling(open_page, page_paths, kind, width):
    visit = open_page(page_paths[kind], width=width)
    screenshot(visit, f"{kind}-{width}")
    page = visit.page
    heading = _main_heading(page)
    assert heading.first.is_visible()
    box = heading.first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= page.evaluate("innerHeight"), f"headline below the fold: {box}"
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), "the page scrolls sideways"
    assert visit.errors == []


@pytest.mark.parametrize("kind", KINDS)
def test_no_request_leaves_the_local_server(open_page, page_paths, kind):
    visit = open_page(page_paths[kind], width=PHONE)
    hosts = {urlsplit(url).hostname for url in visit.requests if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}


def test_a_section_link_leads_to_the_section_page(open_page, page_paths):
    visit = open_page(page_paths["front"])
    page = visit.page
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Economy").click()
    page.wait_for_url("**/ekonomi/")
    assert page.locator("h1").inner_text() == "Economy"
    assert page.locator('.sections-nav a[aria-current="page"]').inner_text() == "Economy"


def test_the_lead_story_link_opens_the_article(open_page, page_paths):
    visit = open_page(page_paths["front"], width=PHONE)
    page = visit.page
    title = page.locator(".lead-title a").inner_text()
    page.locator(".lead-title a").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1.headline").inner_text() == title


def test_older_and_newer_links_walk_through_the_pages(open_page, page_paths):
    visit = open_page(page_paths["front"])
    page = visit.page
    # 16 sample stories five to a page: archive pages 1-3 (1 the oldest), the newest run on the front.
    page.locator('.pagination a[rel="next"]').click()
    page.wait_for_url("**/page/3/")
    assert "Page 3" in page.locator(".pagination").inner_text()
    page.locator('.pagination a[rel="next"]').click()
    page.wait_for_url("**/page/2/")
    page.locator('.pagination a[rel="prev"]').click()
    page.wait_for_url("**/page/3/")
    page.locator('.pagination a[rel="prev"]').click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    assert page.locator(".lead-title").is_visible()


def test_the_article_shows_related_coverage_from_its_section(open_page, page_paths):
    visit = open_page(page_paths["article"])
    page = visit.page
    section = page.locator(".story .kicker a").inner_text()
    links = page.locator(".related-list a")
    assert links.count() >= 1
    links.first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".story .kicker a").inner_text() == section


def test_the_lead_picture_is_responsive_sized_and_described(open_page, page_paths):
    visit = open_page(page_paths["article"], width=PHONE)
    picture = visit.page.locator(".lead-image img")
    assert picture.get_attribute("alt")
    assert picture.get_attribute("width") and picture.get_attribute("height")
    assert "480w" in picture.get_attribute("srcset") and "1440w" in picture.get_attribute("srcset")
    loaded = picture.evaluate("img => [img.complete, img.naturalWidth, img.currentSrc]")
    assert loaded[0] and loaded[1] > 0 and loaded[2].endswith(".jpg")
    box = picture.bounding_box()
    assert box["width"] <= PHONE


def test_dark_mode_turns_the_page_dark(open_page, page_paths):
    light = open_page(page_paths["article"]).page.evaluate("getComputedStyle(document.body).backgroundColor")
    dark_visit = open_page(page_paths["article"], width=PHONE, dark=True)
    screenshot(dark_visit, "article-dark-375")
    dark = dark_visit.page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert light == "rgb(255, 255, 255)"
    assert dark != light
    red, green, blue = (int(part) for part in dark.removeprefix("rgb(").removesuffix(")").split(","))
    assert max(red, green, blue) < 64


def test_print_leaves_out_navigation_and_the_rail(open_page, page_paths):
    page = open_page(page_paths["article"], print_media=True).page
    assert not page.locator(".sections-nav").is_visible()
    assert not page.locator(".rail").is_visible()
    assert page.locator(".story-body").is_visible()
