"""Watch mode: the change classifier, the debouncer, and a real watchdog observer on a temporary site."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image

from flashnews.app.cli import main
from flashnews.config import load_config
from flashnews.build.pipeline import BuildPaths
from flashnews.app.watch import BuildOutcome, ChangeBatch, Debouncer, WatchRoots, Watcher, classify_change, needs_normalizing

from tests.conftest import REPO, sample_drops

NOW = "2025-06-01T12:00:00+00:00"
TIMEOUT = 60.0


# -- classify_change --------------------------------------------------------------------------

ROOTS = WatchRoots(
    content_dir=Path("/site/content"),
    templates_dir=Path("/site/templates"),
    static_dir=Path("/site/static"),
    output_dir=Path("/site/public"),
    config_path=Path("/site/site.toml"),
)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/site/content/fire.txt", "content"),
        ("/site/content/sport/final.docx", "content"),
        ("/site/content/wire/storm.html", "content"),
        ("/site/content/wire/STORM.HTM", "content"),
        ("/site/content/politics/vote.md", "content"),
        ("/site/content/politics", "content"),
        ("/site/content", "content"),
        ("/site/content/market.jpg", "picture"),
        ("/site/content/2025/harbour-2.PNG", "picture"),
        ("/site/content/photos/quay.webp", "picture"),
        ("/site/content/storm_files/photo.jpeg", "picture"),
        ("/site/templates/article.html", "templates"),
        ("/site/templates/partials/_card.html", "templates"),
        ("/site/static/style.css", "static"),
        ("/site/static/img/logo.png", "static"),
        ("/site/site.toml", "config"),
    ],
)
def test_paths_are_sorted_into_the_part_of_the_site_they_change(path: str, kind: str) -> None:
    assert classify_change(path, ROOTS) == kind


@pytest.mark.parametrize(
    "path",
    [
        "/site/content/.fire.md.swp",
        "/site/content/fire.md~",
        "/site/content/4913",
        "/site/content/.#fire.md",
        "/site/content/#fire.md#",
        "/site/content/.DS_Store",
        "/site/content/Thumbs.db",
        "/site/content/fire (conflicted copy 2025-06-01).md",
        "/site/content/fire.md.tmp",
        "/site/content/~$final.docx",
        "/site/content/.~lock.final.docx#",
        "/site/content/~WRL0003.tmp",
        "/site/content/.photo.jpg.swp",
        "/site/content/photo.jpg~",
        "/site/content/.~photo.jpg",
        "/site/content/photo.jpg.part",
        "/site/content/photo.jpg.crdownload",
        "/site/content/photo.jpg.tmp",
        "/site/content/photo (conflicted copy).jpg",
        "/site/content/_archive/storm_files/photo.jpg",
        "/site/content/.thumbnails/photo.jpg",
        "/site/content/notes.pdf",
        "/site/content/_archive/fire.txt",
        "/site/content/_archive/manifest.json",
        "/site/content/_archive",
        "/site/content/.git/index",
        "/site/public/index.html",
        "/site/public",
        "/site/.public.staging/index.html",
        "/site/.public.flashnews/state.sqlite-wal",
        "/site/templates/.article.html.swp",
        "/site/static/.hidden",
        "/site/static/_drafts/new.css",
        "/site/other.toml",
        "/site/README.md",
        "/elsewhere/fire.md",
    ],
)
def test_litter_output_folders_and_unrelated_paths_are_ignored(path: str) -> None:
    assert classify_change(path, ROOTS) == "ignored"


def test_an_output_folder_inside_the_content_folder_is_still_ignored() -> None:
    roots = WatchRoots(Path("/s/content"), Path("/s/templates"), Path("/s/static"), Path("/s/content/public"))
    assert classify_change("/s/content/public/fire/index.html", roots) == "ignored"
    assert classify_change("/s/content/fire.md", roots) == "content"


def test_without_a_config_file_nothing_is_config() -> None:
    roots = WatchRoots(Path("/s/content"), Path("/s/templates"), Path("/s/static"), Path("/s/public"))
    assert classify_change("/s/site.toml", roots) == "ignored"


# -- Debouncer (fake clock, fake signatures) -----------------------------------------------------


def test_a_change_is_due_only_after_the_quiet_period() -> None:
    debouncer = Debouncer(quiet=0.1)
    debouncer.add("/c/a.md", "content", signature=(1, 1, 1), at=10.0)
    assert debouncer.take(at=10.05, signatures={"/c/a.md": (1, 1, 1)}) is None
    assert debouncer.take(at=10.1, signatures={"/c/a.md": (1, 1, 1)}) == ChangeBatch(("/c/a.md",), frozenset({"content"}))
    assert debouncer.take(at=20.0, signatures={}) is None


def test_every_new_change_restarts_the_quiet_period() -> None:
    debouncer = Debouncer(quiet=0.1)
    for step in range(200):
        debouncer.add(f"/c/{step}.txt", "content", signature=(1, step, step), at=10.0 + step * 0.05)
        assert debouncer.take(at=10.0 + step * 0.05 + 0.01, signatures={}) is None
    batch = debouncer.take(at=10.0 + 199 * 0.05 + 0.1, signatures={})
    assert batch is not None and len(batch.paths) == 200


def test_a_file_that_keeps_growing_without_events_is_not_due_until_it_stops() -> None:
    debouncer = Debouncer(quiet=0.1)
    debouncer.add("/c/big.txt", "content", signature=(100, 1, 7), at=0.0)
    assert debouncer.take(at=0.2, signatures={"/c/big.txt": (5000, 2, 7)}) is None
    assert debouncer.take(at=0.35, signatures={"/c/big.txt": (9000, 3, 7)}) is None
    assert debouncer.take(at=0.4, signatures={"/c/big.txt": (9000, 3, 7)}) is None, "quiet again only from 0.35"
    assert debouncer.take(at=0.5, signatures={"/c/big.txt": (9000, 3, 7)}) is not None


def test_kinds_of_a_batch_are_collected() -> None:
    debouncer = Debouncer(quiet=0.1)
    debouncer.add("/t/base.html", "templates", signature=None, at=0.0)
    debouncer.add("/site.toml", "config", signature=(1, 1, 1), at=0.0)
    batch = debouncer.take(at=1.0, signatures={"/t/base.html": None, "/site.toml": (1, 1, 1)})
    assert batch is not None and batch.kinds == {"templates", "config"}


def test_echoes_of_the_builds_own_writes_are_dropped_but_later_edits_are_not() -> None:
    debouncer = Debouncer(quiet=0.1)
    debouncer.expect({"/c/a.md": (10, 5, 3), "/c/a.txt": None})
    assert not debouncer.add("/c/a.md", "content", signature=(10, 5, 3), at=0.0)
    assert not debouncer.add("/c/a.txt", "content", signature=None, at=0.0)
    assert debouncer.seconds_left(at=0.0) is None
    assert debouncer.add("/c/a.md", "content", signature=(12, 6, 3), at=1.0)
    assert debouncer.seconds_left(at=1.0) == pytest.approx(0.1)


def test_ignored_paths_never_make_a_batch() -> None:
    debouncer = Debouncer(quiet=0.1)
    assert not debouncer.add("/c/.a.swp", "ignored", signature=(1, 1, 1), at=0.0)
    assert debouncer.take(at=5.0, signatures={}) is None


# -- a real observer on a temporary site ---------------------------------------------------------


def raw_drop(headline: str, *, section: str = "Sport", day: int = 10) -> str:
    return f"Flash News\n\n{section}\n\n{headline}\n\nMay {day}, 2025\n\nThe story of {headline.lower()}.\n\nA second paragraph.\n"


def markdown(title: str, slug: str, *, section: str = "Ekonomi", body: str = "The market opened higher.") -> str:
    return f'---\ntitle: "{title}"\ndate: "2025-05-11T10:00:00+02:00"\ncategory: "{section}"\nslug: "{slug}"\n---\n\n{body}\n'


@dataclass
class Site:
    root: Path
    paths: BuildPaths
    config_path: Path

    @property
    def content(self) -> Path:
        return self.paths.content_dir

    @property
    def output(self) -> Path:
        return self.paths.output_dir

    def page(self, relative: str) -> str:
        return (self.output / relative).read_text(encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Site:
    root = tmp_path / "site"
    root.mkdir()
    for folder in ("templates", "static"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "site.toml", root / "site.toml")
    content = root / "content"
    content.mkdir()
    for sample in sample_drops("00[1-3]_*.txt"):
        shutil.copy(sample, content / sample.name)
    (content / "market.md").write_text(markdown("Market opens higher", "market-opens-higher"), encoding="utf-8")
    paths = BuildPaths(content, root / "public", root / "templates", root / "static")
    return Site(root, paths, root / "site.toml")


def start_watcher(site: Site, **options: object) -> Watcher:
    watcher = Watcher(
        load_config(site.config_path),
        site.paths,
        config_path=site.config_path,
        now=datetime.fromisoformat(NOW),
        **options,  # type: ignore[arg-type]
    )
    watcher.start()
    assert watcher.wait_for_builds(1, timeout=TIMEOUT), "the first build did not finish"
    RUNNING.append(watcher)
    return watcher


# Watchers of the running test, whose search index must catch up before output is compared.
RUNNING: list[Watcher] = []


@pytest.fixture(autouse=True)
def _forget_watchers() -> Iterator[None]:
    yield
    RUNNING.clear()


@pytest.fixture
def watcher(site: Site) -> Iterator[Watcher]:
    running = start_watcher(site)
    yield running
    running.stop()


def wait_until(condition: Callable[[], object], *, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(0.02)


def next_build(watcher: Watcher, change: Callable[[], object]) -> BuildOutcome:
    """Make a change and return the build it caused."""
    count = len(watcher.outcomes)
    change()
    assert watcher.wait_for_builds(count + 1, timeout=TIMEOUT), "no rebuild after the change"
    return watcher.outcomes[count]


def read_tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_as_cold_build(site: Site, tmp_path: Path) -> None:
    for running in RUNNING:
        assert running.wait_until_idle(timeout=TIMEOUT), "the search index did not catch up"
    cold = tmp_path / f"cold-{time.monotonic_ns()}"
    shutil.copytree(site.content, cold / "content")
    status = main(
        [
            "build", "--content", str(cold / "content"), "--output", str(cold / "public"),
            "--config", str(site.config_path), "--now", NOW, "-q",
        ]
    )  # fmt: skip
    assert status in (0, 1)
    watched, fresh = read_tree(site.output), read_tree(cold / "public")
    assert sorted(watched) == sorted(fresh)
    assert [path for path in watched if watched[path] != fresh[path]] == []


def test_the_first_build_publishes_the_site_and_equals_a_cold_build(site: Site, watcher: Watcher, tmp_path: Path) -> None:
    assert watcher.outcomes[0].is_clean
    assert "Market opens higher" in site.page("index.html")
    assert not list(site.content.glob("*.txt")), "the drops were normalized and archived"
    assert_same_as_cold_build(site, tmp_path)


def test_a_dropped_txt_is_normalized_and_published(site: Site, watcher: Watcher, tmp_path: Path) -> None:
    outcome = next_build(watcher, lambda: (site.content / "cup.txt").write_text(raw_drop("Team wins the cup final"), encoding="utf-8"))
    wait_until(lambda: (site.output / "team-wins-the-cup-final/index.html").is_file())
    assert outcome.is_clean
    assert (site.content / "cup.md").is_file() and (site.content / "_archive/cup.txt").is_file()
    assert not (site.content / "cup.txt").exists()
    assert "Team wins the cup final" in site.page("index.html")
    assert "Team wins the cup final" in site.page("sport/index.html")
    assert "Team wins the cup final" in site.page("feeds/atom.xml")
    assert_same_as_cold_build(site, tmp_path)


def test_a_docx_saved_through_a_lock_file_is_normalized_once_it_is_complete(site: Site, watcher: Watcher) -> None:
    from tests.word_documents import story_docx

    def save_like_word() -> None:
        (site.content / "~$cup.docx").write_bytes(b"lock")
        temporary = site.content / "~WRL0001.tmp"
        temporary.write_bytes(story_docx(headline="Team lifts the cup in Word"))
        os.replace(temporary, site.content / "cup.docx")
        (site.content / "~$cup.docx").unlink()

    outcome = next_build(watcher, save_like_word)
    wait_until(lambda: (site.output / "team-lifts-the-cup-in-word/index.html").is_file())
    assert outcome.is_clean
    assert (site.content / "_archive/cup.docx").is_file() and not (site.content / "cup.docx").exists()


def test_the_builds_own_writes_do_not_cause_another_rebuild(site: Site, watcher: Watcher) -> None:
    next_build(watcher, lambda: (site.content / "cup.txt").write_text(raw_drop("Team wins the cup final"), encoding="utf-8"))
    sentinel = site.content / "sentinel.md"
    outcome = next_build(watcher, lambda: sentinel.write_text(markdown("Sentinel", "sentinel"), encoding="utf-8"))
    assert outcome.number == 2
    assert outcome.changed == (str(sentinel),)


def test_an_edited_md_updates_its_page_the_front_page_its_section_and_the_feeds(
    site: Site, watcher: Watcher, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = site.content / "market.md"
    next_build(watcher, lambda: source.write_text(markdown("Markets rally at the open", "market-opens-higher"), encoding="utf-8"))
    assert "published market-opens-higher/index.html in " in capsys.readouterr().out, "its own page went out first"
    for page in ("market-opens-higher/index.html", "index.html", "ekonomi/index.html", "feeds/rss.xml", "feeds/atom.xml"):
        assert "Markets rally at the open" in site.page(page), page
        assert "Market opens higher" not in site.page(page), page
    assert_same_as_cold_build(site, tmp_path)


def test_an_atomic_save_reported_only_as_a_move_is_picked_up(site: Site, watcher: Watcher, tmp_path: Path) -> None:
    temporary = site.content / ".market.md.kate-swp-1234"

    def save() -> None:
        temporary.write_text(markdown("Market closes flat", "market-opens-higher"), encoding="utf-8")
        os.replace(temporary, site.content / "market.md")

    outcome = next_build(watcher, save)
    assert outcome.changed == (str(site.content / "market.md"),)
    assert "Market closes flat" in site.page("market-opens-higher/index.html")
    assert_same_as_cold_build(site, tmp_path)


def test_a_vim_style_save_with_the_file_briefly_gone_is_picked_up(site: Site, watcher: Watcher, tmp_path: Path) -> None:
    source = site.content / "market.md"

    def save() -> None:
        (site.content / "4913").write_text("")
        (site.content / "4913").unlink()
        os.rename(source, site.content / "market.md~")
        source.write_text(markdown("Market dips after lunch", "market-opens-higher"), encoding="utf-8")
        (site.content / "market.md~").unlink()

    outcome = next_build(watcher, save)
    assert outcome.is_clean
    assert "Market dips after lunch" in site.page("market-opens-higher/index.html")
    assert not [path for path in outcome.changed if path.endswith(("~", "4913"))]
    assert_same_as_cold_build(site, tmp_path)


def test_a_deleted_article_disappears_from_every_page(site: Site, watcher: Watcher, tmp_path: Path) -> None:
    next_build(watcher, lambda: (site.content / "market.md").unlink())
    assert not (site.output / "market-opens-higher").exists()
    for page in ("index.html", "ekonomi/index.html", "feeds/rss.xml", "feeds/atom.xml", "sitemap.xml"):
        if (site.output / page).is_file():
            assert "Market opens higher" not in site.page(page) and "market-opens-higher" not in site.page(page), page
    assert_same_as_cold_build(site, tmp_path)


def test_a_renamed_article_leaves_no_stale_page(site: Site, watcher: Watcher, tmp_path: Path) -> None:
    source = site.content / "market.md"
    source.write_text(markdown("Market opens higher", "market-opens-higher"), encoding="utf-8")
    next_build(watcher, lambda: None)  # settle the rewrite before the rename
    renamed = site.content / "economy" / "stocks.md"

    def rename() -> None:
        renamed.parent.mkdir()
        text = source.read_text(encoding="utf-8").replace("market-opens-higher", "stocks-open-higher")
        source.rename(renamed)
        renamed.write_text(text, encoding="utf-8")

    next_build(watcher, rename)
    wait_until(lambda: any(str(renamed) in outcome.changed for outcome in watcher.outcomes))
    assert not (site.output / "market-opens-higher").exists()
    assert "market-opens-higher" not in site.page("index.html")
    assert_same_as_cold_build(site, tmp_path)


def test_renaming_an_article_to_litter_unpublishes_it(site: Site, watcher: Watcher, tmp_path: Path) -> None:
    next_build(watcher, lambda: (site.content / "market.md").rename(site.content / "market.md.bak"))
    assert not (site.output / "market-opens-higher").exists()
    assert_same_as_cold_build(site, tmp_path)


def test_two_hundred_drops_at_once_make_one_rebuild(site: Site, tmp_path: Path) -> None:
    watcher = start_watcher(site, quiet=0.5)
    try:
        names = [f"burst-{n:03d}" for n in range(200)]
        count = len(watcher.outcomes)
        for n, name in enumerate(names):
            (site.content / f"{name}.txt").write_text(raw_drop(f"Burst story number {n}", day=1 + n % 28), encoding="utf-8")
        wait_until(lambda: all((site.content / f"{name}.md").is_file() for name in names))
        assert watcher.wait_for_builds(count + 1, timeout=TIMEOUT)
        sentinel = site.content / "sentinel.md"
        last = next_build(watcher, lambda: sentinel.write_text(markdown("Sentinel", "sentinel"), encoding="utf-8"))
        with_burst = [o for o in watcher.outcomes if any("burst-" in path for path in o.changed)]
        assert len(with_burst) == 1
        assert {Path(p).stem for p in with_burst[0].changed} == set(names)
        assert watcher.rebuilds == 2 and last.changed == (str(sentinel),)
        assert (site.output / "burst-story-number-199/index.html").is_file()
        assert_same_as_cold_build(site, tmp_path)
    finally:
        watcher.stop()


def test_swap_and_backup_litter_alone_never_reaches_a_build(site: Site, watcher: Watcher) -> None:
    def litter_then_edit() -> None:
        for name in (".market.md.swp", "market.md~", "4913", ".#market.md", "#market.md#", ".DS_Store", "Thumbs.db",
                     "market (conflicted copy).md", "market.md.tmp"):  # fmt: skip
            (site.content / name).write_text("litter", encoding="utf-8")
        (site.content / "_archive").mkdir(exist_ok=True)
        (site.content / "_archive" / "old.txt").write_text("archived", encoding="utf-8")
        (site.content / "real.md").write_text(markdown("Real news", "real-news"), encoding="utf-8")

    outcome = next_build(watcher, litter_then_edit)
    assert outcome.changed == (str(site.content / "real.md"),)


# -- pictures in content/ ------------------------------------------------------------------------


def lead_picture_src(page: str) -> str | None:
    match = re.search(r'<figure class="lead-image">\s*<img [^>]*\bsrc="([^"]+)"', page)
    return match.group(1) if match else None


def test_a_replaced_lead_picture_is_published_and_a_deleted_one_leaves_the_page(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_images import picture_bytes

    picture = site.content / "market.jpg"
    picture.write_bytes(picture_bytes(1600, 1000))
    watcher = start_watcher(site)
    try:
        first = lead_picture_src(site.page("market-opens-higher/index.html"))
        assert first is not None

        def replace_like_an_image_editor() -> None:
            temporary = site.content / ".market.jpg.tmp"
            temporary.write_bytes(picture_bytes(1200, 900, kind="PNG"))
            os.replace(temporary, picture)

        replaced = next_build(watcher, replace_like_an_image_editor)
        assert replaced.changed == (str(picture),) and replaced.is_clean
        second = lead_picture_src(site.page("market-opens-higher/index.html"))
        assert second is not None and second != first
        published = site.output / "market-opens-higher" / second
        assert Image.open(published).size == (960, 720), "the new picture's bytes, resized"
        assert not (site.output / "market-opens-higher" / first).exists(), "the old variants are gone"
        assert "picture content/market.jpg replaced, used by content/market.md" in capsys.readouterr().out
        assert_same_as_cold_build(site, tmp_path)

        deleted = next_build(watcher, picture.unlink)
        assert deleted.is_clean
        assert lead_picture_src(site.page("market-opens-higher/index.html")) is None
        assert not (site.output / "images").exists() or not list((site.output / "images").iterdir())
        assert "picture content/market.jpg deleted, used by content/market.md" in capsys.readouterr().out
        assert_same_as_cold_build(site, tmp_path)
    finally:
        watcher.stop()


def test_a_missing_body_picture_is_shown_once_it_is_added(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_images import picture_bytes

    body = "The market opened higher.\n\n![Traders at the quay](photos/quay.png)"
    (site.content / "market.md").write_text(markdown("Market opens higher", "market-opens-higher", body=body), encoding="utf-8")
    watcher = start_watcher(site)
    try:
        assert watcher.outcomes[0].problems == ("content/market.md:10: picture content/photos/quay.png is missing; "
                                                "put the picture beside the article, or correct its name",)  # fmt: skip
        assert "<img" not in site.page("market-opens-higher/index.html")

        def add() -> None:
            (site.content / "photos").mkdir()
            (site.content / "photos" / "quay.png").write_bytes(picture_bytes(800, 500, kind="PNG"))

        added = next_build(watcher, add)
        wait_until(lambda: 'alt="Traders at the quay"' in site.page("market-opens-higher/index.html"))
        assert watcher.outcomes[-1].is_clean, "the located error cleared"
        assert str(site.content / "photos" / "quay.png") in {p for o in watcher.outcomes[added.number :] for p in o.changed}
        assert "picture content/photos/quay.png added, used by content/market.md" in capsys.readouterr().out
        assert_same_as_cold_build(site, tmp_path)
    finally:
        watcher.stop()


def test_a_picture_no_article_shows_makes_a_build_that_changes_nothing(
    site: Site, watcher: Watcher, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_images import picture_bytes

    assert watcher.wait_until_idle(timeout=TIMEOUT)
    before = read_tree(site.output)
    spare = next_build(watcher, lambda: (site.content / "spare.jpg").write_bytes(picture_bytes(640, 480)))
    assert spare.is_clean and (spare.written, spare.deleted) == (0, 0)
    assert "picture content/spare.jpg added, used by no article" in capsys.readouterr().out
    broken = next_build(watcher, lambda: (site.content / "spare.png").write_bytes(b"not a picture at all"))
    assert broken.is_clean and (broken.written, broken.deleted) == (0, 0), "a file nobody shows is never read"
    gone = next_build(watcher, lambda: (site.content / "spare.jpg").unlink())
    assert gone.is_clean and (gone.written, gone.deleted) == (0, 0)
    assert read_tree(site.output) == before
    assert_same_as_cold_build(site, tmp_path)


def test_picture_litter_never_reaches_a_build(site: Site, watcher: Watcher) -> None:
    def litter_then_edit() -> None:
        (site.content / "_archive").mkdir(exist_ok=True)
        for name in (".market.jpg.swp", "market.jpg~", ".~market.jpg", "market.jpg.part", "market.jpg.crdownload",
                     "market.jpg.tmp", "~$report.docx", "market (conflicted copy).jpg", "_archive/old.jpg"):  # fmt: skip
            (site.content / name).write_bytes(b"litter")
        (site.content / "real.md").write_text(markdown("Real news", "real-news"), encoding="utf-8")

    outcome = next_build(watcher, litter_then_edit)
    assert outcome.changed == (str(site.content / "real.md"),)
    assert outcome.is_clean


def test_pictures_a_drop_brings_or_takes_away_make_no_second_build(site: Site, watcher: Watcher) -> None:
    from tests.conftest import FIXTURES
    from tests.word_documents import png, story_docx

    dropped = next_build(watcher, lambda: (site.content / "cup.docx").write_bytes(story_docx(headline="Team lifts the cup", pictures=2)))
    assert dropped.is_clean and list(site.content.glob("cup*.png")), "the drop wrote its pictures beside its .md"

    def save_page_with_its_files() -> None:
        (site.content / "storm_files").mkdir()
        (site.content / "storm_files" / "storm.jpg").write_bytes(png())
        (site.content / "storm.html").write_bytes((FIXTURES / "pages" / "news-site-opengraph.html").read_bytes())

    saved = next_build(watcher, save_page_with_its_files)
    wait_until(lambda: (site.content / "_archive" / "storm_files" / "storm.jpg").is_file())
    assert not (site.content / "storm_files").exists(), "the page's folder went to the archive with it"
    sentinel = site.content / "sentinel.md"
    last = next_build(watcher, lambda: sentinel.write_text(markdown("Sentinel", "sentinel"), encoding="utf-8"))
    assert last.number == saved.number + 1 and last.changed == (str(sentinel),)


def test_a_broken_file_reports_its_location_keeps_the_last_good_page_and_clears_when_fixed(
    site: Site, watcher: Watcher, tmp_path: Path
) -> None:
    source = site.content / "market.md"
    good_page = site.page("market-opens-higher/index.html")
    broken = next_build(watcher, lambda: source.write_text('---\ntitle: [unclosed\ndate: "2025-05-11"\n---\n\nBody\n', encoding="utf-8"))
    assert broken.problems and broken.problems[0].startswith("content/market.md:")
    assert site.page("market-opens-higher/index.html") == good_page
    fixed = next_build(watcher, lambda: source.write_text(markdown("Market opens higher", "market-opens-higher"), encoding="utf-8"))
    assert fixed.is_clean
    assert_same_as_cold_build(site, tmp_path)


def test_a_template_edit_rerenders_the_pages_and_a_broken_template_keeps_the_output(
    site: Site, watcher: Watcher, tmp_path: Path
) -> None:
    template = site.paths.templates_dir / "article.html"
    original = template.read_text(encoding="utf-8")
    next_build(watcher, lambda: template.write_text(original.replace("{% block main %}", "{% block main %}<!-- edited -->", 1), encoding="utf-8"))
    assert "<!-- edited -->" in site.page("market-opens-higher/index.html")
    assert_same_as_cold_build(site, tmp_path)
    before = read_tree(site.output)
    broken = next_build(watcher, lambda: template.write_text("{% block main %}{% if %}", encoding="utf-8"))
    assert broken.fatal and "templates/article.html" in broken.problems[0]
    assert read_tree(site.output) == before
    fixed = next_build(watcher, lambda: template.write_text(original, encoding="utf-8"))
    assert fixed.is_clean and "<!-- edited -->" not in site.page("market-opens-higher/index.html")
    assert_same_as_cold_build(site, tmp_path)


def test_a_static_file_change_is_copied(site: Site, watcher: Watcher, tmp_path: Path) -> None:
    stylesheet = site.paths.static_dir / "style.css"
    next_build(watcher, lambda: stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8"))
    assert site.page("static/style.css").endswith("/* edited */\n")
    assert_same_as_cold_build(site, tmp_path)


def test_a_config_change_reloads_and_a_broken_config_keeps_the_last_good_one(
    site: Site, watcher: Watcher, tmp_path: Path
) -> None:
    original = site.config_path.read_text(encoding="utf-8")
    renamed = original.replace('title = "Flash News"', 'title = "Flash Lajme"', 1)
    next_build(watcher, lambda: site.config_path.write_text(renamed, encoding="utf-8"))
    assert "Flash Lajme" in site.page("index.html")
    assert_same_as_cold_build(site, tmp_path)
    before = read_tree(site.output)
    broken = next_build(watcher, lambda: site.config_path.write_text("unknown_key = 1\n" + renamed, encoding="utf-8"))
    assert broken.problems and "unknown key unknown_key" in broken.problems[0]
    assert read_tree(site.output) == before
    edit = next_build(watcher, lambda: (site.content / "real.md").write_text(markdown("Real news", "real-news"), encoding="utf-8"))
    assert "Flash Lajme" in site.page("real-news/index.html"), "built with the last good config"
    assert "unknown_key" in edit.problems[0], "the config error stays on show until fixed"
    fixed = next_build(watcher, lambda: site.config_path.write_text(original, encoding="utf-8"))
    assert fixed.is_clean and "Flash Lajme" not in site.page("index.html")
    assert_same_as_cold_build(site, tmp_path)


def test_a_failing_listener_does_not_stop_the_watch(site: Site) -> None:
    def listener(outcome: BuildOutcome) -> None:
        raise RuntimeError("listener failed")

    watcher = start_watcher(site, on_build=listener)
    try:
        next_build(watcher, lambda: (site.content / "one.md").write_text(markdown("One", "one"), encoding="utf-8"))
        next_build(watcher, lambda: (site.content / "two.md").write_text(markdown("Two", "two"), encoding="utf-8"))
        assert (site.output / "two/index.html").is_file()
    finally:
        watcher.stop()


def test_the_polling_observer_picks_up_a_drop_too(site: Site, tmp_path: Path) -> None:
    watcher = start_watcher(site, poll=True)
    try:
        next_build(watcher, lambda: (site.content / "cup.txt").write_text(raw_drop("Polled cup final"), encoding="utf-8"))
        wait_until(lambda: (site.output / "polled-cup-final/index.html").is_file())
        assert_same_as_cold_build(site, tmp_path)
    finally:
        watcher.stop()


def test_only_changes_that_can_affect_drops_normalize_them(tmp_path: Path) -> None:
    roots = WatchRoots(tmp_path / "content", tmp_path / "templates", tmp_path / "static", tmp_path / "public", tmp_path / "site.toml")
    (tmp_path / "content").mkdir()
    edited = tmp_path / "content" / "fire.md"
    edited.write_text("x", encoding="utf-8")

    def batch(*paths: Path, kinds: frozenset[str] = frozenset({"content"})) -> ChangeBatch:
        return ChangeBatch(tuple(str(p) for p in paths), kinds)  # type: ignore[arg-type]

    assert not needs_normalizing(batch(edited), roots)
    assert not needs_normalizing(batch(tmp_path / "templates" / "base.html", kinds=frozenset({"templates"})), roots)
    assert needs_normalizing(batch(edited, tmp_path / "content" / "flood.txt"), roots)
    assert needs_normalizing(batch(tmp_path / "content" / "gone.md"), roots), "a deleted .md may be regenerated from its drop"
    assert needs_normalizing(batch(tmp_path / "content" / "politics"), roots)
    assert needs_normalizing(batch(tmp_path / "site.toml", kinds=frozenset({"config"})), roots)
    picture = tmp_path / "content" / "fire.jpg"
    picture.write_bytes(b"jpeg")
    assert not needs_normalizing(batch(picture, kinds=frozenset({"picture"})), roots), "a new or replaced picture"
    assert needs_normalizing(batch(tmp_path / "content" / "gone.jpg", kinds=frozenset({"picture"})), roots), (
        "a deleted picture may have stood where a drop's picture goes"
    )


def test_deleting_a_generated_md_regenerates_it_from_its_drop_only_when_the_drop_is_back(
    site: Site, watcher: Watcher, tmp_path: Path
) -> None:
    markdown_path = site.content / "001_d30220d5d2e9182d.md"
    next_build(watcher, markdown_path.unlink)
    assert not markdown_path.exists()
    assert_same_as_cold_build(site, tmp_path)
    archived = site.content / "_archive" / "001_d30220d5d2e9182d.txt"
    next_build(watcher, lambda: shutil.copy(archived, site.content / archived.name))
    assert markdown_path.is_file()
    assert_same_as_cold_build(site, tmp_path)


def test_with_a_live_clock_a_scheduled_article_is_published_at_its_time(site: Site) -> None:
    watcher = Watcher(load_config(site.config_path), site.paths, config_path=site.config_path, now=None)
    watcher.start()
    try:
        assert watcher.wait_for_builds(1, timeout=TIMEOUT)
        due_at = (datetime.now(timezone.utc) + timedelta(seconds=5)).replace(microsecond=0)
        scheduled = markdown("Scheduled story", "scheduled-story").replace("2025-05-11T10:00:00+02:00", due_at.isoformat())
        next_build(watcher, lambda: (site.content / "scheduled.md").write_text(scheduled, encoding="utf-8"))
        assert watcher.wait_for_builds(3, timeout=TIMEOUT)
        assert datetime.now(timezone.utc) >= due_at
        assert watcher.outcomes[2].changed == (), "published by the clock, not by a file change"
        assert (site.output / "scheduled-story/index.html").is_file()
    finally:
        watcher.stop()


def test_the_serve_command_runs_until_interrupted_and_exits_cleanly(site: Site) -> None:
    import signal
    import subprocess
    import sys

    arguments = [
        "serve", "--content", str(site.content), "--output", str(site.output), "--config", str(site.config_path),
        "--now", NOW, "--port", "0",
    ]  # fmt: skip
    # As from a terminal: Ctrl-C raises KeyboardInterrupt even when this test runs in a background
    # job, whose children inherit SIGINT as ignored.
    command = [
        sys.executable, "-c",
        "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        f"sys.argv = sys.argv[1:]; runpy.run_path({str(REPO / 'build.py')!r}, run_name='__main__')",
        str(REPO / "build.py"), *arguments,
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("serving "):
                break
        assert "http://127.0.0.1:" in lines[-1]
        wait_until(lambda: (site.output / "market-opens-higher/index.html").is_file())
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=TIMEOUT) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_content_folder_deleted_and_created_again_is_watched_again(site: Site, watcher: Watcher, tmp_path: Path) -> None:
    saved = tmp_path / "saved-content"
    next_build(watcher, lambda: shutil.move(site.content, saved))
    assert not (site.output / "market-opens-higher").exists()

    def restore() -> None:
        site.content.mkdir()
        shutil.copy(saved / "market.md", site.content / "market.md")

    restore()
    wait_until(lambda: (site.output / "market-opens-higher/index.html").is_file())
    later = site.content / "later.md"
    later.write_text(markdown("Later news", "later-news"), encoding="utf-8")
    wait_until(lambda: any(str(later) in outcome.changed for outcome in watcher.outcomes))
    assert "Later news" in site.page("index.html")
    assert_same_as_cold_build(site, tmp_path)


def test_an_inotify_queue_overflow_triggers_a_full_rescan(site: Site, watcher: Watcher) -> None:
    import logging

    outcome = next_build(watcher, lambda: logging.getLogger("watchdog.observers.inotify_c").warning("Inotify queue overflowed; filesystem events were lost"))
    assert str(site.content) in outcome.changed


def test_a_watch_started_on_an_up_to_date_site_publishes_the_first_edit_ahead(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        ["build", "--content", str(site.content), "--output", str(site.output), "--config", str(site.config_path), "--now", NOW, "-q"]
    )  # fmt: skip
    assert status in (0, 1)
    running = start_watcher(site)
    try:
        source = site.content / "market.md"
        next_build(running, lambda: source.write_text(markdown("Markets rally at the open", "market-opens-higher"), encoding="utf-8"))
        assert "published market-opens-higher/index.html in " in capsys.readouterr().out
    finally:
        running.stop()
