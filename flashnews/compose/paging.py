"""A listing's pages: the front page and fixed archive pages.

The front page of a listing (the site's front page, or a section's) shows its newest
`per_page` articles. The archive pages hold fixed runs of `per_page` articles counted from the
oldest: archive page 1 holds the oldest run, and the newest run, the one the front page shows,
has no archive page. So a new story changes the front page and the newest archive page (when it
starts a new one, the archive page before it too), and an archive page's URL keeps showing the
same stories: readers' links, search engines and a CDN's cache stay valid, and a build or a
publish after a new story does not rewrite the whole archive. A back-dated story changes the
pages from its place to the newest.

Items are newest first throughout, as Site and Section hold them.
"""

from __future__ import annotations

from dataclasses import dataclass

FRONT = 0


@dataclass(frozen=True, slots=True)
class ListingPage:
    """One page of a listing: its number (FRONT, or an archive page's, 1 for the oldest), the
    slice of the listing's items it shows, and the numbers of its neighbours (None at an end)."""

    number: int
    start: int
    stop: int
    newer: int | None
    older: int | None


def archive_count(total: int, per_page: int) -> int:
    """How many archive pages a listing of `total` items has."""
    return max(0, -(-total // per_page) - 1)


def listing_page(total: int, per_page: int, number: int) -> ListingPage:
    """Page `number` (FRONT or 1..archive_count) of a listing of `total` items."""
    archives = archive_count(total, per_page)
    if number == FRONT:
        return ListingPage(FRONT, 0, min(total, per_page), None, archives or None)
    if not 1 <= number <= archives:
        raise ValueError(f"a listing of {total} items has no archive page {number}")
    stop = total - (number - 1) * per_page
    return ListingPage(number, stop - per_page, stop, number + 1 if number < archives else FRONT, number - 1 or None)


def listing_pages(total: int, per_page: int) -> list[ListingPage]:
    """Every page of a listing of `total` items: the front page, then the archive from the oldest."""
    return [listing_page(total, per_page, number) for number in range(archive_count(total, per_page) + 1)]


def pages_showing(position: int, total: int, per_page: int) -> list[int]:
    """The numbers of the pages that show the item at `position` (newest first): the front page
    when it is among the newest, and the archive page of its run when that run has one."""
    found = [FRONT] if position < per_page else []
    number = (total - 1 - position) // per_page + 1
    if number <= archive_count(total, per_page):
        found.append(number)
    return found


def page_url(prefix: str, number: int) -> str:
    """The URL of a listing page, relative to the site's root."""
    return prefix if number == FRONT else f"{prefix}page/{number}/"


def page_path(prefix: str, number: int) -> str:
    """The output file of a listing page."""
    return page_url(prefix, number) + "index.html"
