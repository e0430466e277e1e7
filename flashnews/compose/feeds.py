"""Site -> page plans for the RSS 2.0 and Atom feeds of the whole site and of each section.

The entries are chosen and formatted here; templates/rss.xml and templates/atom.xml only lay
them out. A feed's own date is its newest entry's, never the build clock, so a build over
unchanged content writes byte-identical feeds.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime, timezone
from email.utils import format_datetime

from flashnews.config import SiteConfig
from flashnews.model import RenderedArticle, Site
from flashnews.compose.render import Context, PagePlan, absolute_url
from flashnews.compose.site import article_url, section_url

# Atom requires a feed date; an empty feed gets a fixed one so it stays byte-stable.
_EMPTY_FEED_AT = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Text with the characters XML 1.0 cannot hold (controls, lone surrogates, U+FFFE/F) removed."""
    return _NOT_XML.sub("", text)


def rfc3339(moment: datetime, config: SiteConfig) -> str:
    """An Atom / sitemap date: site-local time with its offset, to the second."""
    return moment.astimezone(config.tz).isoformat(timespec="seconds")


def rfc822(moment: datetime, config: SiteConfig) -> str:
    """An RSS date such as 'Fri, 27 Nov 2026 23:00:00 +0100', in English whatever the locale."""
    return format_datetime(moment.astimezone(config.tz).replace(microsecond=0))


def modified_at(item: RenderedArticle) -> datetime:
    """When an article last changed: its update time, else its publication time."""
    updated = item.article.updated
    return updated if updated is not None and updated > item.article.date else item.article.date


def is_permalink(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def feed_entry(item: RenderedArticle, config: SiteConfig, *, section_label: str) -> Context:
    """What a feed shows of one article; its id is the absolute article URL, stable across builds."""
    article = item.article
    url = absolute_url(config, article_url(item))
    return {
        "id": xml_text(url),
        "url": xml_text(url),
        "is_permalink": is_permalink(url),
        "title": xml_text(article.title),
        "summary": xml_text(item.lead),
        # RSS <description> holds HTML, so the plain-text lead is escaped once for HTML here and
        # once more for XML by the template: a reader shows "<script>" in a lead as text.
        "summary_html": xml_text(html.escape(item.lead, quote=False)),
        "content_html": xml_text(item.body_html),
        "author": xml_text(article.author),
        "category": xml_text(section_label),
        "lang": article.lang or config.language,
        "published_rfc822": rfc822(article.date, config),
        "published_rfc3339": rfc3339(article.date, config),
        "updated_rfc3339": rfc3339(modified_at(item), config),
    }


def _plan_feed_pair(
    *, items: Sequence[RenderedArticle], config: SiteConfig, labels: dict[str, str], title: str, page_path: str, prefix: str
) -> list[PagePlan]:
    chosen = items[: config.feed_items]
    newest = max((modified_at(item) for item in chosen), default=_EMPTY_FEED_AT)
    common = {
        "title": xml_text(title),
        "description": xml_text(config.description),
        "language": config.language,
        "page_url": xml_text(absolute_url(config, page_path)),
        "rss_url": xml_text(absolute_url(config, f"{prefix}rss.xml")),
        "atom_url": xml_text(absolute_url(config, f"{prefix}atom.xml")),
        "updated_rfc822": rfc822(newest, config) if chosen else "",
        "updated_rfc3339": rfc3339(newest, config),
        "entries": [feed_entry(item, config, section_label=labels[item.article.slug]) for item in chosen],
    }
    return [
        PagePlan(f"{prefix}rss.xml", "rss.xml", {**common, "self_url": common["rss_url"]}),
        PagePlan(f"{prefix}atom.xml", "atom.xml", {**common, "self_url": common["atom_url"]}),
    ]


def plan_feed_pages(site: Site, config: SiteConfig) -> list[PagePlan]:
    """feeds/rss.xml and feeds/atom.xml for the site, <section>/rss.xml and atom.xml per section,
    each with the newest config.feed_items published articles."""
    labels = {item.article.slug: section.label for section in site.sections for item in section.articles}
    plans = _plan_feed_pair(items=site.articles, config=config, labels=labels, title=config.title, page_path="", prefix="feeds/")
    for section in site.sections:
        plans += _plan_feed_pair(
            items=section.articles,
            config=config,
            labels=labels,
            title=f"{section.label} — {config.title}",
            page_path=section_url(section.key),
            prefix=section_url(section.key),
        )
    return plans
