"""Site -> related articles for every article: same section, shared key terms, nearby in time.

Only a window of the section's neighbouring articles are candidates, so the cost per article is
fixed and one new article can change only the related lists of the articles near it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from flashnews.model import RenderedArticle, Site

RELATED_COUNT = 4
# Candidates on each side of an article in its section's newest-first list.
CANDIDATE_WINDOW = 50
_WORD = re.compile(r"\w+")
_STEM_LENGTH = 5
_MIN_WORD = 4
# Frequent English and Albanian words that say nothing about a story's subject.
STOPWORDS = frozenset(
    """
    about after again also amid among another around back been before being between both could during each
    from have having here into just last latest more most much must next only other over said says same
    says should since some still such than that their them then there these they this those through under
    until very were what when where which while will with would year years week today yesterday according
    është ishte janë kanë kemi keni duke edhe sipas nga për pas para prej mbi nën pranë rreth gjatë midis
    mund tashmë sot dje javë vjet vitin viti këtë kjo këto ato atij asaj tyre tona jonë juaj cila cili cilat
    """.split()
)


# Headlines and leads repeat the same words thousands of times across a site.
@lru_cache(maxsize=1 << 16)
def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1 << 14)  # a watch session re-plans the same neighbours build after build
def key_terms(title: str, lead: str) -> frozenset[str]:
    """The words that identify a story: long, not stop words, accents folded and cut to a
    short stem so 'Tirana', 'Tiranës' and 'Tiranes' meet."""
    terms = {_term(word) for word in _WORD.findall(f"{title} {lead}")}
    terms.discard(None)
    return frozenset(terms)  # type: ignore[arg-type]


@lru_cache(maxsize=1 << 16)
def _term(word: str) -> str | None:
    """The stem a word counts as, or None when it says nothing about a story's subject."""
    if len(word) < _MIN_WORD or word.isdigit() or word.casefold() in STOPWORDS:
        return None
    folded = _fold(word)
    return None if folded in STOPWORDS else folded[:_STEM_LENGTH]


def window_span(index: int, window: int = CANDIDATE_WINDOW) -> tuple[int, int]:
    """The positions [start, stop) of the related-article candidates of the article at `index`
    of its section's articles (newest first): its neighbours on either side, itself included."""
    return max(0, index - window), index + window + 1


class RelatedFinder:
    """Related articles of one site, computed per article on demand (a build that re-renders
    a few pages pays for a few lists); key terms are worked out once per article.

    An article's terms are kept as a bit mask over the terms seen so far (one bit per term), so
    counting the terms two articles share is an AND and a bit count."""

    def __init__(self, site: Site, *, count: int = RELATED_COUNT, window: int = CANDIDATE_WINDOW) -> None:
        self._count = count
        self._window = window
        self._place: dict[str, tuple[tuple[RenderedArticle, ...], int]] = {}
        # Each section's key-term masks, aligned with its articles and worked out on first use.
        self._section_terms: dict[int, list[int | None]] = {}
        self._bits: dict[str, int] = {}
        for section in site.sections:
            self._section_terms[id(section.articles)] = [None] * len(section.articles)
            for index, item in enumerate(section.articles):
                self._place[item.article.source_path] = (section.articles, index)

    def _mask(self, item: RenderedArticle) -> int:
        """The bit mask of an article's key terms."""
        bits = self._bits
        mask = 0
        terms = item.key_terms if item.key_terms is not None else key_terms(item.article.title, item.lead)
        for term in terms:
            bit = bits.get(term)
            if bit is None:
                bit = bits[term] = 1 << len(bits)
            mask |= bit
        return mask

    def _terms_in(self, items: tuple[RenderedArticle, ...], start: int, stop: int) -> list[int]:
        """The key-term masks of items[start:stop], items being one of the site's section lists."""
        terms = self._section_terms[id(items)]
        for position in range(start, min(stop, len(items))):
            if terms[position] is None:
                terms[position] = self._mask(items[position])
        return terms[start:stop]  # type: ignore[return-value]

    def place(self, source_path: str) -> tuple[tuple[RenderedArticle, ...], int]:
        """The article's section (its articles, newest first) and the article's position in it."""
        return self._place[source_path]

    def span(self, index: int) -> tuple[int, int]:
        return window_span(index, self._window)

    def window(self, source_path: str) -> tuple[tuple[RenderedArticle, ...], int]:
        """The candidates of an article (its section's neighbours, itself included) and its
        position among them: everything its related list is computed from."""
        items, index = self._place[source_path]
        start, stop = self.span(index)
        return items[start:stop], index - start

    def related(self, source_path: str) -> tuple[RenderedArticle, ...]:
        """Up to `count` articles of the article's section that share key terms with it, most
        shared terms first, then the nearest in the section's order."""
        if source_path not in self._place:
            return ()
        items, index = self._place[source_path]
        start, stop = self.span(index)
        terms = self._terms_in(items, start, stop)
        return self._rank(items[start:stop], terms, index - start, terms[index - start])

    def _rank(
        self, candidates: tuple[RenderedArticle, ...], terms: list[int], index: int, own: int
    ) -> tuple[RenderedArticle, ...]:
        shared = [(own & mask).bit_count() for mask in terms]
        # Positions nearest first (the earlier one first at equal distance); a stable sort on
        # the shared-term count then orders by count, then by nearness.
        ranked = sorted(_nearest_first(len(terms), index), key=shared.__getitem__, reverse=True)[: self._count]
        return tuple(candidates[other] for other in ranked if shared[other])


@lru_cache(maxsize=1024)
def _nearest_first(length: int, index: int) -> tuple[int, ...]:
    """Positions 0..length-1 but index, nearest to index first (the earlier one at equal distance)."""
    return tuple(sorted((other for other in range(length) if other != index), key=lambda other: (abs(other - index), other)))
