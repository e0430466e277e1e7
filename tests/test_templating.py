"""flashnews.templating compiles templates to the same output as Jinja's own code generator."""

from __future__ import annotations

import copy
from collections import OrderedDict, defaultdict
from datetime import datetime

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from flashnews import content, markup, templating
from flashnews.config import load_config
from flashnews.planner import plan_all
from flashnews.render import create_environment, render_page
from flashnews.site import collect_site
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


def test_every_page_of_the_golden_site_renders_as_with_jinjas_own_code():
    """Each page of the five-article golden site (articles, listings, feeds, sitemaps, 404)."""
    config = load_config(GOLDEN / "site.toml", base_url=BASE_URL)
    converter = markup.create_converter()
    items = [
        markup.render_article(content.parse_article(p.read_text("utf-8"), path=p.name, zone=config.tz)[0], converter)
        for p in sorted((GOLDEN / "content").glob("*.md"))
    ]
    site, _ = collect_site(items, now=datetime.fromisoformat(NOW), config=config)
    templates = REPO / "templates"
    ours = create_environment(templates)
    assert isinstance(ours, templating.Environment)
    stock = _stock(jinja2.FileSystemLoader(templates), undefined=jinja2.StrictUndefined)
    plans = plan_all(site, config)
    assert {plan.template for plan in plans} >= {"article.html", "index.html", "section.html", "404.html", "rss.xml"}
    for plan in plans:
        assert render_page(ours, plan).data == render_page(stock, plan).data, plan.path


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
