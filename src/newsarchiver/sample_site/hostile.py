"""Hostile routes, served under /hostile/ when the server is started with hostile=True.

=============================  ==============================================================
Path                           Behaviour
=============================  ==============================================================
/hostile/                      index of these routes (HTML)
/hostile/loop                  302 to itself, forever
/hostile/chain/N               N redirects (301, 302, 303, 307, 308 in turn), then a 200 page;
                               /hostile/chain = /hostile/chain/12
/hostile/slow?seconds=S        sleeps S seconds (default server.slow_seconds = 5) then 200;
                               wakes at once when the server stops
/hostile/endless               200 text/html, no Content-Length, body streams until the client
                               disconnects (server.active_streams drops back when it does)
/hostile/lying-length          Content-Length: 100000, sends 1,000 bytes, closes
/hostile/gzip                  article 0's page with a valid Content-Encoding: gzip
/hostile/gzip-bomb             ~1 MB gzip (1,024 members) inflating to server.bomb_mb MB of
                               zero bytes (1 GB), Content-Type text/html
/hostile/chunked               Transfer-Encoding: chunked, framing written by hand (one chunk
                               with an extension), one send per chunk
/hostile/429                   429, Retry-After: 1
/hostile/503                   503, Retry-After: 2
/hostile/503-date              503, Retry-After as an HTTP-date two seconds ahead
/hostile/500                   500 always
/hostile/flaky/N               500 for the first N requests of this exact target (path+query),
                               then 200; /hostile/flaky = /hostile/flaky/2;
                               server.reset_counters() starts over
/hostile/404, /hostile/410     those statuses, with an HTML body
/hostile/cp1251                Russian page in windows-1251; charset only in the HTTP header
/hostile/koi8r                 Russian page in KOI8-R; charset only in a <meta> tag
/hostile/latin1                French/German page; header says charset=iso-8859-1
/hostile/utf16                 UTF-16 page with a BOM; header says text/html, no charset
/hostile/pdf                   a tiny valid PDF (application/pdf)
/hostile/huge                  server.huge_mb MB (30) of HTML with Content-Length, streamed
/hostile/malformed             unclosed tags, NUL bytes, invalid UTF-8, an early </html>
/hostile/other-host            302 to the same site on http://127.0.0.2:PORT/ (server.peer)
/hostile/redirect?to=URL       302 to URL, whatever it is (an open redirect, as many sites have)
/hostile/to-metadata           302 to http://169.254.169.254/latest/meta-data/ (SSRF bait)
/hostile/to-private            302 to http://10.0.0.1/ (SSRF bait)
/hostile/to-file               302 to file:///etc/passwd
/hostile/to-ftp                302 to ftp://ftp.example.com/pub/README
/hostile/challenge             200 "Checking your browser" bot challenge, no article
/hostile/consent               200 cookie-consent wall, no article
/hostile/paywall               200 paywall teaser: two paragraphs + "Subscribe", JSON-LD
                               isAccessibleForFree: false
=============================  ==============================================================

robots.txt variants are not routes: set `server.robots_mode` (see server.ROBOTS_MODES).
The expected texts of the charset pages are the module constants RUSSIAN_TEXT, etc.
"""

from __future__ import annotations

import contextlib
import gzip
import re
import socket
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .server import Handler

Query = dict[str, list[str]]
HTML = {"Content-Type": "text/html; charset=utf-8"}

RUSSIAN_TEXT = (
    "Москва, 14 ноября 2005 года. Президенты России и Узбекистана встретились в Кремле, "
    "чтобы обсудить военное и экономическое сотрудничество. По мнению экспертов, новый "
    "договор укрепит позиции Москвы в Центральной Азии."
)
FRENCH_GERMAN_TEXT = (
    "Genève, le 14 novembre 2005. Les négociations sur l'accord économique ont repris à "
    "Genève ; les délégués espèrent conclure avant Noël. "
    "Zürich: Die Gespräche über das Handelsabkommen wurden am Montag fortgesetzt. Beobachter "
    "äußerten sich vorsichtig optimistisch."
)
UTF16_TEXT = "Tashkent / Ташкент / Toshkent: Oʻzbekiston Respublikasi — a page encoded in UTF-16."
PAYWALL_TEASER = (
    "The government in Tashkent has quietly revised its cotton harvest targets for next year.",
    "Officials say the change reflects falling world prices, but farmers tell a different story.",
)
LYING_DECLARED, LYING_SENT = 100_000, 1_000


