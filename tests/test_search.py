"""The search index: written from the article records with the pages, byte-stable, patched in
place when a few articles change, and the same bytes as a cold build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
    """Every result row, in id order, from all the docs files."""
    files = sorted((data(site, output) / "d").glob("*.json"), key=lambda path: int(path.stem))
    return [row for path in files for row in json.loads(path.read_text(encoding="utf-8"))]


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


@pytest.mark.parametrize("docs_per_file", [500, 4])
def test_a_story_dated_between_others_is_patched_in_and_equals_a_cold_build(site_dir: Path, monkeypatch: pytest.MonkeyPatch, docs_per_file: int):
    monkeypatch.setattr(search, "DOCS_PER_FILE", docs_per_file)  # 4: the story goes into the second of three files
    for day in range(1, 9):
        write_article(site_dir, f"story-{day}", date=f"2025-11-{day:02}T09:00:00+01:00", title=f"Story of day {day}", body=f"Report number {day} from Vlorë.")
    build_into(site_dir)
    write_article(site_dir, "late-filed", date="2025-11-06T12:00:00+01:00", title="A late filed report", body="Filed late from Sarandë.")
    result = build_into(site_dir)
    assert result.indexed == 1, "the story alone: the two newer ones move up an id in the files as they are"
    assert manifest(site_dir)["count"] == 9 and found(site_dir, "sarande") == ["late-filed/"]
    assert found(site_dir, "vlore") == sorted(f"story-{day}/" for day in range(1, 9))
    build_into(site_dir, "cold")
    assert tree(site_dir / "public") == tree(site_dir / "cold")


@pytest.mark.parametrize("docs_per_file", [500, 4])
def test_stories_inserted_anywhere_with_an_edit_in_one_build_equal_a_cold_build(site_dir: Path, monkeypatch: pytest.MonkeyPatch, docs_per_file: int):
    monkeypatch.setattr(search, "DOCS_PER_FILE", docs_per_file)  # 4: the rows span several files
    for day in range(2, 12):
        write_article(site_dir, f"story-{day}", date=f"2025-11-{day:02}T09:00:00+01:00", title=f"Story of day {day}", body=f"Report number {day} from Vlorë.")
    build_into(site_dir)
    write_article(site_dir, "oldest", date="2025-11-01T09:00:00+01:00", title="The oldest report", body="Filed from Sarandë.")
    write_article(site_dir, "late-a", date="2025-11-06T12:00:00+01:00", title="A late report", body="Filed late from Sarandë.")
    write_article(site_dir, "late-b", date="2025-11-06T13:00:00+01:00", title="Another late report", body="Filed later from Berat.")
    write_article(site_dir, "story-8", date="2025-11-08T09:00:00+01:00", title="Story of day 8", body="Report number 8 from Korçë.")
    write_article(site_dir, "newest", date="2025-11-20T09:00:00+01:00", title="The newest report", body="Filed from Berat.")
    result = build_into(site_dir)
    assert result.indexed == 5, "four new stories and one edit, the rest moved in the files as they are"
    assert found(site_dir, "sarande") == ["late-a/", "oldest/"] and found(site_dir, "korce") == ["story-8/"]
    assert found(site_dir, "vlore") == sorted(f"story-{day}/" for day in range(2, 12) if day != 8)
    build_into(site_dir, "cold")
    assert tree(site_dir / "public") == tree(site_dir / "cold")


@given(st.lists(st.integers(0, 300), unique=True, min_size=1).map(sorted), st.lists(st.integers(0, 320)).map(sorted))
def test_shifting_ids_moves_each_up_once_for_every_insertion_before_it(ids: list[int], shift_at: list[int]) -> None:
    tail = [number for number in ids if shift_at and number >= shift_at[0]]
    shifted = search.shift_ids(search.encode_ids(ids), shift_at, tail) if shift_at else search.encode_ids(ids)
    assert search.decode_ids(shifted) == [number + sum(1 for value in shift_at if value <= number) for number in ids]


@given(st.lists(st.integers(0, 300), unique=True, min_size=1).map(sorted), st.lists(st.integers(0, 40), unique=True, min_size=1), st.lists(st.integers(0, 400), unique=True))
def test_a_term_file_patched_holds_the_ids_it_would_be_made_with(ids: list[int], above: list[int], removed: list[int]) -> None:
    added = {ids[-1] + 1 + number for number in above}  # new stories: the next ids, appended
    changes = {"word": (set(removed) & set(ids), added), "other": (set(), {0})}
    patched = search.decode_bucket(search.patch_bucket(search.encode_bucket({"word": search.encode_ids(ids)}), changes))
    assert search.decode_ids(patched["word"]) == sorted(set(ids) - set(removed) | added) and patched["other"] == "0"


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
