"""The one harness the e2e tests' fake HTTP servers build on (fake upstreams, webhook receivers).

`FakeHTTPServer(handle)` listens on 127.0.0.1 and a free port, reads each request's body and hands the request to
`handle(request) -> Reply` on a thread of its own; the fake itself only decides what to record and answer.
"""

from __future__ import annotations

import dataclasses
import http.server
import io
import json
import threading
from typing import Any, Callable

from PIL import Image


@dataclasses.dataclass
class Request:
    """One request a fake received."""

    method: str
    path: str  # with the query, as sent
    headers: Any  # the request's `email.message.Message` (case-insensitive `.get`)
    body: bytes

    def json_field(self, name: str, default: Any = "") -> Any:
        """`name` of the body's JSON object, or `default` when the body is no JSON object."""
        try:
            value = json.loads(self.body or b"{}")
        except ValueError:
            return default
        return value.get(name, default) if isinstance(value, dict) else default


@dataclasses.dataclass
class Reply:
    """What a fake answers: a status, body bytes with their Content-Type, and extra header fields."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict = dataclasses.field(default_factory=dict)

    @staticmethod
    def json(status: int, value: Any, headers: "dict | None" = None) -> "Reply":
        """A JSON reply."""
        return Reply(status, json.dumps(value).encode(), "application/json", dict(headers or {}))


class FakeHTTPServer:
    """An HTTP server on 127.0.0.1:<free port> answering every GET, POST and PUT with `handle(request)`."""

    def __init__(self, handle: Callable[[Request], Reply]) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                reply = handle(Request(self.command, self.path, self.headers, body))
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the caller went away (e.g. it was killed)

            do_POST = do_GET = do_PUT = _handle

            def log_message(self, *args: Any) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256  # the default backlog of 5 drops SYNs when a caller opens many connections

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def solid_png(color: tuple, size: int = 64) -> bytes:
    """A `size`×`size` PNG of one RGB colour."""
    buf = io.BytesIO()
    Image.new("RGB", (size, size), color).save(buf, format="PNG")
    return buf.getvalue()
