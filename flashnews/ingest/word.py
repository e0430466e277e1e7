"""A Word document's bytes (.docx from Word, LibreOffice or Google Docs) -> ExtractedArticle.

mammoth reads the document (tracked changes come out as accepted, comments are left out) and
writes simple HTML by a style map; flashnews.ingest.htmlmarkdown turns that into Markdown. The first
paragraphs give the section line, headline, byline and dateline, as in a .txt drop. The first
picture becomes the lead picture; the others are written beside the article and shown in the
body where they stood (`![alt](foo-2.png)`).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime, tzinfo

from flashnews.config import SectionConfig
from flashnews.ingest.bylines import BylineReader
from flashnews.ingest.extracted import ExtractedArticle, ExtractedImage, read_header_line
from flashnews.errors import NormalizeError, SourceLocation, SourceWarning
from flashnews.ingest.htmlmarkdown import Block, html_blocks, join_blocks, parse_fragment, picture_markdown

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
# A zip can unpack to far more than its size; a document bigger than this unpacked is refused
# before mammoth reads it into memory.
MAX_UNPACKED_BYTES = 200_000_000
MAX_DOCUMENT_XML_BYTES = 30_000_000
_HEADLINE_CHARS = 300
_HEADER_LINES = 4
_STYLE_MAP = """
p[style-name='Title'] => h1.title:fresh
p[style-name='Subtitle'] => p.standfirst:fresh
p[style-name='Quote'] => blockquote > p:fresh
p[style-name='Intense Quote'] => blockquote > p:fresh
comment-reference => !
"""
# Picture formats pages can show as they are; GIF, BMP and TIFF are converted to PNG.
_KEPT_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/jpg": ".jpg", "image/webp": ".webp"}
_CONVERTED_TYPES = frozenset({"image/gif", "image/bmp", "image/x-bmp", "image/tiff"})


def _check_package(data: bytes, location: SourceLocation) -> None:
    """Refuse what is not a .docx that mammoth can read safely, saying what it is instead."""
    if data.startswith(_OLE):
        if _ENCRYPTED in data:
            raise NormalizeError(location, "the document is password-protected", hint="remove the password in Word (File > Info > Protect Document) and save it again")
        raise NormalizeError(location, "the file is an old Word .doc (Word 97-2003), not a .docx", hint="open it in Word or LibreOffice and save it as .docx (Word Document)")
    if not data.startswith(b"PK"):
        raise NormalizeError(location, "the file is not a Word document (a .docx is a zip package)", hint="open it in Word or LibreOffice and save it as .docx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = {info.filename: info.file_size for info in package.infolist()}
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise NormalizeError(location, f"the document is damaged ({exc})", hint="open it in Word and save it again as .docx") from exc
    if "word/document.xml" not in members:
        raise NormalizeError(location, "the file is a zip archive but not a Word document", hint="save the article from Word as .docx")
    if sum(members.values()) > MAX_UNPACKED_BYTES or members["word/document.xml"] > MAX_DOCUMENT_XML_BYTES:
        raise NormalizeError(location, "the document unpacks to far more than a news article", hint="split it, or save it again without embedded files")


_STYLE_REFERENCE = re.compile(rb'<w:(?:pStyle|rStyle|tblStyle)\s+w:val="([^"]*)"')
_STYLE_PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml", "word/comments.xml", "word/numbering.xml")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _slim_package(data: bytes) -> bytes:
    """The package with styles.xml cut down to the styles its text uses. mammoth reads XML with
    minidom, and a template's styles.xml (hundreds of unused styles) costs it far more than a
    story; only the names of used styles matter to it."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = package.namelist()
        if "word/styles.xml" not in names:
            return data
        parts = {name: package.read(name) for name in _STYLE_PARTS if name in names}
        if b"<w:body" not in parts["word/document.xml"]:
            return data  # written with another namespace prefix: leave it to mammoth as it is
        used = {match.decode() for part in parts.values() for match in _STYLE_REFERENCE.findall(part)}
        try:
            styles = etree.fromstring(package.read("word/styles.xml"), etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            return data  # mammoth reports it
        for style in styles.findall(f"{_W}style"):
            if style.get(f"{_W}styleId") not in used:
                styles.remove(style)
        for other in (*styles.findall(f"{_W}latentStyles"), *styles.findall(f"{_W}docDefaults")):
            styles.remove(other)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as slim:
            for info in package.infolist():
                if info.filename == "word/styles.xml":
                    slim.writestr(info.filename, etree.tostring(styles))
                elif not info.filename.startswith(("word/stylesWithEffects", "docProps/thumbnail", "word/theme/")):
                    slim.writestr(info.filename, package.read(info))
    return buffer.getvalue()


def _convert_html(data: bytes, location: SourceLocation) -> tuple[str, list[tuple[bytes, str, str]]]:
    """mammoth's HTML of the document, with each picture's src replaced by flashnews-image:<n>."""
    import mammoth

    pictures: list[tuple[bytes, str, str]] = []

    def keep_picture(image: mammoth.documents.Image) -> dict[str, str]:
        with image.open() as stream:
            pictures.append((stream.read(), (image.content_type or "").lower(), image.alt_text or ""))
        return {"src": f"flashnews-image:{len(pictures) - 1}"}

    try:
        result = mammoth.convert_to_html(io.BytesIO(_slim_package(data)), style_map=_STYLE_MAP, convert_image=mammoth.images.img_element(keep_picture))
    except Exception as exc:  # noqa: BLE001 - mammoth raises many kinds (KeyError, XML errors) for a damaged package
        raise NormalizeError(location, f"the document is damaged ({type(exc).__name__})", hint="open it in Word and save it again as .docx") from exc
    return result.value, pictures


def _picture_file(data: bytes, content_type: str) -> tuple[bytes, str] | None:
    """The bytes and suffix to write a picture with, or None for a format pages cannot show (EMF, WMF)."""
    if content_type in _KEPT_TYPES:
        return data, _KEPT_TYPES[content_type]
    if content_type not in _CONVERTED_TYPES:
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            buffer = io.BytesIO()
            opened.convert("RGBA").save(buffer, "PNG")
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return buffer.getvalue(), ".png"


def extract_word(
    data: bytes, *, path: str, stem: str, sections: Sequence[SectionConfig], byline: BylineReader, zone: tzinfo
) -> ExtractedArticle:
    """The article in a .docx; raises NormalizeError for a file that is not a readable one."""
    location = SourceLocation(path, 1)
    _check_package(data, location)
    markup, pictures = _convert_html(data, location)
    warnings: list[SourceWarning] = []
    files: dict[int, ExtractedImage] = {}
    lead: list[ExtractedImage] = []
    for index, (picture, content_type, alt) in enumerate(pictures):
        kept = _picture_file(picture, content_type)
        if kept is None:
            warnings.append(SourceWarning(location, f"picture {index + 1} is {content_type or 'of an unknown type'}, which pages cannot show; left out", "insert it as JPEG or PNG"))
            continue
        name = f"{stem}{kept[1]}" if not lead else f"{stem}-{len(files) + 2}{kept[1]}"
        image = ExtractedImage(name, kept[0], alt)
        if lead:
            files[index] = image
        else:
            lead.append(image)

    def reference(src: str, alt: str) -> str | None:
        # src is the flashnews-image:<n> _convert_html gave the picture; the lead picture is shown
        # above the story and one pages cannot show is left out, so neither is referenced here.
        _, _, number = src.partition("flashnews-image:")
        image = files.get(int(number)) if number.isdigit() else None
        return picture_markdown(image.alt, image.name) if image is not None else None

    blocks = html_blocks(parse_fragment(markup), image_reference=reference)
    return _split_header(
        blocks, location=location, sections=sections, byline=byline, zone=zone,
        lead=lead[0] if lead else None, images=tuple(files.values()), warnings=tuple(warnings),
    )


def _split_header(
    blocks: list[Block],
    *,
    location: SourceLocation,
    sections: Sequence[SectionConfig],
    byline: BylineReader,
    zone: tzinfo,
    lead: ExtractedImage | None,
    images: tuple[ExtractedImage, ...],
    warnings: tuple[SourceWarning, ...],
) -> ExtractedArticle:
    """Section line, headline, byline and dateline from the first blocks; the rest is the body."""
    if not any(block.text for block in blocks):
        raise NormalizeError(location, "the document holds no text", hint="write the headline and the story in the document, not only pictures")
    spellings = {s.casefold() for section in sections for s in (section.name, *section.aliases)}
    numbered = list(enumerate(blocks, start=1))
    # Pictures above the headline stay at the top of the body.
    body = [(n, b) for n, b in numbered if b.kind in ("image", "rule") and not any(x.text for _, x in numbered[: n - 1])]
    rest = numbered[len(body) :]
    stripped: list[str] = []
    category = None
    if len(rest) > 1 and rest[0][1].kind == "paragraph" and rest[0][1].text.casefold() in spellings:
        category = rest[0][1].text
        stripped.append(f"¶{rest[0][0]}: {category} (section)")
        rest = rest[1:]
    number, headline = rest[0]
    if headline.kind not in ("heading", "paragraph") or len(headline.text) > _HEADLINE_CHARS:
        raise NormalizeError(location, f"no headline found (paragraph {number} is not one)", hint="put the headline in the first paragraph, styled Title or Heading 1")
    rest = rest[1:]
    author = ""
    date: datetime | None = None
    standfirst = ""
    kept: list[tuple[int, Block]] = []
    for index, (number, block) in enumerate(rest[:_HEADER_LINES]):
        header = read_header_line(block.text, byline=byline, zone=zone) if block.kind == "paragraph" else None
        if block.style == "standfirst" and not standfirst:
            standfirst = block.text
            kept.append((number, block))
        elif header is not None and (header.author or header.date):
            author = author or header.author
            date = date or header.date
            what = ", ".join(w for w, v in (("author", header.author), ("date", header.date)) if v)
            stripped.append(f"¶{number}: {block.text} ({what})")
        else:
            kept.extend(rest[index : index + 1])
            rest = rest[index + 1 :]
            break
    else:
        rest = rest[_HEADER_LINES:]
    body.extend(kept)
    body.extend(rest)
    texts = [block for _, block in body if block.kind != "image"]
    if not texts:
        raise NormalizeError(location, "the article has a headline but no body text", hint="write the story below the headline")
    first = next((block.text for block in texts if block.kind == "paragraph"), texts[0].text)
    return ExtractedArticle(
        title=headline.text,
        body_markdown=join_blocks([block for _, block in body]),
        author=author,
        date=date,
        category=category,
        standfirst=standfirst,
        lead_image=lead,
        images=images,
        warnings=warnings,
        stripped=tuple(stripped),
        first_paragraph=first,
        paragraphs=len(body),
    )
