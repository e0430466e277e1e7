"""A five-article site built end to end equals the stored tree in tests/golden/expected/
(regenerated only on purpose with `python tests/golden/regenerate.py`)."""

from __future__ import annotations

from pathlib import Path

from tests.golden.regenerate import GOLDEN, build_golden


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_golden_site_matches_the_stored_tree(tmp_path):
    assert build_golden(tmp_path / "public") == 0
    built, expected = _files(tmp_path / "public"), _files(GOLDEN / "expected")
    assert sorted(built) == sorted(expected)
    for path in expected:
        assert built[path] == expected[path], f"{path} differs from the golden tree"
