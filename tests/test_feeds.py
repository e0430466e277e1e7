"""RSS 2.0 and Atom feeds for the site and each section: valid, newest first, stable ids,
dated by their content rather than the build clock, and only what is published."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import pytest

from flashnews.compose.feeds import plan_feed_pages, xml_text
from flashnews.compose.render import create_environment, render_page
from flashnews.compose.site import collect_site
from tests.conftest import REPO
from tests.publishing import BASE_URL, build, rendered, sample_config, set_config, write_article

NOW = "2025-12-05T12:00:00+01:00"
FEEDS = ("feeds/rss.xml", "feeds/atom.xml")


def parse(path: Path) -> feedparser.FeedParserDict:
    feed = feedparser.parse(path.read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


@pytest.fixture
def site(site_dir: Path) -> Path:
    write_article(site_dir, "oldest", date="2025-12-01T08:00:00+01:00", category="Sport", author="Arta Hoxha")
    write_article(site_dir, "middle", date="2025-12-03T08:00:00+01:00", category="Ekonomi", title='Prices & "wages" <rise>')
    write_article(site_dir, "newest", date="2025-12-05T10:00:00+01:00", category="Sport", updated="2025-12-05T11:15:00+01:00")
    return site_dir


@pytest.mark.parametrize("path", FEEDS)
def test_site_feeds_are_well_formed_and_list_articles_newest_first(site, path):
    assert build(site, NOW) == 0
    feed = parse(site / "public" / path)
    assert [entry.link for entry in feed.entries] == [BASE_URL + slug + "/" for slug in ("newest", "middle", "oldest")]
    assert feed.entries[1].title == 'Prices & "wages" <rise>'


def test_rss_guid_and_atom_id_are_the_absolute_article_url(site):
    assert build(site, NOW) == 0
    rss, atom = (parse(site / "public" / path) for path in FEEDS)
    assert [e.id for e in rss.entries] == [e.link for e in rss.entries]
    assert [e.id for e in atom.entries] == [e.link for e in rss.entries]
    guids = ET.parse(site / "public" / "feeds" / "rss.xml").getroot().iter("guid")
    assert all(guid.get("isPermaLink") == "true" for guid in guids)


def test_ids_stay_the_same_when_other_articles_come_and_go(site):
    assert build(site, NOW) == 0
    before = {e.title: e.id for e in parse(site / "public" / "feeds" / "atom.xml").entries}
    write_article(site, "breaking", date="2025-12-05T11:30:00+01:00")
    (site / "content" / "oldest.md").unlink()
    assert build(site, NOW) == 0
    after = {e.title: e.id for e in parse(site / "public" / "feeds" / "atom.xml").entries}
    assert after["Newest"] == before["Newest"] and after["Prices & \"wages\" <rise>"] == before["Prices & \"wages\" <rise>"]
    assert "Oldest" not in after and after["Breaking"] == BASE_URL + "breaking/"


def test_dates_carry_a_time_zone_in_each_format(site):
    assert build(site, NOW) == 0
    root = ET.parse(site / "public" / "feeds" / "rss.xml").getroot()
    published = [parsedate_to_datetime(item.findtext("pubDate")) for item in root.iter("item")]
    assert published[0] == datetime(2025, 12, 5, 9, 0, tzinfo=timezone.utc)
    assert all(moment.tzinfo is not None for moment in published)
    atom = ET.parse(site / "public" / "feeds" / "atom.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = atom.find("a:entry", ns)
    assert entry.findtext("a:published", namespaces=ns) == "2025-12-05T10:00:00+01:00"
    assert entry.findtext("a:updated", namespaces=ns) == "2025-12-05T11:15:00+01:00"


def test_feed_date_is_the_newest_article_not_the_build_clock(site):
    assert build(site, NOW) == 0
    first = {path: (site / "public" / path).read_bytes() for path in FEEDS}
    assert build(site, "2025-12-06T18:00:00+01:00", output="later") == 0
    assert {path: (site / "later" / path).read_bytes() for path in FEEDS} == first
    atom = parse(site / "public" / "feeds" / "atom.xml")
    assert atom.feed.updated == "2025-12-05T11:15:00+01:00"
    rss = ET.parse(site / "public" / "feeds" / "rss.xml").getroot()
    assert parsedate_to_datetime(rss.findtext("channel/lastBuildDate")) == datetime(2025, 12, 5, 10, 15, tzinfo=timezone.utc)


def test_feeds_hold_the_latest_feed_items_articles(site):
    set_config(site, "feed_items", 2)
    assert build(site, NOW) == 0
    for path in FEEDS:
        assert [e.link.rsplit("/", 2)[-2] for e in parse(site / "public" / path).entries] == ["newest", "middle"]


def test_each_section_has_its_own_feeds_with_only_its_articles(site):
    assert build(site, NOW) == 0
    for name in ("rss.xml", "atom.xml"):
        sport = parse(site / "public" / "sport" / name)
        assert [e.link for e in sport.entries] == [BASE_URL + "newest/", BASE_URL + "oldest/"]
        assert sport.feed.title == "Sport — Flash News"
        assert [e.link for e in parse(site / "public" / "ekonomi" / name).entries] == [BASE_URL + "middle/"]


def test_rss_names_its_own_url_and_the_byline(site):
    assert build(site, NOW) == 0
    channel = ET.parse(site / "public" / "feeds" / "rss.xml").getroot().find("channel")
    self_link = channel.find("{http://www.w3.org/2005/Atom}link")
    assert (self_link.get("rel"), self_link.get("href")) == ("self", BASE_URL + "feeds/rss.xml")
    assert parse(site / "public" / "feeds" / "rss.xml").entries[2].author == "Arta Hoxha"


def test_future_article_joins_the_feeds_once_the_clock_passes_its_date(site):
    write_article(site, "embargoed", date="2025-12-05T15:00:00+01:00")
    assert build(site, NOW) == 0
    for path in FEEDS:
        assert BASE_URL + "embargoed/" not in [e.link for e in parse(site / "public" / path).entries]
    assert build(site, "2025-12-05T15:00:00+01:00") == 0
    for path in FEEDS:
        assert parse(site / "public" / path).entries[0].link == BASE_URL + "embargoed/"


def test_drafts_reach_the_feeds_only_with_the_drafts_option(site):
    write_article(site, "unfinished", date="2025-12-05T11:00:00+01:00", draft=True)
    assert build(site, NOW) == 0
    assert BASE_URL + "unfinished/" not in [e.link for e in parse(site / "public" / "feeds" / "rss.xml").entries]
    assert build(site, NOW, "--drafts") == 0
    assert BASE_URL + "unfinished/" in [e.link for e in parse(site / "public" / "feeds" / "rss.xml").entries]


def test_summary_names_the_next_scheduled_publication(site, capsys):
    write_article(site, "embargoed", date="2025-12-05T15:00:00+01:00")
    write_article(site, "later", date="2025-12-06T09:00:00+01:00")
    assert build(site, NOW) == 0
    assert "next scheduled publication at 2025-12-05T15:00:00+01:00" in capsys.readouterr().out
    assert build(site, "2025-12-05T15:00:00+01:00") == 0
    assert "next scheduled publication at 2025-12-06T09:00:00+01:00" in capsys.readouterr().out
    assert build(site, "2025-12-07T00:00:00+01:00") == 0
    assert "next scheduled publication" not in capsys.readouterr().out


def test_characters_xml_cannot_hold_are_stripped():
    assert xml_text("ok\x00\x01\x08\x0b\x0c\x1f\ufffe\uffff\ud800 end\t\n\r") == "ok end\t\n\r"
    assert xml_text("Shqipëri 🇦🇱 — “news”") == "Shqipëri 🇦🇱 — “news”"


def test_feeds_stay_well_formed_with_control_characters_in_the_text():
    config = sample_config()
    item = rendered("ctl", date=datetime(2025, 12, 5, 9, tzinfo=timezone.utc), title="Bell\x07 and\x0b tab", lead="Lead\x1b.")
    site, _ = collect_site([item], now=datetime(2025, 12, 5, 12, tzinfo=timezone.utc), config=config)
    environment = create_environment(REPO / "templates")
    for plan in plan_feed_pages(site, config):
        data = render_page(environment, plan).data
        ET.fromstring(data)
        feed = feedparser.parse(data)
        assert feed.bozo == 0 and feed.entries[0].title == "Bell and tab"


def test_an_empty_site_still_has_valid_feeds(site_dir):
    assert build(site_dir, NOW) == 0
    for path in FEEDS:
        assert parse(site_dir / "public" / path).entries == []
