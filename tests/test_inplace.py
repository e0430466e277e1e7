"""In-place edits: a build after edits to published articles that leave them in their place renders
only the pages that show them, and its output and build state equal a cold build's; every other
change takes the full build."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from flashnews.build import pipeline, searching, stages
from flashnews.compose import sitemap
from flashnews.config import load_config
from flashnews.errors import OutputError
from flashnews.build.pipeline import BuildPaths, build_site
from flashnews.compose.render import create_environment
from flashnews.build.state import BuildState, state_path

from tests.test_incremental import NOW, build, cold_tree, read_tree

WORDS = (
    "harbour council budget railway election festival museum drought vineyard bridge stadium "
    "parliament orchestra glacier satellite refinery tunnel cathedral market pension"
).split()
COUNT = 40
Change = Callable[[Path], None]


def article_path(project: Path, number: int) -> Path:
    return project / "content" / f"story-{number:02d}.md"


def story_page(project: Path, number: int) -> Path:
    (page,) = (project / "public").glob(f"*-of-story-{number}/index.html")
    return page


def write_article(project: Path, number: int) -> None:
    """Article `number` (0 is the newest): two sections, an hour apart, titles sharing some words."""
    words = [WORDS[(number * 3 + k) % len(WORDS)] for k in range(3)]
    section = ("Ekonomi", "Sport")[number % 2]
    hour = COUNT - number
    article_path(project, number).write_text(
        f'---\ntitle: "The {words[0]} and the {words[1]} of story {number}"\n'
        f'date: "2025-12-0{1 + hour // 24}T{hour % 24:02d}:00:00+01:00"\ncategory: "{section}"\n'
        f'slug: "the-{words[0]}-and-the-{words[1]}-of-story-{number}"\n---\n\n'
        f"The {words[0]} opened early, and the {words[2]} followed by noon.\n\n"
        f"Officials said the {words[1]} would be reviewed next month.\n\n"
        "Residents were asked for their views.\n",
        encoding="utf-8",
    )


def make_newsroom(project: Path, *, search: bool) -> Path:
    """Forty articles in two sections, small feeds and rails, built once."""
    config = project / "site.toml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^per_page = .*$", "per_page = 5", text)
    text = re.sub(r"(?m)^latest_count = .*$", "latest_count = 3", text)
    text = re.sub(r"(?m)^feed_items = .*$", f"feed_items = 4\nsearch = {'true' if search else 'false'}", text)
    config.write_text(text, encoding="utf-8")
    for number in range(COUNT):
        write_article(project, number)
    assert build(project) == 0
    return project


@pytest.fixture(params=[False, True], ids=["search-off", "search-on"])
def newsroom(site_dir: Path, request: pytest.FixtureRequest) -> Path:
    return make_newsroom(site_dir, search=request.param)


@pytest.fixture
def full_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the builds into public/ that load and plan the whole site."""
    calls: list[int] = []
    original = stages._build_changed

    def counted(config: object, paths: pipeline.BuildPaths, **kwargs: object) -> object:
        if paths.output_dir.name == "public":
            calls.append(1)
        return original(config, paths, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(stages, "_build_changed", counted)
    return calls


def page_keys(output: Path) -> dict[str, str]:
    with sqlite3.connect(state_path(output)) as db:
        return dict(db.execute("SELECT path, digest FROM outputs"))


def append_to_body(path: Path, text: str = "A correction was added at 14:00.") -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"\n{text}\n")


def assert_same_as_cold(project: Path, *, now: str = NOW) -> None:
    assert read_tree(project / "public") == cold_tree(project, now=now)
    assert page_keys(project / "public") == page_keys(project.parent / f"{project.name}-cold" / "cold")


def test_a_body_edit_renders_only_its_page(newsroom: Path, full_builds: list[int]) -> None:
    page = story_page(newsroom, 20)
    before = {p: p.stat().st_mtime_ns for p in (newsroom / "public").rglob("*.html") if p != page}
    append_to_body(article_path(newsroom, 20))
    assert build(newsroom) == 0
    assert full_builds == []
    assert "A correction was added at 14:00." in page.read_text(encoding="utf-8")
    assert {p: p.stat().st_mtime_ns for p in before} == before
    assert_same_as_cold(newsroom)
    # The build state is whole again: nothing changed means nothing to do.
    assert build(newsroom) == 0
    assert full_builds == []


def test_edits_near_each_other_are_built_in_place_together(newsroom: Path, full_builds: list[int]) -> None:
    for number in (14, 15, 16, 30):
        append_to_body(article_path(newsroom, number), f"Update to story {number}.")
    assert build(newsroom) == 0
    assert full_builds == []
    assert_same_as_cold(newsroom)


