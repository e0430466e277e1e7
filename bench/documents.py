"""Milliseconds to normalize one .docx and one saved .html drop (after the first, which imports the converters).

Run: .venv/bin/python bench/documents.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from flashnews.config import load_config  # noqa: E402
from flashnews.ingest.documents import normalize_document  # noqa: E402
from tests.word_documents import rich_docx, story_docx  # noqa: E402

NOW = datetime(2025, 12, 5, 12, 0, tzinfo=ZoneInfo("Europe/Tirane"))


def time_drop(data: bytes, suffix: str, runs: int) -> tuple[float, float]:
    config = load_config(REPO / "site.toml")
    started = time.perf_counter()
    convert = lambda: normalize_document(data, suffix=suffix, path=f"content/x{suffix}", relative_path=f"x{suffix}", now=NOW, config=config)  # noqa: E731
    convert()
    first = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        convert()
        times.append((time.perf_counter() - started) * 1000)
    return first, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    drops = [
        ("docx: story, 3 pictures", story_docx(pictures=3, paragraphs=["A paragraph of the story, long enough to be typical."] * 20), ".docx"),
        ("docx: rich formatting", rich_docx(), ".docx"),
    ]
    drops += [(f"html: {page.stem}", page.read_bytes(), ".html") for page in sorted((REPO / "tests/fixtures/pages").glob("*.html"))]
    print(f"{'drop':48} {'first ms':>9} {'median ms':>10}")
    for name, data, suffix in drops:
        first, median = time_drop(data, suffix, runs)
        print(f"{name:48} {first:9.1f} {median:10.1f}")


if __name__ == "__main__":
    main()
