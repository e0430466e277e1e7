"""site.toml -> SiteConfig: defaults, validation and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from flashnews.config import SectionConfig, SiteConfig, load_config, parse_config
from flashnews.errors import ConfigError
from tests.conftest import REPO


def test_missing_config_file_means_every_default():
    assert load_config(None) == SiteConfig()


def test_the_bundled_site_toml_loads_with_sections_in_order():
    config = load_config(REPO / "site.toml")
    assert [s.name for s in config.sections] == ["Bota", "Politikë", "Ekonomi", "Sport", "Kulturë", "Teknologji"]
    assert config.sections[0] == SectionConfig(name="Bota", label="World", aliases=("World", "Foreign"))


def test_base_url_option_overrides_the_file():
    config = parse_config('base_url = "https://a.example/"', base_url="https://b.example/news/")
    assert config.base_url == "https://b.example/news/"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("titel = 'x'", "unknown key titel"),
        ("per_page = '20'", "per_page must be a int"),
        ("per_page = 0", "per_page must be at least 1"),
        ("language = 'de'", "language 'de' is not supported"),
        ("timezone = 'Mars/Olympus'", "unknown time zone"),
        ("[normalize]\nsite_names = 'Flash News'", "normalize.site_names must be a list of strings"),
        ("[normalize]\nfallback_encoding = 'klingon'", "unknown encoding"),
        ("[[sections]]\nname = 'Bota'\n[[sections]]\nname = 'World'\naliases = ['Bota']", "used twice"),
        ("[[sections]]\nlabel = 'x'\ncolour = 'red'", "unknown key sections[0].colour"),
        ("title = ", "not valid TOML"),
    ],
)
def test_invalid_config_raises_config_error_naming_the_problem(text, words):
    with pytest.raises(ConfigError) as caught:
        parse_config(text, path="site.toml")
    assert words in str(caught.value)
    assert str(caught.value).startswith("site.toml: ")


def test_missing_config_file_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_digest_changes_with_any_setting():
    assert SiteConfig().digest() == SiteConfig().digest()
    assert SiteConfig().digest() != SiteConfig(per_page=10).digest()


@pytest.mark.parametrize("url", ["example.org", "ftp://example.org/", "https://exa mple.org/", "news/"])
def test_a_base_url_without_scheme_or_leading_slash_is_refused(url):
    with pytest.raises(ConfigError, match="is neither an absolute http"):
        parse_config("", base_url=url)


@pytest.mark.parametrize("url", ["/", "/news/", "https://example.org", "https://example.org/news/"])
def test_absolute_urls_and_paths_are_accepted_as_base_url(url):
    assert parse_config("", base_url=url).base_url == url
