"""Problems, drop reports and build results -> the lines a command prints.

The build, publish and watch commands all report with these, so the summary line reads the
same whichever command ran the build.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from flashnews.ingest.drops import DropReport
from flashnews.errors import ConfigError, FlashnewsError, SourceError, TemplateError
from flashnews.model import BuildResult


def report_problems(errors: Sequence[FlashnewsError], warnings: Sequence[object], verbosity: int) -> None:
    """Print every error (always) and warning (unless quiet) in compiler style."""
    if verbosity >= 0:
        for warning in warnings:
            print(warning, file=sys.stderr)
    for error in errors:
        print(f"{error}" if isinstance(error, (SourceError, ConfigError, TemplateError)) else f"error: {error}", file=sys.stderr)


def print_drops(report: DropReport, verbosity: int) -> None:
    """List each .md a drop became (unless quiet) and, verbosely, each line stripped as chrome."""
    if verbosity >= 0:
        for path in report.written:
            print(f"normalized {path}")
    if verbosity > 0:
        for line in report.stripped:
            print(f"  stripped {line}")
        for note in report.notes:
            print(f"  guessed {note}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def summary_line(result: BuildResult, drops: DropReport | None = None) -> str:
    """The one-line summary that ends every build."""
    errors = len(result.errors) + (len(drops.errors) if drops else 0)
    warnings = len(result.warnings) + (len(drops.warnings) if drops else 0)
    text = (
        f"{_count(result.articles, 'article')}, {_count(result.pages, 'page')} ({result.written} written, {result.deleted} deleted), "
        f"{_count(warnings, 'warning')}, {_count(errors, 'error')} in {result.seconds:.2f} s"
    )
    if result.next_scheduled_at:
        text += f"; next scheduled publication at {result.next_scheduled_at.isoformat()}"
    return text
