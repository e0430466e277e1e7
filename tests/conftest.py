"""Shared fixtures: the repository's paths, a fixed build clock and a copy of the sample site."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOW = datetime(2025, 12, 5, 12, 0, tzinfo=ZoneInfo("Europe/Tirane"))


def sample_drops(pattern: str = "*.txt") -> list[Path]:
    """The bundled sample drops, whether still in content/ or already moved byte for byte into
    content/_archive/ by a build of the repository (as `make build` does)."""
    found = {
        p.name: p
        for p in (REPO / "content" / "_archive").glob(pattern)
        if not re.search(r"\.[0-9a-f]{10}\.txt$", p.name)
    }
    found.update({p.name: p for p in (REPO / "content").glob(pattern)})
    return [found[name] for name in sorted(found)]


@pytest.fixture(autouse=True)
def outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts as a build on an editor's machine, wherever the suite runs: a CI runner's
    own CI and SOURCE_DATE_EPOCH would change what a build prints and which clock it takes.
    Tests of the CI path set them explicitly."""
    for name in ("CI", "GITHUB_ACTIONS", "SOURCE_DATE_EPOCH"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    """A throwaway project: the repo's site.toml, templates and static, and an empty content/."""
    for name in ("templates", "static"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "site.toml", tmp_path / "site.toml")
    (tmp_path / "content").mkdir()
    return tmp_path


@pytest.fixture
def sample_site(site_dir: Path) -> Path:
    """site_dir with the bundled sample drops in content/."""
    for path in sample_drops():
        shutil.copy(path, site_dir / "content" / path.name)
    return site_dir
