"""The publish workflow end to end, without GitHub: its build step's own script run with bash in a
fresh shallow clone of a bare repository (origin), the build state kept between runs like the
Actions cache, and public/ deployed only when the step succeeds."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES, REPO
from tests.publishing import BASE_URL, tree

T1, T2, T3 = "2025-12-05T12:00:00+01:00", "2025-12-05T12:15:00+01:00", "2025-12-05T12:30:00+01:00"
WORKFLOW = yaml.safe_load((REPO / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))
BUILD_STEP = next(step for step in WORKFLOW["jobs"]["build"]["steps"] if step.get("id") == "build")
BOT = "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
EDITOR = {"GIT_AUTHOR_NAME": "Arta Editor", "GIT_AUTHOR_EMAIL": "arta@news.example"}
EDITOR |= {"GIT_COMMITTER_NAME": EDITOR["GIT_AUTHOR_NAME"], "GIT_COMMITTER_EMAIL": EDITOR["GIT_AUTHOR_EMAIL"]}
SEED = (FIXTURES / "seed.txt").read_text(encoding="utf-8")  # has no dateline
HEADLINE = "The US and Russia reopen the doors of the dialogue in Istanbul, Ukraine remains off the table"


def drop(headline: str) -> str:
    """A raw drop without a dateline, with its own headline."""
    assert HEADLINE in SEED
    return SEED.replace(HEADLINE, headline)


@pytest.fixture
def git_env(tmp_path: Path) -> dict[str, str]:
    """The environment of every git and flashnews process: no user or system git config."""
    (tmp_path / "gitconfig").write_text("[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    base = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k not in ("SOURCE_DATE_EPOCH", "CI")}
    return base | {"GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd: Path, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


class Newsroom:
    """origin (a bare repository), an editor's clone, and CI runs of the workflow's steps."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root, self.env = root, env
        self.origin = root / "origin.git"
        self.editor = root / "editor"
        self.cache = root / "cache"  # what actions/cache restores and saves: public/ and its build state
        self.live = root / "live"  # what the deploy job last published
        self.runs = 0
        git(root, "init", "--quiet", "--bare", str(self.origin), env=env)
        self.editor.mkdir()
        for name in ("templates", "static"):
            shutil.copytree(REPO / name, self.editor / name)
        config = (REPO / "site.toml").read_text(encoding="utf-8")
        (self.editor / "site.toml").write_text("search = false\n" + config, encoding="utf-8")
        (self.editor / "content").mkdir()
        shutil.copy(REPO / "build.py", self.editor / "build.py")
        self.edit("init", "--quiet")
        self.edit("remote", "add", "origin", str(self.origin))

    def edit(self, *args: str) -> str:
        return git(self.editor, *args, env=self.env | EDITOR)

    def commit(self, message: str, files: dict[str, str]) -> str:
        """The editor commits files (path -> text; "" deletes) in their clone, up to date with origin."""
        if self.edit("ls-remote", "origin", "main"):
            self.edit("pull", "--quiet", "--rebase", "origin", "main")
        for name, text in files.items():
            path = self.editor / name
            if text:
                path.write_text(text, encoding="utf-8")
            else:
                path.unlink()
        self.edit("add", "--all")
        self.edit("commit", "--quiet", "-m", message)
        return self.edit("rev-parse", "HEAD")

    def push(self) -> None:
        self.edit("push", "--quiet", "origin", "HEAD:main")

    def show(self, path: str) -> str:
        return git(self.origin, "show", f"main:{path}", env=self.env)

    def log(self) -> list[str]:
        return git(self.origin, "log", "--format=%an <%ae>%x09%s", "main", env=self.env).splitlines()

    def ci_run(self, now: str, *, keep_cache: bool = True, before_push: str = "") -> subprocess.CompletedProcess[str]:
        """One run of the workflow: a fresh shallow checkout, the cache restored, the build step's
        script, then when it succeeds the cache saved and public/ deployed. before_push: a shell command run once as
        the run is about to push (a git pre-push hook), as if someone pushed at that moment."""
        self.runs += 1
        run = self.root / f"run-{self.runs}"
        git(self.root, "clone", "--quiet", "--depth", "1", "--branch", "main", self.origin.as_uri(), str(run), env=self.env)
        if not keep_cache:
            shutil.rmtree(self.cache, ignore_errors=True)
        for name in ("public", ".public.flashnews"):
            if (self.cache / name).is_dir():
                shutil.copytree(self.cache / name, run / name, symlinks=True)
        if before_push:
            hook = run / ".git" / "hooks" / "pre-push"
            marker = run / ".git" / "raced"
            hook.write_text(
                f'#!/bin/sh\n[ -e "{marker}" ] && exit 0\ntouch "{marker}"\n'
                f"unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_PREFIX\n{before_push}\n",
                encoding="utf-8",
            )
            hook.chmod(0o755)
        summary, output = self.root / f"summary-{self.runs}.md", self.root / f"output-{self.runs}.txt"
        epoch = str(int(datetime.fromisoformat(now).timestamp()))
        environment = self.env | {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",  # `python` is this Python
            "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_REF_NAME": "main", "SOURCE_DATE_EPOCH": epoch,
            "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
            "BASE_URL": BASE_URL, "DEPLOY_ON_INPUT_ERRORS": "false",
        }
        # As GitHub runs a step's script: bash, stopping at the first failing command.
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", BUILD_STEP["run"]],
            cwd=run, env=environment, capture_output=True, text=True, timeout=120,
        )
        done.summary = summary.read_text(encoding="utf-8") if summary.exists() else ""  # type: ignore[attr-defined]
        done.status = output.read_text(encoding="utf-8").strip()  # type: ignore[attr-defined]
        if done.returncode == 0:
            shutil.rmtree(self.cache, ignore_errors=True)
            for name in ("public", ".public.flashnews"):
                shutil.copytree(run / name, self.cache / name, symlinks=True)
            shutil.rmtree(self.live, ignore_errors=True)
            shutil.copytree(run / "public", self.live)
        return done

    def slug(self, path: str) -> str:
        return re.search(r'^slug: "?([^"\n]+)"?$', self.show(path), re.MULTILINE).group(1)

    def live_page(self, path: str) -> str:
        """The published page of an article, by its .md on origin."""
        return (self.live / self.slug(path) / "index.html").read_text(encoding="utf-8")

    def published(self, path: str) -> dict[str, str]:
        """The date of an article's .md on origin, and the dates its live page and the news sitemap show."""
        markdown, slug, page = self.show(path), self.slug(path), self.live_page(path)
        news = (self.live / "news-sitemap.xml").read_text(encoding="utf-8")
        entry = news[news.index(f"{BASE_URL}{slug}/") :]
        return {
            "md": re.search(r'^date: "([^"]+)"$', markdown, re.MULTILINE).group(1),
            "page": re.search(r'"datePublished": ?"([^"]+)"', page).group(1),
            "news-sitemap": re.search(r"<news:publication_date>([^<]+)<", entry).group(1),
        }


