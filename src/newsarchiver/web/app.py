"""The reader's WSGI application: guards, routing and the headers every response carries.

Guards, before any route runs:
- the Host header must name this server (the bound host, localhost, 127.0.0.1 or [::1] with the
  right port): a page on another site that rebinds its DNS name to 127.0.0.1 gets a 403;
- only GET and HEAD: nothing in the reader changes state;
- reader pages carry a strict CSP (no script at all, no framing by others), archived responses
  their own sandboxing CSP (see replay).
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from newsarchiver.errors import IndexStoreError, UsageError
from newsarchiver.web.lookup import CaptureLocator
from newsarchiver.web.replay import Replayer, parse_replay_path
from newsarchiver.web.store import ArchiveData
from newsarchiver.web.templating import make_environment

log = logging.getLogger(__name__)

READER_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
              "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
COMMON_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-DNS-Prefetch-Control", "off"),
]
STATIC_DIR = Path(__file__).parent / "static"
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml"}

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    reader_page: bool = True  # False for archived responses: they bring their own CSP


class HostPolicy:
    """Which Host headers name this server (the defence against DNS rebinding)."""

    def __init__(self, names: Iterable[str], port: int, *, any_ip_literal: bool = False) -> None:
        self.names = {name.lower().strip("[]") for name in names} | {"localhost", "127.0.0.1", "::1"}
        self.port = port
        # Listening on all interfaces: the machine's addresses are not known in advance, but an IP
        # literal cannot be rebound by a foreign DNS name, so any literal is accepted then.
        self.any_ip_literal = any_ip_literal

    def allows(self, host_header: str | None) -> bool:
        if not host_header:
            return False
        host, port = _split_host(host_header.strip().lower())
        if host is None or (port if port is not None else 80) != self.port:
            return False
        if host in self.names:
            return True
        if self.any_ip_literal:
            try:
                ipaddress.ip_address(host)
                return True
            except ValueError:
                return False
        return False


def _split_host(value: str) -> tuple[str | None, int | None]:
    match = re.fullmatch(r"\[([0-9a-f:.]+)\](?::(\d{1,5}))?|([a-z0-9.-]+)(?::(\d{1,5}))?", value)
    if not match:
        return None, None
    host = match.group(1) or match.group(3)
    port = match.group(2) or match.group(4)
    return host, int(port) if port else None


class ReaderApp:
    def __init__(self, archive_dir: Path, hosts: HostPolicy, *, index_url: str | None = None) -> None:
        from newsarchiver.web.pages import Pages

        self.data = ArchiveData(archive_dir, index_url=index_url)
        self.hosts = hosts
        self.env = make_environment()
        self.pages = Pages(self.data, self.env)
        self._static = {path.name: path for path in STATIC_DIR.iterdir() if path.suffix in STATIC_TYPES}
        self._routes: list[tuple[re.Pattern[str], Callable[..., Response]]] = [
            (re.compile(r"/"), self.pages.search),
            (re.compile(r"/article/(\d{1,12})"), self.pages.article),
            (re.compile(r"/article/(\d{1,12})/diff"), self.pages.diff),
            (re.compile(r"/capture/(\d{1,12})"), self.pages.capture),
            (re.compile(r"/sites"), self.pages.sites),
            (re.compile(r"/jobs"), self.pages.jobs),
            (re.compile(r"/_static/([a-z0-9-]+\.[a-z]+)"), self._static_file),
        ]

    def close(self) -> None:
        self.data.close()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if not self.hosts.allows(environ.get("HTTP_HOST")):
            log.warning("refused a request for Host %r", environ.get("HTTP_HOST"))
            response = self._plain(403, "This reader only answers requests addressed to it (Host header refused).")
        elif method not in ("GET", "HEAD"):
            response = self._plain(405, "The reader is read-only: GET and HEAD only.")
            response.headers.append(("Allow", "GET, HEAD"))
        else:
            response = self._dispatch(environ)
        headers = [("Content-Type", response.content_type), ("Content-Length", str(len(response.body))),
                   *COMMON_HEADERS, *response.headers]
        if response.reader_page:
            headers += [("Content-Security-Policy", READER_CSP), ("X-Frame-Options", "DENY"),
                        ("Cross-Origin-Opener-Policy", "same-origin"),
                        ("Cross-Origin-Resource-Policy", "same-origin"), ("Cache-Control", "no-cache")]
        start_response(f"{response.status} {_reason(response.status)}", headers)
        return [b""] if method == "HEAD" else [response.body]

    def _dispatch(self, environ: dict[str, Any]) -> Response:
        path = environ.get("PATH_INFO", "/") or "/"
        try:
            if path.startswith("/original/"):
                return self._original(environ)
            for pattern, handler in self._routes:
                match = pattern.fullmatch(path)
                if match:
                    return handler(environ, *match.groups())
            return self.pages.not_found("No such page in the reader.")
        except UsageError as exc:
            return self.pages.error(400, str(exc))
        except IndexStoreError as exc:
            return self.pages.error(503, str(exc))
        except Exception:  # one broken page must not take the reader down; the log has the traceback
            log.exception("error serving %s", path)
            return self._plain(500, "The reader hit an internal error; the log has the details.")

    def _original(self, environ: dict[str, Any]) -> Response:
        rest = _raw_path(environ)[len("/original/"):]
        parsed = parse_replay_path(rest)
        if parsed is None:
            return self._plain(404, "Not a replay address: /original/<timestamp>/<http(s) URL>.")
        timestamp, url = parsed
        replayer = Replayer(CaptureLocator(self.data.archive_dir, self.data.catalogue()))
        replayed = replayer.replay(url, timestamp)
        if replayed is None:
            response = self._plain(404, f"Not archived: {url}\n(The reader never fetches from the live web.)")
            response.headers.append(("Content-Security-Policy", "default-src 'none'; sandbox"))
            response.reader_page = False
            return response
        content_type = next((v for k, v in replayed.headers if k == "Content-Type"), "application/octet-stream")
        headers = [(k, v) for k, v in replayed.headers if k != "Content-Type"]
        return Response(replayed.status, replayed.body, content_type, headers + [("Cache-Control", "no-cache")],
                        reader_page=False)

    def _static_file(self, environ: dict[str, Any], name: str) -> Response:
        # Only the files shipped in web/static, looked up by name: no path from the URL is opened.
        path = self._static.get(name)
        if path is None:
            return self._plain(404, "No such file.")
        return Response(200, path.read_bytes(), STATIC_TYPES[path.suffix], [("Cache-Control", "max-age=3600")])

    @staticmethod
    def _plain(status: int, message: str) -> Response:
        return Response(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")


def _raw_path(environ: dict[str, Any]) -> str:
    """The request path as the client sent it (percent-escapes kept) plus the query string.

    An archived URL is looked up as it was captured, so PATH_INFO's decoding must be undone:
    the server passes the raw target in RAW_URI; otherwise it is re-quoted.
    """
    raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "")
    if raw.startswith("/"):
        return raw
    if raw:  # absolute-form ("GET http://host/path HTTP/1.1"): keep the path and query
        parts = urlsplit(raw)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    path = quote(environ.get("PATH_INFO", ""), safe="/:@!$&'()*+,;=-._~%")
    query = environ.get("QUERY_STRING")
    return f"{path}?{query}" if query else path


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
