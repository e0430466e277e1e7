"""site.toml -> SiteConfig: the frozen settings every stage reads from."""

from __future__ import annotations

import hashlib
from functools import lru_cache
import json
import re
import tomllib
import zoneinfo
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from flashnews.errors import ConfigError

DEFAULT_SITE_NAMES = ("Flash News",)
DEFAULT_FOOTER_MARKERS = (
    "Latest news",
    "Lajmet e fundit",
    "Read more",
    "Read also",
    "Related news",
    "Related articles",
    "Lexo më shumë",
    "Lexo edhe",
    "Lajme të ngjashme",
    "Të ngjashme",
)
DEFAULT_NOISE_LINES = (
    "Share",
    "Share this",
    "Share this article",
    "Copy link",
    "Telegram",
    "WhatsApp",
    "Messenger",
    "Viber",
    "Comments",
    "Sign up for our newsletter",
    "Subscribe to our newsletter",
    "Subscribe",
    "Sponsored content",
    "Promoted",
    "Story continues below",
    "Article continues below",
    "Continue reading",
    "Accept cookies",
    "Share on Facebook",
    "Share on X",
    "Share on Twitter",
    "Share on WhatsApp",
    "Tweet",
    "Print",
    "Email",
    "Advertisement",
    "Advertising",
    "Sponsored",
    "Reklama",
    "Reklamë",
    "Shpërndaje",
    "Shpërndaje në Facebook",
    "Ndaje",
)
DEFAULT_BYLINE_PREFIXES = (
    "By",
    "Nga",
    "Author:",
    "Autor:",
    "Autori:",
    "Written by",
    "Reporting by",
    "Reported by",
    "Words by",
    "Shkruar nga",
    "Shkruan",
    "Текст:",
    "Автор:",
    "Von",
    "Par",
    "Por",
    "Di",
)
# Social networks and sharing targets: a short line that ends with one, or names two, is a share or
# follow button ("Share this on WhatsApp", "Facebook Twitter Email").
DEFAULT_SOCIAL_NAMES = (
    "Facebook", "Twitter", "X", "WhatsApp", "Telegram", "Messenger", "Viber", "LinkedIn", "Reddit",
    "Pinterest", "Instagram", "YouTube", "TikTok", "Email", "E-mail", "Flipboard", "Tumblr", "VK",
    "Bluesky", "Threads", "Mastodon", "Snapchat",
)
# Words of the offers that end a copied story ("Subscribe to our newsletter", "Follow us", "Join our
# forums"), in the imperative an offer is put in ("Subscribers rose" reports, it does not offer).
DEFAULT_SIGNUP_WORDS = (
    "subscribe", "sign up", "newsletter", "newsletters", "follow us", "join our", "join us", "stay up to date", "stay tuned",
    "abonohu", "regjistrohu", "abonnieren", "abonnieren sie", "abonnez-vous", "inscrivez-vous", "подпишитесь",
    "подписывайтесь", "inscreva-se", "assine", "suscríbete", "suscríbase", "iscriviti", "pretplatite se",
    "prijavite se", "претплатите се", "пријавите се",
)
# Lines that open with these are prompts to read on ("Read more: …"), never the story.
DEFAULT_PROMPT_PREFIXES = ("Read more", "Read also", "See also", "Also read", "Related", "Lexo", "Lexo edhe", "Lexo më shumë")
# Labels of picture credits ("Photo: Reuters"); a line that opens with one is not the story.
DEFAULT_CREDIT_PREFIXES = ("Photo", "Photos", "Foto", "Fotografia", "Image", "Picture", "Credit", "Фото", "Video", "Source", "Burimi")
INTERFACE_LANGUAGES = ("en", "sq")


@dataclass(frozen=True, slots=True)
class SectionConfig:
    """One newsroom section: the name editors write, the label readers see, other spellings."""

    name: str
    label: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        return self.label or self.name


