"""The input fingerprint and the clock window that let a build with nothing changed stop early."""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from flashnews.config import SiteConfig
from flashnews.build import fingerprint
from flashnews.build.fingerprint import ClockWindow, clock_window, input_fingerprint, stamp_records, stamp_tree, tree_entries, tree_lines
from flashnews.model import Article, RenderedArticle
from flashnews.compose.site import collect_site
from flashnews.compose.sitemap import news_entries

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


def test_a_large_tree_is_stamped_by_two_processes_as_one_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for number in range(40):
        folder = tmp_path / f"d{number % 3}"
        folder.mkdir(exist_ok=True)
        (folder / f"{number:03}.md").write_text("x" * number)
    (tmp_path / "caf\udce9.md").write_bytes(b"not UTF-8 in its name")
    (tmp_path / "gone.md").symlink_to(tmp_path / "missing.md")
    serial = stamp_records(tmp_path)
    monkeypatch.setattr(fingerprint, "PARALLEL_STAT_MIN", 4)
    monkeypatch.setattr(fingerprint, "_may_fork", lambda: True)  # other tests may leave threads behind
    children = []
    fork = os.fork
    monkeypatch.setattr(fingerprint.os, "fork", lambda: children.append(1) or fork())
    assert stamp_records(tmp_path) == serial
    assert children == [1]
    entries = tree_entries(serial)
    assert [entry[0] for entry in entries][:2] == ["caf\udce9.md", "d0/000.md"] and len(entries) == 42
    assert ("gone.md", -1, 0, 0, 0) in entries
    assert tree_lines(entries) == serial


def test_tree_stamp_leaves_out_the_named_top_level_folders(tmp_path: Path) -> None:
    (tmp_path / "_archive").mkdir()
    (tmp_path / "_archive" / "drop.txt").write_text("raw")
    (tmp_path / "a.md").write_text("one")
    assert [entry[0] for entry in stamp_tree(tmp_path, skip=["_archive"])] == ["a.md"]


def test_window_ends_when_the_oldest_article_in_the_news_sitemap_leaves_it() -> None:
    leaving = NOW - timedelta(hours=40)
    items = [item("newest", NOW - timedelta(hours=1)), item("leaving", leaving), item("old", NOW - timedelta(days=30))]
    assert window_for(*items).valid_until == leaving + timedelta(hours=48, microseconds=1)


@pytest.mark.parametrize("now", [datetime(2025, 10, 27, 12, 0, tzinfo=TIRANE), datetime(2025, 3, 31, 12, 0, tzinfo=TIRANE)])
def test_window_around_a_clock_change_is_what_a_scan_of_every_article_gives(now: datetime) -> None:
    """Local times across the end and the start of summer time in Tirana (26 October and
    30 March 2025), written with the zone and with fixed offsets: the scan may stop early only
    where no later article counts."""
    span = timedelta(hours=CONFIG.news_sitemap_hours)
    dates = [now - timedelta(hours=hours, minutes=minutes) for hours in range(44, 52) for minutes in (0, 30)]
    dates += [d.astimezone(ZoneInfo("Etc/GMT-2")) for d in dates[::3]] + [d.astimezone(ZoneInfo("UTC")) for d in dates[1::3]]
    items = [item(f"a{index}", date) for index, date in enumerate(dates)]
    site, _ = collect_site(items, now=now, config=CONFIG)
    midnight = datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=TIRANE)
    expected = min([midnight] + [i.article.date + span + timedelta(microseconds=1) for i in site.articles if i.article.date + span >= now])
    assert clock_window(site, CONFIG, now=now).valid_until == expected