def test_successive_edits_of_one_article(newsroom: Path, full_builds: list[int]) -> None:
    for round_number in range(3):
        append_to_body(article_path(newsroom, 25), f"Round {round_number}.")
        assert build(newsroom) == 0
    assert full_builds == []
    assert_same_as_cold(newsroom)


def test_an_edit_of_an_article_in_the_feeds_renders_its_page_and_the_feeds(newsroom: Path, full_builds: list[int]) -> None:
    append_to_body(article_path(newsroom, 1), "The newest story gained a line.")
    assert build(newsroom) == 0
    assert full_builds == []
    for feed in ("feeds/rss.xml", "feeds/atom.xml", "sport/rss.xml", "sport/atom.xml"):
        assert "The newest story gained a line." in (newsroom / "public" / feed).read_text(encoding="utf-8"), feed
    assert "The newest story gained a line." not in (newsroom / "public" / "ekonomi" / "rss.xml").read_text(encoding="utf-8")
    assert_same_as_cold(newsroom)


def edit_story(project: Path, old: str, new: str, number: int = 20) -> None:
    """Replace the first `old` in article `number` (it must be there) with `new`."""
    path = article_path(project, number)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _retitle(project: Path, number: int = 20) -> None:
    edit_story(project, f"of story {number}\"", f"of story {number}, retitled\"", number)


def _new_lead(project: Path) -> None:
    edit_story(project, "opened early", "opened late")


def _redate(project: Path) -> None:
    edit_story(project, 'date: "2025-12-01T20:00:00+01:00"', 'date: "2025-12-01T00:30:00+01:00"')


def _mark_updated(project: Path) -> None:
    edit_story(project, "category:", 'updated: "2025-12-05T09:00:00+01:00"\ncategory:')


def _break_front_matter(project: Path) -> None:
    edit_story(project, "category:", 'title: "A second title"\ncategory:')  # a duplicate key


def _misspell_field(project: Path) -> None:
    edit_story(project, "category:", 'auhtor: "Ana Lika"\ncategory:')


def _add_picture(project: Path) -> None:
    from PIL import Image

    append_to_body(article_path(project, 20))
    Image.new("RGB", (64, 48), (200, 30, 30)).save(project / "content" / "story-20.jpg")


def _link_outside(project: Path) -> None:
    outside = project.parent / "elsewhere.md"
    outside.write_text(article_path(project, 20).read_text(encoding="utf-8") + "\nLeaked.\n", encoding="utf-8")
    article_path(project, 20).unlink()
    os.symlink(outside, article_path(project, 20))


def _add_field(name: str, value: str, number: int = 20) -> Change:
    return lambda project: edit_story(project, "category:", f'{name}: "{value}"\ncategory:', number)


# Changes to what an article's card shows: its rail, related lists, listing pages, 404 page, feeds
# and news sitemap entry change with it, and are rendered in place.
CARD_CHANGES: dict[str, Change] = {
    "new headline": _retitle,
    "new first paragraph (the lead cards show)": _new_lead,
    "new summary": _add_field("summary", "A shorter summary."),
    "new author": _add_field("author", "Ana Lika"),
    "new language": _add_field("lang", "sq"),
    "headline of the newest (the oldest rails, the 404 page, the feeds)": lambda project: _retitle(project, 0),
    "headline of the second newest": lambda project: _retitle(project, 1),
    "headline of the oldest": lambda project: _retitle(project, COUNT - 1),
    "text of an old article (its rail runs off the end)": lambda project: append_to_body(article_path(project, COUNT - 2)),
    "first on a listing page": lambda project: _retitle(project, 25),
    "headlines of several at once, and a text": lambda project: (
        _retitle(project, 5), _retitle(project, 6), _retitle(project, 33), append_to_body(article_path(project, 12))
    ),
}


@pytest.mark.parametrize("change", CARD_CHANGES.values(), ids=CARD_CHANGES.keys())
def test_a_change_to_what_cards_show_renders_the_pages_that_show_it(newsroom: Path, full_builds: list[int], change: Change) -> None:
    change(newsroom)
    assert build(newsroom) == 0
    assert full_builds == []
    assert_same_as_cold(newsroom)
    assert build(newsroom) == 0  # and the build state is whole again
    assert full_builds == []


