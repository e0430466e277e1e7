"""The content folder -> source files: litter left out, everything else that looks like a source accounted for."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flashnews.errors import SourceError
from flashnews.ingest.sources import DROP_SUFFIXES, is_litter, read_source_bytes, scan_source_files

ARTICLE = b"---\ntitle: Tram line approved\ndate: 2025-12-01\ncategory: Bota\n---\nBody.\n"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "story.md").write_bytes(ARTICLE)
    return folder


def names(paths) -> list[str]:
    return [p.name for p in paths]


def messages(items) -> list[str]:
    return [str(item) for item in items]


@pytest.mark.parametrize(
    "name",
    ["story.md~", ".story.md.swp", "story.md.swp", "#story.md#", ".#story.md", "4913", "story.md.tmp", "story.md.bak",
     "story.md.orig", "story.md.part", "Thumbs.db", "desktop.ini", ".DS_Store", "._story.md", "story.md.flashnews-tmp"],
)
def test_editor_os_and_download_litter_is_left_out_silently(content, name):
    (content / name).write_bytes(ARTICLE)
    scan = scan_source_files(content, suffix=".md")
    assert names(scan.paths) == ["story.md"]
    assert (scan.errors, scan.warnings) == ((), ())
    assert is_litter(name)


@pytest.mark.parametrize("name", ["story (conflicted copy 2025-12-01).md", "story (Conflict 1).md", "story.sync-conflict-20251201-1200-ABC.md"])
def test_a_sync_conflict_copy_is_not_built_but_named_in_a_warning(content, name):
    (content / name).write_bytes(ARTICLE)
    scan = scan_source_files(content, suffix=".md")
    assert names(scan.paths) == ["story.md"]
    assert messages(scan.warnings) == [f"content/{name}:1: warning: sync-conflict copy is not built; merge its changes into the original, then delete it"]


def test_underscore_and_dot_folders_are_not_sources(content):
    for folder in ("_archive", ".git", "_drafts"):
        (content / folder).mkdir()
        (content / folder / "old.md").write_bytes(ARTICLE)
    assert names(scan_source_files(content, suffix=".md").paths) == ["story.md"]


def test_the_suffix_matches_whatever_its_case(content):
    (content / "LOUD.MD").write_bytes(ARTICLE)
    assert names(scan_source_files(content, suffix=".md").paths) == ["LOUD.MD", "story.md"]


def test_a_link_inside_the_folder_is_a_source(content):
    (content / "alias.md").symlink_to(content / "story.md")
    assert names(scan_source_files(content, suffix=".md").paths) == ["alias.md", "story.md"]


def test_a_link_leading_outside_the_content_folder_is_a_located_error(content, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_bytes(ARTICLE)
    (content / "leak.md").symlink_to(secret)
    scan = scan_source_files(content, suffix=".md")
    assert names(scan.paths) == ["story.md"]
    [error] = scan.errors
    assert str(error).startswith("content/leak.md:1: symbolic link points outside content/")


def test_a_link_to_etc_passwd_is_refused(content):
    (content / "passwd.md").symlink_to("/etc/passwd")
    [error] = scan_source_files(content, suffix=".md").errors
    assert error.location.path == "content/passwd.md"


def test_link_loops_and_dangling_links_are_located_errors(content):
    (content / "a.md").symlink_to(content / "b.md")
    (content / "b.md").symlink_to(content / "a.md")
    (content / "gone.md").symlink_to(content / "missing.md")
    scan = scan_source_files(content, suffix=".md")
    assert names(scan.paths) == ["story.md"]
    assert sorted(messages(scan.errors)) == [
        "content/a.md:1: symbolic link loop; it was not built; remove the link or point it at the article file",
        "content/b.md:1: symbolic link loop; it was not built; remove the link or point it at the article file",
        "content/gone.md:1: symbolic link to a file that does not exist; it was not built; remove the link or restore its target",
    ]


def test_a_folder_link_is_not_followed(content, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "other.md").write_bytes(ARTICLE)
    (content / "linked").symlink_to(outside, target_is_directory=True)
    assert names(scan_source_files(content, suffix=".md").paths) == ["story.md"]


def test_a_folder_link_back_into_the_content_folder_is_named_in_a_warning(content):
    (content / "loop").symlink_to("..", target_is_directory=True)
    scan = scan_source_files(content, suffix=".txt", report_documents=True)
    assert scan.errors == ()
    assert [w.location.path for w in scan.warnings] == ["content/loop"]
    assert "would loop; it is not followed" in str(scan.warnings[0])


def test_a_folder_link_elsewhere_is_named_in_a_warning_among_drops(content, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (content / "linked").symlink_to(outside, target_is_directory=True)
    scan = scan_source_files(content, suffix=".txt", report_documents=True)
    assert messages(scan.warnings) == [f"content/linked:1: warning: symbolic link to a folder ({outside.resolve()}) is not followed; move or copy the articles into content/ itself"]


def test_a_fifo_is_a_located_error_and_never_blocks_the_scan(content):
    os.mkfifo(content / "pipe.md")
    scan = scan_source_files(content, suffix=".md")
    assert names(scan.paths) == ["story.md"]
    assert messages(scan.errors) == ["content/pipe.md:1: a named pipe (FIFO), not a file; it was not built; save the article as a regular file"]


def test_reading_a_fifo_raises_instead_of_waiting_for_a_writer(content):
    os.mkfifo(content / "pipe.md")
    with pytest.raises(SourceError, match="not a regular file"):
        read_source_bytes(content / "pipe.md", shown="content/pipe.md", max_bytes=1000)


def test_word_processor_files_among_drops_are_named_in_a_warning(content):
    (content / "story.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    scan = scan_source_files(content, suffix=DROP_SUFFIXES, report_documents=True)
    assert messages(scan.warnings) == ["content/story.doc:1: warning: word-processor files are not read; save it as a Word document (.docx) or as plain text (.txt)"]


def test_word_documents_and_saved_pages_are_drops(content):
    for name in ("story.docx", "wire.html", "partner.HTM", "notes.txt"):
        (content / name).write_bytes(b"x")
    scan = scan_source_files(content, suffix=DROP_SUFFIXES, report_documents=True)
    assert names(scan.paths) == ["notes.txt", "partner.HTM", "story.docx", "wire.html"]
    assert scan.warnings == ()


def test_a_saved_pages_files_folder_is_not_searched_for_drops(content):
    (content / "wire.html").write_bytes(b"<p>x</p>")
    (content / "wire_files").mkdir()
    (content / "wire_files" / "ad-frame.html").write_bytes(b"<p>ad</p>")
    (content / "other_files").mkdir()  # no page beside it: an ordinary folder
    (content / "other_files" / "story.txt").write_bytes(b"x")
    scan = scan_source_files(content, suffix=DROP_SUFFIXES)
    assert names(scan.paths) == ["story.txt", "wire.html"]


def test_word_lock_files_are_litter_not_documents(content):
    (content / "~$story.docx").write_bytes(b"lock")
    scan = scan_source_files(content, suffix=".txt", report_documents=True)
    assert scan.warnings == ()


def test_an_entry_that_cannot_be_opened_is_a_located_read_error(content):
    # Root reads any file whatever its mode, so a file that cannot be opened is made the portable
    # way: a name that stops being a file between the scan and the read.
    path = content / "story.md"
    scan = scan_source_files(content, suffix=".md")
    path.unlink()
    path.mkdir()
    with pytest.raises(SourceError) as caught:
        read_source_bytes(scan.paths[0], shown="content/story.md", max_bytes=1000)
    assert str(caught.value).startswith("content/story.md:1: ")


def test_size_is_checked_before_reading(content):
    big = content / "big.md"
    with open(big, "wb") as handle:
        handle.truncate(50_000_000)  # sparse: nothing to read, only a size
    with pytest.raises(SourceError) as caught:
        read_source_bytes(big, shown="content/big.md", max_bytes=1000)
    assert str(caught.value).startswith("content/big.md:1: file is 50000000 bytes, over the 1000 byte limit")


def test_a_file_at_the_limit_is_read_in_full(content):
    assert read_source_bytes(content / "story.md", shown="content/story.md", max_bytes=len(ARTICLE)) == ARTICLE


def _stat_taken_before_a_write(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """os.fstat reports `size` bytes, as when the file grows between the stat and the read."""
    real = os.fstat

    def earlier(descriptor: int) -> os.stat_result:
        fields = list(real(descriptor))
        fields[6] = size  # st_size
        return os.stat_result(fields)

    monkeypatch.setattr("flashnews.ingest.sources.os.fstat", earlier)


def test_a_file_that_grew_after_its_stat_is_read_to_its_end(content, monkeypatch):
    _stat_taken_before_a_write(monkeypatch, 10)
    assert read_source_bytes(content / "story.md", shown="content/story.md", max_bytes=1000) == ARTICLE


def test_a_file_that_grew_past_the_limit_after_its_stat_is_refused(content, monkeypatch):
    _stat_taken_before_a_write(monkeypatch, 10)
    with pytest.raises(SourceError) as caught:
        read_source_bytes(content / "story.md", shown="content/story.md", max_bytes=len(ARTICLE) - 1)
    assert "grew past the" in str(caught.value)