@pytest.fixture
def newsroom(tmp_path: Path, git_env: dict[str, str]) -> Newsroom:
    return Newsroom(tmp_path, git_env)


def test_a_drop_is_dated_once_committed_back_and_every_editor_commit_is_published(newsroom: Newsroom):
    first = newsroom.commit("Add the Istanbul story", {"content/story.txt": SEED})
    newsroom.push()

    one = newsroom.ci_run(T1)
    assert one.returncode == 0, one.stderr
    assert newsroom.log()[0] == f"{BOT}\tNormalize the drop content/story.txt"
    files = git(newsroom.origin, "show", "--no-renames", "--name-status", "--format=", "main", env=newsroom.env).splitlines()
    # The drop's own files only: not public/ or the build state, which the checkout also holds.
    assert sorted(files) == [
        "A\tcontent/_archive/manifest.json",
        "A\tcontent/_archive/story.txt",
        "A\tcontent/story.md",
        "D\tcontent/story.txt",
    ]
    assert newsroom.show("content/_archive/story.txt") == SEED.rstrip("\n")
    dates = [newsroom.published("content/story.md")]
    assert dates[0]["md"] == T1
    assert "content/story.md" in one.summary and "no dateline" in one.summary

    # Run 2, a quarter of an hour later: a new drop, and an editor who pushes a correction and a
    # third drop while the run is about to push its commit.
    newsroom.commit("Add a second story", {"content/second.txt": drop("Second story of the day")})
    newsroom.push()
    corrected = newsroom.show("content/story.md").replace("second time", "second time this year")
    racing = newsroom.commit(
        "Correct the Istanbul story; add a third", {"content/story.md": corrected, "content/third.txt": drop("Third story of the day")}
    )
    two = newsroom.ci_run(T2, before_push=f'cd "{newsroom.editor}" && git push --quiet origin HEAD:main')
    assert two.returncode == 0, two.stderr
    assert "rebasing onto it" in two.stdout
    dates.append(newsroom.published("content/story.md"))
    assert newsroom.published("content/second.md")["md"] == T2
    assert newsroom.published("content/third.md")["md"] == T2
    assert "second time this year" in newsroom.live_page("content/story.md")

    # Run 3, with the cache gone: nothing new, so nothing is committed and nothing is dated again.
    head = git(newsroom.origin, "rev-parse", "main", env=newsroom.env)
    three = newsroom.ci_run(T3, keep_cache=False)
    assert three.returncode == 0, three.stderr
    assert git(newsroom.origin, "rev-parse", "main", env=newsroom.env) == head
    dates.append(newsroom.published("content/story.md"))
    assert "No new drops." in three.summary
    cold = tree(newsroom.live)
    # The same run with the cache kept publishes the same site.
    assert newsroom.ci_run(T3).returncode == 0
    assert tree(newsroom.live) == cold

    assert dates == [{"md": T1, "page": T1, "news-sitemap": T1}] * 3
    log = newsroom.log()
    assert f"{BOT}\tNormalize the drop content/third.txt" in log
    assert f"{BOT}\tNormalize the drop content/second.txt" in log
    assert "Arta Editor <arta@news.example>\tCorrect the Istanbul story; add a third" in log
    for commit in (first, racing):  # never rewritten: both are still in origin's history
        git(newsroom.origin, "merge-base", "--is-ancestor", commit, "main", env=newsroom.env)
    assert not any(name.endswith(".txt") for name in git(newsroom.origin, "ls-tree", "--name-only", "main:content", env=newsroom.env).splitlines())


