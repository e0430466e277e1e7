"""An edited article's own page, published ahead of the rebuild, is exactly the page the rebuild makes."""

from __future__ import annotations

from pathlib import Path

from flashnews.config import load_config
from flashnews.edits import publish_edited_pages
from flashnews.pipeline import BuildPaths, build_site
from flashnews.render import create_environment
from flashnews.state import BuildState, state_path
from tests.conftest import NOW
from tests.publishing import tree, write_article


def newsroom(site: Path) -> None:
    for day in range(1, 10):
        write_article(
            site, f"derby-{day}", date=f"2025-11-{10 + day}T20:00:00+01:00", title=f"Partizani derby number {day} at Air Albania",
            body=f"Partizani and Tirana met for derby {day}.\n\nThe stadium was full.",
        )
    write_article(site, "budget", date="2025-12-03T09:00:00+01:00", title="Budget passes", category="Ekonomi", body="Parliament votes.")


def publish(site: Path, state: BuildState, *changed: Path) -> tuple[str, ...]:
    assert state.last_planner is not None
    return publish_edited_pages(
        [str(p) for p in changed], planner=state.last_planner, config=load_config(site / "site.toml"),  # type: ignore[arg-type]
        content_dir=site / "content", output_dir=site / "public", environment=create_environment(site / "templates"),
    )


def rebuild(site: Path, state: BuildState):
    paths = BuildPaths(site / "content", site / "public", site / "templates", site / "static")
    return build_site(load_config(site / "site.toml"), paths, now=NOW, state=state)


def assert_same_as_cold_build(site: Path) -> None:
    cold = BuildPaths(site / "content", site / "cold", site / "templates", site / "static")
    build_site(load_config(site / "site.toml"), cold, now=NOW)
    assert tree(site / "public") == tree(site / "cold")


def test_an_edit_in_place_is_published_at_once_and_the_rebuild_agrees(site_dir: Path):
    newsroom(site_dir)
    state = BuildState(state_path(site_dir / "public"))
    try:
        rebuild(site_dir, state)
        edited = write_article(
            site_dir, "derby-5", date="2025-11-15T20:00:00+01:00", title="Partizani derby five ends in a draw at Air Albania",
            body="A late equaliser.\n\nThe stadium was full.",
        )
        assert publish(site_dir, state, edited) == ("derby-5/index.html",)
        early = (site_dir / "public" / "derby-5" / "index.html").read_bytes()
        assert b"ends in a draw" in early
        result = rebuild(site_dir, state)
        assert "derby-5/index.html" not in result.written_paths, "the rebuild found the page already right"
        assert "index.html" in result.written_paths, "and brought the pages listing it up to date"
        assert (site_dir / "public" / "derby-5" / "index.html").read_bytes() == early
    finally:
        state.close()
    assert_same_as_cold_build(site_dir)


def test_an_edit_that_moves_the_article_waits_for_the_rebuild(site_dir: Path):
    newsroom(site_dir)
    state = BuildState(state_path(site_dir / "public"))
    try:
        rebuild(site_dir, state)
        before = tree(site_dir / "public")
        moved = write_article(site_dir, "derby-5", date="2025-11-19T21:00:00+01:00", title="Partizani derby number 5 at Air Albania")
        recategorised = write_article(site_dir, "budget", date="2025-12-03T09:00:00+01:00", title="Budget passes", category="Politikë")
        assert publish(site_dir, state, moved) == ()
        assert publish(site_dir, state, recategorised) == ()
        assert publish(site_dir, state, site_dir / "content" / "missing.md") == ()
        assert tree(site_dir / "public") == before
    finally:
        state.close()


def test_a_broken_edit_is_left_to_the_rebuild_and_its_last_good_page_stays(site_dir: Path):
    newsroom(site_dir)
    state = BuildState(state_path(site_dir / "public"))
    try:
        rebuild(site_dir, state)
        before = tree(site_dir / "public")
        broken = site_dir / "content" / "derby-5.md"
        broken.write_text('---\ntitle: "Unclosed\n---\nBody.\n', encoding="utf-8")
        assert publish(site_dir, state, broken) == ()
        assert tree(site_dir / "public") == before
    finally:
        state.close()