def add_story(name: str, date: str, category: str = "Sport", *, fields: str = "") -> Change:
    """A new normalized story in content/<name>.md."""

    def add(project: Path) -> None:
        (project / "content" / f"{name}.md").write_text(
            f'---\ntitle: "The {name.replace("-", " ")}"\ndate: "{date}"\ncategory: "{category}"\n{fields}---\n\n'
            f"The {name.replace('-', ' ')} came in at {date}.\n\nOfficials were asked for their views.\n",
            encoding="utf-8",
        )

    return add


def state_values(output: Path) -> dict[str, str]:
    """The build state's summary (articles, pages) and clock window."""
    with sqlite3.connect(state_path(output)) as db:
        return dict(db.execute("SELECT key, value FROM meta WHERE key IN ('value:summary', 'value:clock')"))


# New stories published at the build clock in a section the site has, on a free URL: they are
# added in place. (The newsroom's stories run from 1 to 40 hours after 2025-12-01T00:00, one an
# hour, the even ones in Ekonomi; the build clock is 2025-12-05T12:00, the news sitemap's window 48 h.)
ADDITIONS: dict[str, Change] = {
    "the newest story (front pages, rails of the oldest, feeds, 404 page, news sitemap)": add_story(
        "breaking-news", "2025-12-05T11:00:00+01:00"
    ),
    "a story inside the news sitemap's window that leaves it before midnight": add_story(
        "recent-story", "2025-12-03T13:00:00+01:00", "Ekonomi"
    ),
    "a story between two others": add_story("late-filing", "2025-12-01T20:30:00+01:00", "Ekonomi"),
    "a story at the same minute as another (ordered by file name)": add_story("story-10a", "2025-12-02T06:00:00+01:00"),
    "the oldest story (every archive page of its listings moves)": add_story("from-the-archive", "2025-11-30T10:00:00+01:00", "Ekonomi"),
    "a story among the oldest (their rails show the newest)": add_story("early-story", "2025-12-01T01:30:00+01:00"),
    "two stories at once": lambda project: (
        add_story("first-of-two", "2025-12-05T10:00:00+01:00")(project),
        add_story("second-of-two", "2025-12-02T09:30:00+01:00", "Ekonomi")(project),
    ),
    "a story with an author and a summary": add_story(
        "signed-story", "2025-12-04T08:00:00+01:00", fields='author: "Ana Lika"\nsummary: "In short."\n'
    ),
}


@pytest.mark.parametrize("change", ADDITIONS.values(), ids=ADDITIONS.keys())
def test_a_new_story_is_added_in_place(newsroom: Path, full_builds: list[int], change: Change) -> None:
    change(newsroom)
    assert build(newsroom) == 0
    assert full_builds == []
    assert_same_as_cold(newsroom)
    # The summary line's counts and the clock window are those of a cold build.
    assert state_values(newsroom / "public") == state_values(newsroom.parent / f"{newsroom.name}-cold" / "cold")
    assert build(newsroom) == 0  # nothing to do now
    assert full_builds == []
    edit_story(newsroom, "opened early", "opened late")  # and the next edit is in place too
    assert build(newsroom) == 0
    assert full_builds == []
    shutil.rmtree(newsroom.parent / f"{newsroom.name}-cold")
    assert_same_as_cold(newsroom)


@pytest.mark.parametrize(
    ("name", "untouched"),
    [
        ("the newest story (front pages, rails of the oldest, feeds, 404 page, news sitemap)", 4),
        ("a story between two others", 2),  # the 21st from the oldest
        ("the oldest story (every archive page of its listings moves)", 0),
        ("two stories at once", 3),  # the older of them the 34th from the oldest
    ],
)
def test_a_new_story_rewrites_the_sitemap_parts_from_its_place_on(
    site_dir: Path, full_builds: list[int], monkeypatch: pytest.MonkeyPatch, name: str, untouched: int
) -> None:
    # Ten URLs a part: the 40 stories from the oldest fill parts 1-4, then the listing pages.
    monkeypatch.setattr(sitemap, "SITEMAP_LIMIT", 10)
    newsroom = make_newsroom(site_dir, search=False)
    full_builds.clear()
    public = newsroom / "public"
    before = {path.name: path.stat().st_ino for path in public.glob("sitemap-*.xml")}
    assert len(before) == 6
    ADDITIONS[name](newsroom)
    assert build(newsroom) == 0
    assert full_builds == []
    assert_same_as_cold(newsroom)
    kept = {path.name for path in public.glob("sitemap-*.xml") if before.get(path.name) == path.stat().st_ino}
    assert kept == {f"sitemap-{number}.xml" for number in range(1, untouched + 1)}


