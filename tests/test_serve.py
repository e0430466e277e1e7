"""The preview server: files from the output folder, nothing outside it, and live reload over SSE."""

from __future__ import annotations

import http.client
import json
import queue
import shutil
import socket
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from flashnews.config import load_config
from flashnews.build.pipeline import BuildPaths
from flashnews.app.serve import EVENTS_PATH, RELOAD_SCRIPT, PreviewServer, ReloadChannel, inject_reload_script
from flashnews.app.watch import BuildOutcome, Watcher

from tests.conftest import REPO, sample_drops

TIMEOUT = 60.0
CHROMIUM = Path("/usr/bin/chromium")
PAGE = b"<!doctype html><html><body><h1>Front page</h1></body></html>\n"
NOT_FOUND = b"<!doctype html><html><body><h1>Page not found</h1></body></html>\n"


@pytest.fixture
def output(tmp_path: Path) -> Path:
    folder = tmp_path / "public"
    (folder / "sport").mkdir(parents=True)
    (folder / "index.html").write_bytes(PAGE)
    (folder / "404.html").write_bytes(NOT_FOUND)
    (folder / "sport" / "index.html").write_bytes(b"<html><body>Sport</body></html>")
    (folder / "feeds").mkdir()
    (folder / "feeds" / "rss.xml").write_bytes(b"<rss/>")
    (tmp_path / "secret.txt").write_text("top secret", encoding="utf-8")
    (folder / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (folder / "outside").symlink_to(tmp_path)
    (folder / "inside.html").symlink_to(folder / "index.html")
    return folder


@pytest.fixture
def channel() -> ReloadChannel:
    return ReloadChannel()


@pytest.fixture
def server(output: Path, channel: ReloadChannel) -> Iterator[PreviewServer]:
    running = PreviewServer(output, channel, port=0)
    running.start()
    yield running
    running.stop()


def request(server: PreviewServer, path: str, *, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    host, port = server.url.removeprefix("http://").rstrip("/").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
    try:
        # http.client sends the path as given, so '..' and %2e%2e reach the server unnormalized.
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


class EventStream:
    """A real HTTP client reading the live-reload stream on its own thread."""

    def __init__(self, server: PreviewServer) -> None:
        host, port = server.url.removeprefix("http://").rstrip("/").rsplit(":", 1)
        self.connection = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
        self.connection.request("GET", EVENTS_PATH)
        self.response = self.connection.getresponse()
        self.events: queue.Queue[tuple[str, str]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.next()[0] == "hello"

    def _read(self) -> None:
        name = ""
        try:
            for raw in self.response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    name = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    self.events.put((name, line.removeprefix("data: ")))
        except (OSError, ValueError):
            return

    def next(self) -> tuple[str, str]:
        return self.events.get(timeout=TIMEOUT)

    def next_named(self, name: str) -> str:
        while True:
            event, data = self.next()
            if event == name:
                return data

    def close(self) -> None:
        self.connection.close()


def outcome(*, problems: tuple[str, ...] = (), written: int = 1, fatal: bool = False) -> BuildOutcome:
    return BuildOutcome(1, (), frozenset({"content"}), problems, written=written, fatal=fatal)


def test_the_server_binds_to_localhost_unless_told_otherwise(server: PreviewServer) -> None:
    assert server.url.startswith("http://127.0.0.1:")


def test_html_pages_get_the_live_reload_script_but_the_file_on_disk_does_not(server: PreviewServer, output: Path) -> None:
    status, headers, body = request(server, "/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert body == inject_reload_script(PAGE) and RELOAD_SCRIPT in body
    assert body.index(RELOAD_SCRIPT) < body.index(b"</body>")
    assert int(headers["content-length"]) == len(body)
    assert (output / "index.html").read_bytes() == PAGE


def test_other_files_are_served_unchanged(server: PreviewServer) -> None:
    status, headers, body = request(server, "/feeds/rss.xml")
    assert status == 200 and body == b"<rss/>" and "xml" in headers["content-type"]


def test_head_sends_headers_without_a_body(server: PreviewServer) -> None:
    status, headers, body = request(server, "/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > len(PAGE)


def test_a_folder_without_a_slash_redirects_and_with_one_serves_its_index(server: PreviewServer) -> None:
    status, headers, _ = request(server, "/sport?page=2")
    assert status == 301 and headers["location"] == "/sport/?page=2"
    status, _, body = request(server, "/sport/")
    assert status == 200 and body.startswith(b"<html><body>Sport")


def test_a_miss_serves_404_html_with_status_404(server: PreviewServer) -> None:
    status, _, body = request(server, "/no-such-article/")
    assert status == 404 and body == inject_reload_script(NOT_FOUND)


@pytest.mark.parametrize(
    "path",
    ["/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/sport/..%2f..%2fsecret.txt", "/..%5csecret.txt", "/x%00.html"],
)
def test_path_traversal_is_refused(server: PreviewServer, path: str) -> None:
    status, _, body = request(server, path)
    assert status == 403 and b"top secret" not in body


@pytest.mark.parametrize("path", ["/leak.txt", "/outside/secret.txt"])
def test_symlinks_that_resolve_outside_the_output_folder_are_refused(server: PreviewServer, path: str) -> None:
    status, _, body = request(server, path)
    assert status == 403 and b"top secret" not in body


def test_a_symlink_inside_the_output_folder_is_served(server: PreviewServer) -> None:
    status, _, body = request(server, "/inside.html")
    assert status == 200 and body == inject_reload_script(PAGE)


def test_the_overlay_is_built_with_text_content_never_inner_html() -> None:
    assert b"textContent" in RELOAD_SCRIPT and b"innerHTML" not in RELOAD_SCRIPT


def test_the_script_goes_at_the_end_of_a_page_without_a_body_tag() -> None:
    assert inject_reload_script(b"<p>bare") == b"<p>bare" + RELOAD_SCRIPT


def test_an_open_event_stream_does_not_block_page_loads(server: PreviewServer) -> None:
    streams = [EventStream(server) for _ in range(3)]
    try:
        assert request(server, "/")[0] == 200
    finally:
        for stream in streams:
            stream.close()


def test_a_build_that_changed_the_output_sends_reload(server: PreviewServer, channel: ReloadChannel) -> None:
    stream = EventStream(server)
    try:
        channel.publish_outcome(outcome(written=3))
        assert json.loads(stream.next_named("reload")) == {"written": 3, "deleted": 0}
    finally:
        stream.close()


def test_problems_are_sent_as_text_shown_on_connect_and_cleared_when_fixed(server: PreviewServer, channel: ReloadChannel) -> None:
    stream = EventStream(server)
    try:
        located = "content/fire.md:3: headline is empty; the first non-blank line becomes the title <script>"
        channel.publish_outcome(outcome(problems=(located,), written=0))
        assert json.loads(stream.next_named("problems")) == {"text": located}
        late = EventStream(server)
        assert json.loads(late.next_named("problems")) == {"text": located}, "a page opened later sees them too"
        late.close()
        channel.publish_outcome(outcome(written=0))
        assert stream.next() == ("clear", "{}")
    finally:
        stream.close()


def test_a_fatal_build_never_reloads_the_page(server: PreviewServer, channel: ReloadChannel) -> None:
    stream = EventStream(server)
    try:
        channel.publish_outcome(outcome(problems=("templates/base.html:3: syntax error",), written=0, fatal=True))
        assert stream.next()[0] == "problems"
    finally:
        stream.close()


def test_a_real_rebuild_reaches_an_open_page_as_a_reload_event(tmp_path: Path) -> None:
    root = tmp_path / "site"
    for folder in ("templates", "static"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "site.toml", root / "site.toml")
    sample = sample_drops("001_*.txt")[0]
    (root / "content").mkdir()
    shutil.copy(sample, root / "content" / sample.name)
    paths = BuildPaths(root / "content", root / "public", root / "templates", root / "static")
    channel = ReloadChannel()
    watcher = Watcher(
        load_config(root / "site.toml"),
        paths,
        config_path=root / "site.toml",
        now=datetime.fromisoformat("2025-06-01T12:00:00+00:00"),
        on_build=channel.publish_outcome,
    )
    server = PreviewServer(paths.output_dir, channel, port=0)
    watcher.start()
    server.start()
    try:
        assert watcher.wait_for_builds(1, timeout=TIMEOUT)
        stream = EventStream(server)
        drop = "Flash News\n\nSport\n\nLive reload reaches the page\n\nMay 10, 2025\n\nIt works.\n\nReally.\n"
        (paths.content_dir / "live.txt").write_text(drop, encoding="utf-8")
        assert json.loads(stream.next_named("reload"))["written"] > 0
        status, _, body = request(server, "/live-reload-reaches-the-page/")
        assert status == 200 and b"Live reload reaches the page" in body
        (paths.content_dir / "live.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
        assert json.loads(stream.next_named("problems"))["text"].startswith("content/live.md:")
        stream.close()
    finally:
        server.stop()
        watcher.stop()


def test_a_busy_port_is_reported_by_the_os(output: Path, channel: ReloadChannel) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            PreviewServer(output, channel, port=taken.getsockname()[1])


MARKET = '---\ntitle: "{title}"\ndate: "2025-05-11T10:00:00+02:00"\ncategory: "Ekonomi"\nslug: "market"\n---\n\nBody.\n'


def browser_site(tmp_path: Path) -> tuple[Any, Path, BuildPaths]:
    """Playwright's sync API (skips without Chromium) and a one-article site: its source and paths."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    root = tmp_path / "site"
    for folder in ("templates", "static"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "site.toml", root / "site.toml")
    (root / "content").mkdir()
    source = root / "content" / "market.md"
    source.write_text(MARKET.format(title="Market opens higher"), encoding="utf-8")
    return sync_api, source, BuildPaths(root / "content", root / "public", root / "templates", root / "static")


def wait_for_listener(page: Any, channel: ReloadChannel) -> None:
    for _ in range(int(TIMEOUT / 0.02)):
        if channel.listeners:
            break
        page.wait_for_timeout(20)
    assert channel.listeners == 1, "the page's live-reload script connected"


def test_a_real_browser_reloads_after_a_rebuild_and_shows_errors_as_text_until_fixed(tmp_path: Path) -> None:
    sync_api, source, paths = browser_site(tmp_path)
    config_path = paths.content_dir.parent / "site.toml"
    channel = ReloadChannel()
    watcher = Watcher(
        load_config(config_path), paths, config_path=config_path,
        now=datetime.fromisoformat("2025-06-01T12:00:00+00:00"), on_build=channel.publish_outcome,
    )  # fmt: skip
    server = PreviewServer(paths.output_dir, channel, port=0)
    watcher.start()
    server.start()
    try:
        assert watcher.wait_for_builds(1, timeout=TIMEOUT)
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.goto(server.url + "market/")
            assert "Market opens higher" in page.inner_text("h1")
            deadline = TIMEOUT * 1000
            wait_for_listener(page, channel)
            source.write_text(MARKET.format(title="Markets rally at the open"), encoding="utf-8")
            page.wait_for_function("() => document.querySelector('h1').textContent.includes('Markets rally')", timeout=deadline)
            broken = paths.content_dir / "<b>loud<b>.md"
            broken.write_text('---\ntitle: [unclosed\n---\n\nBody\n', encoding="utf-8")
            overlay = page.wait_for_selector("#flashnews-problems", timeout=deadline)
            assert overlay is not None
            assert "content/<b>loud<b>.md:" in overlay.text_content()
            assert page.locator("#flashnews-problems b").count() == 0, "the error text is never parsed as HTML"
            assert "Markets rally" in page.inner_text("h1"), "the last good page stays"
            broken.unlink()
            page.wait_for_selector("#flashnews-problems", state="detached", timeout=deadline)
            browser.close()
    finally:
        server.stop()
        watcher.stop()


def test_pages_published_ahead_are_announced_by_path(server: PreviewServer, channel: ReloadChannel) -> None:
    stream = EventStream(server)
    try:
        channel.publish_pages(("market/index.html",))
        assert json.loads(stream.next_named("page")) == {"paths": ["market/index.html"]}
    finally:
        stream.close()


def test_a_real_browser_on_an_edited_article_reloads_as_soon_as_its_page_is_published_ahead(tmp_path: Path) -> None:
    sync_api, source, paths = browser_site(tmp_path)
    config_path = paths.content_dir.parent / "site.toml"
    channel = ReloadChannel()
    # Only the ahead-of-rebuild announcement is wired: the page can reload from nothing else.
    watcher = Watcher(
        load_config(config_path), paths, config_path=config_path,
        now=datetime.fromisoformat("2025-06-01T12:00:00+00:00"), on_pages=channel.publish_pages,
    )  # fmt: skip
    server = PreviewServer(paths.output_dir, channel, port=0)
    watcher.start()
    server.start()
    try:
        assert watcher.wait_for_builds(1, timeout=TIMEOUT)
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.goto(server.url + "market/")
            wait_for_listener(page, channel)
            source.write_text(MARKET.format(title="Markets rally at the open"), encoding="utf-8")
            page.wait_for_function("() => document.querySelector('h1').textContent.includes('Markets rally')", timeout=TIMEOUT * 1000)
            browser.close()
    finally:
        server.stop()
        watcher.stop()
