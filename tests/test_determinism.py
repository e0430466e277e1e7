"""The same content, config and clock give byte-identical output, whatever the output folder,
the time zone, the locale or the order the files were written in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.publishing import BASE_URL, build, tree, write_article

NOW = "2025-12-05T12:00:00+01:00"
ARTICLES = [
    ("late-night", "2025-12-04T23:30:00", "Sport"),  # no offset: read in the site's time zone
    ("same-minute-a", "2025-12-05T09:00:00+01:00", "Ekonomi"),
    ("same-minute-b", "2025-12-05T09:00:00+01:00", "Ekonomi"),
    ("summer", "2025-07-01T08:00:00+02:00", "Kulturë"),
    ("utc", "2025-12-05T10:00:00Z", "Bota"),
]


def write_site(site: Path, *, reverse: bool = False) -> None:
    for slug, date, category in reversed(ARTICLES) if reverse else ARTICLES:
        write_article(site, slug, date=date, category=category, updated="2025-12-05T11:00:00+01:00" if slug == "utc" else "")


def run_cli(site: Path, output: Path, content: Path, env: dict[str, str]) -> None:
    environment = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "LANG", "LC_ALL", "TZ")} | env
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--content", str(content), "--output", str(output),
         "--config", str(site / "site.toml"), "--base-url", BASE_URL, "--now", NOW, "-q"],
        cwd=site, env=environment, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr


def test_two_builds_into_two_folders_are_identical(site_dir):
    write_site(site_dir)
    assert build(site_dir, NOW, output="one") == 0
    assert build(site_dir, NOW, output="two") == 0
    assert tree(site_dir / "one") == tree(site_dir / "two")


def test_the_order_files_were_written_in_does_not_matter(site_dir, tmp_path):
    write_site(site_dir)
    assert build(site_dir, NOW, output="forward") == 0
    for path in (site_dir / "content").iterdir():
        path.unlink()
    write_site(site_dir, reverse=True)
    assert build(site_dir, NOW, output="backward") == 0
    assert tree(site_dir / "forward") == tree(site_dir / "backward")


@pytest.mark.parametrize(
    "env",
    [
        {"TZ": "America/New_York", "LC_ALL": "C.UTF-8"},
        {"TZ": "Asia/Tokyo", "LC_ALL": "POSIX"},
        {"TZ": "Pacific/Kiritimati", "LANG": "C.UTF-8"},
    ],
    ids=lambda env: env["TZ"],
)
def test_time_zone_and_locale_of_the_machine_do_not_change_the_output(sample_site, env):
    write_site(sample_site)
    shutil.copytree(sample_site / "content", sample_site / "content-utc")
    run_cli(sample_site, sample_site / "utc", sample_site / "content-utc", {"TZ": "UTC", "LC_ALL": "C.UTF-8"})
    run_cli(sample_site, sample_site / "other", sample_site / "content", env)
    expected = tree(sample_site / "utc")
    assert "feeds/rss.xml" in expected and "news-sitemap.xml" in expected
    assert tree(sample_site / "other") == expected
    # The raw drops were normalized to the same Markdown under either clock setting too.
    assert tree(sample_site / "content") == tree(sample_site / "content-utc")
