"""Raw .txt drops in content/ -> .md files beside them, the raw bytes archived unchanged.

content/_archive/ keeps every raw drop byte for byte and a manifest of the Markdown each drop
produced, so a .md an editor has changed since is never overwritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flashnews.config import SiteConfig
from flashnews.errors import NormalizeError, SourceError, SourceLocation, SourceWarning
from flashnews.sources import ARCHIVE_DIR, display_path, read_source_bytes, scan_source_files
from flashnews.state import content_digest

MANIFEST = "manifest.json"
# Drops applied since the manifest was last written, one JSON [key, digest] per line.
JOURNAL = "manifest.log"


@dataclass(frozen=True, slots=True)
class DropReport:
    """What normalizing the drops did."""

    written: tuple[str, ...] = ()
    errors: tuple[SourceError, ...] = ()
    warnings: tuple[SourceWarning, ...] = ()
    stripped: tuple[str, ...] = ()
    # (raw drop, .md it became) for each drop applied, as found under content_dir: what a
    # commit of the run must hold, with content/_archive/.
    applied: tuple[tuple[Path, Path], ...] = ()


def _read_manifest(archive: Path) -> dict[str, str] | None:
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


def _compact_manifest(archive: Path, manifest: dict[str, str]) -> None:
    """Fold the journal into the manifest (one write per run, however many drops it applied)."""
    _write_atomic(archive / MANIFEST, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
    with contextlib.suppress(FileNotFoundError):
        (archive / JOURNAL).unlink()


def _apply_drop(md_path: Path, markdown: bytes, manifest: dict[str, str], key: str, archive: Path) -> None:
    """Write the .md and record it in the manifest's journal, both or neither (the .md is put
    back on failure). Appending a line keeps a run of many drops linear; the run folds the
    journal into the manifest at its end."""
    previous = md_path.read_bytes() if md_path.exists() else None
    _write_atomic(md_path, markdown)
    digest = content_digest(markdown)
    try:
        _append_record(archive / JOURNAL, json.dumps([key, digest], ensure_ascii=False))
    except OSError:
        with contextlib.suppress(OSError):
            if previous is None:
                md_path.unlink()
            else:
                _write_atomic(md_path, previous)
        raise
    manifest[key] = digest


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.flashnews-tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _archive_raw(raw_path: Path, data: bytes, archive_path: Path) -> None:
    """Move the drop into the archive; an older different drop of the same name is kept too."""
    if archive_path.exists() and archive_path.read_bytes() != data:
        archive_path = archive_path.with_name(f"{archive_path.stem}.{content_digest(data)[:10]}{archive_path.suffix}")
    if archive_path.exists():
        raw_path.unlink()
        return
    archive_path.parent.mkdir(parents=True, exist_ok=True)
    os.replace(raw_path, archive_path)


def _check_target(md_path: Path, shown: str, manifest: dict[str, str], key: str, raw_shown: str) -> None:
    if not md_path.exists():
        return
    recorded = manifest.get(key)
    if recorded is None:
        raise NormalizeError(
            SourceLocation(raw_shown, 1),
            f"{shown} already exists and was not made from a drop; the drop was not applied",
            hint="rename the drop or the .md file",
        )
    if content_digest(md_path.read_bytes()) != recorded:
        raise NormalizeError(
            SourceLocation(raw_shown, 1),
            f"{shown} was edited after it was generated; the new drop was not applied",
            hint="delete the .md to regenerate it from the drop, or copy the changes in by hand",
        )


def _previous_date(md_path: Path) -> datetime | None:
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


def normalize_drops(content_dir: Path, config: SiteConfig, *, now: datetime, dry_run: bool = False) -> DropReport:
    """Normalize every .txt drop under content_dir; with dry_run, only report."""
    archive = content_dir / ARCHIVE_DIR
    written: list[str] = []
    errors: list[SourceError] = []
    warnings: list[SourceWarning] = []
    stripped: list[str] = []
    applied: list[tuple[Path, Path]] = []
    scan = scan_source_files(content_dir, suffix=".txt", report_documents=True)
    errors.extend(scan.errors)
    warnings.extend(scan.warnings)
    if not scan.paths:  # the usual build: no drop, so the manifest (one entry per drop ever made) is not read
        return DropReport((), tuple(errors), tuple(warnings), ())
    manifest = _read_manifest(archive)
    if manifest is None:
        manifest = {}
        warnings.append(
            SourceWarning(
                SourceLocation(display_path(archive / MANIFEST, content_dir), 1),
                "the drop manifest is unreadable, so no existing .md file is overwritten",
                "restore it from a backup, or delete it and the .md files made from drops",
            )
        )
    # Decoding and normalizing need charset detection, YAML and slug libraries, which a build
    # without new drops (the usual one) does not import.
    from flashnews.decode import decode_bytes
    from flashnews.normalize import normalize_text

    for raw_path in scan.paths:
        shown = display_path(raw_path, content_dir)
        relative = raw_path.relative_to(content_dir).as_posix()
        md_path = raw_path.with_suffix(".md")
        key = md_path.relative_to(content_dir).as_posix()
        try:
            data = read_source_bytes(raw_path, shown=shown, max_bytes=config.normalize.max_source_bytes)
            decoded = decode_bytes(data, path=shown, fallback_encoding=config.normalize.fallback_encoding)
            _check_target(md_path, display_path(md_path, content_dir), manifest, key, shown)
            result = normalize_text(
                decoded.text,
                path=shown,
                now=_previous_date(md_path) or now.astimezone(config.tz),
                config=config.normalize,
                sections=config.sections,
            )
        except SourceError as exc:
            errors.append(exc)
            continue
        except OSError as exc:
            errors.append(NormalizeError(SourceLocation(shown, 1), f"cannot read the file: {exc.strerror}"))
            continue
        warnings.extend(decoded.warnings + result.warnings)
        stripped.extend(f"{shown}:{line}" for line in result.stripped)
        if dry_run:
            continue
        markdown = result.markdown.encode("utf-8")
        try:
            _apply_drop(md_path, markdown, manifest, key, archive)
            _archive_raw(raw_path, data, archive / relative)
        except OSError as exc:
            errors.append(
                NormalizeError(
                    SourceLocation(shown, 1),
                    f"cannot write {display_path(md_path, content_dir)}: {exc.strerror or exc}",
                    hint="free disk space or fix permissions; the drop was left in place and is retried next time",
                )
            )
            continue
        written.append(display_path(md_path, content_dir))
        applied.append((raw_path, md_path))
    if written:
        try:
            _compact_manifest(archive, manifest)
        except OSError as exc:
            # The journal still holds every drop; the next run folds it in.
            warnings.append(SourceWarning(SourceLocation(display_path(archive / MANIFEST, content_dir), 1), f"cannot update the drop manifest: {exc.strerror or exc}", "free disk space; nothing was lost"))
    return DropReport(tuple(written), tuple(errors), tuple(warnings), tuple(stripped), tuple(applied))
