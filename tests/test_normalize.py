"""Raw drops -> front-matter Markdown: the seed, one fixture per rule, and properties."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import frontmatter
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashnews.config import NormalizeConfig, SectionConfig, load_config
from flashnews.content import parse_article
from flashnews.decode import decode_bytes
from flashnews.errors import NormalizeError
from flashnews.markup import create_converter, html_to_text, render_article
from flashnews.normalize import escape_markdown_line, is_normalized, normalize_text

from tests.conftest import FIXTURES, NOW, REPO

CONFIG = load_config(REPO / "site.toml")
ZONE = ZoneInfo("Europe/Tirane")
SEED_TITLE = "The US and Russia reopen the doors of the dialogue in Istanbul, Ukraine remains off the table"
HEADLINE = "City council approves new tram line for the eastern districts"


def normalize_file(path: Path) -> tuple[dict[str, object], str]:
    decoded = decode_bytes(path.read_bytes(), path=path.name)
    result = normalize_text(decoded.text, path=path.name, now=NOW, config=CONFIG.normalize, sections=CONFIG.sections)
    post = frontmatter.loads(result.markdown)
    return dict(post.metadata), post.content


def body_paragraphs(body: str) -> list[str]:
    return [p for p in body.split("\n\n") if p.strip()]


def visible_text(markdown_body: str) -> str:
    html = create_converter().convert(markdown_body)
    return html_to_text(html)


# The seed ---------------------------------------------------------------------------------------


def test_seed_title_is_the_headline():
    meta, _ = normalize_file(FIXTURES / "seed.txt")
    assert meta["title"] == SEED_TITLE


def test_seed_category_is_the_section_line():
    meta, _ = normalize_file(FIXTURES / "seed.txt")
    assert meta["category"] == "Bota"


def test_seed_keeps_exactly_its_eight_body_paragraphs():
    raw = (FIXTURES / "seed.txt").read_text(encoding="utf-8").split("\n")
    expected = [line for line in raw[8:] if line.strip() and line.strip() != "Latest news"]
    _, body = normalize_file(FIXTURES / "seed.txt")
    paragraphs = body_paragraphs(body)
    assert len(paragraphs) == 8
    assert [visible_text(p) for p in paragraphs] == expected


def test_seed_has_no_chrome_left():
    _, body = normalize_file(FIXTURES / "seed.txt")
    for chrome in ("Flash News", "Latest news", "\u00a0", "Ukraine remains\n"):
        assert chrome not in body
    assert not body.startswith("Bota")
    assert body.count("The US and Russia reopen") == 0


def test_seed_without_dateline_is_dated_with_the_normalization_time():
    meta, _ = normalize_file(FIXTURES / "seed.txt")
    assert meta["date"] == NOW.isoformat()


def test_seed_front_matter_has_slug_summary_and_language():
    meta, _ = normalize_file(FIXTURES / "seed.txt")
    assert meta["slug"] == "the-us-and-russia-reopen-the-doors-of-the-dialogue-in-istanbul-ukraine-remains"
    assert str(meta["summary"]).startswith("U.S. and Russian delegations have met in Istanbul")
    assert meta["lang"] == "en"


# One fixture per rule ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["crlf.txt", "cr_only.txt", "utf8_bom.txt"])
def test_line_endings_and_bom_give_the_same_markdown_as_lf(name):
    assert normalize_file(FIXTURES / "raw" / name) == normalize_file(FIXTURES / "raw" / "lf.txt")


def test_utf16_with_bom_is_decoded():
    meta, body = normalize_file(FIXTURES / "raw" / "utf16_bom.txt")
    assert meta["category"] == "Politikë"
    assert "për të gjitha qarqet" in body


def test_windows_1252_is_decoded_with_a_warning_naming_the_file():
    decoded = decode_bytes((FIXTURES / "raw" / "cp1252.txt").read_bytes(), path="content/cp1252.txt")
    assert "“ligjin”" in decoded.text and "–" in decoded.text and "kërkoi" in decoded.text
    assert any("content/cp1252.txt" in str(w) and "not UTF-8" in str(w) for w in decoded.warnings)


@pytest.mark.parametrize(
    ("name", "author"),
    [("byline_by.txt", "Arta Hoxha"), ("byline_nga.txt", "Dritan Kola"), ("byline_author.txt", "Mira Leka")],
)
def test_bylines_become_author_and_leave_the_body(name, author):
    meta, body = normalize_file(FIXTURES / "raw" / name)
    assert meta["author"] == author
    assert author not in body


@pytest.mark.parametrize(
    ("name", "date"),
    [
        ("dateline_day_month_time.txt", datetime(2025, 2, 27, 14, 30, tzinfo=ZONE)),
        ("dateline_month_day.txt", datetime(2025, 2, 27, tzinfo=ZONE)),
        ("dateline_albanian.txt", datetime(2025, 2, 27, tzinfo=ZONE)),
        ("dateline_dotted.txt", datetime(2020, 7, 10, 23, 52, tzinfo=ZONE)),
    ],
)
def test_datelines_become_the_date_with_a_utc_offset(name, date):
    meta, body = normalize_file(FIXTURES / "raw" / name)
    assert meta["date"] == date.isoformat()
    assert re.search(r"[+-]\d\d:\d\d$", str(meta["date"]))
    assert not re.search(r"2025|2020", body)


def test_dateline_opening_the_first_paragraph_sets_the_date_and_stays_in_the_text():
    meta, body = normalize_file(FIXTURES / "raw" / "dateline_in_first_paragraph.txt")
    assert meta["date"] == datetime(2025, 2, 27, tzinfo=ZONE).isoformat()
    assert body.startswith("TIRANA, 27 February 2025 –")


@pytest.mark.parametrize("name", ["footer_related_headlines.txt", "footer_albanian.txt", "footer_read_more.txt"])
def test_footer_marker_and_everything_after_it_are_stripped(name):
    _, body = normalize_file(FIXTURES / "raw" / name)
    assert body_paragraphs(body)[-1] == "The second paragraph adds detail about costs and timing for residents."


def test_share_and_advert_lines_are_stripped():
    _, body = normalize_file(FIXTURES / "raw" / "share_and_advert_lines.txt")
    assert body_paragraphs(body) == ["Officials confirmed the plan on Monday.", "The second paragraph adds detail."]


@pytest.mark.parametrize(("name", "category"), [("other_portal_name.txt", "Sport"), ("no_site_name.txt", "Ekonomi")])
def test_section_is_found_whatever_the_portal_line(name, category):
    meta, body = normalize_file(FIXTURES / "raw" / name)
    assert meta["category"] == category
    assert meta["title"] == HEADLINE
    assert "Balkan Wire" not in body


@pytest.mark.parametrize("name", ["headline_not_repeated.txt", "headline_repeated_in_full.txt", "lf.txt"])
def test_headline_is_found_whether_repeated_in_full_truncated_or_not_at_all(name):
    meta, body = normalize_file(FIXTURES / "raw" / name)
    assert meta["title"] == HEADLINE
    assert HEADLINE[:30] not in body
    assert len(body_paragraphs(body)) == 2


def test_lines_of_only_whitespace_or_no_break_spaces_are_blank():
    _, body = normalize_file(FIXTURES / "raw" / "nbsp_and_blank_lines.txt")
    assert body_paragraphs(body) == ["First paragraph of the story is here.", "Second paragraph of the story."]


def test_text_that_looks_like_markup_renders_exactly_as_typed():
    raw = (FIXTURES / "raw" / "markup_lookalikes.txt").read_text(encoding="utf-8")
    expected = [line for line in raw.split("\n")[8:] if line.strip() and line != "Latest news"]
    _, body = normalize_file(FIXTURES / "raw" / "markup_lookalikes.txt")
    rendered = [visible_text(p) for p in body_paragraphs(body)]
    assert rendered == expected


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("empty.txt", 1, "empty"),
        ("whitespace_only.txt", 1, "empty"),
        ("no_headline.txt", 1, "no headline"),
        ("no_section_line.txt", 3, "no section line"),
        ("headline_without_body.txt", 5, "no body"),
        ("binary.txt", 1, "binary"),
    ],
)
def test_invalid_drops_raise_normalize_error_with_file_and_line(name, line, words):
    path = FIXTURES / "invalid" / name
    with pytest.raises(NormalizeError) as caught:
        decoded = decode_bytes(path.read_bytes(), path=f"content/{name}")
        normalize_text(decoded.text, path=f"content/{name}", now=NOW, config=CONFIG.normalize, sections=CONFIG.sections)
    assert caught.value.location.path == f"content/{name}"
    assert caught.value.location.line == line
    assert words in caught.value.message
    assert str(caught.value).startswith(f"content/{name}:{line}: ")


def test_site_names_are_configurable():
    text = "Daily Planet\n\nBota\n\nA headline long enough to be one\n\nBody text here.\n"
    config = NormalizeConfig(site_names=("Daily Planet",))
    result = normalize_text(text, path="x.txt", now=NOW, config=config, sections=(SectionConfig("Bota"),))
    assert "Daily Planet" not in result.markdown
    assert 'category: "Bota"' in result.markdown


def test_values_that_yaml_would_coerce_stay_strings():
    text = "Flash News\n\nNO\n\n12:30 yes: 1.10 #1 headline that is long enough\n\nBody text here.\n"
    result = normalize_text(text, path="x.txt", now=NOW, config=CONFIG.normalize, sections=CONFIG.sections)
    article, _ = parse_article(result.markdown, path="x.md", zone=ZONE)
    assert article.category == "NO"
    assert article.title == "12:30 yes: 1.10 #1 headline that is long enough"


# Properties ------------------------------------------------------------------------------------

WORD = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp", "Cf")), min_size=1, max_size=12)
LINE = st.lists(WORD, min_size=5, max_size=25).map(" ".join)
PARAGRAPHS = st.lists(LINE, min_size=1, max_size=6)


def _drop(paragraphs: list[str]) -> str:
    return "Flash News\n\nBota\n\n" + HEADLINE + "\n\n" + "\n\n".join(paragraphs) + "\n\n\u00a0\n\nLatest news\n"


def _is_plain_body(paragraphs: list[str]) -> bool:
    chrome = {k.casefold() for k in (*CONFIG.normalize.footer_markers, *CONFIG.normalize.noise_lines)}
    return all(" ".join(p.split()).casefold().rstrip(":.…") not in chrome for p in paragraphs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PARAGRAPHS)
def test_normalize_never_loses_or_reorders_a_body_word(paragraphs):
    if not _is_plain_body(paragraphs):
        return
    result = normalize_text(_drop(paragraphs), path="x.txt", now=NOW, config=CONFIG.normalize, sections=CONFIG.sections)
    article, _ = parse_article(result.markdown, path="x.md", zone=ZONE)
    text = html_to_text(render_article(article, create_converter()).body_html)
    expected = " ".join(" ".join(p.split()) for p in paragraphs)
    assert text == expected


@settings(max_examples=150, deadline=None)
@given(PARAGRAPHS, st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_normalize_is_idempotent_and_ignores_line_endings_and_bom(paragraphs, newline, bom):
    raw = _drop(paragraphs)
    data = (b"\xef\xbb\xbf" if bom else b"") + raw.replace("\n", newline).encode("utf-8")
    try:
        once = normalize_text(decode_bytes(data, path="x.txt").text, path="x.txt", now=NOW, config=CONFIG.normalize, sections=CONFIG.sections)
    except NormalizeError:
        return
    reference_text = decode_bytes(raw.encode("utf-8"), path="x.txt").text
    reference = normalize_text(reference_text, path="x.txt", now=NOW, config=CONFIG.normalize, sections=CONFIG.sections)
    assert once.markdown == reference.markdown
    assert is_normalized(once.markdown)
    again = normalize_text(once.markdown, path="x.md", now=NOW, config=CONFIG.normalize, sections=CONFIG.sections)
    assert again.markdown == once.markdown


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=80))
def test_escaped_line_renders_back_to_the_same_text(line):
    line = " ".join(line.split())
    if not line:
        return
    html = create_converter().convert(escape_markdown_line(line))
    assert html_to_text(html) == line


def test_parts_separated_by_single_line_breaks_are_recognised_like_blank_line_separated_ones():
    meta, body = normalize_file(FIXTURES / "raw" / "single_line_breaks.txt")
    assert (meta["title"], meta["category"], meta["author"]) == (
        "Bread prices rise again across the capital this week",
        "Ekonomi",
        "Arta Hoxha",
    )
    assert meta["date"] == datetime(2025, 2, 27, 14, 30, tzinfo=ZONE).isoformat()
    assert body_paragraphs(body) == ["Bakers say flour costs have doubled since last year.", "Customers are buying less."]


@pytest.mark.parametrize(
    ("line", "author"),
    [("By Ana Lika, Tirana", "Ana Lika"), ("Nga Ëndi Çela, Durrës", "Ëndi Çela"), ("By the way, it rained", None)],
)
def test_a_byline_may_name_a_place_but_a_sentence_is_never_a_byline(line, author):
    text = f"Flash News\n\nBota\n\n{HEADLINE}\n\n{line}\n\nThe story itself is here.\n"
    result = normalize_text(text, path="x.txt", now=NOW, config=CONFIG.normalize, sections=CONFIG.sections)
    meta = frontmatter.loads(result.markdown).metadata
    assert meta.get("author") == author
    if author is None:
        assert line in result.markdown


def test_a_twelve_hour_dateline_is_understood():
    text = f"Flash News\n\nBota\n\n{HEADLINE}\n\nFebruary 27, 2025 at 2:30 PM\n\nThe story itself is here.\n"
    result = normalize_text(text, path="x.txt", now=NOW, config=CONFIG.normalize, sections=CONFIG.sections)
    assert frontmatter.loads(result.markdown).metadata["date"] == datetime(2025, 2, 27, 14, 30, tzinfo=ZONE).isoformat()


def test_the_summary_ends_at_a_sentence_when_it_can_and_never_with_a_stop_and_an_ellipsis():
    meta, _ = normalize_file(FIXTURES / "seed.txt")
    summary = str(meta["summary"])
    assert summary == (
        "U.S. and Russian delegations have met in Istanbul for the second time, fueling hopes for a "
        "de-escalation of tensions between the two world powers."
    )
    assert not summary.endswith(".…")


def test_a_two_word_headline_under_the_section_line_is_the_headline():
    text = "Flash News\n\nBota\n\nRama resigns\n\n27 February 2025\n\nThe prime minister resigned today.\n"
    result = normalize_text(text, path="x.txt", now=NOW, config=CONFIG.normalize, sections=CONFIG.sections)
    post = frontmatter.loads(result.markdown)
    assert (post.metadata["title"], post.metadata["category"]) == ("Rama resigns", "Bota")
    assert post.content == "The prime minister resigned today."
