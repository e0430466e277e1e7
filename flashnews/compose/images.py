"""An article's pictures -> resized JPEG variants, and what its page and metadata show of them.

The lead picture is the file named in front matter (`image: harbour.jpg`, beside the article) or,
failing that, a file with the article's base name (content/foo.jpg for content/foo.md). Pictures
the body shows (`![Ferries](harbour-2.jpg)`) are made the same way and drawn where they stand.
Variants are written under images/, named by the picture's hash, so a changed picture gets new URLs.
"""

from __future__ import annotations

import html
import io
import os
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from flashnews.model import Article, RenderedArticle

IMAGE_DIR = "images"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
WIDTHS = (480, 960, 1440)
JPEG_QUALITY = 80
# How wide the picture is drawn: the story column on wide screens, the whole width on phones.
SIZES = "(min-width: 48rem) 44rem, 100vw"
# Bump when the resizing changes, so cached variants are made again.
IMAGE_VERSION = "1"


class ImageError(ValueError):
    """A picture that cannot be read or resized."""


@dataclass(frozen=True, slots=True)
class ImageVariant:
    """One resized copy of a lead picture, at a POSIX path relative to the site root."""

    path: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class LeadImage:
    """An article's lead picture: its variants, narrowest first, and its alternative text."""

    alt: str
    variants: tuple[ImageVariant, ...]


@dataclass(frozen=True, slots=True)
class BodyImage:
    """A picture an article's body shows: the src its <img> holds and the picture's variants."""

    src: str
    variants: tuple[ImageVariant, ...]


def source_file(content_dir: Path, article: Article) -> Path:
    """The .md file of an article (its source_path starts with the content folder's name)."""
    _, _, inside = article.source_path.partition("/")
    return content_dir.joinpath(*PurePosixPath(inside).parts) if "/" in inside else content_dir / inside


def list_pictures(content_dir: Path) -> PictureIndex:
    """Every picture file under content_dir (folders starting with '.' or '_' left out), listed
    once per build so finding each article's picture costs set lookups, not stats."""
    found = set()
    for folder, dirs, files in os.walk(content_dir):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        found.update(Path(folder, name) for name in files if Path(name).suffix.lower() in IMAGE_SUFFIXES)
    return PictureIndex(found)


def find_image_file(content_dir: Path, article: Article, *, pictures: Collection[Path] | None = None) -> Path | None:
    """The article's lead picture file, if there is one: front matter `image`, else a
    picture with the article's base name (looked up in `pictures` when given)."""
    source = source_file(content_dir, article)
    named = article.extra.get("image", "").strip()
    if named:
        candidate = (source.parent / named).resolve()
        if candidate.is_relative_to(content_dir.resolve()) and candidate.is_file():
            return candidate
        return None
    if isinstance(pictures, PictureIndex):
        return pictures.named_like(source)
    for suffix in IMAGE_SUFFIXES:
        for spelling in (suffix, suffix.upper()):
            candidate = source.with_suffix(spelling)
            exists = candidate in pictures if pictures is not None else candidate.is_file()
            if exists:
                return candidate
    return None


def find_picture_users(picture: Path, content_dir: Path, articles: Iterable[RenderedArticle]) -> tuple[str, ...]:
    """The source paths of the articles that show a picture file, as their lead picture or in
    their body, by the rules the build finds pictures with. The file need not exist: for a
    deleted picture these are the articles that showed it."""
    root = Path(os.path.abspath(content_dir))
    target = os.path.abspath(picture)
    stem, suffix = os.path.splitext(target)
    # Named like an article, it is that article's lead picture unless one with a preferred suffix is there.
    spellings = [s for preferred in IMAGE_SUFFIXES for s in (preferred, preferred.upper())]
    is_preferred = suffix in spellings and not any(os.path.isfile(stem + s) for s in spellings[: spellings.index(suffix)])
    users: list[str] = []
    for item in articles:
        source = source_file(root, item.article)
        named = item.article.extra.get("image", "").strip()
        if named:
            is_lead = os.path.abspath(source.parent / named) == target
        else:
            is_lead = is_preferred and os.path.splitext(str(source))[0] == stem
        in_body = any(os.path.abspath(root.joinpath(*PurePosixPath(p.path).parts)) == target for p in item.pictures)
        if is_lead or in_body:
            users.append(item.article.source_path)
    return tuple(users)


