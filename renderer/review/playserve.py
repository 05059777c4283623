"""A one-page web server on 127.0.0.1 for the browser playback check: the page, one video
(answering HTTP Range requests, as a browser's media player asks for a video), its WebVTT
sidecar, and a place for the page to post what it saw.

Nothing else is served: the paths are fixed, so no request reaches another file.
"""
from __future__ import annotations

import queue
import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

CHUNK = 1 << 16
MAX_REPORT_BYTES = 1 << 20     # a page's report: cues of a long film are a few tens of KiB
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a `Range: bytes=A-B` header (one range; `-N` is the last N bytes),
    the whole file without one; None when it asks for nothing the file has."""
    if not header:
        return (0, size - 1) if size else None
    m = _RANGE.match(header.strip())
    if not m or not (m.group(1) or m.group(2)):
        return None
    if not m.group(1):
        first, last = max(0, size - int(m.group(2))), size - 1
    else:
        first = int(m.group(1))
        last = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
    return (first, last) if first <= last < size else None


def _handler(page: str, video: Path, vtt: Path | None, reports: queue.Queue):
    files = {"/video.mp4": (video, "video/mp4")}
    if vtt is not None:
        files["/video.vtt"] = (vtt, "text/vtt; charset=utf-8")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:   # the check prints its own findings
            pass

        def do_GET(self) -> None:
            if self.path == "/":
                self._send(200, "text/html; charset=utf-8", page.encode("utf-8"))
            elif self.path in files:
                self._file(*files[self.path])
            else:
                self._send(404, "text/plain", b"not here")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if self.path != "/report" or not 0 < length <= MAX_REPORT_BYTES:
                self._send(400, "text/plain", b"no")
                return
            reports.put(self.rfile.read(length))
            self._send(204, "text/plain", b"")

        def _send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _file(self, path: Path, kind: str) -> None:
            size = path.stat().st_size
            span = byte_range(self.headers.get("Range"), size)
            if span is None:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            first, last = span
            self.send_response(206 if self.headers.get("Range") else 200)
            self.send_header("Content-Type", kind)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(last - first + 1))
            if self.headers.get("Range"):
                self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
            self.end_headers()
            with path.open("rb") as f:
                f.seek(first)
                left = last - first + 1
                try:
                    while left > 0 and (data := f.read(min(CHUNK, left))):
                        self.wfile.write(data)
                        left -= len(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass    # the player asked for a range and moved on: browsers do

    return Handler


@contextmanager
def serving(page: str, video: Path, vtt: Path | None) -> Iterator[tuple[str, queue.Queue]]:
    """Serve the page, `video` and `vtt` while the block runs: yields the page's URL and the
    queue the page's reports (raw request bodies) arrive on."""
    reports: queue.Queue = queue.Queue()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(page, video, vtt, reports))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="stopmo-playserve", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", reports
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
