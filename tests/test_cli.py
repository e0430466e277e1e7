"""The command-line contract: commands, exit statuses, messages and the normalize workflow."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flashnews.app.cli import main
from tests.conftest import FIXTURES, REPO

NOW = "2025-12-05T12:00:00+01:00"


def run(site: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run build.py as a user would, from the site folder."""
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"} | (env or {})
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args], cwd=site, env=environment, capture_output=True, text=True, timeout=300
    )


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def write_md(site: Path, name: str, text: str) -> Path:
    path = site / "content" / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD_MD = '---\ntitle: "A minimal article"\ndate: "2025-03-01T10:00:00+01:00"\ncategory: "Sport"\n---\n\nThe body of the story.\n'


def test_build_of_the_sample_site_exits_zero_and_prints_a_summary(sample_site):
    result = run(sample_site, "--now", NOW)
    assert result.returncode == 0, result.stderr
    summary = [line for line in result.stdout.splitlines() if " articles, " in line]
    assert summary and "16 articles" in summary[0] and "0 errors" in summary[0] and " s" in summary[0]
    assert (sample_site / "public" / "index.html").is_file()
    assert (sample_site / "public" / "404.html").is_file()


def test_build_is_the_default_command(sample_site):
    assert run(sample_site, "build", "--now", NOW).returncode == 0
    first = tree(sample_site / "public")
    other = sample_site / "other"
    assert run(sample_site, "--now", NOW, "--output", str(other)).returncode == 0
    assert tree(other) == first


def test_normalize_lists_each_file_it_wrote_and_archives_the_raw_bytes(sample_site):
    raw = {p.name: p.read_bytes() for p in (sample_site / "content").glob("*.txt")}
    result = run(sample_site, "normalize", "--now", NOW)
    assert result.returncode == 0, result.stderr
    for name, data in raw.items():
        md_name = name.replace(".txt", ".md")
        assert f"content/{md_name}" in result.stdout
        assert (sample_site / "content" / md_name).is_file()
        assert (sample_site / "content" / "_archive" / name).read_bytes() == data
        assert not (sample_site / "content" / name).exists()
    assert not (sample_site / "public").exists()


def test_normalize_explain_prints_every_line_of_a_drop_and_writes_nothing(sample_site):
    drop = sample_site / "content" / "explained.txt"
    drop.write_text(
        "Flash News\n\nSport\n\nTirana wins the derby in the last minute\n\nBy Ana Lika\n\n3 March 2025, 14:05\n\n"
        "The home side scored in the ninety-third minute.\n\nFans stayed long after the whistle.\n\nLatest news\n",
        encoding="utf-8",
    )
    before = tree(sample_site / "content")
    result = run(sample_site, "normalize", "--explain", "content/explained.txt", "--now", NOW)
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[0].startswith("content/explained.txt:")
    assert "   1  stripped Flash News (site name)" in rows
    assert "   3  category Sport" in rows
    assert "   5  title    Tirana wins the derby in the last minute" in rows
    assert "   7  byline   By Ana Lika (author Ana Lika)" in rows
    assert any(row.startswith("   9  date     3 March 2025, 14:05 (2025-03-03T14:05:00+01:00)") for row in rows)
    assert "  11  body     The home side scored in the ninety-third minute." in rows
    assert any(row.startswith("  15  stripped Latest news") for row in rows)
    assert tree(sample_site / "content") == before


def test_normalize_explain_of_a_file_without_an_article_gives_the_located_error(sample_site):
    (sample_site / "content" / "empty.txt").write_text("\n\n", encoding="utf-8")
    result = run(sample_site, "normalize", "--explain", "content/empty.txt", "--now", NOW)
    assert result.returncode == 1
    assert result.stderr.startswith("content/empty.txt:1: ")


