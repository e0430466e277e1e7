"""Small .docx files for tests, made with python-docx (and a few XML edits it has no API for)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

import docx
from docx.oxml import parse_xml
from PIL import Image

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def png(width: int = 40, height: int = 30, colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def saved(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def story_docx(
    *,
    section: str | None = "Sport",
    headline: str = "Council approves the new stadium budget",
    standfirst: str | None = None,
    byline: str | None = "By Arta Hoxha",
    dateline: str | None = "27 February 2025, 14:30",
    paragraphs: Iterable[str] = ("The council voted on Tuesday night after a long debate.", "Work starts in May."),
    pictures: int = 0,
) -> bytes:
    """A Word story shaped like a .txt drop: section, headline (style Title), byline, dateline, body."""
    document = docx.Document()
    if section:
        document.add_paragraph(section)
    document.add_paragraph(headline, style="Title")
    if standfirst:
        document.add_paragraph(standfirst, style="Subtitle")
    for line in (byline, dateline):
        if line:
            document.add_paragraph(line)
    for number in range(pictures):
        picture = document.add_picture(io.BytesIO(png(colour=("red", "blue", "green")[number % 3])))
        picture._inline.docPr.set("descr", f"Picture {number + 1}")
    for text in paragraphs:
        document.add_paragraph(text)
    return saved(document)


def rich_docx() -> bytes:
    """Formatting, a link, lists, a quote, a subheading, a table, a tracked change and a comment."""
    document = docx.Document()
    document.add_paragraph("Tirana opens a new tram line", style="Title")
    document.add_paragraph("By Ana Lika")
    body = document.add_paragraph("The line runs ")
    body.add_run("twelve kilometres").bold = True
    body.add_run(" across the ")
    body.add_run("city").italic = True
    body.add_run(".")
    linked = document.add_paragraph("Details are on ")
    linked._p.append(parse_xml(
        f'<w:hyperlink {W} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="'
        + document.part.relate_to("https://example.org/tram", docx.opc.constants.RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        + '"><w:r><w:t>the city website</w:t></w:r></w:hyperlink>'
    ))
    document.add_heading("Stops", level=1)
    document.add_paragraph("Skanderbeg Square", style="List Bullet")
    document.add_paragraph("The station", style="List Bullet")
    document.add_paragraph("First tram at six", style="List Number")
    document.add_paragraph("“It will change the city,” the mayor said.", style="Quote")
    table = document.add_table(rows=2, cols=2)
    for (row, column), text in {(0, 0): "Stop", (0, 1): "Minutes", (1, 0): "Station", (1, 1): "12"}.items():
        table.cell(row, column).text = text
    changed = document.add_paragraph("Tickets cost ")
    changed._p.append(parse_xml(f'<w:del {W} w:id="1" w:author="Ed" w:date="2025-01-01T00:00:00Z"><w:r><w:delText>100 lek</w:delText></w:r></w:del>'))
    changed._p.append(parse_xml(f'<w:ins {W} w:id="2" w:author="Ed" w:date="2025-01-01T00:00:00Z"><w:r><w:t>80 lek</w:t></w:r></w:ins>'))
    commented = document.add_paragraph("Service starts in June.")
    document.add_comment(commented.runs, text="Check the month with the city", author="Desk")
    return saved(document)


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()
