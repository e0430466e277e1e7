"""Front-matter Markdown -> Article: strict YAML, values kept as typed, errors at the real file line."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from flashnews.ingest import content
from flashnews.ingest.content import parse_article
from flashnews.errors import FrontMatterError

ZONE = ZoneInfo("Europe/Tirane")
HEAD = "title: Tram line approved\ndate: 2025-12-01T10:00:00+01:00\ncategory: Bota\n"


def parse(text: str):
    return parse_article(text, path="content/story.md", zone=ZONE)


def error_of(text: str) -> FrontMatterError:
    with pytest.raises(FrontMatterError) as caught:
        parse(text)
    return caught.value


def article_with(field_lines: str):
    article, warnings = parse(f"---\n{HEAD}{field_lines}\n---\n\nBody text.\n")
    return article, [str(w) for w in warnings]


@pytest.mark.parametrize("prefix", ["\ufeff", "\u200b", "\ufeff\u200b\n\n"])
def test_bom_or_zero_width_space_before_the_opening_dashes_is_ignored(prefix):
    article, _ = parse(f"{prefix}---\n{HEAD}---\nBody.\n")
    assert article.title == "Tram line approved"


def test_windows_line_endings_and_old_mac_line_endings_parse_the_same():
    text = f"---\n{HEAD}---\n\nBody.\n"
    expected, _ = parse(text)
    for variant in (text.replace("\n", "\r\n"), text.replace("\n", "\r")):
        article, _ = parse(variant)
        assert article == expected


def test_blank_lines_after_the_opening_dashes_do_not_shift_reported_lines():
    error = error_of("---\n\n\ntitle: Tram line approved\ndate: someday\ncategory: Bota\n---\nBody.\n")
    assert error.location.line == 5


def test_unclosed_front_matter_is_reported_at_the_opening_line():
    error = error_of(f"\n\n---\n{HEAD}\nBody.\n")
    assert str(error).startswith("content/story.md:3: front matter is never closed")


@pytest.mark.parametrize("block", ["- title\n- date", "just a sentence", "'quoted'"])
def test_front_matter_that_is_not_a_mapping_is_refused(block):
    error = error_of(f"---\n{block}\n---\nBody.\n")
    assert "key: value" in error.message
    assert error.location.line == 1


def test_duplicate_key_is_reported_at_its_second_line_with_its_own_hint():
    error = error_of(f"---\n{HEAD}author: A\ntitle: Other\n---\nBody.\n")
    assert str(error) == (
        "content/story.md:6:1: front matter: duplicate key 'title'; each field may appear once; delete or rename one of them"
    )


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("NO", "NO"), ("yes", "yes"), ("12:30", "12:30"), ("1.10", "1.10"), ("0777", "0777"), ("~", "~"), ("null", "null"),
     ("2025-01-01", "2025-01-01"), ("1e3", "1e3"), ('"#1"', "#1"), ("'#1'", "#1"), ("C# 12", "C# 12")],
)
def test_values_yaml_would_coerce_stay_the_strings_typed(typed, kept):
    article, _ = article_with(f"author: {typed}")
    assert article.author == kept


def test_a_value_that_starts_with_hash_is_refused_since_yaml_reads_it_as_a_comment():
    error = error_of(f"---\n{HEAD}author: #1\n---\nBody.\n")
    assert error.location.line == 5
    assert "comment" in error.message
    assert 'author: "#1"' in error.hint


def test_a_hash_after_a_space_cuts_the_value_so_it_warns_at_that_line():
    article, warnings = article_with("summary: Hot news #breaking")
    assert article.summary == "Hot news"
    assert warnings == [
        "content/story.md:5: warning: the text of summary after ' #' is a YAML comment and is left out; put the value in quotes to keep it"
    ]


def test_full_line_comments_are_allowed():
    article, warnings = article_with("# reviewed by the desk")
    assert article.title == "Tram line approved" and warnings == []


def test_aliases_are_refused_with_their_own_hint():
    error = error_of(f"---\n{HEAD}summary: &s text\nauthor: *s\n---\nBody.\n")
    assert error.location.line == 6
    assert "alias" in error.message
    assert "quotes" in error.hint and "indentation" not in error.hint


def test_an_alias_bomb_is_refused_at_its_first_alias():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
    )
    error = error_of(f"---\n{HEAD}{bomb}---\nBody.\n")
    assert error.location.line == 6
    assert "alias" in error.message


@pytest.mark.parametrize(
    "value",
    ["!!python/object/apply:os.system ['echo hacked']", "!!python/name:os.system", "!!int 3", "!custom thing"],
)
def test_yaml_tags_including_python_tags_are_refused_with_their_own_hint(value):
    error = error_of(f"---\n{HEAD}author: {value}\n---\nBody.\n")
    assert (error.location.line, error.location.column) == (5, 9)
    assert "tag" in error.message
    assert "'!'" in error.hint


@pytest.mark.parametrize(("field", "value", "kind"), [("title", "[a, b]", "list"), ("category", "{a: b}", "mapping")])
def test_known_fields_of_the_wrong_type_are_refused_at_their_line(field, value, kind):
    head = "\n".join(f"{field}: {value}" if line.startswith(f"{field}:") else line for line in HEAD.split("\n"))
    error = error_of(f"---\n{head}---\nBody.\n")
    assert error.message == f"{field} must be text, not a {kind}"
    assert error.location.line == {"title": 2, "category": 4}[field]


def test_a_bad_date_is_reported_at_its_line_after_a_bom_and_blank_lines():
    error = error_of(f"\ufeff\n\n---\ntitle: Tram line approved\ncategory: Bota\ndate: yesterday\n---\nBody.\n")
    assert str(error).startswith("content/story.md:6: date 'yesterday' is not an ISO 8601 date")


def test_malformed_yaml_is_reported_at_the_real_file_line_and_column():
    error = error_of(f"\n---\n{HEAD}summary: 'never closed\n---\nBody.\n")
    assert (error.location.line, error.location.column) == (6, 10)


def test_deeply_nested_flow_values_are_refused_not_a_recursion_error():
    for opener in ("[", "{a: "):
        error = error_of(f"---\n{HEAD}x: &anchor {opener * 5000}\n---\nBody.\n")
        assert error.location.line == 5


@pytest.mark.parametrize("slug", ["../../etc", "/etc/passwd", "a/b", "con", "NUL", "x" * 200, "ünïcode", "a--b", "-a", "."])
def test_slugs_that_could_leave_the_output_folder_or_break_on_windows_are_refused(slug):
    error = error_of(f'---\n{HEAD}slug: "{slug}"\n---\nBody.\n')
    assert error.location.line == 5
    assert "slug" in error.message


@pytest.mark.parametrize("title", ["CON", "Nul", "...", "../../etc/passwd", "Lajm " * 100])
def test_a_slug_made_from_any_title_is_a_safe_single_segment(title):
    article, _ = parse(f'---\ntitle: "{title}"\ndate: 2025-12-01\ncategory: Bota\n---\nBody.\n')
    assert "/" not in article.slug and ".." not in article.slug
    assert article.slug not in {"con", "nul", ""}
    assert len(article.slug) <= 80


def test_control_and_bidi_characters_in_front_matter_are_removed_with_a_warning():
    article, warnings = parse(f"---\ntitle: Tram\x0b line \u202eapproved\ndate: 2025-12-01\ncategory: Bota\n---\nBody.\n")
    assert article.title == "Tram line approved"
    assert [w.split(": warning:")[0] for w in map(str, warnings)] == ["content/story.md:2", "content/story.md:2"]


def test_body_line_points_at_the_first_body_line_in_the_file():
    article, _ = parse(f"\ufeff---\n{HEAD}---\n\n\nFirst line.\n")
    assert article.body_line == 8


def test_a_misspelt_known_field_is_a_located_warning():
    text = '---\ntitle: "T"\ndate: "2025-01-01"\ncategory: "Sport"\nauhtor: "Typo Name"\ntags: "x"\n---\n\nBody.\n'
    article, warnings = parse_article(text, path="content/a.md", zone=ZoneInfo("Europe/Tirane"))
    assert article.extra["auhtor"] == "Typo Name"
    assert [str(w) for w in warnings] == [
        "content/a.md:5: warning: unknown field 'auhtor' is not used; did you mean 'author'?"
    ]


def yaml_reading(fm: str) -> object:
    """What the strict YAML loaders make of front matter, or the error class they raise."""
    try:
        return content._HANDLER.load(fm)
    except yaml.YAMLError as exc:
        return type(exc)


_KEYS = st.sampled_from(["title", "date", "category", "slug", "summary", "draft", "lang", "x-tra", "_k", "Title", "1k", "a b", "-k"])
_SEPARATORS = st.sampled_from([": ", ": ", ": ", ":", ":  ", " : ", ":\t"])
# Characters that mean something to YAML inside and outside quotes, controls, line separators,
# no-break and other spaces, and news text.
_YAML_CHARACTERS = st.one_of(
    st.sampled_from(list("\"'\\#:-?,[]{}&*!|>%@`. \t\u00a0\u0085\u2028\u2029\ufeff\x07\x1b\x7f\x9f’()+/")),
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"),
    st.sampled_from(list("aZë9Ç")),
)
_VALUES = st.one_of(
    st.text(alphabet=_YAML_CHARACTERS, max_size=25),
    st.text(alphabet=_YAML_CHARACTERS, max_size=25).map(lambda text: f'"{text}"'),
    st.text(alphabet=st.sampled_from(list("aZë9 .,:-'’?!()+/")), min_size=1, max_size=25),
    st.text(alphabet=st.sampled_from(list("aZë9 .,:-'’?!()+/")), max_size=25).map(lambda text: f'"{text}"'),
)
# Mostly plain letters with now and then one of the characters above, so many lines stay simple.
_SAFE = st.sampled_from(list("aZë9 .,'’?!()+/-:"))
_NEAR_SIMPLE = st.text(alphabet=st.one_of(*[_SAFE] * 12, _YAML_CHARACTERS), max_size=20)
_FIELD_NAMES = st.sampled_from(["title", "date", "category", "x-tra", "t"])
_FIELD_LINES = st.one_of(
    st.tuples(_FIELD_NAMES, st.just(": "), st.sampled_from(list("aZë9")), _NEAR_SIMPLE).map("".join),
    st.tuples(_FIELD_NAMES, st.just(': "'), _NEAR_SIMPLE, st.just('"')).map("".join),
    st.tuples(_FIELD_NAMES, st.just(': "'), _NEAR_SIMPLE, st.just('"')).map("".join),
    st.tuples(_KEYS, _SEPARATORS, _VALUES).map("".join),
    st.sampled_from(["", "# note", "  title: x", "---"]),
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_FIELD_LINES, min_size=1, max_size=4).map(lambda lines: "\n" + "\n".join(lines) + "\n"))
def test_simple_front_matter_is_read_as_yaml_reads_it_or_left_to_yaml(fm: str) -> None:
    simple = content._simple_front_matter(fm)
    assert simple is None or simple == yaml_reading(fm)


# One field, its value made of letters and the characters that decide how YAML reads a line.
_DECIDING = st.text(alphabet=st.sampled_from(list("ab9 :#'\"\\\t,-?[]{}&*!|>%@`\u00a0\u0085\u2028\u2029\ufeff\x1b’")), max_size=8)


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(["", '"']), st.sampled_from(list("aë9")), _DECIDING, st.sampled_from(["", '"']))
def test_one_simple_field_is_read_as_yaml_reads_it_or_left_to_yaml(opening: str, first: str, rest: str, closing: str) -> None:
    fm = f"\ntitle: {opening}{first}{rest}{closing}\n"
    simple = content._simple_front_matter(fm)
    assert simple is None or simple == yaml_reading(fm)


_NEWS_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters='"\\\ufeff\ufffe\uffff'), max_size=80)
_WORDS = st.lists(st.text(alphabet=st.sampled_from(list("aZëÇ9-.,'’")), min_size=1, max_size=8).filter(lambda word: word[0].isalnum()), min_size=1, max_size=6)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_NEWS_TEXT.map(lambda text: f'"{text}"'), _WORDS.map(" ".join)), min_size=1, max_size=8))
def test_front_matter_of_quoted_text_and_plain_words_needs_no_yaml_parser(values: list[str]) -> None:
    fm = "\n" + "".join(f"field{index}: {value}\n" for index, value in enumerate(values))
    simple = content._simple_front_matter(fm)
    assert simple is not None, "every line is a simple field, so YAML must not be needed"
    assert simple == yaml_reading(fm)


@pytest.mark.parametrize("length", [1024, 1025, 2000])
def test_a_simple_key_is_read_as_yaml_reads_it_up_to_yamls_limit(length: int) -> None:
    """YAML takes a simple key of at most 1,024 characters; a longer one is its error to report."""
    fm = "\ntitle: T\n" + "k" * length + ": v\n"
    simple = content._simple_front_matter(fm)
    assert simple is None or simple == yaml_reading(fm)
    assert (simple is not None) == (length <= 1024)
