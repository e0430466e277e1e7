"""Article counts -> timed flashnews builds (cold, no change, one change, peak memory), optionally
side by side with Hugo and Pelican on the same articles.

Usage:
    python bench/run.py [--sizes 1000,10000] [--runs 3] [--work /tmp/fn-bench] [--compare] [--tools hugo,pelican]
    python bench/run.py --sizes 100000 --runs 1
    python bench/run.py --no-search --compare   # like for like: Hugo and Pelican build no search index
    python bench/run.py --search --compare      # flashnews with and without its search index, next to them
    python bench/run.py --corpus uniform        # the plain corpus of the earlier figures (see generate.py)

For each N: writes N raw drops with generate.py, normalizes them once (timed on its own, then
again with nothing left to do), keeps that normalized copy, and for each run lays it down again
and times, each as a fresh `python build.py build` process: a cold build (no output, no state),
a rebuild with nothing changed, and a rebuild after one article gained a paragraph. Prints the
medians and the highest peak RSS; with --compare, Hugo's and Pelican's figures and the ratios.
Then, for flashnews only, times a rebuild after a headline change and after a new raw drop that
is the newest article (changes that other pages show; see the notes under the table).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
from compare import (  # noqa: E402
    PhaseTimes,
    ToolResult,
    append_paragraph,
    ensure_venv,
    format_table,
    measure_command,
    empty_trash,
    remove_paths,
    set_aside,
    run_hugo,
    run_pelican,
    run_phases,
)
from generate import CORPORA, generate_articles, write_articles  # noqa: E402

NOW = "2025-06-01T12:00:00+00:00"


@dataclass(frozen=True, slots=True)
class Preparation:
    """The normalized articles of one size, and what normalizing cost."""

    normalized_path: Path
    normalize_seconds: float
    normalize_again_seconds: float
    one_article: str


def flashnews_version() -> str:
    from importlib import metadata

    return metadata.version("flashnews")


def _flashnews_command(verb: str, content: Path, output: Path, config: Path) -> list[str]:
    return [
        sys.executable, os.fspath(REPO / "build.py"), verb,
        "--content", os.fspath(content), "--output", os.fspath(output), "--config", os.fspath(config),
        "--templates", os.fspath(REPO / "templates"), "--static", os.fspath(REPO / "static"),
        "--now", NOW, "-q",
    ]


def config_without_search(config: Path, work: Path) -> Path:
    """A copy of config with search = false, for comparing with tools that build no search index."""
    lines = config.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.strip().startswith("search")]
    first_table = next((i for i, line in enumerate(kept) if line.startswith("[")), len(kept))
    kept.insert(first_table, "search = false")
    work.mkdir(parents=True, exist_ok=True)
    target = work / "site-no-search.toml"
    target.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return target


def prepare(n: int, *, work_path: Path, config: Path, seed: int, corpus: str) -> Preparation:
    """Write and normalize n drops once; later runs copy the normalized folder."""
    raw = work_path / "raw"
    normalized = work_path / "normalized"
    marker = work_path / "normalized.json"
    if marker.is_file() and normalized.is_dir():
        return Preparation(normalized, **json.loads(marker.read_text()))
    remove_paths(raw, normalized, marker)
    write_articles(n, raw, seed=seed, corpus=corpus)
    scratch = work_path / "scratch"
    normalize_seconds, _ = measure_command(_flashnews_command("normalize", raw, scratch, config), work_path)
    again_seconds, _ = measure_command(_flashnews_command("normalize", raw, scratch, config), work_path)
    remove_paths(scratch)
    raw.rename(normalized)
    names = sorted(p.name for p in normalized.glob("*.md"))
    details = {"normalize_seconds": normalize_seconds, "normalize_again_seconds": again_seconds, "one_article": names[len(names) // 2]}
    marker.write_text(json.dumps(details))
    return Preparation(normalized, **details)


def _copy_tree(source: Path, target: Path) -> None:
    set_aside(target)
    # cp is several times faster than shutil.copytree on folders of 100,000 files.
    if shutil.which("cp"):
        subprocess.run(["cp", "-r", os.fspath(source), os.fspath(target)], check=True)
    else:
        shutil.copytree(source, target)


@dataclass(frozen=True, slots=True)
class OtherChanges:
    """Median seconds of flashnews rebuilds after changes other articles also show."""

    new_headline_seconds: float
    new_article_seconds: float


def retitle(path: Path, *, run: int) -> None:
    """Give an article a new headline (its cards on listings, rails and related lists change)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'(?m)^title: "', f'title: "Updated {run}: ', text, count=1), encoding="utf-8")


