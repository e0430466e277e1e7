"""The build state: output manifest, article cache, source stamps and values about the last build."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from flashnews.build.state import SCHEMA_VERSION, BuildState, FileStamp, OutputRecord, stamp_of, state_path


def open_state(tmp_path: Path) -> BuildState:
    return BuildState(tmp_path / "state" / "state.sqlite")


def state_with_output(tmp_path: Path) -> tuple[BuildState, Path]:
    """A fresh state and an output folder holding a/index.html and b.html (not yet recorded)."""
    output_dir = tmp_path / "public"
    (output_dir / "a").mkdir(parents=True)
    (output_dir / "a" / "index.html").write_text("a")
    (output_dir / "b.html").write_text("b")
    return open_state(tmp_path), output_dir


def test_state_lives_in_a_dot_folder_beside_the_output(tmp_path: Path) -> None:
    assert state_path(tmp_path / "public") == tmp_path / ".public.flashnews" / "state.sqlite"


def test_outputs_written_are_read_back_and_deleted_ones_are_gone(tmp_path: Path) -> None:
    state = open_state(tmp_path)
    state.write_outputs({"a/index.html": OutputRecord("d1", "content/a.md"), "b.html": OutputRecord("d2")}, [])
    state.write_outputs({"a/index.html": OutputRecord("d3", "content/a.md")}, ["b.html"])
    assert state.read_outputs() == {"a/index.html": OutputRecord("d3", "content/a.md")}
    assert state.read_output_paths() == ["a/index.html"]


def test_every_output_is_present_until_a_recorded_file_is_deleted(tmp_path: Path) -> None:
    state, output_dir = state_with_output(tmp_path)
    state.write_outputs({"a/index.html": OutputRecord("d1", "content/a.md"), "b.html": OutputRecord("d2")}, [])
    assert state.has_every_output(output_dir)
    (output_dir / "b.html").unlink()
    assert not state.has_every_output(output_dir)


def test_cache_returns_only_the_keys_it_has_even_for_many_keys(tmp_path: Path) -> None:
    state = open_state(tmp_path)
    state.put_many({f"k{i}": f"v{i}".encode() for i in range(1200)})
    found = state.get_many([f"k{i}" for i in range(0, 1500, 3)])
    assert found == {f"k{i}": f"v{i}".encode() for i in range(0, 1200, 3)}


def test_file_digests_are_replaced_as_a_whole(tmp_path: Path) -> None:
    state = open_state(tmp_path)
    state.write_file_digests({"content/a.md": (FileStamp(1, 2, 3, 4), "h1"), "content/b.md": (FileStamp(5, 6, 7, 8), "h2")})
    state.write_file_digests({"content/b.md": (FileStamp(5, 6, 7, 9), "h3")})
    assert state.read_file_digests() == {"content/b.md": (FileStamp(5, 6, 7, 9), "h3")}


def test_stamp_of_a_file_changes_when_its_bytes_are_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("one")
    before = stamp_of(path.stat())
    path.write_text("two!")
    assert stamp_of(path.stat()) != before


def test_values_are_set_read_and_removed(tmp_path: Path) -> None:
    state = open_state(tmp_path)
    state.write_values({"fingerprint": "abc", "clock": "x"})
    state.write_values({"clock": None})
    assert (state.read_value("fingerprint"), state.read_value("clock"), state.read_value("missing")) == ("abc", None, None)


def test_clearing_the_outputs_forgets_the_last_build_too(tmp_path: Path) -> None:
    state = open_state(tmp_path)
    state.write_outputs({"a.html": OutputRecord("d")}, [])
    state.write_values({"fingerprint": "abc"})
    state.clear_outputs()
    assert state.read_outputs() == {} and state.read_value("fingerprint") is None


def test_state_survives_closing_and_reopening(tmp_path: Path) -> None:
    state = open_state(tmp_path)
    state.write_values({"fingerprint": "abc"})
    state.put_many({"k": b"v"})
    state.close()
    again = open_state(tmp_path)
    assert again.read_value("fingerprint") == "abc" and again.get_many(["k"]) == {"k": b"v"}


def test_state_of_an_older_schema_is_emptied(tmp_path: Path) -> None:
    state = open_state(tmp_path)
    state.write_outputs({"a.html": OutputRecord("d")}, [])
    state.put_many({"k": b"v"})
    state.close()
    with sqlite3.connect(tmp_path / "state" / "state.sqlite") as db:
        db.execute("UPDATE meta SET value = '0' WHERE key = 'schema'")
    again = open_state(tmp_path)
    assert again.read_outputs() == {} and again.get_many(["k"]) == {}
    assert SCHEMA_VERSION != "0"


def test_a_watch_session_reads_through_its_map_what_another_build_wrote(tmp_path: Path) -> None:
    path = tmp_path / "state" / "state.sqlite"
    session = BuildState(path, session=True)
    assert session._db.execute("PRAGMA mmap_size").fetchone()[0] > 0
    session.put_many({"k": b"first"})
    assert session.get_many(["k"]) == {"k": b"first"}
    other = BuildState(path)
    other.put_many({"k": b"second" * 10_000, "j": b"new"})
    other.close()
    assert session.get_many(["k", "j"]) == {"k": b"second" * 10_000, "j": b"new"}
    session.close()


@pytest.mark.parametrize("remember_folder", [True, False])
def test_every_top_output_is_present_until_a_top_entry_is_deleted(tmp_path: Path, remember_folder: bool) -> None:
    state, output_dir = state_with_output(tmp_path)
    written = {"a/index.html": OutputRecord("d1", "content/a.md"), "a/x.png": OutputRecord("d3"), "b.html": OutputRecord("d2")}
    state.write_outputs(written, [], output_dir=output_dir if remember_folder else None)
    assert (state.read_value("output_folder") is not None) == remember_folder
    assert state.has_every_top_output(output_dir)  # a/x.png is inside a folder that is there
    (output_dir / "other.txt").write_text("an entry nobody recorded")
    assert state.has_every_top_output(output_dir)
    (output_dir / "b.html").unlink()
    assert not state.has_every_top_output(output_dir)
    (output_dir / "b.html").write_text("b")
    (output_dir / "a" / "index.html").unlink()
    (output_dir / "a").rmdir()
    assert not state.has_every_top_output(output_dir)
    assert not state.has_every_top_output(tmp_path / "elsewhere")


def test_an_output_folder_replaced_by_one_with_the_same_entries_is_listed_again(tmp_path: Path) -> None:
    state, output_dir = state_with_output(tmp_path)
    state.write_outputs({"a/index.html": OutputRecord("d1"), "b.html": OutputRecord("d2")}, [], output_dir=output_dir)
    assert state.has_every_top_output(output_dir)
    output_dir.rename(tmp_path / "old")
    output_dir.mkdir()
    (output_dir / "b.html").write_text("b")
    assert not state.has_every_top_output(output_dir)  # the stamp differs, and the listing lacks a
    (output_dir / "a").mkdir()
    assert state.has_every_top_output(output_dir)


def test_the_top_entries_follow_the_outputs_recorded_and_deleted(tmp_path: Path) -> None:
    state = open_state(tmp_path)

    def tops() -> set[str]:
        return {name for (name,) in state._db.execute("SELECT name FROM tops")}

    def expected() -> set[str]:
        return {path.partition("/")[0] for path in state.read_output_paths()}

    state.write_outputs({p: OutputRecord("d") for p in ("a/index.html", "a/x.png", "a.b", "a-c/index.html", "b.html", "é/index.html")}, [])
    assert tops() == expected() == {"a", "a.b", "a-c", "b.html", "é"}
    state.write_outputs({}, ["a/index.html", "a-c/index.html", "é/index.html"])
    assert tops() == expected() == {"a", "a.b", "b.html"}  # a/x.png keeps the folder a
    state.write_outputs({"c/index.html": OutputRecord("d")}, ["a/x.png", "b.html", "not/recorded.html"])
    assert tops() == expected() == {"a.b", "c"}
    state.clear_outputs()
    assert tops() == expected() == set()


def test_large_values_live_in_files_named_by_the_digest_the_database_commits(tmp_path: Path) -> None:
    state = open_state(tmp_path)
    big = "é" * (1 << 20)
    state.write_values({"docs": big, "small": "s"})
    state.write_large("stamps", b"\0\xff" * 10)
    values = tmp_path / "state" / "values"
    files = sorted(values.iterdir())
    assert len(files) == 2 and all(len(path.name) == 64 for path in files)  # no temporary file left
    state.close()
    state = open_state(tmp_path)
    assert state.read_value("docs") == big and state.read_value("small") == "s" and state.read_large("stamps") == b"\0\xff" * 10
    for path in files:
        path.write_bytes(path.read_bytes()[:-1] + b"x")  # not the file the database names
    assert state.read_value("docs") is None and state.read_large("stamps") is None
    state.write_large("stamps", b"again")
    assert state.read_large("stamps") == b"again"
    state.write_values({"docs": None})
    assert state.read_value("docs") is None
    assert len(list(values.iterdir())) == 1, "a file no value names any more is deleted"
    memory = BuildState(Path(":memory:"))
    memory.write_large("stamps", b"\0\xff")
    assert memory.read_large("stamps") == b"\0\xff"


def test_a_large_value_that_cannot_be_written_leaves_the_last_one(tmp_path: Path) -> None:
    import hashlib

    from flashnews.errors import OutputError

    state = open_state(tmp_path)
    state.write_large("stamps", b"first")
    (tmp_path / "state" / "values" / hashlib.sha256(b"second").hexdigest()).mkdir()  # where the new file would go
    with pytest.raises(OutputError, match="cannot update the build state"):
        state.write_large("stamps", b"second")
    assert state.read_large("stamps") == b"first"
    assert not [path for path in (tmp_path / "state" / "values").iterdir() if path.name.endswith(".new")]


def test_a_write_that_did_not_check_the_output_folder_does_not_vouch_for_it(tmp_path: Path) -> None:
    state, output_dir = state_with_output(tmp_path)
    state.write_outputs({"a/index.html": OutputRecord("d1"), "b.html": OutputRecord("d2")}, [], output_dir=output_dir)
    assert state.output_folder_unchanged(output_dir)
    (output_dir / "a" / "index.html").unlink()
    (output_dir / "a").rmdir()  # deleted by hand
    checked = state.output_folder_unchanged(output_dir)
    (output_dir / "c.html").write_text("c")  # a write that does not look at the rest (a page published first)
    state.write_outputs({"c.html": OutputRecord("d3")}, [], output_dir=output_dir, checked=checked)
    assert not checked and not state.has_every_top_output(output_dir)
