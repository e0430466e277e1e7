"""Saved web pages: the article found in three page structures, pictures, encodings and hostile input."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from flashnews.config import SectionConfig, SiteConfig
from flashnews.ingest.documents import normalize_document
from flashnews.errors import NormalizeError

from tests.conftest import FIXTURES
from tests.word_documents import png

PAGES = FIXTURES / "pages"
NOW = datetime(2025, 11, 1, 9, 0, tzinfo=ZoneInfo("Europe/Tirane"))
CONFIG = SiteConfig(sections=(SectionConfig("Bota", aliases=("World",)), SectionConfig("Ekonomi"), SectionConfig("Sport")))


def convert(data: bytes, relative_path: str = "page.html", companions: dict[str, bytes] | None = None):
    return normalize_document(
        data, suffix=Path(relative_path).suffix, path=f"content/{relative_path}", relative_path=relative_path,
        now=NOW, config=CONFIG, read_companion=(companions or {}).get,
    )


def test_a_news_page_gives_its_opengraph_title_date_author_section_and_body():
    drop = convert((PAGES / "news-site-opengraph.html").read_bytes(), "storm.html")
    markdown = drop.normalized.markdown
    assert markdown.startswith('---\ntitle: "Storm closes coastal roads"\ndate: "2025-02-27T14:30:00+01:00"\ncategory: "Bota"\n')
    assert 'author: "Ana Lika"' in markdown
    assert "[the alerts](https://gov.example/alerts) would stay in place **until Thursday**" in markdown
    assert "## What is closed\n\n- The coastal road south of Durrës\n- Two ferry lines" in markdown
    assert "Home" not in markdown and "Subscribe" not in markdown and "tracker" not in markdown


def test_the_saved_pages_own_picture_becomes_the_lead_and_remote_pictures_are_not_fetched():
    picture = png()
    drop = convert((PAGES / "news-site-opengraph.html").read_bytes(), "storm.html", {"storm_files/storm.jpg": picture})
    assert drop.files == (("storm.png", picture),)
    assert 'image: "storm.png"' in drop.normalized.markdown


def test_a_blog_page_gives_its_json_ld_metadata_and_keeps_its_quote():
    markdown = convert((PAGES / "blog-jsonld.html").read_bytes()).normalized.markdown
    assert 'date: "2025-09-14T09:15:00+02:00"' in markdown and 'category: "Ekonomi"' in markdown and 'author: "Drita Kola"' in markdown
    assert "> We waited a long time for this day" in markdown
    assert "Archive" not in markdown


def test_a_table_layout_page_in_a_legacy_encoding_declared_only_in_a_meta_tag():
    drop = convert((PAGES / "wire-table-windows-1250.html").read_bytes(), "ekonomi/exports.html")
    markdown = drop.normalized.markdown
    assert 'title: "Vlera e eksporteve u rrit në shtator"' in markdown
    assert 'date: "2025-10-10T12:40:00+02:00"' in markdown and 'category: "Ekonomi"' in markdown and 'lang: "sq"' in markdown
    assert "tha analisti Tomáš Dvořák." in markdown
    assert "Ballina" not in markdown.split("---", 2)[2]
    assert drop.normalized.warnings == ()


def test_scripts_styles_frames_forms_handlers_and_javascript_links_never_pass():
    markdown = convert((PAGES / "hostile-script-iframe-onclick.html").read_bytes()).normalized.markdown
    for bad in ("<script", "steal", "cookie", "iframe", "onclick", "onmouseover", "javascript:", "<form", "password", "display:none", "pixel"):
        assert bad not in markdown
    assert "Members asked for more details and for [the full plan](https://example.org/plan)" in markdown


@pytest.mark.parametrize(
    "page",
    [
        b"<html><head><title>Front page</title></head><body><nav><a href='/a'>A</a> <a href='/b'>B</a></nav></body></html>",
        b"",
        b"\x89PNG\r\n\x1a\n" + bytes(200),
    ],
    ids=["links-only", "empty", "binary"],
)
def test_a_page_with_no_article_is_refused_with_a_hint(page):
    with pytest.raises(NormalizeError) as caught:
        convert(page)
    assert str(caught.value).startswith("content/page.html:1: ")
    assert "save the article's own page" in caught.value.hint


@pytest.mark.parametrize(
    "bomb",
    [
        b"<html><body>" + b"<div>" * 100_000 + b"<p>deep</p>" + b"</div>" * 100_000 + b"</body></html>",
        b'<html><body><p title="' + b"x" * 10_000_000 + b'">A huge attribute on a short paragraph of text.</p></body></html>',
    ],
    ids=["deep-nesting", "huge-attribute"],
)
def test_an_html_bomb_is_refused_or_read_quickly_and_only_a_normalize_error_escapes(bomb):
    started = time.perf_counter()
    try:
        convert(bomb)
    except NormalizeError:
        pass
    assert time.perf_counter() - started < 5
