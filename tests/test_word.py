"""Word documents: what a .docx drop becomes, and the files that are refused with a located hint."""

from __future__ import annotations

import io
import os
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashnews.config import SectionConfig, SiteConfig
from flashnews.ingest.documents import explain_document, extract_document, normalize_document
from flashnews.errors import NormalizeError
from flashnews.ingest.markup import create_converter, html_to_text, sanitize_html

from tests.word_documents import png, rich_docx, saved, story_docx, zip_of

ZONE = ZoneInfo("Europe/Tirane")
NOW = datetime(2025, 3, 1, 9, 0, tzinfo=ZONE)
CONFIG = SiteConfig(sections=(SectionConfig("Bota", aliases=("World",)), SectionConfig("Sport")))


def convert(data: bytes, relative_path: str = "story.docx"):
    return normalize_document(data, suffix=".docx", path=f"content/{relative_path}", relative_path=relative_path, now=NOW, config=CONFIG)


def body_of(markdown: str) -> str:
    return markdown.split("\n---\n", 1)[1]


def test_headline_byline_dateline_and_section_come_out_as_for_a_txt_drop():
    drop = convert(story_docx())
    assert drop.normalized.markdown.startswith(
        '---\ntitle: "Council approves the new stadium budget"\ndate: "2025-02-27T14:30:00+01:00"\ncategory: "Sport"\n'
        'slug: "council-approves-the-new-stadium-budget"\nsummary: "The council voted on Tuesday night after a long debate."\n'
        'author: "Arta Hoxha"\nlang: "en"\n---\n\nThe council voted on Tuesday night after a long debate.\n\nWork starts in May.\n'
    )
    assert drop.normalized.stripped == ("¶1: Sport (section)", "¶3: By Arta Hoxha (author)", "¶4: 27 February 2025, 14:30 (date)")
    assert drop.normalized.warnings == ()


def test_a_subtitle_is_the_standfirst_summary_and_stays_first_in_the_body():
    drop = convert(story_docx(standfirst="A year of argument ends"))
    assert 'summary: "A year of argument ends"' in drop.normalized.markdown
    assert body_of(drop.normalized.markdown).startswith("\nA year of argument ends\n\nThe council voted")


def test_formatting_links_lists_quotes_subheadings_and_tables_are_kept():
    body = body_of(convert(rich_docx()).normalized.markdown)
    assert "The line runs **twelve kilometres** across the *city*." in body
    assert "[the city website](https://example.org/tram)" in body
    assert "## Stops" in body
    assert "- Skanderbeg Square\n- The station" in body
    assert "1. First tram at six" in body
    assert "> “It will change the city,” the mayor said." in body
    assert "<tr><td>Station</td><td>12</td></tr>" in body


def test_tracked_changes_are_accepted_and_comments_dropped():
    body = body_of(convert(rich_docx()).normalized.markdown)
    assert "Tickets cost 80 lek" in body and "100 lek" not in body
    assert "Service starts in June." in body and "Check the month" not in body


def test_the_first_picture_is_the_lead_with_its_alt_text_and_the_others_stand_in_the_body():
    drop = convert(story_docx(pictures=3), "sport/stadium.docx")
    assert [name for name, _ in drop.files] == ["stadium.png", "stadium-2.png", "stadium-3.png"]
    assert 'image: "stadium.png"\nimage_alt: "Picture 1"\n' in drop.normalized.markdown
    assert "![Picture 2](stadium-2.png)\n\n![Picture 3](stadium-3.png)\n\nThe council voted" in body_of(drop.normalized.markdown)
    assert "stadium.png" not in body_of(drop.normalized.markdown)
    assert not any("picture" in w.message for w in drop.normalized.warnings)
    assert all(data.startswith(b"\x89PNG") for _, data in drop.files)


