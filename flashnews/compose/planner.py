"""Site -> page specs: every page of the site with a key over what it is made from, and its
context built only on demand.

A page's key is a digest of the digests of its inputs: the article record, the cards it shows,
the related-article window, the lead picture and the pictures in its body, and a salt over templates, config, code and
navigation. Deciding that a page is unchanged therefore costs a few string joins, not building
and hashing its context, and a build that changes one article builds the contexts of the few
pages that show it. Equal keys mean equal bytes.

Front, section and article pages are keyed this way. The handful of other pages (404, search,
feeds, sitemaps) are planned whole and keyed by their context.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

import orjson

from flashnews.ingest import records
from flashnews.config import SiteConfig
from flashnews.compose.feeds import plan_feed_pages
from flashnews.compose.images import BodyImage, LeadImage, place_pictures
from flashnews.model import RenderedArticle, Site
from flashnews.compose.paging import FRONT, ListingPage, listing_pages, page_path
from flashnews.compose.related import RelatedFinder
from flashnews.compose.render import (
    Context,
    PagePlan,
    article_card,
    article_context,
    listing_context,
    plan_not_found_page,
    section_url,
)
from flashnews.compose.i18n import format_edition_date
from flashnews.compose.site import article_url
from flashnews.compose.sitemap import plan_sitemap_pages

ARTICLE = "article"
LISTING = "listing"
WHOLE = "whole"


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One output page: its path, template, key and where the planner finds its inputs."""

    path: str
    template: str
    key: str
    kind: str  # ARTICLE, LISTING or WHOLE
    ref: int  # index into the planner's table of that kind
    source: str = ""


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of the front page or of a section."""

    prefix: str
    template: str
    items: tuple[RenderedArticle, ...]
    page: ListingPage
    extra: Context


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=20).hexdigest()


def card_digest(item: RenderedArticle) -> str:
    """A digest of what other pages show of an article: its card and its related-article terms."""
    a = item.article
    return _digest(a.source_path, a.title, a.slug, a.category, a.date.isoformat(), item.lead, a.author, a.lang)


def record_digest(item: RenderedArticle) -> str:
    """A digest of everything the article's own page shows of it."""
    return item.digest or _digest(records.encode_rendered(item).decode())


def lead_digest(image: LeadImage | None) -> str:
    """What a page's key holds of a lead picture it shows ("" for none)."""
    return repr(image) if image else ""


def pictures_digest(image: LeadImage | None, body: Mapping[str, BodyImage] | None) -> str:
    """What an article page's key holds of its lead picture and the pictures in its body."""
    shown = repr(sorted(body.items())) if body else ""
    return lead_digest(image) + (f"\0{shown}" if shown else "")


def rail_positions(index: int, total: int, count: int) -> list[int]:
    """The positions (in the site's order, newest first) of the rail on the page of the article
    at `index`: the `count` articles published just before it, or the newest when it is among
    the oldest."""
    if index + 1 + count <= total:
        return list(range(index + 1, index + 1 + count))
    return [other for other in range(min(total, count + 1)) if other != index][:count]


def article_page_key(
    salt: str, path: str, record: str, image: str, rail: Iterable[str], offset: int, window: Iterable[str]
) -> str:
    """The key of an article's page: its record and lead picture, the cards of its rail, and the
    card digests of its related-article window with its offset in it (see RelatedFinder.window)."""
    return _digest(salt, path, record, image, *rail, str(offset), "".join(window))


def front_listing() -> tuple[str, str, Context]:
    """The front page's URL prefix, template and extra context."""
    return "", "index.html", {"section": None}


def section_listing(key: str, label: str) -> tuple[str, str, Context]:
    """A section's URL prefix, template and extra context."""
    return section_url(key), "section.html", {"section": {"key": key, "label": label, "url": section_url(key)}}


def listing_head(salt: str, template: str, prefix: str, extra: Context, edition_date: str) -> str:
    """What every page of one listing (the front page, or a section) is keyed from."""
    return _digest(salt, template, prefix, orjson.dumps(extra, option=orjson.OPT_SORT_KEYS).decode(), edition_date)


def listing_page_key(head: str, page: ListingPage, image: str, cards: Iterable[str]) -> str:
    """The key of one page of a listing: its number and neighbours, its lead picture and the
    card digests it shows."""
    return _digest(head, str(page.number), str(page.newer), str(page.older), image, *cards)


def whole_page_key(salt: str, plan: PagePlan) -> str:
    """The key of a page planned whole (feeds, sitemaps, 404): a digest of its context."""
    payload = orjson.dumps(plan.context, option=orjson.OPT_SORT_KEYS)
    return _digest(salt, plan.template, plan.path, hashlib.sha256(payload).hexdigest())


