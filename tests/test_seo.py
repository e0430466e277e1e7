"""Article pages tell search engines and social networks what they are: description, canonical,
OpenGraph, Twitter card and NewsArticle JSON-LD that survives any headline."""

from __future__ import annotations

import json
import re
import struct
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.pages import plan_all
from flashnews.compose.render import create_environment, render_page
from flashnews.compose.site import collect_site
from tests.conftest import REPO
from tests.publishing import BASE_URL, build, rendered, sample_config, write_article

NOW = "2025-12-05T12:00:00+01:00"
HOSTILE_HEADLINES = [
    'Minister says "no comment" to \'leaks\'',
    "Hackers post </script><script>alert(1)</script> on portal",
    "Tom & Jerry <b>bold</b> & more &amp; entities",
    "Line\u2028separator and paragraph\u2029separator in a headline",
    "<!-- comment --> and ]]> and \\ backslash",
    "Kryeministri: «Shqipëria» — 🇦🇱 emoji",
]


class _Head(HTMLParser):
    """Collects meta tags, link tags and the JSON-LD script text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("property" in values or "name" in values):
            self.meta[values.get("property") or values["name"]] = values.get("content", "")
        elif tag == "link":
            self.links.append(values)
        elif tag == "script" and values.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld[-1] += data


def read_head(page: Path) -> _Head:
    parser = _Head()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


@pytest.fixture
def built(site_dir: Path) -> Path:
    write_article(
        site_dir, "bylined", date="2025-12-05T09:30:00+01:00", updated="2025-12-05T11:00:00+01:00",
        title="Storm closes the port", author="Arta Hoxha", category="Sport",
    )
    write_article(site_dir, "unsigned", date="2025-12-04T08:00:00+01:00", title="Council approves budget", category="Ekonomi")
    assert build(site_dir, NOW) == 0
    return site_dir / "public"


def test_article_page_has_a_meta_description_and_a_canonical_link(built):
    head = read_head(built / "bylined" / "index.html")
    assert head.meta["description"] == "The body of the story."
    assert {"rel": "canonical", "href": BASE_URL + "bylined/"} in head.links


def test_article_page_has_opengraph_article_tags_and_a_summary_twitter_card(built):
    meta = read_head(built / "bylined" / "index.html").meta
    assert meta["og:type"] == "article"
    assert meta["og:title"] == "Storm closes the port"
    assert meta["og:url"] == BASE_URL + "bylined/"
    assert meta["og:description"] == "The body of the story."
    assert meta["og:site_name"] == "Flash News"
    assert meta["article:published_time"] == "2025-12-05T09:30:00+01:00"
    assert meta["article:modified_time"] == "2025-12-05T11:00:00+01:00"
    assert meta["article:section"] == "Sport"
    assert meta["twitter:card"] == "summary"


def test_json_ld_describes_a_news_article_with_offsets_author_and_publisher(built):
    (text,) = read_head(built / "bylined" / "index.html").json_ld
    data = json.loads(text)
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == "Storm closes the port"
    assert datetime.fromisoformat(data["datePublished"]).utcoffset() is not None
    assert data["datePublished"] == "2025-12-05T09:30:00+01:00"
    assert data["dateModified"] == "2025-12-05T11:00:00+01:00"
    assert data["author"] == {"@type": "Person", "name": "Arta Hoxha"}
    assert data["publisher"]["@type"] == "Organization" and data["publisher"]["name"] == "Flash News"
    assert data["publisher"]["logo"] == {"@type": "ImageObject", "url": BASE_URL + "static/logo.png"}
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": BASE_URL + "bylined/"}
    assert data["articleSection"] == "Sport"
    assert data["inLanguage"] == "en"
    assert data["description"] == "The body of the story."


def test_json_ld_names_the_site_as_author_when_there_is_no_byline(built):
    (text,) = read_head(built / "unsigned" / "index.html").json_ld
    author = json.loads(text)["author"]
    assert author["@type"] == "Organization" and author["name"] == "Flash News"


def test_publisher_logo_is_published_as_a_wide_png(built):
    data = (built / "static" / "logo.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (600, 60)


def render_article_page(headline: str, *, author: str) -> str:
    """The article page of a one-article site, rendered in memory with the real templates."""
    config = sample_config()
    item = rendered("hostile", date=datetime(2025, 12, 5, 9, 30, tzinfo=timezone.utc), title=headline, author=author)
    site, _ = collect_site([item], now=datetime(2025, 12, 5, 12, tzinfo=timezone.utc), config=config)
    (plan,) = [p for p in plan_all(site, config) if p.template == "article.html"]
    return render_page(create_environment(REPO / "templates"), plan).data.decode("utf-8")


@pytest.mark.parametrize("headline", HOSTILE_HEADLINES)
def test_json_ld_gives_back_any_headline_exactly(headline):
    page = render_article_page(headline, author='O\'Brien "the" <Editor>')
    # The script element ends at the first "</script" whatever the JSON says, so none may be inside;
    # U+2028/U+2029 end a line in older JavaScript parsers, so they must arrive escaped too.
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, flags=re.S)
    assert len(scripts) == 1
    assert "\u2028" not in scripts[0] and "\u2029" not in scripts[0] and "<" not in scripts[0]
    data = json.loads(scripts[0])
    assert data["headline"] == headline
    assert data["author"]["name"] == 'O\'Brien "the" <Editor>'


@pytest.mark.parametrize("headline", HOSTILE_HEADLINES)
def test_opengraph_title_gives_back_any_headline_exactly(headline):
    parser = _Head()
    parser.feed(render_article_page(headline, author=""))
    assert parser.meta["og:title"] == headline
    assert parser.meta["twitter:title"] == headline


def test_hostile_headline_survives_a_real_build(site_dir):
    headline = 'Hackers post "</script><script>alert(1)</script>" & more'
    write_article(site_dir, "hostile", date="2025-12-05T09:30:00+01:00", title=headline)
    assert build(site_dir, NOW) == 0
    (text,) = read_head(site_dir / "public" / "hostile" / "index.html").json_ld
    assert json.loads(text)["headline"] == headline


def test_section_page_announces_its_own_feeds(built):
    links = read_head(built / "sport" / "index.html").links
    alternates = {link["href"]: link["type"] for link in links if link.get("rel") == "alternate"}
    assert alternates["../sport/rss.xml"] == "application/rss+xml"
    assert alternates["../sport/atom.xml"] == "application/atom+xml"
    assert (built / "sport" / "rss.xml").is_file() and (built / "sport" / "atom.xml").is_file()


def test_config_logo_names_a_file_that_ships_with_the_site():
    from flashnews.config import SiteConfig

    assert (REPO / SiteConfig().logo).is_file()


def test_a_lead_picture_becomes_the_opengraph_and_json_ld_image(site_dir):
    from PIL import Image

    write_article(site_dir, "harbour", date="2025-12-05T09:30:00+01:00", title="Ferries return to the harbour")
    Image.new("RGB", (1600, 900), (20, 90, 160)).save(site_dir / "content" / "harbour.jpg", quality=85)
    assert build(site_dir, NOW) == 0
    head = read_head(site_dir / "public" / "harbour" / "index.html")
    image_url = head.meta["og:image"]
    assert image_url.startswith(BASE_URL) and (site_dir / "public" / image_url.removeprefix(BASE_URL)).is_file()
    assert (head.meta["og:image:width"], head.meta["og:image:height"]) == ("1440", "810")
    (text,) = head.json_ld
    assert json.loads(text)["image"] == {"@type": "ImageObject", "url": image_url, "width": 1440, "height": 810}


def test_an_article_without_a_picture_names_no_image(built):
    head = read_head(built / "bylined" / "index.html")
    assert "og:image" not in head.meta
    (text,) = head.json_ld
    assert "image" not in json.loads(text)
