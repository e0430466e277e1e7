"""Writing the output is one transaction: a build that fails, is interrupted or is killed
leaves the previous output exactly as it was, and no staging litter survives the next run."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import flashnews.build.output
from flashnews.build.output import JOURNAL, lock_path, recover_output, staging_path, write_outputs
from flashnews.model import OutputFile
from tests.conftest import REPO
from tests.publishing import BASE_URL, build, set_config, tree, write_article

NOW = "2025-12-05T12:00:00+01:00"
SECTIONS = ("Sport", "Ekonomi", "Bota", "Politikë", "Kulturë", "Teknologji")
BODY = "\n\n".join(f"Paragraph {n} of a generated story, long enough to look like news copy." for n in range(8))


def write_articles(site: Path, count: int) -> None:
    for n in range(count):
        date = f"2025-{1 + n % 11:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00+01:00"
        write_article(site, f"story-{n:04d}", date=date, category=SECTIONS[n % len(SECTIONS)], body=BODY)


def change_templates(site: Path, mark: str) -> None:
    """Edit the base layout, so every page is rendered and written again."""
    with (site / "templates" / "base.html").open("a", encoding="utf-8") as handle:
        handle.write(f"<!-- {mark} -->\n")


def fail_on_call(number: int, function: Callable[..., object], error: BaseException) -> Callable[..., object]:
    calls = 0

    def faulty(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == number:
            raise error
        return function(*args, **kwargs)

    return faulty


@pytest.fixture
def built(site_dir: Path) -> Path:
    write_articles(site_dir, 12)
    assert build(site_dir, NOW) == 0
    return site_dir


def test_a_fault_while_staging_leaves_the_output_unchanged(built, monkeypatch):
    before = tree(built / "public")
    change_templates(built, "fault while staging")
    monkeypatch.setattr(flashnews.build.output, "_write_file", fail_on_call(7, flashnews.build.output._write_file, OSError(errno.ENOSPC, "No space left")))
    assert build(built, NOW) == 2
    assert tree(built / "public") == before
    assert not staging_path(built / "public").exists()


def test_a_fault_while_swapping_rolls_back_every_file_already_moved(built, monkeypatch):
    before = tree(built / "public")
    change_templates(built, "fault while swapping")
    (built / "content" / "story-0003.md").unlink()
    monkeypatch.setattr(os, "replace", fail_on_call(7, os.replace, OSError(errno.EIO, "I/O error")))
    assert build(built, NOW) == 2
    assert tree(built / "public") == before
    assert "story-0003/index.html" in before
    assert not staging_path(built / "public").exists()


def test_an_interrupt_while_swapping_rolls_back_too(built, monkeypatch):
    before = tree(built / "public")
    change_templates(built, "interrupt while swapping")
    monkeypatch.setattr(os, "replace", fail_on_call(7, os.replace, KeyboardInterrupt()))
    assert build(built, NOW) == 130
    assert tree(built / "public") == before
    assert not staging_path(built / "public").exists()


def refuse_hard_link(*args: object, **kwargs: object) -> None:
    raise OSError(errno.EPERM, "Operation not permitted")


def test_a_folder_without_hard_links_is_backed_up_by_copies(built, monkeypatch):
    before = tree(built / "public")
    change_templates(built, "no hard links")
    monkeypatch.setattr(os, "link", refuse_hard_link)
    monkeypatch.setattr(os, "replace", fail_on_call(40, os.replace, OSError(errno.EIO, "I/O error")))
    assert build(built, NOW) == 2
    assert tree(built / "public") == before
    monkeypatch.undo()
    assert build(built, NOW) == 0
    assert tree(built / "public") != before


def test_the_build_after_a_fault_equals_a_cold_build(built, monkeypatch):
    change_templates(built, "fault then retry")
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", fail_on_call(7, os.replace, OSError(errno.EIO, "I/O error")))
        assert build(built, NOW) == 2
    assert build(built, NOW) == 0
    assert build(built, NOW, output="cold") == 0
    assert tree(built / "public") == tree(built / "cold")


def test_a_half_written_journal_means_nothing_was_swapped(tmp_path):
    output = tmp_path / "public"
    write_outputs(output, [OutputFile("index.html", b"old")])
    staging = staging_path(output)
    (staging / "index.html").parent.mkdir(parents=True)
    (staging / "index.html").write_bytes(b"new")
    (staging / JOURNAL).write_text('{"replace": ["index.ht', encoding="utf-8")
    assert recover_output(output) is False
    assert tree(output) == {"index.html": tree(output)["index.html"]} and (output / "index.html").read_bytes() == b"old"
    assert not staging.exists()


def test_stale_files_go_only_when_the_whole_write_succeeds(tmp_path):
    output = tmp_path / "public"
    write_outputs(output, [OutputFile("a/index.html", b"a"), OutputFile("b/index.html", b"b")])
    report = write_outputs(output, [OutputFile("a/index.html", b"a2")], stale=["b/index.html"])
    assert report.deleted == ("b/index.html",)
    assert sorted(tree(output)) == ["a/index.html"] and not (output / "b").exists()


# --- a real build process, killed with SIGKILL while it writes a 2,000-article site ---


def start_build(site: Path) -> subprocess.Popen[bytes]:
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "build", "--content", "content", "--output", "public", "--config", "site.toml",
         "--base-url", BASE_URL, "--now", NOW, "-q"],
        cwd=site, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def kill_build_when(site: Path, condition: Callable[[], bool]) -> bool:
    """Run a build and SIGKILL it as soon as `condition` holds; False if it finished first."""
    process = start_build(site)
    try:
        deadline = time.monotonic() + 300
        while process.poll() is None and time.monotonic() < deadline:
            if condition():
                process.kill()
                process.wait()
                return True
        return False
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built 2,000-article site, shared by the kill tests: each leaves it freshly built."""
    site = tmp_path_factory.mktemp("big")
    for name in ("templates", "static"):
        shutil.copytree(REPO / name, site / name)
    shutil.copy(REPO / "site.toml", site / "site.toml")
    (site / "content").mkdir()
    set_config(site, "search", False)  # the search index is not what these tests are about, and it doubles the build time
    write_articles(site, 2000)
    assert build(site, NOW) == 0
    return site


