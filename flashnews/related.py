"""Site -> related articles for every article: same section, shared key terms, nearby in time.

Only a window of the section's neighbouring articles are candidates, so the cost per article is
fixed and one new article can change only the related lists of the articles near it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from collections.abc import Mapping

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


def key_terms(title: str, lead: str) -> frozenset[str]:
    """The words that identify a story: long, not stop words, accents folded and cut to a
    short stem so 'Tirana', 'Tiranës' and 'Tiranes' meet."""
    terms = set()
    for word in _WORD.findall(f"{title} {lead}"):
        if len(word) < _MIN_WORD or word.isdigit() or word.casefold() in STOPWORDS:
            continue
        folded = _fold(word)
        if folded in STOPWORDS:
            continue
        terms.add(folded[:_STEM_LENGTH])
    return frozenset(terms)


def find_related(
    site: Site, *, count: int = RELATED_COUNT, window: int = CANDIDATE_WINDOW
) -> Mapping[str, tuple[RenderedArticle, ...]]:
    """For each article (by source path): up to `count` articles of its section that share key
    terms with it, most shared terms first, then the nearest in the section's order."""
    related: dict[str, tuple[RenderedArticle, ...]] = {}
    for section in site.sections:
        items = section.articles
        terms = [key_terms(item.article.title, item.lead) for item in items]
        for index, item in enumerate(items):
            scored = []
            for other in range(max(0, index - window), min(len(items), index + window + 1)):
                if other == index:
                    continue
                shared = len(terms[index] & terms[other])
                if shared:
                    scored.append((-shared, abs(other - index), other))
            related[item.article.source_path] = tuple(items[other] for _, _, other in sorted(scored)[:count])
    return related
