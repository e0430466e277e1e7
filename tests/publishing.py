"""Helpers for the publishing tests: write front-matter articles, build a site, read its output."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from flashnews.app.cli import main
from flashnews.config import SiteConfig, parse_config
from flashnews.model import Article, RenderedArticle

BASE_URL = "https://news.example/"


def write_article(
    site: Path,
    slug: str,
    *,
    date: str,
    title: str | None = None,
    category: str = "Sport",
    author: str = "",
    updated: str = "",
    draft: bool = False,
    body: str = "The body of the story.",
) -> Path:
    """A front-matter Markdown article in <site>/content/<slug>.md."""
    fields = {"title": title or slug.replace("-", " ").capitalize(), "date": date, "category": category, "slug": slug}
    if author:
        fields["author"] = author
    if updated:
        fields["updated"] = updated
    if draft:
        fields["draft"] = "true"
    # JSON strings are valid YAML flow scalars, so any headline survives the front matter.
    front = "".join(f"{key}: {_yaml_string(value)}\n" for key, value in fields.items())
    path = site / "content" / f"{slug}.md"
    path.write_text(f"---\n{front}---\n\n{body}\n", encoding="utf-8")
    return path


def _yaml_string(value: str) -> str:
    # A JSON string is a YAML double-quoted scalar; YAML reads U+2028/U+2029 as line breaks, so escape them.
    return json.dumps(value, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def build(site: Path, now: str, *extra: str, output: str = "public") -> int:
    """Build <site>/content into <site>/<output> with the CLI, as a user would."""
    return main(
        [
            "build",
            "--content", str(site / "content"),
            "--output", str(site / output),
            "--config", str(site / "site.toml"),
            "--base-url", BASE_URL,
            "--now", now,
            "-q",
            *extra,
        ]
    )


def tree(folder: Path) -> dict[str, str]:
    """Every file of a folder by relative path, with the SHA-256 of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def set_config(site: Path, key: str, value: int | bool) -> None:
    """Set one top-level setting of <site>/site.toml, replacing the line that has it or adding one."""
    path = site / "site.toml"
    text = json.dumps(value)
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [n for n, line in enumerate(lines) if line.split("=")[0].strip() == key]
    if found:
        lines[found[0]] = f"{key} = {text}"
    else:
        lines.insert(0, f"{key} = {text}")  # top-level keys must come before the first [table]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def rendered(
    slug: str, *, date: datetime, title: str = "", category: str = "Sport", author: str = "", lang: str = "", lead: str = "A lead."
) -> RenderedArticle:
    """A rendered article value, for tests of the pure planning functions."""
    article = Article(
        source_path=f"{slug}.md", title=title or slug, date=date, category=category, slug=slug, body="Body.",
        author=author, lang=lang,
    )
    return RenderedArticle(article, "<p>Body.</p>", lead, 1, 1)


def sample_config(**overrides: object) -> SiteConfig:
    config = parse_config('[[sections]]\nname = "Sport"\n', base_url=BASE_URL)
    from dataclasses import replace

    return replace(config, **overrides)  # type: ignore[arg-type]
