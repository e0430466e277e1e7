"""The search index: written from the article records with the pages, byte-stable, patched in
place when a few articles change, and the same bytes as a cold build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flashnews.compose import search
from flashnews.config import load_config
from flashnews.build.pipeline import BuildPaths, BuildResult, build_site
from flashnews.build.searching import update_search_index
from flashnews.compose.search import SearchCancelled
from flashnews.build.state import BuildState, state_path
from tests.conftest import NOW
from tests.publishing import set_config, tree, write_article


def build_into(site: Path, output: str = "public", *, defer_search: bool = False) -> BuildResult:
    paths = BuildPaths(site / "content", site / output, site / "templates", site / "static")
    return build_site(load_config(site / "site.toml"), paths, now=NOW, defer_search=defer_search)


def data(site: Path, output: str = "public") -> Path:
    return site / output / "search" / "data"


def manifest(site: Path, output: str = "public") -> dict:
    return json.loads((data(site, output) / "index.json").read_text(encoding="utf-8"))


def rows(site: Path, output: str = "public") -> list[list[str]]:
    return json.loads((data(site, output) / "d" / "0.json").read_text(encoding="utf-8"))


def found(site: Path, word: str, output: str = "public") -> list[str]:
    """The URLs of the articles holding a word, as static/search.js finds them (exact word)."""
    (term,) = search.words_of(word)
    bucket = data(site, output) / "t" / f"{search.bucket_of(term)}.txt"
    if not bucket.is_file():
        return []
    lines = search.decode_bucket(bucket.read_bytes())
    urls = [row[0] for row in rows(site, output)]
    return sorted(urls[i] for i in search.decode_ids(lines[term])) if term in lines else []


def two_articles(site: Path) -> None:
    write_article(site, "derby", date="2025-12-04T20:00:00+01:00", title="Partizani win the derby", body="A late goal at Air Albania.")
    write_article(site, "budget", date="2025-12-03T09:00:00+01:00", title="Budget passes", category="Ekonomi", body="Parliament votes in Kukës.")


def test_every_article_is_indexed_oldest_first_with_what_its_result_shows(site_dir: Path):
    two_articles(site_dir)
    result = build_into(site_dir)
    assert result.indexed == 2
    assert manifest(site_dir)["count"] == 2
    assert [row[0] for row in rows(site_dir)] == ["budget/", "derby/"]
    url, title, section, shown, iso = rows(site_dir)[1]
    assert (title, iso) == ("Partizani win the derby", "2025-12-04T20:00:00+01:00") and section and shown
    assert (site_dir / "public" / "search" / "index.html").is_file()
    assert (site_dir / "public" / "static" / "search.js").is_file()


def test_words_of_the_headline_and_body_are_found_folded(site_dir: Path):
    two_articles(site_dir)
    build_into(site_dir)
    assert found(site_dir, "Albania") == ["derby/"]
    assert found(site_dir, "PARTIZANI") == ["derby/"]
    assert found(site_dir, "kukes") == found(site_dir, "Kukës") == ["budget/"]
    assert found(site_dir, "RSS") == []  # page chrome is not indexed


def test_words_are_folded_like_the_browser_folds_them():
    assert search.words_of("Kukës, ÇAJ; don't naïve_x 2025") == {"kukes", "caj", "don", "t", "naive_x", "2025"}
    assert search.bucket_of("ëx") == "_eb" + "x" and search.bucket_of("a") == "a"
    assert search.decode_ids(search.encode_ids([3, 4, 10])) == [3, 4, 10]


def test_two_cold_builds_give_byte_identical_indexes(site_dir: Path):
    two_articles(site_dir)
    build_into(site_dir, "one")
    build_into(site_dir, "two")
    assert tree(data(site_dir, "one")) == tree(data(site_dir, "two"))


def test_the_index_is_reused_until_an_article_changes(site_dir: Path):
    two_articles(site_dir)
    build_into(site_dir)
    (site_dir / "static" / "style.css").write_text("body { color: black; }\n", encoding="utf-8")
    assert build_into(site_dir).indexed == 0
    write_article(site_dir, "transfer", date="2025-12-05T09:00:00+01:00", title="Striker signs for Tirana")
    assert build_into(site_dir).indexed == 1, "a new newest story is added to the index, not the whole site"
    assert manifest(site_dir)["count"] == 3 and found(site_dir, "striker") == ["transfer/"]


def test_an_edit_patches_only_the_files_holding_its_words_and_equals_a_cold_build(site_dir: Path):
    two_articles(site_dir)
    build_into(site_dir)
    before = tree(data(site_dir))
    write_article(site_dir, "budget", date="2025-12-03T09:00:00+01:00", title="Budget passes", category="Ekonomi", body="Parliament votes in Korçë.")
    result = build_into(site_dir)
    assert result.indexed == 1
    after = tree(data(site_dir))
    assert {path for path in after if after[path] != before.get(path)} | {p for p in before if p not in after} <= {
        "t/ko.txt", "t/ku.txt", "index.json"  # "ku" went, "ko" came
    }
    assert found(site_dir, "korce") == ["budget/"] and found(site_dir, "kukes") == []
    build_into(site_dir, "cold")
    assert tree(site_dir / "public") == tree(site_dir / "cold")


def test_a_deleted_article_leaves_the_index(site_dir: Path):
    two_articles(site_dir)
    build_into(site_dir)
    (site_dir / "content" / "budget.md").unlink()
    assert build_into(site_dir).indexed == 1
    assert manifest(site_dir)["count"] == 1 and found(site_dir, "parliament") == []
    build_into(site_dir, "cold")
    assert tree(site_dir / "public") == tree(site_dir / "cold")


def test_an_index_file_changed_by_hand_is_written_anew(site_dir: Path):
    two_articles(site_dir)
    build_into(site_dir)
    (data(site_dir) / "d" / "0.json").write_text("[]", encoding="utf-8")
    write_article(site_dir, "transfer", date="2025-12-05T09:00:00+01:00", title="Striker signs for Tirana")
    build_into(site_dir)
    build_into(site_dir, "cold")
    assert tree(site_dir / "public") == tree(site_dir / "cold")


def test_search_false_leaves_out_the_search_page_and_removes_an_old_index(site_dir: Path):
    two_articles(site_dir)
    build_into(site_dir)
    set_config(site_dir, "search", False)
    result = build_into(site_dir)
    assert result.indexed == 0
    public = site_dir / "public"
    assert not (public / "search").exists()
    assert 'href="search/"' not in (public / "index.html").read_text(encoding="utf-8")


def test_the_search_page_speaks_the_interface_language(site_dir: Path):
    set_config(site_dir, "language", "sq")
    write_article(site_dir, "derby", date="2025-12-04T20:00:00+01:00", title="Partizani fiton derbin")
    build_into(site_dir)
    page = (site_dir / "public" / "search" / "index.html").read_text(encoding="utf-8")
    assert 'data-one="[COUNT] rezultat për [SEARCH_TERM]"' in page
    assert rows(site_dir)[0][3] == "4 dhjetor 2025, 20:00"


def test_the_search_page_reads_the_index_and_links_relatively(site_dir: Path):
    two_articles(site_dir)
    set_config(site_dir, "base_url", "https://news.example/lajme/")
    build_into(site_dir)
    page = (site_dir / "public" / "search" / "index.html").read_text(encoding="utf-8")
    assert 'data-index="data/"' in page and 'data-root="../"' in page
    assert '<script type="module" src="../static/search.js"></script>' in page


def test_a_deferred_index_publishes_the_page_first_and_the_next_build_catches_up(site_dir: Path):
    two_articles(site_dir)
    build_into(site_dir)
    old_index = tree(data(site_dir))
    write_article(site_dir, "transfer", date="2025-12-05T09:00:00+01:00", title="Striker signs for Tirana")
    deferred = build_into(site_dir, defer_search=True)
    assert deferred.search_pending and deferred.indexed == 0
    assert (site_dir / "public" / "transfer" / "index.html").is_file(), "the page is published at once"
    assert tree(data(site_dir)) == old_index, "the last index stays whole until it is replaced"
    assert build_into(site_dir, defer_search=True).search_pending, "still due while nothing indexed it"
    caught_up = build_into(site_dir)
    assert caught_up.indexed == 1 and not caught_up.search_pending
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
    assert asked
    assert tree(site_dir / "public") == before
    assert build_into(site_dir).indexed == 1


def test_the_index_alone_catches_up_with_a_deferred_build(site_dir: Path):
    two_articles(site_dir)
    build_into(site_dir)
    write_article(site_dir, "transfer", date="2025-12-05T09:00:00+01:00", title="Striker signs for Tirana")
    assert build_into(site_dir, defer_search=True).search_pending
    paths = BuildPaths(site_dir / "content", site_dir / "public", site_dir / "templates", site_dir / "static")
    state = BuildState(state_path(site_dir / "public"))
    try:
        assert update_search_index(load_config(site_dir / "site.toml"), paths, state) == 1
    finally:
        state.close()
    assert not build_into(site_dir).search_pending
    build_into(site_dir, "cold")
    assert tree(site_dir / "public") == tree(site_dir / "cold")


def test_patched_term_files_equal_term_files_written_anew():
    import random

    rng = random.Random(7)
    vocabulary = [f"w{n}" for n in range(40)] + ["kukes", "ëx", "a"]
    docs = [sorted(set(rng.sample(vocabulary, rng.randint(1, 12)))) for _ in range(60)]
    before = search.make_index(("\n".join(d).encode() for d in docs), [["u"]] * len(docs))
    for _ in range(20):
        at = rng.randrange(len(docs) + 1)
        new = sorted(set(rng.sample(vocabulary, rng.randint(1, 12))))
        old = docs[at] if at < len(docs) else []
        docs = docs[:at] + [new] + docs[at + 1 :]
        changes: dict[str, dict[str, tuple[set[int], set[int]]]] = {}
        for term in set(old) - set(new):
            changes.setdefault(search.bucket_of(term), {}).setdefault(term, (set(), set()))[0].add(at)
        for term in set(new) - set(old):
            changes.setdefault(search.bucket_of(term), {}).setdefault(term, (set(), set()))[1].add(at)
        for bucket, change in changes.items():
            path = search.term_path(bucket)
            patched = search.patch_bucket(before.get(path), change)
            before = {**before, path: patched} if patched is not None else {p: d for p, d in before.items() if p != path}
        anew = search.make_index(("\n".join(d).encode() for d in docs), [["u"]] * len(docs))
        assert {p: d for p, d in before.items() if "/t/" in p} == {p: d for p, d in anew.items() if "/t/" in p}
