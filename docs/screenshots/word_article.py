"""Build a small site from one Word drop and photograph its article page (docs/screenshots/word-article.png).

Run from the repository root: .venv/bin/python docs/screenshots/word_article.py
Needs Chromium at /usr/bin/chromium and the test extras (python-docx).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import docx  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from tests.word_documents import saved  # noqa: E402


def lead_picture() -> bytes:
    picture = Image.new("RGB", (960, 540), (40, 90, 140))
    draw = ImageDraw.Draw(picture)
    for x in range(0, 960, 60):
        draw.rectangle((x, 380 - (x % 180), x + 40, 540), fill=(230, 200, 80))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def word_story() -> bytes:
    document = docx.Document()
    document.add_paragraph("Tirana opens its first tram line in sixty years", style="Title")
    document.add_paragraph("Twelve kilometres from the station to the lake, with the first tram at six", style="Subtitle")
    document.add_paragraph("By Ana Lika")
    document.add_paragraph("5 December 2025, 10:30")
    picture = document.add_picture(io.BytesIO(lead_picture()))
    picture._inline.docPr.set("descr", "The new tram stop on Skanderbeg Square")
    opening = document.add_paragraph("The line runs ")
    opening.add_run("twelve kilometres").bold = True
    opening.add_run(" across the city and was filed from Word, with its formatting kept.")
    document.add_heading("Stops", level=1)
    for stop in ("Skanderbeg Square", "The station", "The artificial lake"):
        document.add_paragraph(stop, style="List Bullet")
    document.add_paragraph("“It will change how the city moves,” the mayor said.", style="Quote")
    table = document.add_table(rows=2, cols=2)
    for (row, column), text in {(0, 0): "Ticket", (0, 1): "Price", (1, 0): "Single", (1, 1): "80 lek"}.items():
        table.cell(row, column).text = text
    return saved(document)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "content" / "politics").mkdir(parents=True)
        (root / "content" / "politics" / "tram.docx").write_bytes(word_story())
        subprocess.run(
            [sys.executable, str(REPO / "build.py"), "build", "--config", str(REPO / "site.toml"), "--content", str(root / "content"),
             "--output", str(root / "public"), "--now", "2025-12-05T12:00:00+01:00", "-q"],
            check=True,
        )
        page = next((root / "public").glob("tirana-opens-*/index.html"))
        target = REPO / "docs" / "screenshots" / "word-article.png"
        subprocess.run(
            ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--screenshot={target}",
             "--window-size=1280,1600", page.as_uri()],
            check=True, capture_output=True,
        )
        with Image.open(target) as shot:  # keep the PNG small: a 256-colour palette
            shot.convert("RGB").quantize(256).save(target, optimize=True)


if __name__ == "__main__":
    main()
