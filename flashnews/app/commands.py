"""The commands that build, normalize and check: an Invocation -> what they print and their exit status
(0 clean, 1 some inputs had errors, 2 fatal)."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flashnews.config import SiteConfig
from flashnews.ingest.drops import DropReport, normalize_drops
from flashnews.errors import SourceError
from flashnews.build.pipeline import BuildPaths, BuildResult, build_site, content_stamps_started
from flashnews.app.reporting import print_drops, report_problems, summary_line

EXIT_OK, EXIT_INPUT_ERRORS, EXIT_FATAL = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Invocation:
    """Everything a command needs, resolved from the arguments and the environment."""

    command: str
    config: SiteConfig
    paths: BuildPaths
    now: datetime
    include_drafts: bool
    verbosity: int
    args: argparse.Namespace
    # In a CI job a drop normalized by the build itself is lost with the checkout, unless the
    # job commits it back (the publish command does); say so in the build log.
    warn_uncommitted_drops: bool = False


class ProgressBars:
    """One progress bar per build stage on a terminal, shown only when the stage takes more than
    a moment; without a terminal (CI, logs) the summary line is all that is printed."""

    def __init__(self, *, enabled: bool) -> None:
        self._enabled = enabled
        self._bars: dict[str, Any] = {}

    def update(self, stage: str, done: int, total: int) -> None:
        if not self._enabled:
            return
        bar = self._bars.get(stage)
        if bar is None:
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: the build may fork worker processes
            label = {"parse": "parsing", "render": "rendering"}.get(stage, stage)
            bar = self._bars[stage] = tqdm(total=total, desc=label, unit=" files", leave=False, delay=0.5, file=sys.stderr)
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()


def warn_uncommitted_drops(drops: DropReport) -> None:
    """Say that the drops this build normalized go nowhere but this checkout."""
    print(
        f"warning: {', '.join(drops.written)} normalized in this build and not committed back: every build normalizes "
        "the drops again, and a drop without a dateline gets a new date each time; commit the .md files "
        "(run python build.py normalize and commit content/), or build with python build.py publish where the job can push",
        file=sys.stderr,
    )


def run_build(invocation: Invocation, *, normalize_first: bool = True) -> int:
    return build_and_report(invocation, normalize_first=normalize_first)[0]


def build_and_report(
    invocation: Invocation, *, normalize_first: bool = True, drops: DropReport | None = None
) -> tuple[int, BuildResult, DropReport | None]:
    """Normalize (unless drops says what that did already), build, print; the exit status and what was done."""
    stamps = None
    if normalize_first and drops is None:
        # content/ is stamped while the drops are looked for; stamped again if normalizing changed it.
        stamps = content_stamps_started(invocation.paths)
        drops = normalize_drops(invocation.paths.content_dir, invocation.config, now=invocation.now)
        if drops.written or drops.applied or drops.pictures or drops.errors:
            stamps.discard()  # normalizing changed content/, or may have changed part of it
            stamps = None
        print_drops(drops, invocation.verbosity)
        report_problems(drops.errors, drops.warnings, invocation.verbosity)
        if drops.written and invocation.warn_uncommitted_drops:
            warn_uncommitted_drops(drops)
    bars = ProgressBars(enabled=invocation.verbosity >= 0 and sys.stderr.isatty())
    try:
        result = build_site(
            invocation.config, invocation.paths, now=invocation.now, include_drafts=invocation.include_drafts, progress=bars.update,
            content_stamps=stamps,
        )
    finally:
        bars.close()
        if stamps is not None:
            stamps.discard()  # left unread when the build stopped early
    report_problems(result.errors, result.warnings, invocation.verbosity)
    if invocation.verbosity > 0:
        for path in result.written_paths:
            print(f"wrote {path}")
    print(summary_line(result, drops))
    if invocation.verbosity >= 0 and invocation.command == "build":
        print(f"open {invocation.paths.output_dir / 'index.html'} or run: make serve  (http://127.0.0.1:8000/)")
    status = EXIT_INPUT_ERRORS if result.errors or (drops and drops.errors) else EXIT_OK
    return status, result, drops


def run_explain(invocation: Invocation, path: Path) -> int:
    """Print every line of one raw drop with what it became and why; nothing is written."""
    from flashnews.ingest.drops import explain_drop

    try:
        explanation = explain_drop(path, invocation.paths.content_dir, invocation.config, now=invocation.now)
    except SourceError as exc:
        print(f"{exc}", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    print(explanation)
    return EXIT_OK


def run_normalize(invocation: Invocation) -> int:
    if invocation.args.explain is not None:
        return run_explain(invocation, invocation.args.explain)
    drops = normalize_drops(invocation.paths.content_dir, invocation.config, now=invocation.now)
    print_drops(drops, invocation.verbosity)
    report_problems(drops.errors, drops.warnings, invocation.verbosity)
    print(f"{len(drops.written)} drops normalized, {len(drops.warnings)} warnings, {len(drops.errors)} errors")
    return EXIT_INPUT_ERRORS if drops.errors else EXIT_OK


def run_check(invocation: Invocation) -> int:
    from flashnews.build.stages import check_site

    result = check_site(invocation.config, invocation.paths, now=invocation.now, include_drafts=invocation.include_drafts)
    report_problems(result.errors, result.warnings, invocation.verbosity)
    print(f"checked {result.articles} articles, {result.pages} pages: {len(result.warnings)} warnings, {len(result.errors)} errors")
    return EXIT_INPUT_ERRORS if result.errors else EXIT_OK


def _config_path(invocation: Invocation) -> Path | None:
    if invocation.args.config is not None:
        return Path(invocation.args.config)
    return Path("site.toml") if Path("site.toml").is_file() else None


STOP_GRACE_SECONDS = 10.0


def run_watch(invocation: Invocation) -> int:
    """`watch` and `serve`: build, then rebuild on change (and preview) until Ctrl-C."""
    fixed_now = invocation.args.now or os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    server = None
    channel = None
    if invocation.command == "serve":
        from flashnews.app.serve import PreviewServer, ReloadChannel

        channel = ReloadChannel()
        try:
            server = PreviewServer(
                invocation.paths.output_dir, channel, host=invocation.args.host, port=invocation.args.port, verbose=invocation.verbosity > 0
            )
        except OSError as exc:
            print(f"cannot listen on {invocation.args.host}:{invocation.args.port}: {exc.strerror}; try --port", file=sys.stderr)
            return 2
    from flashnews.app.watch import Watcher

    watcher = Watcher(
        invocation.config,
        invocation.paths,
        config_path=_config_path(invocation),
        base_url=invocation.args.base_url,
        now=invocation.now if fixed_now else None,
        include_drafts=invocation.include_drafts,
        poll=invocation.args.poll,
        verbosity=invocation.verbosity,
        on_build=channel.publish_outcome if channel is not None else None,
        on_pages=channel.publish_pages if channel is not None else None,
    )
    watcher.start()
    if server is not None:
        server.start()
        print(f"serving {invocation.paths.output_dir} at {server.url}  (Ctrl-C to stop)", flush=True)
    else:
        print("watching for changes  (Ctrl-C to stop)", flush=True)
    interrupted = False
    try:
        while watcher.is_running:
            watcher.join(timeout=0.5)
    except KeyboardInterrupt:
        interrupted = True
        print("stopping", flush=True)
    finally:
        # The loop only ends by itself when it could not run (e.g. the state folder is unwritable).
        status = 0 if interrupted else 2
        # Stopping must not hang on a thread that does not finish: the output folder is safe at
        # any moment (the next run rolls back a transaction cut short), so after a grace period
        # the process ends anyway.
        guard = threading.Timer(STOP_GRACE_SECONDS, _exit_now, args=(status,))
        guard.daemon = True
        guard.start()
        if server is not None:
            server.stop()
        watcher.stop()
    return status


def _exit_now(status: int) -> None:
    print(f"stopping took over {STOP_GRACE_SECONDS:.0f} s; exiting", file=sys.stderr, flush=True)
    sys.stdout.flush()
    os._exit(status)
