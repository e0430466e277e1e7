"""Incremental builds: after any kind of change, the output equals a cold build byte for byte,
and a build with nothing changed writes nothing."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from flashnews.build import loading
from flashnews.app.cli import main
from flashnews.config import parse_config
from flashnews.build.state import BuildState, FileStamp, state_path
from flashnews.ingest.sources import content_digest

from tests.conftest import sample_drops

NOW = "2025-12-05T12:00:00+01:00"
Change = Callable[[Path], None]


def build(project: Path, output: str = "public", *, now: str = NOW) -> int:
    return main(
        [
            "build",
            "--content", str(project / "content"),
            "--output", str(project / output),
            "--config", str(project / "site.toml"),
            "--now", now,
            "-q",
        ]
    )


def read_tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cold_tree(project: Path, *, now: str = NOW) -> dict[str, bytes]:
    """What a first build of the project as it is now produces, in a folder of its own."""
    fresh = project.parent / f"{project.name}-cold"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("public", ".public.*"))
    build(fresh, "cold", now=now)
    return read_tree(fresh / "cold")


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def project(sample_site: Path) -> Path:
    """The sample site with its drops normalized and built once into public/."""
    assert build(sample_site) == 0
    return sample_site


def _first_article(project: Path) -> Path:
    return sorted((project / "content").glob("*.md"))[0]


def add_article(project: Path) -> None:
    (project / "content" / "late-news.md").write_text(
        '---\ntitle: "Late news from the harbour"\ndate: "2025-12-05T11:00:00+01:00"\ncategory: "Ekonomi"\n---\n\n'
        "Ships waited outside the harbour all morning.\n",
        encoding="utf-8",
    )


def add_raw_drop(project: Path) -> None:
    source = sample_drops()[0]
    text = source.read_text(encoding="utf-8").replace("Istanbul", "Vienna")
    (project / "content" / "999_new_drop.txt").write_text(text, encoding="utf-8")


def edit_article(project: Path) -> None:
    with open(_first_article(project), "a", encoding="utf-8") as handle:
        handle.write("\nCorrection: an earlier version of this article misstated a date.\n")


def delete_article(project: Path) -> None:
    _first_article(project).unlink()


def rename_article(project: Path) -> None:
    path = _first_article(project)
    path.rename(path.with_name("renamed-story.md"))


def edit_template(project: Path) -> None:
    path = project / "templates" / "article.html"
    path.write_text(path.read_text(encoding="utf-8").replace("</article>", "</article>\n<!-- edited -->", 1), encoding="utf-8")


def edit_config(project: Path) -> None:
    path = project / "site.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('title = "Flash News"', 'title = "Flash Evening"', 1), encoding="utf-8")


def edit_static(project: Path) -> None:
    with open(project / "static" / "style.css", "a", encoding="utf-8") as handle:
        handle.write("\n/* edited */\n")
    (project / "static" / "extra.txt").write_text("new static file\n", encoding="utf-8")


def delete_static(project: Path) -> None:
    (project / "static" / "style.css").unlink()


def picture_png(colour: str, width: int) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, width // 2), colour).save(buffer, "PNG")
    return buffer.getvalue()


def add_body_picture(project: Path) -> None:
    (project / "content" / "quay-2.png").write_bytes(picture_png("red", 1200))
    with open(_first_article(project), "a", encoding="utf-8") as handle:
        handle.write("\n![The quay at dawn](quay-2.png)\n")


CHANGES = [
    add_article, add_raw_drop, edit_article, delete_article, rename_article, edit_template, edit_config, edit_static, delete_static,
    add_body_picture,
]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_incremental_build_after_a_change_equals_a_cold_build(project: Path, change: Change) -> None:
    before = read_tree(project / "public")
    change(project)
    build(project)
    after = read_tree(project / "public")
    assert after != before
    assert after == cold_tree(project)


@pytest.mark.parametrize(
    "replace_picture",
    [
        lambda picture: picture.write_bytes(picture_png("green", 700)),  # new bytes, new size
        lambda picture: picture.unlink(),  # gone: the page drops the picture and the build says so
        lambda picture: picture.write_bytes(picture_png("red", 1200)),  # back as it was
    ],
    ids=["replaced", "deleted", "restored"],
)
def test_a_changed_body_picture_renders_its_page_again_as_a_cold_build_does(project: Path, replace_picture: Change) -> None:
    add_body_picture(project)
    picture = project / "content" / "quay-2.png"
    picture.write_bytes(picture_png("blue", 1200))
    assert build(project) == 0
    page = next(p for p in (project / "public").rglob("index.html") if b"The quay at dawn" in p.read_bytes())
    before = read_tree(project / "public")
    replace_picture(picture)
    build(project)
    after = read_tree(project / "public")
    assert after[page.relative_to(project / "public").as_posix()] != before[page.relative_to(project / "public").as_posix()]
    assert after == cold_tree(project)


def test_second_build_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stamps = mtimes(project / "public")
    capsys.readouterr()
    assert build(project) == 0
    assert "(0 written, 0 deleted)" in capsys.readouterr().out
    assert mtimes(project / "public") == stamps


def test_second_build_after_a_change_and_back_writes_only_what_differs(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _first_article(project)
    original = path.read_bytes()
    edit_article(project)
    build(project)
    path.write_bytes(original)
    capsys.readouterr()
    build(project)
    assert "(0 written" not in capsys.readouterr().out
    assert read_tree(project / "public") == cold_tree(project)


def test_build_later_in_the_day_equals_a_cold_build_at_that_time(project: Path) -> None:
    later = "2025-12-05T20:00:00+01:00"
    build(project, now=later)
    assert read_tree(project / "public") == cold_tree(project, now=later)


def test_build_after_midnight_equals_a_cold_build_of_the_next_edition(project: Path) -> None:
    tomorrow = "2025-12-06T08:00:00+01:00"
    build(project, now=tomorrow)
    assert read_tree(project / "public") == cold_tree(project, now=tomorrow)


def test_build_with_an_earlier_clock_equals_a_cold_build_at_that_time(project: Path) -> None:
    earlier = "2025-12-04T09:00:00+01:00"
    build(project, now=earlier)
    assert read_tree(project / "public") == cold_tree(project, now=earlier)


def test_output_file_removed_by_hand_is_written_again(project: Path) -> None:
    page = next((project / "public").glob("*/index.html"))
    data = page.read_bytes()
    page.unlink()
    build(project)
    assert page.read_bytes() == data


def test_output_folder_removed_by_hand_is_built_again(project: Path) -> None:
    expected = read_tree(project / "public")
    shutil.rmtree(project / "public")
    build(project)
    assert read_tree(project / "public") == expected


def test_source_error_is_reported_again_when_nothing_changed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "content" / "broken.md").write_text("---\ntitle: [unclosed\n---\n\nBody.\n", encoding="utf-8")
    assert build(project) == 1
    first = capsys.readouterr().err
    assert build(project) == 1
    assert "content/broken.md" in first and "content/broken.md" in capsys.readouterr().err


def remembered_sources(project: Path) -> dict[str, tuple[FileStamp, str]]:
    """What the build state remembers of each source: its stat and the digest of its bytes."""
    state = BuildState(state_path(project / "public"))
    try:
        return state.read_file_digests()
    finally:
        state.close()


def test_unchanged_source_is_not_read_again(project: Path) -> None:
    """The state remembers each source's stat, so an unchanged file's bytes are trusted."""
    remembered = remembered_sources(project)
    shown = f"content/{_first_article(project).name}"
    stamp, _ = remembered[shown]
    assert stamp.size == _first_article(project).stat().st_size


def test_first_build_remembers_each_source_by_the_digest_its_worker_read(project: Path) -> None:
    """A first build hashes sources in the workers that parse them; the state keeps those digests."""
    remembered = remembered_sources(project)
    sources = sorted((project / "content").glob("*.md"))
    assert sources and {f"content/{p.name}" for p in sources} == set(remembered)
    for path in sources:
        assert remembered[f"content/{path.name}"][1] == content_digest(path.read_bytes())


def test_first_build_reads_sources_only_in_the_parse(sample_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With an empty cache a digest finds nothing, so the build does not read a source to hash it;
    once the cache holds records, a source with a new stat is hashed to look its parse up."""
    hashed: list[str] = []
    original = loading._read_source

    def counting(path: Path, shown: str, config: object) -> bytes:
        hashed.append(shown)
        return original(path, shown, config)  # type: ignore[arg-type]

    monkeypatch.setattr(loading, "_read_source", counting)
    assert build(sample_site) == 0
    assert hashed == []
    touched = _first_article(sample_site)
    os.utime(touched, ns=(1, 1))
    added = sample_site / "content" / "added.md"  # a new file, so the whole site is loaded
    added.write_text("---\ntitle: Added\ndate: 2025-12-01 09:00\ncategory: World\n---\n\nText.\n", encoding="utf-8")
    assert build(sample_site) == 0
    assert sorted(hashed) == sorted([f"content/{touched.name}", "content/added.md"])
    assert read_tree(sample_site / "public") == cold_tree(sample_site)


