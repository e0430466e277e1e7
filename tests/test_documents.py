"""Document drops end to end: the folder gives the section, and a .docx or saved page keeps every
promise of a .txt drop (archive, manifest, never overwrite, located errors, a safe page)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from flashnews.config import SectionConfig, load_config
from flashnews.ingest.documents import category_from_folder, choose_category
from flashnews.ingest.drops import normalize_drops

from tests.conftest import FIXTURES, NOW, REPO
from tests.word_documents import png, story_docx

SECTIONS = (SectionConfig("Bota", aliases=("World",)), SectionConfig("Sport"))


def test_the_folder_a_drop_sits_in_names_its_section_case_insensitively():
    assert category_from_folder("sport/x.docx", SECTIONS) == "Sport"
    assert category_from_folder("2025/WORLD/x.html", SECTIONS) == "Bota"
    assert category_from_folder("x.docx", SECTIONS) is None
    assert category_from_folder("misc/x.docx", SECTIONS) is None


def test_without_a_section_the_first_configured_one_is_used_with_a_warning():
    category, warnings = choose_category(None, relative_path="misc/x.docx", sections=SECTIONS, path="content/misc/x.docx")
    assert category == "Bota"
    assert [str(w) for w in warnings] == ["content/misc/x.docx:1: warning: it names no section; filed under Bota; put the file in a folder named after its section"]


def site_config(site_dir: Path):
    return load_config(site_dir / "site.toml")


def test_a_docx_drop_is_archived_byte_for_byte_with_its_pictures_beside_the_md(site_dir: Path):
    content = site_dir / "content"
    (content / "sport").mkdir()
    data = story_docx(section=None, pictures=2)
    (content / "sport" / "stadium.docx").write_bytes(data)
    report = normalize_drops(content, site_config(site_dir), now=NOW)
    assert report.errors == () and report.written == ("content/sport/stadium.md",)
    assert (content / "_archive" / "sport" / "stadium.docx").read_bytes() == data
    assert not (content / "sport" / "stadium.docx").exists()
    assert sorted(p.name for p in (content / "sport").iterdir()) == ["stadium-2.png", "stadium.md", "stadium.png"]
    assert 'category: "Sport"' in (content / "sport" / "stadium.md").read_text(encoding="utf-8")


def test_the_same_drop_again_gives_the_same_files_and_an_edited_md_is_never_overwritten(site_dir: Path):
    content = site_dir / "content"
    data = story_docx()
    (content / "stadium.docx").write_bytes(data)
    normalize_drops(content, site_config(site_dir), now=NOW)
    first = (content / "stadium.md").read_bytes()
    (content / "stadium.docx").write_bytes(data)
    assert normalize_drops(content, site_config(site_dir), now=NOW).errors == ()
    assert (content / "stadium.md").read_bytes() == first
    (content / "stadium.md").write_bytes(first + b"\nAn editor's line.\n")
    (content / "stadium.docx").write_bytes(data)
    report = normalize_drops(content, site_config(site_dir), now=NOW)
    assert [str(e) for e in report.errors] == [
        "content/stadium.docx:1: content/stadium.md was edited after it was generated; the new drop was not applied; "
        "delete the .md to regenerate it from the drop, or copy the changes in by hand"
    ]
    assert (content / "stadium.md").read_bytes().endswith(b"An editor's line.\n")


def test_a_picture_an_editor_put_there_is_not_overwritten(site_dir: Path):
    content = site_dir / "content"
    (content / "stadium.png").write_bytes(png(colour="white"))
    (content / "stadium.docx").write_bytes(story_docx(pictures=1))
    report = normalize_drops(content, site_config(site_dir), now=NOW)
    assert [str(e) for e in report.errors] == [
        "content/stadium.docx:1: content/stadium.png already exists and was not made from a drop; the drop was not applied; rename the drop or the .png file"
    ]


def test_a_txt_and_a_docx_of_the_same_name_are_not_both_applied(site_dir: Path):
    content = site_dir / "content"
    (content / "stadium.docx").write_bytes(story_docx())
    (content / "stadium.txt").write_text("Sport\nCouncil approves the stadium budget\nThe vote was close.\n", encoding="utf-8")
    report = normalize_drops(content, site_config(site_dir), now=NOW)
    assert [str(e) for e in report.errors] == ["content/stadium.txt:1: content/stadium.docx also becomes stadium.md; this drop was not applied; rename one of the two drops"]


def test_a_saved_page_and_its_files_folder_go_to_the_archive_and_frames_in_it_are_not_drops(site_dir: Path):
    content = site_dir / "content"
    page = (FIXTURES / "pages" / "news-site-opengraph.html").read_bytes()
    (content / "storm.html").write_bytes(page)
    (content / "storm_files").mkdir()
    (content / "storm_files" / "storm.jpg").write_bytes(png())
    (content / "storm_files" / "ad-frame.html").write_text("<p>Buy now</p>", encoding="utf-8")
    report = normalize_drops(content, site_config(site_dir), now=NOW)
    assert report.errors == () and report.written == ("content/storm.md",)
    assert (content / "_archive" / "storm.html").read_bytes() == page
    assert (content / "_archive" / "storm_files" / "ad-frame.html").is_file()
    assert sorted(p.name for p in content.iterdir()) == ["_archive", "storm.md", "storm.png"]


def test_word_lock_and_temporary_files_are_litter(site_dir: Path):
    content = site_dir / "content"
    for name in ("~$adium.docx", ".~lock.stadium.docx#", "~WRL0001.tmp"):
        (content / name).write_bytes(b"lock")
    report = normalize_drops(content, site_config(site_dir), now=NOW)
    assert report == type(report)()


def test_a_bad_document_is_a_located_error_and_the_rest_of_the_site_builds(site_dir: Path):
    content = site_dir / "content"
    (content / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    shutil.copy(FIXTURES / "pages" / "hostile-script-iframe-onclick.html", content / "water.html")
    done = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--now", "2025-12-05T12:00:00+01:00"],
        cwd=site_dir, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert "content/broken.docx:1: the document is damaged" in done.stderr
    page = (site_dir / "public" / "council-meets-on-the-water-plan" / "index.html").read_text(encoding="utf-8")
    story = page.split('<div class="story-body">', 1)[1].split("</article>", 1)[0]
    assert "Members asked for more details" in story
    for bad in ("<script", "<iframe", "onclick", "onmouseover", "javascript:", "<form", "<style"):
        assert bad not in story


def test_a_docx_with_three_pictures_leads_with_the_first_and_shows_the_others_where_they_stood(site_dir: Path):
    import io
    import re

    import docx

    from tests.publishing import build
    from tests.word_documents import saved

    document = docx.Document()
    document.add_paragraph("Sport")
    document.add_paragraph("The new stadium opens its stands", style="Title")
    document.add_paragraph("By Arta Hoxha")
    document.add_paragraph("27 February 2025, 14:30")
    for number, (colour, width) in enumerate((("red", 1600), ("blue", 1200), ("green", 700))):
        document.add_paragraph(f"Paragraph {number + 1} of the story.")
        picture = document.add_picture(io.BytesIO(png(width, width // 2, colour)))
        picture._inline.docPr.set("descr", f"Stand number {number + 1}")
    document.add_paragraph("The last paragraph.")
    (site_dir / "content" / "sport").mkdir()
    (site_dir / "content" / "sport" / "stadium.docx").write_bytes(saved(document))
    assert build(site_dir, "2025-12-05T12:00:00+01:00") == 0
    assert sorted(p.name for p in (site_dir / "content" / "sport").iterdir()) == ["stadium-2.png", "stadium-3.png", "stadium.md", "stadium.png"]
    public = site_dir / "public"
    page = (public / "the-new-stadium-opens-its-stands" / "index.html").read_text(encoding="utf-8")
    lead = re.search(r'<figure class="lead-image">\s*(<img [^>]+>)', page).group(1)
    assert 'alt="Stand number 1"' in lead and 'width="960" height="480"' in lead
    body = page.split('<div class="story-body">', 1)[1].split("</div>", 1)[0]
    shown = re.findall(r"Paragraph \d of the story\.|The last paragraph\.|<img [^>]+>", body)
    assert [s if not s.startswith("<img") else re.search(r'alt="([^"]*)"', s).group(1) for s in shown] == [
        "Paragraph 1 of the story.", "Paragraph 2 of the story.", "Stand number 2", "Paragraph 3 of the story.", "Stand number 3", "The last paragraph.",
    ]
    second, third = (s for s in shown if s.startswith("<img"))
    assert 'width="960" height="480"' in second and 'width="700" height="350"' in third
    for tag in (second, third):
        assert 'loading="lazy"' in tag
        for source in re.search(r'srcset="([^"]+)"', tag).group(1).split(", "):
            assert (public / "the-new-stadium-opens-its-stands" / source.split(" ")[0]).is_file()
    assert "stadium-2.png" not in page and "stadium-3.png" not in page
