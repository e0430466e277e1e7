"""Markdown body -> sanitized HTML, plus the reading facts pages show."""

from __future__ import annotations

import html
import math
import posixpath
import re
from urllib.parse import unquote, urlsplit

import markdown
import nh3

from flashnews.errors import SourceError, SourceLocation
from flashnews.model import Article, PictureReference, RenderedArticle

WORDS_PER_MINUTE = 200
MAX_BODY_CHARS = 500_000
MAX_NESTING = 40
# Python-Markdown's block parser takes time exponential in the quote/list markers on one line
# (24 levels take a second, 28 more than twenty), so this limit is far below MAX_NESTING.
MAX_MARKERS_PER_LINE = 16
# Its inline parser rescans a paragraph for every escape, code span, entity or tag in it, so
# the work grows with (markup characters x paragraph length); a larger product is refused.
MAX_INLINE_WORK = 200_000_000
# Each unescaped '[' makes it look ahead for the rest of a link, at a far higher cost per character
# (100 times the cost of an escape), so it counts a hundredfold.
ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl", "dt", "em",
        "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
        "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "u", "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_TAG = re.compile(r"<[^>]*>")
_NESTING = re.compile(r"^(?:[ \t]*(?:[>*+\-]|\d{1,9}[.)])(?=[ \t>]|$)[ \t]*){%d,}" % (MAX_MARKERS_PER_LINE + 1), re.MULTILINE)
_BRACKET_RUN = re.compile(r"[\[\]()<>]{%d,}" % (MAX_NESTING * 5))
_INLINE_MARKUP = re.compile(r"[\\`&<]")
_LINK_OPENER = re.compile(r"(?<!\\)\[")
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n")
# Each of Python-Markdown's inline patterns needs one of these in the text: a backslash escape,
# a code span, a link or image bracket, a tag, an entity, emphasis, or a hard line break (two
# spaces, or a tab its whitespace step expands, before a line end); STX and ETX are its own
# placeholders. A body with none of them gets the same HTML without the inline patterns.
_INLINE_TRIGGERS = re.compile(r"[`\\\[<&*_\t\r\x02\x03]")
_BRACKETS = "[]()<>"
# A line that opens with one of these is plain text to every block processor of Python-Markdown
# (no indent, heading, rule, setext underline, list, quote, reference or HTML block can start
# with a letter, a quote mark or a bracket); a digit run is plain unless a list marker follows.
_PLAIN_LINE_START = re.compile(r"(?:[^\W\d_]|\d+(?![\d.)])|[\"'“”‘’„«»(¿¡])")


def has_inline_markup(text: str) -> bool:
    """Whether any of Python-Markdown's inline patterns could match in text (see above)."""
    return "  \n" in text or _INLINE_TRIGGERS.search(text) is not None


def plain_paragraphs(text: str) -> str | None:
    """Python-Markdown's HTML for a body that is only paragraphs of plain text, or None when
    the body has anything else (inline markup, or a line some block syntax could claim).

    Such a body needs none of Python-Markdown's machinery: each run of non-blank lines is one
    paragraph, and the only character its serializer escapes is '>' ('&' and '<' are inline
    triggers). Most news text is like this."""
    return None if has_inline_markup(text) else _paragraphs_of(text)


def _paragraphs_of(text: str) -> str | None:
    """plain_paragraphs for a text without inline markup."""
    paragraphs: list[str] = []
    lines: list[str] = []
    for line in text.split("\n"):
        if not line:
            if lines:
                paragraphs.append("\n".join(lines))
                lines = []
            continue
        if line[-1].isspace() or _PLAIN_LINE_START.match(line) is None:
            return None
        lines.append(line)
    if lines:
        paragraphs.append("\n".join(lines))
    return "\n".join(f"<p>{paragraph.replace('>', '&gt;')}</p>" for paragraph in paragraphs)


class MarkupError(SourceError):
    """A Markdown body that cannot be rendered safely."""


class BodyConverter:
    """Python-Markdown for article bodies; one per process, always with Python-Markdown's output.

    A body of plain paragraphs (most news text) needs no parsing at all (plain_paragraphs). Any
    other body without inline markup skips the inline patterns, which are half of
    Python-Markdown's time: each one scans every paragraph, and none can match in a body without
    has_inline_markup."""

    def __init__(self) -> None:
        self._full = markdown.Markdown(extensions=[], output_format="html")
        self._plain = markdown.Markdown(extensions=[], output_format="html")
        self._plain.treeprocessors.deregister("inline")

    def convert(self, text: str) -> str:
        html = plain_paragraphs(text)
        return self.markdown(text) if html is None else html

    def markdown(self, text: str) -> str:
        """Python-Markdown's HTML, without its inline patterns when no inline markup can match."""
        if has_inline_markup(text):
            return self._full.reset().convert(text)
        return self._plain.reset().convert(text)


def sanitized_plain(html: str) -> str:
    """sanitize_html of plain_paragraphs' HTML, without parsing it: it holds only <p> tags and
    text without '&', '<' or CR, in which the sanitizer's serializer changes only the no-break
    space (to &nbsp;) and its parser only NUL (dropped, left to the sanitizer here)."""
    return sanitize_html(html) if "\x00" in html else html.replace("\u00a0", "&nbsp;")


def create_converter() -> BodyConverter:
    return BodyConverter()