def test_a_full_build_stats_each_source_once(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stat taken for the build's fingerprint is the one loading compares, in every folder."""
    nested = project / "content" / "2025" / "december"
    nested.mkdir(parents=True)
    (nested / "Nested.MD").write_text("---\ntitle: Nested\ndate: 2025-12-02 09:00\ncategory: World\n---\n\nText.\n", encoding="utf-8")
    again: list[object] = []
    original = loading.stamp_of
    monkeypatch.setattr(loading, "stamp_of", lambda result: again.append(result) or original(result))
    assert build(project) == 0
    assert again == []
    assert read_tree(project / "public") == cold_tree(project)


def test_a_first_build_renders_from_the_bodies_it_parsed_and_beyond_its_budget_from_the_cache(
    sample_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bodies parsed in this build are kept up to a budget, so their pages need no cache read;
    past the budget they are read back, and the pages are the same bytes either way."""
    reads: list[str] = []
    original = BuildState.get_one
    monkeypatch.setattr(BuildState, "get_one", lambda self, key: reads.append(key) or original(self, key))
    assert build(sample_site) == 0
    assert reads == []
    held = read_tree(sample_site / "public")
    budgetless = tmp_path / "budgetless"
    shutil.copytree(sample_site, budgetless, ignore=shutil.ignore_patterns("public", ".public.*"))
    monkeypatch.setattr(loading, "_BODIES_HELD", 0)
    assert build(budgetless) == 0
    assert reads, "without a budget every page reads its article's body from the cache"
    assert read_tree(budgetless / "public") == held


def test_a_session_remembers_articles_it_parsed_without_their_bodies(sample_site: Path) -> None:
    """Watch mode keeps the articles of one build for the next; their bodies stay in the cache."""
    assert build(sample_site) == 0
    shutil.rmtree(sample_site / "public")
    shutil.rmtree(sample_site / ".public.flashnews")
    state = BuildState(state_path(sample_site / "public"))
    try:
        articles, *_ = loading.load_articles(sample_site / "content", parse_config((sample_site / "site.toml").read_text(encoding="utf-8")), state)
        assert articles and all(not item.partial for item in articles)
        assert state.memo and all(item.partial and item.body_html == "" for item, _ in state.memo.values())  # type: ignore[misc]
    finally:
        state.close()


def test_source_rewritten_with_the_same_size_and_time_is_still_noticed_by_its_inode_or_ctime(project: Path) -> None:
    path = _first_article(project)
    result = path.stat()
    text = path.read_text(encoding="utf-8")
    replacement = text.replace("a", "e", 1)
    assert len(replacement.encode()) == len(text.encode()) and replacement != text
    path.write_text(replacement, encoding="utf-8")
    os.utime(path, ns=(result.st_atime_ns, result.st_mtime_ns))
    build(project)
    assert read_tree(project / "public") == cold_tree(project)


def test_page_rendered_again_with_the_same_bytes_is_not_rewritten(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A template change that does not change a page's bytes (here: a Jinja comment) rewrites nothing."""
    stamps = mtimes(project / "public")
    path = project / "templates" / "article.html"
    path.write_text(path.read_text(encoding="utf-8") + "{# a note for template authors #}", encoding="utf-8")
    capsys.readouterr()
    assert build(project) == 0
    assert "(0 written, 0 deleted)" in capsys.readouterr().out
    assert mtimes(project / "public") == stamps


def test_a_template_rewritten_with_the_same_size_gives_a_new_digest_each_time(tmp_path: Path) -> None:
    from flashnews.build.pipeline import templates_digest

    (tmp_path / "base.html").write_text("aaaa")
    seen = {templates_digest(tmp_path)}
    for text in ("bbbb", "cccc", "dddd"):
        (tmp_path / "base.html").write_text(text)
        seen.add(templates_digest(tmp_path))
    assert len(seen) == 4


def test_settled_templates_are_read_once_until_one_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flashnews.build import pipeline

    reads: list[Path] = []
    hash_templates = pipeline._hash_templates
    monkeypatch.setattr(pipeline, "_hash_templates", lambda folder: reads.append(folder) or hash_templates(folder))
    monkeypatch.setattr(pipeline, "_SETTLED_NS", -(10**18))  # every file counts as settled
    (tmp_path / "base.html").write_text("aaaa")
    first = pipeline.templates_digest(tmp_path)
    assert pipeline.templates_digest(tmp_path) == first and len(reads) == 1
    (tmp_path / "extra.html").write_text("b")
    assert pipeline.templates_digest(tmp_path) != first and len(reads) == 2
