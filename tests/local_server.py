"""The life of the tests' local API servers (Google Sheets, Shopify, WooCommerce, 抖店, 快递100): an HTTP server on
127.0.0.1, on a free port, serving on a daemon thread from `start` (or `with`) to `stop`.  Every request goes to the
fake's `_handle(method, target, headers, body)`, which answers (status, headers, payload, seconds to wait before
sending it: a slow answer)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Protocol, Self, TypeVar


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: Any


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload, pause = self.server.fake._handle(self.command, self.path, dict(self.headers.items()), body)
        if pause:
            time.sleep(pause)
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass


class LocalServer:
    thread_name: ClassVar[str] = "fake-api"
    base_url: str = ""
    _server: Any = None
    _thread: threading.Thread | None = None

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Counted(Protocol):
    remaining: int


F = TypeVar("F", bound=Counted)


class Lined:
    """What a test lines up for the next requests of a fake (Shopify, WooCommerce, 快递100): an action run just before
    one is handled, a slow answer, and the fake's own kind of fault for the next `remaining` requests.  The fake
    keeps the queues (`_befores`, `_delays`, `_faults`) under its `_lock`."""

    _lock: threading.RLock
    _befores: list[Callable[[], object]]
    _delays: list[float]

    def delay_next(self, seconds: float) -> None:
        """The next request is handled at once and its answer is sent `seconds` later."""
        with self._lock:
            self._delays.append(seconds)

    def before_next(self, action: Callable[[], object]) -> None:
        """Runs `action` (a shop's change) just before the next request is handled."""
        with self._lock:
            self._befores.append(action)

    def _next_action(self) -> Callable[[], object] | None:
        with self._lock:
            return self._befores.pop(0) if self._befores else None

    def _next_delay(self) -> float:
        with self._lock:
            return self._delays.pop(0) if self._delays else 0.0

    def _next_fault(self, faults: list[F]) -> F | None:
        """The first of `faults`, counted as served (gone once served its `remaining` times)."""
        with self._lock:
            fault = faults[0] if faults else None
            if fault is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    faults.pop(0)
            return fault
