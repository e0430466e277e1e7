"""Normalized drops in a git checkout -> one commit on the site's branch, rebased and pushed.

Only the drops' own files are committed: each .md written, each raw .txt it came from (now
gone from content/) and content/_archive/ (the raw bytes and the drop manifest). A push is
never forced: a rejected push is rebased onto what arrived and tried again, and a rebase that
conflicts is aborted, so an editor's commit is never lost.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from flashnews.ingest.drops import DropReport
from flashnews.errors import PublishError
from flashnews.ingest.sources import ARCHIVE_DIR

BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
# A subject line names at most this many drops; the body always lists every one.
SUBJECT_DROPS = 3


@dataclass(frozen=True, slots=True)
class Checkout:
    """A git work tree whose branch is pushed to a remote."""

    root: Path
    remote: str
    branch: str
    # Who commits the drops, and replays those commits in a rebase (a CI machine has no git identity).
    bot_name: str = BOT_NAME
    bot_email: str = BOT_EMAIL

    @property
    def tracking_ref(self) -> str:
        return f"refs/remotes/{self.remote}/{self.branch}"

    @property
    def identity(self) -> dict[str, str]:
        name, email = self.bot_name, self.bot_email
        return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}


class NoCheckoutError(PublishError):
    """The content folder is not in a git checkout that has the remote to push to."""


def _git(root: Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    # No prompt for credentials (a CI job would hang on it) and git's messages in English,
    # so that a rejected push can be told from other failures.
    environment = os.environ | {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"} | (env or {})
    return subprocess.run(["git", "-C", str(root), *args], input=stdin, capture_output=True, text=True, env=environment)


def _git_output(root: Path, *args: str) -> str:
    done = _git(root, *args)
    if done.returncode != 0:
        raise PublishError(f"git {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip()


def find_checkout(content_dir: Path, *, remote: str, branch: str | None) -> Checkout:
    """The checkout holding content_dir; NoCheckoutError says why there is none to push from."""
    try:
        done = _git(content_dir, "rev-parse", "--show-toplevel")
    except FileNotFoundError as exc:
        raise NoCheckoutError("git is not installed") from exc
    if done.returncode != 0:
        raise NoCheckoutError(f"{content_dir} is not in a git checkout")
    root = Path(done.stdout.strip())
    if _git(root, "remote", "get-url", remote).returncode != 0:
        raise NoCheckoutError(f"the checkout has no remote {remote!r} to push to")
    if not branch:
        branch = _git(root, "symbolic-ref", "--quiet", "--short", "HEAD").stdout.strip()
    if not branch:
        raise NoCheckoutError("HEAD is not on a branch", hint="pass --branch with the branch the site is published from")
    return Checkout(root, remote, branch)


def check_clean(checkout: Checkout) -> None:
    """Refuse a work tree whose tracked files have changes that a commit-back could sweep in."""
    changed = _git_output(checkout.root, "status", "--porcelain", "--untracked-files=no")
    if changed:
        raise PublishError(
            f"the checkout has uncommitted changes: {', '.join(line[3:] for line in changed.splitlines())}",
            hint="publish from a clean checkout of the branch",
        )


def _changed_paths(checkout: Checkout, start: str, end: str) -> set[str]:
    names = _git_output(checkout.root, "-c", "core.quotePath=false", "diff", "--name-only", "--no-renames", start, end)
    return set(names.splitlines())


def rebase_onto_remote(checkout: Checkout) -> None:
    """Fetch the remote branch and replay the local commits on top of it (a fast-forward when
    there are none). Commits that arrived and touch a file the local commits hold are a
    conflict: raised, with the checkout left as it was."""
    refspec = f"+refs/heads/{checkout.branch}:{checkout.tracking_ref}"
    fetched = _git(checkout.root, "fetch", "--quiet", checkout.remote, refspec)
    if fetched.returncode != 0:
        raise PublishError(f"cannot fetch {checkout.branch} from {checkout.remote}: {fetched.stderr.strip()}")
    base = _git_output(checkout.root, "merge-base", "HEAD", checkout.tracking_ref)
    # Stricter than git's own merge on purpose: git follows the drop's move into the archive
    # as a rename, and would carry an editor's new version of the drop into the archive while
    # the .md still holds the old text.
    conflict = sorted(_changed_paths(checkout, base, "HEAD") & _changed_paths(checkout, base, checkout.tracking_ref))
    if not conflict:
        rebased = _git(
            checkout.root, "-c", "commit.gpgsign=false", "rebase", "--quiet", checkout.tracking_ref, env=checkout.identity
        )
        if rebased.returncode == 0:
            return
        _git(checkout.root, "rebase", "--abort")
        conflict = [line for line in (rebased.stdout + rebased.stderr).splitlines() if line.strip()][:3] or ["git rebase failed"]
    raise PublishError(
        f"the normalized drops conflict with commits that arrived on {checkout.branch}: {', '.join(conflict)}",
        hint="nothing was pushed and the live site is unchanged; the next run starts again from the branch as it is now",
    )


def _repo_path(checkout: Checkout, path: Path) -> str:
    return Path(os.path.relpath(path.resolve(), checkout.root)).as_posix()


def commit_message(drops: list[tuple[str, str]], archive: str) -> str:
    """Subject naming the drops, then one line per drop: raw path -> .md path."""
    names = [raw for raw, _ in drops]
    if len(names) == 1:
        subject = f"Normalize the drop {names[0]}"
    else:
        more = len(names) - SUBJECT_DROPS
        shown = ", ".join(names[:SUBJECT_DROPS]) + (f" and {more} more" if more > 0 else "")
        subject = f"Normalize {len(names)} drops: {shown}"
    body = "\n".join(f"{raw} -> {md}" for raw, md in drops)
    return (
        f"{subject}\n\n{body}\n\n"
        f"The raw files are kept byte for byte in {archive}/, with the drop manifest.\n"
        "Committed by `flashnews publish`, so every later build keeps the dates written here.\n"
    )


def commit_drops(checkout: Checkout, report: DropReport, content_dir: Path) -> str | None:
    """Commit what normalizing the drops of report wrote; the new commit's id, or None when it applied none."""
    if not report.applied:
        return None
    drops = [(_repo_path(checkout, raw), _repo_path(checkout, md)) for raw, md in report.applied]
    archive = _repo_path(checkout, content_dir / ARCHIVE_DIR)
    # Literal paths: a drop may be called "Lajm [1].txt", which git would read as a pattern.
    pictures = [_repo_path(checkout, picture) for picture in report.pictures]
    _git_output(checkout.root, "--literal-pathspecs", "add", "--all", "--", *(md for _, md in drops), *pictures, archive)
    # A drop that was tracked is recorded as deleted; one that never was is no concern of git's.
    raws = (raw for raw, _ in drops)
    _git_output(checkout.root, "--literal-pathspecs", "rm", "--quiet", "--cached", "--ignore-unmatch", "--", *raws)
    # A temporary file an interrupted run left in the archive is not part of it.
    _git_output(checkout.root, "rm", "--quiet", "--cached", "--ignore-unmatch", "--", f":(glob){archive}/**/.*.flashnews-tmp")
    message = commit_message(drops, archive)
    done = _git(checkout.root, "-c", "commit.gpgsign=false", "commit", "--quiet", "--file", "-", env=checkout.identity, stdin=message)
    if done.returncode != 0:
        raise PublishError(f"cannot commit the normalized drops: {(done.stderr or done.stdout).strip()}")
    return _git_output(checkout.root, "rev-parse", "HEAD")


def has_unpushed_commits(checkout: Checkout) -> bool:
    """Whether HEAD holds commits the remote branch (as last fetched) does not."""
    return _git_output(checkout.root, "rev-list", "--count", f"{checkout.tracking_ref}..HEAD") != "0"


def push(checkout: Checkout) -> str | None:
    """Push HEAD to the remote branch, never forced: None when it landed, else git's message for
    a rejected push (the branch moved on: rebase and try again); any other failure is raised."""
    done = _git(checkout.root, "push", "--quiet", checkout.remote, f"HEAD:refs/heads/{checkout.branch}")
    if done.returncode == 0:
        return None
    message = done.stderr.strip()
    if "rejected" in message or "failed to update ref" in message or "cannot lock ref" in message:
        return message
    raise PublishError(
        f"cannot push to {checkout.remote} {checkout.branch}: {message}",
        hint="give the job write access to the repository (GitHub Actions: permissions: contents: write)",
    )
