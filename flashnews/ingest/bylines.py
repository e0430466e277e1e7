"""Byline text in any language ("By Ana Lika, Tirana", "Piše: Dragan Petrović", "Samuel Osei |
Staff writer", "Текст: Ненад Илић") -> the author's name, with roles, places and agencies split off."""

from __future__ import annotations

import re

# Lowercase words that may stand inside a name ("Ludwig van Beethoven", "Ana de Armas").
_PARTICLES = frozenset("de da di del della der den van von la le du dos das bin ibn al el y e i".split())
_ROLE_SEPARATORS = re.compile(r"\s+[|·•/–—-]\s+|\s*[|·•]\s*|,\s+|\s+\(")
_AND = re.compile(r"\s+(?:and|&|dhe|i|и|und|et|y|e)\s+", re.IGNORECASE)
_MAX_NAME_WORDS = 5


def _is_name_word(word: str) -> bool:
    word = word.strip(".,'’")
    if not word:
        return False
    if word.casefold() in _PARTICLES:
        return True
    return word[0].isupper() and all(c.isalpha() or c in ".'’-" for c in word)


def name_of(text: str) -> str | None:
    """The text as a person's (or agency's) name: capitalized words, or None."""
    words = text.split()
    if not 1 <= len(words) <= _MAX_NAME_WORDS or not all(_is_name_word(w) for w in words):
        return None
    if words[0] in _PARTICLES or words[-1] in _PARTICLES:
        return None  # "van Dijk" alone is half a name; "Al Root" and "Van Morrison" are names
    return " ".join(words)


def _names(text: str) -> str | None:
    """One or more names joined by "and" ("Ana Lika and Ben Hoxha"), else None."""
    parts = _AND.split(text.strip())
    if not all(name_of(part) for part in parts):
        return None
    return text.strip()


# "Reporting by Ana Lika in Tirana": a place after a short word before a capital.
_PLACE = re.compile(r"\s+(?:in|from|at|for|në|nga|u|iz|из|в|во|aus|für|en|à|a|de)\s+(?=[^\W\d_])(?=\w*[A-ZÀ-ÞА-ЯЁ])")


def _strip_role(text: str) -> str:
    """"Ana Lika, Tirana" -> "Ana Lika"; "Samuel Osei | Staff writer" -> "Samuel Osei"."""
    name = _ROLE_SEPARATORS.split(text, maxsplit=1)[0].strip()
    return _PLACE.split(name, maxsplit=1)[0].strip()


class BylineReader:
    """Finds the author in a byline line, with the configured lead-in words as hints."""

    def __init__(self, prefixes: tuple[str, ...]) -> None:
        words = sorted({p.strip().rstrip(":").casefold() for p in prefixes if p.strip()}, key=len, reverse=True)
        self._lead_ins = frozenset(words)
        alternatives = "|".join(re.escape(w) for w in words) or r"(?!)"
        self._prefixed = re.compile(rf"(?:{alternatives})\s*:?\s+(?P<rest>.+)", re.IGNORECASE)
        # "Piše: Dragan Petrović", "Текст: Ненад Илић": one or two words and a colon before a name.
        self._labelled = re.compile(r"(?P<label>[^\W\d_]+(?:\s+[^\W\d_]+)?)\s*:\s+(?P<rest>.+)")

    def read(self, line: str, *, credit_words: frozenset[str] = frozenset()) -> str | None:
        """The author named by a byline line, else None (a sentence is never a byline)."""
        text = " ".join(line.split())
        if len(text.split()) > 20:
            return None
        if text.endswith((".", "!", "?")) and not text.endswith(("Jr.", "Sr.", "a.m.", "p.m.")):
            return None  # "Par AA AA 0 0." is a sentence; "By Louis Jacobson on Monday at 11:04 a.m." a byline
        if self._prefixed.fullmatch(text):
            return self._prefixed_name(text)
        if " | " in text:
            # "February 1, 2019 | BY: Ilana Muhlstein, MS, RDN": one part of a row is the byline.
            for part in text.split(" | "):
                name = self._read_one(part, credit_words)
                if name:
                    return name
        return self._read_one(text, credit_words)

    def is_lead_in(self, line: str) -> bool:
        """"By" alone on its line, the name on the next: a byline a page copy split in two."""
        return " ".join(line.split()).rstrip(":").casefold() in self._lead_ins

    def _prefixed_name(self, text: str) -> str | None:
        """"By Louis Jacobson on Monday, November 18th, 2019 at 11:04 a.m.": the name leads."""
        match = self._prefixed.fullmatch(text)
        assert match is not None
        rest = _strip_role(_before_date(match.group("rest")))
        return _names(rest) or leading_name(rest)

    def _read_one(self, text: str, credit_words: frozenset[str]) -> str | None:
        if len(text.split()) > 16:
            return None
        if self._prefixed.fullmatch(text):
            return self._prefixed_name(text)
        match = self._labelled.fullmatch(text)
        if match is not None and match.group("label").casefold() not in credit_words:
            name = _names(_strip_role(match.group("rest")))
            return name if name and len(name.split()) >= 2 else None
        if re.search(r"\s[|·•]\s", text):
            # "Samuel Osei | Staff writer": a name, then a role (words: "Ana Lika | 0.5" is no byline).
            role = re.split(r"\s[|·•]\s", text, maxsplit=1)[1]
            name = name_of(_strip_role(text)) if re.search(r"[^\W\d_]", role) else None
            return name if name and len(name.split()) >= 2 else None
        return None


def leading_name(text: str) -> str | None:
    """The name a byline opens with, before words that are no name ("Moritz Bachmann publiziert
    am"): two to five name words, then a lowercase word."""
    words = text.split()
    taken: list[str] = []
    for word in words:
        if not _is_name_word(word) or word.endswith(","):
            if word.endswith(",") and _is_name_word(word.rstrip(",")):
                taken.append(word.rstrip(","))
            break
        taken.append(word)
    if len(taken) < 2 or len(words) - len(taken) > 12:
        return None
    return name_of(" ".join(taken))


def _before_date(text: str) -> str:
    """"Surur on November 19, 2019" -> "Surur": a byline may go on with its date."""
    return re.split(r"\s+(?:on|am|le|el|il|më|on\s+the)\s+(?=\S*\d)|\s+\d", text, maxsplit=1)[0]
