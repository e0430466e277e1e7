"""Site -> page plans (template + context) for front, section, article and 404 pages."""

from __future__ import annotations

import contextlib
import hashlib
import os
import traceback
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jinja2
import jinja2.bccache

from flashnews.config import SiteConfig
from flashnews.compose.images import BodyImage, LeadImage, image_context, place_pictures
from flashnews.compose.i18n import format_date_time, format_edition_date, format_short_date, format_time, strings_for
from flashnews.errors import TemplateError
from flashnews.model import OutputFile, RenderedArticle, Site
from flashnews.compose.paging import FRONT, ListingPage, page_url
from flashnews.compose.seo import article_seo
from flashnews.compose.site import article_url, section_key, section_of, section_url
from flashnews.compose.templating import Environment

Context = dict[str, Any]


@dataclass(frozen=True, slots=True)
class PagePlan:
    """One output file to render: its path, template and the JSON-able context it sees."""

    path: str
    template: str
    context: Context
    source: str = ""


def absolute_url(config: SiteConfig, path: str) -> str:
    """A URL for links that leave the page (canonical, feeds, sitemaps)."""
    return config.base_url.rstrip("/") + "/" + path


def _root_for(path: str) -> str:
    return "../" * path.count("/")


def site_context(site: Site, config: SiteConfig) -> Context:
    """What every page knows about the site: name, navigation, strings, feeds."""
    return {
        "title": config.title,
        "description": config.description,
        "language": config.language,
        "strings": strings_for(config.language),
        "base_url": config.base_url,
        "nav": [{"key": s.key, "label": s.label, "url": section_url(s.key)} for s in site.sections],
        "feeds": {"rss": "feeds/rss.xml", "atom": "feeds/atom.xml"},
        "search_url": "search/" if config.search else "",
    }


def article_card(item: RenderedArticle, config: SiteConfig) -> Context:
    """What a list, rail or lead block shows of an article."""
    article = item.article
    section = section_of(article.category, config)
    local = article.date.astimezone(config.tz)
    return {
        "title": article.title,
        "url": article_url(item),
        "section_label": section.display_name,
        "section_url": section_url(section_key(section.name)),
        "date_iso": article.date.isoformat(),
        "date_display": format_date_time(local, config.language),
        "date_short": format_short_date(local, config.language),
        "time_display": format_time(local, config.language),
        "summary": item.lead,
        "author": article.author,
        "lang": article.lang,
    }


def _section_label(item: RenderedArticle, config: SiteConfig) -> str:
    return section_of(item.article.category, config).display_name


def _lead_image(item: RenderedArticle, config: SiteConfig, images: Mapping[str, LeadImage], root: str) -> Context | None:
    image = images.get(item.article.source_path)
    return image_context(image, root=root, absolute_root=config.base_url) if image else None


CardMaker = Callable[[RenderedArticle], Context]


def listing_context(
    site: Site,
    config: SiteConfig,
    *,
    path: str,
    prefix: str,
    items: Sequence[RenderedArticle],
    page: ListingPage,
    extra: Context,
    cards: CardMaker,
    images: Mapping[str, LeadImage],
) -> Context:
    """One page of the front page or a section (see paging): `items` are the articles on it."""
    front = page.number == FRONT
    return {
        "site": site_context(site, config),
        "root": _root_for(path),
        "canonical_url": absolute_url(config, page_url(prefix, page.number)),
        "edition_date": format_edition_date(site.built_at.astimezone(config.tz), config.language),
        "items": [cards(item) for item in items],
        "lead_image": _lead_image(items[0], config, images, _root_for(path)) if items and front else None,
        "pagination": {
            "front": front,
            "number": page.number,
            "newer_url": page_url(prefix, page.newer) if page.newer is not None else None,
            "older_url": page_url(prefix, page.older) if page.older is not None else None,
        },
        **extra,
    }


