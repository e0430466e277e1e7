"""The preview server never serves a byte from outside the output folder, however the request is spelled."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from flashnews.app.serve import PreviewServer, ReloadChannel

TIMEOUT = 60.0
SECRET = b"top secret, outside the output folder"


@pytest.fixture
def output(tmp_path: Path) -> Path:
    folder = tmp_path / "public"
    (folder / "sport").mkdir(parents=True)
    (folder / "index.html").write_bytes(b"<html><body>Front</body></html>")
    (folder / "sport" / "index.html").write_bytes(b"<html><body>Sport</body></html>")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    return folder


@pytest.fixture
def server(output: Path) -> Iterator[PreviewServer]:
    running = PreviewServer(output, ReloadChannel(), port=0)
    running.start()
    yield running
    running.stop()


def raw_request(server: PreviewServer, target: str, *, method: str = "GET") -> tuple[int, bytes]:
    """Send the request line exactly as written (no client-side normalization) and read the reply."""
    host, port = server.url.removeprefix("http://").rstrip("/").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as connection:
        connection.sendall(f"{method} {target} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n".encode("latin-1"))
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    status_line = reply.split(b"\r\n", 1)[0]
    return int(status_line.split()[1]), reply


TRAVERSALS = [
    "/../secret.txt",
    "/../../../../../../etc/passwd",
    "/sport/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/sport%2f%2e%2e%2f%2e%2e%2fsecret.txt",
    "/.%2e/secret.txt",
    "/%2e./secret.txt",
    "/..%5csecret.txt",
    "/..\\secret.txt",
    "/%c0%ae%c0%ae/secret.txt",  # overlong UTF-8 for '.'
    "/%ff%fe/secret.txt",
    "/secret.txt%00.html",
    "http://evil.example/../secret.txt",  # absolute-form request target
    "/./.././secret.txt",
    "/sport/./../../secret.txt",
]


@pytest.mark.parametrize("target", TRAVERSALS)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_traversal_in_any_spelling_is_refused(server, target, method):
    status, reply = raw_request(server, target, method=method)
    assert status in (400, 403, 404)
    assert SECRET not in reply


@pytest.mark.parametrize("target", ["/%252e%252e/secret.txt", "//etc/passwd", "///etc/passwd", "/etc/passwd", "/....//secret.txt"])
def test_lookalikes_of_traversal_name_files_inside_the_folder_and_miss(server, target):
    status, reply = raw_request(server, target)
    assert status in (403, 404)
    assert SECRET not in reply and b"root:" not in reply


def test_a_file_link_out_of_the_folder_is_refused(server, output, tmp_path):
    (output / "leak.txt").symlink_to(tmp_path / "secret.txt")
    status, reply = raw_request(server, "/leak.txt")
    assert status == 403 and SECRET not in reply


def test_a_folder_link_out_of_the_folder_is_refused(server, output, tmp_path):
    (output / "up").symlink_to(tmp_path, target_is_directory=True)
    for target in ("/up/secret.txt", "/up/", "/up/public/../secret.txt"):
        status, reply = raw_request(server, target)
        assert status in (403, 404) and SECRET not in reply, target


def test_a_chain_of_links_that_ends_outside_is_refused(server, output, tmp_path):
    (output / "hop1").symlink_to(output / "hop2")
    (output / "hop2").symlink_to(tmp_path / "secret.txt")
    status, reply = raw_request(server, "/hop1")
    assert status == 403 and SECRET not in reply


def test_a_link_loop_is_a_miss_not_a_hang(server, output):
    (output / "loop-a").symlink_to(output / "loop-b")
    (output / "loop-b").symlink_to(output / "loop-a")
    status, _ = raw_request(server, "/loop-a")
    assert status in (403, 404)


def test_a_link_swapped_in_after_the_server_started_is_refused(server, output, tmp_path):
    assert raw_request(server, "/sport/index.html")[0] == 200
    (output / "sport" / "index.html").unlink()
    (output / "sport" / "index.html").symlink_to(tmp_path / "secret.txt")
    status, reply = raw_request(server, "/sport/index.html")
    assert status in (403, 404) and SECRET not in reply


def test_a_query_string_or_fragment_cannot_smuggle_a_path(server):
    for target in ("/index.html?../../secret.txt", "/index.html?file=../secret.txt", "/index.html#../../secret.txt"):
        status, reply = raw_request(server, target)
        assert status == 200 and SECRET not in reply, target


def test_the_server_listens_on_localhost_by_default(output):
    running = PreviewServer(output, ReloadChannel(), port=0)
    try:
        assert running.url.startswith("http://127.0.0.1:")
    finally:
        running._server.server_close()