class SitePlanner:
    """Specs and contexts for every page of one site."""

    def __init__(
        self,
        site: Site,
        config: SiteConfig,
        *,
        salt: str = "",
        images: Mapping[str, LeadImage] | None = None,
        pictures: Mapping[str, Mapping[str, BodyImage]] | None = None,
        extra_pages: tuple[PagePlan, ...] = (),
        complete: Callable[[RenderedArticle], RenderedArticle] = lambda item: item,
    ) -> None:
        """complete(item) gives a partial article (records.encode_partial) its body back; images
        are the lead pictures by source path, pictures those the bodies show by source path and src."""
        self.site = site
        self._complete = complete
        self.config = config
        self.images = images or {}
        self.pictures = pictures or {}
        nav = [(s.key, s.label) for s in site.sections]
        self._salt = _digest(salt, config.digest(), repr(nav))
        self._related = RelatedFinder(site)
        self._cards: dict[str, Context] = {}
        self._card_digests = {item.article.source_path: card_digest(item) for item in site.articles}
        self._listings: list[Listing] = []
        self._whole: list[PagePlan] = [
            plan_not_found_page(site, config),
            *extra_pages,
            *plan_feed_pages(_with_feed_bodies(site, config, complete, self.pictures), config),
            *plan_sitemap_pages(site, config),
        ]

    @property
    def salt(self) -> str:
        """What every page key of this planner starts from: code, templates, config, navigation."""
        return self._salt

    def card(self, item: RenderedArticle) -> Context:
        found = self._cards.get(item.article.source_path)
        if found is None:
            found = self._cards[item.article.source_path] = article_card(item, self.config)
        return found

    def _image_digest(self, item: RenderedArticle) -> str:
        return lead_digest(self.images.get(item.article.source_path))

    def _pictures_digest(self, item: RenderedArticle) -> str:
        return pictures_digest(self.images.get(item.article.source_path), self.pictures.get(item.article.source_path))

    def _rail(self, index: int) -> tuple[RenderedArticle, ...]:
        articles = self.site.articles
        return tuple(articles[i] for i in rail_positions(index, len(articles), self.config.latest_count))

    def specs(self) -> list[PageSpec]:
        """Every page, in a fixed order: front, sections, articles, then the others."""
        found = [*self._listing_specs(*front_listing(), self.site.articles)]
        for section in self.site.sections:
            found += self._listing_specs(*section_listing(section.key, section.label), section.articles)
        found += self._article_specs()
        for ref, plan in enumerate(self._whole):
            found.append(PageSpec(plan.path, plan.template, whole_page_key(self._salt, plan), WHOLE, ref, plan.source))
        return found

    def _listing_specs(self, prefix: str, template: str, extra: Context, items: tuple[RenderedArticle, ...]) -> list[PageSpec]:
        head = listing_head(self._salt, template, prefix, extra, self.edition_date)
        found = []
        for page in listing_pages(len(items), self.config.per_page):
            chunk = items[page.start : page.stop]
            image = self._image_digest(chunk[0]) if chunk and page.number == FRONT else ""
            key = listing_page_key(head, page, image, (self._card_digests[i.article.source_path] for i in chunk))
            self._listings.append(Listing(prefix, template, chunk, page, extra))
            found.append(PageSpec(page_path(prefix, page.number), template, key, LISTING, len(self._listings) - 1))
        return found

    @property
    def edition_date(self) -> str:
        return format_edition_date(self.site.built_at.astimezone(self.config.tz), self.config.language)

    def _article_specs(self) -> list[PageSpec]:
        digests = self._card_digests
        # Each section's card digests in order, so an article's related window is one slice.
        in_section = {
            id(section.articles): [digests[item.article.source_path] for item in section.articles] for section in self.site.sections
        }
        found = []
        for index, item in enumerate(self.site.articles):
            path = article_url(item) + "index.html"
            section, position = self._related.place(item.article.source_path)
            start, stop = self._related.span(position)
            key = article_page_key(
                self._salt,
                path,
                record_digest(item),
                self._pictures_digest(item),
                (digests[other.article.source_path] for other in self._rail(index)),
                position - start,
                in_section[id(section)][start:stop],
            )
            found.append(PageSpec(path, "article.html", key, ARTICLE, index, item.article.source_path))
        return found

    def plan(self, spec: PageSpec) -> PagePlan:
        """The template and context of one spec."""
        if spec.kind == WHOLE:
            return self._whole[spec.ref]
        if spec.kind == LISTING:
            listing = self._listings[spec.ref]
            context = listing_context(
                self.site, self.config, path=spec.path, prefix=listing.prefix, items=listing.items, page=listing.page,
                extra=listing.extra, cards=self.card, images=self.images,
            )
            return PagePlan(spec.path, spec.template, context)
        item = self._complete(self.site.articles[spec.ref])
        context = article_context(
            self.site, self.config, item, rail=self._rail(spec.ref), related=self._related.related(item.article.source_path),
            cards=self.card, images=self.images, pictures=self.pictures.get(item.article.source_path, {}),
        )
        return PagePlan(spec.path, spec.template, context, source=item.article.source_path)


def _with_feed_bodies(
    site: Site, config: SiteConfig, complete: Callable[[RenderedArticle], RenderedArticle], pictures: Mapping[str, Mapping[str, BodyImage]]
) -> Site:
    """The site with the articles its feeds carry made whole (feeds show the full text), their
    pictures drawn from the site's public URL."""
    shown = [*site.articles[: config.feed_items], *(item for s in site.sections for item in s.articles[: config.feed_items])]
    root = config.base_url.rstrip("/") + "/"

    def feed_item(item: RenderedArticle) -> RenderedArticle:
        item = complete(item)
        if not item.pictures:
            return item
        return replace(item, body_html=place_pictures(item, pictures.get(item.article.source_path, {}), root=root))

    whole = {id(item): feed_item(item) for item in shown if item.partial or item.pictures}
    if not whole:
        return site

    def swap(items: tuple[RenderedArticle, ...]) -> tuple[RenderedArticle, ...]:
        return tuple(whole.get(id(item), item) for item in items)

    return replace(site, articles=swap(site.articles), sections=tuple(replace(s, articles=swap(s.articles)) for s in site.sections))
