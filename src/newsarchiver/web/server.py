"""Serve the reader: the standard library's WSGI server, one thread per request.

Why wsgiref and not waitress or another server: the reader serves one person on one machine; a
threaded stdlib server is plenty, adds no dependency, and starts on port 0 in tests. Two changes:
the raw request target is passed on (RAW_URI) so archived URLs keep their percent-escapes, and
binding skips the reverse-DNS lookup (`getfqdn`) the stdlib does, which can hang with no network.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import socketserver
import threading
from pathlib import Path
from typing import Any, Self
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from newsarchiver.errors import NewsArchiverError, UsageError
from newsarchiver.web.app import HostPolicy, ReaderApp

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
REQUEST_TIMEOUT_SECONDS = 30


class _Handler(WSGIRequestHandler):
    timeout = REQUEST_TIMEOUT_SECONDS  # an idle or slow client does not hold a thread for ever
    server_version = "newsarchiver-reader"
    sys_version = ""

    def get_environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environ()
        environ["RAW_URI"] = self.path
        return environ

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)
        self.setup_environ()


class _ThreadingServer6(_ThreadingServer):
    address_family = socket.AF_INET6


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class ReaderServer:
    """The reader on host:port; `start()` runs it in a thread (tests), `serve_forever()` in this one."""

    def __init__(self, archive_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
                 allow_remote: bool = False, index_url: str | None = None) -> None:
        host = host.strip("[]")
        if not is_loopback(host) and not allow_remote:
            raise UsageError(f"--host {host} would let other machines read the archive; "
                             "add --allow-remote if that is what you want")
        server_class = _ThreadingServer6 if ":" in host else _ThreadingServer
        try:
            self._server: _ThreadingServer = server_class((host, port), _Handler)
        except OSError as exc:
            raise NewsArchiverError(f"cannot listen on {host}:{port}: {exc.strerror or exc} "
                                    "(choose another --port)") from exc
        self.host = host
        self.port = int(self._server.server_address[1])
        wildcard = host in ("0.0.0.0", "::")
        names = {host} | ({socket.gethostname()} if wildcard else set())
        self.app = ReaderApp(Path(archive_dir), HostPolicy(names, self.port, any_ip_literal=wildcard),
                             index_url=index_url)
        self._server.set_app(self.app)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        shown = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{'[' + shown + ']' if ':' in shown else shown}:{self.port}/"

    def serve_forever(self) -> None:
        try:
            self._server.serve_forever(poll_interval=0.5)
        finally:
            self.close()

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="newsarchiver-reader", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.close()

    def close(self) -> None:
        self._server.server_close()
        self.app.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