def test_a_picture_between_paragraphs_stays_between_them_and_odd_names_are_percent_encoded():
    document = docx.Document()
    document.add_paragraph("Council approves the new stadium budget", style="Title")
    for number in range(3):
        document.add_paragraph(f"Paragraph {number + 1}.")
        picture = document.add_picture(io.BytesIO(png(colour=("red", "blue", "green")[number])))
        picture._inline.docPr.set("descr", f"Stand [{number + 1}]")
    drop = convert(saved(document), "sport/new stadium (draft).docx")
    body = body_of(drop.normalized.markdown)
    assert body.strip().split("\n\n") == [
        "Paragraph 1.",
        "Paragraph 2.",
        "![Stand \\[2\\]](new%20stadium%20%28draft%29-2.png)",
        "Paragraph 3.",
        "![Stand \\[3\\]](new%20stadium%20%28draft%29-3.png)",
    ]
    html = create_converter().convert(body)
    assert '<img alt="Stand [2]" src="new%20stadium%20%28draft%29-2.png"' in html


def test_explain_lists_what_each_part_became():
    article = extract_document(story_docx(pictures=1), suffix=".docx", path="content/s.docx", stem="s", config=CONFIG, zone=ZONE)
    parts = dict(explain_document(article))
    assert parts["title"] == "Council approves the new stadium budget"
    assert parts["author"] == "Arta Hoxha"
    assert parts["date"] == "2025-02-27T14:30:00+01:00"
    assert parts["lead picture"] == "s.png (Picture 1)"
    shown = explain_document(extract_document(story_docx(pictures=2), suffix=".docx", path="content/s.docx", stem="s", config=CONFIG, zone=ZONE))
    assert ("body picture", "s-2.png (Picture 2), shown where it stood") in shown


@pytest.mark.parametrize(
    ("data", "message", "hint"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100 + "EncryptedPackage".encode("utf-16-le"), "password-protected", "remove the password"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old Word .doc", "save it as .docx"),
        (story_docx()[:2000], "damaged", "save it again as .docx"),
        (zip_of({"notes.txt": b"hello"}), "zip archive but not a Word document", "save the article from Word as .docx"),
        (b"Just text in a file named .docx", "not a Word document", "save it as .docx"),
    ],
    ids=["password", "doc", "corrupt", "renamed-zip", "renamed-text"],
)
def test_files_that_are_not_readable_docx_are_refused_with_a_located_hint(data, message, hint):
    with pytest.raises(NormalizeError) as caught:
        convert(data)
    assert caught.value.location.path == "content/story.docx" and caught.value.location.line == 1
    assert message in str(caught.value) and hint in caught.value.hint


def test_a_document_holding_only_pictures_is_refused():
    document = docx.Document()
    document.add_picture(io.BytesIO(png()))
    with pytest.raises(NormalizeError, match="holds no text"):
        convert(saved(document))


def test_a_document_that_unpacks_to_far_more_than_an_article_is_refused_before_reading():
    bomb = zip_of({"word/document.xml": b"<w:document/>" + b" " * 40_000_000})
    started = time.perf_counter()
    with pytest.raises(NormalizeError, match="unpacks to far more"):
        convert(bomb)
    assert time.perf_counter() - started < 2


def test_a_20_mb_document_normalizes_with_its_picture():
    document = docx.Document()
    document.add_paragraph("Photographers document the flood", style="Title")
    document.add_paragraph("The river rose two metres overnight and the old bridge closed.")
    from PIL import Image

    noise = Image.frombytes("RGB", (2600, 2600), os.urandom(2600 * 2600 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG", compress_level=0)
    document.add_picture(io.BytesIO(buffer.getvalue()))
    data = saved(document)
    assert len(data) > 20_000_000
    drop = convert(data)
    assert [name for name, _ in drop.files] == ["story.png"]
    assert "The river rose two metres" in drop.normalized.markdown


# -- property: no paragraph of the body is lost --------------------------------------------------

PARAGRAPH = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"), exclude_characters="\u2028\u2029"), min_size=1, max_size=60).filter(lambda t: t.strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PARAGRAPH, min_size=1, max_size=6))
def test_every_paragraph_of_the_body_reaches_the_page_as_written(paragraphs):
    data = story_docx(paragraphs=["The story opens with a plain sentence.", *paragraphs])
    markdown = convert(data).normalized.markdown
    html = sanitize_html(create_converter().markdown(body_of(markdown).strip()))
    shown = [html_to_text(part) for part in html.split("</p>") if part.strip()]
    assert shown == [" ".join(p.split()) for p in ["The story opens with a plain sentence.", *paragraphs]]
