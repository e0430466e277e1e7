"""content/_archive/: every raw drop kept byte for byte, and the manifest of what each produced.

The manifest records the digest of each .md (and picture) a drop wrote, so a file an editor has
changed since is never overwritten; a journal beside it makes applying many drops linear.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from datetime import datetime
from pathlib import Path

from flashnews.errors import NormalizeError, SourceLocation
from flashnews.ingest.sources import content_digest

MANIFEST = "manifest.json"
# Drops applied since the manifest was last written, one JSON [key, digest] per line.
JOURNAL = "manifest.log"



def read_manifest(archive: Path) -> dict[str, str] | None:
    """The manifest with its journal replayed, {} when there is none yet, None when it cannot be read."""
    try:
        data = json.loads((archive / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {}
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        return None
    try:
        lines = (archive / JOURNAL).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    except (OSError, UnicodeDecodeError):
        return None
    for line in lines:
        try:
            key, digest = json.loads(line)
        except (ValueError, TypeError):
            continue  # a line cut short by a crash: its .md counts as not made from a drop
        if isinstance(key, str) and isinstance(digest, str):
            data[key] = digest
    return data


def _append_record(path: Path, line: str) -> None:
    """Add one line to the manifest's journal (written through before the drop counts as applied)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def compact_manifest(archive: Path, manifest: dict[str, str]) -> None:
    """Fold the journal into the manifest (one write per run, however many drops it applied)."""
    write_atomic(archive / MANIFEST, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
    with contextlib.suppress(FileNotFoundError):
        (archive / JOURNAL).unlink()


def apply_drop(md_path: Path, markdown: bytes, manifest: dict[str, str], key: str, archive: Path) -> None:
    """Write the .md and record it in the manifest's journal, both or neither (the .md is put
    back on failure). Appending a line keeps a run of many drops linear; the run folds the
    journal into the manifest at its end."""
    previous = md_path.read_bytes() if md_path.exists() else None
    write_atomic(md_path, markdown)
    digest = content_digest(markdown)
    try:
        _append_record(archive / JOURNAL, json.dumps([key, digest], ensure_ascii=False))
    except OSError:
        with contextlib.suppress(OSError):
            if previous is None:
                md_path.unlink()
            else:
                write_atomic(md_path, previous)
        raise
    manifest[key] = digest


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.flashnews-tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def archive_raw(raw_path: Path, data: bytes, archive_path: Path) -> None:
    """Move the drop into the archive; an older different drop of the same name is kept too."""
    if archive_path.exists() and archive_path.read_bytes() != data:
        archive_path = archive_path.with_name(f"{archive_path.stem}.{content_digest(data)[:10]}{archive_path.suffix}")
    if archive_path.exists():
        raw_path.unlink()
        return
    archive_path.parent.mkdir(parents=True, exist_ok=True)
    os.replace(raw_path, archive_path)


def archive_page_folder(raw_path: Path, archive_path: Path) -> None:
    """Move a saved page's _files folder into the archive beside the page; one of the same name
    already archived is kept, and this one left in place (the scan skips it)."""
    folder = raw_path.with_name(f"{raw_path.stem}_files")
    target = archive_path.with_name(folder.name)
    if folder.is_dir() and not folder.is_symlink() and not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(folder, target)


def check_target(md_path: Path, shown: str, manifest: dict[str, str], key: str, raw_shown: str) -> None:
    if not md_path.exists():
        return
    recorded = manifest.get(key)
    if recorded is None:
        raise NormalizeError(
            SourceLocation(raw_shown, 1),
            f"{shown} already exists and was not made from a drop; the drop was not applied",
            hint=f"rename the drop or the {md_path.suffix} file",
        )
    if content_digest(md_path.read_bytes()) != recorded:
        raise NormalizeError(
            SourceLocation(raw_shown, 1),
            f"{shown} was edited after it was generated; the new drop was not applied",
            hint="delete the .md to regenerate it from the drop, or copy the changes in by hand",
        )


def check_not_taken(key: str, targets: dict[str, str], raw_shown: str) -> None:
    """Refuse a second drop of one run that would write the same file (story.txt and story.docx)."""
    if key in targets:
        raise NormalizeError(
            SourceLocation(raw_shown, 1),
            f"{targets[key]} also becomes {key}; this drop was not applied",
            hint="rename one of the two drops",
        )


def previous_date(md_path: Path) -> datetime | None:
    """The date of the .md an earlier drop of this article produced, so a re-drop without a
    dateline keeps its place in the news instead of jumping to the top."""
    try:
        head = md_path.read_text(encoding="utf-8")[:4096]
    except (OSError, UnicodeDecodeError):
        return None
    match = re.search(r'^date: "([^"\n]+)"$', head, re.MULTILINE)
    if match is None:
        return None
    try:
        moment = datetime.fromisoformat(match.group(1))
    except ValueError:
        return None
    return moment if moment.tzinfo else None
