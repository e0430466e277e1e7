"""sitemap.xml lists every page with its last change; news-sitemap.xml lists the last 48 hours
of articles in Google News' format, split into parts of 1,000; robots.txt names both."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from flashnews.compose import sitemap
from flashnews.config import SiteConfig
from flashnews.compose.render import create_environment, render_page
from flashnews.compose.site import collect_site
from flashnews.compose.sitemap import plan_sitemap_pages
from tests.conftest import REPO
from tests.publishing import BASE_URL, build, rendered, sample_config, set_config, write_article

NOW = "2025-12-05T12:00:00+01:00"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"s": SITEMAP, "news": NEWS}


def urls(path: Path) -> dict[str, str]:
    root = ET.parse(path).getroot()
    assert root.tag == f"{{{SITEMAP}}}urlset"
    return {url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS) for url in root.findall("s:url", NS)}


@pytest.fixture
def site(site_dir: Path) -> Path:
    set_config(site_dir, "per_page", 2)
    write_article(site_dir, "fresh", date="2025-12-05T11:00:00+01:00", category="Sport", updated="2025-12-05T11:45:00+01:00")
    write_article(site_dir, "yesterday", date="2025-12-04T12:30:00+01:00", category="Sport")
    write_article(site_dir, "two-days", date="2025-12-03T12:01:00+01:00", category="Ekonomi")
    write_article(site_dir, "last-week", date="2025-11-28T09:00:00+01:00", category="Sport")
    return site_dir


def test_sitemap_lists_every_page_of_the_site(site):
    assert build(site, NOW) == 0
    public = site / "public"
    # The search page is noindex and stays out of the sitemap, like 404.html.
    folders = {p.parent.relative_to(public).as_posix() for p in public.rglob("index.html")} - {"search"}
    pages = {BASE_URL if folder == "." else f"{BASE_URL}{folder}/" for folder in folders}
    assert len(pages) == 2 + 2 + 1 + 4  # front and archive page 1, the same for sport, ekonomi, 4 articles
    assert set(urls(public / "sitemap.xml")) == pages
    assert BASE_URL + "404.html" not in urls(public / "sitemap.xml")
    assert BASE_URL + "search/" not in urls(public / "sitemap.xml")


def test_article_lastmod_is_its_update_else_its_date(site):
    assert build(site, NOW) == 0
    found = urls(site / "public" / "sitemap.xml")
    assert found[BASE_URL + "fresh/"] == "2025-12-05T11:45:00+01:00"
    assert found[BASE_URL + "last-week/"] == "2025-11-28T09:00:00+01:00"


def test_listing_lastmod_is_the_newest_article_on_that_page(site):
    assert build(site, NOW) == 0
    found = urls(site / "public" / "sitemap.xml")
    assert found[BASE_URL] == "2025-12-05T11:45:00+01:00"
    # Archive page 1 holds the two oldest stories of each listing.
    assert found[BASE_URL + "page/1/"] == "2025-12-03T12:01:00+01:00"
    assert found[BASE_URL + "sport/page/1/"] == "2025-12-04T12:30:00+01:00"
    assert found[BASE_URL + "ekonomi/"] == "2025-12-03T12:01:00+01:00"


def test_news_sitemap_holds_only_articles_from_the_last_48_hours(site):
    assert build(site, NOW) == 0
    assert list(urls(site / "public" / "news-sitemap.xml")) == [BASE_URL + "fresh/", BASE_URL + "yesterday/", BASE_URL + "two-days/"]
    assert build(site, "2025-12-05T12:02:00+01:00") == 0
    assert BASE_URL + "two-days/" not in urls(site / "public" / "news-sitemap.xml")


def test_news_sitemap_window_follows_the_config(site):
    set_config(site, "news_sitemap_hours", 2)
    assert build(site, NOW) == 0
    assert list(urls(site / "public" / "news-sitemap.xml")) == [BASE_URL + "fresh/"]


def test_news_entries_name_the_publication_language_date_and_title(site):
    write_article(site, "quoted", date="2025-12-05T10:00:00+01:00", title='Tom & "Jerry" <win>', category="Kulturë")
    assert build(site, NOW) == 0
    root = ET.parse(site / "public" / "news-sitemap.xml").getroot()
    entry = next(url for url in root.findall("s:url", NS) if url.findtext("s:loc", namespaces=NS) == BASE_URL + "quoted/")
    news = entry.find("news:news", NS)
    assert news.findtext("news:publication/news:name", namespaces=NS) == "Flash News"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
    assert news.findtext("news:publication_date", namespaces=NS) == "2025-12-05T10:00:00+01:00"
    assert news.findtext("news:title", namespaces=NS) == 'Tom & "Jerry" <win>'


def test_scheduled_and_draft_articles_are_left_out_of_both_sitemaps(site):
    write_article(site, "embargoed", date="2025-12-05T15:00:00+01:00")
    write_article(site, "unfinished", date="2025-12-05T09:00:00+01:00", draft=True)
    assert build(site, NOW) == 0
    for name in ("sitemap.xml", "news-sitemap.xml"):
        found = urls(site / "public" / name)
        assert BASE_URL + "embargoed/" not in found and BASE_URL + "unfinished/" not in found
    assert build(site, "2025-12-05T15:00:00+01:00") == 0
    assert BASE_URL + "embargoed/" in urls(site / "public" / "news-sitemap.xml")


def test_robots_txt_names_both_sitemaps(site):
    assert build(site, NOW) == 0
    lines = (site / "public" / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert f"Sitemap: {BASE_URL}sitemap.xml" in lines
    assert f"Sitemap: {BASE_URL}news-sitemap.xml" in lines


def render_sitemaps(count: int) -> dict[str, bytes]:
    """The sitemap files of a site with `count` articles from the last day, rendered in memory."""
    config = sample_config()
    now = datetime(2025, 12, 5, 12, tzinfo=timezone.utc)
    items = [rendered(f"story-{n:04d}", date=now - timedelta(seconds=n * 30)) for n in range(count)]
    site, _ = collect_site(items, now=now, config=config)
    environment = create_environment(REPO / "templates")
    return {plan.path: render_page(environment, plan).data for plan in plan_sitemap_pages(site, config)}


def test_a_news_sitemap_of_1000_urls_is_one_file():
    files = render_sitemaps(1000)
    assert len(urls_of(files["news-sitemap.xml"])) == 1000
    assert "news-sitemap-1.xml" not in files


def test_more_than_1000_news_urls_split_into_parts_under_a_sitemap_index():
    files = render_sitemaps(2345)
    index = ET.fromstring(files["news-sitemap.xml"])
    assert index.tag == f"{{{SITEMAP}}}sitemapindex"
    parts = [loc.text for loc in index.iterfind("s:sitemap/s:loc", NS)]
    assert parts == [f"{BASE_URL}news-sitemap-{n}.xml" for n in (1, 2, 3)]
    sizes = [len(urls_of(files[f"news-sitemap-{n}.xml"])) for n in (1, 2, 3)]
    assert sizes == [1000, 1000, 345]
    assert urls_of(files["news-sitemap-1.xml"])[0] == BASE_URL + "story-0000/"
    assert urls_of(files["news-sitemap-3.xml"])[-1] == BASE_URL + "story-2344/"


def urls_of(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    assert root.tag == f"{{{SITEMAP}}}urlset"
    return [loc.text for loc in root.iterfind("s:url/s:loc", NS)]


def test_a_split_sitemap_lists_the_articles_from_the_oldest_then_the_listing_pages(site, monkeypatch):
    monkeypatch.setattr(sitemap, "SITEMAP_LIMIT", 3)
    assert build(site, NOW) == 0
    public = site / "public"
    root = ET.parse(public / "sitemap.xml").getroot()
    parts = [loc.text for loc in root.iter(f"{{{SITEMAP}}}loc")]
    assert parts == [f"{BASE_URL}sitemap-{number}.xml" for number in (1, 2, 3)]
    listed = [url for number in (1, 2, 3) for url in urls(public / f"sitemap-{number}.xml")]
    assert listed[:4] == [BASE_URL + slug + "/" for slug in ("last-week", "two-days", "yesterday", "fresh")]
    assert set(listed[4:]) == {BASE_URL, BASE_URL + "page/1/", BASE_URL + "sport/", BASE_URL + "sport/page/1/", BASE_URL + "ekonomi/"}


def test_the_parts_from_an_offset_are_those_of_the_whole_plan(monkeypatch):
    monkeypatch.setattr(sitemap, "SITEMAP_LIMIT", 3)
    config = SiteConfig()
    entries = [{"url": f"https://example.org/{n}/", "lastmod": ""} for n in range(10)]
    whole = sitemap.plan_sitemap(entries, config)
    assert [plan.path for plan in whole] == ["sitemap.xml", *(f"sitemap-{n}.xml" for n in (1, 2, 3, 4))]
    for offset in (0, 3, 6, 9):
        assert sitemap.plan_sitemap(entries[offset:], config, offset=offset, total=10) == [whole[0], *whole[1 + offset // 3 :]]
