"""The Pagefind search index: built with the pages, byte-stable, rebuilt only when article pages change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flashnews.config import load_config
from flashnews.pipeline import BuildPaths, BuildResult, build_site
from flashnews.stages import update_search_index
from flashnews.search import SearchCancelled, build_search_index
from flashnews.state import BuildState, state_path
from tests.conftest import NOW
from tests.publishing import set_config, tree, write_article


def build_into(site: Path, output: str = "public", *, defer_search: bool = False) -> BuildResult:
    paths = BuildPaths(site / "content", site / output, site / "templates", site / "static")
    return build_site(load_config(site / "site.toml"), paths, now=NOW, defer_search=defer_search)


def entry(site: Path, output: str = "public") -> dict:
    return json.loads((site / output / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))


def two_articles(site: Path) -> None:
    write_article(site, "derby", date="2025-12-04T20:00:00+01:00", title="Partizani win the derby", body="A late goal at Air Albania.")
    write_article(site, "budget", date="2025-12-03T09:00:00+01:00", title="Budget passes", category="Ekonomi", body="Parliament votes.")


def test_every_article_page_and_nothing_else_is_indexed(site_dir: Path):
    two_articles(site_dir)
    result = build_into(site_dir)
    assert result.indexed == 2
    languages = entry(site_dir)["languages"]
    assert list(languages) == ["en"] and languages["en"]["page_count"] == 2
    assert (site_dir / "public" / "search" / "index.html").is_file()
    assert (site_dir / "public" / "pagefind" / "pagefind-component-ui.js").is_file()


def test_two_cold_builds_give_byte_identical_indexes(site_dir: Path):
    two_articles(site_dir)
    build_into(site_dir, "one")
    build_into(site_dir, "two")
    assert tree(site_dir / "one" / "pagefind") == tree(site_dir / "two" / "pagefind")


def test_the_index_is_reused_until_an_article_page_changes(site_dir: Path):
    two_articles(site_dir)
    build_into(site_dir)
    (site_dir / "static" / "style.css").write_text("body { color: black; }\n", encoding="utf-8")
    assert build_into(site_dir).indexed == 0
    write_article(site_dir, "transfer", date="2025-12-05T09:00:00+01:00", title="Striker signs for Tirana")
    result = build_into(site_dir)
    assert result.indexed == 3
    assert entry(site_dir)["languages"]["en"]["page_count"] == 3


def test_a_deleted_article_leaves_the_index(site_dir: Path):
    two_articles(site_dir)
    build_into(site_dir)
    (site_dir / "content" / "budget.md").unlink()
    assert build_into(site_dir).indexed == 1
    assert entry(site_dir)["languages"]["en"]["page_count"] == 1


def test_an_incremental_build_equals_a_cold_build_including_the_index(site_dir: Path):
    two_articles(site_dir)
    build_into(site_dir, "warm")
    write_article(site_dir, "transfer", date="2025-12-05T09:00:00+01:00", title="Striker signs for Tirana")
    build_into(site_dir, "warm")
    build_into(site_dir, "cold")
    assert tree(site_dir / "warm") == tree(site_dir / "cold")


def test_search_false_leaves_out_the_search_page_and_removes_an_old_index(site_dir: Path):
    two_articles(site_dir)
    build_into(site_dir)
    set_config(site_dir, "search", False)
    result = build_into(site_dir)
    assert result.indexed == 0
    public = site_dir / "public"
    assert not (public / "pagefind").exists() and not (public / "search").exists()
    assert 'href="search/"' not in (public / "index.html").read_text(encoding="utf-8")


def test_the_index_is_in_the_interface_language_whatever_each_article_says(site_dir: Path):
    set_config(site_dir, "language", "sq")
    write_article(site_dir, "derby", date="2025-12-04T20:00:00+01:00", title="Partizani fiton derbin")
    build_into(site_dir)
    assert list(entry(site_dir)["languages"]) == ["sq"]


def test_pages_can_come_from_bytes_or_from_files(tmp_path: Path):
    page = '<!doctype html><html lang="en"><body><main data-pagefind-body><h1>Snow in Kukës</h1><p>Roads closed.</p></main></body></html>'
    (tmp_path / "old.html").write_text(page.replace("Snow", "Rain"), encoding="utf-8")
    files = build_search_index([("a/index.html", page.encode()), ("b/index.html", tmp_path / "old.html")], language="en", work_dir=tmp_path / "work")
    paths = {f.path for f in files}
    assert "pagefind/pagefind.js" in paths and "pagefind/pagefind-entry.json" in paths
    assert json.loads(next(f.data for f in files if f.path.endswith("entry.json")))["languages"]["en"]["page_count"] == 2
    assert list((tmp_path / "work").iterdir()) == []  # the scratch copy is gone


def test_search_results_link_under_the_base_url_path(site_dir: Path):
    two_articles(site_dir)
    set_config(site_dir, "base_url", "https://news.example/lajme/")
    build_into(site_dir)
    page = (site_dir / "public" / "search" / "index.html").read_text(encoding="utf-8")
    assert '<pagefind-config base-url="/lajme/"></pagefind-config>' in page
    assert 'src="../pagefind/pagefind-component-ui.js"' in page


def test_a_deferred_index_publishes_the_page_first_and_the_next_build_catches_up(site_dir: Path):
    two_articles(site_dir)
    build_into(site_dir)
    old_index = tree(site_dir / "public" / "pagefind")
    write_article(site_dir, "transfer", date="2025-12-05T09:00:00+01:00", title="Striker signs for Tirana")
    deferred = build_into(site_dir, defer_search=True)
    assert deferred.search_pending and deferred.indexed == 0
    assert (site_dir / "public" / "transfer" / "index.html").is_file(), "the page is published at once"
    assert tree(site_dir / "public" / "pagefind") == old_index, "the last index stays whole until it is replaced"
    assert build_into(site_dir, defer_search=True).search_pending, "still due while nothing indexed it"
    caught_up = build_into(site_dir)
    assert caught_up.indexed == 3 and not caught_up.search_pending
    build_into(site_dir, "cold")
    assert tree(site_dir / "public") == tree(site_dir / "cold")


def test_indexing_stops_when_asked_and_leaves_the_output_as_it_was(site_dir: Path):
    two_articles(site_dir)
    build_into(site_dir)
    before = tree(site_dir / "public")
    write_article(site_dir, "transfer", date="2025-12-05T09:00:00+01:00", title="Striker signs for Tirana")
    paths = BuildPaths(site_dir / "content", site_dir / "public", site_dir / "templates", site_dir / "static")
    asked: list[int] = []

    def cancel() -> bool:
        asked.append(1)
        return True

    with pytest.raises(SearchCancelled):
        build_site(load_config(site_dir / "site.toml"), paths, now=NOW, cancel_search=cancel)
    assert asked, "Pagefind was watched while it ran"
    assert tree(site_dir / "public") == before
    assert build_into(site_dir).indexed == 3


def test_the_index_alone_catches_up_with_a_deferred_build(site_dir: Path):
    two_articles(site_dir)
    build_into(site_dir)
    write_article(site_dir, "transfer", date="2025-12-05T09:00:00+01:00", title="Striker signs for Tirana")
    assert build_into(site_dir, defer_search=True).search_pending
    paths = BuildPaths(site_dir / "content", site_dir / "public", site_dir / "templates", site_dir / "static")
    state = BuildState(state_path(site_dir / "public"))
    try:
        assert update_search_index(load_config(site_dir / "site.toml"), paths, state) == 3
    finally:
        state.close()
    assert not build_into(site_dir).search_pending
    build_into(site_dir, "cold")
    assert tree(site_dir / "public") == tree(site_dir / "cold")


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in command:
            found.append(command)
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_stopping_indexing_leaves_no_pagefind_process_running(tmp_path: Path):
    body = "".join(f"<p>Paragraph {i} about the harbour, the council and the budget.</p>" for i in range(200))
    pages = [(f"story-{i}/index.html", f"<html><body data-pagefind-body><h1>Story {i}</h1>{body}</body></html>".encode()) for i in range(3000)]
    work = tmp_path / "work"
    started: list[float] = []

    def cancel() -> bool:
        # True once Pagefind (launcher and binary) has been running for a moment.
        if _processes_mentioning(str(work)):
            started.append(1)
        return len(started) > 5

    with pytest.raises(SearchCancelled):
        build_search_index(pages, language="en", work_dir=work, cancel=cancel)
    assert started, "Pagefind was running when indexing was stopped"
    assert _processes_mentioning(str(work)) == []
