"""Seed and count -> deterministic editor articles: raw drops (.txt) in the shape of shared/seeds/,
and with the varied corpus some Markdown articles (.md) and lead pictures (.jpg).

Usage: python bench/generate.py N OUTDIR [--seed S] [--corpus varied|uniform]

A raw drop looks like the canonical seed: site name, section, headline, a truncated repeat of
the headline, then the body (a dateline paragraph such as "27 February 2025, 14:30" followed by
the paragraphs), a line holding only a no-break space, and the "Latest news" footer.

- uniform (the plain corpus of the earlier figures): 6 to 8 paragraphs, about 4.4 KB, from
  a vocabulary of about 200 words, six sections of about the same size, raw drops only.
- varied (the default): 1 to 14 paragraphs of 60 to 1,500 characters (bodies from under 1 KB to
  about 12 KB, 4.4 KB on average), a vocabulary of tens of thousands of words (names, places,
  numbers used with Zipf-like frequencies), sections from 35 % of the articles down to 0.5 %
  (one of them not configured in site.toml), one article in eight written as Markdown (.md
  with bold, italics, links, a subheading, a list, a quote) and one in thirty with a
  1200x800 JPEG lead picture beside it.

`generate_articles(n, seed, corpus=...)` yields the same articles as (filename, text, meta) so
that other generators (Hugo, Pelican) can be fed equivalent content.
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


CORPORA = ("varied", "uniform")
# Section weights of the varied corpus: very different sizes, the last one not in site.toml.
_VARIED_SECTIONS = (("Bota", 35), ("Politikë", 25), ("Ekonomi", 18), ("Sport", 13), ("Kulturë", 6), ("Teknologji", 2.5), ("Shëndetësi", 0.5))
_SYLLABLES = "ba be bi bo da de di do ga ge gi ka ke ki ko la le li lo ma me mi mo na ne ni no ra re ri ro sa se si so ta te ti to va ve za zo ar el in on ur ës ër ka ja".split()
_MARKDOWN_EVERY = 8
_PICTURE_EVERY = 30
PICTURE_SIZE = (1200, 800)


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """What an article says, independent of the file format it is written in."""

    title: str
    section: str
    date: dt.datetime
    slug: str
    dateline: str
    paragraphs: tuple[str, ...]  # Markdown when markdown is true, else plain text
    markdown: bool = False
    picture: bool = False


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


def render_markdown_article(meta: ArticleMeta) -> str:
    """Front-matter Markdown for an article written as .md (title, date, category, slug)."""
    front = (
        f'---\ntitle: "{meta.title}"\ndate: "{meta.date.isoformat()}"\ncategory: "{meta.section}"\nslug: "{meta.slug}"\n---\n\n'
    )
    return front + "\n\n".join(meta.paragraphs) + "\n"


def _make_names(rng: random.Random, count: int) -> list[str]:
    names = set()
    while len(names) < count:
        name = "".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4)))
        names.add(name[0].upper() + name[1:] if rng.random() < 0.6 else name)
    return sorted(names)


def _make_varied_sentence(rng: random.Random, names: list[str]) -> str:
    words = rng.choices(_WORDS, k=rng.randint(6, 24))
    for _ in range(rng.randint(0, 3)):
        # Zipf-like: a few names are everywhere, most appear a handful of times.
        name = names[min(len(names) - 1, int(rng.paretovariate(0.7)) - 1)] if rng.random() < 0.5 else rng.choice(names)
        words.insert(rng.randrange(0, len(words)), name)
    if rng.random() < 0.3:
        words.insert(rng.randrange(0, len(words)), rng.choice((str(rng.randint(2, 2030)), f"{rng.randint(1, 99)}.{rng.randint(0, 9)}%", f"{rng.randint(1, 900)} million")))
    words.insert(rng.randrange(2, len(words)), rng.choice(_CONNECTORS))
    words.insert(0, rng.choice(_ARTICLES))
    sentence = " ".join(words)
    return sentence[0].upper() + sentence[1:] + rng.choice("....!?")


def _markdown_paragraph(rng: random.Random, text: str, index: int) -> str:
    words = text.split(" ")
    kind = index % 5
    if kind == 1 and len(words) > 6:
        at = rng.randrange(1, len(words) - 3)
        words[at : at + 2] = [f"**{words[at]} {words[at + 1]}**"]
        return " ".join(words)
    if kind == 2 and len(words) > 6:
        at = rng.randrange(1, len(words) - 3)
        words[at] = f"[{words[at]}](https://example.org/{words[at].lower().strip('.,!?')}) *{words[at + 1]}*"
        del words[at + 1]
        return " ".join(words)
    if kind == 3:
        return "## " + " ".join(words[:6]).rstrip(".,!?") + "\n\n" + text
    if kind == 4:
        items = [" ".join(words[i : i + 5]).rstrip(".,!?") for i in range(0, min(len(words), 20), 5)]
        return "\n".join(f"- {item}" for item in items if item) + "\n\n> " + text
    return text


def _generate_varied(n: int, seed: int) -> Iterator[tuple[str, str, ArticleMeta]]:
    rng = random.Random(seed)
    names = _make_names(rng, 30_000)
    pool = [_make_varied_sentence(rng, names) for _ in range(SENTENCE_POOL_SIZE)]
    sections, weights = zip(*_VARIED_SECTIONS)
    seen: set[str] = set()
    for index in range(n):
        paragraph_count = min(14, max(1, int(rng.lognormvariate(1.7, 0.55))))
        paragraphs = [
            _make_paragraph(rng, pool, target_chars=min(1500, max(60, int(rng.lognormvariate(6.3, 0.6)))))
            for _ in range(paragraph_count)
        ]
        published_at = END_AT - dt.timedelta(minutes=rng.randrange(1, SPAN_MINUTES))
        title = _make_unique_headline(rng, seen)
        markdown = index % _MARKDOWN_EVERY == 3
        if markdown:
            paragraphs = [_markdown_paragraph(rng, text, number) for number, text in enumerate(paragraphs)]
        meta = ArticleMeta(
            title=title,
            section=rng.choices(sections, weights)[0],
            date=published_at,
            slug=slugify(title),
            dateline=format_dateline(published_at),
            paragraphs=tuple(paragraphs),
            markdown=markdown,
            picture=index % _PICTURE_EVERY == 7,
        )
        stem = f"{index:06d}_{rng.getrandbits(64):016x}"
        if markdown:
            yield f"{stem}.md", render_markdown_article(meta), meta
        else:
            yield f"{stem}.txt", render_raw_text(meta), meta


def generate_articles(n: int, seed: int = 0, *, corpus: str = "varied") -> Iterator[tuple[str, str, ArticleMeta]]:
    """Yield n deterministic (filename, text, meta) triples for the seed and corpus."""
    if corpus == "varied":
        yield from _generate_varied(n, seed)
        return
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


def picture_bytes(meta: ArticleMeta) -> bytes:
    """A JPEG lead picture for an article: a gradient in colours taken from its slug."""
    from io import BytesIO

    from PIL import Image

    digest = sum(map(ord, meta.slug))
    width, height = PICTURE_SIZE
    gradient = Image.linear_gradient("L").resize((width, height))
    colour = Image.new("RGB", (width, height), ((digest * 37) % 256, (digest * 91) % 256, (digest * 53) % 256))
    picture = Image.merge("RGB", (gradient, colour.getchannel(1), gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    out = BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def write_articles(n: int, out_path: Path, *, seed: int = 0, corpus: str = "varied") -> int:
    """Write n articles (and their pictures) into out_path and return the bytes written."""
    out_path.mkdir(parents=True, exist_ok=True)
    total = 0
    for filename, text, meta in generate_articles(n, seed, corpus=corpus):
        data = text.encode("utf-8")
        with open(out_path / filename, "wb") as handle:
            handle.write(data)
        total += len(data)
        if meta.picture:
            picture = picture_bytes(meta)
            (out_path / filename).with_suffix(".jpg").write_bytes(picture)
            total += len(picture)
    return total


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, write the articles and print a one-line summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("outdir", type=Path, help="folder to write the articles into")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--corpus", choices=CORPORA, default="varied", help="varied (default) or uniform (see above)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    total = write_articles(args.n, args.outdir, seed=args.seed, corpus=args.corpus)
    elapsed = time.perf_counter() - started
    print(f"wrote {args.n} articles ({total / 1e6:.1f} MB) to {args.outdir} in {elapsed:.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
