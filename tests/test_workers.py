"""The process pool gives the same results, in the same order, as working in-process."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from flashnews.errors import FrontMatterError, SourceError, TemplateError, restore_error
from flashnews.compose.render import PagePlan, create_environment
from flashnews.build.workers import POOL_THRESHOLD, ParseJob, StagePool

COUNT = POOL_THRESHOLD + 50


def _templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "page.html").write_text("<p>{{ number }} {{ text }}</p>\n", encoding="utf-8")
    (folder / "broken.html").write_text("{{ missing }}\n", encoding="utf-8")
    return folder


def _plans() -> list[PagePlan]:
    return [PagePlan(f"p{n}/index.html", "page.html", {"number": n, "text": "ë<" * (n % 7)}) for n in range(COUNT)]


def _source(content_dir: Path, number: int, text: str | None = None) -> ParseJob:
    """A parse_files job for a source written under content_dir."""
    if text is None:
        text = f'---\ntitle: "Story {number}"\ndate: "2025-03-0{1 + number % 9}T10:00:00"\ncategory: "Sport"\n---\n\nBody *{number}*.\n'
    path = content_dir / f"{number:04d}.md"
    path.write_text(text, encoding="utf-8")
    return ParseJob(f"content/{number:04d}.md", str(path), None, "Europe/Tirane", 1_000_000)


def test_pages_rendered_by_the_pool_equal_pages_rendered_in_process(tmp_path: Path) -> None:
    folder = _templates(tmp_path)
    environment = create_environment(folder)
    with StagePool(environment, folder, workers=2) as pool:
        parallel = list(pool.render_pages(_plans()))
    with StagePool(environment, folder, workers=1) as pool:
        serial = list(pool.render_pages(_plans()))
    assert parallel == serial and len(serial) == COUNT
    assert serial[3] == "<p>3 ë&lt;ë&lt;ë&lt;</p>\n".encode()


def test_template_error_in_a_worker_is_raised_with_its_template_name(tmp_path: Path) -> None:
    folder = _templates(tmp_path)
    plans = _plans()
    plans[POOL_THRESHOLD] = PagePlan("bad.html", "broken.html", {})
    with StagePool(create_environment(folder), folder, workers=2) as pool:
        with pytest.raises(TemplateError) as caught:
            list(pool.render_pages(plans))
    assert caught.value.template == "broken.html" and "missing" in str(caught.value)


def test_sources_parsed_by_the_pool_equal_sources_parsed_in_process(tmp_path: Path) -> None:
    folder = _templates(tmp_path)
    content_dir = tmp_path / "content"
    content_dir.mkdir()
    jobs = [_source(content_dir, n) for n in range(COUNT)]
    jobs[7] = _source(content_dir, 7, "---\ntitle: [unclosed\n---\n\nBody.\n")
    with StagePool(create_environment(folder), folder, workers=2) as pool:
        parallel = list(pool.parse_files(jobs))
    with StagePool(create_environment(folder), folder, workers=1) as pool:
        serial = list(pool.parse_files(jobs))
    assert [(r.records, r.warnings, r.digest) for r in parallel] == [(r.records, r.warnings, r.digest) for r in serial]
    assert parallel[7].records is None and parallel[7].error is not None
    error = restore_error(parallel[7].error)
    assert isinstance(error, SourceError) and error.location.path == "content/0007.md"
    assert str(error) == str(restore_error(serial[7].error))


def test_restored_error_keeps_its_class_location_and_hint() -> None:
    from flashnews.errors import SourceLocation, portable_error

    original = FrontMatterError(SourceLocation("content/a.md", 3), "date is not a date", hint="write 2025-03-01")
    restored = restore_error(portable_error(original))
    assert type(restored) is FrontMatterError and str(restored) == str(original) and restored.location.line == 3


def test_ordered_map_keeps_order_and_hands_out_only_a_few_chunks_ahead() -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from flashnews.build.workers import ordered_map

    started: list[int] = []
    lock = threading.Lock()

    def square(value: int) -> int:
        with lock:
            started.append(value)
        return value * value

    with ThreadPoolExecutor(2) as pool:
        results = ordered_map(pool, square, list(range(1000)), chunk=10, ahead=3)
        first = [next(results) for _ in range(25)]
        time.sleep(0.05)  # time enough for the pool to run far ahead, were it allowed to
        # Reading 25 results (3 chunks) hands out one chunk per chunk read: 3 + 3 chunks at most.
        assert len(started) <= 60
        assert first + list(results) == [value * value for value in range(1000)]
    assert sorted(started) == list(range(1000))


def _write_site(project: Path, count: int) -> None:
    for number in range(count):
        day, hour = 1 + number // 24, number % 24
        (project / "content" / f"story-{number:03d}.md").write_text(
            f'---\ntitle: "Story {number} of the harbour"\ndate: "2025-11-{day:02d}T{hour:02d}:00:00+01:00"\n'
            f'category: "{("Bota", "Sport")[number % 2]}"\n---\n\nThe harbour opened for story {number}.\n',
            encoding="utf-8",
        )


def test_pages_staged_by_worker_processes_equal_a_build_in_one_process(site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_incremental import build, read_tree

    _write_site(site_dir, POOL_THRESHOLD + 60)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert build(site_dir, "parallel") == 0
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert build(site_dir, "serial") == 0
    assert read_tree(site_dir / "parallel") == read_tree(site_dir / "serial")
    # A template change re-renders every page; the workers stage only those whose bytes changed.
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    before = {path: path.stat().st_mtime_ns for path in (site_dir / "parallel").rglob("*.html")}
    article = site_dir / "templates" / "article.html"
    article.write_text(article.read_text(encoding="utf-8").replace("{% endblock %}", "<!-- story -->{% endblock %}", 1), encoding="utf-8")
    assert build(site_dir, "parallel") == 0
    after = {path: path.stat().st_mtime_ns for path in (site_dir / "parallel").rglob("*.html")}
    stories = {path for path in before if path.parent.name.startswith("story-")}
    assert len(stories) == POOL_THRESHOLD + 60
    assert all(after[path] != before[path] for path in stories)
    assert all(after[path] == before[path] for path in before.keys() - stories)


_ORPHAN_SCRIPT = """
import multiprocessing, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from flashnews.build import workers
workers._exit_with_parent = lambda parent: None  # leave only the kernel's parent-death signal
pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"), initializer=workers._start_worker, initargs=(Path("."),))
pool.submit(os.getpid).result()
print(" ".join(str(pid) for pid in pool._processes), flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_workers_die_with_the_build_that_started_them() -> None:
    """A render worker writes into a transaction only its parent holds the lock of: when the
    parent is killed, the workers must end at once, not go on writing."""
    import signal
    import subprocess

    child = subprocess.Popen([sys.executable, "-c", _ORPHAN_SCRIPT], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent)
    try:
        assert child.stdout is not None
        pids = [int(pid) for pid in child.stdout.readline().split()]
        assert len(pids) == 2 and all(_alive(pid) for pid in pids)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids)
