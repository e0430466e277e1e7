"""Properties over arbitrary editor input: only our own errors escape, output always parses, normalizing is
idempotent, and every body word of a raw drop reaches the page's visible text."""

from __future__ import annotations

import os
import re
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashnews.config import load_config
from flashnews.ingest.content import parse_article
from flashnews.ingest.decode import decode_bytes
from flashnews.errors import FrontMatterError, NormalizeError, SourceError
from flashnews.ingest.markup import MarkupError, create_converter, html_to_text, render_article
from flashnews.ingest.normalize import normalize_text
from tests.conftest import NOW, REPO
from tests.strategies import RawDrop, front_matter_texts, markdown_bodies, saved_drops

CONFIG = load_config(REPO / "site.toml")
ZONE = ZoneInfo("Europe/Tirane")
CONVERTER = create_converter()
# FLASHNEWS_FUZZ_EXAMPLES=2000 for a long hunt; the suite's default keeps it to seconds.
FUZZ = settings(max_examples=int(os.environ.get("FLASHNEWS_FUZZ_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Executable markup in sanitized HTML: a script or frame tag, an event handler or a javascript: link.
_DANGER = re.compile(r"<(?:script|iframe)\b|<[^>]*\son\w+\s*=|<[^>]*\b(?:href|src)\s*=\s*[\"']?\s*javascript:", re.IGNORECASE)


def normalize_bytes(data: bytes) -> str:
    decoded = decode_bytes(data, path="content/drop.txt")
    result = normalize_text(decoded.text, path="content/drop.txt", now=NOW, config=CONFIG.normalize, sections=CONFIG.sections)
    return result.markdown, result.stripped


def stripped_line_numbers(stripped: tuple[str, ...]) -> set[int]:
    return {int(entry.split(":", 1)[0]) for entry in stripped}


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_raise_normalize_error_and_decoded_text_holds_no_controls(data):
    try:
        decoded = decode_bytes(data, path="content/drop.txt")
    except NormalizeError as exc:
        assert exc.location.path == "content/drop.txt"
        return
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b\ufeff]", decoded.text)
    assert "\r" not in decoded.text


@FUZZ
@given(saved_drops())
def test_a_saved_drop_normalizes_to_markdown_that_parses_and_renders(saved):
    drop, data = saved
    try:
        markdown, stripped = normalize_bytes(data)
    except NormalizeError as exc:  # e.g. a body line that repeats another reads as the headline
        assert exc.location.path == "content/drop.txt"
        return
    article, _ = parse_article(markdown, path="content/drop.md", zone=ZONE)
    assert article.category == drop.section
    if 2 not in stripped_line_numbers(stripped):  # the generated headline was not taken for chrome
        assert article.title == drop.headline
    try:
        rendered = render_article(article, CONVERTER)
    except MarkupError as exc:  # refused with a location: allowed, never a silent drop
        assert exc.location.path == "content/drop.md"
        return
    assert not _DANGER.search(rendered.body_html)


@FUZZ
@given(saved_drops())
def test_normalizing_is_idempotent_and_the_same_for_every_way_of_saving(saved):
    drop, data = saved
    try:
        markdown, _ = normalize_bytes(data)
    except NormalizeError:
        return
    again, _ = normalize_bytes(markdown.encode("utf-8"))
    assert again == markdown
    plain, _ = normalize_bytes(drop.text.encode("utf-8"))
    assert plain == markdown


def body_lines_kept(drop: RawDrop, stripped: tuple[str, ...]) -> list[str]:
    """Body lines of the drop with their file line numbers, minus the ones the normalizer listed as chrome."""
    removed = stripped_line_numbers(stripped)
    number, kept = 4, []
    for paragraph in drop.body:
        for line in paragraph:
            if number not in removed:
                kept.append(line)
            number += 1
        number += 1
    return kept


@FUZZ
@given(saved_drops())
def test_every_body_word_of_a_raw_drop_reaches_the_visible_text_of_the_page(saved):
    drop, data = saved
    try:
        markdown, stripped = normalize_bytes(data)
    except NormalizeError:
        return
    article, _ = parse_article(markdown, path="content/drop.md", zone=ZONE)
    try:
        visible = html_to_text(render_article(article, CONVERTER).body_html)
    except MarkupError:
        return
    for line in body_lines_kept(drop, stripped):
        folded = " ".join(line.split())
        # A body line may be taken as the headline, or as the byline ("Ana Lika | Staff writer" under it).
        assert folded in visible or folded == article.title or bool(article.author) and folded.startswith(article.author)


@FUZZ
@given(markdown_bodies)
def test_any_markdown_body_renders_or_is_refused_with_a_location(body):
    text = f"---\ntitle: A headline here\ndate: 2025-12-01\ncategory: Bota\n---\n\n{body}\n"
    article, _ = parse_article(text, path="content/story.md", zone=ZONE)
    try:
        rendered = render_article(article, CONVERTER)
    except MarkupError as exc:
        assert exc.location.line >= 7
        return
    assert not _DANGER.search(rendered.body_html)


@FUZZ
@given(front_matter_texts())
def test_any_front_matter_parses_or_raises_a_located_front_matter_error(text):
    try:
        article, _ = parse_article(text, path="content/story.md", zone=ZONE)
    except FrontMatterError as exc:
        assert 1 <= exc.location.line <= text.count("\n") + 1
        return
    for value in (article.title, article.category, article.summary, article.author, *article.extra.values()):
        assert isinstance(value, str)


@FUZZ
@given(st.text(max_size=400))
def test_any_text_as_a_markdown_source_raises_only_our_errors(text):
    try:
        article, _ = parse_article(text, path="content/story.md", zone=ZONE)
        render_article(article, CONVERTER)
    except SourceError:
        pass


@FUZZ
@given(st.text(max_size=600))
def test_any_text_as_a_raw_drop_raises_only_normalize_error_and_the_result_parses(text):
    try:
        markdown, _ = normalize_bytes(text.encode("utf-8", "surrogatepass"))
    except NormalizeError:
        return
    parse_article(markdown, path="content/drop.md", zone=ZONE)
