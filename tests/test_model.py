"""BuildResult's constructors: from a collected site, and from the summary a clean build leaves."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from flashnews.errors import FrontMatterError, SourceLocation, SourceWarning
from flashnews.model import BuildResult, Site

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def test_result_of_a_site_counts_its_articles_and_sorts_errors_by_message() -> None:
    site = Site((), (), NOW, next_scheduled_at=NOW, held_back=2)
    late = FrontMatterError(SourceLocation("content/b.md", 2), "no date")
    early = FrontMatterError(SourceLocation("content/a.md", 1), "no title")
    warning = SourceWarning(SourceLocation("content/c.md", 1), "long title")
    result = BuildResult.of_site(
        site, pages=5, seconds=0.5, errors=[late, early], warnings=[warning], written_paths=("index.html",), deleted=1
    )
    assert result == BuildResult(
        articles=0, pages=5, written=1, deleted=1, errors=(early, late), warnings=(warning,),
        next_scheduled_at=NOW, seconds=0.5, held_back=2, written_paths=("index.html",),
    )


def test_result_from_a_summary_repeats_the_figures_of_the_build_that_left_it() -> None:
    built = BuildResult(
        articles=12, pages=30, written=30, deleted=0, errors=(), warnings=(), next_scheduled_at=NOW, seconds=2.0, held_back=1
    )
    again = BuildResult.from_summary(json.loads(json.dumps(built.summary())), seconds=0.1, written_paths=("a/index.html",), rendered=1)
    assert (again.articles, again.pages, again.held_back, again.next_scheduled_at) == (12, 30, 1, NOW)
    assert (again.written, again.written_paths, again.rendered, again.deleted, again.errors) == (1, ("a/index.html",), 1, 0, ())
