"""Bad input, end to end: a located message, the rest of the site built, the bad article's last good page kept,
and fatal problems (config, templates) leave the whole output as it was."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from flashnews.app.cli import main
from tests.publishing import build, tree, write_article

NOW = "2025-12-05T12:00:00+01:00"
GOOD = ("alpha-story", "beta-story", "gamma-story")
LOCATED = re.compile(r"^(content|templates)/[^:]+:\d+(:\d+)?: \S")


def build_with_messages(site: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    status = build(site, NOW, *extra)
    return status, [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def listing_files(output: Path) -> dict[str, str]:
    """The index, feeds and sitemaps: every place that lists articles."""
    names = ["index.html", "feeds/rss.xml", "feeds/atom.xml", "sitemap.xml", "news-sitemap.xml", "sport/index.html"]
    return {name: (output / name).read_text(encoding="utf-8") for name in names if (output / name).exists()}


@pytest.fixture
def built(site_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    for n, slug in enumerate(GOOD):
        write_article(site_dir, slug, date=f"2025-12-0{n + 1}T10:00:00+01:00", body=f"Body of {slug}.")
    write_article(site_dir, "victim-story", date="2025-12-04T10:00:00+01:00", title="Victim story headline", body="Victim body.")
    status, messages = build_with_messages(site_dir, capsys)
    assert (status, messages) == (0, [])
    return site_dir


FRONT = 'title: "Victim story headline"\ndate: 2025-12-04T10:00:00+01:00\ncategory: Sport\nslug: victim-story\n'
BREAKAGES = {
    # name: (new bytes of content/victim-story.md, expected line, words in the message)
    "unclosed front matter": (f"---\n{FRONT}\nBody.\n".encode(), 1, "never closed"),
    "duplicate key": (f"---\n{FRONT}title: Again\n---\nBody.\n".encode(), 6, "duplicate key"),
    "python tag": (f"---\n{FRONT}author: !!python/object/apply:os.system ['true']\n---\nBody.\n".encode(), 6, "tag"),
    "alias": (f"---\n{FRONT}author: *someone\n---\nBody.\n".encode(), 6, "alias"),
    "hash value": (f"---\n{FRONT}author: #1\n---\nBody.\n".encode(), 6, "comment"),
    "bad date": (f"---\n{FRONT.replace('2025-12-04T10:00:00+01:00', 'tomorrow')}---\nBody.\n".encode(), 3, "ISO 8601"),
    "escaping slug": (f"---\n{FRONT.replace('slug: victim-story', 'slug: ../../etc')}---\nBody.\n".encode(), 5, "slug"),
    "not utf-8": (f"---\n{FRONT}---\n\nCaf\xe9 body.\n".encode("cp1252"), 8, "UTF-8"),
    "deep nesting": (f"---\n{FRONT}---\n\nFine.\n\n{'> ' * 40}deep\n".encode(), 10, "nested"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1, ""),
    "empty": (b"", 1, "front matter"),
}


@pytest.mark.parametrize("breakage", BREAKAGES.values(), ids=BREAKAGES.keys())
def test_a_broken_article_keeps_its_last_good_page_leaves_every_listing_and_exits_one(built, capsys, breakage):
    data, line, words = breakage
    output = built / "public"
    page = output / "victim-story" / "index.html"
    good_page = page.read_bytes()
    (built / "content" / "victim-story.md").write_bytes(data)

    status, messages = build_with_messages(built, capsys)

    assert status == 1
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"content/victim-story.md:{line}")
    assert words in messages[0]
    assert "Traceback" not in messages[0]
    assert page.read_bytes() == good_page
    for slug in GOOD:  # still built, and their "latest news" rails no longer link to it
        assert "victim-story" not in (output / slug / "index.html").read_text(encoding="utf-8")
    for name, text in listing_files(output).items():
        assert "victim-story" not in text, name
        assert all(slug in text for slug in GOOD) or name == "news-sitemap.xml", name


def test_the_kept_page_is_replaced_once_the_article_is_fixed(built, capsys):
    source = built / "content" / "victim-story.md"
    good = source.read_bytes()
    source.write_bytes(b"---\ntitle: [unclosed\n---\n")
    assert build_with_messages(built, capsys)[0] == 1
    source.write_bytes(good.replace(b"Victim body.", b"Victim body, corrected."))
    assert build_with_messages(built, capsys) == (0, [])
    assert b"corrected" in (built / "public" / "victim-story" / "index.html").read_bytes()
    assert "victim-story" in (built / "public" / "index.html").read_text(encoding="utf-8")


def test_every_problem_of_a_run_is_reported_at_once_each_at_its_line(built, capsys):
    content = built / "content"
    (content / "one.md").write_text(f"---\n{FRONT.replace('victim-story', 'one')}author: #x\n---\nB.\n", encoding="utf-8")
    (content / "two.md").write_text("---\ntitle: Two\ndate: 2025-12-01\n---\nB.\n", encoding="utf-8")
    (content / "three.txt").write_bytes(b"PK\x03\x04\x14\x00\x00\x00")
    (content / "four.txt").write_bytes(b"   \n\n")
    (content / "link.md").symlink_to("/etc/hostname")
    os.mkfifo(content / "pipe.md")

    status, messages = build_with_messages(built, capsys)

    assert status == 1
    located = sorted(m.split(": ")[0] for m in messages)
    assert located == [
        "content/four.txt:1",
        "content/link.md:1",
        "content/one.md:6:9",
        "content/pipe.md:1",
        "content/three.txt:1",
        "content/two.md:4",
    ]
    assert all(LOCATED.match(m) for m in messages), messages
    assert (built / "content" / "three.txt").exists() and (built / "content" / "four.txt").exists()


def test_a_raw_drop_that_is_refused_stays_in_place_and_makes_no_markdown(built, capsys):
    drop = built / "content" / "photo.txt"
    drop.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    status, messages = build_with_messages(built, capsys)
    assert status == 1
    assert messages == ["content/photo.txt:1: file is binary (a PNG image), not text; paste the article into a plain-text file and save it as .txt"]
    assert drop.read_bytes().startswith(b"\x89PNG")
    assert not (built / "content" / "photo.md").exists()


def test_a_missing_template_is_fatal_and_leaves_the_output_untouched(built, capsys):
    before = tree(built / "public")
    (built / "templates" / "article.html").unlink()
    (built / "content" / "new-story.md").write_text(f"---\n{FRONT.replace('victim-story', 'new-story')}---\nNew.\n", encoding="utf-8")
    status, messages = build_with_messages(built, capsys)
    assert status == 2
    assert messages[0].startswith("templates/article.html")
    assert tree(built / "public") == before


def test_a_template_syntax_error_names_the_template_and_line_and_leaves_the_output_untouched(built, capsys):
    before = tree(built / "public")
    path = built / "templates" / "_card.html"
    path.write_text(path.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    (built / "content" / "alpha-story.md").write_text(f"---\n{FRONT.replace('victim-story', 'alpha-story')}---\nChanged.\n", encoding="utf-8")
    status, messages = build_with_messages(built, capsys)
    assert status == 2
    line = len(path.read_text(encoding="utf-8").splitlines())
    assert messages[0].startswith(f"templates/_card.html:{line}: ")
    assert tree(built / "public") == before


def test_an_undefined_variable_in_a_partial_names_the_partial_and_its_line(built, capsys):
    before = tree(built / "public")
    path = built / "templates" / "_card.html"
    path.write_text(path.read_text(encoding="utf-8") + "{{ no_such_variable.title }}\n", encoding="utf-8")
    (built / "content" / "alpha-story.md").write_text(f"---\n{FRONT.replace('victim-story', 'alpha-story')}---\nChanged.\n", encoding="utf-8")
    status, messages = build_with_messages(built, capsys)
    assert status == 2
    line = len(path.read_text(encoding="utf-8").splitlines())
    assert messages[0].startswith(f"templates/_card.html:{line}: ")
    assert "no_such_variable" in messages[0]
    assert tree(built / "public") == before


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('titel = "Typo"\n', "unknown key titel"),
        ("per_page = \"twenty\"\n", "per_page must be a int"),
        ("per_page = 0\n", "per_page must be at least 1"),
        ('timezone = "Mars/Olympus"\n', "unknown time zone"),
        ("[normalize]\nfallback_encoding = \"klingon\"\n", "unknown encoding"),
        ("[normalize]\nmax_source_bytes = true\n", "max_source_bytes must be a int"),
        ("title = \n", "not valid TOML"),
        ("[[sections]]\nname = 3\n", "sections[0].name must be a str"),
    ],
)
def test_a_bad_config_is_fatal_names_the_file_and_leaves_the_output_untouched(built, capsys, toml, words):
    before = tree(built / "public")
    (built / "site.toml").write_text(toml, encoding="utf-8")
    status, messages = build_with_messages(built, capsys)
    assert status == 2
    assert messages[0].startswith(f"{built / 'site.toml'}:")
    assert words in messages[0]
    assert tree(built / "public") == before


def test_a_toml_syntax_error_is_reported_at_its_line_and_column(built, capsys):
    (built / "site.toml").write_text('title = "Flash"\nper_page = \n', encoding="utf-8")
    status, messages = build_with_messages(built, capsys)
    assert status == 2
    assert messages[0].startswith(f"{built / 'site.toml'}:2:12: not valid TOML")


def test_a_config_saved_with_a_utf8_bom_by_notepad_is_read(built, capsys):
    path = built / "site.toml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert build_with_messages(built, capsys) == (0, [])


def test_a_config_that_is_not_utf8_is_fatal_not_a_traceback(built, capsys):
    (built / "site.toml").write_bytes(b'title = "Caf\xe9"\n')
    status, messages = build_with_messages(built, capsys)
    assert status == 2
    assert "site.toml" in messages[0]


def test_no_bad_input_ever_produces_a_traceback(built, capsys):
    content = built / "content"
    for n, (data, _, _) in enumerate(BREAKAGES.values()):
        (content / f"bad-{n}.md").write_bytes(data.replace(b"victim-story", f"bad-{n}".encode()))
        (content / f"bad-{n}.txt").write_bytes(data)
    capsys.readouterr()
    status = main(["build", "--content", str(content), "--output", str(built / "public"), "--config", str(built / "site.toml"), "--now", NOW])
    captured = capsys.readouterr()
    assert status == 1
    assert "Traceback" not in captured.err + captured.out
    errors = [line for line in captured.err.splitlines() if ": warning: " not in line and line.strip()]
    assert all(LOCATED.match(line) for line in errors), errors


def test_an_oversized_drop_is_refused_by_its_size_before_it_is_read(built, capsys):
    drop = built / "content" / "huge.txt"
    with open(drop, "wb") as handle:
        handle.truncate(3_000_000)  # sparse: refusing it must not need its bytes
    status, messages = build_with_messages(built, capsys)
    assert status == 1
    assert messages == [
        "content/huge.txt:1: file is 3000000 bytes, over the 2000000 byte limit; "
        "raise normalize.max_source_bytes in site.toml if this is really one article"
    ]
    assert drop.stat().st_size == 3_000_000


def test_a_drop_pasted_as_one_enormous_line_keeps_every_word_or_is_refused_at_a_line(built, capsys):
    words = " ".join(f"fjala{n}" for n in range(60_000))
    (built / "content" / "wall.txt").write_text(f"Sport\nA wall of text arrives in one line\n\n{words}\n", encoding="utf-8")
    status, messages = build_with_messages(built, capsys)
    if status == 0:
        page = (built / "public" / "a-wall-of-text-arrives-in-one-line" / "index.html").read_text(encoding="utf-8")
        assert "fjala0 " in page and "fjala59999" in page
    else:
        assert messages[0].startswith("content/wall.md:")


def test_chrome_the_normalizer_strips_is_listed_with_v_and_the_raw_drop_is_archived_byte_for_byte(site_dir, capsys):
    from flashnews.ingest.markup import html_to_text
    from tests.conftest import FIXTURES

    raw = (FIXTURES / "seed.txt").read_bytes()
    (site_dir / "content" / "seed.txt").write_bytes(raw)
    capsys.readouterr()
    arguments = ["build", "-v", "--content", str(site_dir / "content"), "--output", str(site_dir / "public")]
    assert main([*arguments, "--config", str(site_dir / "site.toml"), "--now", NOW]) == 0
    out = capsys.readouterr().out
    stripped = {int(m.group(1)) for m in re.finditer(r"^\s*stripped content/seed\.txt:(\d+): ", out, re.MULTILINE)}
    assert {1, 7} <= stripped  # the site name and the truncated repeat of the headline
    assert (site_dir / "content" / "_archive" / "seed.txt").read_bytes() == raw
    page = next((site_dir / "public").glob("the-us-and-russia-*/index.html")).read_text(encoding="utf-8")
    visible = html_to_text(page)
    lines = raw.decode("utf-8").splitlines()
    body = [(n, line) for n, line in enumerate(lines, start=1) if n > 7 and line.strip()]
    assert [n for n, line in body if n not in stripped and " ".join(line.split()) not in visible] == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-32"])
def test_a_markdown_file_saved_as_unicode_by_notepad_builds(built, capsys, encoding):
    source = built / "content" / "victim-story.md"
    source.write_bytes(source.read_text(encoding="utf-8").replace("Victim body.", "Trupi me ë dhe ç.").encode(encoding))
    assert build_with_messages(built, capsys) == (0, [])
    assert "Trupi me ë dhe ç." in (built / "public" / "victim-story" / "index.html").read_text(encoding="utf-8")
