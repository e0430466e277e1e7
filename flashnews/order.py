"""The order a clean full build remembers of its site: every article's place (OrderRow), the
navigation, the page-key salt and the fingerprint of the build's inputs other than content/.

A build of an edit or a new story (inplace, remembered) places the changed articles in it
without reading every source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import orjson

from flashnews.feeds import modified_at
from flashnews.model import RenderedArticle, Site
from flashnews.site import article_url
from flashnews.state import BuildState, tree_json

# The build-cache entry every clean full build writes (remember_site).
SITE_KEY = "inplace\0site"


@dataclass(frozen=True, slots=True)
class OrderRow:
    """What the remembered order holds of an article: its source, section, URL and last change
    (ISO time; the sitemap's lastmod)."""

    source: str
    section: str
    url: str
    modified: str

    @staticmethod
    def of(item: RenderedArticle, section: str) -> OrderRow:
        return OrderRow(item.article.source_path, section, article_url(item), modified_at(item).isoformat())


@dataclass(frozen=True, slots=True)
class NavEntry:
    """A section of the navigation: its key, the name editors write and the label readers see."""

    key: str
    name: str
    label: str


@dataclass(frozen=True, slots=True)
class SiteFacts:
    """What remember_site records of a clean full build."""

    base: str  # the fingerprint of its inputs other than content/
    salt: str  # its page-key salt
    nav: tuple[NavEntry, ...]
    order: list[OrderRow]  # newest first

    def encode(self) -> bytes:
        payload = {
            "base": self.base,
            "salt": self.salt,
            "nav": [[e.key, e.name, e.label] for e in self.nav],
            "order": [[r.source, r.section, r.url, r.modified] for r in self.order],
        }
        return tree_json(payload)

    @staticmethod
    def decode(data: bytes) -> SiteFacts:
        payload = from_json(data)
        return SiteFacts(
            payload["base"], payload["salt"], tuple(NavEntry(*entry) for entry in payload["nav"]), [OrderRow(*row) for row in payload["order"]]
        )


def from_json(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)  # tree_json's escaped lone surrogates


def remember_site(state: BuildState, *, base: str, salt: str, site: Site) -> SiteFacts:
    """Record what a later build of an edit or a new story needs of this clean full build."""
    sections = {item.article.source_path: section.key for section in site.sections for item in section.articles}
    facts = SiteFacts(
        base, salt, tuple(NavEntry(s.key, s.name, s.label) for s in site.sections),
        [OrderRow.of(item, sections[item.article.source_path]) for item in site.articles],
    )
    state.put_many({SITE_KEY: facts.encode()})
    return facts


def read_site_facts(state: BuildState) -> SiteFacts | None:
    found = state.get_many([SITE_KEY]).get(SITE_KEY)
    return SiteFacts.decode(found) if found is not None else None


