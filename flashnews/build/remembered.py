"""The site a clean full build remembered (order) -> the pages an edit or a new story changes,
planned without loading the site.

RememberedSite reads articles from the build cache as it needs them and plans the pages an edit
or an addition changes by the planner's own rules (rail_positions, window_span, the paging
module) and keys (planner.*_key), so the pages and keys are exactly those a full build makes.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from flashnews.compose import sitemap
from flashnews.compose.feeds import plan_feed_pages
from flashnews.build.fingerprint import ClockWindow
from flashnews.compose.i18n import format_edition_date
from flashnews.compose.images import LeadImage
from flashnews.build.loading import load_lead_images
from flashnews.model import RenderedArticle
from flashnews.build.order import ListingAt, OrderRow, RememberedOrder, SiteFacts, changed_listing_pages, has_picture, same_elsewhere, same_place
from flashnews.compose.paging import FRONT, listing_page, page_path
from flashnews.compose.planner import (
    article_page_key,
    card_digest,
    front_listing,
    listing_head,
    lead_digest,
    listing_page_key,
    pictures_digest,
    record_digest,
    section_listing,
    whole_page_key,
)
from flashnews.compose.related import RelatedFinder, window_span
from flashnews.compose.render import PagePlan, article_card, article_context, listing_context, plan_not_found_page
from flashnews.compose.site import RESERVED_SLUGS, article_url, is_published, section_key, section_of, section_url, sort_key
from flashnews.compose.sitemap import article_entries, listing_entries, plan_news_sitemap_pages



@dataclass(frozen=True, slots=True)
class PlannedPage:
    """A page an in-place build may render: its path, key and source ("" for none), and its plan,
    made only when it is rendered (a page whose key is the manifest's is not)."""

    path: str
    key: str
    source: str
    plan: Callable[[], PagePlan]

    @staticmethod
    def whole(plan: PagePlan, salt: str) -> PlannedPage:
        """A page planned whole (feeds, sitemaps, 404), keyed by its context."""
        return PlannedPage(plan.path, whole_page_key(salt, plan), plan.source, lambda: plan)


@dataclass(frozen=True, slots=True)
class _Gathered:
    """What the pages being planned show, by source: the articles (without bodies), the whole
    records of those whose own page is planned, the lead pictures, the card digests, and the
    related-article finders."""

    found: dict[str, RenderedArticle]
    wholes: dict[str, RenderedArticle]
    lead: dict[str, LeadImage]
    cards: dict[str, str]
    finders: dict[int, RelatedFinder]  # by the position of the article whose page is planned


@dataclass(frozen=True, slots=True)
class Addition:
    """What adding articles changes: the pages with their keys, the remembered site after it and
    the clock window of the new output."""

    pages: list[PlannedPage]
    facts: SiteFacts
    window: ClockWindow


class RememberedSite(RememberedOrder):
    """The pages an edit or an addition changes, planned from the remembered order."""

    def plan_edits(self, new_items: dict[str, RenderedArticle], content_dir: Path) -> list[PlannedPage] | None:
        """The pages (with their keys) that new versions of published articles change, planned
        from the remembered site; None when an edit moves an article or any page involved has a
        lead picture. An edit to the text changes only the article's own page (and the feeds
        that carry it); an edit to what its card shows (headline, summary, lead, author,
        language) also changes the rails, related lists, listing pages, 404 page and news
        sitemap that show it."""
        placed = self._place_edits(new_items)
        if placed is None:
            return None
        pages = set(placed)
        listings: dict[tuple[str, int], ListingAt] = {}
        card_edits = [index for index, card_changed in placed.items() if card_changed]
        for index in card_edits:
            pages |= self._showing_card(index)
            for listing in self._listing_pages(index):
                listings[(listing.prefix, listing.number)] = listing
        news = self._news_positions() if card_edits else []
        if news is None:
            return None
        return self._plan_pages(
            new_items, content_dir, pages=pages, listings=listings, news=news,
            not_found=any(index < self._config.latest_count for index in card_edits),
            news_sitemap=any(index in news for index in card_edits), sitemap_from=None,
        )

    def own_pages(self, new_items: dict[str, RenderedArticle], content_dir: Path) -> list[PlannedPage] | None:
        """The pages of the changed articles alone, exactly as plan_edits or plan_additions plans
        them (for publishing them first); None when those would give None for the articles'
        own reasons, or when some of the articles are new and some are not."""
        if all(shown in self._position for shown in new_items):
            placed = self._place_edits(new_items)
            site: RememberedSite | None = self
        elif not any(shown in self._position for shown in new_items):
            added = self._with_additions(new_items, content_dir)
            site = added[0] if added is not None else None
            placed = {site._position[shown]: True for shown in new_items} if site is not None else None
        else:
            return None
        if site is None or placed is None:
            return None
        gathered = site._gather(new_items, content_dir, pages=set(placed), listings={}, wanted=set())
        return site._article_pages(set(placed), gathered) if gathered is not None else None

    def _place_edits(self, new_items: dict[str, RenderedArticle]) -> dict[int, bool] | None:
        """The positions of the edited articles, each with whether its card changed; None when
        one is not in the site, an edit moves it, or its body showed pictures before."""
        positions = {shown: self._position.get(shown) for shown in new_items}
        old = self._partials(list(new_items)) if None not in positions.values() else None
        if old is None:
            return None
        placed: dict[int, bool] = {}
        for shown, item in new_items.items():
            index = positions[shown]
            assert index is not None
            if not same_place(old[shown], item) or old[shown].pictures:
                return None  # moved, or the pictures its body showed may be left behind
            placed[index] = not same_elsewhere(old[shown], item)
        return placed

    def _with_additions(
        self, new_items: dict[str, RenderedArticle], content_dir: Path
    ) -> tuple[RememberedSite, dict[str, OrderRow]] | None:
        """The remembered site with the new articles in their places, and their rows; None when
        one is not published now (a draft, or scheduled), would start a section, claims a URL in
        use or has a lead picture."""
        config = self._config
        nav = {entry.key for entry in self._nav}
        reserved = RESERVED_SLUGS | nav | {section_key(section.name) for section in config.sections}
        rows: dict[str, OrderRow] = {}
        for shown, item in sorted(new_items.items(), key=lambda pair: sort_key(pair[1])):
            article = item.article
            key = section_key(section_of(article.category, config).name)
            if not is_published(item, now=self._now, include_drafts=False) or key not in nav or article.slug in reserved or has_picture(item, content_dir):
                return None
            reserved |= {article.slug}
            rows[shown] = OrderRow.of(item, key)
        used = self._state.read_outputs_of([row.url + "index.html" for row in rows.values()])
        if any(shown != used[row.url + "index.html"].source for shown, row in rows.items() if row.url + "index.html" in used):
            return None  # a URL in use, by a published article or the last good page of a failed one
        known: dict[str, RenderedArticle] = dict(new_items)
        order = list(self._rows)
        for shown, row in rows.items():
            at = self._insertion_point(order, sort_key(new_items[shown]), known)
            if at is None:
                return None
            order.insert(at, row)
        site = RememberedSite(replace(self._facts, order=order), config=config, state=self._state, now=self._now, fresh=new_items)
        return site, rows

    def plan_additions(self, new_items: dict[str, RenderedArticle], content_dir: Path, window: ClockWindow) -> Addition | None:
        """The pages (with their keys) that adding new articles changes, and the remembered site
        and clock window after it; None when an article is not published now (a draft, or
        scheduled), would start a section, claims a URL in use or has a lead picture. The new
        articles' pages, the rails and related lists that show them, the listing pages whose
        stories or links change (paging keeps the older archive pages as they were), the feeds,
        the 404 page and the news sitemap when they show them, and the sitemap."""
        config = self._config
        added = self._with_additions(new_items, content_dir)
        if added is None:
            return None
        site, rows = added
        pages: set[int] = set()
        listings: dict[tuple[str, int], ListingAt] = {}
        for shown in rows:
            index = site._position[shown]
            pages |= {index, *site._showing_card(index)}
        for key, label in [("", ""), *((entry.key, entry.label) for entry in self._nav if any(row.section == entry.key for row in rows.values()))]:
            before = self._order if not key else [self._order[i] for i in self._members[key]]
            members = list(range(len(site._order))) if not key else site._members[key]
            prefix, template, extra = section_listing(key, label) if key else front_listing()
            for number in changed_listing_pages(before, [site._order[i] for i in members], config.per_page):
                listings[(prefix, number)] = ListingAt(prefix, template, extra, members, number)
        news = site._news_positions()
        if news is None:
            return None
        indexes = [site._position[shown] for shown in rows]
        planned = site._plan_pages(
            new_items, content_dir, pages=pages, listings=listings, news=news,
            not_found=any(index < config.latest_count for index in indexes),
            news_sitemap=any(index in news for index in indexes),
            sitemap_from=min(len(site._order) - 1 - index for index in indexes),
        )
        if planned is None:
            return None
        published = window.with_published([item.article.date for item in new_items.values()], config, now=self._now)
        return Addition(planned, site._facts, published)

    def _plan_pages(
        self,
        new_items: dict[str, RenderedArticle],
        content_dir: Path,
        *,
        pages: set[int],
        listings: dict[tuple[str, int], ListingAt],
        news: list[int],
        not_found: bool,
        news_sitemap: bool,
        sitemap_from: int | None,
    ) -> list[PlannedPage] | None:
        """The article pages at `pages`, the listing pages, the feeds that carry a new item and,
        as asked, the 404 page, the news sitemap (of the articles at `news`) and the sitemap parts
        from the one holding article entry `sitemap_from` (counted from the oldest) on,
        each with its key; pages planned whole only when their keys changed. None when a record
        is missing from the cache or a page involved has a lead picture."""
        count = self._config.latest_count
        wanted: set[int] = set(news)
        if not_found:
            wanted.update(range(min(count, len(self._order))))
        gathered = self._gather(new_items, content_dir, pages=pages, listings=listings, wanted=wanted)
        if gathered is None:
            return None
        found = gathered.found
        planned = self._article_pages(pages, gathered)
        planned += [self._listing_page(listing, gathered) for _, listing in sorted(listings.items())]
        whole: list[PagePlan] = []
        if not_found:
            whole.append(plan_not_found_page(self._site(tuple(found[self._order[i]] for i in range(min(count, len(self._order)))), {}), self._config))
        if news_sitemap:
            whole += plan_news_sitemap_pages(self._site(tuple(found[self._order[i]] for i in news), {}), self._config)
        if sitemap_from is not None:
            whole += self._plan_sitemap(sitemap_from)
        feeds = self.plan_feeds(new_items)
        if feeds is None:
            return None
        return planned + self._changed(whole) + feeds

    def _gather(
        self, new_items: dict[str, RenderedArticle], content_dir: Path, *, pages: set[int], listings: dict[tuple[str, int], ListingAt], wanted: set[int]
    ) -> _Gathered | None:
        """What the article pages at `pages` and the listing pages show, read from the build
        cache with the articles at `wanted`; None when a record is missing, a page's body shows
        pictures or a lead picture is not the one the last full build made."""
        wanted = set(wanted)
        for index in pages:
            window, _ = self._window(index)
            wanted.update(self._rail(index), window, (index,))
        for listing in listings.values():
            page = listing_page(len(listing.members), self._config.per_page, listing.number)
            wanted.update(listing.members[page.start : page.stop])
        paths = [self._order[index] for index in sorted(wanted)]
        found = self._partials([path for path in paths if path not in new_items])
        if found is None:
            return None
        found.update(new_items)
        # The pictures in a body are made by the full build; lead pictures are found and their variants reused.
        if any(found[self._order[index]].pictures for index in pages):
            return None
        fronts = [found[self._order[at.members[0]]] for at in listings.values() if at.number == FRONT and at.members]
        lead = self._lead_images([*(found[self._order[index]] for index in pages), *fronts], content_dir)
        wholes = self._wholes([self._order[index] for index in pages if self._order[index] not in new_items])
        if lead is None or wholes is None:
            return None
        wholes.update(new_items)
        cards = {path: card_digest(item) for path, item in found.items()}
        return _Gathered(found, wholes, lead, cards, self._related_finders(pages, found))

    def _article_pages(self, pages: set[int], gathered: _Gathered) -> list[PlannedPage]:
        return [self._article_page(index, gathered) for index in sorted(pages)]

    def _plan_sitemap(self, first: int) -> list[PagePlan]:
        """sitemap.xml of the remembered site (sitemap.sitemap_entries): the index and the parts
        from the one holding entry `first` (articles count from the oldest) on."""
        config, rows = self._config, self._rows
        moments = [datetime.fromisoformat(row.modified) for row in rows]
        listings = [("", moments), *((section_url(entry.key), [moments[i] for i in self._members[entry.key]]) for entry in self._nav)]
        listed = listing_entries(listings, config)
        total, limit = len(rows) + len(listed), sitemap.SITEMAP_LIMIT
        offset = first // limit * limit if total > limit else 0
        articles = article_entries([(rows[i].url, moments[i]) for i in range(len(rows) - 1 - offset, -1, -1)], config)
        return sitemap.plan_sitemap(articles + listed, config, offset=offset, total=total)

    def _lead_images(self, items: Sequence[RenderedArticle], content_dir: Path) -> dict[str, LeadImage] | None:
        """The lead pictures of these articles, from the variants the last full build made; None
        when one cannot be read or its variants are not the ones on disk."""
        found, outputs, errors = load_lead_images(content_dir, self._site(tuple(items), {}), self._state, listed=False)
        recorded = self._state.read_outputs_of(list(outputs))
        if errors or any(path not in recorded or recorded[path].digest != record.digest for path, record in outputs.items()):
            return None
        return found

    def _related_finders(self, pages: set[int], found: dict[str, RenderedArticle]) -> dict[int, RelatedFinder]:
        """A related-article finder for each article page at `pages`: one per run of its section
        where their windows overlap (so each article's key terms are worked out once, and each
        window is the one it has in the whole section)."""
        windows: dict[str, list[tuple[int, int, int]]] = {}
        for index in pages:
            key = self._rows[index].section
            start, stop = window_span(bisect.bisect_left(self._members[key], index))
            windows.setdefault(key, []).append((start, min(stop, len(self._members[key])), index))
        finders: dict[int, RelatedFinder] = {}
        for key, spans in windows.items():
            spans.sort()
            run: list[tuple[int, int, int]] = []
            for span in [*spans, (len(self._members[key]) + 1, 0, -1)]:
                if run and span[0] > max(stop for _, stop, _ in run):
                    start, stop = run[0][0], max(stop for _, stop, _ in run)
                    articles = tuple(found[self._order[i]] for i in self._members[key][start:stop])
                    finder = RelatedFinder(self._site((), {key: articles}))
                    finders.update((index, finder) for _, _, index in run)
                    run = []
                run.append(span)
        return finders

    def _article_page(self, index: int, gathered: _Gathered) -> PlannedPage:
        """An article's page and key, from what was gathered for it."""
        shown = self._order[index]
        found, item, lead, cards = gathered.found, gathered.wholes[shown], gathered.lead, gathered.cards
        window_positions, offset = self._window(index)
        window = tuple(found[self._order[i]] for i in window_positions)
        rail_positions = self._rail(index)
        rail = tuple(found[self._order[i]] for i in rail_positions)
        path = article_url(item) + "index.html"
        key = article_page_key(
            self._salt, path, record_digest(item), pictures_digest(lead.get(shown), None), (cards[self._order[i]] for i in rail_positions),
            offset, (cards[self._order[i]] for i in window_positions),
        )
        config = self._config

        def plan() -> PagePlan:
            site = self._site((item, *rail), {self._rows[index].section: window})
            related = gathered.finders[index].related(shown)
            context = article_context(site, config, item, rail=rail, related=related, cards=lambda other: article_card(other, config), images=lead)
            return PagePlan(path, "article.html", context, source=shown)

        return PlannedPage(path, key, shown, plan)

    def _listing_page(self, listing: ListingAt, gathered: _Gathered) -> PlannedPage:
        """A page of the front page or of a section, and its key (SitePlanner._listing_specs)."""
        found, lead, cards = gathered.found, gathered.lead, gathered.cards
        prefix, template, extra, members, number = listing.prefix, listing.template, listing.extra, listing.members, listing.number
        page = listing_page(len(members), self._config.per_page, number)
        chunk = tuple(found[self._order[i]] for i in members[page.start : page.stop])
        edition_date = format_edition_date(self._now.astimezone(self._config.tz), self._config.language)
        head = listing_head(self._salt, template, prefix, extra, edition_date)
        image = lead_digest(lead.get(chunk[0].article.source_path)) if chunk and number == FRONT else ""
        key = listing_page_key(head, page, image, (cards[self._order[i]] for i in members[page.start : page.stop]))
        path = page_path(prefix, number)
        config = self._config

        def plan() -> PagePlan:
            context = listing_context(
                self._site(chunk, {}), config, path=path, prefix=prefix, items=chunk, page=page, extra=extra,
                cards=lambda item: article_card(item, config), images=lead,
            )
            return PagePlan(path, template, context)

        return PlannedPage(path, key, "", plan)

    def _changed(self, plans: list[PagePlan]) -> list[PlannedPage]:
        """The pages planned whole whose keys differ from the manifest's."""
        pages = [PlannedPage.whole(plan, self._salt) for plan in plans]
        recorded = self._state.read_outputs_of([page.path for page in pages])
        return [page for page in pages if page.path not in recorded or recorded[page.path].digest != page.key]

    def plan_feeds(self, new_items: dict[str, RenderedArticle]) -> list[PlannedPage] | None:
        """The feeds that carry any of the new versions, with their keys (feeds show full text)."""
        count = self._config.feed_items
        site_paths = self._order[:count]
        section_paths = {key: [self._order[i] for i in members[:count]] for key, members in self._members.items()}
        shown = {*site_paths, *(path for paths in section_paths.values() for path in paths)}
        if not shown & new_items.keys():
            return []
        found = self._wholes(sorted(shown - new_items.keys()))
        if found is None or any(item.pictures for item in found.values()):
            return None  # feeds draw the pictures in a body from the files the full build makes
        found.update(new_items)
        site = self._site(
            tuple(found[path] for path in site_paths), {key: tuple(found[path] for path in paths) for key, paths in section_paths.items()}
        )
        return self._changed(plan_feed_pages(site, self._config))