def test_a_story_added_in_place_leaves_the_news_sitemap_when_its_window_ends(newsroom: Path, full_builds: list[int]) -> None:
    add_story("recent-story", "2025-12-03T13:00:00+01:00")(newsroom)
    assert build(newsroom) == 0
    assert full_builds == []
    assert "recent-story" in (newsroom / "public" / "news-sitemap.xml").read_text(encoding="utf-8")
    later = "2025-12-05T13:30:00+01:00"
    assert build(newsroom, now=later) == 0
    assert "recent-story" not in (newsroom / "public" / "news-sitemap.xml").read_text(encoding="utf-8")
    assert_same_as_cold(newsroom, now=later)


def test_a_headline_change_reaches_every_page_that_shows_it(newsroom: Path, full_builds: list[int]) -> None:
    _retitle(newsroom, 20)
    assert build(newsroom) == 0
    assert full_builds == []
    showing = {
        path.relative_to(newsroom / "public").as_posix()
        for path in (newsroom / "public").rglob("*.html")
        if "of story 20, retitled" in path.read_text(encoding="utf-8")
    }
    # Its page, the listing pages it is on, the rails of the three articles after it and
    # related lists in its section.
    # Story 20 of 40, five to a page: archive page 4 of the front page holds stories 20-24
    # (archive page 1 the oldest five); in Ekonomi (the even stories) it is the 11th of 20, on
    # archive page 2.
    assert "page/4/index.html" in showing and "index.html" not in showing and "page/3/index.html" not in showing
    assert "ekonomi/page/2/index.html" in showing and not any(path.startswith("sport/") for path in showing)
    assert sum(1 for path in showing if "-of-story-" in path) >= 4
    assert_same_as_cold(newsroom)


def test_a_new_story_leaves_the_archive_pages_before_the_newest_untouched(newsroom: Path) -> None:
    public = newsroom / "public"

    def archive() -> dict[str, tuple[int, bytes]]:
        return {path.relative_to(public).as_posix(): (path.stat().st_ino, path.read_bytes()) for path in public.rglob("page/*/index.html")}

    before = archive()
    (newsroom / "content" / "newest.md").write_text(
        '---\ntitle: "The newest story"\ndate: "2025-12-02T17:00:00+01:00"\ncategory: "Sport"\n---\n\nIt came in last.\n',
        encoding="utf-8",
    )
    assert build(newsroom) == 0
    after = archive()
    # Forty stories five to a page fill archive pages 1-7 and the front page; the 41st starts
    # archive page 8 (the front page's old five), and page 7's newer link now leads there. Sport
    # goes from 20 to 21 stories the same way.
    assert sorted(path for path in before if after[path] != before[path]) == ["page/7/index.html", "sport/page/3/index.html"]
    assert sorted(after.keys() - before.keys()) == ["page/8/index.html", "sport/page/4/index.html"]
    assert_same_as_cold(newsroom)


def test_a_card_change_seen_by_pages_far_apart_in_a_long_section_is_built_in_place(site_dir: Path, full_builds: list[int]) -> None:
    # 170 stories in one section: the newest is on the rails of the oldest, so the pages it
    # changes are at both ends of the section, with related-article windows that do not meet.
    config = site_dir / "site.toml"
    config.write_text(re.sub(r"(?m)^latest_count = .*$", "latest_count = 3", config.read_text(encoding="utf-8")), encoding="utf-8")
    for number in range(170):
        minutes = 170 - number
        (site_dir / "content" / f"long-{number:03d}.md").write_text(
            f'---\ntitle: "The {WORDS[number % len(WORDS)]} report number {number}"\n'
            f'date: "2025-12-01T{minutes // 60:02d}:{minutes % 60:02d}:00+01:00"\ncategory: "Sport"\nslug: "long-{number}"\n---\n\n'
            f"The {WORDS[(number + 3) % len(WORDS)]} was reviewed.\n",
            encoding="utf-8",
        )
    assert build(site_dir) == 0
    full_builds.clear()
    newest = site_dir / "content" / "long-000.md"
    newest.write_text(newest.read_text(encoding="utf-8").replace("report number 0", "report number zero"), encoding="utf-8")
    assert build(site_dir) == 0
    assert full_builds == []
    assert_same_as_cold(site_dir)