class PictureIndex(frozenset[Path]):
    """Picture files, also looked up by their path without the suffix (one dict lookup per
    article, where trying every suffix would cost eight paths)."""

    _by_stem: dict[str, tuple[Path, ...]]

    def __new__(cls, paths: Collection[Path] = ()) -> PictureIndex:
        index = super().__new__(cls, paths)
        by_stem: dict[str, list[Path]] = {}
        for path in index:
            by_stem.setdefault(os.path.splitext(str(path))[0], []).append(path)
        index._by_stem = {stem: tuple(found) for stem, found in by_stem.items()}
        return index

    def named_like(self, source: Path) -> Path | None:
        """The picture named like a source file, preferring suffixes in IMAGE_SUFFIXES order and lowercase."""
        found = self._by_stem.get(os.path.splitext(str(source))[0])
        if not found:
            return None
        ranks = {spelling: rank for rank, spelling in enumerate(s for suffix in IMAGE_SUFFIXES for s in (suffix, suffix.upper()))}
        ranked = [(ranks[path.suffix], path) for path in found if path.suffix in ranks]
        return min(ranked)[1] if ranked else None


def variant_widths(width: int) -> tuple[int, ...]:
    """The widths to make of a picture this wide: the standard ones it can fill, and its own
    width when that is narrower than the widest (pictures are never enlarged)."""
    kept = [w for w in WIDTHS if w < min(width, WIDTHS[-1])]
    return (*kept, min(width, WIDTHS[-1]))


def variant_path(digest: str, width: int) -> str:
    return f"{IMAGE_DIR}/{digest[:20]}-{width}.jpg"


def resize_image(data: bytes) -> list[tuple[int, int, bytes]]:
    """(width, height, JPEG bytes) for every variant width; raises ImageError."""
    # Imported here: only a build with new pictures needs the image library.
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            picture = ImageOps.exif_transpose(opened)
            picture.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise ImageError(f"not a readable picture ({exc})") from exc
    if picture.mode in ("RGBA", "LA", "P"):
        picture = picture.convert("RGBA")
        background = Image.new("RGB", picture.size, (255, 255, 255))
        background.paste(picture, mask=picture.getchannel("A"))
        picture = background
    elif picture.mode != "RGB":
        picture = picture.convert("RGB")
    results = []
    for width in variant_widths(picture.width):
        height = max(1, round(picture.height * width / picture.width))
        resized = picture if width == picture.width else picture.resize((width, height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        resized.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        results.append((width, height, buffer.getvalue()))
    return results


def image_context(image: LeadImage, *, root: str, absolute_root: str) -> dict[str, Any]:
    """What a page shows of a lead picture; `root` leads from the page to the site root and
    `absolute_root` is the site's public URL, for OpenGraph and JSON-LD."""
    variants: Sequence[ImageVariant] = image.variants
    default = next((v for v in variants if v.width >= 960), variants[-1])
    largest = variants[-1]
    return {
        "src": root + default.path,
        "srcset": ", ".join(f"{root}{v.path} {v.width}w" for v in variants),
        "sizes": SIZES,
        "width": default.width,
        "height": default.height,
        "alt": image.alt,
        "url": absolute_root.rstrip("/") + "/" + largest.path,
        "url_width": largest.width,
        "url_height": largest.height,
    }


_IMG_TAG = re.compile(r"<img\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


def place_pictures(item: RenderedArticle, found: Mapping[str, BodyImage], *, root: str) -> str:
    """The article's body HTML with each local picture (item.pictures) drawn from its variants,
    lazily, with its size; `found` holds them by src and `root` leads to the site root. A picture
    that could not be made is left out (the build reports it), so no page shows a broken one."""
    if not item.pictures:
        return item.body_html
    local = {picture.src for picture in item.pictures}

    def draw(match: re.Match[str]) -> str:
        attributes = {name: html.unescape(value) for name, value in _ATTRIBUTE.findall(match.group(1))}
        src = attributes.get("src")
        if src not in local:
            return match.group(0)
        image = found.get(src)
        if image is None:
            return ""
        variants = image.variants
        default = next((v for v in variants if v.width >= 960), variants[-1])
        drawn = {
            "src": root + default.path,
            "srcset": ", ".join(f"{root}{v.path} {v.width}w" for v in variants),
            "sizes": SIZES,
            "width": str(default.width),
            "height": str(default.height),
            "alt": attributes.get("alt", ""),
            **({"title": attributes["title"]} if "title" in attributes else {}),
            "loading": "lazy",
            "decoding": "async",
        }
        return "<img " + " ".join(f'{name}="{html.escape(value, quote=True)}"' for name, value in drawn.items()) + ">"

    return _IMG_TAG.sub(draw, item.body_html)
