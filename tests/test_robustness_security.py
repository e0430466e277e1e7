"""Readers are never attacked through the site: hostile text in any field of any input ends up as text,
in page bodies, titles, attributes, feeds, sitemaps and JSON-LD alike."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.publishing import build

NOW = "2025-12-05T12:00:00+01:00"
# Scripts the templates themselves put on pages.
KNOWN_SCRIPT_TYPES = {"application/ld+json", "module"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "data", "srcset", "xlink:href", "content"}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text", "data:application")

HOSTILE_TITLE = "Breaking </title><script>alert(1)</script> \"quoted\" & 'single' <img src=x onerror=alert(1)>"
HOSTILE_SUMMARY = "</script><script>alert(2)</script><!-- ]]> {{ 7*7 }} {% raw %}"
HOSTILE_AUTHOR = '"><svg onload=alert(3)>'
HOSTILE_BODY = """Paragraph with [a link](javascript:alert(4)) and [another](  JaVaScRiPt:alert(5) ).

<a href="jav&#x09;ascript:alert(6)">tab</a> <a href="&#106;avascript:alert(7)">entity</a>
<img src=x onerror=alert(8)> <iframe src="https://evil.example/"></iframe>

<script>alert(9)</script>

[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMCk8L3NjcmlwdD4=) [vb](vbscript:msgbox(11))
"""
RAW_DROP = """Bota
Drop with <script>alert(12)</script> and {{ config }} in the headline
<p onclick="alert(13)">Paragraph that looks like HTML</p>
Text with [link](javascript:alert(14)) and **bold** and &lt;entity&gt; and &#60;script&#62;
{% include "base.html" %} and <!-- comment --> and ]]> end.
"""


class Page(HTMLParser):
    """Everything on a page that could run code, and its visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.handlers: list[str] = []
        self.urls: list[tuple[str, str]] = []
        self.text: list[str] = []
        self._script: dict[str, str] | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.handlers += [f"<{tag} {name}>" for name in values if name.startswith("on")]
        self.urls += [(name, value) for name, value in values.items() if name in URL_ATTRIBUTES]
        if tag == "script":
            self._script, self._script_text = values, []
        if tag in ("iframe", "object", "embed", "frame", "base", "form"):
            self.handlers.append(f"<{tag}>")
        if tag == "meta" and values.get("http-equiv", "").casefold() == "refresh":
            self.handlers.append("<meta refresh>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._script_text)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)
        else:
            self.text.append(data)

    @property
    def visible_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse_page(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def assert_harmless(page: Page, where: str) -> None:
    assert page.handlers == [], where
    for attributes, _ in page.scripts:
        assert attributes.get("type") in KNOWN_SCRIPT_TYPES, (where, attributes)
    for name, value in page.urls:
        squeezed = "".join(ch for ch in value if ch.isprintable() and not ch.isspace()).casefold()
        if name != "content":  # <meta content> is text; a refresh is caught as a handler above
            assert not squeezed.startswith(DANGEROUS_SCHEMES), (where, name, value)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from tests.conftest import REPO

    site = tmp_path_factory.mktemp("hostile")
    for name in ("templates", "static"):
        shutil.copytree(REPO / name, site / name)
    shutil.copy(REPO / "site.toml", site / "site.toml")
    content = site / "content"
    content.mkdir()
    front = {
        "title": HOSTILE_TITLE,
        "date": "2025-12-04T10:00:00+01:00",
        "category": "Bota",
        "summary": HOSTILE_SUMMARY,
        "author": HOSTILE_AUTHOR,
    }
    lines = "".join(f"{key}: {json.dumps(value)}\n" for key, value in front.items())
    (content / "hostile.md").write_text(f"---\n{lines}---\n\n{HOSTILE_BODY}", encoding="utf-8")
    odd_section = {**front, "title": "Odd section story", "category": "<b onmouseover=alert(15)>Evil</b>", "slug": "odd-section"}
    lines = "".join(f"{key}: {json.dumps(value)}\n" for key, value in odd_section.items())
    (content / "odd.md").write_text(f"---\n{lines}---\n\nBody.\n", encoding="utf-8")
    (content / "drop.txt").write_text(RAW_DROP, encoding="utf-8")
    assert build(site, NOW) == 0
    return site / "public"


def html_files(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))


def test_no_page_has_a_script_handler_frame_or_dangerous_url(hostile_site):
    pages = html_files(hostile_site)
    assert len(pages) > 5
    for path in pages:
        assert_harmless(parse_page(path.read_text(encoding="utf-8")), str(path.relative_to(hostile_site)))


def test_hostile_front_matter_is_shown_as_the_text_typed(hostile_site):
    [page_path] = [p for p in html_files(hostile_site) if "breaking" in p.parent.name]
    page = parse_page(page_path.read_text(encoding="utf-8"))
    assert HOSTILE_TITLE in page.visible_text
    assert " ".join(HOSTILE_AUTHOR.split()) in page.visible_text


def test_json_ld_holds_the_hostile_fields_as_data_and_cannot_close_its_script(hostile_site):
    [page_path] = [p for p in html_files(hostile_site) if "breaking" in p.parent.name]
    page = parse_page(page_path.read_text(encoding="utf-8"))
    [(_, data)] = [(a, text) for a, text in page.scripts if a.get("type") == "application/ld+json"]
    assert "</" not in data and "<!--" not in data
    document = json.loads(data)
    assert (document["headline"], document["description"]) == (HOSTILE_TITLE, HOSTILE_SUMMARY)
    assert document["author"]["name"] == HOSTILE_AUTHOR


def test_a_raw_drop_that_looks_like_markup_is_shown_literally(hostile_site):
    [page_path] = [p for p in html_files(hostile_site) if p.parent.name.startswith("drop-with")]
    text = parse_page(page_path.read_text(encoding="utf-8")).visible_text
    assert "Drop with <script>alert(12)</script> and {{ config }} in the headline" in text
    assert '<p onclick="alert(13)">Paragraph that looks like HTML</p>' in text
    assert "Text with [link](javascript:alert(14)) and **bold** and &lt;entity&gt; and &#60;script&#62;" in text
    assert '{% include "base.html" %} and <!-- comment --> and ]]> end.' in text


@pytest.mark.parametrize("name", ["feeds/rss.xml", "feeds/atom.xml", "sitemap.xml", "news-sitemap.xml"])
def test_feeds_and_sitemaps_are_well_formed_and_their_html_is_harmless(hostile_site, name):
    root = ET.fromstring((hostile_site / name).read_bytes())
    texts = [element.text or "" for element in root.iter()]
    for element in root.iter():
        if is_html_element(element):
            page = parse_page(element.text or "")
            assert_harmless(page, name)
            assert not [a for a, _ in page.scripts], name
    for element in root.iter():
        for attribute, value in element.attrib.items():
            assert not "".join(value.split()).casefold().startswith(DANGEROUS_SCHEMES), (name, attribute, value)
    if name.startswith("feeds/"):
        assert any(HOSTILE_TITLE in text for text in texts)


def is_html_element(element: ET.Element) -> bool:
    """Feed elements whose text a reader renders as HTML: RSS description and content:encoded, Atom type="html"."""
    name = element.tag.rsplit("}", 1)[-1]
    return name in ("description", "encoded") or element.get("type") == "html"


def test_an_rss_description_shows_a_hostile_lead_as_text(hostile_site):
    root = ET.fromstring((hostile_site / "feeds" / "rss.xml").read_bytes())
    descriptions = [item.findtext("description") for item in root.iter("item")]
    shown = [parse_page(text).visible_text for text in descriptions]
    assert " ".join(HOSTILE_SUMMARY.split()) in shown


def test_a_hostile_section_name_becomes_a_plain_label_and_a_safe_url(hostile_site):
    sections = [p.name for p in hostile_site.iterdir() if p.is_dir() and "evil" in p.name]
    assert sections and all(name.replace("-", "").isalnum() for name in sections)
    page = parse_page((hostile_site / sections[0] / "index.html").read_text(encoding="utf-8"))
    assert "<b onmouseover=alert(15)>Evil</b>" in page.visible_text