def test_a_card_change_among_pages_with_lead_pictures_is_built_in_place(newsroom: Path, full_builds: list[int]) -> None:
    from PIL import Image

    # Story 19 has story 20 on its rail, story 20 is the edited one, story 0 leads the front page.
    for number, colour in ((19, (200, 30, 30)), (20, (30, 200, 30)), (0, (30, 30, 200))):
        Image.new("RGB", (64, 48), colour).save(newsroom / "content" / f"story-{number:02d}.jpg")
    assert build(newsroom) == 0
    full_builds.clear()
    _retitle(newsroom, 20)
    assert build(newsroom) == 0
    assert full_builds == []
    assert_same_as_cold(newsroom)
    shutil.rmtree(newsroom.with_name(newsroom.name + "-cold"))
    _retitle(newsroom, 0)
    assert build(newsroom) == 0
    assert full_builds == []
    assert_same_as_cold(newsroom)


def test_an_edit_and_a_replaced_lead_picture_at_once_take_the_full_build(newsroom: Path, full_builds: list[int]) -> None:
    from PIL import Image

    Image.new("RGB", (64, 48), (200, 30, 30)).save(newsroom / "content" / "story-19.jpg")
    assert build(newsroom) == 0
    full_builds.clear()
    Image.new("RGB", (64, 48), (10, 10, 10)).save(newsroom / "content" / "story-19.jpg")
    _retitle(newsroom, 20)
    assert build(newsroom) == 0
    assert full_builds == [1]
    assert_same_as_cold(newsroom)


NEWS_NOW = "2025-12-02T18:30:00+01:00"


def test_a_headline_change_in_the_news_sitemap_window(site_dir: Path, full_builds: list[int]) -> None:
    config = site_dir / "site.toml"
    config.write_text(re.sub(r"(?m)^news_sitemap_hours = .*$", "news_sitemap_hours = 12", config.read_text(encoding="utf-8")), encoding="utf-8")
    project = make_newsroom(site_dir, search=False)
    assert build(project, now=NEWS_NOW) == 0
    full_builds.clear()
    sitemap = project / "public" / "news-sitemap.xml"
    assert "story-3/" in sitemap.read_text(encoding="utf-8") and "story-20/" not in sitemap.read_text(encoding="utf-8")
    _retitle(project, 3)
    _retitle(project, 20)
    assert build(project, now=NEWS_NOW) == 0
    assert full_builds == []
    assert "of story 3, retitled" in sitemap.read_text(encoding="utf-8")
    assert_same_as_cold(project, now=NEWS_NOW)


FULL_BUILD_CHANGES: dict[str, Change] = {
    "new headline without a slug (the address moves)": lambda project: (
        edit_story(project, "slug:", "old-slug:"), _retitle(project)
    ),
    "new date": _redate,
    "new update time": _mark_updated,
    "new section": lambda project: edit_story(project, 'category: "Ekonomi"', 'category: "Sport"'),
    "section spelt another way": lambda project: edit_story(project, 'category: "Ekonomi"', 'category: "ekonomi"'),
    "new slug": _add_field("slug", "a-new-address"),
    "marked draft": _add_field("draft", "true"),
    "new draft": add_story("draft-story", "2025-12-05T11:00:00+01:00", fields='draft: "true"\n'),
    "new story scheduled for later": add_story("embargoed", "2025-12-05T18:00:00+01:00"),
    "new story in a section the site does not have yet": add_story("first-in-culture", "2025-12-05T11:00:00+01:00", "Kulturë"),
    "new story in a new category": add_story("first-in-science", "2025-12-05T11:00:00+01:00", "Science"),
    "new story on a URL in use": add_story("taken", "2025-12-05T11:00:00+01:00", fields='slug: "the-harbour-and-the-council-of-story-0"\n'),
    "new story on a reserved URL": add_story("reserved", "2025-12-05T11:00:00+01:00", fields='slug: "feeds"\n'),
    "new story on a section's URL": add_story("sectioned", "2025-12-05T11:00:00+01:00", fields='slug: "ekonomi"\n'),
    "new story with a lead picture": add_story("pictured", "2025-12-05T11:00:00+01:00", fields='image: "pictured.jpg"\n'),
    "new story and an edit at once": lambda project: (add_story("breaking-news", "2025-12-05T11:00:00+01:00")(project), _retitle(project)),
    "new story with a front matter error": add_story("broken", "2025-12-05T11:00:00+01:00", fields='title: "Twice"\n'),
    "deleted article": lambda project: article_path(project, 20).unlink(),
    "front matter error": _break_front_matter,
    "misspelt field (a warning)": _misspell_field,
    "lead picture": _add_picture,
    "edit and template change": lambda project: (
        append_to_body(article_path(project, 20)),
        (project / "templates" / "_footer.html").write_text(
            (project / "templates" / "_footer.html").read_text(encoding="utf-8") + "<!-- footer -->\n", encoding="utf-8"
        ),
    ),
    "linked outside content/": _link_outside,
}


