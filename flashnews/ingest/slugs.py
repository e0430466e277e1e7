"""Headlines -> URL slugs that are safe as a single folder name on every system."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from slugify import slugify

MAX_SLUG_LENGTH = 80
_SAFE_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Names Windows refuses as a file or folder, whatever the extension.
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


def make_slug(text: str) -> str:
    """A lowercase ASCII slug of at most 80 characters; never empty."""
    slug = slugify(unicodedata.normalize("NFC", text), max_length=MAX_SLUG_LENGTH, word_boundary=True, save_order=True)
    if not slug:
        slug = "article-" + hashlib.sha256(text.encode()).hexdigest()[:10]
    if slug in _RESERVED:
        slug = f"{slug}-article"
    return slug


def is_safe_slug(slug: str) -> bool:
    """Whether a slug is a single lowercase ASCII path segment of sane length."""
    return len(slug) <= MAX_SLUG_LENGTH * 2 and bool(_SAFE_SLUG.fullmatch(slug)) and slug not in _RESERVED