def test_a_commit_that_conflicts_with_what_arrived_is_not_pushed_and_nothing_is_published(newsroom: Newsroom):
    newsroom.commit("Add the Istanbul story", {"content/story.txt": SEED})
    newsroom.push()
    # While the run normalizes the drop, the editor uploads a corrected version of the same file.
    correction = newsroom.commit("Correct the drop", {"content/story.txt": SEED.replace("second time", "third time")})
    failed = newsroom.ci_run(T1, before_push=f'cd "{newsroom.editor}" && git push --quiet origin HEAD:main')
    assert failed.returncode == 2 and failed.status == "status=2"
    assert "conflict with commits that arrived on main: content/story.txt" in failed.stderr and "nothing was pushed or built; the live site is unchanged" in failed.stderr
    assert "**Not published:**" in failed.summary
    assert git(newsroom.origin, "rev-parse", "main", env=newsroom.env) == correction
    assert not newsroom.live.exists() and not newsroom.cache.exists()
    # The next run publishes the corrected drop, dated by that run: the only date it ever had.
    again = newsroom.ci_run(T2)
    assert again.returncode == 0, again.stderr
    assert newsroom.published("content/story.md") == {"md": T2, "page": T2, "news-sitemap": T2}
    assert "third time" in newsroom.live_page("content/story.md")


def test_a_push_rejected_every_time_fails_after_the_attempts_allowed(newsroom: Newsroom):
    newsroom.commit("Add the Istanbul story", {"content/story.txt": SEED})
    newsroom.push()
    run = newsroom.root / "busy"
    git(newsroom.root, "clone", "--quiet", newsroom.origin.as_uri(), str(run), env=newsroom.env)
    hook = run / ".git" / "hooks" / "pre-push"
    # Someone else pushes before each of this run's pushes.
    hook.write_text(
        "#!/bin/sh\nunset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_PREFIX\n"
        f'cd "{newsroom.editor}" && date +%s%N >> busy.log && git add busy.log && git commit -qm busy && git push -q origin HEAD:main\n',
        encoding="utf-8",
    )
    hook.chmod(0o755)
    done = subprocess.run(
        [
            sys.executable, str(REPO / "build.py"), "publish", "--push-attempts", "2", "--now", T1, "-q",
            "--bot-name", "Newsroom bot", "--bot-email", "bot@news.example",
        ],
        cwd=run, env=newsroom.env | EDITOR, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "the push to origin main was rejected 2 times" in done.stderr
    assert not (run / "public").exists()
    assert git(run, "log", "-1", "--format=%an <%ae> %cn", env=newsroom.env) == "Newsroom bot <bot@news.example> Newsroom bot"
    assert [line.split("\t")[1] for line in newsroom.log()] == ["busy", "busy", "Add the Istanbul story"]


def test_drops_with_errors_stay_in_content_and_are_listed_in_the_job_summary(newsroom: Newsroom):
    newsroom.commit("Two drops", {"content/story.txt": SEED, "content/empty.txt": "Flash News\n\n\n"})
    newsroom.push()
    done = newsroom.ci_run(T1)
    assert done.returncode == 1 and done.status == "status=1"
    assert not newsroom.live.exists()  # not deployed unless DEPLOY_ON_INPUT_ERRORS is set
    assert newsroom.log()[0] == f"{BOT}\tNormalize the drop content/story.txt"
    assert newsroom.show("content/empty.txt")
    error = next(line for line in done.stderr.splitlines() if line.startswith("content/empty.txt:"))
    assert "**Drops refused**" in done.summary and error in done.summary
    assert "1 drop(s) normalized" in done.summary and "`content/story.txt` → `content/story.md`" in done.summary


def test_publish_outside_a_checkout_builds_and_warns_that_drops_will_be_dated_again(sample_site: Path, git_env: dict[str, str]):
    done = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "publish", "--now", T1],
        cwd=sample_site, env=git_env | {"GIT_CEILING_DIRECTORIES": str(sample_site.parent)}, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "warning: drops are not committed back (content is not in a git checkout)" in done.stderr
    assert "normalized in this build and not committed back" in done.stderr
    assert (sample_site / "public" / "index.html").is_file()