@pytest.mark.parametrize("change", FULL_BUILD_CHANGES.values(), ids=FULL_BUILD_CHANGES.keys())
def test_every_other_change_takes_the_full_build(newsroom: Path, full_builds: list[int], change: Change) -> None:
    change(newsroom)
    status = build(newsroom)
    assert full_builds == [1]
    if status == 0:
        assert_same_as_cold(newsroom)
    else:
        # A source that fails keeps its last good page, as in any build.
        assert status == 1
        assert story_page(newsroom, 20).is_file()


def test_a_deleted_output_file_takes_the_full_build(newsroom: Path, full_builds: list[int]) -> None:
    (newsroom / "public" / "index.html").unlink()
    append_to_body(article_path(newsroom, 20))
    assert build(newsroom) == 0
    assert full_builds == [1]
    assert_same_as_cold(newsroom)


def test_an_emptied_output_folder_takes_the_full_build(newsroom: Path, full_builds: list[int]) -> None:
    """A CI job that restored the build state but not the output."""
    shutil.rmtree(newsroom / "public")
    (newsroom / "public").mkdir()
    append_to_body(article_path(newsroom, 20))
    assert build(newsroom) == 0
    assert full_builds == [1]
    assert_same_as_cold(newsroom)


def test_a_page_deleted_inside_its_folder_is_written_again_by_the_next_build(newsroom: Path, full_builds: list[int]) -> None:
    """A build of an edit checks the output folder's entries only; the build after it that finds
    nothing changed checks every file."""
    story_page(newsroom, 30).unlink()
    append_to_body(article_path(newsroom, 20))
    assert build(newsroom) == 0
    assert full_builds == []
    assert build(newsroom) == 0
    assert full_builds == [1]
    assert_same_as_cold(newsroom)


def test_after_a_build_with_warnings_the_next_edit_takes_the_full_build(newsroom: Path, full_builds: list[int]) -> None:
    _misspell_field(newsroom)
    assert build(newsroom) == 0
    append_to_body(article_path(newsroom, 24))
    assert build(newsroom) == 0
    assert full_builds == [1, 1]


