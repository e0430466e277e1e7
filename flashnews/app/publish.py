"""The publish command (CI): new drops -> normalized, committed back and pushed -> the site built.

The repository is the source of truth: a drop is dated once, by the first run that sees it, and
its .md goes back to the branch before anything is built, so every later run (with or without
the cached build state) builds the same dates. The build starts only after the push landed; if
it cannot land, the command exits 2 and nothing is built, so nothing is deployed.

A run that finds no new drop commits nothing, so a CI that starts a run for the commit-back's
own push stops after that one run.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from flashnews.app.commands import EXIT_FATAL, Invocation, build_and_report
from flashnews.app.commitback import (
    Checkout,
    NoCheckoutError,
    check_clean,
    commit_drops,
    find_checkout,
    has_unpushed_commits,
    push,
    rebase_onto_remote,
)
from flashnews.ingest.drops import DropReport, normalize_drops
from flashnews.errors import PublishError
from flashnews.build.pipeline import BuildResult
from flashnews.app.reporting import print_drops, report_problems, summary_line
from flashnews.ingest.sources import display_path

# The n-th retry waits RETRY_DELAY_SECONDS * 2**(n-1): 1, 2, 4, 8 s for the default five pushes.
RETRY_DELAY_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class CommitBack:
    """What the commit-back did: every drop it normalized, over all its passes, and its commits."""

    drops: DropReport
    commits: tuple[str, ...]


def _merge(first: DropReport, later: DropReport) -> DropReport:
    # A drop that fails stays in content/ and is tried again by every pass: its errors are the
    # last pass's. Warnings belong to the pass that wrote the drop.
    return DropReport(
        first.written + later.written,
        later.errors,
        first.warnings + later.warnings,
        first.stripped + later.stripped,
        first.notes + later.notes,
        first.applied + later.applied,
        first.pictures + later.pictures,
    )


def commit_back_drops(invocation: Invocation, checkout: Checkout, *, attempts: int) -> CommitBack:
    """Normalize, commit and push until the push lands; after each rejected push, rebase onto
    what arrived and normalize again (an editor's new drops are in it). Raises PublishError."""
    check_clean(checkout)
    rebase_onto_remote(checkout)
    drops = DropReport()
    commits: list[str] = []
    rejected: str | None = None
    for attempt in range(1, max(attempts, 1) + 1):
        found = normalize_drops(invocation.paths.content_dir, invocation.config, now=invocation.now)
        print_drops(found, invocation.verbosity)
        report_problems(found.errors, found.warnings, invocation.verbosity)
        drops = _merge(drops, found)
        commit = commit_drops(checkout, found, invocation.paths.content_dir)
        if commit:
            commits.append(commit)
            print(f"committed {len(found.applied)} normalized drop(s) as {commit[:12]}")
        if not has_unpushed_commits(checkout):
            return CommitBack(drops, tuple(commits))
        rejected = push(checkout)
        if rejected is None:
            print(f"pushed to {checkout.remote} {checkout.branch}")
            return CommitBack(drops, tuple(commits))
        if attempt == attempts:
            break
        delay = RETRY_DELAY_SECONDS * 2 ** (attempt - 1)
        print(f"{checkout.branch} moved on while this run worked; rebasing onto it and pushing again in {delay:g} s")
        time.sleep(delay)
        rebase_onto_remote(checkout)
    raise PublishError(
        f"the push to {checkout.remote} {checkout.branch} was rejected {attempts} times; the last time: {rejected}",
        hint="nothing was pushed and the live site is unchanged; the next run tries again",
    )


def run_publish(invocation: Invocation) -> int:
    """Commit new drops back (or warn that it cannot), then build; the build's exit status, or 2."""
    args = invocation.args
    checkout = None
    reason = "--no-commit-back"
    if not args.no_commit_back:
        try:
            found = find_checkout(invocation.paths.content_dir, remote=args.remote, branch=args.branch)
            checkout = replace(
                found, bot_name=args.bot_name or found.bot_name, bot_email=args.bot_email or found.bot_email
            )
        except NoCheckoutError as exc:
            reason = str(exc)
    if checkout is None:
        print(
            f"warning: drops are not committed back ({reason}): each build normalizes them again and a drop "
            "without a dateline is dated again; commit the .md files, or publish from a checkout that can push",
            file=sys.stderr,
        )
        status, result, drops = build_and_report(replace(invocation, warn_uncommitted_drops=True))
        write_job_summary(
            drops, result, content_dir=invocation.paths.content_dir, commits=(), failure=f"not committed back: {reason}"
        )
        return status
    try:
        done = commit_back_drops(invocation, checkout, attempts=args.push_attempts)
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("fatal: nothing was pushed or built; the live site is unchanged", file=sys.stderr)
        write_job_summary(None, None, content_dir=invocation.paths.content_dir, commits=(), failure=str(exc))
        return EXIT_FATAL
    # Every drop was normalized by the pass that saw the tree as pushed; the build has none left.
    status, result, drops = build_and_report(invocation, normalize_first=False, drops=done.drops)
    write_job_summary(drops, result, content_dir=invocation.paths.content_dir, commits=done.commits)
    return status


def _code(text: str) -> str:
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def job_summary(
    drops: DropReport | None, result: BuildResult | None, *, content_dir: Path, commits: tuple[str, ...], failure: str = ""
) -> str:
    """Markdown for the CI job's summary page: drops normalized, their warnings and errors, the build."""
    lines = ["## flashnews publish", ""]
    if failure:
        lines += [f"**Not published:** {failure}" if result is None else f"**Warning:** {failure}", ""]
    if drops is not None:
        if drops.written:
            where = f" and committed in {', '.join(_code(c[:12]) for c in commits)}" if commits else ""
            lines += [f"**{len(drops.written)} drop(s) normalized**{where}:", ""]
            for raw, md in drops.applied:
                lines.append(f"- {_code(display_path(raw, content_dir))} → {_code(display_path(md, content_dir))}")
            lines.append("")
        else:
            lines += ["No new drops.", ""]
        if drops.errors:
            lines += ["**Drops refused** (each stays in content/ until it is fixed or deleted):", ""]
            lines += [f"- {_code(str(error))}" for error in drops.errors] + [""]
        if drops.warnings:
            lines += ["**Drop warnings:**", ""] + [f"- {_code(str(warning))}" for warning in drops.warnings] + [""]
    if result is not None:
        lines += [f"**Build:** {summary_line(result, drops)}", ""]
        if result.errors:
            lines += ["**Build errors:**", ""] + [f"- {_code(str(error))}" for error in result.errors] + [""]
        if result.warnings:
            lines += ["**Build warnings:**", ""] + [f"- {_code(str(warning))}" for warning in result.warnings] + [""]
    return "\n".join(lines)


def write_job_summary(
    drops: DropReport | None, result: BuildResult | None, *, content_dir: Path, commits: tuple[str, ...], failure: str = ""
) -> None:
    """Append the job summary to the file GITHUB_STEP_SUMMARY names, when there is one."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    with open(Path(target), "a", encoding="utf-8") as handle:
        handle.write(job_summary(drops, result, content_dir=content_dir, commits=commits, failure=failure) + "\n")
