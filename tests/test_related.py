"""Related articles: same section, shared key terms, bounded to nearby articles."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flashnews.config import SiteConfig
from flashnews.model import Article, RenderedArticle
from flashnews.compose.related import RelatedFinder, key_terms
from flashnews.compose.site import collect_site

START = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)


def _related(site, **options):  # type: ignore[no-untyped-def]
    finder = RelatedFinder(site, **options)
    return {item.article.source_path: finder.related(item.article.source_path) for section in site.sections for item in section.articles}


def item(slug: str, title: str, *, section: str = "Sport", hours: int = 0, lead: str = "") -> RenderedArticle:
    article = Article(source_path=f"content/{slug}.md", title=title, date=START - timedelta(hours=hours), category=section, slug=slug, body="x")
    return RenderedArticle(article, "<p>x</p>", lead, 1, 1)


def related_slugs(*items: RenderedArticle, **options: int) -> dict[str, list[str]]:
    site, _ = collect_site(items, now=START, config=SiteConfig())
    return {path.removeprefix("content/").removesuffix(".md"): [r.article.slug for r in found] for path, found in _related(site, **options).items()}


def test_articles_of_a_section_that_share_key_terms_are_related():
    found = related_slugs(
        item("derby", "Partizani beat Tirana in the capital derby", hours=1),
        item("derby-fans", "Derby fans fill the stadium in Tirana", hours=2),
        item("tennis", "Swiatek wins in Doha", hours=3),
    )
    assert found["derby"] == ["derby-fans"]
    assert found["derby-fans"] == ["derby"]
    assert found["tennis"] == []


def test_articles_of_other_sections_are_never_related():
    found = related_slugs(
        item("budget", "Parliament passes the Tirana budget", section="Politics", hours=1),
        item("marathon", "Tirana marathon breaks its record", section="Sport", hours=2),
    )
    assert found == {"budget": [], "marathon": []}


def test_more_shared_terms_rank_first_then_the_nearest_in_time():
    found = related_slugs(
        item("a", "Snow closes mountain roads in Kukës", hours=1),
        item("b", "Mountain roads reopen", hours=2),
        item("c", "Snow closes mountain roads again in Kukës", hours=3),
        item("d", "Mountain villages wait", hours=4),
    )
    assert found["a"] == ["c", "b", "d"]


def test_only_articles_within_the_window_are_candidates():
    items = [item(f"n{i}", f"Story {i} about flooding", hours=i) for i in range(6)]
    found = related_slugs(*items, window=2, count=10)
    assert found["n0"] == ["n1", "n2"]
    assert found["n3"] == ["n2", "n4", "n1", "n5"]


def test_related_lists_are_capped_at_count():
    items = [item(f"n{i}", f"Election results in Durrës, part {i}", hours=i) for i in range(10)]
    assert all(len(slugs) == 4 for slugs in related_slugs(*items).values())


def test_key_terms_fold_accents_and_endings_and_drop_stop_words():
    assert key_terms("Maratona e Tiranës", "") == key_terms("maratona tirana", "")
    assert key_terms("What they said about this", "") == frozenset()
    assert key_terms("Budget 2025 vote", "") == {"budge", "vote"}