def test_after_a_failed_search_index_the_next_build_makes_it(site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_newsroom(site_dir, search=True)
    append_to_body(article_path(project, 20), "Words only the new index knows: zanzibar.")

    def indexing_fails(*args: object, **kwargs: object) -> object:
        raise OutputError("the search index could not be written")

    monkeypatch.setattr(stages, "update_index", indexing_fails)  # the full build's
    monkeypatch.setattr(searching, "update_index", indexing_fails)  # the in-place build's
    assert build(project) != 0
    # The pages wait for their index: the output is as it was.
    assert "zanzibar" not in story_page(project, 20).read_text(encoding="utf-8")
    assert "zanzibar" not in (project / "public" / "feeds" / "rss.xml").read_text(encoding="utf-8")
    monkeypatch.undo()
    assert build(project) == 0
    assert_same_as_cold(project)


def test_a_page_published_ahead_by_a_stopped_watch_is_indexed_by_the_next_build(site_dir: Path) -> None:
    project = make_newsroom(site_dir, search=True)
    config = load_config(project / "site.toml")
    paths = BuildPaths(project / "content", project / "public", project / "templates", project / "static")
    state = BuildState(state_path(paths.output_dir))
    first: list[tuple[str, ...]] = []
    try:
        build_site(config, paths, now=datetime.fromisoformat(NOW), state=state, defer_search=True)
        append_to_body(article_path(project, 20), "Words only the new index knows: zanzibar.")
        result = build_site(
            config, paths, now=datetime.fromisoformat(NOW), state=state, defer_search=True,
            environment=create_environment(paths.templates_dir, reload=True), changed=[article_path(project, 20)], on_first_pages=first.append,
        )
        assert first == [(story_page(project, 20).relative_to(paths.output_dir).as_posix(),)]
        assert result.search_pending and result.indexed == 0
    finally:
        state.close()  # the watch stops before its idle search pass
    assert "zanzibar" in story_page(project, 20).read_text(encoding="utf-8")
    assert build(project) == 0
    assert_same_as_cold(project)


@pytest.mark.parametrize("change", ["text", "headline", "new"])
def test_the_own_page_of_an_edited_or_new_article_is_published_first_and_the_rest_agrees(site_dir: Path, change: str) -> None:
    project = make_newsroom(site_dir, search=True)
    config = load_config(project / "site.toml")
    paths = BuildPaths(project / "content", project / "public", project / "templates", project / "static")
    state = BuildState(state_path(paths.output_dir))
    seen: list[tuple[tuple[str, ...], bytes]] = []
    try:
        build_site(config, paths, now=datetime.fromisoformat(NOW), state=state)
        changed = article_path(project, 20)
        if change == "text":
            append_to_body(article_path(project, 20), "A late equaliser.")
        elif change == "headline":
            _retitle(project)
        else:
            add_story("filed-just-now", "2025-12-02T09:30:00+01:00")(project)
            changed = project / "content" / "filed-just-now.md"

        def first(written: tuple[str, ...]) -> None:
            index = paths.output_dir / "index.html"
            seen.append((written, index.read_bytes()))

        before = (paths.output_dir / "index.html").read_bytes()
        result = build_site(config, paths, now=datetime.fromisoformat(NOW), state=state, changed=[changed], on_first_pages=first)
    finally:
        state.close()
    assert len(seen) == 1 and len(seen[0][0]) == 1, "one page went out first"
    assert seen[0][1] == before, "before the pages that list it"
    assert seen[0][0][0] not in result.written_paths, "the build found it done"
    assert result.written_paths, "and brought the rest up to date"
    assert_same_as_cold(project)


def test_a_change_the_engine_cannot_place_publishes_nothing_first(site_dir: Path) -> None:
    project = make_newsroom(site_dir, search=False)
    config = load_config(project / "site.toml")
    paths = BuildPaths(project / "content", project / "public", project / "templates", project / "static")
    state = BuildState(state_path(paths.output_dir))
    seen: list[tuple[str, ...]] = []
    try:
        build_site(config, paths, now=datetime.fromisoformat(NOW), state=state)
        article_path(project, 5).unlink()
        edit_story(project, 'date: "2025-12-0', 'date: "2025-11-2', 9)  # moves it down the order
        build_site(config, paths, now=datetime.fromisoformat(NOW), state=state, changed=[article_path(project, 5), article_path(project, 9)], on_first_pages=seen.append)
        edit_story(project, 'date: "2025-11-2', 'date: "2025-11-1', 9)
        build_site(config, paths, now=datetime.fromisoformat(NOW), state=state, changed=[article_path(project, 9)], on_first_pages=seen.append)
    finally:
        state.close()
    assert seen == []
    assert_same_as_cold(project)


def test_a_file_name_that_is_not_utf8_does_not_stop_builds(newsroom: Path, full_builds: list[int]) -> None:
    (newsroom / "content" / os.fsdecode(b"caf\xe9-photo.pdf")).write_bytes(b"%PDF-1.4\n")
    assert build(newsroom) == 0
    append_to_body(article_path(newsroom, 20))
    assert build(newsroom) == 0
    assert full_builds == [1]  # the new file; the edit after it is built in place
    assert_same_as_cold(newsroom)


def picture_png(colour: str, width: int = 600) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, 400), colour).save(buffer, "PNG")
    return buffer.getvalue()


def show_picture(project: Path, number: int, name: str = "quay.png", colour: str = "red") -> None:
    """Give article `number` a picture in its body, and build."""
    (project / "content" / name).write_bytes(picture_png(colour))
    append_to_body(article_path(project, number), f"![The quay at dawn]({name})")
    assert build(project) == 0


def test_an_edit_to_an_article_with_body_pictures_takes_the_full_build(newsroom: Path, full_builds: list[int]) -> None:
    show_picture(newsroom, 20)
    full_builds.clear()
    append_to_body(article_path(newsroom, 20))
    assert build(newsroom) == 0
    assert full_builds == [1]
    assert 'alt="The quay at dawn"' in story_page(newsroom, 20).read_text(encoding="utf-8")
    assert_same_as_cold(newsroom)


def test_an_edit_that_drops_a_body_picture_takes_the_full_build_and_deletes_its_files(newsroom: Path, full_builds: list[int]) -> None:
    show_picture(newsroom, 20)
    assert list((newsroom / "public" / "images").iterdir())
    full_builds.clear()
    edit_story(newsroom, "![The quay at dawn](quay.png)", "The quay was quiet.")
    assert build(newsroom) == 0
    assert full_builds == [1]
    assert not (newsroom / "public" / "images").exists() or not list((newsroom / "public" / "images").iterdir())
    assert_same_as_cold(newsroom)