def drop_new_article(content: Path, *, run: int, seed: int) -> None:
    """A raw drop published at the build clock: the newest article, so every listing page shifts."""
    _, text, meta = next(iter(generate_articles(1, seed + 1000 + run, corpus="uniform")))
    blocks = text.split("\n\n")
    blocks[2], blocks[3] = f"Breaking {run}: {blocks[2]}", f"Breaking {run}: {blocks[3]}"
    blocks[4] = f"1 June 2025, 11:{30 + run:02d}"  # each one newer than the last
    (content / f"breaking-{run}.txt").write_text("\n\n".join(blocks), encoding="utf-8")


def time_other_changes(command: list[str], *, site: Path, content: Path, article: str, runs: int, seed: int) -> OtherChanges:
    """After run_phases: time a rebuild after a headline change and after a new article, runs times."""
    retitled: list[float] = []
    added: list[float] = []
    for run in range(runs):
        retitle(content / article, run=run)
        retitled.append(measure_command(command, site, log_path=site / "bench-other.log")[0])
        drop_new_article(content, run=run, seed=seed)
        added.append(measure_command(command, site, log_path=site / "bench-other.log")[0])
    return OtherChanges(statistics.median(retitled), statistics.median(added))


def check_findable(output: Path, article: Path, word: str) -> None:
    """Fail unless the search index finds the article for the word (as static/search.js reads it)."""
    from flashnews.compose import search

    slug = re.search(r'^slug: "(.*)"$', article.read_text(encoding="utf-8"), re.MULTILINE)
    (term,) = search.words_of(word)
    data = output / search.SEARCH_DIR
    lines = search.decode_bucket((data / "t" / f"{search.bucket_of(term)}.txt").read_bytes())
    manifest = json.loads((data / "index.json").read_text(encoding="utf-8"))
    urls = []
    for number in range((manifest["count"] + manifest["docs_per_file"] - 1) // manifest["docs_per_file"]):
        urls += [row[0] for row in json.loads((data / "d" / f"{number}.json").read_text(encoding="utf-8"))]
    found = {urls[i] for i in search.decode_ids(lines.get(term, "0"))} if term in lines else set()
    if slug is None or f"{slug.group(1)}/" not in found:
        raise SystemExit(f"the search index does not find {article.name} for {word!r}")


def run_flashnews(
    n: int, *, work_path: Path, config: Path, runs: int, seed: int, corpus: str, label: str = "flashnews", search: bool = True
) -> tuple[ToolResult, Preparation, OtherChanges]:
    """Time flashnews on n generated articles under work_path/<label> (the drops are normalized
    once, under work_path/flashnews)."""
    site = work_path / label
    site.mkdir(parents=True, exist_ok=True)
    prepared = prepare(n, work_path=work_path / "flashnews", config=config, seed=seed, corpus=corpus)
    content, output = site / "content", site / "public"

    def reset_cold() -> None:
        set_aside(output, site / ".public.flashnews", site / ".public.staging")
        _copy_tree(prepared.normalized_path, content)

    times = run_phases(
        _flashnews_command("build", content, output, config),
        cwd=site,
        runs=runs,
        reset_cold=reset_cold,
        change_one=lambda run: append_paragraph(content / prepared.one_article, run=run),
    )
    missing = [slug for slug in _slugs(content) if not (output / slug / "index.html").is_file()]
    if missing:
        raise SystemExit(f"flashnews did not write {len(missing)} article pages, e.g. {missing[0]}")
    if search:
        check_findable(output, content / prepared.one_article, "misstated")  # a word of the appended paragraph
    other = time_other_changes(
        _flashnews_command("build", content, output, config), site=site, content=content, article=prepared.one_article, runs=runs, seed=seed
    )
    return ToolResult(label, flashnews_version(), n, times), prepared, other


def _slugs(content: Path) -> list[str]:
    """The slug in each normalized article's front matter (flashnews shortens long ones)."""
    found = []
    for path in content.glob("*.md"):
        match = re.search(r'^slug: "(.*)"$', path.read_text(encoding="utf-8"), re.MULTILINE)
        if match:
            found.append(match.group(1))
    return found


def _ratio(ours: float, theirs: float) -> str:
    return f"{theirs / ours:.1f}x" if ours > 0 else "-"


def format_ratios(ours: ToolResult, others: list[ToolResult]) -> str:
    """How many times faster flashnews is than each other tool (above 1 = flashnews faster)."""
    lines = []
    for other in others:
        a, b = ours.times, other.times
        lines.append(
            f"{other.tool} / {ours.tool} at N={ours.n}: cold {_ratio(a.cold_seconds, b.cold_seconds)}, "
            f"no-change {_ratio(a.no_change_seconds, b.no_change_seconds)}, "
            f"one-change {_ratio(a.one_change_seconds, b.one_change_seconds)}, "
            f"peak RSS {_ratio(a.peak_rss_bytes, b.peak_rss_bytes)}; "
            f"{ours.tool}'s time as a share of {other.tool}'s: cold {_share(a.cold_seconds, b.cold_seconds)}, "
            f"no-change {_share(a.no_change_seconds, b.no_change_seconds)}, one-change {_share(a.one_change_seconds, b.one_change_seconds)}"
        )
    return "\n".join(lines)


def _share(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}x" if theirs > 0 else "-"


def _as_dict(result: ToolResult) -> dict[str, object]:
    times: PhaseTimes = result.times
    return {"tool": result.tool, "version": result.version, "n": result.n, **{k: getattr(times, k) for k in PhaseTimes.__slots__}}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, time every size, print the table and save it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts, e.g. 1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3, help="repetitions; medians are reported")
    parser.add_argument("--work", type=Path, default=Path("/tmp/fn-bench"), help="scratch folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--config", type=Path, default=REPO / "site.toml", help="site config (templates and static beside it)")
    parser.add_argument("--compare", action="store_true", help="also time Hugo and Pelican on the same articles")
    parser.add_argument("--no-search", action="store_true", help="build without the search index (Hugo and Pelican build none)")
    parser.add_argument("--search", action="store_true", help="time flashnews both with and without its search index")
    parser.add_argument("--tools", default="hugo,pelican", help="with --compare: comma-separated, hugo,pelican")
    parser.add_argument("--corpus", choices=CORPORA, default="varied", help="generated articles: varied (default) or uniform")
    parser.add_argument("--venv", type=Path, help="venv for Hugo and Pelican (default: WORK/venv-compare)")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    finally:
        empty_trash()


