"""Paths: nothing an editor writes can leave the output folder, break on Windows, or silently share a URL."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from flashnews.errors import OutputError
from flashnews.build.output import check_output_path
from flashnews.compose.site import RESERVED_SLUGS
from flashnews.ingest.slugs import MAX_SLUG_LENGTH, is_safe_slug, make_slug
from tests.publishing import build, write_article

NOW = "2025-12-05T12:00:00+01:00"
WINDOWS_RESERVED = ["CON", "prn", "Aux", "NUL", "COM1", "lpt9", "con.txt"]


@pytest.mark.parametrize("title", WINDOWS_RESERVED)
def test_a_slug_is_never_a_name_windows_refuses(title):
    slug = make_slug(title)
    assert slug.split(".")[0] not in {"con", "prn", "aux", "nul", "com1", "lpt9"}
    assert is_safe_slug(slug)


@pytest.mark.parametrize("title", ["", "???", "…", "🙂🙂", "   ", "\u200b"])
def test_a_title_without_letters_still_gets_a_safe_slug(title):
    slug = make_slug(title)
    assert slug and is_safe_slug(slug)


def test_an_overlong_title_is_cut_to_a_safe_length():
    slug = make_slug("Lajm " * 200)
    assert len(slug) <= MAX_SLUG_LENGTH and is_safe_slug(slug)


@pytest.mark.parametrize(
    "path", ["../x", "a/../../x", "/etc/passwd", "//etc/passwd", "a//b", "./a", "C:/x", "c:", "a\\..\\b", "", "a/.", "a/", ".."]
)
def test_an_output_path_that_could_leave_the_output_folder_is_refused(path):
    with pytest.raises(OutputError):
        check_output_path(path)


@pytest.mark.parametrize("path", ["index.html", "bota/page/2/index.html", "a-b/c:d.html", "...x/index.html", "static/style.css"])
def test_an_output_path_inside_the_output_folder_is_accepted(path):
    assert check_output_path(path) == path


def test_titles_that_differ_only_in_unicode_normalization_collide_with_an_error_naming_both_files(site_dir, capsys):
    composed = unicodedata.normalize("NFC", "Shqipëria fiton ndeshjen")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    write_article(site_dir, "first", date="2025-12-01T10:00:00+01:00", title=composed)
    write_article(site_dir, "second", date="2025-12-02T10:00:00+01:00", title=decomposed)
    for name in ("first", "second"):  # let the slug come from the title
        path = site_dir / "content" / f"{name}.md"
        path.write_text(path.read_text(encoding="utf-8").replace(f'slug: "{name}"\n', ""), encoding="utf-8")
    capsys.readouterr()
    assert build(site_dir, NOW) == 1
    err = capsys.readouterr().err
    assert "content/second.md:1: URL /shqiperia-fiton-ndeshjen/ is already claimed by content/first.md" in err
    assert (site_dir / "public" / "shqiperia-fiton-ndeshjen" / "index.html").exists()


@pytest.mark.parametrize("category", ["Search", "Static", "Feeds", "Page", "Images", "Pagefind"])
def test_a_category_that_would_take_a_folder_of_the_site_is_a_located_error_not_a_fatal_one(site_dir, capsys, category):
    assert category.casefold() in RESERVED_SLUGS
    write_article(site_dir, "good-story", date="2025-12-01T10:00:00+01:00", category="Sport")
    write_article(site_dir, "odd-story", date="2025-12-02T10:00:00+01:00", category=category)
    capsys.readouterr()
    assert build(site_dir, NOW) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"content/odd-story.md:4: section '{category}' would take the URL /{category.casefold()}/")
    assert (site_dir / "public" / "good-story" / "index.html").exists()
    assert not (site_dir / "public" / "odd-story").exists()


def test_an_explicit_slug_that_collides_is_reported_at_its_slug_line(site_dir, capsys):
    write_article(site_dir, "same", date="2025-12-01T10:00:00+01:00", title="First")
    write_article(site_dir, "same-too", date="2025-12-02T10:00:00+01:00", title="Second")
    path = site_dir / "content" / "same-too.md"
    path.write_text(path.read_text(encoding="utf-8").replace('slug: "same-too"', 'slug: "same"'), encoding="utf-8")
    capsys.readouterr()
    assert build(site_dir, NOW) == 1
    # The first claim by file name wins ("same-too.md" sorts before "same.md").
    assert capsys.readouterr().err.startswith("content/same.md:5: URL /same/ is already claimed by content/same-too.md")


@pytest.mark.parametrize("category", ["../../etc", "/etc", "..", "C:\\Windows", "CON"])
def test_a_category_is_turned_into_a_folder_inside_the_output(site_dir, category):
    write_article(site_dir, "story", date="2025-12-01T10:00:00+01:00", category=category)
    assert build(site_dir, NOW) == 0
    output = (site_dir / "public").resolve()
    for path in (site_dir / "public").rglob("*"):
        assert path.resolve().is_relative_to(output)
    assert not (site_dir / "etc").exists() and not Path("/etc/index.html").exists()


@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_a_file_name_that_is_not_utf8_is_a_located_error_and_the_rest_builds(site_dir: Path, capsys, suffix: str) -> None:
    write_article(site_dir, "good-story", date="2025-12-01T10:00:00+01:00")
    bad = write_article(site_dir, "other-story", date="2025-12-01T11:00:00+01:00")
    bad.rename(bad.with_name(os.fsdecode(b"caf\xe9-story" + suffix.encode())))
    assert build(site_dir, NOW) == 1
    err = capsys.readouterr().err
    assert "content/caf\\xe9-story" + suffix + ":1: the file name is not valid UTF-8" in err
    assert (site_dir / "public" / "good-story" / "index.html").is_file()
    assert build(site_dir, NOW) == 1  # reported again, and nothing crashes