def test_an_edit_to_a_story_in_the_feeds_beside_one_with_body_pictures_takes_the_full_build(newsroom: Path, full_builds: list[int]) -> None:
    show_picture(newsroom, 1)
    full_builds.clear()
    append_to_body(article_path(newsroom, 3), "The third story gained a line.")
    assert build(newsroom) == 0
    assert full_builds == [1]
    assert "images/" in (newsroom / "public" / "feeds" / "atom.xml").read_text(encoding="utf-8")
    assert_same_as_cold(newsroom)


def test_a_new_story_with_a_body_picture_takes_the_full_build(newsroom: Path, full_builds: list[int]) -> None:
    (newsroom / "content" / "late.png").write_bytes(picture_png("blue"))
    assert build(newsroom) == 0
    full_builds.clear()
    (newsroom / "content" / "late-news.md").write_text(
        '---\ntitle: "Late news from the harbour"\ndate: "2025-12-02T23:00:00+01:00"\ncategory: "Sport"\n---\n\n'
        "Ships waited outside the harbour.\n\n![Ships at anchor](late.png)\n",
        encoding="utf-8",
    )
    assert build(newsroom) == 0
    assert full_builds == [1]
    assert_same_as_cold(newsroom)


def test_replacing_a_body_picture_renders_its_page_again(newsroom: Path) -> None:
    show_picture(newsroom, 20)
    before = story_page(newsroom, 20).read_bytes()
    (newsroom / "content" / "quay.png").write_bytes(picture_png("green", width=500))
    assert build(newsroom) == 0
    after = story_page(newsroom, 20).read_bytes()
    assert after != before and b'width="500"' in after
    assert_same_as_cold(newsroom)


def test_changes_are_found_between_two_trees_of_stamps_record_by_record() -> None:
    from flashnews.build.inplace import _tree_changes
    from flashnews.build.fingerprint import tree_lines

    odd = "a b\n],[\"c\".md"  # spaces, a line break, brackets and a quote in a name
    surrogate = "caf\udce9.md"  # a name that is not UTF-8
    old = [(odd, 1, 10, 10, 1), ("b.md", 2, 20, 20, 2), (surrogate, 3, 30, 30, 3)]
    assert _tree_changes(tree_lines(old), tree_lines(old)) == ([], [])
    edited = [(odd, 5, 11, 11, 1), ("b.md", 2, 20, 20, 2), (surrogate, 3, 31, 31, 3)]
    assert _tree_changes(tree_lines(old), tree_lines(edited)) == ([odd, surrogate], [])
    added = [*old, ("new one.md", 4, 40, 40, 4)]
    assert _tree_changes(tree_lines(old), tree_lines(added)) == ([], ["new one.md"])
    both = [edited[0], *old[1:], ("new one.md", 4, 40, 40, 4)]
    assert _tree_changes(tree_lines(old), tree_lines(both)) == ([odd], ["new one.md"])
    assert _tree_changes(tree_lines(old), tree_lines(old[:2])) is None  # one went away
    renamed = [old[0], ("c.md", 2, 20, 20, 2), old[2]]
    assert _tree_changes(tree_lines(old), tree_lines(renamed)) is None
    swapped = [old[0], old[2], ("z.md", 2, 20, 20, 9)]  # as many files, one gone and one new
    assert _tree_changes(tree_lines(old), tree_lines(swapped)) is None
    assert _tree_changes(b"", b"") == ([], [])
    assert _tree_changes(b"[[\"a.md\",1,2,3,4]]", tree_lines(old)) is None  # another format
    assert _tree_changes(b"[[\"a.md\",1,2,3,4]]", tree_lines(old[:1])) is None


def test_the_remembered_order_is_stored_as_columns_and_read_back_row_by_row() -> None:
    from flashnews.build.order import NavEntry, OrderColumns, OrderRow, SiteFacts

    rows = [OrderRow(f"content/{n}.md", ("sport", "bota")[n % 2], f"story-{n}/", f"2025-01-0{n + 1}T00:00:00+00:00") for n in range(5)]
    facts = SiteFacts("base", "salt", (NavEntry("sport", "Sport", "Sport"), NavEntry("bota", "Bota", "World")), rows)
    back = SiteFacts.decode(facts.encode())
    assert isinstance(back.order, OrderColumns)
    assert list(back.order) == rows and back.order[2] == rows[2] and back.order[1:3] == rows[1:3]
    assert back.members == {"sport": [0, 2, 4], "bota": [1, 3]} == facts.members
    assert back.positions == {row.source: n for n, row in enumerate(rows)}
    assert back.encode() == facts.encode()
