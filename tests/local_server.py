"""The life of the tests' local API servers (Google Sheets, Shopify, WooCommerce, 抖店, 快递100): an HTTP server on
127.0.0.1, on a free port, serving on a daemon thread from `start` (or `with`) to `stop`.  Each fake gives its server
class (a ThreadingHTTPServer whose `fake` is the fake) and request handler."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self


class LocalServer:
    server_class: ClassVar[type[ThreadingHTTPServer]] = ThreadingHTTPServer
    handler_class: ClassVar[type[BaseHTTPRequestHandler]] = BaseHTTPRequestHandler
    thread_name: ClassVar[str] = "fake-api"
    base_url: str = ""
    _server: Any = None
    _thread: threading.Thread | None = None

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = self.server_class(("127.0.0.1", 0), self.handler_class)
        server.fake = self  # type: ignore[attr-defined]
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