def _page(title: str, paragraphs: tuple[str, ...] | list[str], head: str = "") -> str:
    ps = "".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs)  # keep ' literal
    return (f"<!DOCTYPE html>\n<html><head>{head}<title>{escape(title)}</title></head>"
            f"<body><h1>{escape(title)}</h1>{ps}</body></html>\n")


def _redirect(h: Handler, location: str, status: int = 302) -> None:
    h.send(status, f'<a href="{escape(location)}">moved</a>'.encode(),
           {"Location": location, **HTML})


# --- redirects -------------------------------------------------------------------------------

def loop(h: Handler, q: Query) -> None:
    _redirect(h, "/hostile/loop")


def chain(h: Handler, n: int) -> None:
    if n <= 0:
        h.send(200, _page("End Of The Redirect Chain", ["You followed every hop."]).encode(), HTML)
        return
    _redirect(h, f"/hostile/chain/{n - 1}", (301, 302, 303, 307, 308)[n % 5])


def other_host(h: Handler, q: Query) -> None:
    peer = h.owner.peer
    if peer is None:
        h.send(503, b"127.0.0.2 is not available on this machine\n", {"Content-Type": "text/plain"})
    else:
        _redirect(h, peer.url + "/")


def _to(location: str) -> Callable[[Handler, Query], None]:
    return lambda h, q: _redirect(h, location)


# --- slow, endless, lying --------------------------------------------------------------------

def slow(h: Handler, q: Query) -> None:
    seconds = float(q.get("seconds", [h.owner.slow_seconds])[0])
    if h.owner.stopping.wait(seconds):
        h.close_connection = True  # the server is stopping: give up without answering
        return
    h.send(200, _page("A Slow Page", [f"This page took {seconds:g} seconds."]).encode(), HTML)


def _stream(h: Handler, chunks: Callable[[], bytes | None]) -> None:
    """Send chunks until `chunks()` returns None, the client goes away or the server stops."""
    h.close_connection = True
    # A client that stops reading without closing would block sendall forever; time out.
    h.connection.settimeout(5)
    owner = h.owner
    owner._stream_started(+1)
    try:
        while not owner.stopping.is_set():
            data = chunks()
            if data is None:
                return
            h.connection.sendall(data)
    except OSError:
        pass  # client disconnected (BrokenPipe, ConnectionReset) or timed out
    finally:
        owner._stream_started(-1)


def endless(h: Handler, q: Query) -> None:
    h.send_head(200, {"Content-Type": "text/html; charset=utf-8", "Connection": "close"})
    h.close_connection = True  # the body is delimited by closing the connection
    if h.command == "HEAD":
        return
    h.connection.sendall(b"<!DOCTYPE html>\n<html><head><title>Endless</title></head><body>\n")
    block = b"<p>This page never ends. It keeps going and going.</p>\n" * 1200  # ~66 KB
    _stream(h, lambda: block)


def lying_length(h: Handler, q: Query) -> None:
    body = (b"<!DOCTYPE html><html><body><p>" + b"x" * LYING_SENT)[:LYING_SENT]
    h.send_head(200, {"Content-Type": "text/html; charset=utf-8",
                      "Content-Length": str(LYING_DECLARED), "Connection": "close"})
    if h.command != "HEAD":
        h.connection.sendall(body)
    h.close_connection = True
    with contextlib.suppress(OSError):  # close now so the client sees a short body, not a hang
        h.connection.shutdown(socket.SHUT_RDWR)


def huge(h: Handler, q: Query) -> None:
    total = int(h.owner.huge_mb * 1024 * 1024)
    head = b"<!DOCTYPE html>\n<html><head><title>A Huge Page</title></head><body>\n"
    tail = b"</body></html>\n"
    para = b"<p>A very long page, repeated to fill many megabytes of HTML text.</p>\n" * 900
    h.send_head(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(total),
                      "Connection": "close"})
    if h.command == "HEAD":
        h.close_connection = True
        return
    remaining = [total]
    parts = [head]

    def next_chunk() -> bytes | None:
        if remaining[0] <= 0:
            return None
        data = parts.pop() if parts else para
        if remaining[0] <= len(tail):  # the last bytes: the closing tags
            data = tail[len(tail) - remaining[0]:]
        elif len(data) > remaining[0] - len(tail):
            data = data[: remaining[0] - len(tail)]
        remaining[0] -= len(data)
        return data

    _stream(h, next_chunk)


# --- encodings and framing ------------------------------------------------------------------

def gzipped(h: Handler, q: Query) -> None:
    page = h.owner.site.render(h.owner.site.article(0).path, h.owner.url).body
    h.send(200, gzip.compress(page, 6), {**HTML, "Content-Encoding": "gzip",
                                          "Vary": "Accept-Encoding"})