@pytest.mark.parametrize("ci", ["true", ""])
def test_a_build_in_ci_warns_that_the_drops_it_normalized_are_not_committed(site_dir: Path, git_env: dict[str, str], ci: str):
    (site_dir / "content" / "story.txt").write_text(SEED, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--now", T1],
        cwd=site_dir, env=git_env | {"CI": ci}, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    warned = "warning: content/story.md normalized in this build and not committed back" in done.stderr
    assert warned == bool(ci)


def test_the_workflow_asks_for_write_access_only_in_the_job_that_commits():
    assert WORKFLOW["permissions"] == {}
    jobs = WORKFLOW["jobs"]
    assert jobs["build"]["permissions"]["contents"] == "write"
    assert [name for name, job in jobs.items() if job.get("permissions", {}).get("contents") == "write"] == ["build"]
    assert "python build.py publish" in BUILD_STEP["run"]
    install = next(step["run"] for step in jobs["build"]["steps"] if step.get("name") == "Install flashnews")
    assert install.strip() == "python -m pip install ."  # the repository's own pyproject


def test_a_drop_whose_name_looks_like_a_pattern_is_committed_by_its_own_name(newsroom: Newsroom):
    newsroom.commit("Add a story", {"content/Lajm [1] ç.txt": SEED, "content/Lajm 1 ç.txt": drop("Another story of the day")})
    newsroom.push()
    done = newsroom.ci_run(T1)
    assert done.returncode == 0, done.stderr
    files = git(newsroom.origin, "-c", "core.quotePath=false", "ls-tree", "-r", "--name-only", "main", env=newsroom.env).splitlines()
    assert {"content/Lajm [1] ç.md", "content/Lajm 1 ç.md", "content/_archive/Lajm [1] ç.txt"} <= set(files)
    assert not any(name.startswith("content/Lajm") and name.endswith(".txt") for name in files)


def test_of_two_overlapping_runs_the_second_to_push_fails_and_the_drop_keeps_the_first_date(newsroom: Newsroom):
    newsroom.commit("Add the Istanbul story", {"content/story.txt": SEED})
    newsroom.push()
    other = newsroom.root / "other-run"
    git(newsroom.root, "clone", "--quiet", "--depth", "1", newsroom.origin.as_uri(), str(other), env=newsroom.env)
    # Another run, started a little later, commits and pushes the same drop first.
    overlapping = f'cd "{other}" && env -u GITHUB_STEP_SUMMARY python build.py publish -q --base-url {BASE_URL} --now {T2}'
    late = newsroom.ci_run(T1, before_push=overlapping)
    assert late.returncode == 2
    assert "conflict with commits that arrived on main: content/_archive/manifest.json" in late.stderr
    assert not newsroom.live.exists()
    assert newsroom.log()[0] == f"{BOT}\tNormalize the drop content/story.txt"
    assert len(newsroom.log()) == 2
    later = newsroom.ci_run(T3)
    assert later.returncode == 0, later.stderr
    assert newsroom.published("content/story.md") == {"md": T2, "page": T2, "news-sitemap": T2}
