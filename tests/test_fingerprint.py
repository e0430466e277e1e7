"""The input fingerprint and the clock window that let a build with nothing changed stop early."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flashnews.config import SiteConfig
from flashnews.fingerprint import ClockWindow, clock_window, input_fingerprint, stamp_tree
from flashnews.model import Article, RenderedArticle
from flashnews.site import collect_site

TIRANE = ZoneInfo("Europe/Tirane")
NOW = datetime(2025, 12, 5, 12, 0, tzinfo=TIRANE)
CONFIG = SiteConfig(timezone="Europe/Tirane", news_sitemap_hours=48)


def item(name: str, date: datetime) -> RenderedArticle:
    article = Article(source_path=f"content/{name}.md", title=name, date=date, category="Bota", slug=name, body="Body.")
    return RenderedArticle(article, "<p>Body.</p>", "Body.", 1, 1)


def window_for(*items: RenderedArticle) -> ClockWindow:
    site, _ = collect_site(items, now=NOW, config=CONFIG)
    return clock_window(site, CONFIG, now=NOW)


def test_window_ends_at_the_next_local_midnight_when_nothing_else_is_due() -> None:
    window = window_for(item("old", NOW - timedelta(days=30)))
    assert window == ClockWindow(NOW, datetime(2025, 12, 6, 0, 0, tzinfo=TIRANE))


def test_window_ends_when_the_next_scheduled_article_goes_live() -> None:
    due = NOW + timedelta(hours=3)
    assert window_for(item("old", NOW - timedelta(days=30)), item("later", due)).valid_until == due


def test_window_ends_when_an_article_leaves_the_news_sitemap() -> None:
    published = NOW - timedelta(hours=47)
    # The sitemap keeps an article while it is at most 48 hours old, so it leaves just after that.
    assert window_for(item("recent", published)).valid_until == published + timedelta(hours=48, microseconds=1)


def test_an_article_exactly_at_the_news_window_edge_keeps_the_window_open_at_its_build_time() -> None:
    window = window_for(item("edge", NOW - timedelta(hours=48)))
    assert window.contains(NOW), "a second build at the same clock must be able to skip"
    assert not window.contains(NOW + timedelta(seconds=1))


def test_window_holds_from_its_build_time_and_never_before() -> None:
    window = ClockWindow(NOW, NOW + timedelta(hours=1))
    assert window.contains(NOW) and window.contains(NOW + timedelta(minutes=59))
    assert not window.contains(NOW - timedelta(seconds=1)) and not window.contains(NOW + timedelta(hours=1))
    assert ClockWindow.decode(window.encode()) == window and ClockWindow.decode("garbage") is None


def test_tree_stamp_changes_when_a_file_is_edited_added_or_removed(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("one")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("two")
    first = stamp_tree(tmp_path)
    assert [entry[0] for entry in first] == ["a.md", "sub/b.md"]
    (tmp_path / "sub" / "b.md").write_text("two!")
    second = stamp_tree(tmp_path)
    (tmp_path / "c.md").write_text("three")
    third = stamp_tree(tmp_path)
    os.remove(tmp_path / "a.md")
    assert len({input_fingerprint(tree) for tree in (first, second, third, stamp_tree(tmp_path))}) == 4


def test_tree_stamp_leaves_out_the_named_top_level_folders(tmp_path: Path) -> None:
    (tmp_path / "_archive").mkdir()
    (tmp_path / "_archive" / "drop.txt").write_text("raw")
    (tmp_path / "a.md").write_text("one")
    assert [entry[0] for entry in stamp_tree(tmp_path, skip=["_archive"])] == ["a.md"]
