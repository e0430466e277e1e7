"""Score the normalizer on the development set of real drops (../shared/devset by default).

    python bench/devset.py [--devset DIR] [--per-case] [--json FILE]

Copies every raw case into a fresh content/ folder, runs `build.py normalize` there exactly as an
editor would (the project's site.toml, a fixed clock), then runs the set's own scorer and prints
its table, followed by the figures the targets are stated in: portal drops (every variant but the
whole-page copies) and whole-page copies, each on its own.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DEVSET = REPO.parent / "shared" / "devset"
NOW = "2026-12-01T12:00:00+01:00"
PAGE_COPY = ("page-dump", "page-dump-blank")
ALWAYS_SCORED = ("title_exact", "para_f1", "token_f1")
# (label, scorer field, gold field that must be present for a case to count; None = every case)
FIGURES = (
    ("title", "title_exact", "title"),
    ("category", "category_exact", None),
    ("byline+", "byline", "byline"),
    ("date+", "date", "date"),
    ("paraF1", "para_f1", None),
    ("tokF1", "token_f1", None),
)


def _default_section() -> str:
    import tomllib

    return str(tomllib.loads((REPO / "site.toml").read_text(encoding="utf-8")).get("default_section", ""))


def normalize_devset(devset: Path, work: Path) -> float:
    """Normalize the raw cases in work/content; returns the seconds it took."""
    content = work / "content"
    content.mkdir(parents=True)
    for raw in sorted((devset / "raw").glob("*.txt")):
        shutil.copyfile(raw, content / raw.name)
    shutil.copyfile(REPO / "site.toml", work / "site.toml")
    started = time.perf_counter()
    subprocess.run([sys.executable, str(REPO / "build.py"), "normalize", "-q", "--now", NOW], cwd=work, capture_output=True, check=False)
    return time.perf_counter() - started


def subset_figures(report: dict, gold: dict[str, dict], variants: tuple[str, ...], *, inside: bool) -> dict[str, float | str]:
    """Mean figures over the cases whose variant is (or, with inside=False, is not) in variants."""
    cases = [c for c in report["cases"] if (gold[c["id"]]["variant"] in variants) == inside]
    figures: dict[str, float | str] = {"cases": len(cases)}
    for label, field, given in FIGURES:
        # A case the scorer does not score on a field (None) does not count; a refused one counts 0.
        values = [
            float(c.get(field) or 0)
            for c in cases
            if (given is None or gold[c["id"]].get(given) is not None)
            and (c.get(field) is not None or not c.get("found") and field in ALWAYS_SCORED)
        ]
        figures[label] = round(sum(values) / len(values), 3) if values else "-"
    figures["leaks"] = f"{sum(1 for c in cases if c.get('chrome_leak'))}/{len(cases)}"
    figures["mojibake"] = f"{sum(1 for c in cases if c.get('mojibake'))}/{len(cases)}"
    figures["refused"] = f"{sum(1 for c in cases if not c.get('found'))}/{len(cases)}"
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devset", type=Path, default=DEFAULT_DEVSET)
    parser.add_argument("--per-case", action="store_true", help="also list each case that misses something")
    parser.add_argument("--json", type=Path, help="write the scorer's JSON report here")
    args = parser.parse_args()
    if not (args.devset / "score.py").is_file():
        print(f"no development set at {args.devset}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="fn-devset-") as folder:
        work = Path(folder)
        seconds = normalize_devset(args.devset, work)
        report_path = args.json or work / "report.json"
        command = [sys.executable, str(args.devset / "score.py"), str(work / "content"), "--cases", str(args.devset), "--json", str(report_path)]
        if default := _default_section():
            command += ["--default-category", default]
        if args.per_case:
            command.append("--per-case")
        table = subprocess.run(command, capture_output=True, text=True, check=False)
        print(table.stdout)
        report = json.loads(report_path.read_text(encoding="utf-8"))
    gold = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in (args.devset / "gold").glob("*.json")}
    print(f"normalize: {len(gold)} drops in {seconds:.2f} s (one process, imports included)")
    for name, inside in (("portal drops", False), ("whole-page copies", True)):
        figures = subset_figures(report, gold, PAGE_COPY, inside=inside)
        print(f"{name:18} " + "  ".join(f"{key} {value}" for key, value in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