def compile_flashnews() -> None:
    """Write flashnews's bytecode before timing, as the first import of an installed package
    does: with PYTHONDONTWRITEBYTECODE set (some CI images, some sandboxes) every timed run
    would otherwise compile the modules from source again (about 0.1 s a run)."""
    import compileall

    compileall.compile_dir(REPO / "flashnews", quiet=1)


def _run(args: argparse.Namespace) -> int:
    compile_flashnews()
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    without = config_without_search(args.config.resolve(), args.work.resolve())
    variants = [("flashnews", args.config.resolve(), True)]
    if args.search:
        variants.append(("flashnews-no-search", without, False))
    elif args.no_search:
        variants = [("flashnews", without, False)]
    venv_path = (args.venv or args.work / "venv-compare").resolve()
    if args.compare:
        ensure_venv(venv_path)
    runners = {"hugo": run_hugo, "pelican": run_pelican}
    results: list[ToolResult] = []
    extra: dict[tuple[str, int], OtherChanges] = {}
    notes: list[str] = []
    for n in sizes:
        work_path = args.work.resolve() / (f"n{n}" if args.corpus == "varied" else f"n{n}-{args.corpus}")
        ours_all = []
        for label, config, search in variants:
            ours, prepared, other = run_flashnews(
                n, work_path=work_path, config=config, runs=args.runs, seed=args.seed, corpus=args.corpus, label=label, search=search
            )
            print(format_table([ours]).splitlines()[1], file=sys.stderr, flush=True)
            ours_all.append(ours)
            extra[(label, n)] = other
            notes.append(
                f"{label} N={n}: normalizing the drops once took {prepared.normalize_seconds:.2f} s; "
                f"normalize with nothing left to do {prepared.normalize_again_seconds:.2f} s; "
                f"rebuild after a new headline {other.new_headline_seconds:.2f} s, "
                f"after a new article (a raw drop, normalized and built) {other.new_article_seconds:.2f} s"
            )
        results += ours_all
        if args.compare:
            articles = [meta for _, _, meta in generate_articles(n, args.seed, corpus=args.corpus)]
            tools = [name.strip() for name in args.tools.split(",") if name.strip()]
            others = [runners[name](articles, work_path=work_path, venv_path=venv_path, runs=args.runs) for name in tools]
            for other in others:
                print(format_table([other]).splitlines()[1], file=sys.stderr, flush=True)
            results += others
            notes += [format_ratios(ours, others) for ours in ours_all]
    print(format_table(results))
    print("\n".join(notes))
    summary = [
        {**_as_dict(r), **(asdict(extra[(r.tool, r.n)]) if (r.tool, r.n) in extra else {}), "runs": args.runs, "corpus": args.corpus}
        for r in results
    ]
    args.work.mkdir(parents=True, exist_ok=True)
    (args.work / "results-flashnews.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
