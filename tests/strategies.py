"""Hypothesis strategies for editor input: raw drops, their bytes as Windows and Mac tools save them,
Markdown bodies and front matter, with markup look-alikes mixed into ordinary words."""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

from hypothesis import strategies as st

SECTIONS = ("Bota", "Politikë", "Ekonomi", "Sport", "Kulturë", "Teknologji")
# Unicode categories an editor does not type on purpose (controls, format, surrogates, private use,
# unassigned, line/paragraph separators): decode removes or refuses them, so they are tested there.
_EXCLUDED = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
LOOKALIKES = (
    "<script>alert(1)</script>", "<b>", "</p>", "<!--", "-->", "**bold**", "*", "_", "__init__", "`code`", "```",
    "[link](javascript:alert(1))", "[x]", "![img](x.png)", "&amp;", "&lt;", "&#60;", "&", "{{ config }}", "{% raw %}",
    "#", "##", "> quote", ">", "1.", "2)", "-", "+", "---", "===", "|", "| a | b |", "\\", "\\*", "~~", "^", "<http://x.y>",
    "]]>", "%s", "{0}", "$(rm -rf /)", "'", '"', "…", "—", "ë", "Ç", "日本", "مرحبا", "🙂",
)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text)


words = st.one_of(
    st.text(st.characters(exclude_categories=_EXCLUDED + ("Zs",)), min_size=1, max_size=12).map(_clean).filter(str.strip),
    st.sampled_from(LOOKALIKES),
    st.from_regex(r"[A-Za-zëç]{2,10}", fullmatch=True),
)
"""One word an editor might type: letters from any script, or something that looks like markup."""

lines = st.lists(words, min_size=1, max_size=12).map(" ".join)
"""One line of text."""

sentences = st.tuples(
    st.lists(st.from_regex(r"[A-Za-zëç]{2,10}", fullmatch=True), min_size=3, max_size=3),
    st.lists(words, max_size=12),
    st.sampled_from([".", "!", "?", ".”", ";"]),
).map(lambda parts: " ".join(parts[0] + parts[1]) + parts[2])
"""One line of a story: any words an editor might type, as a sentence (the normalizer finds a
story by its sentences; a line of loose words may be page furniture)."""

paragraphs = st.lists(sentences, min_size=1, max_size=4)
"""Lines of one paragraph."""


@dataclass(frozen=True)
class RawDrop:
    """A raw drop and the parts the normalizer must find in it."""

    text: str
    section: str
    headline: str
    body: tuple[tuple[str, ...], ...]


headlines = st.lists(st.from_regex(r"[A-Z][a-zë]{3,9}", fullmatch=True), min_size=4, max_size=10).map(" ".join)
"""A headline the normalizer recognises: several plain words."""


@st.composite
def raw_drops(draw: st.DrawFn) -> RawDrop:
    """A section line, a headline and paragraphs of arbitrary text, as an editor pastes them."""
    section = draw(st.sampled_from(SECTIONS))
    headline = draw(headlines)
    body = draw(st.lists(paragraphs, min_size=1, max_size=5))
    text = f"{section}\n{headline}\n\n" + "\n\n".join("\n".join(p) for p in body) + "\n"
    return RawDrop(text, section, headline, tuple(tuple(p) for p in body))


def _saved(text: str, variant: str) -> bytes:
    if variant == "utf-8":
        return text.encode("utf-8")
    if variant == "utf-8-bom":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    if variant == "utf-8-crlf":
        return text.replace("\n", "\r\n").encode("utf-8")
    if variant == "utf-8-cr":
        return text.replace("\n", "\r").encode("utf-8")
    if variant == "utf-16":
        return text.encode("utf-16")  # with a BOM, as Notepad saves "Unicode"
    return text.replace("\n", "\r\n").encode("utf-16-le")  # no BOM


SAVE_VARIANTS = ("utf-8", "utf-8-bom", "utf-8-crlf", "utf-8-cr", "utf-16", "utf-16-le-crlf")


@st.composite
def saved_drops(draw: st.DrawFn) -> tuple[RawDrop, bytes]:
    """A raw drop and its bytes, saved by one of the tools editors use."""
    drop = draw(raw_drops())
    return drop, _saved(drop.text, draw(st.sampled_from(SAVE_VARIANTS)))


markdown_bodies = st.lists(
    st.one_of(lines, st.sampled_from(["", "> > quote", "- item", "    code", "1. one", "| a | b |\n|---|---|\n| c | d |", "***"])),
    max_size=20,
).map("\n".join)
"""A Markdown body an editor might write, markup and all."""

front_matter_values = st.one_of(
    words, lines, st.sampled_from(["NO", "yes", "12:30", "1.10", "#1", "'#1'", "~", "null", "[a, b]", "{a: b}", "&a x", "*a", "!!int 1", "|", ">"])
)
"""A value typed after 'key: ', including the ones YAML would coerce or refuse."""


@st.composite
def front_matter_texts(draw: st.DrawFn) -> str:
    """A .md file whose front matter mixes the known fields with arbitrary values."""
    keys = draw(st.lists(st.sampled_from(["title", "date", "category", "slug", "summary", "author", "draft", "lang", "extra"]), max_size=9))
    body = draw(markdown_bodies)
    fields = "".join(f"{key}: {draw(front_matter_values)}\n" for key in keys)
    return f"---\ntitle: Some headline here\ndate: 2025-12-01\ncategory: Bota\n{fields}---\n\n{body}\n"
