"""An HTML element tree (a converted Word document, an extracted web article) -> Markdown blocks.

Only structure we know is written: paragraphs, headings, emphasis, links, lists, quotes, tables,
pictures. Text is escaped so Python-Markdown shows it exactly as written, and no tag of the input
passes through: a table is written out again from its cells' text. Scripts, styles, forms and
frames are dropped with everything inside them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from lxml import etree

# (src, alt) -> the Markdown reference to write, or None to leave the picture out.
ImageReference = Callable[[str, str], str | None]

_DROPPED = frozenset(
    {
        "script", "style", "noscript", "iframe", "frame", "frameset", "form", "input", "button", "select",
        "textarea", "option", "object", "embed", "applet", "svg", "math", "canvas", "template", "head",
        "title", "meta", "link", "base", "audio", "video", "source", "track", "map", "dialog", "nav",
    }
)
_CONTAINERS = frozenset(
    {"html", "body", "div", "section", "article", "main", "header", "footer", "aside", "center", "details", "summary", "hgroup"}
)
_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "table", "pre", "hr", "figure", "dl", "dt", "dd", "address", "li"})
_LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_ENTITY = re.compile(r"&(?=#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
_INLINE_SPECIAL = re.compile(r"([`*_\[\]])")
_LINE_START = re.compile(r"^([#>+\-])")
_NUMBERED = re.compile(r"^(\d+)\.(?=\s|$)")
_URL_UNSAFE = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", '"': "%22", "\\": "%5C"}


@dataclass(frozen=True, slots=True)
class Block:
    """One top-level block of a body: its Markdown, its plain text, and what it is."""

    kind: str  # paragraph, heading, list, quote, table, code, rule, image
    markdown: str
    text: str
    level: int = 0  # 1-6 for a heading
    style: str = ""  # the class the converter gave it (a Word style such as "standfirst")


def escape_text(text: str) -> str:
    """Inline text, whitespace folded and escaped so Python-Markdown shows it as written."""
    text = _SPACE.sub(" ", text).replace("\\", "\\\\")
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;")
    return _INLINE_SPECIAL.sub(r"\\\1", text)


def picture_markdown(alt: str, name: str) -> str:
    """The Markdown that shows a picture file written beside the article: `![alt](name)`, the
    name percent-encoded so spaces and brackets in it cannot end the reference."""
    return f"![{escape_text(alt).strip()}]({quote(name)})"


def _escape_line_starts(markdown: str) -> str:
    """Escape what would open a block at the start of each line (a heading, quote, list, rule)."""
    lines = []
    for line in markdown.split("\n"):
        line = line.lstrip(" ")
        line = _NUMBERED.sub(r"\1\\.", _LINE_START.sub(r"\\\1", line))
        if re.fullmatch(r"=+\s*", line):
            line = "&#61;" + line[1:]
        lines.append(line)
    return "\n".join(lines)


def _tag(element: etree._Element) -> str:
    return element.tag.rpartition("}")[2].lower() if isinstance(element.tag, str) else ""


def _safe_url(href: str) -> str | None:
    href = href.strip()
    scheme = urlsplit(href).scheme.lower() if href else ""
    if scheme not in _LINK_SCHEMES:
        return None
    return "".join(_URL_UNSAFE.get(ch, ch) for ch in href)


class _Writer:
    def __init__(self, image_reference: ImageReference) -> None:
        self.image_reference = image_reference

    # -- inline ------------------------------------------------------------------------------

    def inline(self, element: etree._Element, active: frozenset[str] = frozenset()) -> tuple[str, str]:
        """The Markdown and plain text of an element's content (its text, children and their tails)."""
        parts: list[str] = [escape_text(element.text or "")]
        texts: list[str] = [element.text or ""]
        for child in element:
            markdown, text = self.inline_element(child, active)
            parts.append(markdown)
            texts.append(text)
            parts.append(escape_text(child.tail or ""))
            texts.append(child.tail or "")
        return "".join(parts), "".join(texts)

    def inline_element(self, element: etree._Element, active: frozenset[str]) -> tuple[str, str]:
        tag = _tag(element)
        if not tag or tag in _DROPPED:
            return "", ""
        if tag == "br":
            return "  \n", "\n"
        if tag == "img":
            reference = self.image_reference(element.get("src", ""), element.get("alt", "") or "")
            return (reference or "", "")
        markdown, text = self.inline(element, active)
        if tag in ("strong", "b") and "strong" not in active:
            return _wrap(self.inline(element, active | {"strong"})[0], "**"), text
        if tag in ("em", "i", "cite", "dfn") and "em" not in active:
            return _wrap(self.inline(element, active | {"em"})[0], "*"), text
        if tag == "a" and "a" not in active:
            url = _safe_url(element.get("href", ""))
            inner = self.inline(element, active | {"a"})[0]
            if url and inner.strip():
                return f"[{inner.strip()}]({url})", text
        return markdown, text

    # -- blocks ------------------------------------------------------------------------------

    def blocks(self, container: etree._Element) -> list[Block]:
        """The blocks of a container; loose text and inline elements between blocks become paragraphs."""
        found: list[Block] = []
        pending: list[tuple[str, str]] = [(escape_text(container.text or ""), container.text or "")]

        def flush() -> None:
            block = self.paragraph("".join(m for m, _ in pending), "".join(t for _, t in pending))
            if block is not None:
                found.append(block)
            pending.clear()

        for child in container:
            tag = _tag(child)
            if tag in _CONTAINERS or tag in _BLOCKS:
                flush()
                found.extend(self.blocks(child) if tag in _CONTAINERS else self.block(child, tag))
            elif tag and tag not in _DROPPED:
                pending.append(self.inline_element(child, frozenset()))
            pending.append((escape_text(child.tail or ""), child.tail or ""))
        flush()
        return found

    def paragraph(self, markdown: str, text: str, *, style: str = "") -> Block | None:
        markdown = _escape_line_starts(markdown.strip(" \n"))
        text = " ".join(text.split())
        if not markdown.strip():
            return None
        kind = "image" if not text and markdown.startswith("![") else "paragraph"
        return Block(kind, markdown.rstrip(), text, style=style)

    def block(self, element: etree._Element, tag: str) -> list[Block]:
        style = element.get("class", "") or ""
        if tag in ("p", "address", "dt", "dd", "li"):
            block = self.paragraph(*self.inline(element), style=style)
            return [block] if block is not None else []
        if tag[0] == "h" and tag[1:].isdigit():
            markdown, text = self.inline(element)
            level = int(tag[1:])
            # Python-Markdown drops closing '#'s of a heading, so every '#' is escaped.
            heading = _SPACE.sub(" ", markdown).strip(" ").replace("#", "\\#")
            if not heading.strip():
                return []
            prefix = "#" * min(4, max(2, level))
            return [Block("heading", f"{prefix} {heading}", " ".join(text.split()), level, style)]
        if tag in ("ul", "ol"):
            lines, text = self.list_lines(element, ordered=tag == "ol", depth=0)
            return [Block("list", "\n".join(lines), text, style=style)] if lines else []
        if tag == "blockquote":
            inner = self.blocks(element)
            if not inner:
                return []
            quoted = "\n>\n".join("\n".join(f"> {line}".rstrip() for line in b.markdown.split("\n")) for b in inner)
            return [Block("quote", quoted, " ".join(b.text for b in inner), style=style)]
        if tag == "table":
            # A table that lays out a page (a cell holding a headline or several paragraphs) is read
            # as the blocks in its cells; a table of data keeps its rows.
            if any(_is_layout_cell(cell) for cell in element.iter("td", "th")):
                return [block for cell in element.iter("td", "th") for block in self.blocks(cell)]
            return self.table(element)
        if tag == "pre":
            text = "".join(element.itertext()).strip("\n")
            if not text.strip():
                return []
            return [Block("code", "\n".join("    " + line for line in text.split("\n")), " ".join(text.split()))]
        if tag == "hr":
            return [Block("rule", "* * *", "")]
        if tag in ("figure", "dl"):
            return self.blocks(element)
        return []

    def list_lines(self, element: etree._Element, *, ordered: bool, depth: int) -> tuple[list[str], str]:
        lines: list[str] = []
        texts: list[str] = []
        indent = "    " * depth
        number = 1
        for item in element:
            tag = _tag(item)
            if tag in ("ul", "ol"):  # a list nested straight in a list, as some editors write it
                nested, text = self.list_lines(item, ordered=tag == "ol", depth=depth + 1)
                lines.extend(nested)
                texts.append(text)
                continue
            if not tag or tag in _DROPPED:
                continue
            # The item's own content, without the lists nested in it.
            nested_lists = [child for child in item if _tag(child) in ("ul", "ol")]
            for child in nested_lists:
                tail = child.tail
                child.tail = None
                item.remove(child)
                if tail:
                    item.append(etree.Element("span"))
                    item[-1].text = tail
            for child in item:  # paragraphs inside an item: their words, one after the other
                if _tag(child) in _BLOCKS:
                    child.tail = " " + (child.tail or "")
            markdown, text = self.inline(item)
            markdown = _escape_line_starts(markdown.strip(" \n"))
            marker = f"{number}." if ordered else "-"
            if markdown.strip():
                continuation = "\n" + indent + "    "
                lines.append(f"{indent}{marker} {markdown.replace(chr(10), continuation)}")
                texts.append(" ".join(text.split()))
                number += 1
            for child in nested_lists:
                nested, text = self.list_lines(child, ordered=_tag(child) == "ol", depth=depth + 1)
                lines.extend(nested)
                texts.append(text)
        return lines, " ".join(t for t in texts if t)

    def table(self, element: etree._Element) -> list[Block]:
        rows: list[str] = []
        texts: list[str] = []
        for row in element.iter():
            if _tag(row) != "tr":
                continue
            cells = []
            for cell in row:
                tag = _tag(cell)
                if tag not in ("td", "th"):
                    continue
                text = " ".join("".join(cell.itertext()).split())
                texts.append(text)
                cells.append(f"<{tag}>{html.escape(text, quote=False)}</{tag}>")
            if cells:
                rows.append("<tr>" + "".join(cells) + "</tr>")
        if not any(texts):
            return []
        # Python-Markdown has no table syntax; a raw HTML block is passed on (and sanitized on render).
        return [Block("table", "<table>\n" + "\n".join(rows) + "\n</table>", " ".join(t for t in texts if t))]


