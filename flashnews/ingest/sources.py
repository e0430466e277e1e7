"""The content folder -> the source files a build reads, editor and sync litter left out."""

from __future__ import annotations

import hashlib

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from flashnews.errors import SourceError, SourceLocation, SourceWarning

# Where normalizing keeps each raw drop byte for byte; never read as content.
ARCHIVE_DIR = "_archive"

# Files editors' tools and sync clients leave behind; never articles.
_LITTER = re.compile(
    r"""(
        ^\. | ^~\$ | ^\#.*\#$ | ~$ | ^4913$ | \.sw[a-p]$ | \.tmp$ | \.temp$ | \.bak$ | \.orig$ | \.part$ | \.crdownload$
        | ^thumbs\.db$ | ^desktop\.ini$ | conflicted\ copy | \(conflict | \.flashnews-tmp$
    )""",
    re.IGNORECASE | re.VERBOSE,
)


# Dropbox, Nextcloud, Syncthing and OneDrive name the losing side of an edit conflict like this;
# it holds an editor's words, so it is reported rather than ignored.
_CONFLICT_COPY = re.compile(r"conflicted copy|\(conflict|\.sync-conflict-|-conflict-\d", re.IGNORECASE)
_DOCUMENT_SUFFIXES = (".doc", ".docx", ".odt", ".rtf", ".pages", ".wps")
# What normalizing reads as a raw drop: pasted text, Word documents and saved web pages.
DROP_SUFFIXES = (".txt", ".docx", ".html", ".htm")
# A browser saves a page's pictures, scripts and frames in "<page name>_files" beside it; that
# folder belongs to the page (frames saved as .html in it are not drops).
_PAGE_FOLDER = "_files"
_PAGE_SIBLINGS = (".html", ".htm", ".md")


def content_digest(data: bytes) -> str:
    """The hash the build state records for a file's bytes (sources, drops, output files)."""
    return hashlib.sha256(data).hexdigest()


def is_litter(name: str) -> bool:
    """Whether a file name is editor, OS or sync-client litter."""
    return bool(_LITTER.search(name))


def is_ignored_dir(name: str) -> bool:
    return name.startswith((".", "_"))


def display_path(path: Path, content_dir: Path) -> str:
    """How a source path is shown in messages: content/<relative path>."""
    prefix = f"{content_dir}{os.sep}"
    text = str(path)
    # Every file found by walking content_dir starts with it; string slicing is many times
    # cheaper than relative_to, and this runs for every source of every build.
    if content_dir.name and text.startswith(prefix) and os.sep + "." not in text[len(prefix) - 1 :]:
        return f"{content_dir.name}/{text[len(prefix):].replace(os.sep, '/')}"
    try:
        return (Path(content_dir.name) / path.relative_to(content_dir)).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass(frozen=True, slots=True)
class SourceScan:
    """The source files found, and the entries that look like sources but cannot be read as one."""

    paths: tuple[Path, ...]
    errors: tuple[SourceError, ...] = ()
    warnings: tuple[SourceWarning, ...] = ()
    shown: tuple[str, ...] = ()  # each path as messages show it (content/<relative path>)


def _refusal(path: Path, mode: int, root: Path) -> tuple[str, str] | None:
    """Why an entry with a source suffix is not a readable source file, or None if it is one."""
    if stat.S_ISLNK(mode):
        try:
            target = path.resolve(strict=True)
        except RuntimeError:
            return "symbolic link loop", "remove the link or point it at the article file"
        except OSError:
            return "symbolic link to a file that does not exist", "remove the link or restore its target"
        if not target.is_relative_to(root):
            return f"symbolic link points outside {root.name}/ (to {target})", "copy the article into the content folder"
        mode = path.stat().st_mode
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a file", "save the article as a regular file"
    if not stat.S_ISREG(mode):
        return "not a regular file", "save the article as a regular file"
    return None


def _folder_link_warning(entry: os.DirEntry[str], root: Path, shown: str) -> SourceWarning | None:
    """A link to a folder is never followed (a link to `..` would loop); say so, naming it."""
    try:
        if not entry.is_dir(follow_symlinks=True):
            return None
        target = Path(entry.path).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if root.is_relative_to(target):
        what = f"symbolic link to a folder that holds it ({target}) would loop; it is not followed"
    else:
        what = f"symbolic link to a folder ({target}) is not followed"
    return SourceWarning(SourceLocation(shown, 1), what, "move or copy the articles into content/ itself")


