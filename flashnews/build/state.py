"""The build state beside the output folder: what each output came from, and a result cache.

One SQLite file holds
- the output manifest: path -> digest of what it was rendered from, and the source that owns it;
- a key-value cache of parsed and rendered articles, keyed by source hash plus everything that
  affects the result;
- the file stamps of the sources (size, mtime, ctime, inode -> content hash), so an unchanged
  source costs a stat instead of a read;
- a few named values about the last build (`read_value`/`write_value`), such as the fingerprint
  of every input, which lets a build with nothing changed stop early.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from dataclasses import dataclass
from pathlib import Path

import orjson

from flashnews.errors import OutputError

SCHEMA_VERSION = "3"
# The version of what a build derives from sources (cached records, page keys): raise it when
# parsing or planning changes what they hold.
PIPELINE_VERSION = "7"
_CHUNK = 500
# Build-state values: the articles of the live search index, and those a deferred build left to index.
SEARCH_DOCS = "search_docs"
SEARCH_PENDING = "search_pending"
# Values from this many characters up are kept in files beside the database (see write_large).
_LARGE = 1 << 20
# How a meta row names the file holding its value: this prefix and the value's SHA-256.
_IN_FILE = "\0file "
# The build-state value holding the output folder's stamp as the last write of outputs left it.
_OUTPUT_FOLDER = "output_folder"


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """What an output file was made from."""

    digest: str
    source: str = ""


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What stat says about a file; when it is unchanged the bytes are assumed unchanged."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int


def tree_json(value: object) -> bytes:
    """value as JSON; file names that are not UTF-8 (held as lone surrogates) are escaped."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value).encode()


def _folder_stamp(folder: Path) -> str | None:
    """A folder's device, inode and times: another when an entry was added, removed or renamed
    in it, or the folder replaced."""
    try:
        result = os.stat(folder)
    except OSError:
        return None
    return f"{result.st_dev} {result.st_ino} {result.st_mtime_ns} {result.st_ctime_ns}"


def stamp_of(result: os.stat_result) -> FileStamp:
    return FileStamp(result.st_size, result.st_mtime_ns, result.st_ctime_ns, result.st_ino)


def state_path(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}.flashnews" / "state.sqlite"


def templates_cache_dir(output_dir: Path) -> Path:
    """Where the builds of output_dir keep their compiled templates (beside the build state)."""
    return state_path(output_dir).parent / "templates"


# How much of the state file a watch session maps (SQLite reads the rest as usual).
_SESSION_MAP_BYTES = 256 << 20


