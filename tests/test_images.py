"""Lead pictures: found beside the article, resized to responsive JPEGs, cached, shown with alt text."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image

from flashnews.compose.images import ImageError, find_image_file, resize_image, variant_widths
from flashnews.model import Article
from tests.publishing import build, write_article

NOW = "2025-12-05T12:00:00+01:00"


def picture_bytes(width: int, height: int, *, mode: str = "RGB", kind: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    colour = (200, 40, 40, 0) if mode == "RGBA" else (200, 40, 40)
    Image.new(mode, (width, height), colour).save(buffer, kind)
    return buffer.getvalue()


def article(path: str, **extra: str) -> Article:
    from datetime import datetime, timezone

    return Article(source_path=path, title="T", date=datetime(2025, 1, 1, tzinfo=timezone.utc), category="Sport", slug="t", body="x", extra=extra)


def test_variants_are_480_960_and_1440_wide_and_keep_the_aspect_ratio():
    made = resize_image(picture_bytes(1600, 900))
    assert [(w, h) for w, h, _ in made] == [(480, 270), (960, 540), (1440, 810)]
    assert all(Image.open(io.BytesIO(data)).format == "JPEG" for _, _, data in made)


def test_a_small_picture_is_never_enlarged():
    assert variant_widths(700) == (480, 700)
    assert variant_widths(300) == (300,)
    assert [w for w, _, _ in resize_image(picture_bytes(300, 200))] == [300]


def test_resizing_the_same_picture_twice_gives_the_same_bytes():
    data = picture_bytes(1200, 800)
    assert resize_image(data) == resize_image(data)


def test_a_transparent_png_gets_a_white_background():
    (_, _, data), = resize_image(picture_bytes(100, 100, mode="RGBA", kind="PNG"))
    assert Image.open(io.BytesIO(data)).getpixel((50, 50)) == pytest.approx((255, 255, 255), abs=3)


def test_a_file_that_is_not_a_picture_raises_image_error():
    with pytest.raises(ImageError):
        resize_image(b"not a picture")


def test_the_picture_is_the_file_with_the_article_base_name(tmp_path: Path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "story.JPG").write_bytes(b"x")
    assert find_image_file(tmp_path / "content", article("content/story.md")) == tmp_path / "content" / "story.JPG"
    assert find_image_file(tmp_path / "content", article("content/other.md")) is None


def test_front_matter_names_a_picture_beside_the_article_but_not_outside_content(tmp_path: Path):
    (tmp_path / "content" / "2025").mkdir(parents=True)
    (tmp_path / "content" / "2025" / "harbour.webp").write_bytes(b"x")
    (tmp_path / "secret.jpg").write_bytes(b"x")
    content = tmp_path / "content"
    assert find_image_file(content, article("content/2025/story.md", image="harbour.webp")) == (content / "2025" / "harbour.webp").resolve()
    assert find_image_file(content, article("content/2025/story.md", image="../../secret.jpg")) is None


@pytest.fixture
def pictured_site(site_dir: Path) -> Path:
    write_article(site_dir, "harbour", date="2025-12-05T10:00:00+01:00", title="Durrës harbour reopens")
    (site_dir / "content" / "harbour.jpg").write_bytes(picture_bytes(1600, 1000))
    return site_dir


def test_the_article_page_shows_the_picture_with_srcset_size_and_alt_text(pictured_site: Path):
    assert build(pictured_site, NOW) == 0
    public = pictured_site / "public"
    page = (public / "harbour" / "index.html").read_text(encoding="utf-8")
    tag = re.search(r'<figure class="lead-image">\s*(<img [^>]+>)', page).group(1)
    assert 'alt="Durrës harbour reopens"' in tag and 'width="960" height="600"' in tag
    sources = re.search(r'srcset="([^"]+)"', tag).group(1).split(", ")
    assert [s.rsplit(" ", 1)[1] for s in sources] == ["480w", "960w", "1440w"]
    for source in sources:
        assert (public / "harbour" / source.split(" ")[0]).is_file()


def test_image_alt_in_front_matter_describes_the_picture(pictured_site: Path):
    path = pictured_site / "content" / "harbour.md"
    path.write_text(path.read_text(encoding="utf-8").replace("---\n\n", 'image_alt: "Ferries at the quay"\n---\n\n', 1), encoding="utf-8")
    assert build(pictured_site, NOW) == 0
    assert 'alt="Ferries at the quay"' in (pictured_site / "public" / "harbour" / "index.html").read_text(encoding="utf-8")


def test_the_front_page_leads_with_the_picture(pictured_site: Path):
    assert build(pictured_site, NOW) == 0
    assert '<article class="lead-story has-image">' in (pictured_site / "public" / "index.html").read_text(encoding="utf-8")


def test_a_second_build_writes_nothing_and_a_new_picture_replaces_the_old_files(pictured_site: Path, capsys):
    assert build(pictured_site, NOW) == 0
    public = pictured_site / "public"
    first = sorted(p.name for p in (public / "images").iterdir())
    capsys.readouterr()
    assert build(pictured_site, NOW, "-q") == 0
    assert "(0 written, 0 deleted)" in capsys.readouterr().out
    (pictured_site / "content" / "harbour.jpg").write_bytes(picture_bytes(800, 500))
    assert build(pictured_site, NOW) == 0
    second = sorted(p.name for p in (public / "images").iterdir())
    assert len(first) == 3 and len(second) == 2 and not set(first) & set(second)


def test_an_unreadable_picture_is_a_located_error_and_the_article_still_appears(site_dir: Path, capsys):
    write_article(site_dir, "broken", date="2025-12-05T10:00:00+01:00")
    (site_dir / "content" / "broken.png").write_bytes(b"\x89PNG garbage")
    assert build(site_dir, NOW) == 1
    assert "content/broken.md:1: lead image content/broken.png is not a readable picture" in capsys.readouterr().err
    page = (site_dir / "public" / "broken" / "index.html").read_text(encoding="utf-8")
    assert "lead-image" not in page


def test_pictures_are_listed_once_with_any_suffix_case_and_ignored_folders_left_out(tmp_path):
    from flashnews.compose.images import list_pictures

    (tmp_path / "a.JPG").write_bytes(b"x")
    (tmp_path / "b.md").write_text("x")
    (tmp_path / "_archive").mkdir()
    (tmp_path / "_archive" / "c.png").write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.webp").write_bytes(b"x")
    assert list_pictures(tmp_path) == frozenset({tmp_path / "a.JPG", tmp_path / "sub" / "d.webp"})


# Pictures the body shows: `![alt](harbour-2.jpg)` beside the article.


def body_picture_site(site_dir: Path, body: str) -> Path:
    write_article(site_dir, "harbour", date="2025-12-05T10:00:00+01:00", title="Durrës harbour reopens", body=body)
    return site_dir


def test_a_picture_in_the_body_is_resized_and_drawn_where_it_stands_with_size_alt_and_lazy_loading(site_dir: Path):
    body_picture_site(site_dir, "The quay at dawn.\n\n![Ferries at the quay](harbour-2.png)\n\nThe last paragraph.")
    (site_dir / "content" / "harbour-2.png").write_bytes(picture_bytes(1200, 800, kind="PNG"))
    assert build(site_dir, NOW) == 0
    public = site_dir / "public"
    page = (public / "harbour" / "index.html").read_text(encoding="utf-8")
    body = re.search(r'<div class="story-body">(.*?)</div>', page, re.DOTALL).group(1)
    before, tag, after = re.split(r"(<img [^>]+>)", body)
    assert "The quay at dawn." in before and "The last paragraph." in after
    assert 'alt="Ferries at the quay"' in tag and 'width="960" height="640"' in tag and 'loading="lazy"' in tag
    sources = re.search(r'srcset="([^"]+)"', tag).group(1).split(", ")
    assert [s.rsplit(" ", 1)[1] for s in sources] == ["480w", "960w", "1200w"]  # never enlarged
    for source in [re.search(r' src="([^"]+)"', tag).group(1), *(s.split(" ")[0] for s in sources)]:
        assert source.startswith("../images/") and (public / "harbour" / source).is_file()
    assert "harbour-2.png" not in page
    feed = (public / "feeds" / "atom.xml").read_text(encoding="utf-8")
    assert "https://news.example/images/" in feed and "harbour-2.png" not in feed


def test_a_picture_on_the_web_keeps_its_address(site_dir: Path):
    body_picture_site(site_dir, "![Map](https://maps.example/tram.png)")
    assert build(site_dir, NOW) == 0
    assert '<img alt="Map" src="https://maps.example/tram.png">' in (site_dir / "public" / "harbour" / "index.html").read_text(encoding="utf-8")


@pytest.fixture
def opened_files():
    """Every file path this process opens while the list is being recorded (an audit hook, which
    sees every open of the build's own process, where pictures are read)."""
    import sys

    opened: list[str] = []
    recording = [True]

    def hook(event: str, args: tuple) -> None:
        if event == "open" and recording[0] and isinstance(args[0], (str, bytes, Path)):
            opened.append(str(Path(os.fsdecode(args[0])).resolve()))

    sys.addaudithook(hook)
    yield opened
    recording[0] = False


def test_a_picture_outside_content_is_refused_at_its_line_and_never_read(site_dir: Path, capsys, opened_files):
    secret = site_dir / "escape.png"
    secret.write_bytes(picture_bytes(100, 100, kind="PNG"))
    body_picture_site(site_dir, "The quay.\n\n![x](../escape.png)")
    opened_files.clear()
    assert build(site_dir, NOW) == 1
    assert "content/harbour.md:10: picture ../escape.png is outside the content folder" in capsys.readouterr().err
    assert opened_files and str(secret.resolve()) not in opened_files
    assert not (site_dir / "public" / "images").exists()


def test_a_link_that_leads_out_of_content_is_refused_and_never_followed(site_dir: Path, capsys, opened_files):
    secret = site_dir / "secret.png"
    secret.write_bytes(picture_bytes(100, 100, kind="PNG"))
    (site_dir / "content" / "harbour-2.png").symlink_to(secret)
    body_picture_site(site_dir, "The quay.\n\n![x](harbour-2.png)")
    opened_files.clear()
    assert build(site_dir, NOW) == 1
    assert "content/harbour.md:10: picture content/harbour-2.png leads outside the content folder" in capsys.readouterr().err
    assert opened_files and str(secret.resolve()) not in opened_files
    assert not (site_dir / "public" / "images").exists()


def test_a_missing_picture_is_a_located_error_and_the_page_shows_no_broken_picture(site_dir: Path, capsys):
    body_picture_site(site_dir, "The quay.\n\nMore text.\n\n![Ferries](ferries.jpg)")
    assert build(site_dir, NOW) == 1
    err = capsys.readouterr().err
    assert "content/harbour.md:12: picture content/ferries.jpg is missing; put the picture beside the article, or correct its name" in err
    page = (site_dir / "public" / "harbour" / "index.html").read_text(encoding="utf-8")
    assert "More text." in page and "ferries.jpg" not in page and "<img" not in page


def test_a_body_picture_that_is_not_a_picture_file_is_a_located_warning_and_left_out(site_dir: Path, capsys):
    body_picture_site(site_dir, "![Notes](notes.pdf)")
    (site_dir / "content" / "notes.pdf").write_bytes(b"%PDF-1.4")
    from flashnews.app.cli import main

    assert main(["build", "--content", str(site_dir / "content"), "--output", str(site_dir / "public"), "--config", str(site_dir / "site.toml"), "--now", NOW]) == 0
    assert "content/harbour.md:8: warning: picture content/notes.pdf is not a JPEG, PNG or WebP file; left out" in capsys.readouterr().err
    assert "notes.pdf" not in (site_dir / "public" / "harbour" / "index.html").read_text(encoding="utf-8")


def test_the_articles_that_show_a_picture_are_found_by_the_rules_the_build_uses(tmp_path: Path):
    from dataclasses import replace

    from flashnews.compose.images import find_picture_users
    from flashnews.model import PictureReference, RenderedArticle

    content = tmp_path / "content"
    (content / "2025").mkdir(parents=True)
    for name in ("story.jpg", "story.png", "2025/quay.webp"):
        (content / name).write_bytes(b"x")

    def item(path: str, *pictures: str, **extra: str) -> RenderedArticle:
        references = tuple(PictureReference(p, p, 9) for p in pictures)
        return RenderedArticle(article(path, **extra), "", "", 1, 1, pictures=references)

    articles = [
        item("content/story.md"),
        item("content/2025/named.md", image="quay.webp"),
        item("content/2025/body.md", "2025/quay.webp", "2025/gone.png"),
        item("content/other.md", image="../story.png"),
    ]
    assert find_picture_users(content / "story.jpg", content, articles) == ("content/story.md",)
    assert find_picture_users(content / "story.png", content, articles) == (), "story.jpg is preferred; other.md names a path outside"
    assert find_picture_users(content / "2025" / "quay.webp", content, articles) == ("content/2025/named.md", "content/2025/body.md")
    assert find_picture_users(content / "2025" / "gone.png", content, articles) == ("content/2025/body.md",), "a missing file"
    assert find_picture_users(content / "spare.jpg", content, articles) == ()
    (content / "story.jpg").unlink()
    assert find_picture_users(content / "story.jpg", content, articles) == ("content/story.md",), "a deleted one"
    assert find_picture_users(content / "story.png", content, articles) == ("content/story.md",), "now the lead picture"
    assert find_picture_users(content / "story.png", content, [replace(articles[0], article=article("content/story.md", image="story.png"))]) == ("content/story.md",)


def name_lead_picture(site_dir: Path, slug: str, image: str) -> None:
    path = site_dir / "content" / f"{slug}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("---\n\n", f'image: "{image}"\n---\n\n', 1), encoding="utf-8")


def test_a_lead_picture_named_in_front_matter_that_is_missing_is_an_error_at_the_image_line(site_dir: Path, capsys):
    write_article(site_dir, "harbour", date="2025-12-05T10:00:00+01:00", title="Durrës harbour reopens")
    name_lead_picture(site_dir, "harbour", "photos/quay.jpg")
    assert build(site_dir, NOW) == 1
    assert "content/harbour.md:6: lead picture content/photos/quay.jpg is missing; put the picture beside the article, or correct image:" in capsys.readouterr().err
    assert "lead-image" not in (site_dir / "public" / "harbour" / "index.html").read_text(encoding="utf-8")
    (site_dir / "content" / "photos").mkdir()
    (site_dir / "content" / "photos" / "quay.jpg").write_bytes(picture_bytes(800, 500))
    assert build(site_dir, NOW) == 0
    assert "lead-image" in (site_dir / "public" / "harbour" / "index.html").read_text(encoding="utf-8")


def test_a_lead_picture_named_outside_content_is_an_error_and_never_read(site_dir: Path, capsys):
    (site_dir / "secret.jpg").write_bytes(picture_bytes(100, 100))
    write_article(site_dir, "harbour", date="2025-12-05T10:00:00+01:00")
    name_lead_picture(site_dir, "harbour", "../secret.jpg")
    assert build(site_dir, NOW) == 1
    assert "content/harbour.md:6: lead picture ../secret.jpg is outside the content folder" in capsys.readouterr().err
    assert not (site_dir / "public" / "images").exists()


def test_check_reports_missing_lead_and_body_pictures_and_writes_nothing(site_dir: Path, capsys):
    from flashnews.app.cli import main

    body_picture_site(site_dir, "The quay.\n\n![Ferries](ferries.jpg)\n\n![Notes](notes.pdf)")
    write_article(site_dir, "storm", date="2025-12-05T09:00:00+01:00")
    name_lead_picture(site_dir, "storm", "storm-lead.png")
    arguments = ["--content", str(site_dir / "content"), "--output", str(site_dir / "public"), "--config", str(site_dir / "site.toml"), "--now", NOW]
    assert main(["check", *arguments]) == 1
    err = capsys.readouterr().err
    assert "content/harbour.md:10: picture content/ferries.jpg is missing; put the picture beside the article, or correct its name" in err
    assert "content/harbour.md:12: warning: picture content/notes.pdf is not a JPEG, PNG or WebP file; left out" in err
    assert "content/storm.md:6: lead picture content/storm-lead.png is missing" in err
    assert not (site_dir / "public").exists()
    (site_dir / "content" / "ferries.jpg").write_bytes(picture_bytes(100, 100))
    (site_dir / "content" / "storm-lead.png").write_bytes(picture_bytes(100, 100, kind="PNG"))
    (site_dir / "content" / "harbour.md").write_text((site_dir / "content" / "harbour.md").read_text(encoding="utf-8").replace("\n\n![Notes](notes.pdf)", ""), encoding="utf-8")
    assert main(["check", *arguments]) == 0