def _check_body(article: Article, *, plain: bool = False) -> None:
    """Refuse a body Python-Markdown would take too long over. A body of plain paragraphs
    (plain=True) skips the checks that cannot fail for it: a plain line opens with no quote or
    list marker (nor the spaces before one), and a body without inline triggers does no inline work."""
    location = SourceLocation(article.source_path, article.body_line)
    if len(article.body) > MAX_BODY_CHARS:
        raise MarkupError(location, f"body is longer than {MAX_BODY_CHARS} characters", hint="split the article")
    checks: list[tuple[re.Pattern[str], str]] = []
    if not plain:
        checks.append((_NESTING, f"quotes or lists nested more than {MAX_MARKERS_PER_LINE} levels on one line"))
    if sum(article.body.count(ch) for ch in _BRACKETS) >= MAX_NESTING * 5:  # else too few for a run of them
        checks.append((_BRACKET_RUN, f"a run of {MAX_NESTING * 5} or more brackets"))
    for pattern, what in checks:
        match = pattern.search(article.body)
        if match:
            raise MarkupError(_location_of(article, match.start()), what, hint="escape the characters with a backslash")
    body = article.body
    if plain:
        return
    links = len(_LINK_OPENER.findall(body)) if "[" in body else 0
    if len(body) * max(len(_INLINE_MARKUP.findall(body)), links * 100) <= MAX_INLINE_WORK:
        return  # no paragraph can hold more than the whole body
    start = 0
    for block in _BLOCK_BREAK.split(article.body):
        start = article.body.index(block, start)
        work = len(block) * max(len(_INLINE_MARKUP.findall(block)), len(_LINK_OPENER.findall(block)) * 100)
        if work > MAX_INLINE_WORK:
            raise MarkupError(
                _location_of(article, start),
                f"a paragraph of {len(block)} characters holds too much markup to render quickly",
                hint="split it into shorter paragraphs with blank lines",
            )
        start += len(block)


def _location_of(article: Article, index: int) -> SourceLocation:
    return SourceLocation(article.source_path, article.body_line + article.body.count("\n", 0, index))


def sanitize_html(fragment: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace folded."""
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def text_facts(body_html: str) -> tuple[list[str], str]:
    """The words of a body's HTML and its lead: the text of its first paragraph, else its first
    300 characters."""
    words = html.unescape(_TAG.sub(" ", body_html)).split()
    first_paragraph = re.search(r"<p>(.*?)</p>", body_html, re.DOTALL)
    lead = html_to_text(first_paragraph.group(1)) if first_paragraph else " ".join(words)[:300]
    return words, lead


_IMG_SRC = re.compile(r'<img\b[^>]*?\ssrc="([^"]*)"')


def find_pictures(article: Article, body_html: str) -> tuple[PictureReference, ...]:
    """The local pictures a sanitized body shows (an <img> src without a scheme), each as a path
    inside the content folder; raises MarkupError for one that points outside it (an absolute
    path, or one climbing out with '..'), so no build ever reads it."""
    if "<img" not in body_html:
        return ()
    _, _, inside = article.source_path.partition("/")
    folder = posixpath.dirname(inside)
    found: list[PictureReference] = []
    searched = 0
    for match in _IMG_SRC.finditer(body_html):
        src = html.unescape(match.group(1))
        parts = urlsplit(src)
        if parts.scheme or parts.netloc or src.startswith("//") or not parts.path:
            continue  # a picture on the web, shown as it is
        at = article.body.find(src, searched)
        if at < 0:
            at = article.body.find(src)
        searched = max(searched, at + len(src)) if at >= 0 else searched
        location = _location_of(article, at) if at >= 0 else SourceLocation(article.source_path, article.body_line)
        name = unquote(parts.path)
        joined = posixpath.normpath(posixpath.join(folder, name))
        if name.startswith("/") or "\\" in name or "\x00" in name or joined == ".." or joined.startswith("../"):
            raise MarkupError(
                location,
                f"picture {src} is outside the content folder",
                hint="put the picture in content/ (beside the article) and name it relative to the article, as in ![Harbour](harbour-2.jpg)",
            )
        found.append(PictureReference(src, joined, location.line))
    return tuple(found)


def render_article(article: Article, converter: BodyConverter) -> RenderedArticle:
    """Convert and sanitize the body; raises MarkupError for bodies that are unsafe to render.

    A body of plain paragraphs without NUL (see plain_paragraphs and sanitized_plain) has its
    words and lead taken from its text: its HTML holds only <p> tags around that text, with '>'
    and the no-break space escaped, so text_facts would find the same."""
    body = article.body
    plain = None if "\x00" in body or has_inline_markup(body) else _paragraphs_of(body)
    _check_body(article, plain=plain is not None)
    if plain is not None:
        body_html = sanitized_plain(plain)
        words = body.split()
        lead = " ".join(body.lstrip("\n").split("\n\n", 1)[0].split())
    else:
        try:
            body_html = sanitize_html(converter.markdown(body))
        except RecursionError as exc:
            raise MarkupError(
                SourceLocation(article.source_path, article.body_line), "Markdown is nested too deeply", hint="simplify the body"
            ) from exc
        words, lead = text_facts(body_html)
    pictures = find_pictures(article, body_html) if plain is None else ()
    return RenderedArticle(
        article=article,
        body_html=body_html,
        lead=article.summary or lead,
        reading_minutes=max(1, math.ceil(len(words) / WORDS_PER_MINUTE)),
        word_count=len(words),
        pictures=pictures,
    )
