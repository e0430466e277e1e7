"""Watch latency: the time from a file landing in content/ to its rebuilt page being on disk.

Usage: python bench/watch_latency.py [--n 10000] [--runs 7] [--work /tmp/fn-watch] [--skip-sample] [--profile]
                                   [--config site.toml]

Runs the real watch loop (flashnews.app.watch.Watcher with a watchdog observer, the same engine as
`python build.py watch`) on the sample site and on a generated N-article site, then for each run
  edit: atomically replaces one existing .md with a changed title (same slug, date and section,
        like fixing a typo) and waits for its page to show it;
  drop: atomically lands a new raw .txt drop and waits for its article page to appear.
Prints min / median / max latency per scenario, with the part spent in the rebuild itself (normalize +
build_site), the debounce quiet period, and when the search index had caught up (the watch patches
it once no change is pending). With --profile, profiles one edit rebuild with cProfile
and prints where the time goes.

The N-article content comes from bench/generate.py when it exists (raw drops, normalized by the
first build), else from simple generated .md files. The first build of a fresh work folder is a cold
build and can take minutes at N=10000; later invocations reuse WORK/nN (content, output and state).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from flashnews.config import load_config  # noqa: E402
from flashnews.ingest.drops import normalize_drops  # noqa: E402
from flashnews.build.pipeline import BuildPaths, build_site  # noqa: E402
from flashnews.build.state import BuildState, state_path  # noqa: E402
from flashnews.app.watch import QUIET_SECONDS, Watcher  # noqa: E402

NOW = datetime.fromisoformat("2025-06-01T12:00:00+00:00")
CONFIG = REPO / "site.toml"
POLL_SECONDS = 0.001
TIMEOUT = 600.0


def _markdown(title: str, slug: str, body: str) -> str:
    return f'---\ntitle: "{title}"\ndate: "2025-05-11T10:00:00+02:00"\ncategory: "Ekonomi"\nslug: "{slug}"\n---\n\n{body}\n'


def _raw_drop(headline: str) -> str:
    return f"Flash News\n\nSport\n\n{headline}\n\nMay 20, 2025\n\nThe story of {headline.lower()}.\n\nA second paragraph.\n"


def _land(path: Path, text: str) -> None:
    """Write beside the target under a litter name, then rename: the file lands complete."""
    temporary = path.with_name(f".{path.name}.landing")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def prepare_sample(work: Path) -> Path:
    content = work / "sample" / "content"
    if not content.exists():
        content.mkdir(parents=True)
        archived = {p.name: p for p in (REPO / "content" / "_archive").glob("*.txt")}
        drops = archived | {p.name: p for p in (REPO / "content").glob("*.txt")}
        for name in sorted(drops):
            shutil.copy(drops[name], content / name)
    return content


def prepare_generated(work: Path, n: int) -> Path:
    content = work / f"n{n}" / "content"
    if content.exists():
        return content
    generator = REPO / "bench" / "generate.py"
    if generator.exists():
        subprocess.run([sys.executable, str(generator), str(n), str(content), "--seed", "0"], check=True)
    else:
        content.mkdir(parents=True)
        for i in range(n):
            body = f"Generated article {i}. " * 200
            (content / f"{i:06d}.md").write_text(_markdown(f"Generated article {i}", f"generated-article-{i}", body), encoding="utf-8")
    return content


def _slug(text: str) -> str:
    return re.search(r'(?m)^slug: "?([^"\n]+)"?$', text).group(1)  # type: ignore[union-attr]


def _wait_for(path: Path, marker: bytes) -> float:
    deadline = time.perf_counter() + TIMEOUT
    while time.perf_counter() < deadline:
        try:
            if marker in path.read_bytes():
                return time.perf_counter()
        except OSError:
            pass
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"{path} did not show {marker!r} within {TIMEOUT} s")


def measure_site(name: str, content: Path, runs: int, config_path: Path, *, drops: bool = True) -> None:
    output = content.parent / "public"
    paths = BuildPaths(content, output, REPO / "templates", REPO / "static")
    durations: list[float] = []
    watcher = Watcher(load_config(config_path), paths, config_path=config_path, now=NOW, verbosity=-1, on_build=lambda o: durations.append(o.seconds))
    started = time.perf_counter()
    watcher.start()
    watcher.wait_for_builds(1, timeout=TIMEOUT * 6)
    print(f"{name}: first build {time.perf_counter() - started:.2f} s ({watcher.outcomes[0].problems[:1] or 'clean'})", flush=True)
    # Articles with a page (a scheduled one has none until its time).
    articles = [p for p in sorted(content.glob("*.md")) if (output / _slug(p.read_text(encoding="utf-8")) / "index.html").is_file()]
    results: dict[str, list[tuple[float, float, float]]] = {"edit .md": [], "drop .txt": []}
    # Titles and slugs unique to this invocation, so pages from an earlier one never count.
    token = f"{int(time.time())}-{os.getpid()}"
    try:
        for run in range(runs):
            article = articles[run % len(articles)]
            original = article.read_text(encoding="utf-8")
            slug = _slug(original)
            marker = f"Bench edit {token} {run}"
            done = len(watcher.outcomes)
            _land(article, re.sub(r'(?m)^title: "?', f'title: "{marker} ', original, count=1))
            landed = time.perf_counter()
            seen = _wait_for(output / slug / "index.html", marker.encode())
            watcher.wait_for_builds(done + 1, timeout=TIMEOUT)
            watcher.wait_until_idle(timeout=TIMEOUT)
            results["edit .md"].append((seen - landed, durations[-1], time.perf_counter() - landed))
            if not drops:
                continue

            done = len(watcher.outcomes)
            headline = f"Bench drop {token} {run} lands"
            _land(content / f"bench-drop-{token}-{run}.txt", _raw_drop(headline))
            landed = time.perf_counter()
            seen = _wait_for(output / f"bench-drop-{token}-{run}-lands" / "index.html", headline.encode())
            watcher.wait_for_builds(done + 1, timeout=TIMEOUT)
            watcher.wait_until_idle(timeout=TIMEOUT)
            results["drop .txt"].append((seen - landed, durations[-1], time.perf_counter() - landed))
    finally:
        watcher.stop()
    for scenario, figures in results.items():
        if not figures:
            continue
        latency = [f[0] * 1000 for f in figures]
        rebuild = [f[1] * 1000 for f in figures]
        indexed = [f[2] * 1000 for f in figures]
        print(
            f"{name}: {scenario}: latency min {min(latency):.0f} / median {statistics.median(latency):.0f} / "
            f"max {max(latency):.0f} ms; rebuild median {statistics.median(rebuild):.0f} ms; "
            f"search index caught up median {statistics.median(indexed):.0f} / max {max(indexed):.0f} ms after the file landed; "
            f"debounce quiet {QUIET_SECONDS * 1000:.0f} ms; runs {len(figures)}",
            flush=True,
        )


def profile_rebuild(content: Path, top: int, config_path: Path) -> None:
    """One edit rebuild under cProfile, with the same kept-open state the watch loop uses."""
    output = content.parent / "public"
    paths = BuildPaths(content, output, REPO / "templates", REPO / "static")
    config = load_config(config_path)
    article = sorted(content.glob("*.md"))[-1]
    original = article.read_text(encoding="utf-8")
    _land(article, re.sub(r'(?m)^title: "?', f'title: "Profiled {time.time_ns()} ', original, count=1))
    state = BuildState(state_path(output))
    profiler = cProfile.Profile()
    try:
        profiler.enable()
        normalize_drops(content, config, now=NOW)
        result = build_site(config, paths, now=NOW, state=state)
        profiler.disable()
    finally:
        state.close()
    print(f"profiled rebuild: {result.seconds * 1000:.0f} ms in build_site, {result.rendered} pages rendered, {result.written} written")
    for order in ("cumulative", "tottime"):
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(order).print_stats(top)
        print(f"--- top {top} by {order}\n" + "\n".join(text.getvalue().splitlines()[6:]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("/tmp/fn-watch"))
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--config", type=Path, default=CONFIG, help="site config (e.g. one with search = false)")
    parser.add_argument("--no-drops", action="store_true", help="time edits only, not new raw drops")
    args = parser.parse_args()
    if not args.skip_sample:
        measure_site("sample", prepare_sample(args.work), args.runs, args.config)
    if args.n:
        content = prepare_generated(args.work, args.n)
        measure_site(f"n={args.n}", content, args.runs, args.config, drops=not args.no_drops)
        if args.profile:
            profile_rebuild(content, args.top, args.config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
