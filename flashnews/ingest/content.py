"""Front-matter Markdown text -> Article: strict YAML, typed known fields, located errors."""

from __future__ import annotations

import difflib
import re
from datetime import datetime, tzinfo
from types import MappingProxyType
from typing import Any

import frontmatter
import yaml

from flashnews.ingest.decode import clean_text
from flashnews.errors import FrontMatterError, SourceLocation, SourceWarning
from flashnews.model import Article
from flashnews.ingest.slugs import is_safe_slug, make_slug

KNOWN_FIELDS = ("title", "date", "category", "slug", "summary", "author", "draft", "lang", "updated")
REQUIRED_FIELDS = ("title", "date", "category")
_LEADING_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060 \t\n"
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0", ""}
_LANG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_MAX_FIELD_CHARS = 2000
_FAST_LOADER: type = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
# A value whose first character is '#' is a YAML comment, so "author: #1" would silently be empty.
_COMMENT_VALUE = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:[ \t]+#")
# " #" after a plain value starts a comment too: "title: Breaking #news" would lose "#news".
_TRAILING_COMMENT = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:[ \t]+[^'\"|>#\s][^#]*?[ \t]#")
# Front matter fences; python-frontmatter's own pattern lets the opening fence swallow blank lines,
# which would shift every reported line.
_OPENING = re.compile(r"-{3,}[ \t]*(?:\n|$)")
_CLOSING = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)
_YAML_HINTS = (
    ("duplicate key", "each field may appear once; delete or rename one of them"),
    ("aliases are not allowed", "'*' starts a YAML alias; put the value in quotes, e.g. title: \"*Breaking*\""),
    ("tag", "'!' starts a YAML tag; put the value in quotes, e.g. title: \"!Breaking\""),
    ("keys must be plain text", "write field names as plain words, e.g. title:"),
    ("nesting depth", "front matter fields are plain 'key: value' lines"),
)


class _NoAliases(yaml.composer.Composer):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "YAML aliases are not allowed", event.start_mark)
        return super().compose_node(parent, index)


def _construct_unique_mapping(loader: yaml.BaseLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, str):
            raise yaml.constructor.ConstructorError(None, None, "keys must be plain text", key_node.start_mark)
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


class _NoTags:
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node.tag not in _PLAIN_TAGS:
            raise yaml.constructor.ConstructorError(None, None, f"YAML tag {node.tag!r} is not allowed", node.start_mark)
        return super().construct_object(node, deep=deep)  # type: ignore[misc]


class _StrictLoader(_NoTags, _NoAliases, yaml.BaseLoader):  # type: ignore[misc]
    """Every scalar stays the string the editor typed; no aliases, no duplicate keys, no tags."""


class _FastLoader(_NoTags, _FAST_LOADER):  # type: ignore[misc,valid-type]
    """The C parser with the same constructor rules, for front matter that has no '&' or '*'."""


for _loader in (_StrictLoader, _FastLoader):
    _loader.add_constructor("tag:yaml.org,2002:map", _construct_unique_mapping)


class _Handler(frontmatter.YAMLHandler):
    """python-frontmatter's YAML handler with the strict loaders above."""

    def load(self, fm: str, **kwargs: object) -> Any:
        loader = _StrictLoader if ("&" in fm or "*" in fm) else _FastLoader
        return yaml.load(fm, Loader=loader)  # noqa: S506 - both loaders construct strings only


_HANDLER = _Handler()

# A front-matter line that needs no YAML parser: "key: value" (a key of at most 1,024
# characters, YAML's limit for a simple key) with the value double-quoted
# (no escapes, no quote, nothing YAML would fold or refuse) or words of letters, digits and a
# few marks separated by single spaces (no ': ', no ' #', nothing that starts YAML syntax).
_SIMPLE_FIELD = re.compile(
    r'([A-Za-z_][A-Za-z0-9_-]{0,1023}): (?:"([^"\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]*)"'
    r"|([^\W_](?:[\w.,+/'’?!()-]|:(?=[^ ]))*(?: (?:[\w.,+/'’?!()-]|:(?=[^ ]))+)*))"
)


def _simple_front_matter(fm: str) -> dict[str, str] | None:
    """What the strict loaders make of fm when every line is a _SIMPLE_FIELD with its own key,
    else None (the property tests hold this to PyYAML). Most front matter is like this, and
    reading it so is several times faster than YAML."""
    lines = fm.split("\n")
    if lines[0] == "":
        lines = lines[1:]
    if lines and lines[-1] == "":
        lines = lines[:-1]
    data: dict[str, str] = {}
    for line in lines:
        match = _SIMPLE_FIELD.fullmatch(line)
        if match is None:
            return None
        key, quoted, plain = match.groups()
        if key in data:
            return None
        data[key] = quoted if quoted is not None else plain
    return data if data else None


