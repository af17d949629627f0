"""HTTP payload bytes -> text: content-encoding with a size cap, charset, control characters.

Pure functions on their arguments. The charset order follows the WHATWG encoding sniffing
algorithm, which is what a browser replaying the WARC does:

1. a byte-order mark (unambiguous, and browsers let it override the HTTP header);
2. the HTTP ``Content-Type`` charset;
3. ``<meta charset>`` / ``<meta http-equiv="Content-Type">`` in the first 8 KiB;
4. detection with charset-normalizer.

A declared UTF-8 that does not decode strictly falls through to detection: servers often claim
UTF-8 for legacy pages. ISO-8859-1 / US-ASCII labels decode as windows-1252, as browsers do.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

MAX_DECODED_BYTES = 50 * 1024 * 1024  # decompressed size cap: a gzip bomb stops here
_CHUNK = 64 * 1024


class PayloadError(ValueError):
    """The payload cannot be decoded (bad compression, over the size cap)."""


@dataclass(frozen=True)
class ContentType:
    mime: str  # lowercase, without parameters; "" when absent
    charset: str | None


def header_values(headers: Sequence[tuple[str, str]], name: str) -> list[str]:
    lname = name.lower()
    return [value for key, value in headers if key.lower() == lname]


def parse_content_type(headers: Sequence[tuple[str, str]]) -> ContentType:
    values = header_values(headers, "content-type")
    if not values:
        return ContentType("", None)
    mime, _, params = values[-1].partition(";")
    charset = None
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", params, re.IGNORECASE)
    if match:
        charset = match.group(1)
    return ContentType(mime.strip().lower(), charset)


# --- content-encoding ------------------------------------------------------------------------


def decode_content_encoding(
    payload: bytes, headers: Sequence[tuple[str, str]], max_bytes: int = MAX_DECODED_BYTES
) -> bytes:
    """Undo every Content-Encoding (applied in order, so undone in reverse), capped at max_bytes."""
    codings = [c.strip().lower() for v in header_values(headers, "content-encoding") for c in v.split(",")]
    body = payload
    for coding in reversed([c for c in codings if c and c != "identity"]):
        try:
            body = _undo(coding, body, max_bytes)
        except PayloadError as exc:
            # a reader such as warcio's content_stream() may have undone the encoding already while
            # the archived headers still name it: markup that does not decode is taken as it is
            if "cap" in str(exc) or not _looks_like_markup(body):
                raise
            break
    if len(body) > max_bytes:
        raise PayloadError(f"payload over the {max_bytes // (1024 * 1024)} MB cap")
    return body


def _undo(coding: str, body: bytes, max_bytes: int) -> bytes:
    if coding in ("gzip", "x-gzip"):
        if not body.startswith(b"\x1f\x8b"):
            raise PayloadError("invalid gzip data: no gzip header")
        return _inflate(body, zlib.MAX_WBITS | 32, max_bytes, coding)
    if coding == "deflate":
        return _inflate_deflate(body, max_bytes)
    if coding == "br":
        return _unbrotli(body, max_bytes)
    raise PayloadError(f"unsupported content-encoding {coding!r}")


def _looks_like_markup(body: bytes) -> bool:
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body", b"<!--", b"<meta", b"<div",
                            b"<title", b"<p", b"\xff\xfe<", b"\xfe\xff\x00<", b"%pdf"))


def _inflate(data: bytes, wbits: int, max_bytes: int, coding: str) -> bytes:
    out = bytearray()
    decomp = zlib.decompressobj(wbits)
    try:
        pending = data
        while pending:
            # max_length bounds each step, so a bomb never inflates past the cap in memory
            out += decomp.decompress(pending, _CHUNK)
            pending = decomp.unconsumed_tail
            if len(out) > max_bytes:
                raise PayloadError(f"{coding} payload inflates past the {max_bytes // (1024 * 1024)} MB cap")
            if decomp.eof and decomp.unused_data and wbits & 32:
                # concatenated gzip members (allowed by RFC 1952): start the next one
                pending = decomp.unused_data
                decomp = zlib.decompressobj(wbits)
        out += decomp.flush()
    except zlib.error as exc:
        if out:  # truncated captures are common: keep what inflated
            return bytes(out)
        raise PayloadError(f"invalid {coding} data: {exc}") from exc
    return bytes(out)


def _inflate_deflate(data: bytes, max_bytes: int) -> bytes:
    # "deflate" should be zlib-wrapped (RFC 9110) but many servers send raw deflate
    try:
        return _inflate(data, zlib.MAX_WBITS, max_bytes, "deflate")
    except PayloadError as exc:
        if "cap" in str(exc):
            raise
        return _inflate(data, -zlib.MAX_WBITS, max_bytes, "deflate")


def _unbrotli(data: bytes, max_bytes: int) -> bytes:
    import brotli  # imported lazily: only br payloads need it

    decomp = brotli.Decompressor()
    out = bytearray()
    try:
        out += decomp.process(data, output_buffer_limit=_CHUNK)
        # pending output comes out in bounded steps; stop at the cap instead of inflating the rest
        while len(out) <= max_bytes and not decomp.is_finished():
            step = decomp.process(b"", output_buffer_limit=_CHUNK)
            if not step:
                break
            out += step
    except brotli.error as exc:
        if out:
            return bytes(out)
        raise PayloadError(f"invalid br data: {exc}") from exc
    if len(out) > max_bytes:
        raise PayloadError(f"br payload inflates past the {max_bytes // (1024 * 1024)} MB cap")
    return bytes(out)


# --- charset -----------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_WINDOWS_1252_ALIASES = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "cp819"}
# C0/C1 controls except tab, newline, carriage return; they break lxml and mean nothing in text
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def normalise_charset(label: str | None) -> str | None:
    """A Python codec name for an HTTP/HTML charset label, or None when unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _WINDOWS_1252_ALIASES:
        return "cp1252"
    if label in ("x-user-defined", "unicode-1-1-utf-8", "utf8"):
        return "utf-8"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def sniff_bom(body: bytes) -> tuple[str, int] | None:
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, len(bom)
    return None


def meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:8192])
    if not match:
        return None
    name = normalise_charset(match.group(1).decode("ascii", "ignore"))
    # a <meta> readable as ASCII cannot truthfully declare UTF-16/32 (WHATWG: treat as UTF-8)
    if name and name.startswith(("utf_16", "utf-16", "utf_32", "utf-32")):
        return "utf-8"
    return name


def decode_text(body: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """Bytes -> (text without control characters, codec used)."""
    text, codec = _decode(body, http_charset)
    return strip_control_chars(text), codec


def strip_control_chars(text: str) -> str:
    text = text.removeprefix("\ufeff")
    return _CONTROL_CHARS.sub("", text)


def _decode(body: bytes, http_charset: str | None) -> tuple[str, str]:
    bom = sniff_bom(body)
    if bom:
        name, size = bom
        return body[size:].decode(name, "replace"), name
    for declared in (normalise_charset(http_charset), meta_charset(body)):
        if not declared:
            continue
        if declared.replace("_", "-") in ("utf-8",):
            try:
                return body.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                continue  # a false UTF-8 claim: let the next source or detection decide
        if declared.startswith(("utf_16", "utf-16")):
            if not _looks_utf16(body):
                continue
            declared = _utf16_order(body) if declared.replace("_", "-") == "utf-16" else declared
        return body.decode(declared, "replace"), declared
    return _detect(body)


def _looks_utf16(body: bytes) -> bool:
    # ASCII markup in UTF-16 puts a zero byte in every other position, and only there
    sample = body[:4000]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = max(len(sample) // 2, 1)
    return max(even, odd) > half // 10 and min(even, odd) < half // 100 + 1


def _utf16_order(body: bytes) -> str:
    """UTF-16 without a BOM: ASCII markup puts its zero bytes first in big-endian."""
    sample = body[:2000]
    return "utf-16-be" if sample[0::2].count(0) > sample[1::2].count(0) else "utf-16-le"


def _detect(body: bytes) -> tuple[str, str]:
    if _looks_utf16(body):
        codec = _utf16_order(body)
        return body.decode(codec, "replace"), codec
    try:
        return body.decode("utf-8"), "utf-8"  # by far the most common; strict decode is cheap
    except UnicodeDecodeError:
        pass
    from charset_normalizer import (
        from_bytes,  # lazy: only undeclared legacy pages pay for it
    )

    best = from_bytes(body[:200_000]).best()
    codec = best.encoding if best is not None else "cp1252"
    return body.decode(codec, "replace"), codec
