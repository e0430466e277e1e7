"""Shared fixtures: the repository's paths, a fixed build clock and a copy of the sample site."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOW = datetime(2025, 12, 5, 12, 0, tzinfo=ZoneInfo("Europe/Tirane"))


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
    for path in sorted((REPO / "content").glob("*.txt")):
        shutil.copy(path, site_dir / "content" / path.name)
    return site_dir