def _key_lines(fm: str, first_line: int) -> dict[str, int]:
    lines: dict[str, int] = {}
    for offset, line in enumerate(fm.split("\n")):
        match = re.match(r"([A-Za-z_][\w-]*)\s*:", line)
        if match:
            lines.setdefault(match.group(1), first_line + offset)
    return lines


def _parse_date(value: str, zone: tzinfo) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _split(text: str, path: str) -> tuple[str, str, int, list[SourceWarning]]:
    """Front matter, body and the file line of the opening '---' (the front matter's line 0)."""
    warnings: list[SourceWarning] = []
    stripped = text.lstrip(_LEADING_INVISIBLE)
    skipped = text[: len(text) - len(stripped)]
    if any(ch in skipped for ch in "\ufeff\u200b\u200c\u200d\u2060"):
        warnings.append(SourceWarning(SourceLocation(path, 1), "invisible characters before the front matter were ignored"))
    first_line = skipped.count("\n") + 1
    if not stripped.startswith("---"):
        raise FrontMatterError(
            SourceLocation(path, first_line),
            "no front matter",
            hint="start the file with a line '---', then title, date and category, then '---'",
        )
    opening = _OPENING.match(stripped)
    if opening is None:
        raise FrontMatterError(
            SourceLocation(path, first_line), "the opening '---' must be a line of its own", hint="put the first field on the next line"
        )
    rest = stripped[opening.end() :]
    closing = _CLOSING.search(rest)
    if closing is None:
        raise FrontMatterError(
            SourceLocation(path, first_line), "front matter is never closed", hint="add a line '---' after the last field"
        )
    # The leading newline keeps "line n of the front matter" equal to "file line first_line + n".
    return "\n" + rest[: closing.start()], rest[closing.end() :], first_line, warnings


def _load_front_matter(fm: str, path: str, fm_line: int) -> dict[str, Any]:
    simple = _simple_front_matter(fm)
    if simple is not None:
        return simple
    try:
        data = _HANDLER.load(fm)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and mark and mark.line >= fm.count("\n"):
            # "unexpected end of stream": the construct left open is where the editor must look.
            mark = exc.context_mark
        line = fm_line + (mark.line if mark else 0)
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "malformed YAML"
        hint = next((text for needle, text in _YAML_HINTS if needle in problem), "check quotes and indentation")
        raise FrontMatterError(SourceLocation(path, line, column), f"front matter: {problem}", hint=hint) from exc
    except yaml.YAMLError as exc:
        raise FrontMatterError(SourceLocation(path, fm_line), f"front matter: {exc}") from exc
    except RecursionError as exc:
        lines = fm.split("\n")
        deepest = max(range(len(lines)), key=lambda i: lines[i].count("[") + lines[i].count("{"))
        raise FrontMatterError(
            SourceLocation(path, fm_line + deepest), "front matter is nested too deeply", hint="front matter fields are plain 'key: value' lines"
        ) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError(SourceLocation(path, fm_line), "front matter must be 'key: value' lines", hint="e.g. title: \"...\"")
    return data


def _check_comments(fm: str, path: str, fm_line: int) -> list[SourceWarning]:
    """Refuse values YAML would read as empty comments; warn where a comment cuts a value short."""
    warnings = []
    for offset, line in enumerate(fm.split("\n")):
        location = SourceLocation(path, fm_line + offset)
        match = _COMMENT_VALUE.match(line)
        if match:
            key = match.group(1)
            raise FrontMatterError(
                SourceLocation(path, fm_line + offset, match.end()),
                f"the value of {key} starts with '#', which YAML reads as a comment, so {key} would be empty",
                hint=f"put the value in quotes, e.g. {key}: \"{line[match.end() - 1:].strip()}\"",
            )
        match = _TRAILING_COMMENT.match(line)
        if match:
            warnings.append(
                SourceWarning(location, f"the text of {match.group(1)} after ' #' is a YAML comment and is left out", "put the value in quotes to keep it")
            )
    return warnings


# Extra fields other stages read; anything else unknown is kept in Article.extra as typed.
EXTRA_FIELDS = ("image", "image_alt")


