"""Watched folders -> changed paths in a queue, with a watch that never goes deaf.

watchdog's observer only records paths (it never builds or raises); a lost inotify queue becomes
a full rescan, and a watched folder that is deleted, renamed away or replaced is watched again.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import traceback
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from flashnews.app.changes import WRITE_EVENTS

_INOTIFY_LOGGER = "watchdog.observers.inotify_c"


class _EventRecorder(FileSystemEventHandler):
    """The watchdog callback: only records changed paths, never builds or raises."""

    def __init__(self, changes: queue.SimpleQueue[str | None]) -> None:
        self._changes = changes

    def on_any_event(self, event: FileSystemEvent) -> None:
        try:
            if event.event_type not in WRITE_EVENTS:
                return
            if event.is_directory and event.event_type in ("modified", "closed"):
                return
            for path in (event.src_path, getattr(event, "dest_path", "")):
                if path:
                    self._changes.put(os.fsdecode(path))
        except Exception:  # noqa: BLE001 - an exception here would end watchdog's observer thread
            traceback.print_exc()


class _OverflowListener(logging.Handler):
    """Turns watchdog's "inotify queue overflowed" warning into a full rescan, since the
    events it lost are reported nowhere else."""

    def __init__(self, changes: queue.SimpleQueue[str | None], roots: tuple[Path, ...]) -> None:
        super().__init__(logging.WARNING)
        self._changes = changes
        self._roots = roots

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            for root in self._roots:
                self._changes.put(str(root))


class FolderObserver:
    """Puts every path that changes under `folders` (recursively) and in the folder of
    `config_path` into `changes`."""

    def __init__(self, changes: queue.SimpleQueue[str | None], folders: tuple[Path, ...], config_path: Path | None, *, poll: bool) -> None:
        self._changes = changes
        self._folders = tuple(dict.fromkeys(folders))
        self._config_path = config_path
        self._poll = poll
        self._observer: Observer | PollingObserver | None = None  # type: ignore[valid-type]
        self._recorder = _EventRecorder(changes)
        self._overflow = _OverflowListener(changes, self._folders)
        # (device, inode) of each watched folder: inotify follows a folder that is renamed away.
        self._identities: dict[Path, tuple[int, int] | None] = {}

    def start(self) -> None:
        try:
            self._observer = self._schedule(PollingObserver(timeout=0.25) if self._poll else Observer())
        except OSError as exc:
            # inotify runs out of watches or instances on big trees; polling always works.
            print(f"cannot watch with OS notifications ({exc.strerror}); polling instead", file=sys.stderr)
            self._observer = self._schedule(PollingObserver(timeout=0.25))

    def stop(self) -> None:
        """Stop the observer; join() waits for it."""
        logging.getLogger(_INOTIFY_LOGGER).removeHandler(self._overflow)
        if self._observer is not None:
            self._observer.stop()

    def join(self, *, timeout: float) -> None:
        if self._observer is not None:
            self._observer.join(timeout=timeout)

    def _schedule(self, observer: Observer | PollingObserver) -> Observer | PollingObserver:  # type: ignore[valid-type]
        for folder in self._folders:
            self._identities[folder] = _folder_identity(folder)
            if self._identities[folder] is not None:
                observer.schedule(self._recorder, str(folder), recursive=True)
        if self._config_path is not None and self._config_path.parent.is_dir():
            observer.schedule(self._recorder, str(self._config_path.parent), recursive=False)
        logging.getLogger(_INOTIFY_LOGGER).addHandler(self._overflow)
        observer.start()
        return observer

    def rearm(self) -> None:
        """Watch a folder again when it is no longer the one being watched (deleted, renamed
        away, replaced, or created late) and rescan it, so the loop never goes deaf."""
        if self._observer is None:
            return
        for folder in self._folders:
            identity = _folder_identity(folder)
            if identity == self._identities.get(folder):
                continue
            for emitter in list(self._observer.emitters):
                if Path(emitter.watch.path) == folder:
                    self._observer.unschedule(emitter.watch)
            if identity is not None:
                self._observer.schedule(self._recorder, str(folder), recursive=True)
            self._identities[folder] = identity
            self._changes.put(str(folder))


def _folder_identity(folder: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(folder)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino) if os.path.isdir(folder) else None
