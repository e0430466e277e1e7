"""flashnews.compose.templating compiles templates to the same output as Jinja's own code generator."""

from __future__ import annotations

import copy
import importlib.util
import warnings
from collections import OrderedDict, defaultdict
from datetime import datetime
from types import ModuleType

import jinja2
import jinja2.compiler
import markupsafe
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from flashnews.ingest import content, markup
from flashnews.compose import render, templating
from flashnews.config import load_config
from tests.pages import plan_all
from flashnews.compose.render import PagePlan, create_environment, render_page
from flashnews.compose.site import collect_site
from tests.golden.regenerate import BASE_URL, GOLDEN, NOW, REPO

OPTIONS = {"autoescape": True, "keep_trailing_newline": True, "trim_blocks": True, "lstrip_blocks": True}


class Thing:
    x = "<thing & co>"
    title = "attribute"

    def shout(self, word: str) -> str:
        return word.upper() + "!"


class Html:
    def __html__(self) -> str:
        return "<em>already safe</em>"


class Loud(str):
    pass


PARTS = {
    "_item.html": "<li>{{ item.title }} {{ item.n }}</li>",
    "base.html": "<title>{% block title %}{{ site.name }}{% endblock %}</title>{% block main %}{% endblock %}",
    "child.html": (
        '{% extends "base.html" %}{% block title %}{{ page.title }} - {{ super() }}{% endblock %}'
        "{% block main %}{% for item in page.items %}{% include '_item.html' %}{% endfor %}{{ self.title() }}{% endblock %}"
    ),
}

CONTEXT = {
    "d": {
        "a": "<a href='x'>&amp; \"quoted\"</a>",
        "items": "a key that shadows dict.items",
        "nested": {"deeper": {"deepest": "<3"}},
        "n": 7,
        "f": 1.5,
        "none": None,
        "yes": True,
        "markup": Markup("<b>bold</b>"),
        "html": Html(),
        "loud": Loud("<loud>"),
        "list": [{"x": "<1>"}, {"x": "2"}],
        "tree": [{"name": "root<", "children": [{"name": "leaf>", "children": []}]}],
    },
    "obj": Thing(),
    "ordered": OrderedDict(a="<ordered>"),
    "default": defaultdict(str, a="<default>"),
    "site": {"name": "Flash & News"},
    "page": {"title": "<Page>", "items": [{"title": "one<", "n": 1}, {"title": "two>", "n": 2}]},
    "pair": ("<", ">"),
}

CONSTRUCTS = [
    "{{ d.a }}|{{ d.n }}|{{ d.f }}|{{ d.none }}|{{ d.yes }}|{{ d.markup }}|{{ d.html }}|{{ d.loud }}",
    "{{ d.nested.deeper.deepest }}{{ d.nested['deeper'].deepest }}{{ d['nested'].deeper['deepest'] }}",
    "{{ d.items is callable }}|{{ d.items() | list | length }}|{{ d.keys() | list | first }}|{{ d.get('a') }}",
    "{{ obj.x }}{{ obj.title }}{{ obj.shout(d.a) }}{{ ordered.a }}{{ default.a }}{{ default.missing }}",
    "{{ d.a ~ d.n ~ obj.x }}{{ d.a | upper }}{{ d.a | length }}{{ (d.n + 1) * 2 }}{{ d.a if d.yes else d.n }}",
    "{% for item in d.list %}{{ loop.index }}:{{ item.x }}{% if not loop.last %},{% endif %}{% else %}none{% endfor %}",
    "{% for item in d.none or [] %}{{ item }}{% else %}{{ d.a }}{% endfor %}",
    "{% for node in d.tree recursive %}<{{ node.name }}>{{ loop(node.children) }}{% endfor %}",
    "{% macro card(item, cls='c') %}<p class='{{ cls }}'>{{ item.x }}{{ caller() if caller else '' }}</p>{% endmacro %}"
    "{{ card(d.list[0]) }}{% call card(d.list[1], cls=d.a) %}{{ d.a }}{% endcall %}",
    "{% set s %}{{ d.a }}{{ d.markup }}{% endset %}{{ s }}|{{ s | length }}",
    "{% set t = d.a ~ '!' %}{{ t }}{% set u = d.markup ~ d.a %}{{ u }}",
    "{% autoescape false %}{{ d.a }}{{ d.nested.deeper.deepest }}{% endautoescape %}{{ d.a }}",
    "{% filter upper %}{{ d.a }}{{ obj.x }}{% endfilter %}",
    "{% set ns = namespace(v=d.a) %}{% for i in d.list %}{% set ns.v = ns.v ~ i.x %}{% endfor %}{{ ns.v }}",
    "{% with a = d.nested.deeper %}{{ a.deepest }}{% endwith %}{{ d | tojson }}",
    "{{ d.a is defined }}{{ d.zzz is defined }}{{ obj.zzz is defined }}{% if d.nested.deeper %}{{ d.n }}{% endif %}",
    "{{ pair[0] }}{{ pair.0 }}{{ page.items | map(attribute='title') | join(', ') }}{{ page['items'][1].title }}",
    "{% include 'child.html' %}",
    "{{ '<lit>' }}{{ d.a | safe }}{{ d.a | e }}{{ d.a | forceescape }}",
]