def _is_utf8(name: str) -> bool:
    """False for a name the file system gave as bytes that are not UTF-8 (held as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_page_folder(name: str, entries: list[os.DirEntry[str]]) -> bool:
    """Whether a folder is the "_files" folder of a saved web page (or of the article made from one) beside it."""
    if not name.casefold().endswith(_PAGE_FOLDER):
        return False
    page = name[: -len(_PAGE_FOLDER)]
    return any(entry.name in {page + sibling for sibling in _PAGE_SIBLINGS} for entry in entries)


def scan_source_files(content_dir: Path, *, suffix: str | tuple[str, ...], report_documents: bool = False) -> SourceScan:
    """Regular files with the suffix, or one of the suffixes (any case), under content_dir,
    sorted; litter, ignored folders (_archive, dot folders) and saved pages' _files folders are left out silently. Links leading outside the folder,
    link loops, FIFOs and devices become located errors, so a source never vanishes without a word;
    sync-conflict copies (and, with report_documents, word-processor files) become warnings."""
    root = content_dir.resolve()
    found: list[tuple[tuple[str, ...], Path, str]] = []
    errors: list[SourceError] = []
    warnings: list[SourceWarning] = []
    # scandir rather than os.walk + lstat: the directory entry already says what each name is,
    # so a folder of regular files costs no stat per file.
    pending: list[tuple[str, tuple[str, ...]]] = [(os.fspath(content_dir), ())]
    head = (content_dir.name,) if content_dir.name else ()
    while pending:
        folder, parts = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            # Most files are articles (.md): a regular one is neither a drop nor a document.
            if name[-3:] == ".md" and suffix != ".md" and entry.is_file(follow_symlinks=False):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if not is_ignored_dir(name) and not _is_page_folder(name, entries):
                    pending.append((entry.path, (*parts, name)))
                continue
            if report_documents and entry.is_symlink() and not is_ignored_dir(name):
                folder_link = _folder_link_warning(entry, root, "/".join((*head, *parts, name)))
                if folder_link is not None:
                    warnings.append(folder_link)
                    continue
            lowered = name.casefold()
            is_document = report_documents and lowered.endswith(_DOCUMENT_SUFFIXES) and not lowered.endswith(suffix)
            # Most files have the other suffix (.md beside .txt drops): skip them before building paths.
            if not is_document and not lowered.endswith(suffix):
                continue
            shown = "/".join((*head, *parts, name))
            if is_document and not is_litter(name):
                warnings.append(SourceWarning(SourceLocation(shown, 1), "word-processor files are not read", "save it as a Word document (.docx) or as plain text (.txt)"))
            if not lowered.endswith(suffix):
                continue
            if _CONFLICT_COPY.search(name):
                warnings.append(SourceWarning(SourceLocation(shown, 1), "sync-conflict copy is not built", "merge its changes into the original, then delete it"))
                continue
            if is_litter(name):
                continue
            if not _is_utf8(shown):
                errors.append(
                    SourceError(
                        SourceLocation(os.fsencode(shown).decode("utf-8", "backslashreplace"), 1),
                        "the file name is not valid UTF-8; it was not built",
                        hint="rename the file",
                    )
                )
                continue
            path = Path(entry.path)
            try:
                regular = entry.is_file(follow_symlinks=False)
                # os.scandir does not follow folder links, so only a linked file can lead outside.
                refusal = None if regular else _refusal(path, os.lstat(path).st_mode, root)
            except OSError as exc:
                refusal = (f"cannot read the file: {exc.strerror}", "check its permissions")
            if refusal is None:
                found.append(((*parts, name), path, shown))
            else:
                errors.append(SourceError(SourceLocation(shown, 1), f"{refusal[0]}; it was not built", hint=refusal[1]))
    # Sorted as Path comparison would: part by part.
    found.sort(key=lambda row: row[0])
    warnings.sort(key=lambda warning: warning.location.path)
    return SourceScan(tuple(path for _, path, _ in found), tuple(errors), tuple(warnings), tuple(shown for _, _, shown in found))


def read_source_bytes(path: Path, *, shown: str, max_bytes: int) -> bytes:
    """The bytes of one source, its size checked before reading; raises SourceError for a file
    over the limit, one that is no longer a regular file (it never blocks on a FIFO), or an OS error."""
    location = SourceLocation(shown, 1)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise SourceError(location, f"cannot read the file: {exc.strerror}", hint="check that it exists and is readable") from exc
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise SourceError(location, "not a regular file; it was not built", hint="save the article as a regular file")
    with os.fdopen(descriptor, "rb") as handle:
        if info.st_size > max_bytes:
            raise SourceError(
                location,
                f"file is {info.st_size} bytes, over the {max_bytes} byte limit",
                hint="raise normalize.max_source_bytes in site.toml if this is really one article",
            )
        try:
            # Read what the stat promised (a buffer of max_bytes would be allocated on every
            # read), then on to the limit only if the file grew meanwhile.
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:
                data += handle.read(max_bytes + 1 - len(data))
        except OSError as exc:
            raise SourceError(location, f"cannot read the file: {exc.strerror}", hint="check that it is readable") from exc
    if len(data) > max_bytes:
        raise SourceError(location, f"file grew past the {max_bytes} byte limit while it was read", hint="split the article")
    return data
