"""Jinja's environment, compiling templates to the same output with fewer Python calls.

A news page prints a couple of hundred values and looks up about as many `a.b` names, most of
them strings in the plain dicts page contexts are made of. Jinja compiles each `{{ value }}` to
a call of markupsafe's `escape` (three Python frames: escape, Markup.__new__, str.__new__) and
each `a.b` to a call of `environment.getattr`. Together they are about half the cost of
rendering a page. This code generator (Jinja's documented `code_generator_class` hook) writes
the common case inline instead:

- a printed value that is exactly a `str` is escaped by markupsafe's own C routine, and any
  other value (Markup, numbers, undefined) goes to `escape` as before. Printed values are only
  ever joined into the page, so a plain escaped `str` there is the same text as the Markup
  `escape` would return;
- `a.b`, when `a` is a plain dict holding the key `b` and `b` is not the name of a dict method,
  is `a["b"]`, which is what `environment.getattr` returns for it (see `Environment.getattr`
  below); anything else goes to `environment.getattr` as before.

Each `a.b` and each printed value is evaluated once (an assignment expression holds it). The
templates must render byte for byte as with Jinja's own code generator (tests/test_templating.py
compares the two on every page of the golden site, on Jinja's other constructs and on random
values). Two differences remain outside what pages are made of: Template.generate() and stream()
yield printed strings as str rather than Markup (the same text), and a dict key whose __eq__
raises would raise here where Jinja's getattr gives an undefined value.

The generator overrides and calls internals of Jinja's compiler and markupsafe, which pyproject.toml
pins to the releases they are known in (tests/versions/run.sh tests the lowest and the highest).
They are checked once, at import: if one is missing or has another shape, templates are compiled by
Jinja's own code generator instead (the same pages, rendered more slowly) and a
TemplatingFallbackWarning says which.
"""

from __future__ import annotations

import inspect
import multiprocessing
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import jinja2
import jinja2.compiler
import jinja2.runtime
import markupsafe
from jinja2 import nodes
from jinja2.compiler import CodeGenerator

if TYPE_CHECKING:
    from jinja2.compiler import Frame


class TemplatingFallbackWarning(UserWarning):
    """Jinja's or markupsafe's internals are not what the fast code generator was written for."""


# The internals the fast code generator overrides or calls, with their parameters as in Jinja
# 3.1.0 to 3.1.6 and markupsafe 3.0.0 to 3.0.4.
_COMPILER_PARAMETERS: dict[str, tuple[str, ...]] = {
    "CodeGenerator.visit_Template": ("self", "node", "frame"),
    "CodeGenerator._output_child_pre": ("self", "node", "frame", "finalize"),
    "CodeGenerator._output_child_post": ("self", "node", "frame", "finalize"),
    "CodeGenerator.visit_Getattr": ("self", "node", "frame"),
    "CodeGenerator._FinalizeInfo": ("const", "src"),
    "Frame": ("eval_ctx", "parent", "level"),
    "optimizeconst": ("f",),
}
# Every character markupsafe escapes, and some it leaves alone.
_ESCAPE_PROBE = "<a href=\"x\" title='&amp;'>é</a>"


def find_hook_problems() -> tuple[str, ...]:
    """What the fast code generator needs from Jinja and markupsafe and is missing or has
    another shape in the installed versions; empty when the fast path can be used."""
    problems: list[str] = []
    for name, parameters in _COMPILER_PARAMETERS.items():
        if _parameters_of(_lookup(jinja2.compiler, name)) != parameters:
            problems.append(f"jinja2.compiler.{name} is missing or its parameters are not ({', '.join(parameters)})")
    if "escape" not in getattr(jinja2.runtime, "exported", ()):
        problems.append("jinja2.runtime no longer exports escape to compiled templates")
    escape_inner = getattr(markupsafe, "_escape_inner", None)
    try:
        escaped = escape_inner(_ESCAPE_PROBE) if callable(escape_inner) else None
    except (TypeError, ValueError):
        escaped = None
    if type(escaped) is not str or escaped != str(markupsafe.escape(_ESCAPE_PROBE)):
        problems.append("markupsafe._escape_inner is missing or does not escape a str to a str as escape does")
    return tuple(problems)


def _lookup(module: object, dotted_name: str) -> Any:
    found: Any = module
    for name in dotted_name.split("."):
        found = getattr(found, name, None)
    return found


def _parameters_of(found: Any) -> tuple[str, ...] | None:
    fields = getattr(found, "_fields", None)  # a NamedTuple is known by its fields
    if isinstance(fields, tuple):
        return fields
    if not callable(found):
        return None
    try:
        return tuple(inspect.signature(found).parameters)
    except (TypeError, ValueError):
        return None


HOOK_PROBLEMS = find_hook_problems()
if HOOK_PROBLEMS and multiprocessing.parent_process() is None:  # once per build, not per worker
    warnings.warn(
        "templates are compiled by Jinja's own code generator, which renders the same pages more "
        f"slowly: {'; '.join(HOOK_PROBLEMS)} (flashnews is tested with the jinja2 and markupsafe "
        "versions pyproject.toml allows)",
        TemplatingFallbackWarning,
    )

_DICT_ATTRIBUTES = frozenset(dir(dict))
# markupsafe's escaping of a str to a str: its C routine (or its pure-Python fallback where the
# extension is missing). Compiled templates import it only when the checks above passed.
escape_str = getattr(markupsafe, "_escape_inner", None)
_TEMP = "t_fn_value"  # a name Jinja's own generated code never uses (it numbers its t_ names)
# Where Jinja has no optimizeconst, FastCodeGenerator is defined without it and never used.
_optimizeconst: Callable[[Any], Any] = getattr(jinja2.compiler, "optimizeconst", lambda method: method)


class FastCodeGenerator(CodeGenerator):
    """Jinja's code generator with the inline fast paths described in the module docstring."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        self.writeline("from flashnews.compose.templating import escape_str as t_fn_escape_str")
        super().visit_Template(node, frame)

    def _fast_escape(self, frame: Frame, finalize: Any) -> bool:
        return (
            frame.eval_ctx.autoescape
            and not frame.eval_ctx.volatile
            and finalize.src is None
            and not self.environment.is_async
        )

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._fast_escape(frame, finalize):
            self.write(f"(t_fn_escape_str({_TEMP}) if type({_TEMP} := (")
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._fast_escape(frame, finalize):
            self.write(f")) is str else escape({_TEMP}))")
        else:
            super()._output_child_post(node, frame, finalize)

    @_optimizeconst
    def visit_Getattr(self, node: nodes.Getattr, frame: Frame) -> None:
        if self.environment.is_async or node.attr in _DICT_ATTRIBUTES:
            super().visit_Getattr(node, frame)
            return
        name = repr(node.attr)
        self.write(f"({_TEMP}[{name}] if type({_TEMP} := (")
        self.visit(node.node, frame)
        self.write(f")) is dict and {name} in {_TEMP} else environment.getattr({_TEMP}, {name}))")


class Environment(jinja2.Environment):
    """Jinja's environment with the fast code generator, and a faster `a.b` on plain dicts
    where the generated code still calls getattr (a name that is not in the dict).

    Jinja looks `b` up as an attribute first and as a key only after an AttributeError, which
    costs more than the rest of the lookup; a plain dict has no attributes but dict's own, so
    going to the key first for any other name gives the same value (Environment.getattr is
    public, so this holds with either code generator)."""

    code_generator_class = CodeGenerator if HOOK_PROBLEMS else FastCodeGenerator

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)