@dataclass(frozen=True, slots=True)
class NormalizeConfig:
    """What the normalizer treats as page chrome, and how it decodes legacy files."""

    site_names: tuple[str, ...] = DEFAULT_SITE_NAMES
    footer_markers: tuple[str, ...] = DEFAULT_FOOTER_MARKERS
    noise_lines: tuple[str, ...] = DEFAULT_NOISE_LINES
    byline_prefixes: tuple[str, ...] = DEFAULT_BYLINE_PREFIXES
    prompt_prefixes: tuple[str, ...] = DEFAULT_PROMPT_PREFIXES
    credit_prefixes: tuple[str, ...] = DEFAULT_CREDIT_PREFIXES
    social_names: tuple[str, ...] = DEFAULT_SOCIAL_NAMES
    signup_words: tuple[str, ...] = DEFAULT_SIGNUP_WORDS
    # How a numeric date such as 03/04/2021 is read when both orders make sense: "DMY" or "MDY".
    date_order: str = "DMY"
    # dateparser languages tried for every drop, besides those its letters point to.
    date_languages: tuple[str, ...] = ("en", "sq")
    fallback_encoding: str = "cp1252"
    max_source_bytes: int = 2_000_000
    # Word documents and saved pages carry their pictures, so they get a larger limit than text.
    max_document_bytes: int = 30_000_000


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Every setting of a site, with the defaults a new newsroom starts from."""

    title: str = "Flash News"
    base_url: str = "/"
    language: str = "en"
    timezone: str = "Europe/Tirane"
    description: str = "The latest news, as it happens."
    per_page: int = 20
    latest_count: int = 8
    feed_items: int = 30
    news_sitemap_hours: int = 48
    logo: str = "static/logo.png"
    search: bool = True
    sections: tuple[SectionConfig, ...] = ()
    # The section of a drop that names none and sits in no section's folder ("" = the first section).
    default_section: str = ""
    normalize: NormalizeConfig = field(default_factory=NormalizeConfig)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def digest(self) -> str:
        """A hash of every setting, so caches know when the config changed."""
        return _config_digest(self)


@lru_cache(maxsize=8)  # a config is immutable; a watch session asks for its digest at every build
def _config_digest(config: SiteConfig) -> str:
    text = json.dumps(asdict(config), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _convert(value: Any, annotation: str, where: str) -> Any:
    expected = {"str": str, "int": int, "bool": bool}.get(annotation)
    if expected is not None:
        if type(value) is not expected:
            raise ConfigError(f"{where} must be a {expected.__name__}, not {type(value).__name__}")
        return value
    if annotation == "tuple[str, ...]":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{where} must be a list of strings")
        return tuple(value)
    raise AssertionError(f"no converter for {annotation}")


def _build(cls: type, table: Any, where: str) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise ConfigError(
            f"unknown key {where + '.' if where else ''}{unknown[0]}",
            hint=f"known keys here: {', '.join(sorted(known))}",
        )
    values: dict[str, Any] = {}
    for name, value in table.items():
        key = f"{where}.{name}" if where else name
        annotation = str(known[name].type)
        if annotation == "NormalizeConfig":
            values[name] = _build(NormalizeConfig, value, key)
        elif annotation == "tuple[SectionConfig, ...]":
            if not isinstance(value, list):
                raise ConfigError(f"{key} must be an array of tables ([[sections]])")
            values[name] = tuple(_build(SectionConfig, item, f"{key}[{i}]") for i, item in enumerate(value))
        else:
            values[name] = _convert(value, annotation, key)
    return cls(**values)


def _validate(config: SiteConfig) -> None:
    if not re.fullmatch(r"https?://[^/\s]+(?:/\S*)?|/\S*", config.base_url):
        raise ConfigError(
            f"base_url {config.base_url!r} is neither an absolute http(s) URL nor a path",
            hint="write it like https://example.org/news/ or /news/",
        )
    if config.language not in INTERFACE_LANGUAGES:
        raise ConfigError(f"language {config.language!r} is not supported", hint="use 'en' or 'sq'")
    try:
        zoneinfo.ZoneInfo(config.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {config.timezone!r}", hint="use an IANA name such as Europe/Tirane") from exc
    for key in ("per_page", "latest_count", "feed_items", "news_sitemap_hours"):
        if getattr(config, key) < 1:
            raise ConfigError(f"{key} must be at least 1")
    if config.normalize.date_order not in ("DMY", "MDY", "YMD"):
        raise ConfigError(f"normalize.date_order {config.normalize.date_order!r} is not DMY, MDY or YMD")
    try:
        "".encode(config.normalize.fallback_encoding)
    except LookupError as exc:
        raise ConfigError(f"unknown encoding {config.normalize.fallback_encoding!r} in normalize.fallback_encoding") from exc
    seen: dict[str, str] = {}
    for section in config.sections:
        for spelling in {s.casefold() for s in (section.name, *section.aliases)}:
            if seen.setdefault(spelling, section.name) != section.name:
                raise ConfigError(f"section spelling {spelling!r} is used twice", hint="each name and alias must be unique")


def parse_config(text: str, *, path: str = "site.toml", base_url: str | None = None) -> SiteConfig:
    """Parse site.toml text; --base-url overrides the file's base_url."""
    try:
        table = tomllib.loads(text.removeprefix("\ufeff"))  # Notepad saves UTF-8 with a BOM
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        problem = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc)) or "syntax error"
        located = f"{path}:{where.group(1)}:{where.group(2)}" if where else path
        raise ConfigError(f"not valid TOML: {problem}", path=located, hint="check the quotes and '=' on that line") from exc
    try:
        config = _build(SiteConfig, table, "")
        if base_url is not None:
            config = replace(config, base_url=base_url)
        _validate(config)
    except ConfigError as exc:
        exc.path = path
        raise
    return config


def load_config(path: Path | None, *, base_url: str | None = None) -> SiteConfig:
    """Read the config file; a missing default site.toml means all defaults."""
    if path is None:
        return parse_config("", base_url=base_url)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError("config file not found", path=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config: {exc}", path=str(path)) from exc
    return parse_config(text, path=str(path), base_url=base_url)