class BuildState:
    """The manifest and caches of one output folder."""

    def __init__(self, path: Path, *, session: bool = False) -> None:
        """With session (a watch session, which reads scattered records build after build) the
        file is read through a memory map, several times faster than page-sized reads."""
        self._session = session
        try:
            self._open(path)
        except sqlite3.DatabaseError:
            # A state file clobbered by a sync client or a full disk is only a cache and a manifest:
            # set it aside and start over (the next build renders every page, and deletes nothing).
            self._db.close()
            os.replace(path, path.with_name(path.name + ".broken"))
            for suffix in ("-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(f"{path}{suffix}")
            self._open(path)

    def _open(self, path: Path) -> None:
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        # Decoded values kept for the life of this object (a watch session), by cache key.
        self.memo: dict[str, object] = {}
        self._pid = os.getpid()
        self._child: tuple[int, sqlite3.Connection] | None = None
        self._db = sqlite3.connect(path)
        # Cached records are a few kilobytes each: large pages hold them without overflow chains
        # (a cold build stores its records in half the time). Applies to a new file only.
        self._db.execute("PRAGMA page_size=32768")
        if self._session:
            self._db.execute(f"PRAGMA mmap_size={_SESSION_MAP_BYTES}")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, digest TEXT NOT NULL, source TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS tops (name TEXT PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS files (
                path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
                ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL, digest TEXT NOT NULL
            );
            """
        )
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None or row[0] != SCHEMA_VERSION:
            with self._transaction():
                for table in ("meta", "outputs", "tops", "cache", "files"):
                    self._db.execute(f"DELETE FROM {table}")
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One committed transaction; a full disk or a locked file becomes an OutputError."""
        try:
            with self._db:
                yield
        except sqlite3.Error as exc:
            raise OutputError(
                f"cannot update the build state {self._path}: {exc}", hint="free disk space; the next build redoes the work"
            ) from exc

    def close(self) -> None:
        self._db.close()

    def read_outputs(self) -> dict[str, OutputRecord]:
        return {path: OutputRecord(digest, source) for path, digest, source in self._db.execute("SELECT path, digest, source FROM outputs")}

    def read_outputs_of(self, paths: Iterable[str]) -> dict[str, OutputRecord]:
        """The manifest's records of these output paths (those it has)."""
        rows = self._rows_where_in("SELECT path, digest, source FROM outputs WHERE path", paths)
        return {path: OutputRecord(digest, source) for path, digest, source in rows}

    def _rows_where_in(self, query: str, values: Iterable[str]) -> list[tuple[Any, ...]]:
        """The rows of `query` + " IN (values)", asked in chunks below SQLite's variable limit."""
        wanted = list(values)
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            rows += self._db.execute(f"{query} IN ({','.join('?' * len(chunk))})", chunk).fetchall()
        return rows

    def read_output_paths(self) -> list[str]:
        return [path for (path,) in self._db.execute("SELECT path FROM outputs")]

    def has_every_output(self, output_dir: Path) -> bool:
        """Whether every file the manifest records is still in output_dir.

        A build that finds its inputs unchanged trusts the output only while this holds: a page
        deleted by hand must be written again."""
        folder = f"{output_dir}{os.sep}"
        return all(os.path.isfile(folder + path) for path in self.read_output_paths())

    def has_every_top_output(self, output_dir: Path) -> bool:
        """Whether output_dir holds the first part of every path the manifest records, which finds
        it emptied or replaced (a CI job that restored the state but not the output) and an
        article's folder or a top-level file deleted. When the folder's own stamp is the one the
        last write of outputs left, nothing was added to it or removed since; otherwise one
        listing of it is compared with the manifest. A build of a few edits trusts the output that
        far; the next build that finds nothing changed checks every file."""
        stamp = _folder_stamp(output_dir)
        if stamp is None:
            return False
        if stamp == self.read_value(_OUTPUT_FOLDER):
            return True
        try:
            present = set(os.listdir(output_dir))
        except OSError:
            return False
        (tops,) = self._db.execute("SELECT group_concat(name, char(0)) FROM tops").fetchone()
        return present.issuperset(tops.split("\0")) if tops else True

    def output_folder_unchanged(self, output_dir: Path) -> bool:
        """Whether the output folder's stamp is the one the last write of outputs left (nothing
        came or went in it since): a write that did not check the folder passes this, taken
        before it writes, to write_outputs as `checked`."""
        stamp = _folder_stamp(output_dir)
        return stamp is not None and stamp == self.read_value(_OUTPUT_FOLDER)

    def write_outputs(
        self, changed: Mapping[str, OutputRecord], deleted: Iterable[str], *, output_dir: Path | None = None, checked: bool = True
    ) -> None:
        """Record these outputs and forget the deleted ones; the first parts of the recorded paths
        (the output folder's top entries) are kept up to date beside them. With output_dir (where
        they were just written) and checked (the folder held every recorded entry before the
        write: the caller checked, or wrote all it misses), the folder's stamp is remembered for
        has_every_top_output; otherwise the remembered one is forgotten."""
        deleted = list(deleted)
        with self._transaction():
            self._db.executemany("DELETE FROM outputs WHERE path = ?", ((p,) for p in deleted))
            self._db.executemany(
                "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?)", ((p, r.digest, r.source) for p, r in changed.items())
            )
            self._db.executemany("INSERT OR IGNORE INTO tops VALUES (?)", ((top,) for top in {p.partition("/")[0] for p in changed}))
            for top in {p.partition("/")[0] for p in deleted}:
                # Paths inside the folder `top` sort from top + "/" up to top + "0" (the next character).
                inside = "SELECT 1 FROM outputs WHERE path = ? UNION ALL SELECT 1 FROM outputs WHERE path >= ? AND path < ? LIMIT 1"
                if self._db.execute(inside, (top, top + "/", top + "0")).fetchone() is None:
                    self._db.execute("DELETE FROM tops WHERE name = ?", (top,))
            stamp = _folder_stamp(output_dir) if output_dir is not None and checked else None
            if stamp is None:
                self._db.execute("DELETE FROM meta WHERE key = ?", (f"value:{_OUTPUT_FOLDER}",))
            else:
                self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"value:{_OUTPUT_FOLDER}", stamp))

    def clear_outputs(self) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM outputs")
            self._db.execute("DELETE FROM tops")
            self._db.execute("DELETE FROM meta WHERE key != 'schema'")

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        return dict(self._rows_where_in("SELECT key, value FROM cache WHERE key", keys))

    def cache_is_empty(self) -> bool:
        return self._db.execute("SELECT 1 FROM cache LIMIT 1").fetchone() is None

    def get_one(self, key: str) -> bytes | None:
        """One cache entry. Safe in a process forked after the state was opened: the child
        reads through a connection of its own (one must never be shared across a fork)."""
        db = self._db
        if os.getpid() != self._pid:
            if self._child is None or self._child[0] != os.getpid():
                self._child = (os.getpid(), sqlite3.connect(f"file:{self._path}?mode=ro", uri=True))
            db = self._child[1]
        row = db.execute("SELECT value FROM cache WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put_many(self, items: Mapping[str, bytes]) -> None:
        with self._transaction():
            self._db.executemany("INSERT OR REPLACE INTO cache VALUES (?, ?)", items.items())

    def read_file_digests(self) -> dict[str, tuple[FileStamp, str]]:
        """Every remembered source: path -> (its stamp when last read, the hash of its bytes)."""
        rows = self._db.execute("SELECT path, size, mtime_ns, ctime_ns, inode, digest FROM files")
        return {path: (FileStamp(size, mtime, ctime, inode), digest) for path, size, mtime, ctime, inode, digest in rows}

    def read_file_digests_of(self, paths: Iterable[str]) -> dict[str, tuple[FileStamp, str]]:
        """The remembered sources among paths (see read_file_digests)."""
        rows = self._rows_where_in("SELECT path, size, mtime_ns, ctime_ns, inode, digest FROM files WHERE path", paths)
        return {path: (FileStamp(size, mtime, ctime, inode), digest) for path, size, mtime, ctime, inode, digest in rows}

    def write_file_digests(self, files: Mapping[str, tuple[FileStamp, str]], *, known: Mapping[str, tuple[FileStamp, str]] | None = None) -> None:
        """Replace the remembered sources with exactly these; with known (what read_file_digests
        gave), only the rows that differ are written."""
        with self._transaction():
            if known is None:
                self._db.execute("DELETE FROM files")
                changed = files.items()
            else:
                self._db.executemany("DELETE FROM files WHERE path = ?", ((p,) for p in known if p not in files))
                changed = [(p, row) for p, row in files.items() if known.get(p) != row]
            self._db.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
                ((p, s.size, s.mtime_ns, s.ctime_ns, s.inode, d) for p, (s, d) in changed),
            )

    def read_value(self, key: str) -> str | None:
        data = self._read_meta(f"value:{key}")
        return data.decode("utf-8") if isinstance(data, bytes) else data

    def write_values(self, values: Mapping[str, str | None]) -> None:
        """Set named values; None removes one."""
        self._write_meta({f"value:{key}": value.encode("utf-8") if value is not None and len(value) >= _LARGE else value for key, value in values.items()})

    def read_large(self, key: str) -> bytes | None:
        """A value written by write_large; None when there is none or its file is not the one committed."""
        data = self._read_meta(f"large:{key}")
        return data if isinstance(data, bytes) else None

    def write_large(self, key: str, data: bytes) -> None:
        """Keep a value of megabytes (such as the stamps of every source) that is replaced as a
        whole: in a file of its own beside the database, named by the digest the database
        commits. Rewriting a large value inside the database would also copy it from the write-ahead
        log into the file when the state is closed."""
        self._write_meta({f"large:{key}": data})

    def _read_meta(self, key: str) -> str | bytes | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        if not isinstance(row[0], str) or not row[0].startswith(_IN_FILE):
            return row[0]
        digest = row[0][len(_IN_FILE) :]
        try:
            data = (self._values_dir() / digest).read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == digest else None

    def _write_meta(self, values: Mapping[str, str | bytes | None]) -> None:
        """Set meta rows in one transaction; bytes go to files of their own, named by their
        SHA-256 and in place before the transaction names them (a state held in memory, a
        check's, keeps them in the database as blobs). A file no row names any more is deleted
        after the transaction commits."""
        in_memory = str(self._path) == ":memory:"
        replaced = set() if in_memory else {self._file_digest(key) for key in values} - {None}
        rows: dict[str, str | bytes | None] = {}
        try:
            for key, value in values.items():
                if isinstance(value, bytes) and not in_memory:
                    digest = hashlib.sha256(value).hexdigest()
                    self._put_file(digest, value)
                    value = _IN_FILE + digest
                rows[key] = value
            with self._transaction():
                for key, value in rows.items():
                    if value is None:
                        self._db.execute("DELETE FROM meta WHERE key = ?", (key,))
                    else:
                        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
        except OSError as exc:
            raise OutputError(f"cannot update the build state {self._path}: {exc}", hint="free disk space; the next build redoes the work") from exc
        if replaced:
            named = {value[len(_IN_FILE) :] for (value,) in self._db.execute("SELECT value FROM meta") if isinstance(value, str) and value.startswith(_IN_FILE)}
            for digest in replaced - named:
                with contextlib.suppress(OSError):
                    os.remove(self._values_dir() / digest)

    def _file_digest(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0][len(_IN_FILE) :] if row and isinstance(row[0], str) and row[0].startswith(_IN_FILE) else None

    def _put_file(self, digest: str, data: bytes) -> None:
        """The file named digest holding data, written beside it first and renamed into place."""
        folder = self._values_dir()
        if (folder / digest).is_file():
            return
        folder.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{digest[:16]}.", suffix=".new")
        try:
            with open(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, folder / digest)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(temporary)
            raise

    def _values_dir(self) -> Path:
        return self._path.parent / "values"


def article_url_owners(previous: Mapping[str, OutputRecord]) -> dict[str, str]:
    """Slug -> source path of every article page in the last build's manifest."""
    return {
        path[: -len("/index.html")]: record.source
        for path, record in previous.items()
        if record.source and path.count("/") == 1 and path.endswith("/index.html")
    }