def _stock(loader: jinja2.BaseLoader, **options: object) -> jinja2.Environment:
    return jinja2.Environment(loader=loader, **(OPTIONS | options))  # type: ignore[arg-type]


def _fast(loader: jinja2.BaseLoader, **options: object) -> jinja2.Environment:
    return templating.Environment(loader=loader, **(OPTIONS | options))  # type: ignore[arg-type]


def _outcome(environment: jinja2.Environment, name: str, context: dict[str, object]) -> tuple[str, str]:
    context = copy.deepcopy(context)  # a render may change its context (a defaultdict grows)
    try:
        return "ok", environment.get_template(name).render(context)
    except Exception as exc:  # the same error, of the same class, is part of the same behaviour
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("undefined", [jinja2.Undefined, jinja2.StrictUndefined])
@pytest.mark.parametrize("source", CONSTRUCTS)
def test_every_construct_renders_as_with_jinjas_own_code(source, undefined):
    loader = jinja2.DictLoader(PARTS | {"page.html": source})
    fast = _outcome(_fast(loader, undefined=undefined), "page.html", CONTEXT)
    assert fast == _outcome(_stock(loader, undefined=undefined), "page.html", CONTEXT)


@pytest.mark.parametrize(
    "source",
    ["{{ d.missing }}", "{{ d.nested.missing.deeper }}", "{{ obj.missing }}", "{{ nothing.at_all }}", "{{ d.n.real.x }}"],
)
def test_missing_names_fail_or_print_alike(source):
    loader = jinja2.DictLoader({"page.html": source})
    for undefined in (jinja2.Undefined, jinja2.StrictUndefined, jinja2.ChainableUndefined):
        fast = _outcome(_fast(loader, undefined=undefined), "page.html", CONTEXT)
        assert fast == _outcome(_stock(loader, undefined=undefined), "page.html", CONTEXT)


def test_without_autoescape_values_are_printed_as_they_are():
    loader = jinja2.DictLoader({"page.html": CONSTRUCTS[0] + CONSTRUCTS[1]})
    fast = _fast(loader, autoescape=False).get_template("page.html").render(CONTEXT)
    assert fast == _stock(loader, autoescape=False).get_template("page.html").render(CONTEXT)
    assert "<a href='x'>" in fast


def test_the_fast_paths_are_in_the_compiled_code():
    """The tests above would pass on Jinja's own code generator too; this one fails without ours."""
    code = _fast(jinja2.DictLoader({})).compile("{{ d.a }}", raw=True)
    assert "t_fn_escape_str(" in code and "is dict and 'a' in" in code
    assert "'items' in" not in _fast(jinja2.DictLoader({})).compile("{{ d.items }}", raw=True)