@lru_cache(maxsize=1)
def _zero_member() -> bytes:
    # One gzip member inflating to 1 MB of zeros (~1 KB); members concatenate into a valid
    # gzip stream (RFC 1952 2.2) that clients decode in full.
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    return c.compress(bytes(1 << 20)) + c.flush()


def gzip_bomb(h: Handler, q: Query) -> None:
    body = _zero_member() * int(h.owner.bomb_mb)
    h.send(200, body, {**HTML, "Content-Encoding": "gzip"})


CHUNKS = (b"<!DOCTYPE html>\n<html><head><title>Chunked Page</title></head><body>\n",
          b"<p>This body arrives in chunks.</p>\n",
          b"<p>Each chunk was framed by hand.</p>\n" * 40,
          b"</body></html>\n")


def chunked(h: Handler, q: Query) -> None:
    h.send_head(200, {"Content-Type": "text/html; charset=utf-8", "Transfer-Encoding": "chunked"})
    if h.command == "HEAD":
        return
    for k, data in enumerate(CHUNKS):
        ext = ";note=hand-made" if k == 1 else ""  # a chunk extension, which clients must skip
        h.connection.sendall(b"%x%s\r\n%s\r\n" % (len(data), ext.encode(), data))
    h.connection.sendall(b"0\r\n\r\n")


def _charset_page(body: bytes, content_type: str) -> Callable[[Handler, Query], None]:
    return lambda h, q: h.send(200, body, {"Content-Type": content_type})


CP1251_PAGE = _page("Новости из Москвы", [RUSSIAN_TEXT]).encode("cp1251")
KOI8R_PAGE = _page("Новости из Москвы", [RUSSIAN_TEXT], head=(
    '<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">')).encode("koi8_r")
LATIN1_PAGE = _page("Nouvelles de Genève und Zürich", [FRENCH_GERMAN_TEXT]).encode("latin-1")
UTF16_PAGE = _page("Ташкент", [UTF16_TEXT]).encode("utf-16")  # Python writes the BOM


def _pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        None,  # the content stream, below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    stream = b"BT /F1 18 Tf 20 70 Td (Sample News PDF report) Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


PDF = _pdf()

MALFORMED = (
    b"<html><head><title>Malformed \x00Page</title><body>\n"
    b"<div class=content><p>First paragraph with <b>unclosed bold and <i>italic\n"
    b"<p>Second paragraph with a NUL byte here: \x00 and invalid UTF-8: \xff\xfe\xc3(\n"
    b"</html>\n"
    b"<p>Text after an early closing html tag.</p><table><tr><td>cell<td>another</div>\n"
    b"<p>Unterminated attribute <a href=\"/a/broken.html>link</a>\n"
    b"<script>document.write('<p>')</script><!-- unclosed comment <p>hidden\n"
)


# --- pages that are not articles -------------------------------------------------------------

CHALLENGE = """<!DOCTYPE html><html><head><title>Just a moment...</title>
<meta name="robots" content="noindex,nofollow"><noscript><meta http-equiv="refresh" content="5"></noscript></head>
<body><div id="challenge"><h1>Checking your browser before accessing the site.</h1>
<p>This process is automatic. Your browser will redirect to your requested content shortly.</p>
<p>Please allow up to 5 seconds&hellip;</p><div class="ray-id">Ray ID: 5f1e2d3c4b5a6978</div></div>
<script>setTimeout(function(){location.reload()},5000)</script></body></html>
"""

CONSENT = """<!DOCTYPE html><html lang="en"><head><title>Before you continue</title></head>
<body class="consent-wall"><div class="consent-overlay" role="dialog" aria-modal="true">
<h1>We value your privacy</h1>
<p>We and our 847 partners store and access information on your device, such as cookies, and
process personal data for personalised advertising and content, measurement and audience insights.</p>
<form method="post" action="/consent"><button name="choice" value="accept">Accept all</button>
<button name="choice" value="reject">Reject all</button><a href="/p/privacy.html">Manage options</a></form>
</div></body></html>
"""


def paywall(h: Handler, q: Query) -> None:
    ld = ('{"@context":"https://schema.org","@type":"NewsArticle","headline":"Cotton Targets '
          'Quietly Revised","isAccessibleForFree":false,"hasPart":{"@type":"WebPageElement",'
          '"isAccessibleForFree":false,"cssSelector":".paywalled"}}')
    ps = "".join(f"<p>{escape(p)}</p>" for p in PAYWALL_TEASER)
    page = (f"<!DOCTYPE html><html lang=\"en\"><head><title>Cotton Targets Quietly Revised</title>"
            f'<script type="application/ld+json">{ld}</script></head><body><article>'
            f"<h1>Cotton Targets Quietly Revised</h1>{ps}<div class=\"paywalled\" hidden></div>"
            f'<div class="paywall"><h2>Subscribe to continue reading</h2><p>Get unlimited '
            f'access for $1 a week.</p><a href="/p/about.html">Subscribe</a></div>'
            f"</article></body></html>\n")
    h.send(200, page.encode(), HTML)


