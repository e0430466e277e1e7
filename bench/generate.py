"""Seed and count -> deterministic raw editor articles (.txt) in the shape of shared/seeds/.

Usage: python bench/generate.py N OUTDIR [--seed S]

Each file looks like the canonical seed: site name, section, headline, a truncated
repeat of the headline, then the body (a dateline paragraph such as
"27 February 2025, 14:30" followed by 6-8 paragraphs, about 4.4 KB), a line holding
only a no-break space, and the "Latest news" footer.

`generate_articles(n, seed)` yields the same articles as (filename, text, meta) so that
other generators (Hugo, Pelican) can be fed equivalent content.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SECTIONS = ("Bota", "Politikë", "Ekonomi", "Sport", "Kulturë", "Teknologji")
SITE_NAME = "Flash News"
FOOTER = "Latest news"
NO_BREAK_SPACE_LINE = "\u00a0"
# Dates fall in the year before the CLI's fixed --now of the benchmark.
END_AT = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
SPAN_MINUTES = 365 * 24 * 60
BODY_TARGET_BYTES = 4400
TRUNCATED_HEADLINE_CHARS = 80
SENTENCE_POOL_SIZE = 20_000

_WORD_TEXT = """
government minister parliament election reform budget economy market inflation bank
prices energy gas electricity investment growth export import tourism season summer
city municipality mayor council residents road bridge tunnel construction project
school university students teachers education hospital doctors patients health
police court judge prosecutor investigation arrest suspect case evidence ruling
president prime opposition party coalition vote debate agreement talks dialogue
delegation summit meeting diplomats embassy union european regional neighbours
border security defence army cooperation partnership treaty sanctions crisis
team match league championship goal coach players victory defeat stadium fans
festival theatre film music exhibition museum artist book award culture heritage
technology internet digital platform software data network startup innovation
weather storm rain snow drought fire forest river lake coast port airport flights
workers salaries pensions taxes tariffs companies industry agriculture farmers
today yesterday week month year morning evening night official statement report
new old major minor public private local national international historic
expected announced confirmed rejected approved criticised welcomed proposed
increased decreased continued started ended opened closed signed discussed
significant important difficult possible necessary recent current final first
Tirana Durrës Vlorë Shkodër Korçë Elbasan Fier Berat Gjirokastër Sarandë Prishtinë
shqiptar qeveria kuvendi bashkia çmimet ekonomia zgjedhjet ministri gjykata
"""
_WORDS = _WORD_TEXT.split()
_CONNECTORS = ("and", "but", "while", "as", "after", "before", "because", "although")
_ARTICLES = ("the", "this", "that", "its", "their")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """What an article says, independent of the raw text format."""

    title: str
    section: str
    date: dt.datetime
    slug: str
    dateline: str
    paragraphs: tuple[str, ...]


def slugify(title: str) -> str:
    """Return an ASCII, lower-case, hyphen-separated slug for a title."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")


def format_dateline(moment: dt.datetime) -> str:
    """Return a dateline such as '27 February 2025, 14:30'."""
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"


def truncate_headline(headline: str) -> str:
    """Return the headline cut at a word boundary, as the raw pages repeat it."""
    if len(headline) <= TRUNCATED_HEADLINE_CHARS:
        return headline
    return headline[: TRUNCATED_HEADLINE_CHARS + 1].rsplit(" ", 1)[0].rstrip(",;:")


def render_raw_text(meta: ArticleMeta) -> str:
    """Return the raw editor text for an article, in the seed's shape."""
    parts = [
        SITE_NAME,
        meta.section,
        meta.title,
        truncate_headline(meta.title),
        meta.dateline,
        *meta.paragraphs,
        NO_BREAK_SPACE_LINE,
        FOOTER,
    ]
    return "\n\n".join(parts)


def _make_sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(9, 20))
    words.insert(rng.randrange(2, len(words)), rng.choice(_CONNECTORS))
    words.insert(0, rng.choice(_ARTICLES))
    sentence = " ".join(words)
    return sentence[0].upper() + sentence[1:] + rng.choice("....!?")


def _make_paragraph(rng: random.Random, pool: list[str], *, target_chars: int) -> str:
    sentences = [rng.choice(pool)]
    length = len(sentences[0])
    while True:
        sentence = rng.choice(pool)
        length += len(sentence) + 1
        if length > target_chars:
            return " ".join(sentences)
        sentences.append(sentence)


def _make_headline(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(8, 16))
    if rng.random() < 0.5:
        position = rng.randrange(3, len(words) - 2)
        words[position - 1] += ","
        words.insert(position, rng.choice(_CONNECTORS))
    headline = " ".join(words)
    return headline[0].upper() + headline[1:]


def _make_unique_headline(rng: random.Random, seen_slug_prefixes: set[str]) -> str:
    # Unique on a 40-character slug prefix too, so a generator that shortens slugs
    # still gets one URL per article.
    while True:
        headline = _make_headline(rng)
        slug = slugify(headline)
        prefix = slug[:40]
        if slug not in seen_slug_prefixes and prefix not in seen_slug_prefixes:
            seen_slug_prefixes.update((slug, prefix))
            return headline


def generate_articles(n: int, seed: int = 0) -> Iterator[tuple[str, str, ArticleMeta]]:
    """Yield n deterministic (filename, raw text, meta) triples for the seed."""
    rng = random.Random(seed)
    pool = [_make_sentence(rng) for _ in range(SENTENCE_POOL_SIZE)]
    seen: set[str] = set()
    for index in range(n):
        paragraph_count = rng.randint(6, 8)
        per_paragraph = BODY_TARGET_BYTES // paragraph_count
        paragraphs = tuple(
            _make_paragraph(rng, pool, target_chars=rng.randint(per_paragraph, per_paragraph + 120))
            for _ in range(paragraph_count)
        )
        published_at = END_AT - dt.timedelta(minutes=rng.randrange(1, SPAN_MINUTES))
        title = _make_unique_headline(rng, seen)
        meta = ArticleMeta(
            title=title,
            section=rng.choice(SECTIONS),
            date=published_at,
            slug=slugify(title),
            dateline=format_dateline(published_at),
            paragraphs=paragraphs,
        )
        filename = f"{index:06d}_{rng.getrandbits(64):016x}.txt"
        yield filename, render_raw_text(meta), meta


def write_articles(n: int, out_path: Path, *, seed: int = 0) -> int:
    """Write n raw articles into out_path and return the bytes written."""
    out_path.mkdir(parents=True, exist_ok=True)
    total = 0
    for filename, text, _meta in generate_articles(n, seed):
        data = text.encode("utf-8")
        with open(out_path / filename, "wb") as handle:
            handle.write(data)
        total += len(data)
    return total


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, write the articles and print a one-line summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("outdir", type=Path, help="folder to write the .txt files into")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    total = write_articles(args.n, args.outdir, seed=args.seed)
    elapsed = time.perf_counter() - started
    print(f"wrote {args.n} articles ({total / 1e6:.1f} MB) to {args.outdir} in {elapsed:.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
