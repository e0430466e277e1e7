"""The output folder -> a local preview over HTTP, with live reload pushed as Server-Sent Events.

Pages are served as they are on disk, except that HTML responses get a small script that
listens on /__flashnews/events: `reload` after a rebuild, `problems` with the located errors
of the last build (shown in an overlay built with textContent), `clear` once they are fixed.
The files in the output folder are never touched.
"""

from __future__ import annotations

import functools
import json
import mimetypes
import os
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

EVENTS_PATH = "/__flashnews/events"
_KEEPALIVE_SECONDS = 10.0
_HISTORY = 64

RELOAD_SCRIPT = b"""<script>/* flashnews live reload (preview server only) */(function(){
var box=null;
function show(text){if(!box){box=document.createElement("pre");box.id="flashnews-problems";
box.setAttribute("role","alert");box.style.cssText="position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;margin:0;padding:1em 1.25em;background:#3b0d0d;color:#fff;font:13px/1.45 ui-monospace,monospace;white-space:pre-wrap;z-index:2147483647;border-top:4px solid #e5484d";
document.body.appendChild(box);}box.textContent="flashnews: the last build had problems; this page is from the last good build.\\n\\n"+text;}
function hide(){if(box){box.remove();box=null;}}
var source=new EventSource("/__flashnews/events");
source.addEventListener("reload",function(){location.reload();});
var here=decodeURIComponent(location.pathname).replace(/^[/]+/,"");if(here===""||here.slice(-1)==="/")here+="index.html";
source.addEventListener("page",function(e){if(JSON.parse(e.data).paths.indexOf(here)>=0)location.reload();});
source.addEventListener("problems",function(e){show(JSON.parse(e.data).text);});
source.addEventListener("clear",hide);
})();</script>
"""


class _Outcome(Protocol):
    problems: tuple[str, ...]
    written: int
    deleted: int
    fatal: bool


