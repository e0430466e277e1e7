"""The sample site built once, served over HTTP on 127.0.0.1, and read by a real headless Chromium.

The site is the bundled sample with five articles per page (so listings paginate) and a lead
picture beside one article. Screenshots land in test-artifacts/browser/.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO, sample_drops

CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium instead of a Playwright download; no background traffic of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BUILD_NOW = "2025-12-05T12:00:00+01:00"
ARTIFACTS = REPO / "test-artifacts" / "browser"
PHONE, DESKTOP = 375, 1280
# The article that gets a lead picture (the raw drop's base name).
PICTURED = "000_834808b673bfa480"

if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


def make_picture(path: Path, *, width: int = 1600, height: int = 900) -> None:
    """A photo-like JPEG: a sky-to-sea gradient with a dark horizon band."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(picture)
    for y in range(height):
        share = y / height
        colour = (int(40 + 90 * share), int(90 + 60 * share), int(160 - 60 * share)) if share < 0.55 else (20, 60, 90)
        draw.line([(0, y), (width, y)], fill=colour)
    draw.rectangle([0, int(height * 0.52), width, int(height * 0.58)], fill=(30, 30, 40))
    picture.save(path, "JPEG", quality=85)


def build_sample(root: Path, *, per_page: int = 5, language: str = "en") -> Path:
    """Build a copy of the sample site under root; returns the output folder."""
    for name in ("templates", "static"):
        shutil.copytree(REPO / name, root / name)
    config = (REPO / "site.toml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^per_page = \d+", f"per_page = {per_page}", config)
    config = re.sub(r'(?m)^language = "\w+"', f'language = "{language}"', config)
    (root / "site.toml").write_text(config, encoding="utf-8")
    content = root / "content"
    content.mkdir()
    for path in sample_drops():
        shutil.copy(path, content / path.name)
    make_picture(content / f"{PICTURED}.jpg")
    output = root / "public"
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--config", str(root / "site.toml"), "--content", str(content),
         "--output", str(output), "--now", BUILD_NOW, "-q"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    return output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_serving(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "the HTTP server exited"
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("HEAD", "/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the HTTP server did not answer within 30 s")


@pytest.fixture(scope="session")
def site_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("browser-site"))


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve a folder with Python's http.server on a free port of 127.0.0.1; yields its base URL."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_serving(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def base_url(site_output: Path) -> Iterator[str]:
    with serve(site_output) as url:
        yield url


# Package scope: the browser (and Playwright's event loop) is gone before other test modules
# start their own Playwright.
@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Visit:
    """One browser tab and everything it did: its requests, console errors and failed loads."""

    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def open_page(browser: object, base_url: str) -> Iterator[object]:
    """open_page(path, width=..., dark=False) -> Visit, with the page loaded and the network idle."""
    contexts = []

    def _open(path: str, *, width: int = DESKTOP, dark: bool = False, print_media: bool = False) -> Visit:
        context = browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": width, "height": 800},
            color_scheme="dark" if dark else "light",
            reduced_motion="reduce",
        )
        contexts.append(context)
        visit = Visit(context.new_page())
        context.on("request", lambda request: visit.requests.append(request.url))
        visit.page.on("console", lambda message: message.type == "error" and visit.errors.append(message.text))  # type: ignore[attr-defined]
        visit.page.on("pageerror", lambda error: visit.errors.append(str(error)))  # type: ignore[attr-defined]
        if print_media:
            visit.page.emulate_media(media="print")  # type: ignore[attr-defined]
        visit.page.goto(base_url + path, wait_until="networkidle")  # type: ignore[attr-defined]
        return visit

    yield _open
    for context in contexts:
        context.close()


def screenshot(visit: Visit, name: str) -> Path:
    """Save a full-page screenshot of the visit under test-artifacts/browser/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    visit.page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
