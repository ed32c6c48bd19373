"""Run any WSGI app on 127.0.0.1 with a free port in a background thread, as a context manager or fixture."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without the per-request access log line."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class LiveServer:
    """A threaded werkzeug server for ``app``; ``url`` is ``http://127.0.0.1:<port>`` once started."""

    def __init__(self, app: Callable[..., Any], *, host: str = "127.0.0.1", port: int = 0, quiet: bool = True) -> None:
        self.app = app
        self._server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=_QuietHandler if quiet else None
        )
        self.host = host
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> LiveServer:
        """Start serving in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        self._server.shutdown()
        self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@contextlib.contextmanager
def live_server(app: Callable[..., Any], **kwargs: Any) -> Iterator[LiveServer]:
    """``with live_server(app) as server: httpx.get(server.url + "/healthz")``."""
    with LiveServer(app, **kwargs) as server:
        yield server
