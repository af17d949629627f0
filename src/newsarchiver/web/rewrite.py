"""Rewrite the links of an archived HTML page or stylesheet so they point into the archive.

Every URL an archived page names (links, images, stylesheets, frames, srcset, inline styles,
`<meta http-equiv=refresh>`) becomes `/original/<timestamp>/<absolute URL>` on the reader: the
browser then asks the reader, which answers from the WARC records or with a 404, never from the
live web. `javascript:`, `vbscript:` and `data:` URLs never stay links or frames (a `data:` image
stays: it is inline bytes, no request). `<base>` is dropped (its URL resolves the others here),
and `ping` (click tracking) and `integrity` (rewritten bytes no longer match) are removed.

Rewriting is fidelity, not the security boundary: what it misses (a parser differential between
Python's HTMLParser and the browser's) is still held by the iframe sandbox and the
Content-Security-Policy the replay sends (no script, no request beyond the reader's origin).
Everything else in the markup is passed through byte for byte, scripts included; they are inert.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

REPLAY_PREFIX = "/original/"

# Attributes holding one URL, by tag ("*" = any tag).
_URL_ATTRS: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}), "area": frozenset({"href"}), "link": frozenset({"href"}),
    "img": frozenset({"src", "lowsrc", "longdesc"}), "image": frozenset({"href", "xlink:href"}),
    "script": frozenset({"src"}), "iframe": frozenset({"src"}), "frame": frozenset({"src", "longdesc"}),
    "embed": frozenset({"src"}), "source": frozenset({"src"}), "track": frozenset({"src"}),
    "audio": frozenset({"src"}), "video": frozenset({"src", "poster"}), "input": frozenset({"src", "formaction"}),
    "button": frozenset({"formaction"}), "form": frozenset({"action"}), "object": frozenset({"data", "codebase"}),
    "use": frozenset({"href", "xlink:href"}), "blockquote": frozenset({"cite"}), "q": frozenset({"cite"}),
    "ins": frozenset({"cite"}), "del": frozenset({"cite"}),
    "*": frozenset({"background"}),
}
_SRCSET_ATTRS = frozenset({"srcset", "imagesrcset"})
_DROPPED_ATTRS = frozenset({"ping", "integrity"})
_UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")
_CSS_URL = re.compile(r"""(url\(\s*)(['"]?)([^'")]*)(\2\s*\))|(@import\s+)(['"])([^'"]*)(\6)""", re.IGNORECASE)
_REFRESH = re.compile(r"^(\s*\d*\.?\d*\s*[;,]?\s*(?:url\s*=\s*)?)(['\"]?)(.*?)\2\s*$", re.IGNORECASE | re.DOTALL)
_SCHEME_STRIP = re.compile(r"[\x00-\x20]+")


def replay_url(url: str, timestamp: str) -> str:
    """The reader path that replays `url` as archived near `timestamp`."""
    # Characters a URL may not hold raw are quoted; everything already legal is kept as is.
    return f"{REPLAY_PREFIX}{timestamp}/{quote(url, safe=':/?#[]@!$&()*+,;=%~-._')}"


def is_unsafe_url(value: str) -> bool:
    """True for javascript:/vbscript:/data: URLs, however obfuscated with spaces or case."""
    return _SCHEME_STRIP.sub("", html.unescape(value)).lower().startswith(_UNSAFE_SCHEMES)


class UrlRewriter:
    """Turns URLs found in an archived document into replay URLs."""

    def __init__(self, base_url: str, timestamp: str) -> None:
        self.base_url = base_url
        self.timestamp = timestamp

    def link(self, value: str, *, allow_data: bool = False) -> str | None:
        """A replay URL for `value`, the value itself for fragments, or None to drop it."""
        stripped = value.strip()
        if not stripped:
            return value
        if is_unsafe_url(stripped):
            return stripped if allow_data and stripped.lower().startswith("data:image/") else None
        if stripped.startswith("#"):
            return stripped  # a jump within the page
        absolute = urljoin(self.base_url, stripped)
        if urlsplit(absolute).scheme.lower() not in ("http", "https"):
            return None  # mailto:, tel:, ftp:, about:...: nothing the archive can answer
        return replay_url(absolute, self.timestamp)

    def css(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            if match.group(1) is not None:
                new = self.link(match.group(3), allow_data=True)
                return f"{match.group(1)}{match.group(2)}{new or ''}{match.group(4)}"
            new = self.link(match.group(7))
            return f"{match.group(5)}{match.group(6)}{new or ''}{match.group(8)}"

        return _CSS_URL.sub(replace, text)

    def srcset(self, value: str) -> str:
        """Each candidate's URL rewritten; parsed as browsers do, since a data: URL holds commas."""
        out = []
        pos, end = 0, len(value)
        while pos < end:
            while pos < end and (value[pos].isspace() or value[pos] == ","):
                pos += 1
            start = pos
            while pos < end and not value[pos].isspace():
                pos += 1
            url, descriptor = value[start:pos], ""
            if url.endswith(","):
                url = url.rstrip(",")
            else:
                described = pos
                while pos < end and value[pos] != ",":
                    pos += 1
                descriptor = value[described:pos].strip()
            new = self.link(url, allow_data=True) if url else None
            if new:
                out.append(f"{new} {descriptor}".strip())
        return ", ".join(out)

    def refresh(self, value: str) -> str | None:
        match = _REFRESH.match(value)
        if not match or not match.group(3):
            return value
        new = self.link(match.group(3))
        return f"{match.group(1)}{new}" if new else None


class _HtmlRewriter(HTMLParser):
    """Streams the page through, re-serialising only the tags whose URLs change."""

    def __init__(self, rewriter: UrlRewriter, emit: Callable[[str], None]) -> None:
        # Text arrives unescaped and is escaped again on the way out: text stays text, even where
        # Python's parser and the browser's would disagree about a stray "<".
        super().__init__(convert_charrefs=True)
        self.rewriter = rewriter
        self.emit = emit
        self._raw_text: str | None = None  # inside <script> or <style>: passed through as is

    # Tags ---------------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, self_closing=False)
        if tag in self.CDATA_CONTENT_ELEMENTS:
            self._raw_text = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, self_closing=True)

    def handle_endtag(self, tag: str) -> None:
        self._raw_text = None
        self.emit(f"</{tag}>")

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], self_closing: bool) -> None:
        raw = self.get_starttag_text() or ""
        if tag == "base":
            # Dropped: the URLs it bases are made absolute here, against its href.
            for name, value in attrs:
                if name == "href" and value and not is_unsafe_url(value):
                    self.rewriter.base_url = urljoin(self.rewriter.base_url, value)
            return
        new_attrs, changed = self._rewrite_attrs(tag, attrs)
        if not changed:
            self.emit(raw)
            return
        parts = [tag]
        for name, value in new_attrs:
            parts.append(name if value is None else f'{name}="{html.escape(value, quote=True)}"')
        self.emit(f"<{' '.join(parts)}{' /' if self_closing else ''}>")

    def _rewrite_attrs(self, tag: str, attrs: list[tuple[str, str | None]]
                       ) -> tuple[list[tuple[str, str | None]], bool]:
        url_names = _URL_ATTRS.get(tag, frozenset()) | _URL_ATTRS["*"]
        is_refresh = tag == "meta" and any(n == "http-equiv" and (v or "").strip().lower() == "refresh"
                                           for n, v in attrs)
        out: list[tuple[str, str | None]] = []
        changed = False
        for name, value in attrs:
            new: str | None = value
            if name in _DROPPED_ATTRS:
                changed = True
                continue
            if value is None:
                out.append((name, value))
                continue
            if name in url_names:
                new = self.rewriter.link(value, allow_data=tag in ("img", "source", "image", "input"))
            elif name in _SRCSET_ATTRS:
                new = self.rewriter.srcset(value)
            elif name == "style":
                new = self.rewriter.css(value)
            elif is_refresh and name == "content":
                new = self.rewriter.refresh(value)
            if new is None:
                changed = True  # an unsafe URL: the attribute goes, the element stays
                continue
            changed = changed or new != value
            out.append((name, new))
        return out, changed

    # Everything else passes through unchanged ---------------------------------------------------

    def handle_data(self, data: str) -> None:
        if self._raw_text == "style":
            self.emit(self.rewriter.css(data))
        elif self._raw_text == "script":
            self.emit(data)
        else:
            self.emit(html.escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        self.emit(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.emit(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.emit(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.emit(f"<![{data}]>")


def rewrite_html(text: str, base_url: str, timestamp: str) -> str:
    pieces: list[str] = []
    parser = _HtmlRewriter(UrlRewriter(base_url, timestamp), pieces.append)
    parser.feed(text)
    parser.close()
    return "".join(pieces)


def rewrite_css(text: str, base_url: str, timestamp: str) -> str:
    return UrlRewriter(base_url, timestamp).css(text)
