"""Markdown -> sanitized HTML: executable markup never survives, pathological input finishes or is refused."""

from __future__ import annotations

import string
import threading
from datetime import datetime, timezone
from html.parser import HTMLParser

import markdown
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from flashnews.ingest.markup import (
    BodyConverter,
    MarkupError,
    _check_body,
    create_converter,
    has_inline_markup,
    html_to_text,
    plain_paragraphs,
    render_article,
    sanitize_html,
    sanitized_plain,
    text_facts,
)
from tests.conftest import REPO, sample_drops
from flashnews.model import Article

# Generous: these bodies render in well under a second; the limit only turns a hang into a failure.
HANG_LIMIT_SECONDS = 120


def article(body: str, *, body_line: int = 7) -> Article:
    return Article(
        source_path="content/story.md",
        title="Tram line approved",
        date=datetime(2025, 12, 1, tzinfo=timezone.utc),
        category="Bota",
        slug="tram-line-approved",
        body=body,
        body_line=body_line,
    )


def render_or_refuse(body: str) -> object:
    """The rendered article or the MarkupError, from a thread that must finish."""
    outcome: list[object] = []

    def work() -> None:
        try:
            outcome.append(render_article(article(body), create_converter()))
        except MarkupError as exc:
            outcome.append(exc)
        except BaseException as exc:  # noqa: BLE001 - reported below as the test failure
            outcome.append(("escaped", exc))

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(HANG_LIMIT_SECONDS)
    assert not thread.is_alive(), "rendering did not finish"
    assert not isinstance(outcome[0], tuple), f"an exception escaped: {outcome[0]!r}"
    return outcome[0]


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def inspect(html: str) -> _Inspector:
    parser = _Inspector()
    parser.feed(html)
    parser.close()
    return parser


PATHOLOGICAL = {
    "quotes nested on one line": "> " * 40 + "deep\n",
    "lists nested on one line": "- " * 40 + "deep\n",
    "ordered lists nested on one line": "1. " * 40 + "deep\n",
    "mixed nesting": "* > 1. " * 15 + "deep\n",
    "thousands of opening brackets": "[" * 5000 + "x",
    "balanced brackets": "[" * 1000 + "x" + "]" * 1000,
    "link openers": "[](" * 3000,
    "image openers": "![" * 3000 + "x",
    "unclosed links": "[a " * 6000,
    "links never closed by a parenthesis": "[a]( " * 3000,
    "angle brackets": "<" * 100_000,
    "backtick run": "`" * 100_000,
    "backslash run": "\\" * 200_000,
    "escapes in one paragraph": "\\* " * 30_000,
    "inline tags in one paragraph": "<b>a</b> " * 20_000,
    "entities in one paragraph": "&amp; " * 40_000,
    "emphasis storm": "*" * 50_000 + "a" + "*" * 50_000,
    "alternating emphasis": "*a **b " * 30_000,
    "huge table of emphasis": "| a | b |\n|---|---|\n" + "| *a* **b** _c_ | `d` |\n" * 5_000,
    "deep indentation": "\n".join("  " * i + "- x" for i in range(500)),
    "nested html": "<div>" * 5000 + "x",
    "reference storm": "[a][b]" * 30_000,
}


@pytest.mark.parametrize("body", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_markdown_finishes_or_is_refused_with_a_located_error(body):
    outcome = render_or_refuse(body)
    if isinstance(outcome, MarkupError):
        assert outcome.location.path == "content/story.md"
        assert outcome.location.line >= 7
        assert outcome.hint


def test_deep_nesting_is_refused_at_its_own_line_of_the_file():
    outcome = render_or_refuse("A first paragraph.\n\nAnother.\n\n" + "> " * 40 + "deep\n")
    assert isinstance(outcome, MarkupError)
    assert str(outcome).startswith("content/story.md:11: quotes or lists nested more than")


def test_a_markup_heavy_paragraph_is_refused_at_its_first_line():
    outcome = render_or_refuse("Intro.\n\n" + "\\* " * 40_000)
    assert isinstance(outcome, MarkupError)
    assert outcome.location.line == 9
    assert "shorter paragraphs" in outcome.hint


def test_ordinary_nesting_and_horizontal_rules_still_render():
    outcome = render_or_refuse("> > quoted twice\n\n- a\n    - b\n        - c\n\n" + "_" * 60 + "\n\n1. one\n2. two\n")
    assert not isinstance(outcome, MarkupError)
    assert "<hr" in outcome.body_html and "quoted twice" in outcome.body_html


EXECUTABLE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<p onclick=alert(1)>text</p>",
    '<a title="a" onmouseover=alert(1)>x</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<object data=x></object><embed src=x>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<meta http-equiv=refresh content="0;url=javascript:alert(1)">',
    '<base href="//evil.example/">',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="java&#10;script:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="java&#0000115;cript:alert(1)">x</a>',
    '<a href="  &#x6A;avascript&colon;alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](<java\nscript:alert(1)>)",
    "[x](jav&#x61;script:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "![x](javascript:alert(1))",
    "[x]: javascript:alert(1)\n\n[y][x]",
    "<javascript:alert(1)>",
]


