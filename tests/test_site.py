"""Rendered articles -> Site: publishing rules, order, sections and URL clashes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flashnews.config import SectionConfig, SiteConfig
from flashnews.model import Article, RenderedArticle
from flashnews.compose.site import collect_site

ZONE = ZoneInfo("Europe/Tirane")
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=ZONE)
CONFIG = SiteConfig(sections=(SectionConfig("Bota", "World", ("World",)), SectionConfig("Sport")))


def item(name: str, *, hours_ago: float = 1, category: str = "Bota", draft: bool = False, slug: str | None = None) -> RenderedArticle:
    article = Article(
        source_path=f"content/{name}.md",
        title=name.title(),
        date=NOW - timedelta(hours=hours_ago),
        category=category,
        slug=slug or name,
        body="x",
        draft=draft,
    )
    return RenderedArticle(article, "<p>x</p>", "x", 1, 1)


def slugs(items) -> list[str]:
    return [i.article.slug for i in items]


def test_articles_are_ordered_newest_first():
    site, _ = collect_site([item("old", hours_ago=5), item("new", hours_ago=1), item("mid", hours_ago=3)], now=NOW, config=CONFIG)
    assert slugs(site.articles) == ["new", "mid", "old"]


def test_equal_dates_are_ordered_by_source_path_whatever_the_input_order():
    a, b = item("b-story"), item("a-story")
    first, _ = collect_site([a, b], now=NOW, config=CONFIG)
    second, _ = collect_site([b, a], now=NOW, config=CONFIG)
    assert slugs(first.articles) == slugs(second.articles) == ["a-story", "b-story"]


def test_future_articles_wait_and_the_next_publication_is_reported():
    site, _ = collect_site([item("now"), item("later", hours_ago=-2), item("latest", hours_ago=-5)], now=NOW, config=CONFIG)
    assert slugs(site.articles) == ["now"]
    assert site.next_scheduled_at == NOW + timedelta(hours=2)
    assert site.held_back == 2


def test_drafts_are_left_out_unless_asked_for():
    without, _ = collect_site([item("draft", draft=True)], now=NOW, config=CONFIG)
    with_drafts, _ = collect_site([item("draft", draft=True)], now=NOW, config=CONFIG, include_drafts=True)
    assert slugs(without.articles) == [] and slugs(with_drafts.articles) == ["draft"]
    assert without.next_scheduled_at is None


def test_aliases_group_into_the_configured_section_in_configured_order():
    site, _ = collect_site([item("a", category="Sport"), item("b", category="World"), item("c", category="Misc")], now=NOW, config=CONFIG)
    assert [(s.key, s.label, slugs(s.articles)) for s in site.sections] == [
        ("bota", "World", ["b"]),
        ("sport", "Sport", ["a"]),
        ("misc", "Misc", ["c"]),
    ]


def test_two_articles_with_one_slug_keep_the_first_and_report_the_second_naming_both():
    site, errors = collect_site([item("b", slug="same"), item("a", slug="same")], now=NOW, config=CONFIG)
    assert [i.article.source_path for i in site.articles] == ["content/a.md"]
    assert len(errors) == 1
    assert str(errors[0]) == "content/b.md:1: URL /same/ is already claimed by content/a.md; give one of them another slug"


def test_an_article_cannot_take_a_section_or_reserved_url():
    site, errors = collect_site([item("x", slug="sport"), item("y", slug="page")], now=NOW, config=CONFIG)
    assert site.articles == ()
    assert sorted(e.location.path for e in errors) == ["content/x.md", "content/y.md"]
