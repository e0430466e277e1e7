"""Errors and warnings, each with the place in a source file that caused it.

The exception tree::

    FlashnewsError
    ├── ConfigError              site.toml is missing, malformed or has unknown keys
    ├── SourceError              one input file is wrong (carries a SourceLocation)
    │   ├── NormalizeError       a raw drop could not be turned into Markdown
    │   ├── FrontMatterError     a .md file's front matter is malformed or invalid
    │   └── UrlCollisionError    two sources claim the same URL (names both files)
    ├── TemplateError            a template is missing or broken (template name and line)
    ├── OutputError              the output folder could not be written
    └── PublishError             normalized drops could not be committed back to the repository
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """A place in a file: a path as shown to the user, a 1-based line and optional column."""

    path: str
    line: int = 1
    column: int | None = None

    def __str__(self) -> str:
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


def _with_hint(message: str, hint: str) -> str:
    return f"{message}; {hint}" if hint else message


class FlashnewsError(Exception):
    """Base class of every error flashnews reports to a user."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return _with_hint(self.message, self.hint)


class ConfigError(FlashnewsError):
    """The site configuration cannot be used."""

    def __init__(self, message: str, *, path: str = "site.toml", hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {_with_hint(self.message, self.hint)}"


class SourceError(FlashnewsError):
    """One input file is wrong; the rest of the site still builds."""

    def __init__(self, location: SourceLocation, message: str, *, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {_with_hint(self.message, self.hint)}"


class NormalizeError(SourceError):
    """A raw drop could not be turned into front-matter Markdown."""


class FrontMatterError(SourceError):
    """A Markdown file's front matter is malformed or holds invalid values."""


class TemplateError(FlashnewsError):
    """A template is missing or cannot be compiled or rendered."""

    def __init__(self, template: str, line: int | None, message: str, *, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.template = template
        self.line = line

    def __str__(self) -> str:
        where = f"templates/{self.template}" + (f":{self.line}" if self.line else "")
        return f"{where}: {_with_hint(self.message, self.hint)}"


class OutputError(FlashnewsError):
    """The output folder could not be written; the previous output is left in place."""


class PublishError(FlashnewsError):
    """The commit of normalized drops could not land on the remote branch; nothing was pushed or built."""


class UrlCollisionError(SourceError):
    """Two sources would be written to the same URL."""


@dataclass(frozen=True, slots=True)
class SourceWarning:
    """Something worth telling an editor that did not stop the file from building."""

    location: SourceLocation
    message: str
    hint: str = ""

    def __str__(self) -> str:
        return f"{self.location}: warning: {_with_hint(self.message, self.hint)}"


def portable_error(exc: FlashnewsError) -> tuple[Any, ...]:
    """An error as plain parts that cross a process boundary (its class, args and attributes:
    the errors here take keyword arguments that pickling an exception would lose)."""
    return (type(exc), exc.args, dict(vars(exc)))


def restore_error(portable: tuple[Any, ...]) -> FlashnewsError:
    """The error a worker process caught, as an instance of its own class again."""
    cls, args, attributes = portable
    error = cls.__new__(cls)
    error.args = args
    vars(error).update(attributes)
    return error  # type: ignore[no-any-return]