def test_a_new_article_in_an_existing_section_is_published_at_once_and_the_rebuild_agrees(site_dir: Path):
    newsroom(site_dir)
    state = BuildState(state_path(site_dir / "public"))
    try:
        rebuild(site_dir, state)
        added = write_article(
            site_dir, "derby-replay", date="2025-11-15T21:30:00+01:00", title="Partizani derby replay ordered at Air Albania",
            body="The federation orders a replay.",
        )
        assert publish(site_dir, state, added) == ("derby-replay/index.html",)
        early = (site_dir / "public" / "derby-replay" / "index.html").read_bytes()
        result = rebuild(site_dir, state)
        assert "derby-replay/index.html" not in result.written_paths
        assert (site_dir / "public" / "derby-replay" / "index.html").read_bytes() == early
    finally:
        state.close()
    assert_same_as_cold_build(site_dir)


def test_new_articles_that_change_more_than_their_neighbours_wait_for_the_rebuild(site_dir: Path):
    newsroom(site_dir)
    state = BuildState(state_path(site_dir / "public"))
    try:
        rebuild(site_dir, state)
        before = tree(site_dir / "public")
        cases = [
            write_article(site_dir, "new-section", date="2025-11-15T21:30:00+01:00", title="A first story", category="Shkencë"),
            write_article(site_dir, "draft-story", date="2025-11-15T21:30:00+01:00", title="Not yet", draft=True),
            write_article(site_dir, "tomorrow", date="2025-12-06T09:00:00+01:00", title="Scheduled"),
        ]
        taken = site_dir / "content" / "copy.md"
        taken.write_text('---\ntitle: "Same URL"\ndate: "2025-11-15T21:30:00+01:00"\ncategory: "Sport"\nslug: "derby-3"\n---\n\nBody.\n', encoding="utf-8")
        cases.append(taken)
        for path in cases:
            assert publish(site_dir, state, path) == (), path
        assert tree(site_dir / "public") == before
    finally:
        state.close()


def test_articles_with_body_pictures_wait_for_the_rebuild_which_draws_them(site_dir: Path):
    from tests.test_images import picture_bytes

    newsroom(site_dir)
    (site_dir / "content" / "derby-2.png").write_bytes(picture_bytes(800, 500, kind="PNG"))
    state = BuildState(state_path(site_dir / "public"))
    try:
        rebuild(site_dir, state)
        before = tree(site_dir / "public")
        pictured = write_article(
            site_dir, "derby-5", date="2025-11-15T20:00:00+01:00", title="Partizani derby number 5 at Air Albania",
            body="Partizani and Tirana met for derby 5.\n\n![The stands](derby-2.png)",
        )
        added = write_article(
            site_dir, "derby-replay", date="2025-11-15T21:30:00+01:00", title="Partizani derby replay ordered at Air Albania",
            body="The federation orders a replay.\n\n![The stands](derby-2.png)",
        )
        assert publish(site_dir, state, pictured) == ()
        assert publish(site_dir, state, added) == ()
        assert tree(site_dir / "public") == before
        rebuild(site_dir, state)
        assert 'alt="The stands"' in (site_dir / "public" / "derby-5" / "index.html").read_text(encoding="utf-8")
        unpictured = write_article(
            site_dir, "derby-5", date="2025-11-15T20:00:00+01:00", title="Partizani derby number 5 at Air Albania",
            body="Partizani and Tirana met for derby 5.",
        )
        assert publish(site_dir, state, unpictured) == (), "the picture files it showed are left to the rebuild"
        rebuild(site_dir, state)
    finally:
        state.close()
    assert_same_as_cold_build(site_dir)