def test_a_sentence_that_other_drops_of_the_portal_end_with_too_is_furniture(tmp_path):
    from flashnews.ingest import drops
    from flashnews.config import load_config

    content = tmp_path / "content"
    content.mkdir()
    footer = "Get the Daily Bugle in your inbox every morning, free of charge."
    stories = {
        "tram": ("Council approves the tram line", "The council voted for the tram line on Monday after a long debate."),
        "bread": ("Bread prices rise again", "Bakers say the price of flour has doubled since last year in the city."),
        "storm": ("Storm closes the port", "The harbour master closed the port on Tuesday as the wind rose to a gale."),
    }
    for name, (headline, sentence) in stories.items():
        (content / f"{name}.txt").write_text(f"Daily Bugle\n\nBota\n\n{headline}\n\n{sentence}\n\n{footer}\n", encoding="utf-8")
    report = drops.normalize_drops(content, load_config(REPO / "site.toml"), now=datetime(2025, 12, 5, 12, tzinfo=timezone.utc))
    assert report.errors == ()
    for name, (_, sentence) in stories.items():
        body = (content / f"{name}.md").read_text(encoding="utf-8").split("---\n", 2)[2]
        assert body.strip() == sentence
    assert any("found in other drops too" in line and footer in line for line in report.stripped)


def test_normalizing_twice_changes_nothing(sample_site):
    run(sample_site, "normalize", "--now", NOW)
    before = tree(sample_site / "content")
    second = run(sample_site, "normalize", "--now", "2026-01-01T00:00:00+00:00")
    assert second.returncode == 0
    assert "normalized content/" not in second.stdout and "0 drops normalized" in second.stdout
    assert tree(sample_site / "content") == before


def test_a_new_drop_never_overwrites_a_markdown_file_the_editor_changed(site_dir):
    seed = (FIXTURES / "seed.txt").read_bytes()
    (site_dir / "content" / "story.txt").write_bytes(seed)
    assert run(site_dir, "normalize", "--now", NOW).returncode == 0
    md = site_dir / "content" / "story.md"
    edited = md.read_text(encoding="utf-8").replace("Bota", "Politikë", 1)
    md.write_text(edited, encoding="utf-8")
    (site_dir / "content" / "story.txt").write_bytes(seed.replace(b"Istanbul", b"Ankara"))
    result = run(site_dir, "normalize", "--now", NOW)
    assert result.returncode == 1
    assert "content/story.txt:1: content/story.md was edited after it was generated" in result.stderr
    assert md.read_text(encoding="utf-8") == edited
    assert (site_dir / "content" / "story.txt").exists()


def test_an_unreadable_drop_manifest_is_reported_and_no_markdown_is_overwritten(site_dir):
    seed = (FIXTURES / "seed.txt").read_bytes()
    (site_dir / "content" / "story.txt").write_bytes(seed)
    assert run(site_dir, "normalize", "--now", NOW).returncode == 0
    md = site_dir / "content" / "story.md"
    made = md.read_bytes()
    (site_dir / "content" / "_archive" / "manifest.json").write_text("{cut short", encoding="utf-8")
    (site_dir / "content" / "story.txt").write_bytes(seed.replace(b"Istanbul", b"Ankara"))
    result = run(site_dir, "normalize", "--now", NOW)
    assert result.returncode == 1
    assert "content/_archive/manifest.json:1: warning: the drop manifest is unreadable" in result.stderr
    assert md.read_bytes() == made
    assert (site_dir / "content" / "story.txt").exists()


def test_without_a_drop_the_manifest_is_not_read(site_dir):
    (site_dir / "content" / "story.txt").write_bytes((FIXTURES / "seed.txt").read_bytes())
    assert run(site_dir, "build", "--now", NOW).returncode == 0
    (site_dir / "content" / "_archive" / "manifest.json").write_text("{cut short", encoding="utf-8")
    result = run(site_dir, "build", "--now", NOW)
    assert result.returncode == 0, result.stderr
    assert "manifest" not in result.stderr


