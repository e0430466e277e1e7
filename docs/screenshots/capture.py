"""Build the bundled sample and photograph the front page and an article at phone and desktop widths.

Run from the repository root: .venv/bin/python docs/screenshots/capture.py
Needs Chromium at /usr/bin/chromium and the test extras (Playwright).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
ARTICLE = "the-us-and-russia-reopen-the-doors-of-the-dialogue-in-istanbul-ukraine-remains"
SHOTS = [("front", "/", 375, 1100), ("front", "/", 1280, 1000), ("article", f"/{ARTICLE}/", 375, 1100), ("article", f"/{ARTICLE}/", 1280, 1000)]


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        shutil.copytree(REPO / "content", root / "content", ignore=shutil.ignore_patterns("_archive"))
        output = root / "public"
        subprocess.run(
            [sys.executable, str(REPO / "build.py"), "build", "--config", str(REPO / "site.toml"), "--content", str(root / "content"),
             "--output", str(output), "--now", "2025-12-05T12:00:00+01:00", "-q"],
            check=True,
        )
        server = subprocess.Popen([sys.executable, "-m", "http.server", "8719", "--bind", "127.0.0.1", "--directory", str(output)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"])
                for name, path, width, height in SHOTS:
                    page = browser.new_page(viewport={"width": width, "height": height})
                    page.goto(f"http://127.0.0.1:8719{path}", wait_until="networkidle")
                    page.screenshot(path=str(OUT / f"{name}-{width}.png"))
                    page.close()
                browser.close()
        finally:
            server.terminate()


if __name__ == "__main__":
    main()
