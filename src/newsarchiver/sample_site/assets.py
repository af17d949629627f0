"""Static files linked from every page: two small PNGs, a stylesheet and a script."""

from __future__ import annotations

import struct
import zlib


def make_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid, solid-colour 8-bit RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + bytes(rgb) * width  # filter byte 0, then the pixels
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(row * height, 9)) + chunk(b"IEND", b""))


CSS = b"""body{font-family:Georgia,serif;margin:0;color:#222}
.skip{position:absolute;left:-9999px}.skip:focus{left:0}
.skip-title{position:absolute;left:-9999px}
.site-header{background:#1b2a4a;color:#fff;padding:8px}.top-nav ul{display:flex;gap:1em;list-style:none}
.top-nav a{color:#fff}.mega-menu{display:none}
.ticker{background:#c00;color:#fff;padding:4px}.ticker ul{display:inline;list-style:none}
.article{max-width:720px;margin:auto}.byline,.published{color:#666;font-size:.9em}
.related-box{border:1px solid #ccc;padding:8px;max-width:300px}
.legal-notice{background:#fee;padding:8px}.site-footer{background:#eee;padding:8px}
"""

JS = b"""(function(){var t=document.querySelector('.ticker');
if(t){t.setAttribute('data-ready','1');}})();
"""

STATIC: dict[str, tuple[str, bytes]] = {
    "/static/logo.png": ("image/png", make_png(120, 40, (27, 42, 74))),
    "/static/photo.png": ("image/png", make_png(64, 36, (120, 120, 120))),
    "/static/site.css": ("text/css; charset=utf-8", CSS),
    "/static/site.js": ("application/javascript; charset=utf-8", JS),
}
