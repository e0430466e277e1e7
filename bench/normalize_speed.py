"""Time the normalizer: raw drops -> front-matter Markdown, date parser included.

    python bench/normalize_speed.py [--n 10000] [--seed 0] [--devset DIR]

Prints two figures for N generated drops (bench/generate.py: seed-shaped drops with a dateline
each, over a year of dates):
- in-process: decode + normalize_text per drop, mean ms (first and second pass: the second has
  dateparser's language data loaded and its readings of these dates remembered);
- the command: `build.py normalize` over a content folder of N drops, wall seconds (imports,
  scanning, writing the .md files and archiving the raw ones included).
With --devset, the same in-process figure over the development set's real drops too.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from generate import write_articles  # noqa: E402

from flashnews.config import load_config  # noqa: E402
from flashnews.ingest.decode import decode_bytes  # noqa: E402
from flashnews.errors import NormalizeError  # noqa: E402
from flashnews.ingest.normalize import normalize_text  # noqa: E402

NOW = "2025-06-01T12:00:00+02:00"


def time_in_process(files: list[Path]) -> tuple[float, float, int]:
    """Mean ms per drop on a first and a second pass, and how many were refused."""
    config = load_config(REPO / "site.toml")
    now = datetime.fromisoformat(NOW).astimezone(config.tz)
    data = [(path.name, path.read_bytes()) for path in files]
    means: list[float] = []
    refused = 0
    for _ in range(2):
        refused = 0
        started = time.perf_counter()
        for name, raw in data:
            try:
                text = decode_bytes(raw, path=name).text
                normalize_text(text, path=name, now=now, config=config.normalize, sections=config.sections)
            except NormalizeError:
                refused += 1
        means.append((time.perf_counter() - started) * 1000 / max(len(data), 1))
    return means[0], means[1], refused


def time_command(folder: Path) -> float:
    """Wall seconds of `build.py normalize` over a copy of folder."""
    with tempfile.TemporaryDirectory(prefix="fn-normalize-") as work:
        site = Path(work)
        shutil.copytree(folder, site / "content")
        shutil.copyfile(REPO / "site.toml", site / "site.toml")
        started = time.perf_counter()
        subprocess.run([sys.executable, str(REPO / "build.py"), "normalize", "-q", "--now", NOW], cwd=site, check=False, capture_output=True)
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--devset", type=Path, default=None, help="also time the development set's raw drops (e.g. ../shared/devset)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fn-drops-") as folder:
        drops = Path(folder)
        write_articles(args.n, drops, seed=args.seed)
        files = sorted(drops.glob("*.txt"))
        first, second, refused = time_in_process(files)
        print(f"generated drops: {len(files)}, refused {refused}")
        print(f"  in-process normalize: {first:.2f} ms/drop first pass, {second:.2f} ms/drop second pass")
        seconds = time_command(drops)
        print(f"  build.py normalize:   {seconds:.2f} s for {len(files)} drops ({seconds * 1000 / len(files):.2f} ms/drop, wall)")
    if args.devset is not None:
        files = sorted((args.devset / "raw").glob("*.txt"))
        first, second, refused = time_in_process(files)
        print(f"development set: {len(files)} drops, refused {refused}")
        print(f"  in-process normalize: {first:.2f} ms/drop first pass, {second:.2f} ms/drop second pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