@pytest.mark.parametrize("body", EXECUTABLE)
def test_executable_markup_in_a_body_is_removed_in_every_disguise(body):
    outcome = render_or_refuse(body)
    page = inspect(outcome.body_html)
    assert not {"script", "iframe", "object", "embed", "form", "meta", "base", "svg", "math", "style"} & set(page.tags)
    assert not [name for name, _ in page.attributes if name.startswith("on") or name in ("style", "srcdoc", "action")]
    for name, value in page.attributes:
        if name in ("href", "src"):
            squeezed = "".join(value.split()).casefold()
            assert not squeezed.startswith(("javascript:", "vbscript:", "data:")), value


def test_links_keep_safe_schemes_and_get_noopener():
    outcome = render_or_refuse("[site](https://example.org/) [mail](mailto:desk@example.org) [call](tel:+35541234)")
    hrefs = [value for name, value in inspect(outcome.body_html).attributes if name == "href"]
    assert hrefs == ["https://example.org/", "mailto:desk@example.org", "tel:+35541234"]
    assert outcome.body_html.count('rel="noopener noreferrer"') == 3


def test_html_to_text_gives_the_visible_words():
    assert html_to_text("<p>Tram &amp; bus</p><ul><li>one</li></ul>") == "Tram & bus one"


# Every printable ASCII character that is not an inline trigger, Albanian letters, a no-break
# space, and line breaks, so block syntax (headings, lists, quotes, code blocks, rules) appears.
_NO_TRIGGER = "".join(
    ch for ch in (string.printable + "ëçËÇ\u00a0—“”’\n\n\n\n") if not has_inline_markup(ch) and ch not in "\x0b\x0c"
)


# Runs of characters that mean something to Markdown: line-end spaces, indents, list, quote and
# heading markers, rules.
_TOKENS = ["  \n", "   \n", "\n\n", "    ", "1. ", "- ", "+ ", "> ", "# ", "## ", "---\n", "===\n", "word ", "Tiranë "]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(list(_NO_TRIGGER)), st.sampled_from(_TOKENS)), max_size=200).map("".join))
def test_a_body_without_inline_triggers_converts_as_python_markdown_does(text: str) -> None:
    assume(not has_inline_markup(text))
    assert BodyConverter().convert(text) == markdown.Markdown(extensions=[], output_format="html").convert(text)


@pytest.mark.parametrize(
    "text",
    ["plain *emphasis*", "snake_case_name", "a `code` span", "escaped \\# hash", "[a link](https://example.org)",
     "Tom &amp; Jerry", "<b>bold</b>", "line  \nbreak", "tab\t\nbreak"],
)
def test_a_body_with_inline_markup_converts_as_python_markdown_does(text: str) -> None:
    assert has_inline_markup(text)
    assert BodyConverter().convert(text) == markdown.Markdown(extensions=[], output_format="html").convert(text)


def test_the_sample_bodies_convert_as_python_markdown_does() -> None:
    bodies = [path.read_text(encoding="utf-8").split("\n---\n", 1)[-1] for path in sorted((REPO / "tests" / "golden").rglob("*.md"))]
    bodies += [path.read_bytes().decode("utf-8", "replace") for path in sample_drops()]
    assert bodies
    converter = BodyConverter()
    for body in bodies:
        assert converter.convert(body) == markdown.Markdown(extensions=[], output_format="html").convert(body)


def python_markdown(text: str) -> str:
    return markdown.Markdown(extensions=[], output_format="html").convert(text)


# Lines of news text: they open with a letter, a quote mark, a bracket or a number, and hold any
# character that is not an inline trigger, including '>', list and heading markers, odd spaces
# and line separators in the middle.
_LINE_START = st.sampled_from(["A", "ë", "Ç", "z", "“", "”", '"', "'", "‘", "„", "«", "»", "(", "¿", "¡", "7 ", "2025 ", "12,5"])
_LINE_MIDDLE = st.text(alphabet=_NO_TRIGGER.replace("\n", "") + "\x0b\x0c\u2028\u3000>#=-+.)1", max_size=60)
_LINE_END = st.sampled_from(["", "a", ".", "—", ">", "#", "=", "-", "1", ")"])
_PLAIN_LINE = st.tuples(_LINE_START, _LINE_MIDDLE, _LINE_END).map("".join).filter(lambda line: not line[-1].isspace())


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_PLAIN_LINE, st.just("")), max_size=30).map("\n".join))
def test_plain_paragraphs_are_converted_without_parsing_exactly_as_python_markdown_does(text: str) -> None:
    assume(not has_inline_markup(text))
    html = plain_paragraphs(text)
    assert html is not None, "every line is plain text, so the shortcut must apply"
    assert html == python_markdown(text)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(list(_NO_TRIGGER)), st.sampled_from(_TOKENS + ["1) ", "12.", "\u00a0\n", "\x0c"])), max_size=200).map("".join))
