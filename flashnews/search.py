"""Article pages -> the Pagefind full-text index (OutputFiles under pagefind/), and the search page plan.

Pagefind runs over a scratch copy of the article pages, never over the live output folder, so
its files join the same write transaction as the pages they index. Every page is indexed in the
interface language (one index, so a reader on an English page also finds Albanian articles).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from flashnews.config import SiteConfig
from flashnews.errors import OutputError
from flashnews.model import OutputFile, Site
from flashnews.render import PagePlan, absolute_url, site_context

SEARCH_DIR = "pagefind"
SEARCH_PAGE = "search/index.html"
# pagefind-entry.json lists languages in hash-map order; everything else Pagefind writes is
# already byte-stable, so this file is re-serialized with sorted keys.
_ENTRY_FILE = "pagefind-entry.json"
# Pagefind's search interface ships no Albanian; these replace its English strings on sq sites.
SEARCH_UI_STRINGS: dict[str, dict[str, str]] = {
    "sq": {
        "placeholder": "Kërko",
        "clear_search": "Pastro",
        "load_more": "Shfaq më shumë rezultate",
        "search_label": "Kërko në këtë faqe",
        "filters_label": "Filtrat",
        "zero_results": "Asnjë rezultat për [SEARCH_TERM]",
        "many_results": "[COUNT] rezultate për [SEARCH_TERM]",
        "one_result": "[COUNT] rezultat për [SEARCH_TERM]",
        "total_zero_results": "Asnjë rezultat",
        "total_one_result": "[COUNT] rezultat",
        "total_many_results": "[COUNT] rezultate",
        "alt_search": "Asnjë rezultat për [SEARCH_TERM]. Po shfaqen rezultatet për [DIFFERENT_TERM]",
        "search_suggestion": "Asnjë rezultat për [SEARCH_TERM]. Provoni një nga këto kërkime:",
        "searching": "Duke kërkuar [SEARCH_TERM]…",
        "results_label": "Rezultatet e kërkimit",
        "keyboard_navigate": "lëviz",
        "keyboard_select": "zgjidh",
        "keyboard_clear": "pastro",
        "keyboard_close": "mbyll",
        "keyboard_search": "kërko",
        "error_search": "Kërkimi dështoi",
        "filter_selected_one": "[COUNT] i zgjedhur",
        "filter_selected_many": "[COUNT] të zgjedhur",
        "input_hint": "Rezultatet shfaqen ndërsa shkruani",
        "loading": "Duke u ngarkuar",
    },
}


def plan_search_page(site: Site, config: SiteConfig) -> PagePlan:
    """search/index.html: the search box and its results, driven by Pagefind in the browser."""
    root_path = urlsplit(config.base_url).path or "/"
    context = {
        "site": site_context(site, config),
        "root": "../",
        "root_path": root_path if root_path.endswith("/") else root_path + "/",
        "canonical_url": absolute_url(config, "search/"),
        "bundle_path": "../" + SEARCH_DIR + "/",
        "ui_strings": SEARCH_UI_STRINGS.get(config.language),
    }
    return PagePlan(SEARCH_PAGE, "search.html", context)


def is_search_output(path: str) -> bool:
    return path.startswith(SEARCH_DIR + "/")


def _place(scratch: Path, relative: str, page: bytes | Path) -> None:
    target = scratch / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(page, bytes):
        target.write_bytes(page)
        return
    try:
        os.link(page, target)
    except OSError:
        shutil.copyfile(page, target)


def _read_bundle(bundle: Path) -> list[OutputFile]:
    files = []
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        relative = path.relative_to(bundle).as_posix()
        data = path.read_bytes()
        if relative == _ENTRY_FILE:
            data = json.dumps(json.loads(data), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        files.append(OutputFile(f"{SEARCH_DIR}/{relative}", data))
    return files


class SearchCancelled(OutputError):
    """Indexing was stopped because something more urgent came up; the last index stands."""


def _wait(process: subprocess.Popen[str], cancel: Callable[[], bool] | None) -> tuple[str, str]:
    """Pagefind's output once it exits. Raises SearchCancelled as soon as cancel() is true; then,
    or on any other exit (Ctrl-C), Pagefind is ended first."""
    try:
        while True:
            if cancel is not None and cancel():
                raise SearchCancelled("search indexing was stopped for a newer change")
            try:
                return process.communicate(timeout=0.05)
            except subprocess.TimeoutExpired:
                continue
    except BaseException:
        _kill(process)
        process.communicate()
        raise


def _kill(process: subprocess.Popen[str]) -> None:
    """End Pagefind: `python -m pagefind` runs the binary as its own child, which would go on
    indexing (and hold the output pipes open) if only the launcher were killed; both are in a
    process group of their own."""
    if os.name == "posix":
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    else:
        process.kill()


def build_search_index(
    pages: Iterable[tuple[str, bytes | Path]], *, language: str, work_dir: Path, cancel: Callable[[], bool] | None = None
) -> list[OutputFile]:
    """Index pages given as (output path, HTML bytes or a file holding them); raises OutputError
    when Pagefind fails, SearchCancelled as soon as cancel() turns true (it is asked while the
    pages are laid out and while Pagefind runs). work_dir holds the scratch copy (hard links
    where the disk allows)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    for leftover in work_dir.glob("search-*"):
        shutil.rmtree(leftover, ignore_errors=True)  # from a build that was killed
    scratch = Path(tempfile.mkdtemp(prefix="search-", dir=work_dir))
    cancelled = False
    try:
        site_root = scratch / "site"
        site_root.mkdir()
        for count, (relative, page) in enumerate(pages):
            if cancel is not None and count % 500 == 0 and cancel():
                raise SearchCancelled("search indexing was stopped for a newer change")
            _place(site_root, relative, page)
        bundle = scratch / "bundle"
        command = [
            sys.executable, "-m", "pagefind", "--site", str(site_root), "--output-path", str(bundle),
            "--force-language", language, "--silent",
        ]
        try:
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=os.name == "posix"
            )
        except OSError as exc:
            raise OutputError(f"cannot run Pagefind: {exc}", hint="pip install 'pagefind[bin]', or set search = false in site.toml") from exc
        stdout, stderr = _wait(process, cancel)
        if process.returncode != 0 or not (bundle / _ENTRY_FILE).is_file():
            detail = (stderr or stdout).strip().splitlines()
            raise OutputError(
                f"Pagefind failed to index the site: {detail[-1] if detail else f'exit status {process.returncode}'}",
                hint="pip install 'pagefind[bin]', or set search = false in site.toml",
            )
        return _read_bundle(bundle)
    except SearchCancelled:
        cancelled = True
        raise
    finally:
        if cancelled:
            # The change that cancelled indexing is waiting: remove the scratch copy behind its back.
            threading.Thread(target=shutil.rmtree, args=(scratch,), kwargs={"ignore_errors": True}, daemon=True).start()
        else:
            shutil.rmtree(scratch, ignore_errors=True)
