"""The content folder -> the source files a build reads, editor and sync litter left out."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

# Files editors' tools and sync clients leave behind; never articles.
_LITTER = re.compile(
    r"""(
        ^\. | ^\#.*\#$ | ~$ | ^4913$ | \.sw[a-p]$ | \.tmp$ | \.temp$ | \.bak$ | \.orig$ | \.part$ | \.crdownload$
        | ^thumbs\.db$ | ^desktop\.ini$ | conflicted\ copy | \(conflict | \.flashnews-tmp$
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def is_litter(name: str) -> bool:
    """Whether a file name is editor, OS or sync-client litter."""
    return bool(_LITTER.search(name))


def is_ignored_dir(name: str) -> bool:
    return name.startswith((".", "_"))


def display_path(path: Path, content_dir: Path) -> str:
    """How a source path is shown in messages: content/<relative path>."""
    try:
        return (Path(content_dir.name) / path.relative_to(content_dir)).as_posix()
    except ValueError:
        return path.as_posix()


def list_source_files(content_dir: Path, *, suffix: str) -> list[Path]:
    """Regular files with the suffix under content_dir, sorted; symlinks that leave the
    folder, FIFOs and ignored folders (_archive, dot folders) are skipped."""
    root = content_dir.resolve()
    found: list[Path] = []
    for folder, dirs, files in os.walk(content_dir, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not is_ignored_dir(d))
        for name in files:
            if not name.endswith(suffix) or is_litter(name):
                continue
            path = Path(folder) / name
            try:
                mode = os.lstat(path).st_mode
                # os.walk does not follow folder links, so only a linked file can lead outside.
                if stat.S_ISLNK(mode):
                    if not path.resolve(strict=True).is_relative_to(root):
                        continue
                    mode = path.stat().st_mode
            except (OSError, RuntimeError):
                continue
            if stat.S_ISREG(mode):
                found.append(path)
    return sorted(found, key=lambda path: path.parts)  # the order of Path comparison, computed once per path
