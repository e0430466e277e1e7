"""RenderedArticle -> the search and social metadata of its page: OpenGraph, Twitter card, NewsArticle JSON-LD."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flashnews.config import SiteConfig
from flashnews.model import RenderedArticle

Context = dict[str, Any]


def _absolute_url(config: SiteConfig, path: str) -> str:
    # The rule of render.absolute_url; render imports this module, so it cannot be imported here.
    return config.base_url.rstrip("/") + "/" + path


def _timestamp(moment: datetime, config: SiteConfig) -> str:
    return moment.astimezone(config.tz).isoformat(timespec="seconds")


def article_seo(
    item: RenderedArticle, config: SiteConfig, *, url: str, section_label: str, image: Context | None = None
) -> Context:
    """What the head of an article page tells search engines and social networks; `url` is its
    canonical URL and `image` its lead picture as images.image_context gives it, if it has one.

    The JSON-LD is a plain mapping; the template serializes it with |tojson, which escapes
    <, >, &, ' and every non-ASCII character, so no headline can close the script element.
    """
    article = item.article
    description = item.lead or config.description
    published = _timestamp(article.date, config)
    updated = article.updated if article.updated and article.updated > article.date else article.date
    modified = _timestamp(updated, config)
    language = article.lang or config.language
    home_url = _absolute_url(config, "")
    publisher = {
        "@type": "Organization",
        "name": config.title,
        "url": home_url,
        "logo": {"@type": "ImageObject", "url": _absolute_url(config, config.logo)},
    }
    if article.author:
        author: Context = {"@type": "Person", "name": article.author}
    else:
        author = {"@type": "Organization", "name": config.title, "url": home_url}
    picture = None
    if image:
        picture = {"url": image["url"], "width": image["url_width"], "height": image["url_height"], "alt": image["alt"]}
    json_ld: Context = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": description,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": published,
        "dateModified": modified,
        "author": author,
        "publisher": publisher,
        "articleSection": section_label,
        "inLanguage": language,
    }
    if picture:
        json_ld["image"] = {"@type": "ImageObject", "url": picture["url"], "width": picture["width"], "height": picture["height"]}
    return {
        "description": description,
        "og": {
            "type": "article",
            "title": article.title,
            "url": url,
            "description": description,
            "site_name": config.title,
            "locale": language.replace("-", "_"),
            "published_time": published,
            "modified_time": modified,
            "section": section_label,
        },
        "image": picture,
        "twitter": {"card": "summary", "title": article.title, "description": description},
        "json_ld": json_ld,
    }
