"""A listing's front page and fixed archive pages (flashnews.compose.paging)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flashnews.compose.paging import FRONT, archive_count, listing_page, listing_pages, page_path, page_url, pages_showing

totals = st.integers(min_value=0, max_value=400)
sizes = st.integers(min_value=1, max_value=30)


def oldest_first(total: int, per_page: int) -> dict[int, list[int]]:
    """Each page's items as positions counted from the oldest, which a new story does not shift."""
    return {page.number: [total - 1 - i for i in range(page.start, page.stop)] for page in listing_pages(total, per_page)}


@given(totals, sizes)
def test_the_front_page_shows_the_newest_and_each_archive_page_a_full_run(total: int, per_page: int) -> None:
    pages = listing_pages(total, per_page)
    front, archive = pages[0], pages[1:]
    assert (front.number, front.start, front.stop) == (FRONT, 0, min(total, per_page))
    assert [page.number for page in archive] == list(range(1, archive_count(total, per_page) + 1))
    assert all(page.stop - page.start == per_page for page in archive)
    shown = {i for page in pages for i in range(page.start, page.stop)}
    assert shown == set(range(total))
    # Only the newest run is left without an archive page, and it is on the front page.
    unarchived = set(range(total)) - {i for page in archive for i in range(page.start, page.stop)}
    assert unarchived <= set(range(front.stop)) and len(unarchived) <= per_page


@given(totals, sizes)
def test_newer_and_older_links_walk_the_whole_listing(total: int, per_page: int) -> None:
    pages = {page.number: page for page in listing_pages(total, per_page)}
    walked, number = [], FRONT
    while number is not None:
        walked.append(number)
        number = pages[number].older
    assert walked == [FRONT, *range(archive_count(total, per_page), 0, -1)]
    for number in walked[1:]:
        older = pages[number]
        assert older.newer is not None and pages[older.newer].older == number


@given(totals, sizes, st.integers(min_value=1, max_value=60))
def test_new_stories_leave_the_archive_pages_before_the_newest_as_they_were(total: int, per_page: int, added: int) -> None:
    before, after = oldest_first(total, per_page), oldest_first(total + added, per_page)
    for number in range(1, archive_count(total, per_page) + 1):
        assert after[number] == before[number]
    kept = [page for page in listing_pages(total, per_page) if page.number not in (FRONT, archive_count(total, per_page))]
    assert all(listing_page(total + added, per_page, page.number) == page_moved(page, added) for page in kept)


def page_moved(page, added):  # type: ignore[no-untyped-def]
    """The same archive page after `added` newer stories: its slice moves down by that much."""
    return type(page)(page.number, page.start + added, page.stop + added, page.newer, page.older)


@given(totals, sizes, st.data())
def test_pages_showing_an_item_are_those_whose_slice_holds_it(total: int, per_page: int, data: st.DataObject) -> None:
    if total == 0:
        return
    position = data.draw(st.integers(min_value=0, max_value=total - 1))
    holding = [page.number for page in listing_pages(total, per_page) if page.start <= position < page.stop]
    assert pages_showing(position, total, per_page) == holding


def test_an_empty_listing_has_an_empty_front_page_only() -> None:
    assert listing_pages(0, 20) == [listing_page(0, 20, FRONT)]
    assert listing_page(0, 20, FRONT).stop == 0


@pytest.mark.parametrize("number", [-1, 3, 4])
def test_a_page_outside_the_archive_is_refused(number: int) -> None:
    with pytest.raises(ValueError, match="no archive page"):
        listing_page(45, 20, number)


def test_urls_and_files() -> None:
    assert (page_url("", FRONT), page_path("", FRONT)) == ("", "index.html")
    assert (page_url("sport/", 3), page_path("sport/", 3)) == ("sport/page/3/", "sport/page/3/index.html")
