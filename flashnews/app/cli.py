"""Command line: argv -> exit status (0 clean, 1 some inputs had errors, 2 fatal)."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import threading
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from flashnews.app.commands import EXIT_FATAL, Invocation, run_build, run_check, run_normalize, run_watch
from flashnews.config import SiteConfig, load_config
from flashnews.errors import ConfigError, FlashnewsError, OutputError, TemplateError
from flashnews.build.pipeline import BuildPaths


def _parse_now(text: str | None, environ: dict[str, str], config: SiteConfig) -> datetime:
    """--now, else SOURCE_DATE_EPOCH, else the current time; always timezone-aware."""
    if text:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ConfigError(f"--now {text!r} is not an ISO 8601 time", path="command line") from exc
        return moment if moment.tzinfo else moment.replace(tzinfo=config.tz)
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError) as exc:
            raise ConfigError(f"SOURCE_DATE_EPOCH {epoch!r} is not a Unix time", path="environment") from exc
    return datetime.now(timezone.utc).replace(microsecond=0)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--content", type=Path, default=Path("content"), help="raw drops and Markdown (default: content)")
    common.add_argument("--output", type=Path, default=Path("public"), help="output folder (default: public)")
    common.add_argument("--config", type=Path, default=None, help="site config (default: site.toml if present)")
    common.add_argument("--templates", type=Path, default=None, help="templates folder (default: beside the config)")
    common.add_argument("--static", type=Path, default=None, help="static files folder (default: beside the config)")
    common.add_argument("--base-url", default=None, help="public URL of the site, e.g. https://example.org/news/")
    common.add_argument("--now", default=None, help="build clock, ISO 8601 (default: SOURCE_DATE_EPOCH, else now)")
    common.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    common.add_argument("-q", "--quiet", action="count", default=0, help="print only errors and the summary")
    common.add_argument("-v", "--verbose", action="count", default=0, help="also list what was written and stripped")
    parser = argparse.ArgumentParser(prog="flashnews", description="Build the Flash News site from content/.", parents=[common])
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("build", parents=[common], help="normalize raw drops, then build the site (default)")
    normalize = commands.add_parser("normalize", parents=[common], help="only turn raw .txt drops into .md files")
    normalize.add_argument("--explain", type=Path, metavar="FILE", help="print what every line of one raw drop becomes; write nothing")
    commands.add_parser("check", parents=[common], help="validate everything, write nothing")
    publish = commands.add_parser(
        "publish", parents=[common], help="normalize new drops, commit them back to the branch and push, then build (for CI)"
    )
    publish.add_argument("--remote", default="origin", help="remote to push the normalized drops to (default: origin)")
    publish.add_argument("--branch", default=None, help="branch the site is published from (default: the checked-out branch)")
    publish.add_argument("--bot-name", default=None, help="author of the commit-back (default: github-actions[bot])")
    publish.add_argument("--bot-email", default=None, help="its email (default: the GitHub Actions bot's)")
    publish.add_argument("--push-attempts", type=int, default=5, help="pushes tried, each after a rebase onto what arrived (default: 5)")
    publish.add_argument(
        "--no-commit-back", action="store_true", help="for a CI that cannot push: build without committing drops (they are dated again each build)"
    )
    for name, text in (("watch", "rebuild on every change"), ("serve", "rebuild on change and preview with live reload")):
        sub = commands.add_parser(name, parents=[common], help=text)
        sub.add_argument("--poll", action="store_true", help="poll the disk (network shares, synced folders)")
        if name == "serve":
            sub.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
            sub.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    return parser


def _invocation(argv: Sequence[str] | None, environ: dict[str, str]) -> Invocation:
    args = _parser().parse_args(argv)
    config_path = args.config
    if config_path is None and Path("site.toml").is_file():
        config_path = Path("site.toml")
    config = load_config(config_path, base_url=args.base_url)
    if not args.content.is_dir():
        raise ConfigError(
            f"content folder {args.content} not found",
            path="command line",
            hint="pass --content DIR or run from the site's folder; nothing was built or deleted",
        )
    project = config_path.parent if config_path else Path(".")
    paths = BuildPaths(
        content_dir=args.content,
        output_dir=args.output,
        templates_dir=args.templates or project / "templates",
        static_dir=args.static or project / "static",
    )
    now = _parse_now(args.now, environ, config)
    in_ci = environ.get("CI", "").strip().lower() not in ("", "0", "false")
    return Invocation(args.command or "build", config, paths, now, args.drafts, args.verbose - args.quiet, args, in_ci)


def tune_garbage_collector() -> None:
    """A build makes tens of thousands of long-lived objects (articles, cards, keys) and few
    reference cycles; with the default thresholds the collector rescans them all dozens of
    times per build. Objects made at import time are moved out of its sight for good."""
    gc.freeze()
    gc.set_threshold(100_000, 20, 100)


def run() -> None:
    """The command-line entry point: one command in a fresh process, then exit with its status."""
    tune_garbage_collector()
    status = main()
    if threading.active_count() == 1:
        # Everything is written and closed and no other thread runs: the process ends without
        # freeing the build's hundreds of thousands of objects one by one (a tenth of a second
        # at 100,000 articles).
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status."""
    try:
        invocation = _invocation(argv, dict(os.environ))
        if invocation.command == "normalize":
            return run_normalize(invocation)
        if invocation.command == "check":
            return run_check(invocation)
        if invocation.command == "publish":
            from flashnews.app.publish import run_publish

            return run_publish(invocation)
        if invocation.command in ("watch", "serve"):
            return run_watch(invocation)
        return run_build(invocation)
    except (ConfigError, TemplateError, OutputError) as exc:
        print(f"{exc}", file=sys.stderr)
        print("fatal: nothing was changed in the output folder", file=sys.stderr)
        return EXIT_FATAL
    except FlashnewsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FATAL
    except KeyboardInterrupt:
        return 130