def test_a_build_killed_while_staging_leaves_the_output_as_it_was(big_site):
    public = big_site / "public"
    staging = staging_path(public)
    before = tree(public)
    for attempt in range(5):
        change_templates(big_site, f"killed while staging {attempt}")
        if kill_build_when(big_site, staging.exists) and not (staging / JOURNAL).exists():
            break
        recover_output(public)
        before = tree(public)
    else:
        pytest.fail("the build was never caught while staging")
    assert tree(public) == before, "no file of the output may change before the swap starts"
    assert staging.exists()  # the killed build's litter, until the next run clears it
    assert build(big_site, NOW) == 0
    assert not staging.exists()
    assert tree(public) != before


def test_a_build_killed_while_swapping_is_rolled_back_by_the_next_run(big_site):
    public = big_site / "public"
    staging = staging_path(public)
    before = tree(public)
    for attempt in range(5):
        change_templates(big_site, f"killed while swapping {attempt}")
        if kill_build_when(big_site, (staging / JOURNAL).exists) and (staging / JOURNAL).exists():
            break
        # The build got past its commit point first: its output is the new baseline.
        recover_output(public)
        before = tree(public)
    else:
        pytest.fail("the build was never caught while swapping")
    assert recover_output(public) is True
    assert tree(public) == before
    assert not staging.exists()
    assert build(big_site, NOW) == 0
    assert not staging.exists()
    assert build(big_site, NOW, output="cold") == 0
    assert tree(public) == tree(big_site / "cold")


def is_locked(output: Path) -> bool:
    """True while some process holds the output folder's lock."""
    with open(lock_path(output), "ab") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False


def test_a_build_holds_the_output_lock_for_its_whole_transaction(big_site):
    public = big_site / "public"
    staging = staging_path(public)
    change_templates(big_site, "locked")
    process = start_build(big_site)
    seen_locked = False
    try:
        while process.poll() is None:
            if staging.exists():
                # Another build that starts now must wait, not roll this one back: the lock is held
                # whenever a transaction is under way (checked again after the probe, which may
                # land just after the commit).
                locked = is_locked(public)
                assert locked or not staging.exists() or process.poll() is not None
                seen_locked = seen_locked or locked
    finally:
        process.wait(timeout=300)
    assert process.returncode == 0
    assert seen_locked, "the build was never seen mid-transaction"
    assert not is_locked(public) and not staging.exists()


def _children(pid: int) -> set[int]:
    """The processes whose parent is pid (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's reaping is left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
def test_the_workers_of_a_killed_build_end_with_it(big_site):
    change_templates(big_site, "killed while its workers render")
    process = start_build(big_site)
    try:
        deadline = time.monotonic() + 300
        workers: set[int] = set()
        while process.poll() is None and time.monotonic() < deadline and len(workers) < 2:
            workers = _children(process.pid)
            time.sleep(0.01)
        assert len(workers) >= 2, "the build finished before its pool started"
        process.kill()
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    deadline = time.monotonic() + 30
    while any(_running(pid) for pid in workers):
        assert time.monotonic() < deadline, "a worker outlived the killed build"
        time.sleep(0.1)
    recover_output(big_site / "public")
    assert build(big_site, NOW) == 0


def test_a_page_staged_after_its_transaction_ended_is_refused_not_written(tmp_path: Path) -> None:
    """A late worker must not bring back a staging folder its transaction has removed."""
    from flashnews.errors import OutputError
    from flashnews.build.output import StageTarget, stage_file

    target = StageTarget(f"{tmp_path / 'gone.staging'}/", None)
    for path in ("story/index.html", "page/2/index.html", "index.html"):
        with pytest.raises(OutputError):
            stage_file(target, path, b"<p>late</p>")
        assert not (tmp_path / "gone.staging").exists()