class ReloadChannel:
    """Build news for every open page; safe to publish from one thread and read from many."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._messages: list[tuple[int, str, str]] = []
        self._sequence = 0
        self._problems = ""
        self._closed = False
        self._listeners = 0

    def _publish(self, event: str, data: object) -> None:
        with self._changed:
            self._sequence += 1
            self._messages.append((self._sequence, event, json.dumps(data, ensure_ascii=False)))
            del self._messages[:-_HISTORY]
            self._changed.notify_all()

    def publish_pages(self, paths: tuple[str, ...]) -> None:
        """Tell the pages that these output files were rewritten ahead of a rebuild; each page
        that is one of them reloads at once (the others wait for the rebuild's reload)."""
        self._publish("page", {"paths": list(paths)})

    def publish_outcome(self, outcome: _Outcome) -> None:
        """Tell the pages about one build: reload if it changed the output, then its problems."""
        text = "\n".join(outcome.problems)
        had_problems = bool(self._problems)
        with self._changed:
            self._problems = text
        if not outcome.fatal and (outcome.written or outcome.deleted):
            self._publish("reload", {"written": outcome.written, "deleted": outcome.deleted})
        if text:
            self._publish("problems", {"text": text})
        elif had_problems:
            self._publish("clear", {})

    @property
    def problems(self) -> str:
        with self._changed:
            return self._problems

    @property
    def sequence(self) -> int:
        with self._changed:
            return self._sequence

    def wait(self, after: int, *, timeout: float) -> tuple[int, list[tuple[str, str]]]:
        """Messages published after sequence number `after`, waiting up to `timeout` for one."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._sequence > after, timeout=timeout)
            fresh = [(event, data) for number, event, data in self._messages if number > after]
            return self._sequence, fresh

    @property
    def listeners(self) -> int:
        """How many pages are listening right now."""
        with self._changed:
            return self._listeners

    def count_listener(self, change: int) -> None:
        with self._changed:
            self._listeners += change

    @property
    def closed(self) -> bool:
        with self._changed:
            return self._closed

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()


def inject_reload_script(html: bytes) -> bytes:
    """The page with the live-reload script before its last </body> (or at the end)."""
    index = html.lower().rfind(b"</body>")
    if index < 0:
        return html + RELOAD_SCRIPT
    return html[:index] + RELOAD_SCRIPT + html[index:]


def resolve_request_path(url_path: str, output_dir: Path) -> Path | None:
    """The file or folder a URL path names inside output_dir, or None when the request tries
    to leave it: '..' (also percent-encoded), backslashes, NUL, or a symlink pointing outside."""
    decoded = unquote(url_path, errors="strict")
    if "\0" in decoded or "\\" in decoded:
        return None
    parts = [part for part in decoded.split("/") if part not in ("", ".")]
    if ".." in parts:
        return None
    root = os.path.realpath(output_dir)
    candidate = os.path.join(root, *parts)
    real = os.path.realpath(candidate)
    if real != root and not real.startswith(root + os.sep):
        return None
    return Path(candidate)


def _content_type(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/xml", "application/javascript", "application/json", "image/svg+xml"):
        kind += "; charset=utf-8"
    return kind


class PreviewHandler(BaseHTTPRequestHandler):
    """GET and HEAD for files in the output folder, plus the live-reload event stream."""

    server_version = "flashnews-preview"

    def __init__(self, *args: object, output_dir: Path, channel: ReloadChannel, verbose: bool = False) -> None:
        self.output_dir = output_dir
        self.channel = channel
        self.verbose = verbose
        super().__init__(*args)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        if self.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, *, send_body: bool) -> None:
        split = urlsplit(self.path)
        if split.path == EVENTS_PATH and send_body:
            self._stream_events()
            return
        try:
            target = resolve_request_path(split.path, self.output_dir)
        except UnicodeDecodeError:
            target = None
        if target is None:
            self._send(HTTPStatus.FORBIDDEN, b"403 Forbidden: outside the output folder\n", "text/plain; charset=utf-8", send_body)
            return
        if target.is_dir():
            if not split.path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", split.path + "/" + (f"?{split.query}" if split.query else ""))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            target = resolve_request_path(split.path + "index.html", self.output_dir)
        if target is None or not target.is_file():
            self._send_not_found(send_body)
            return
        self._send_file(HTTPStatus.OK, target, send_body)

    def _send_not_found(self, send_body: bool) -> None:
        page = resolve_request_path("/404.html", self.output_dir)
        if page is not None and page.is_file():
            self._send_file(HTTPStatus.NOT_FOUND, page, send_body)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"404 Not Found\n", "text/plain; charset=utf-8", send_body)

    def _send_file(self, status: HTTPStatus, path: Path, send_body: bool) -> None:
        try:
            data = path.read_bytes()
        except OSError:
            # A rebuild can replace or delete the file between the check and the read.
            self._send(HTTPStatus.NOT_FOUND, b"404 Not Found\n", "text/plain; charset=utf-8", send_body)
            return
        kind = _content_type(path)
        if kind.startswith("text/html"):
            data = inject_reload_script(data)
        self._send(status, data, kind, send_body)

    def _send(self, status: HTTPStatus, data: bytes, kind: str, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def _stream_events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        cursor = self.channel.sequence
        chunks = ["retry: 1000\n\nevent: hello\ndata: {}\n\n"]
        problems = self.channel.problems
        if problems:
            chunks.append(_event("problems", json.dumps({"text": problems}, ensure_ascii=False)))
        self.channel.count_listener(+1)
        try:
            while True:
                self.wfile.write("".join(chunks).encode("utf-8"))
                self.wfile.flush()
                cursor, fresh = self.channel.wait(cursor, timeout=_KEEPALIVE_SECONDS)
                if self.channel.closed:
                    return
                chunks = [_event(event, data) for event, data in fresh] or [": keepalive\n\n"]
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            return
        finally:
            self.channel.count_listener(-1)


def _event(name: str, data: str) -> str:
    return f"event: {name}\ndata: {data}\n\n"


class PreviewServer:
    """A threaded HTTP server for the output folder; one thread per connection, so open
    event streams never hold up page loads."""

    def __init__(self, output_dir: Path, channel: ReloadChannel, *, host: str = "127.0.0.1", port: int = 8000, verbose: bool = False) -> None:
        self.channel = channel
        handler = functools.partial(PreviewHandler, output_dir=Path(output_dir), channel=channel, verbose=verbose)
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{shown}:{port}/"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="flashnews-serve", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.channel.close()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