def _status(status: int, headers: dict[str, str] | None = None,
            ) -> Callable[[Handler, Query], None]:
    body = _page(f"Error {status}", [f"The server answered {status}."]).encode()
    return lambda h, q: h.send(status, body, {**HTML, **(headers or {})})


def retry_after_date(h: Handler, q: Query) -> None:
    when = datetime.now(timezone.utc) + timedelta(seconds=2)
    h.send(503, b"Service Unavailable\n", {"Content-Type": "text/plain",
                                           "Retry-After": format_datetime(when, usegmt=True)})


def flaky(h: Handler, n: int) -> None:
    if h.owner.hit(h.path) < n:
        h.send(500, b"Temporary failure\n", {"Content-Type": "text/plain"})
    else:
        h.send(200, _page("Flaky Page", ["This page works now."]).encode(), HTML)


ROUTES: dict[str, Callable[[Handler, Query], None]] = {
    "/hostile/loop": loop,
    "/hostile/slow": slow,
    "/hostile/endless": endless,
    "/hostile/lying-length": lying_length,
    "/hostile/gzip": gzipped,
    "/hostile/gzip-bomb": gzip_bomb,
    "/hostile/chunked": chunked,
    "/hostile/429": _status(429, {"Retry-After": "1"}),
    "/hostile/503": _status(503, {"Retry-After": "2"}),
    "/hostile/503-date": retry_after_date,
    "/hostile/500": _status(500),
    "/hostile/404": _status(404),
    "/hostile/410": _status(410),
    "/hostile/cp1251": _charset_page(CP1251_PAGE, "text/html; charset=windows-1251"),
    "/hostile/koi8r": _charset_page(KOI8R_PAGE, "text/html"),
    "/hostile/latin1": _charset_page(LATIN1_PAGE, "text/html; charset=iso-8859-1"),
    "/hostile/utf16": _charset_page(UTF16_PAGE, "text/html"),
    "/hostile/pdf": lambda h, q: h.send(200, PDF, {"Content-Type": "application/pdf"}),
    "/hostile/huge": huge,
    "/hostile/malformed": lambda h, q: h.send(200, MALFORMED, {"Content-Type": "text/html"}),
    "/hostile/other-host": other_host,
    "/hostile/redirect": lambda h, q: _redirect(h, q.get("to", ["/"])[0]),
    "/hostile/to-metadata": _to("http://169.254.169.254/latest/meta-data/"),
    "/hostile/to-private": _to("http://10.0.0.1/"),
    "/hostile/to-file": _to("file:///etc/passwd"),
    "/hostile/to-ftp": _to("ftp://ftp.example.com/pub/README"),
    "/hostile/challenge": lambda h, q: h.send(200, CHALLENGE.encode(), HTML),
    "/hostile/consent": lambda h, q: h.send(200, CONSENT.encode(), HTML),
    "/hostile/paywall": paywall,
    # A media type in raw UTF-8 bytes (the header value here is their latin-1 reading, as sent).
    "/hostile/odd-content-type": lambda h, q: h.send(200, b"<html><body>odd</body></html>",
                                                     {"Content-Type": "t\u00c3\u00a9xt/html; charset=utf-8"}),
}


def index(h: Handler, q: Query) -> None:
    links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in
                    [*ROUTES, "/hostile/chain/3", "/hostile/flaky/2"])
    h.send(200, f"<!DOCTYPE html><html><body><h1>Hostile routes</h1><ul>{links}</ul>"
                f"</body></html>".encode(), HTML)


def handle(h: Handler, path: str, query: Query) -> None:
    """Answer a /hostile/ request (the server only calls this when hostile=True)."""
    if path in ("/hostile", "/hostile/"):
        index(h, query)
    elif path in ROUTES:
        ROUTES[path](h, query)
    elif m := re.fullmatch(r"/hostile/chain(?:/(\d+))?", path):
        chain(h, int(m.group(1) or 12))
    elif m := re.fullmatch(r"/hostile/flaky(?:/(\d+))?", path):
        flaky(h, int(m.group(1) or 2))
    else:
        h.send(404, _page("Not Found", ["No such hostile route."]).encode(), HTML)