def article_context(
    site: Site,
    config: SiteConfig,
    item: RenderedArticle,
    *,
    rail: Sequence[RenderedArticle],
    related: Sequence[RenderedArticle],
    cards: CardMaker,
    images: Mapping[str, LeadImage],
    pictures: Mapping[str, BodyImage] | None = None,
) -> Context:
    """An article's page: the story, the news published just before it and related stories;
    `pictures` are those its body shows, by src."""
    article = item.article
    path = article_url(item) + "index.html"
    image = _lead_image(item, config, images, _root_for(path))
    return {
        "site": site_context(site, config),
        "root": _root_for(path),
        "canonical_url": absolute_url(config, article_url(item)),
        "article": {
            **cards(item),
            "updated_iso": article.updated.isoformat() if article.updated else "",
            "updated_display": format_date_time(article.updated.astimezone(config.tz), config.language) if article.updated else "",
            "reading_minutes": item.reading_minutes,
            "word_count": item.word_count,
            "body_html": place_pictures(item, pictures or {}, root=_root_for(path)),
            "description": item.lead,
            "image": image,
        },
        "rail": [cards(other) for other in rail],
        "related": [cards(other) for other in related],
        "seo": article_seo(item, config, url=absolute_url(config, article_url(item)), section_label=_section_label(item, config), image=image),
    }


def plan_not_found_page(site: Site, config: SiteConfig) -> PagePlan:
    """404.html links from the site root, since hosts serve it at any depth."""
    from urllib.parse import urlsplit

    root = urlsplit(config.base_url).path or "/"
    context = {
        "site": site_context(site, config),
        "root": root if root.endswith("/") else root + "/",
        "canonical_url": absolute_url(config, "404.html"),
        "items": [article_card(item, config) for item in site.articles[: config.latest_count]],
    }
    return PagePlan("404.html", "404.html", context)


def create_environment(templates_dir: Path, *, reload: bool = False, cache_dir: Path | None = None) -> jinja2.Environment:
    """The Jinja environment every page is rendered with: autoescaped, strict.

    A build makes its own, and reads each template once; without `reload` a template is not
    checked for changes on every use (a stat per page and partial). An environment kept across
    builds (watch mode) passes reload=True. With cache_dir the compiled templates are kept there
    for the next build (a template is compiled again when its source changes)."""
    return Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        auto_reload=reload,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_CompiledTemplates(os.fspath(cache_dir)) if cache_dir is not None else None,
    )


def _compiler_stamp() -> str:
    """What compiled code depends on besides a template's source: the Python code that compiles
    it (the environment's options here; the code generator templating chose and its code) and Jinja's version."""
    from flashnews.compose import templating

    generator = Environment.code_generator_class
    digest = hashlib.sha256(f"{jinja2.__version__}\0{generator.__module__}.{generator.__qualname__}\0".encode())
    for module in (templating.__file__, __file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()


# Taken when this module is loaded: the code that compiles in this process, even if the files change under it.
_COMPILER_STAMP = _compiler_stamp()


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates in a folder, which a build never depends on: one that
    cannot be read or written costs only the compiling."""

    def __init__(self, directory: str) -> None:
        super().__init__(directory, "%s.jinja")
        self._stamp = _COMPILER_STAMP
        with contextlib.suppress(OSError):
            os.makedirs(directory, exist_ok=True)

    def get_source_checksum(self, source: str) -> str:
        """The source's hash with the compiler's: code compiled by other code is compiled again."""
        return hashlib.sha1(f"{self._stamp}\0{source}".encode("utf-8", "surrogatepass")).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged file: compile the template again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _template_place(exc: BaseException, name: str, templates_dir: str) -> tuple[str, int | None]:
    """The template and line an error happened in: the innermost template frame, which may be
    an included partial or a parent layout rather than the page's own template."""
    place: tuple[str, int | None] = (name, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            try:
                shown = Path(frame.filename).resolve().relative_to(Path(templates_dir).resolve()).as_posix()
            except ValueError:
                shown = Path(frame.filename).name
            place = (shown, frame.lineno)
    return place


def render_page(environment: jinja2.Environment, plan: PagePlan) -> OutputFile:
    """Render one plan; raises TemplateError naming the template and line."""
    try:
        text = environment.get_template(plan.template).render(plan.context)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(plan.template, None, f"template {exc.name!r} not found", hint="restore it in templates/") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(exc.name or plan.template, exc.lineno, f"syntax error: {exc.message}") from exc
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
        searchpath = getattr(environment.loader, "searchpath", ["."])[0]
        template, line = _template_place(exc, plan.template, searchpath)
        raise TemplateError(template, line, f"cannot render {plan.path}: {exc}") from exc
    return OutputFile(plan.path, text.encode("utf-8"))