def _golden_plans() -> list[PagePlan]:
    """Each page of the five-article golden site (articles, listings, feeds, sitemaps, 404)."""
    config = load_config(GOLDEN / "site.toml", base_url=BASE_URL)
    converter = markup.create_converter()
    items = [
        markup.render_article(content.parse_article(p.read_text("utf-8"), path=p.name, zone=config.tz)[0], converter)
        for p in sorted((GOLDEN / "content").glob("*.md"))
    ]
    site, _ = collect_site(items, now=datetime.fromisoformat(NOW), config=config)
    plans = list(plan_all(site, config))
    assert {plan.template for plan in plans} >= {"article.html", "index.html", "section.html", "404.html", "rss.xml"}
    return plans


def test_every_page_of_the_golden_site_renders_as_with_jinjas_own_code():
    templates = REPO / "templates"
    ours = create_environment(templates)
    assert isinstance(ours, templating.Environment)
    stock = _stock(jinja2.FileSystemLoader(templates), undefined=jinja2.StrictUndefined)
    for plan in _golden_plans():
        assert render_page(ours, plan).data == render_page(stock, plan).data, plan.path


def test_the_installed_jinja_and_markupsafe_have_every_internal_the_fast_path_uses():
    assert templating.HOOK_PROBLEMS == ()
    assert templating.Environment.code_generator_class is templating.FastCodeGenerator


def _import_templating_afresh() -> ModuleType:
    """flashnews.compose.templating as a build started now would import it; the loaded module is left alone."""
    spec = importlib.util.find_spec("flashnews.compose.templating")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _remove_optimizeconst(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(jinja2.compiler, "optimizeconst")


def _add_a_parameter_to_output_child_pre(monkeypatch: pytest.MonkeyPatch) -> None:
    original = jinja2.compiler.CodeGenerator._output_child_pre

    def changed(self, node, frame, finalize, *, spaceless=False):  # Jinja itself still renders
        original(self, node, frame, finalize)

    monkeypatch.setattr(jinja2.compiler.CodeGenerator, "_output_child_pre", changed)


def _make_escape_inner_return_markup(monkeypatch: pytest.MonkeyPatch) -> None:
    original = markupsafe._escape_inner
    monkeypatch.setattr(markupsafe, "_escape_inner", lambda text, /: Markup(original(text)))


@pytest.mark.parametrize(
    "change_internals", [_remove_optimizeconst, _add_a_parameter_to_output_child_pre, _make_escape_inner_return_markup]
)
def test_changed_internals_fall_back_to_jinjas_own_code_with_one_warning_and_the_same_pages(change_internals, monkeypatch):
    plans = _golden_plans()
    fast = create_environment(REPO / "templates")
    change_internals(monkeypatch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fresh = _import_templating_afresh()
    assert [warning.category for warning in caught] == [fresh.TemplatingFallbackWarning]
    assert len(fresh.HOOK_PROBLEMS) == 1 and fresh.HOOK_PROBLEMS[0] in str(caught[0].message)
    monkeypatch.setattr(render, "Environment", fresh.Environment)
    fallback = create_environment(REPO / "templates")
    assert type(fallback).code_generator_class is jinja2.compiler.CodeGenerator
    assert "t_fn_" not in fallback.compile("{{ d.a }}{{ d.b }}", raw=True)
    for plan in plans:
        assert render_page(fallback, plan).data == render_page(fast, plan).data, plan.path


texts = st.text(max_size=40)
values = st.one_of(texts, st.integers(), st.none(), st.booleans(), texts.map(Markup))
trees = st.recursive(
    st.dictionaries(st.sampled_from(["a", "b", "items", "title"]), values, max_size=4),
    lambda children: st.dictionaries(st.sampled_from(["a", "b", "items", "title"]), children | values, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(tree=trees)
def test_any_nested_values_render_alike(tree):
    source = "{{ t.a }}|{{ t.a.b }}|{{ t.b.a.title }}|{{ t.items is callable }}|{{ t.title ~ t.a }}|{% for k in t %}{{ t[k] }}{% endfor %}"
    loader = jinja2.DictLoader({"page.html": source})
    for undefined in (jinja2.Undefined, jinja2.StrictUndefined):
        fast = _outcome(_fast(loader, undefined=undefined), "page.html", {"t": tree})
        assert fast == _outcome(_stock(loader, undefined=undefined), "page.html", {"t": tree})
