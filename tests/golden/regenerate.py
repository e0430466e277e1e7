"""Rebuild tests/golden/expected/ from tests/golden/content/ — run only on purpose, after a
deliberate change to templates or output, and review the diff before committing it."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent
REPO = GOLDEN.parent.parent
NOW = "2025-11-25T08:00:00+01:00"
BASE_URL = "https://news.example.org/"


def build_golden(output: Path) -> int:
    """Build the golden site into output with the fixed clock and base URL; returns the exit status."""
    sys.path.insert(0, str(REPO))
    from flashnews.app.cli import main

    with tempfile.TemporaryDirectory() as work:
        content = Path(work) / "content"
        shutil.copytree(GOLDEN / "content", content)
        return main(
            [
                "build", "-q", "--content", str(content), "--output", str(output), "--config", str(GOLDEN / "site.toml"),
                "--templates", str(REPO / "templates"), "--static", str(REPO / "static"), "--now", NOW, "--base-url", BASE_URL,
            ]
        )


if __name__ == "__main__":
    target = GOLDEN / "expected"
    shutil.rmtree(target, ignore_errors=True)
    sys.exit(build_golden(target))
