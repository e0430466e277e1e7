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
"""

from __future__ import annotations

from typing import Any

import jinja2
import markupsafe
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst

_DICT_ATTRIBUTES = frozenset(dir(dict))
# markupsafe's escaping of a str to a str: its C routine (or its pure-Python fallback where the
# extension is missing). Without it (another markupsafe), printed values go to `escape` as before.
escape_str = getattr(markupsafe, "_escape_inner", None)
_TEMP = "t_fn_value"  # a name Jinja's own generated code never uses (it numbers its t_ names)


class FastCodeGenerator(CodeGenerator):
    """Jinja's code generator with the inline fast paths described in the module docstring."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        self.writeline("from flashnews.templating import escape_str as t_fn_escape_str")
        super().visit_Template(node, frame)

    def _fast_escape(self, frame: Frame, finalize: Any) -> bool:
        return (
            escape_str is not None
            and frame.eval_ctx.autoescape
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

    @optimizeconst
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
    going to the key first for any other name gives the same value."""

    code_generator_class = FastCodeGenerator

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)