def test_a_drop_never_overwrites_a_markdown_file_written_by_hand(site_dir):
    write_md(site_dir, "story.md", GOOD_MD)
    (site_dir / "content" / "story.txt").write_bytes((FIXTURES / "seed.txt").read_bytes())
    result = run(site_dir, "normalize", "--now", NOW)
    assert result.returncode == 1
    assert "was not made from a drop" in result.stderr
    assert (site_dir / "content" / "story.md").read_text(encoding="utf-8") == GOOD_MD


def test_an_editor_markdown_with_only_title_date_and_category_builds(site_dir):
    write_md(site_dir, "minimal.md", GOOD_MD)
    result = run(site_dir, "--now", NOW)
    assert result.returncode == 0, result.stderr
    page = (site_dir / "public" / "a-minimal-article" / "index.html").read_text(encoding="utf-8")
    assert "The body of the story." in page


def test_a_bad_file_exits_one_with_a_located_message_and_the_rest_still_builds(sample_site):
    write_md(sample_site, "broken.md", '---\ntitle: "Broken"\ndate: "yesterday"\ncategory: "Sport"\n---\n\nText.\n')
    result = run(sample_site, "--now", NOW)
    assert result.returncode == 1
    assert "content/broken.md:3: date 'yesterday' is not an ISO 8601 date; write it like" in result.stderr
    assert "16 articles" in result.stdout and "1 error in" in result.stdout
    assert (sample_site / "public" / "index.html").is_file()


def test_every_error_of_a_run_is_reported_at_once(site_dir):
    write_md(site_dir, "one.md", '---\ntitle: "One"\ncategory: "Sport"\n---\nx\n')
    write_md(site_dir, "two.md", '---\ntitle: "Two"\ndate: "2025-01-01"\n---\nx\n')
    (site_dir / "content" / "three.txt").write_bytes(b"")
    result = run(site_dir, "--now", NOW)
    assert result.returncode == 1
    assert "content/one.md:" in result.stderr and "date is missing" in result.stderr
    assert "content/two.md:" in result.stderr and "category is missing" in result.stderr
    assert "content/three.txt:1: file is empty" in result.stderr


def test_a_bad_file_keeps_its_last_good_page(site_dir):
    path = write_md(site_dir, "story.md", GOOD_MD)
    assert run(site_dir, "--now", NOW).returncode == 0
    page = site_dir / "public" / "a-minimal-article" / "index.html"
    good = page.read_bytes()
    path.write_text(GOOD_MD.replace('date: "2025-03-01T10:00:00+01:00"', "date: [broken"), encoding="utf-8")
    assert run(site_dir, "--now", NOW).returncode == 1
    assert page.read_bytes() == good
    assert "a-minimal-article" not in (site_dir / "public" / "index.html").read_text(encoding="utf-8")


def test_two_articles_claiming_one_url_is_an_error_naming_both_files(site_dir):
    write_md(site_dir, "a.md", GOOD_MD)
    write_md(site_dir, "b.md", GOOD_MD.replace("The body", "Another body"))
    result = run(site_dir, "--now", NOW)
    assert result.returncode == 1
    assert "content/b.md:1: URL /a-minimal-article/ is already claimed by content/a.md" in result.stderr
    page = (site_dir / "public" / "a-minimal-article" / "index.html").read_text(encoding="utf-8")
    assert "The body of the story." in page


def test_check_validates_everything_and_writes_nothing(sample_site):
    write_md(sample_site, "broken.md", '---\ntitle: "Broken"\n---\n')
    before = tree(sample_site)
    result = run(sample_site, "check", "--now", NOW)
    assert result.returncode == 1
    assert "content/broken.md:" in result.stderr
    assert tree(sample_site) == before


def test_check_of_a_clean_site_exits_zero(sample_site):
    run(sample_site, "normalize", "--now", NOW)
    assert run(sample_site, "check", "--now", NOW).returncode == 0


