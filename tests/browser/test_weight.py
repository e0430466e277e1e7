"""Page weight and render-blocking: what a reader on a slow phone connection downloads before reading."""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser.conftest import PHONE

FRONT_PAGE_BUDGET = 60 * 1024
# Data blocks, module scripts (deferred by default) and deferred or async scripts never block rendering.
NON_BLOCKING = ('type="application/ld+json"', 'type="module"', " defer", " async")


def test_the_front_page_html_and_css_weigh_under_60_kb(site_output: Path):
    weight = (site_output / "index.html").stat().st_size + (site_output / "static" / "style.css").stat().st_size
    assert weight < FRONT_PAGE_BUDGET, f"{weight} bytes"


def test_no_page_uses_web_fonts(site_output: Path, open_page):
    assert "@font-face" not in (site_output / "static" / "style.css").read_text(encoding="utf-8")
    visit = open_page("/", width=PHONE)
    fonts = [url for url in visit.requests if re.search(r"\.(woff2?|ttf|otf|eot)(\?|$)", url)]
    assert fonts == []


def test_no_page_has_a_render_blocking_script(site_output: Path):
    for page in sorted(site_output.rglob("*.html")):
        for tag in re.findall(r"<script\b[^>]*>", page.read_text(encoding="utf-8")):
            assert any(mark in tag for mark in NON_BLOCKING), f"{page.relative_to(site_output)}: {tag}"


def test_the_front_page_needs_only_its_html_css_and_icon(open_page):
    visit = open_page("/", width=PHONE)
    fetched = sorted({url.rsplit("/", 1)[-1] or "index" for url in visit.requests if "/images/" not in url})
    assert fetched == ["favicon.svg", "index", "style.css"]
