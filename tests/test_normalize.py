"""Raw drops -> front-matter Markdown: the seed, one fixture per rule, and properties."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import frontmatter
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from flashnews.config import NormalizeConfig, SectionConfig, load_config
from flashnews.ingest.content import parse_article
from flashnews.ingest.decode import decode_bytes
from flashnews.errors import NormalizeError
from flashnews.ingest.markup import create_converter, html_to_text, render_article
from flashnews.model import Role
from flashnews.ingest.normalize import DropContext, escape_markdown_line, explain_text, is_normalized, normalize_text, section_for_folder

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
        ("no_headline.txt", 1, "no article found"),
        ("one_line.txt", 1, "one line"),
        ("links_only.txt", 1, "no article found"),
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
LETTERS = st.text(alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Lo")), min_size=2, max_size=12)
# A sentence of the story: words of any script with marks and digits among them, and a stop.
LINE = st.tuples(st.lists(LETTERS, min_size=3, max_size=3), st.lists(WORD, min_size=2, max_size=22), st.sampled_from([".", "!", "?", ".”", "?»"])).map(
    lambda parts: " ".join(parts[0] + parts[1]) + parts[2]
)
PARAGRAPHS = st.lists(LINE, min_size=1, max_size=6)


def _drop(paragraphs: list[str]) -> str:
    return "Flash News\n\nBota\n\n" + HEADLINE + "\n\n" + "\n\n".join(paragraphs) + "\n\n\u00a0\n\nLatest news\n"


def _is_plain_body(paragraphs: list[str]) -> bool:
    chrome = {k.casefold() for k in (*CONFIG.normalize.footer_markers, *CONFIG.normalize.noise_lines)}
    return all(" ".join(p.split()).casefold().rstrip(":.…") not in chrome for p in paragraphs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PARAGRAPHS)
@example(["PAR AA AA 0 0."])  # opens with a byline's lead-in ("Par"), yet is a sentence
@example(["AA ISCRIVITI AA 0 0."])  # names an offer ("iscriviti"), yet the drop is no page copy
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


# Drops without a section line, and drops that are whole pages ---------------------------------------


def test_a_drop_without_a_section_line_is_filed_under_the_default_section_with_a_warning():
    decoded = decode_bytes((FIXTURES / "raw" / "no_section_line.txt").read_bytes(), path="content/x.txt")
    context = DropContext(None, "Ekonomi")
    result = normalize_text(decoded.text, path="content/x.txt", now=NOW, config=CONFIG.normalize, sections=CONFIG.sections, context=context)
    meta = frontmatter.loads(result.markdown).metadata
    assert (meta["title"], meta["category"]) == (HEADLINE, "Ekonomi")
    assert any("no section line" in str(w) and "content/x.txt:3" in str(w) and "'Ekonomi'" in str(w) for w in result.warnings)


def test_a_drop_without_a_section_line_takes_the_section_of_its_folder():
    assert section_for_folder("sport/x.txt", CONFIG.sections) == "Sport"
    assert section_for_folder("news/sports/x.txt", CONFIG.sections) == "Sport"
    assert section_for_folder("x.txt", CONFIG.sections) is None
    text = (FIXTURES / "raw" / "no_section_line.txt").read_text(encoding="utf-8")
    result = normalize_text(text, path="content/sport/x.txt", now=NOW, config=CONFIG.normalize, sections=CONFIG.sections, context=DropContext("Sport", "Bota"))
    assert frontmatter.loads(result.markdown).metadata["category"] == "Sport"
    assert any("section of its folder" in str(w) for w in result.warnings)


def test_a_headline_and_paragraphs_alone_are_an_article():
    text = f"{HEADLINE}\n\nOfficials confirmed the plan on Monday after a long debate.\n\nWork starts in May.\n"
    result = normalize_text(text, path="x.txt", now=NOW, config=CONFIG.normalize, sections=CONFIG.sections)
    post = frontmatter.loads(result.markdown)
    assert post.metadata["title"] == HEADLINE
    assert body_paragraphs(post.content) == ["Officials confirmed the plan on Monday after a long debate.", "Work starts in May."]


def test_a_page_copy_without_a_story_is_refused_with_a_hint():
    menu = "\n".join(f"Menu item {i}" for i in range(60))
    with pytest.raises(NormalizeError) as caught:
        normalize_text(menu + "\nOne sentence that is here.\n", path="content/page.txt", now=NOW, config=CONFIG.normalize, sections=CONFIG.sections)
    assert "content/page.txt:1:" in str(caught.value)


def test_explain_names_what_every_line_became():
    text = (FIXTURES / "seed.txt").read_text(encoding="utf-8")
    result = normalize_text(text, path="seed.txt", now=NOW, config=CONFIG.normalize, sections=CONFIG.sections)
    roles = {decision.number: decision.role for decision in result.decisions}
    assert roles[1] is Role.STRIPPED and roles[3] is Role.CATEGORY and roles[5] is Role.TITLE and roles[7] is Role.STRIPPED
    assert roles[9] is Role.BODY and roles[23] is Role.BODY
    assert roles[27] is Role.STRIPPED
    shown = explain_text(result.decisions)
    assert "   5  title    The US and Russia" in shown
    assert len(shown.splitlines()) == len([line for line in text.split("\n") if line.strip()])


# Page furniture by its shape --------------------------------------------------------------------------

STORY = (
    "Officials confirmed the plan on Monday after a long debate in the capital city.",
    "The second paragraph adds detail about costs and timing for residents of the east.",
    "Construction of the tram line will start next spring, the council said in a statement.",
)


def _normalize(text: str):
    result = normalize_text(text, path="x.txt", now=NOW, config=CONFIG.normalize, sections=CONFIG.sections)
    post = frontmatter.loads(result.markdown)
    return post.metadata, body_paragraphs(post.content), result


@pytest.mark.parametrize(
    "furniture",
    [
        ["Home · World · Sport · Culture · Opinion"],  # a menu row
        ["Főoldal / Világ / City council approves new…"],  # a breadcrumb in another language
        ["Podijeli: Facebook · X · Viber"],  # a share row in another language
        ["© 2025 Dnevni List. Sva prava zadržana."],  # copyright
        ["https://example.org/story"],  # a bare link
    ],
)
def test_furniture_is_stripped_by_its_shape_in_any_language(furniture):
    text = "\n\n".join(["Zeitung Heute", "Bota", HEADLINE, *furniture, STORY[0], STORY[1], *furniture, STORY[2]])
    meta, body, _ = _normalize(text)
    assert meta["title"] == HEADLINE
    assert body == list(STORY)


def test_a_rail_of_headlines_after_the_story_is_stripped_whatever_its_heading_says():
    rail = ["Najčitanije danas", "Vlada usvojila novi zakon o porezima", "Sneg paralisao saobraćaj na severu zemlje", "Pretplatite se na naš bilten"]
    meta, body, result = _normalize("\n\n".join(["Dnevni List", "Bota", HEADLINE, *STORY, *rail]))
    assert body == list(STORY)
    assert all(any(d.text == line and d.role is Role.STRIPPED for d in result.decisions) for line in rail)


def test_a_subheading_and_a_list_inside_the_story_are_kept():
    middle = ["Costs and timing", STORY[1], "The stops planned:", "east station,", "the old market,", "the university."]
    _, body, _ = _normalize("\n\n".join(["Bota", HEADLINE, STORY[0], *middle, STORY[2]]))
    assert body == [STORY[0], *middle, STORY[2]]


def test_a_short_line_that_shares_no_word_with_the_story_is_an_advert():
    _, body, result = _normalize("\n\n".join(["Bota", HEADLINE, STORY[0], "Artikulli vazhdon më poshtë", STORY[1], STORY[2]]))
    assert body == list(STORY)
    assert any("sharing no word with the story" in d.reason for d in result.decisions)


def test_a_line_repeated_on_the_page_is_furniture():
    _, body, _ = _normalize("\n\n".join(["Bota", HEADLINE, STORY[0], "Sponsorisert innhold", STORY[1], "Sponsorisert innhold", STORY[2]]))
    assert body == list(STORY)


def test_the_browser_tab_line_points_to_the_headline_among_other_title_like_lines():
    lines = [f"{HEADLINE} | Dnevni List", "Dnevni List", "Vlada usvojila novi zakon o porezima", HEADLINE, "Ana Lika", "2 hours ago", *STORY]
    meta, body, _ = _normalize("\n".join(lines))
    assert meta["title"] == HEADLINE
    assert meta["author"] == "Ana Lika"
    assert body == list(STORY)


@pytest.mark.parametrize(
    ("line", "author"),
    [("Piše: Dragan Petrović", "Dragan Petrović"), ("Текст: Ненад Илић", "Ненад Илић"), ("Samuel Osei | Staff writer", "Samuel Osei"), ("Reporting by Ana Lika in Tirana", "Ana Lika"), ("Photo: Ana Lika", None)],
)
def test_bylines_in_many_forms_give_the_name_alone(line, author):
    meta, body, _ = _normalize("\n\n".join(["Bota", HEADLINE, line, *STORY]))
    assert meta.get("author") == author
    assert body == list(STORY)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Updated 14:05 CET, 3 March 2021", datetime(2021, 3, 3, 14, 5, tzinfo=ZONE)),
        ("03/03/2021 - 14:05", datetime(2021, 3, 3, 14, 5, tzinfo=ZONE)),
        ("Më 3 mars 2021, ora 14:05", datetime(2021, 3, 3, 14, 5, tzinfo=ZONE)),
        ("3 марта 2021 года, 14:05", datetime(2021, 3, 3, 14, 5, tzinfo=ZONE)),
        ("Objavljeno: 11.01.2008. u 16.55", datetime(2008, 1, 11, 16, 55, tzinfo=ZONE)),
        ("субота, 29. јануар 2011.", datetime(2011, 1, 29, tzinfo=ZONE)),
        ("November 14, 2019 at 2:55 p.m.", datetime(2019, 11, 14, 14, 55, tzinfo=ZONE)),
        ("2 hours ago", NOW.replace(microsecond=0) - timedelta(hours=2)),
    ],
)
def test_datelines_as_people_write_them(line, expected):
    meta, body, _ = _normalize("\n\n".join(["Bota", HEADLINE, line, *STORY]))
    assert datetime.fromisoformat(str(meta["date"])) == expected
    assert body == list(STORY)


def test_a_dateline_without_a_year_is_dated_in_the_past_and_noted():
    meta, _, result = _normalize("\n\n".join(["Bota", HEADLINE, "TIRANA, March 3 — " + STORY[0], STORY[1]]))
    moment = datetime.fromisoformat(str(meta["date"]))
    assert (moment.month, moment.day) == (3, 3) and moment <= NOW
    assert any("no year" in note for note in result.notes)


@pytest.mark.parametrize("headline", ["Paris 2024 opens in style", "Drop 2959 lands", "Class of 1999 meets again", "Inflation hits 9%"])
def test_a_headline_holding_a_year_or_a_number_is_the_headline(headline):
    meta, body, _ = _normalize("\n\n".join(["Flash News", "Sport", headline, "May 20, 2025", *STORY]))
    assert (meta["title"], meta["category"]) == (headline, "Sport")
    assert meta["date"].startswith("2025-05-20")
    assert body == list(STORY)


def test_reading_time_is_no_dateline():
    meta, body, result = _normalize("\n\n".join(["Bota", HEADLINE, "Reading time: 9 minutes", *STORY]))
    assert meta["date"] == NOW.isoformat()
    assert body == list(STORY)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PARAGRAPHS, st.lists(st.sampled_from(["Share", "Advertisement", "Home · World · Sport", "© 2025 Flash News"]), max_size=3))
def test_no_sentence_of_the_story_is_lost_among_furniture(paragraphs, furniture):
    if not _is_plain_body(paragraphs):
        return
    lines = ["Flash News", "Bota", HEADLINE, paragraphs[0], *furniture, *paragraphs[1:], *furniture, "Latest news", "Another headline here"]
    result = normalize_text("\n\n".join(lines), path="x.txt", now=NOW, config=CONFIG.normalize, sections=CONFIG.sections)
    article, _ = parse_article(result.markdown, path="x.md", zone=ZONE)
    text = html_to_text(render_article(article, create_converter()).body_html)
    assert text == " ".join(" ".join(p.split()) for p in paragraphs)


def test_a_story_in_a_script_without_spaces_is_found():
    story = ["京都市は新しい路面電車の計画を発表した。", "工事は来年の春に始まる予定だという。", "市民からは期待の声が上がっている。"]
    meta, body, _ = _normalize("\n\n".join(["ニュース", "京都市が路面電車の新路線を承認", "2019-11-20", *story, "関連記事"]))
    assert meta["title"] == "京都市が路面電車の新路線を承認"
    assert body == story


# Drops from portals in other languages, with furniture no word list names ------------------------

PORTALS = {
    "portal_de.txt": ("Landtag beschließt neues Schulgesetz nach langer Debatte", "Politik", "Max Mustermann", datetime(2021, 3, 3, 14, 5, tzinfo=ZONE), 4),
    "portal_fr.txt": ("La Banque centrale relève ses taux pour la première fois depuis dix ans", "Économie", "Jeanne Dupont", datetime(2021, 3, 3, 14, 5, tzinfo=ZONE), 3),
    "portal_es.txt": ("El equipo local gana la final en el último minuto", "Deportes", "Juan Pérez", datetime(2021, 3, 3, 14, 5, tzinfo=ZONE), 3),
    "portal_en.txt": ("Floods force thousands from their homes in the river valley", "World", "Sarah Connor", NOW.replace(microsecond=0) - timedelta(hours=2), 5),
}


@pytest.mark.parametrize("name", PORTALS)
def test_a_drop_from_an_unseen_portal_gives_its_story_and_nothing_else(name):
    title, category, author, date, paragraphs = PORTALS[name]
    meta, body = normalize_file(FIXTURES / "raw" / name)
    assert (meta["title"], meta["category"], meta["author"]) == (title, category, author)
    assert datetime.fromisoformat(str(meta["date"])) == date
    found = body_paragraphs(body)
    assert len(found) == paragraphs
    raw = (FIXTURES / "raw" / name).read_text(encoding="utf-8").splitlines()
    story = [line for line in raw if len(line.split()) >= 8 and line.endswith(".") and "newsletter" not in line]
    assert [visible_text(p) for p in found[: len(story)]] == story[: len(found)]
    for furniture in ("Teilen", "Anzeige", "Mehr zum Thema", "Partager", "Lire aussi", "Publicité", "Compartir", "Publicidad", "Photo by", "Advertisement", "Most read"):
        assert furniture not in body


def test_a_sentence_that_names_social_networks_is_part_of_the_story():
    line = "Watch it on YouTube or TikTok."
    _, body, _ = _normalize("\n\n".join(["Bota", HEADLINE, STORY[0], line, STORY[1]]))
    assert body == [STORY[0], line, STORY[1]]


# Copied pages: what a line is, wherever the page put it ---------------------------------------

MENU = ["Home", "World", "Politics", "Business", "Science", "Culture", "Sport", "Opinion", "Video", "Podcasts",
        "Weather", "Travel", "Games", "Crosswords", "Obituaries", "Contact", "Careers", "Archive", "Search", "Log in",
        "Accessibility help", "Skip to content", "Cookie settings", "Español", "Local", "Health", "Events"]
LONG_STORY = [
    "The harbour authority approved the new ferry terminal on Tuesday after three years of planning and public hearings.",
    "Construction is expected to begin in the spring and will employ about four hundred workers from the region.",
    "Local fishermen had opposed an earlier design that would have closed the northern pier for most of the year.",
    "The revised plan keeps the pier open and moves the terminal further east, the authority said in a statement.",
    "Ferry operators said the terminal would double the number of daily crossings to the islands by next summer.",
]


def _page(*middle: str, tail: tuple[str, ...] = ()) -> str:
    """A whole copied page: a menu, the given lines, and a footer of short links."""
    footer = ["About us", "Privacy", "Terms of use", "Advertise", "Newsletters", "Help", "Jobs", "Sitemap"]
    return "\n".join([*MENU, *middle, *tail, *footer])


def test_a_title_case_headline_ending_in_a_stop_with_its_byline_split_over_two_lines():
    headline = "Harbour Authority Approves Ferry Terminal. Work Starts In Spring."
    text = _page(headline, "By", "Al Rivers", "Updated 3 March 2021, 14:05", "Print Article", "Text size",
                 "The old ferry terminal seen from the water. Photograph by Ana Lika/Harbour Press", *LONG_STORY)
    meta, body, _ = _normalize(text)
    assert (meta["title"], meta["author"]) == (headline, "Al Rivers")
    assert body == LONG_STORY


def test_a_caption_ending_with_its_credit_is_not_the_story():
    for caption in ("Ferries wait at the northern pier on Monday. (AP)", "The harbour at dawn (Credit: Getty Images)",
                    "Workers at the old terminal.Harbour Press", "The new terminal, as planned (Ana Lika/Harbour Press)"):
        _, body, result = _normalize("\n\n".join(["Bota", HEADLINE, STORY[0], caption, STORY[1], STORY[2]]))
        assert body == list(STORY), caption
        assert any("caption" in decision.reason for decision in result.decisions if decision.text == caption)


def test_a_question_headline_under_a_menu_is_the_headline():
    headline = "What should the city build on the old harbour land?"
    meta, body, _ = _normalize(_page(headline, "Ana Lika", "3 March 2021", *LONG_STORY))
    assert meta["title"] == headline
    assert body == LONG_STORY


def test_a_deck_between_the_headline_and_the_byline_is_not_taken_for_the_headline():
    headline = "Ferry terminal wins approval"
    deck = "Harbour authority backs a revised plan that keeps the northern pier open for fishermen"
    meta, body, _ = _normalize(_page("Ferry terminal wins approval", headline, deck, "Associated Press", "Published 11:26 pm, March 3, 2021", *LONG_STORY))
    assert meta["title"] == headline
    assert LONG_STORY[0] in body


def test_a_gallery_inside_the_story_leaves_the_story_whole():
    gallery = []
    for n in range(1, 4):
        gallery += [f"Image {n} of 3", f"An artist's impression of the terminal from the {['north', 'east', 'south'][n - 1]}."]
    meta, body, _ = _normalize(_page("Ferry terminal wins approval", "3 March 2021", *LONG_STORY[:2], *gallery, *LONG_STORY[2:]))
    assert body == LONG_STORY


def test_a_list_the_story_announces_or_goes_on_into_stays_in_the_story():
    announced = ["The three bidders are:", "Nordic Ferries, Bergen", "Adriatic Lines, Split", "Ionian Shipping, Patras"]
    schedule = ["Ferry Terminal Timetable", "May 3 – first crossing @ 06:00", "May 4 – second pier opens @ 08:00",
                "May 10 – night service @ 22:30", "June 1 – summer timetable @ 05:30"]
    meta, body, _ = _normalize(_page("Ferry terminal wins approval", "3 March 2021", *LONG_STORY[:2], *announced, *LONG_STORY[2:], *schedule,
                                     tail=("Most popular", "Storm closes the airport", "New mayor sworn in", "Tram fares go up")))
    assert body == [*LONG_STORY[:2], *announced, *LONG_STORY[2:], *schedule]


def test_an_offer_put_to_the_reader_ends_a_copied_story_and_a_sentence_about_subscribers_does_not():
    offers = ["Want more from the coast? Sign up for our morning newsletter.", "You can unsubscribe at any time.",
              "Join our reader forum to keep talking about the harbour."]
    _, body, _ = _normalize(_page("Ferry terminal wins approval", "3 March 2021", *LONG_STORY, *offers))
    assert body == LONG_STORY
    reported = "Subscribers to the ferry pass will pay less from next year, the operators said."
    _, body, _ = _normalize(_page("Ferry terminal wins approval", "3 March 2021", *LONG_STORY, reported))
    assert body == [*LONG_STORY, reported]


def test_an_offer_closing_a_drop_that_is_no_page_copy_is_kept_and_reported():
    offer = "Want more from the coast? Sign up for our morning newsletter."
    _, body, result = _normalize("\n\n".join(["Bota", HEADLINE, *STORY, offer]))
    assert body == [*STORY, offer]
    assert any("offer to the reader" in note and "line 11 " in note for note in result.notes)


def test_headlines_under_a_lone_prompt_and_a_contact_line_are_not_the_story():
    related = ["Related", "Storm closes the northern pier for a week", "Islanders ask for a second ferry"]
    contact = "Write to Ana Lika at ana.lika@example.com"
    _, body, _ = _normalize("\n\n".join(["Bota", HEADLINE, STORY[0], *related, STORY[1], STORY[2], contact]))
    assert body == list(STORY)


def test_a_first_name_that_is_also_a_particle_is_a_name():
    meta, _, _ = _normalize("\n\n".join(["Bota", HEADLINE, "By Al Root", *STORY]))
    assert meta["author"] == "Al Root"


def test_readers_comments_under_the_story_are_not_the_story():
    comments = ["Jamie Hoxha on March 4, 2021 at 10:12 am said:", "Finally some good news for the islands, I hope they keep the pier open.",
                "Comments are closed."]
    _, body, _ = _normalize(_page("Ferry terminal wins approval", "3 March 2021", *LONG_STORY, *comments))
    assert body == LONG_STORY


def test_caption_labels_and_the_pages_tags_are_not_the_story():
    furniture = ["Image caption Ferries wait at the northern pier on Monday", "Media captionWhat the new terminal will look like",
                 "Image copyright Harbour Press"]
    tags = "Tags: ferries, harbour, islands, northern pier, transport"
    _, body, _ = _normalize(_page("Ferry terminal wins approval", "3 March 2021", LONG_STORY[0], *furniture, *LONG_STORY[1:], tags))
    assert body == LONG_STORY



def test_a_breadcrumb_over_the_headline_names_the_section_not_the_menu_above_it():
    lines = ["Kryesore", "Ekonomi", "Sport", "Video", "Ballina > Politikë > Aktualitet", HEADLINE, *STORY]
    meta, _, _ = _normalize("\n".join(lines))
    assert meta["category"] == "Politikë"
    lines[4] = "Home › Harbour news › Ferries"
    meta, _, _ = _normalize("\n".join(lines))
    assert meta["category"] == "Ferries"


@pytest.mark.parametrize(
    ("name", "title", "summary", "author", "category", "first", "last"),
    [
        ("page_ru.txt", "Госдума приняла закон о цифровом рубле в третьем чтении", "Депутаты одобрили поправки после долгого обсуждения",
         "Иван Петров", "Политика", "Государственная дума", "Эксперты считают"),
        ("page_sq.txt", "Kuvendi miraton buxhetin e ri pas një debati të gjatë", None, "Redaksia", "Politikë", "Kuvendi i Shqipërisë", "Votimi përfundoi"),
        ("page_it.txt", "Il Governo approva la riforma delle pensioni: cosa cambia dal 2025", None, "Marco Rossi", "Politica",
         "Il Consiglio dei ministri", "Il provvedimento passa"),
        ("page_es.txt", "El Banco Central sube los tipos de interés por primera vez en una década",
         "La entidad justifica la decisión por la inflación persistente y anticipa nuevas subidas", "Juan Pérez", "Economía",
         "El Banco Central anunció", "Las bolsas europeas"),
        ("page_sr.txt", "Влада усвојила нови закон о порезима на имовину", None, "Ненад Илић", "Политика", "Влада Србије", "Министар финансија"),
        ("page_de.txt", "Landtag beschließt neues Schulgesetz", "Nach monatelangem Streit stimmt die Mehrheit für kleinere Klassen und mehr Lehrkräfte",
         "Max Mustermann", "Deutschland", "Der Landtag hat", "Lehrerverbände begrüßten"),
    ],
)
def test_a_copied_page_in_another_language_gives_headline_deck_byline_section_and_story(name, title, summary, author, category, first, last):
    meta, body = normalize_file(FIXTURES / "raw" / name)
    assert (meta["title"], meta.get("author"), meta["category"]) == (title, author, category)
    if summary:
        assert meta["summary"] == summary
    paragraphs = body_paragraphs(body)
    assert paragraphs[0].startswith(first) and paragraphs[-1].startswith(last)
    assert len(paragraphs) == (3 if name == "page_sr.txt" else 4)


def test_a_headline_over_a_longer_deck_a_captioned_picture_and_a_byline_with_a_role():
    meta, body = normalize_file(FIXTURES / "raw" / "page_en.txt")
    assert meta["title"] == "Ferry workers walk out as talks over pay collapse"
    assert meta["summary"].startswith("Unions say offer fell far short of inflation")
    paragraphs = body_paragraphs(body)
    assert len(paragraphs) == 5 and paragraphs[0].startswith("Ferry workers across the region")
    assert "Photograph" not in body and "Most viewed" not in body


def test_a_live_page_with_a_cookie_banner_ads_and_readers_comments():
    meta, body = normalize_file(FIXTURES / "raw" / "page_live_en.txt")
    assert (meta["title"], meta["author"]) == ("Storm Elin: power cut to 40,000 homes as winds reach 90mph", "Tom Baker and Lisa Grant")
    assert str(meta["date"]).startswith("2024-03-05T09:42")
    assert "cookies" not in body and "Advertisement" not in body and "Jenny Wood" not in body and "twelve hours" not in body
    assert body_paragraphs(body)[0].startswith("More than 40,000 homes")


def test_a_dateline_with_an_update_after_it_gives_the_first_date():
    meta, _, _ = _normalize("\n\n".join(["Bota", HEADLINE, "Publié le 3 mars 2021 à 14h05, mis à jour à 15h20", *STORY]))
    assert str(meta["date"]).startswith("2021-03-03T14:05")


def test_a_story_that_opens_with_a_list_of_results_keeps_every_line_under_its_headline():
    meta, body = normalize_file(FIXTURES / "raw" / "results_sq.txt")
    assert (meta["title"], meta["category"]) == ("Rezultatet e javës së 15-të në Kategorinë Superiore", "Sport")
    raw = (FIXTURES / "raw" / "results_sq.txt").read_text(encoding="utf-8").splitlines()
    assert [visible_text(p) for p in body_paragraphs(body)] == raw[2:]


def test_a_time_alone_under_the_byline_dates_the_story_on_the_day_of_the_drop():
    meta, _, result = _normalize("\n\n".join(["Sport", HEADLINE, "Nga Ana Lika", "Ora 11:30", *STORY]))
    assert datetime.fromisoformat(str(meta["date"])) == NOW.replace(hour=11, minute=30, second=0, microsecond=0)
    assert any("only a time" in note for note in result.notes)
    meta, _, _ = _normalize("\n\n".join(["Sport", HEADLINE, "Nga Ana Lika", "23:50", *STORY]))
    assert datetime.fromisoformat(str(meta["date"])) == (NOW - timedelta(days=1)).replace(hour=23, minute=50, second=0, microsecond=0)


@pytest.mark.parametrize("prompt", ["Lexo edhe: Qeveria premton kompensim për familjet në nevojë", "Watch: Storm closes the northern pier for a week"])
def test_a_label_and_a_headline_between_paragraphs_is_a_prompt_to_read_on(prompt):
    _, body, result = _normalize("\n\n".join(["Bota", HEADLINE, STORY[0], prompt, STORY[1], STORY[2]]))
    assert body == list(STORY)
    assert any(decision.text == prompt and decision.reason == "prompt to read on" for decision in result.decisions)