def test_a_broken_config_is_fatal_and_leaves_the_output_untouched(sample_site):
    assert run(sample_site, "--now", NOW).returncode == 0
    before = tree(sample_site / "public")
    (sample_site / "site.toml").write_text('title = "Flash News"\nunknown_key = 1\n', encoding="utf-8")
    result = run(sample_site, "--now", NOW)
    assert result.returncode == 2
    assert "site.toml: unknown key unknown_key" in result.stderr
    assert tree(sample_site / "public") == before


def test_a_broken_template_is_fatal_names_the_template_and_leaves_the_output_untouched(sample_site):
    assert run(sample_site, "--now", NOW).returncode == 0
    before = tree(sample_site / "public")
    template = sample_site / "templates" / "article.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    result = run(sample_site, "--now", NOW)
    assert result.returncode == 2
    assert "templates/article.html:" in result.stderr
    assert tree(sample_site / "public") == before


def test_now_and_source_date_epoch_set_the_build_clock(site_dir):
    write_md(site_dir, "future.md", GOOD_MD.replace("2025-03-01T10:00:00+01:00", "2025-06-01T10:00:00+00:00"))
    early = run(site_dir, "--now", "2025-05-01T00:00:00+00:00")
    assert "0 articles" in early.stdout
    assert "next scheduled publication at 2025-06-01T10:00:00+00:00" in early.stdout
    late = run(site_dir, env={"SOURCE_DATE_EPOCH": "1767225600"})
    assert "1 article," in late.stdout


def test_base_url_makes_canonical_urls_absolute(site_dir):
    write_md(site_dir, "a.md", GOOD_MD)
    assert run(site_dir, "--now", NOW, "--base-url", "https://example.org/news/").returncode == 0
    page = (site_dir / "public" / "a-minimal-article" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/news/a-minimal-article/">' in page


def test_main_returns_the_exit_status_without_exiting(site_dir, monkeypatch, capsys):
    monkeypatch.chdir(site_dir)
    write_md(site_dir, "a.md", GOOD_MD)
    assert main(["--now", NOW, "-q"]) == 0
    assert main(["--now", "not a time"]) == 2
    assert "--now 'not a time' is not an ISO 8601 time" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["build", "normalize", "check"])