def _is_layout_cell(cell: etree._Element) -> bool:
    tags = [_tag(inner) for inner in cell]
    return any(tag in ("h1", "h2", "h3", "table") for tag in tags) or sum(tag == "p" for tag in tags) >= 3


def _wrap(markdown: str, mark: str) -> str:
    """Emphasis around the words, with surrounding spaces kept outside the marks."""
    inner = markdown.strip(" ")
    if not inner or "\n" in inner:
        return markdown
    lead = markdown[: len(markdown) - len(markdown.lstrip(" "))]
    trail = markdown[len(markdown.rstrip(" ")) :]
    return f"{lead}{mark}{inner}{mark}{trail}"


def html_blocks(root: etree._Element, *, image_reference: ImageReference) -> list[Block]:
    """The Markdown blocks of an HTML element tree, in document order."""
    return _Writer(image_reference).blocks(root)


def parse_fragment(markup: str) -> etree._Element:
    """An HTML fragment as one element tree (a <div> around it)."""
    from lxml import html as lxml_html

    return lxml_html.fragment_fromstring(markup, create_parent="div")


def join_blocks(blocks: list[Block]) -> str:
    """The Markdown of a body: blocks separated by blank lines. Two lists in a row are kept apart
    by an empty comment (dropped on render), since Python-Markdown would join them into one."""
    parts: list[str] = []
    previous = ""
    for block in blocks:
        if block.kind == "list" and previous == "list":
            parts.append("<!-- -->")
        parts.append(block.markdown)
        previous = block.kind
    return "\n\n".join(parts)