def test_plain_paragraphs_declines_every_body_it_would_get_wrong(text: str) -> None:
    html = plain_paragraphs(text)
    assert html is None or html == python_markdown(text)


# Any character but the sanitizer's own specials: controls, NUL, no-break and other spaces,
# noncharacters, private use, astral letters.
_ANY_CHARACTER = st.characters(blacklist_categories=("Cs",), blacklist_characters="&<\r")


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(_PLAIN_LINE, st.text(alphabet=_ANY_CHARACTER, max_size=30), st.just("")), max_size=12).map("\n".join))
def test_plain_paragraphs_come_out_as_the_sanitizer_would_leave_them(text: str) -> None:
    html = plain_paragraphs(text)
    assume(html is not None)
    assert sanitized_plain(html) == sanitize_html(html)


@pytest.mark.parametrize(
    "text",
    ["1. first", "Intro\n\n2025. A year", "# Heading", "Para\n===", "Para\n---", "> quote", "- item", "    code",
     " leading space", "\u00a0no-break space first", "trailing space ", "*", "[ref]: https://example.org", "<div>x</div>"],
)
def test_plain_paragraphs_leaves_block_syntax_to_python_markdown(text: str) -> None:
    assert plain_paragraphs(text) is None
    assert BodyConverter().convert(text) == python_markdown(text)


def _rendered_the_long_way(body: str) -> tuple[str, object]:
    """render_article without its plain-paragraph shortcut: every check, the converter, and the
    words and lead read from the HTML."""
    item = article(body)
    try:
        _check_body(item)
        html = sanitize_html(create_converter().markdown(body))
    except MarkupError as exc:
        return "refused", str(exc)
    words, lead = text_facts(html)
    return "rendered", (html, len(words), lead)


def _rendered(body: str) -> tuple[str, object]:
    try:
        item = render_article(article(body), create_converter())
    except MarkupError as exc:
        return "refused", str(exc)
    return "rendered", (item.body_html, item.word_count, item.lead)


_BRACKET_LINE = st.sampled_from(["A" + ")" * 200, "(" * 100 + ")" * 100, "Run ]]]]" * 30, "> " * 20 + "deep", "1. " * 20 + "x"])


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(
        st.one_of(_PLAIN_LINE, st.text(alphabet=_ANY_CHARACTER, max_size=30), st.just(""), _BRACKET_LINE, st.sampled_from(_TOKENS)),
        max_size=12,
    ).map("\n".join)
)
def test_plain_bodies_render_as_the_long_way_would(body: str) -> None:
    assert _rendered(body) == _rendered_the_long_way(body)


def pictured(body: str, *, source_path: str = "content/story.md"):
    from dataclasses import replace

    return render_article(replace(article(body), source_path=source_path), create_converter())


def test_a_local_picture_in_the_body_is_recorded_with_its_path_inside_content_and_its_line():
    item = pictured("The quay at dawn.\n\n![Ferries at the quay](harbour-2.jpg)\n\n![](../night%20shot.png)", source_path="content/2025/story.md")
    assert [(p.src, p.path, p.line) for p in item.pictures] == [("harbour-2.jpg", "2025/harbour-2.jpg", 9), ("../night%20shot.png", "night shot.png", 11)]
    assert '<img alt="Ferries at the quay" src="harbour-2.jpg">' in item.body_html


def test_a_picture_on_the_web_is_not_a_local_picture_and_stays_as_it_is():
    item = pictured("![Map](https://maps.example/tram.png)\n\n![Cdn](//cdn.example/a.png)")
    assert item.pictures == ()
    assert '<img alt="Map" src="https://maps.example/tram.png">' in item.body_html


@pytest.mark.parametrize(
    "src",
    ["../escape.png", "../../etc/passwd.png", "/etc/photo.jpg", "%2e%2e/escape.png", "a/../../escape.png", "..\\escape.png"],
)
def test_a_picture_outside_the_content_folder_is_refused_at_its_line(src):
    with pytest.raises(MarkupError) as caught:
        pictured(f"First paragraph.\n\nSecond, with a picture: ![x]({src})")
    assert caught.value.location.line == 9
    assert str(caught.value).startswith(f"content/story.md:9: picture {src} is outside the content folder; ")


def test_climbing_out_of_a_subfolder_into_content_is_allowed():
    (found,) = pictured("![x](../harbour.jpg)", source_path="content/2025/story.md").pictures
    assert found.path == "harbour.jpg"
