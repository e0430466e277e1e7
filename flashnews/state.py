"""The build state beside the output folder: what each output came from, and a result cache.

One SQLite file holds the output manifest (path -> digest of what it was rendered from, and
the source file that owns it) and a key-value cache of parsed and rendered articles keyed by
source hash plus everything that affects the result.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

SCHEMA_VERSION = "1"


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """What an output file was made from."""

    digest: str
    source: str = ""


def state_path(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}.flashnews" / "state.sqlite"


class BuildState:
    """The manifest and cache of one output folder."""

    def __init__(self, path: Path) -> None:
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, digest TEXT NOT NULL, source TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value BLOB NOT NULL);
            """
        )
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None or row[0] != SCHEMA_VERSION:
            with self._db:
                self._db.execute("DELETE FROM outputs")
                self._db.execute("DELETE FROM cache")
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    def close(self) -> None:
        self._db.close()

    def read_outputs(self) -> dict[str, OutputRecord]:
        return {path: OutputRecord(digest, source) for path, digest, source in self._db.execute("SELECT path, digest, source FROM outputs")}

    def write_outputs(self, changed: Mapping[str, OutputRecord], deleted: Iterable[str]) -> None:
        with self._db:
            self._db.executemany("DELETE FROM outputs WHERE path = ?", ((p,) for p in deleted))
            self._db.executemany(
                "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?)", ((p, r.digest, r.source) for p, r in changed.items())
            )

    def clear_outputs(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM outputs")

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        wanted = list(keys)
        found: dict[str, bytes] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self._db.execute(f"SELECT key, value FROM cache WHERE key IN ({marks})", chunk).fetchall())
        return found

    def put_many(self, items: Mapping[str, bytes]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO cache VALUES (?, ?)", items.items())