def _misspelt_fields(extra: dict[str, str], path: str, key_lines: dict[str, int], fm_line: int) -> list[SourceWarning]:
    """A warning for each unknown field that looks like a misspelt known one ('auhtor')."""
    warnings = []
    for key in extra:
        if key in EXTRA_FIELDS:
            continue
        close = difflib.get_close_matches(key.casefold(), KNOWN_FIELDS + EXTRA_FIELDS, n=1, cutoff=0.75)
        if close:
            warnings.append(
                SourceWarning(
                    SourceLocation(path, key_lines.get(key, fm_line)),
                    f"unknown field {key!r} is not used",
                    hint=f"did you mean {close[0]!r}?",
                )
            )
    return warnings


def parse_article(text: str, *, path: str, zone: tzinfo) -> tuple[Article, tuple[SourceWarning, ...]]:
    """Parse a .md source; raises FrontMatterError at the line of the first problem.

    Line endings become LF, and characters invalid in XML or that reorder text (bidi overrides)
    are removed with a warning, so a hand-written .md is held to the same rules as a raw drop."""
    text, cleaned = clean_text(text.replace("\r\n", "\n").replace("\r", "\n"), path)
    fm, body, fm_line, warnings = _split(text, path)
    warnings = [*cleaned, *warnings, *_check_comments(fm, path, fm_line)]
    data = _load_front_matter(fm, path, fm_line)
    key_lines = _key_lines(fm, fm_line)

    def fail(key: str, message: str, hint: str = "") -> FrontMatterError:
        return FrontMatterError(SourceLocation(path, key_lines.get(key, fm_line)), message, hint=hint)

    for key, value in data.items():
        if key in KNOWN_FIELDS and not isinstance(value, str):
            raise fail(key, f"{key} must be text, not a {'list' if isinstance(value, list) else 'mapping'}")
        if isinstance(value, str) and len(value) > _MAX_FIELD_CHARS:
            raise fail(key, f"{key} is longer than {_MAX_FIELD_CHARS} characters")
    for key in REQUIRED_FIELDS:
        if key in key_lines and not str(data.get(key, "")).strip():
            raise fail(key, f"{key} is empty", hint=f"write the {key} after '{key}:'")
        if not str(data.get(key, "")).strip():
            closing = SourceLocation(path, fm_line + fm.count("\n"))
            raise FrontMatterError(closing, f"{key} is missing", hint=f"add a line '{key}: ...' above the closing '---'")
    date = _parse_date(data["date"], zone)
    if date is None:
        raise fail("date", f"date {data['date']!r} is not an ISO 8601 date", hint="write it like 2025-02-27T14:30:00+01:00")
    updated = None
    if str(data.get("updated", "")).strip():
        updated = _parse_date(data["updated"], zone)
        if updated is None:
            raise fail("updated", f"updated {data['updated']!r} is not an ISO 8601 date", hint="write it like 2025-02-27T14:30:00+01:00")
    draft_text = data.get("draft", "").strip().casefold()
    if draft_text not in _TRUE | _FALSE:
        raise fail("draft", f"draft must be true or false, not {data['draft']!r}")
    title = " ".join(data["title"].split())
    slug = data.get("slug", "").strip() or make_slug(title)
    if not is_safe_slug(slug):
        raise fail("slug", f"slug {slug!r} is not a safe URL segment", hint="use lowercase letters, digits and single hyphens")
    lang = data.get("lang", "").strip()
    if lang and not _LANG.fullmatch(lang):
        raise fail("lang", f"lang {lang!r} is not a language tag", hint="use e.g. sq or en")
    extra = {key: value if isinstance(value, str) else repr(value) for key, value in data.items() if key not in KNOWN_FIELDS}
    warnings.extend(_misspelt_fields(extra, path, key_lines, fm_line))
    body_line = fm_line + fm.count("\n") + (len(body) - len(body.lstrip("\n")))
    article = Article(
        source_path=path,
        title=title,
        date=date,
        category=" ".join(data["category"].split()),
        slug=slug,
        body=body.strip("\n"),
        summary=" ".join(data.get("summary", "").split()),
        author=" ".join(data.get("author", "").split()),
        draft=draft_text in _TRUE,
        lang=lang,
        updated=updated,
        body_line=body_line,
        extra=MappingProxyType(dict(sorted(extra.items()))),
        field_lines=MappingProxyType({key: line for key, line in key_lines.items() if key in data}),
    )
    return article, tuple(warnings)
