"""Disk faults through the whole command: a full disk or a failed rename while writing is fatal (exit 2) with
one clear message and the previous output untouched; a drop that cannot be written stays a drop."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import flashnews.ingest.archive
import flashnews.ingest.drops
import flashnews.build.output
from flashnews.errors import OutputError
from flashnews.build.state import BuildState, OutputRecord, state_path
from tests.conftest import FIXTURES
from tests.publishing import build, tree, write_article

NOW = "2025-12-05T12:00:00+01:00"
LATER = "2025-12-05T13:00:00+01:00"
FULL = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def failing_from_call(number: int, function):
    calls = 0

    def faulty(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls >= number:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return function(*args, **kwargs)

    return faulty


@pytest.fixture
def built(site_dir: Path) -> Path:
    for n in range(6):
        write_article(site_dir, f"story-{n}", date=f"2025-12-0{n + 1}T09:00:00+01:00", body=f"Story {n}.")
    assert build(site_dir, NOW) == 0
    return site_dir


def change_everything(site: Path) -> None:
    for n in range(6):
        write_article(site, f"story-{n}", date=f"2025-12-0{n + 1}T09:00:00+01:00", body=f"Story {n}, updated.")
    write_article(site, "story-new", date="2025-12-05T10:00:00+01:00")


def assert_fatal_and_untouched(site: Path, before: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert build(site, LATER) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err
    assert "fatal: nothing was changed in the output folder" in err
    assert "Traceback" not in err
    assert tree(site / "public") == before
    assert not flashnews.build.output.staging_path(site / "public").exists()


@pytest.mark.parametrize("failing_call", [1, 4])
def test_a_full_disk_while_staging_is_fatal_and_changes_nothing(built, monkeypatch, capsys, failing_call):
    before = tree(built / "public")
    change_everything(built)
    monkeypatch.setattr(flashnews.build.output, "_write_file", failing_from_call(failing_call, flashnews.build.output._write_file))
    assert_fatal_and_untouched(built, before, capsys)


@pytest.mark.parametrize("failing_call", [1, 3, 9])
def test_a_rename_that_fails_midway_through_the_swap_is_rolled_back(built, monkeypatch, capsys, failing_call):
    before = tree(built / "public")
    change_everything(built)
    real_replace = os.replace
    calls = 0

    def replace(source, target, **kwargs):
        nonlocal calls
        # Only the swap into the output folder fails; the rollback's own renames must work.
        if Path(target).is_relative_to(built / "public") and not Path(source).is_relative_to(built / "public"):
            calls += 1
            if calls == failing_call:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(source, target, **kwargs)

    monkeypatch.setattr(flashnews.build.output.os, "replace", replace)
    assert_fatal_and_untouched(built, before, capsys)


def test_the_build_after_a_full_disk_equals_a_cold_build(built, monkeypatch, capsys, tmp_path):
    change_everything(built)
    monkeypatch.setattr(flashnews.build.output, "_write_file", failing_from_call(3, flashnews.build.output._write_file))
    assert build(built, LATER) == 2
    monkeypatch.undo()
    assert build(built, LATER) == 0
    assert build(built, LATER, output="cold") == 0
    assert tree(built / "public") == tree(built / "cold")


def test_a_drop_that_cannot_be_written_is_a_located_error_and_stays_a_drop(site_dir, monkeypatch, capsys):
    drop = site_dir / "content" / "seed.txt"
    drop.write_bytes((FIXTURES / "seed.txt").read_bytes())
    def append(path: Path, line: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # the drop's record cannot be written

    monkeypatch.setattr(flashnews.ingest.archive, "_append_record", append)
    capsys.readouterr()
    assert build(site_dir, NOW) == 1
    err = capsys.readouterr().err
    assert err.startswith("content/seed.txt:1: cannot write content/seed.md: No space left on device; ")
    assert drop.read_bytes() == (FIXTURES / "seed.txt").read_bytes()
    assert not (site_dir / "content" / "seed.md").exists()
    monkeypatch.undo()
    assert build(site_dir, NOW) == 0
    assert (site_dir / "content" / "seed.md").exists()
    assert (site_dir / "content" / "_archive" / "seed.txt").read_bytes() == (FIXTURES / "seed.txt").read_bytes()


def test_a_clobbered_build_state_is_set_aside_and_the_build_still_succeeds(built):
    state = state_path(built / "public")
    for extra in state.parent.glob("state.sqlite-*"):
        extra.unlink()
    state.write_bytes(b"this is not a database, a sync client wrote it")
    write_article(built, "story-0", date="2025-12-01T09:00:00+01:00", body="Story 0, after the clobbering.")
    assert build(built, NOW) == 0
    assert b"after the clobbering" in (built / "public" / "story-0" / "index.html").read_bytes()
    assert (state.parent / "state.sqlite.broken").exists()
    assert build(built, NOW, output="cold") == 0
    # Every page is right; files the lost manifest owned (old search fragments) are left, never guessed at.
    public, cold = tree(built / "public"), tree(built / "cold")
    assert {path: public.get(path) for path in cold} == cold


def test_a_state_database_that_cannot_be_written_raises_output_error(tmp_path):
    state = BuildState(tmp_path / "state.sqlite")
    state._db.close()  # what a vanished disk looks like to sqlite: every statement fails
    with pytest.raises(OutputError, match="cannot update the build state"):
        state.write_outputs({"index.html": OutputRecord("digest")}, ())


def test_drops_recorded_only_in_the_journal_still_protect_their_md(site_dir, monkeypatch):
    """A run killed after applying drops but before folding its journal into the manifest."""
    (site_dir / "content" / "seed.txt").write_bytes((FIXTURES / "seed.txt").read_bytes())
    monkeypatch.setattr(flashnews.ingest.drops, "compact_manifest", lambda archive, manifest: None)
    assert build(site_dir, NOW) == 0
    monkeypatch.undo()
    archive = site_dir / "content" / "_archive"
    assert not (archive / "manifest.json").exists() and (archive / "manifest.log").is_file()
    with open(archive / "manifest.log", "a", encoding="utf-8") as journal:
        journal.write('["content/cut-short.md", "ab')  # the line a crash cut short
    md = site_dir / "content" / "seed.md"
    (site_dir / "content" / "seed.txt").write_bytes((FIXTURES / "seed.txt").read_bytes())
    assert build(site_dir, NOW) == 0, "the journal says the .md came from a drop, so a re-drop may replace it"
    assert (archive / "manifest.json").is_file() and not (archive / "manifest.log").exists()
    md.write_text(md.read_text(encoding="utf-8") + "\nAn editor's note.\n", encoding="utf-8")
    (site_dir / "content" / "seed.txt").write_bytes((FIXTURES / "seed.txt").read_bytes())
    assert build(site_dir, NOW) == 1, "the re-drop is refused: the .md was edited after it was generated"
    assert "An editor's note." in md.read_text(encoding="utf-8")
