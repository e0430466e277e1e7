"""The page environment: Jinja's semantics, autoescaping and strictness."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from flashnews.compose.render import create_environment

CONTEXT = {
    "card": {"title": "Tram & bus <now>", "items": ["a", "b"], "keys": "a key", "nested": {"url": "x/"}},
    "listing": {"items": [{"title": "one"}, {"title": "two"}]},
}


def jinja_reference(source: str) -> str:
    """The same template through Jinja's own environment with the same options."""
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    return environment.from_string(source).render(CONTEXT)


@pytest.mark.parametrize(
    "source",
    [
        "{{ card.title }}",
        "{{ card.nested.url }}",
        "{% for item in listing['items'] %}{{ item.title }}{% endfor %}",
        "{{ card.items is callable }}",  # a dict's own method, not the key of the same name
        "{{ card.keys is callable }}",
        "{{ card.get('title') }}",
        "{{ card['items'] | join(',') }}",
        "{{ card.title | length }}",
    ],
)
def test_attribute_lookups_on_dicts_give_what_jinja_gives(tmp_path: Path, source: str) -> None:
    environment = create_environment(tmp_path)
    assert environment.from_string(source).render(CONTEXT) == jinja_reference(source)


def test_a_missing_key_is_still_an_error(tmp_path: Path) -> None:
    environment = create_environment(tmp_path)
    with pytest.raises(jinja2.UndefinedError, match="missing"):
        environment.from_string("{{ card.missing }}").render(CONTEXT)


def test_values_are_escaped(tmp_path: Path) -> None:
    environment = create_environment(tmp_path)
    assert environment.from_string("{{ card.title }}").render(CONTEXT) == "Tram &amp; bus &lt;now&gt;"


def test_compiled_templates_are_kept_for_the_next_environment_and_never_trusted_blindly(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("<p>{{ word }}</p>")
    cache = tmp_path / "cache"
    assert create_environment(templates, cache_dir=cache).get_template("page.html").render(word="<one>") == "<p>&lt;one&gt;</p>"
    [kept] = cache.iterdir()

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again")

    second = create_environment(templates, cache_dir=cache)
    second.compile = no_compiling  # type: ignore[method-assign]
    assert second.get_template("page.html").render(word="two") == "<p>two</p>"
    (templates / "page.html").write_text("<b>{{ word }}</b>")  # a new source is compiled again
    assert create_environment(templates, cache_dir=cache).get_template("page.html").render(word="3") == "<b>3</b>"
    kept.write_bytes(kept.read_bytes()[:12])  # damaged: compiled again
    assert create_environment(templates, cache_dir=cache).get_template("page.html").render(word="4") == "<b>4</b>"
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be")
    assert create_environment(templates, cache_dir=blocked).get_template("page.html").render(word="5") == "<b>5</b>"
