"""Site -> page plans for sitemap.xml, the Google News sitemap and robots.txt.

sitemap.xml lists every page with the date it last changed: an article's update (or
publication) time, a listing's newest article. news-sitemap.xml lists only the articles
published in the config.news_sitemap_hours before the build clock. A file holds at most
a fixed number of URLs; beyond that the name becomes a sitemap index of numbered parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flashnews.config import SiteConfig
from flashnews.compose.feeds import modified_at, rfc3339, xml_text
from flashnews.model import Site
from flashnews.compose.paging import listing_pages, page_url
from flashnews.compose.render import Context, PagePlan, absolute_url
from flashnews.compose.site import article_url, section_url

SITEMAP_LIMIT = 50_000
NEWS_SITEMAP_LIMIT = 1_000


def _listing_entries(prefix: str, moments: Sequence[datetime], per_page: int) -> list[tuple[str, datetime | None]]:
    return [(page_url(prefix, page.number), max(moments[page.start : page.stop], default=None)) for page in listing_pages(len(moments), per_page)]


def listing_entries(listings: Sequence[tuple[str, Sequence[datetime]]], config: SiteConfig) -> list[Context]:
    """Sitemap entries of the front and section pages. listings: each listing's URL prefix and
    its articles' last changes, newest first."""
    return _entries([entry for prefix, moments in listings for entry in _listing_entries(prefix, moments, config.per_page)], config)


def article_entries(articles: Sequence[tuple[str, datetime]], config: SiteConfig) -> list[Context]:
    """Sitemap entries of articles: each one's URL and last change."""
    return _entries(articles, config)


def _entries(pages: Sequence[tuple[str, datetime | None]], config: SiteConfig) -> list[Context]:
    return [
        {"url": xml_text(absolute_url(config, path)), "lastmod": rfc3339(moment, config) if moment else ""}
        for path, moment in pages
    ]


def sitemap_entries(site: Site, config: SiteConfig) -> list[Context]:
    """Every page a reader can reach, with its absolute URL and last change: the articles from the
    oldest, then the front and section pages. In that order a new story changes only the last
    part of a split sitemap, and a back-dated one the parts from its place on."""
    moments = {id(item): modified_at(item) for item in site.articles}
    listings = [("", [moments[id(item)] for item in site.articles])]
    listings += [(section_url(s.key), [moments[id(item)] for item in s.articles]) for s in site.sections]
    oldest_first = [(article_url(item), moments[id(item)]) for item in reversed(site.articles)]
    return article_entries(oldest_first, config) + listing_entries(listings, config)


def _news_language(tag: str) -> str:
    # Google News takes ISO 639 codes, and region tags only for Chinese (zh-cn, zh-tw).
    tag = tag.lower()
    return tag if tag.startswith("zh-") else tag.split("-")[0]


def news_entries(site: Site, config: SiteConfig) -> list[Context]:
    """The articles published within config.news_sitemap_hours before the build clock, newest first."""
    since = site.built_at - timedelta(hours=config.news_sitemap_hours)
    return [
        {
            "url": xml_text(absolute_url(config, article_url(item))),
            "title": xml_text(item.article.title),
            "language": _news_language(item.article.lang or config.language),
            "published": rfc3339(item.article.date, config),
        }
        for item in site.articles
        if since <= item.article.date <= site.built_at
    ]


def _plan_split(
    *, name: str, template: str, entries: list[Context], limit: int, extra: Context, config: SiteConfig, offset: int = 0, total: int | None = None
) -> list[PagePlan]:
    """One file when the entries fit, else <name>.xml as an index of <name>-1.xml, <name>-2.xml, ...
    With offset (a multiple of limit) and total, entries are those from offset on of total in
    all, and only the index and the parts that hold them are planned."""
    total = offset + len(entries) if total is None else total
    if total <= limit:
        return [PagePlan(f"{name}.xml", template, {**extra, "entries": entries})]
    starts = range(0, total, limit)
    parts = [
        PagePlan(f"{name}-{number}.xml", template, {**extra, "entries": entries[start - offset : start - offset + limit]})
        for number, start in enumerate(starts, 1)
        if start >= offset
    ]
    index = [{"url": xml_text(absolute_url(config, f"{name}-{number}.xml"))} for number in range(1, len(starts) + 1)]
    return [PagePlan(f"{name}.xml", "sitemap-index.xml", {"sitemaps": index}), *parts]


def plan_news_sitemap_pages(site: Site, config: SiteConfig) -> list[PagePlan]:
    """news-sitemap.xml, split beyond 1,000 URLs; it lists only the articles of news_entries."""
    return _plan_split(
        name="news-sitemap",
        template="news-sitemap.xml",
        entries=news_entries(site, config),
        limit=NEWS_SITEMAP_LIMIT,
        extra={"publication": {"name": xml_text(config.title)}},
        config=config,
    )


def plan_sitemap(entries: list[Context], config: SiteConfig, *, offset: int = 0, total: int | None = None) -> list[PagePlan]:
    """sitemap.xml of these entries, split beyond SITEMAP_LIMIT URLs; with offset and total, only
    the index and the parts from offset on (see _plan_split)."""
    return _plan_split(
        name="sitemap", template="sitemap.xml", entries=entries, limit=SITEMAP_LIMIT, extra={}, config=config, offset=offset, total=total
    )


def plan_sitemap_pages(site: Site, config: SiteConfig) -> list[PagePlan]:
    """sitemap.xml, news-sitemap.xml (split beyond 1,000 URLs) and robots.txt naming both."""
    plans = plan_sitemap(sitemap_entries(site, config), config)
    plans += plan_news_sitemap_pages(site, config)
    robots = {"sitemaps": [absolute_url(config, "sitemap.xml"), absolute_url(config, "news-sitemap.xml")]}
    plans.append(PagePlan("robots.txt", "robots.txt", robots))
    return plans