def test_every_command_has_help(command):
    result = subprocess.run([sys.executable, str(REPO / "build.py"), command, "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "--now" in result.stdout


def test_a_missing_content_folder_is_fatal_and_deletes_nothing(sample_site):
    assert run(sample_site, "--now", NOW).returncode == 0
    before = tree(sample_site / "public")
    for command in ("build", "check"):
        result = run(sample_site, command, "--content", "nosuch", "--now", NOW)
        assert result.returncode == 2
        assert "content folder nosuch not found" in result.stderr
    assert tree(sample_site / "public") == before


def test_a_redrop_without_dateline_keeps_the_date_of_the_article_it_replaces(site_dir):
    seed = (FIXTURES / "seed.txt").read_bytes()
    (site_dir / "content" / "story.txt").write_bytes(seed)
    assert run(site_dir, "normalize", "--now", NOW).returncode == 0
    md = site_dir / "content" / "story.md"
    first = md.read_text(encoding="utf-8")
    (site_dir / "content" / "story.txt").write_bytes(seed.replace(b"Istanbul for the second time", b"Istanbul for a second time"))
    assert run(site_dir, "normalize", "--now", "2026-01-01T00:00:00+00:00").returncode == 0
    second = md.read_text(encoding="utf-8")
    assert "for a second time" in second
    date_line = next(line for line in first.splitlines() if line.startswith("date: "))
    assert date_line in second.splitlines()


def test_a_new_article_cannot_take_over_a_published_url(site_dir):
    write_md(site_dir, "z-original.md", GOOD_MD)
    assert run(site_dir, "--now", NOW).returncode == 0
    page = site_dir / "public" / "a-minimal-article" / "index.html"
    original = page.read_bytes()
    write_md(site_dir, "a-newcomer.md", GOOD_MD.replace("The body of the story.", "An impostor body."))
    result = run(site_dir, "--now", NOW)
    assert result.returncode == 1
    assert "content/a-newcomer.md:1: URL /a-minimal-article/ is already claimed by content/z-original.md" in result.stderr
    assert page.read_bytes() == original


def test_warnings_are_reported_again_on_every_build(site_dir):
    write_md(site_dir, "a.md", GOOD_MD.replace('category: "Sport"\n', 'category: "Sport"\nauhtor: "Typo Name"\n'))
    for _ in range(2):
        result = run(site_dir, "--now", NOW)
        assert "content/a.md:5: warning: unknown field 'auhtor' is not used" in result.stderr
        assert "1 warning," in result.stdout


# What a build with nothing to do must not import: every stage and the libraries they need.
HEAVY_MODULES = (
    "flashnews.build.stages", "flashnews.build.workers", "flashnews.compose.render", "jinja2", "markdown", "yaml", "PIL", "charset_normalizer", "nh3",
    "flashnews.ingest.documents", "flashnews.ingest.word", "flashnews.ingest.webpage", "mammoth", "trafilatura", "lxml",
)


def test_a_build_with_nothing_to_do_imports_no_stage(sample_site):
    assert run(sample_site, "build", "--now", NOW).returncode == 0
    probe = (
        "import sys; from flashnews.app.cli import main; status = main(['build', '--now', sys.argv[1]]); "
        "print(status, sorted(m for m in sys.modules if m.split('.')[0] in sys.argv[2:] or m in sys.argv[2:]))"
    )
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    done = subprocess.run(
        [sys.executable, "-c", probe, NOW, *HEAVY_MODULES], cwd=sample_site, env=environment, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "(0 written, 0 deleted)" in done.stdout
    assert done.stdout.splitlines()[-1] == "0 []"


def test_a_large_batch_normalized_in_two_processes_equals_one_normalized_here(tmp_path, monkeypatch, capsys):
    """A batch over the pool's threshold is converted in forked workers: the .md files, the archive
    and the located errors of bad drops are the same as when every drop is converted in this process."""
    from flashnews.ingest import drops
    from flashnews.config import load_config

    config = load_config(REPO / "site.toml")
    now = datetime(2025, 12, 5, 12, 0, tzinfo=timezone.utc)
    count = drops._POOL_THRESHOLD + 5
    folders = []
    for name in ("forked", "here"):
        content = tmp_path / name / "content"
        content.mkdir(parents=True)
        for n in range(count):
            body = f"Story number {n} says what happened in the harbour today.\n\nA second paragraph adds the details for story {n}."
            (content / f"story-{n:03d}.txt").write_text(f"Bota\nHarbour story number {n} is told here\n\n{body}\n", encoding="utf-8")
        (content / "empty.txt").write_bytes(b"")
        (content / "one-line.txt").write_text("Only a headline here\n", encoding="utf-8")
        folders.append(content)
    forks = []
    original = drops._convert_forked
    monkeypatch.setattr(drops, "_convert_forked", lambda jobs, config: forks.append(len(jobs)) or original(jobs, config))
    reports = []
    for content, threshold in zip(folders, (count, 10**9)):
        monkeypatch.setattr(drops, "_POOL_THRESHOLD", threshold)
        reports.append(drops.normalize_drops(content, config, now=now))
    forked, here = reports
    assert forks == [count + 2]  # the first batch went through the workers, the second did not
    assert len(forked.written) == count
    assert [str(e) for e in forked.errors] == [str(e) for e in here.errors]
    assert [type(e) for e in forked.errors] == [type(e) for e in here.errors] and len(forked.errors) == 2
    assert {p.relative_to(folders[0]): p.read_bytes() for p in folders[0].rglob("*") if p.is_file()} == {
        p.relative_to(folders[1]): p.read_bytes() for p in folders[1].rglob("*") if p.is_file()
    }
