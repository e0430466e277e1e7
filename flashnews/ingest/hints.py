"""site.toml's word lists, folded once per configuration, and one drop's dateline reader -> the
questions the layout asks of a line: is it a known site name, rail heading, share button, byline
or dateline."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from flashnews.ingest.bylines import BylineReader
from flashnews.config import NormalizeConfig, SectionConfig
from flashnews.ingest.datelines import DateReader, FoundDate
from flashnews.ingest.furniture import keys, line_key


@dataclass(frozen=True, slots=True)
class WordLists:
    """The configured word lists, folded for matching (made once per configuration)."""

    site_names: frozenset[str]
    rails: frozenset[str]
    noise: frozenset[str]
    prompts: frozenset[str]
    credits: frozenset[str]
    social: frozenset[str]
    sections: dict[str, str]
    bylines: BylineReader
    signup: re.Pattern[str]


@functools.lru_cache(maxsize=8)
def word_lists(config: NormalizeConfig, sections: tuple[SectionConfig, ...]) -> WordLists:
    return WordLists(
        keys(config.site_names),
        keys(config.footer_markers),
        keys(config.noise_lines),
        keys(config.prompt_prefixes),
        keys(config.credit_prefixes),
        keys(config.social_names),
        {line_key(spelling): s.name for s in sections for spelling in (s.name, *s.aliases)},
        BylineReader(config.byline_prefixes),
        re.compile("|".join(rf"(?<!\w){re.escape(line_key(w))}(?!\w)" for w in config.signup_words if w.strip()) or r"(?!)"),
    )


class Hints:
    """The configured word lists, and the datelines of one drop as they are read."""

    def __init__(self, config: NormalizeConfig, sections: tuple[SectionConfig, ...]) -> None:
        lists = word_lists(config, sections)
        self.site_names, self.rails, self.noise = lists.site_names, lists.rails, lists.noise
        self.prompts, self.credits, self.social = lists.prompts, lists.credits, lists.social
        self.sections, self.bylines, self.signup = lists.sections, lists.bylines, lists.signup
        self.dates: DateReader | None = None
        self._dated: dict[str, FoundDate | None] = {}

    def byline(self, text: str) -> str | None:
        return self.bylines.read(text, credit_words=self.credits)

    def byline_over(self, text: str, following: str | None) -> str | None:
        """The author a line names, reading a lone lead-in ("By") together with the line under it."""
        if following is not None and self.bylines.is_lead_in(text):
            return self.byline(f"{text} {following}")
        return self.byline(text)

    def dateline(self, text: str) -> FoundDate | None:
        """The date of a dateline (remembered: the layout asks about the same lines often)."""
        if self.dates is None or text in self._dated:
            return self._dated.get(text)
        found = self._dated[text] = self.dates.read(text)
        return found