def test_an_article_dated_in_utc_more_than_48_local_hours_before_a_spring_build_still_counts() -> None:
    """Summer time began 30 March 2025: 48 hours before 31 March 12:00 in Tirana is 10:00 UTC,
    one local hour earlier than 12:00 on the 29th, so an article from 10:30 UTC is in the window."""
    now = datetime(2025, 3, 31, 12, 0, tzinfo=TIRANE)
    utc = ZoneInfo("UTC")
    leaving = datetime(2025, 3, 29, 10, 30, tzinfo=utc)
    items = [item("newer", datetime(2025, 3, 30, 9, 0, tzinfo=utc)), item("leaving", leaving), item("old", datetime(2025, 3, 1, tzinfo=utc))]
    site, _ = collect_site(items, now=now, config=CONFIG)
    assert clock_window(site, CONFIG, now=now).valid_until == leaving + timedelta(hours=48, microseconds=1)


def _shown_at(moment: datetime, items: list[RenderedArticle]) -> tuple[list[str], list[str]]:
    """What of the site depends on the build clock: the published articles and the news sitemap's."""
    site, _ = collect_site(items, now=moment, config=CONFIG)
    return [i.article.slug for i in site.articles], [entry["url"] for entry in news_entries(site, CONFIG)]


hours_before = st.integers(min_value=0, max_value=96 * 60).map(lambda minutes: NOW - timedelta(minutes=minutes))


@given(st.lists(hours_before, max_size=4), st.lists(hours_before, min_size=1, max_size=3), st.integers(min_value=0, max_value=600))
def test_a_window_with_new_articles_holds_exactly_while_the_site_would_look_the_same(
    old: list[datetime], new: list[datetime], minutes_since_last_build: int
) -> None:
    built = NOW - timedelta(minutes=minutes_since_last_build)
    before = [item(f"old-{n}", date) for n, date in enumerate(old) if date <= built]
    site, _ = collect_site(before, now=built, config=CONFIG)
    last = clock_window(site, CONFIG, now=built)
    assume(last.contains(NOW))
    after = [*before, *(item(f"new-{n}", date) for n, date in enumerate(new))]
    window = last.with_published(new, CONFIG, now=NOW)
    assert window.contains(NOW)
    # Its end is the one a full build at NOW works out, and within it the site looks the same.
    full, _ = collect_site(after, now=NOW, config=CONFIG)
    assert window.valid_until == clock_window(full, CONFIG, now=NOW).valid_until
    assert window.valid_until is not None
    for moment in (window.valid_from, window.valid_until - timedelta(microseconds=1)):
        assert _shown_at(moment, after) == _shown_at(NOW, after)
    # Just before it starts, a new article was not live yet or was still in the news sitemap.
    if window.valid_from > last.valid_from:
        assert _shown_at(window.valid_from - timedelta(microseconds=1), after) != _shown_at(NOW, after)


def test_stamps_started_in_a_child_are_the_stamps_made_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for number in range(30):
        (tmp_path / f"{number:02}.md").write_text("x" * number)
    (tmp_path / "_archive").mkdir()
    (tmp_path / "_archive" / "drop.txt").write_text("raw")
    expected = stamp_records(tmp_path, skip=["_archive"])
    monkeypatch.setattr(fingerprint, "_may_fork", lambda: True)
    started = fingerprint.StartedStamps(tmp_path, skip=["_archive"])
    assert started._child is not None and started() == expected
    assert started() == expected  # asked again: made here
    discarded = fingerprint.StartedStamps(tmp_path, skip=["_archive"])
    discarded.discard()
    monkeypatch.setattr(fingerprint, "_may_fork", lambda: False)
    assert discarded() == expected
    here = fingerprint.StartedStamps(tmp_path, skip=["_archive"])
    assert here._child is None and here() == expected


def test_stamps_whose_child_failed_are_made_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.md").write_text("a")
    monkeypatch.setattr(fingerprint, "_may_fork", lambda: True)
    monkeypatch.setattr(fingerprint, "stamp_records", lambda root, skip=(): (_ for _ in ()).throw(OSError("in the child only")))
    started = fingerprint.StartedStamps(tmp_path)
    monkeypatch.undo()
    assert started() == stamp_records(tmp_path)
