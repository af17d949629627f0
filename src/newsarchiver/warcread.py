"""Read any WARC or ARC file record by record, and say exactly where it is damaged.

Handles WARC/1.0 and 1.1 (and 0.17/0.18), ARC v1/v2, with one gzip member per record, one gzip
member for the whole file, or no compression: our own files, wget's, Heritrix's and
browsertrix-crawler's.

Why not warcio's ArchiveIterator alone: it reads a truncated record without complaint (its
LimitReader just returns fewer bytes), prints gzip errors to stderr and carries on, and refuses
whole-file gzip. This module frames the records itself (gzip members, WARC/ARC headers,
Content-Length), so that every short read becomes a `WarcFormatError` with an offset, after every
good record before it has been yielded. Memory stays bounded: gzip output is produced in small
steps (a gzip bomb costs time, not memory) and a payload is kept only up to `max_payload_bytes`.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Iterator, Optional

from newsarchiver.errors import WarcFormatError
from newsarchiver.models import Headers, header_value

DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024
_READ_SIZE = 64 * 1024  # compressed bytes read from the file at a time
_OUT_SIZE = 256 * 1024  # decompressed bytes produced per step: bounds memory on a gzip bomb
_BLOCK_PIECE = 1024 * 1024
_MAX_LINE = 64 * 1024  # a longer "header line" means we are not looking at a header
_MAX_HEADER_BYTES = 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_HTTP_RECORD_TYPES = ("response", "request", "revisit")
_REQUEST_LINE = re.compile(rb"^[A-Z]+ \S+ HTTP/\d")


@dataclass(frozen=True)
class WarcEntry:
    """One record, with its WARC headers, HTTP headers and (possibly cut) payload.

    `offset`/`length` locate the record in the file (the gzip member(s) holding it, or the header
    and block of an uncompressed record, without the blank lines after it, as warcio and
    cdxj-indexer count). In a whole-file gzip there are no such positions: `seekable` is False and
    offset/length count decompressed bytes instead.
    """

    path: str
    offset: int
    length: int
    rec_type: str  # WARC-Type; ARC records are "warcinfo" (the filedesc) or "response"
    url: Optional[str]
    date: Optional[str]  # WARC-Date as written (ARC: converted to ISO-8601)
    record_id: Optional[str]
    headers: Headers  # WARC headers (ARC: the fields of the header line)
    http_status: Optional[int]
    http_headers: Headers
    payload: bytes  # HTTP body as stored (content-encoding kept, chunking removed), or the block
    payload_digest: Optional[str]
    block_digest: Optional[str]
    concurrent_to: Optional[str]  # the first WARC-Concurrent-To; all are in `headers`
    refers_to: Optional[str]
    refers_to_target_uri: Optional[str]
    refers_to_date: Optional[str]
    truncated: Optional[str]  # WARC-Truncated: the crawler cut this record on purpose
    content_type: Optional[str]  # of the HTTP payload (or of the block when not HTTP)
    format: str = "warc"  # "warc" or "arc"
    version: str = ""  # "WARC/1.1", "ARC/1", ...
    block_length: int = 0  # Content-Length
    payload_length: int = 0  # full stored payload length, even when `payload` is cut
    payload_cut: bool = False  # payload longer than max_payload_bytes: `payload` is its start
    seekable: bool = True
    digest_problems: tuple[str, ...] = ()  # filled only with check_digests=True

    def header_values(self, name: str) -> list[str]:
        """Every value of a (repeatable) WARC header, case-insensitive."""
        lname = name.lower()
        return [value for key, value in self.headers if key.lower() == lname]


def iter_entries(path: str | os.PathLike[str], *, max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES,
                 types: Optional[set[str]] = None, check_digests: bool = False) -> Iterator[WarcEntry]:
    """Yield the records of a WARC/ARC file in order (only those whose type is in `types`).

    Raises WarcFormatError at the first damaged, truncated or non-WARC point, after yielding
    every good record before it. A file without any record (empty) is an error too. With
    `check_digests`, each entry's `digest_problems` lists the block/payload digests that fail.
    """
    spath = os.fspath(path)
    with _open(spath) as fh:
        reader = _RecordReader(_make_stream(fh, spath, 0), spath, max_payload_bytes, check_digests)
        while (entry := reader.next_record(types)) is not None:
            yield entry
        if reader.records_read == 0:
            raise WarcFormatError(spath, 0, "empty file: no WARC or ARC records")


def read_entry_at(path: str | os.PathLike[str], offset: int, *,
                  max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES) -> WarcEntry:
    """The record starting at `offset` (from a WarcEntry or a CDXJ line), read alone.

    Records of a whole-file gzip have no file offset (`seekable` False); `warcio recompress`
    rewrites such a file with one gzip member per record.
    """
    spath = os.fspath(path)
    with _open(spath) as fh:
        fh.seek(offset)
        reader = _RecordReader(_make_stream(fh, spath, offset), spath, max_payload_bytes, check_digests=False)
        entry = reader.next_record(None)
    if entry is None:
        raise WarcFormatError(spath, offset, "no record here: the offset is at or past the end of the file")
    return entry


# --- byte streams: plain or gzip, read forward with positions for framing -------------------------

def _open(path: str) -> BinaryIO:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise WarcFormatError(path, 0, f"cannot open: {exc.strerror or exc}") from exc


def _make_stream(fh: BinaryIO, path: str, start: int) -> _Stream:
    # The file's first bytes decide, so that a wrong offset into a gzip file is reported as such.
    fh.seek(0)
    head = fh.read(2)
    fh.seek(start)
    if head and _GZIP_MAGIC.startswith(head):
        return _GzipStream(fh, path, start)
    return _Stream(fh, path, start)


class _Stream:
    """An uncompressed file read forward. `pos` counts bytes consumed (file offset here)."""

    def __init__(self, fh: BinaryIO, path: str, start: int) -> None:
        self._fh = fh
        self.path = path
        self.pos = start
        self._buf = b""
        self._off = 0

    def _fill(self) -> bool:
        """Put more data in the (drained) buffer; False at the end of the file."""
        data = self._fh.read(_READ_SIZE)
        self._buf, self._off = data, 0
        return bool(data)

    def _available(self) -> bool:
        return self._off < len(self._buf) or self._fill()

    def read(self, size: int) -> bytes:
        """Up to `size` bytes; fewer only at the end of the file."""
        parts = []
        while size > 0 and self._available():
            piece = self._buf[self._off:self._off + size]
            self._off += len(piece)
            size -= len(piece)
            parts.append(piece)
        data = b"".join(parts)
        self.pos += len(data)
        return data

    def readline(self, limit: int) -> bytes:
        """Up to and including the next LF, at most `limit` bytes; b"" at the end of the file."""
        parts: list[bytes] = []
        got = 0
        while got < limit and self._available():
            end = self._buf.find(b"\n", self._off, self._off + limit - got)
            stop = end + 1 if end >= 0 else min(len(self._buf), self._off + limit - got)
            parts.append(self._buf[self._off:stop])
            got += stop - self._off
            self._off = stop
            if end >= 0:
                break
        line = b"".join(parts)
        self.pos += len(line)
        return line

    def unread(self, data: bytes) -> None:
        self._buf = data + self._buf[self._off:]
        self._off = 0
        self.pos -= len(data)

    def member_ends_here(self) -> bool:
        """True where a gzip member ends (never in an uncompressed file)."""
        return False

    def record_offset(self) -> Optional[int]:
        """File offset at which a record starting here can be read alone, if there is one."""
        return self.pos


class _GzipStream(_Stream):
    """The decompressed content of a multi-member gzip file; `pos` counts decompressed bytes."""

    def __init__(self, fh: BinaryIO, path: str, start: int) -> None:
        super().__init__(fh, path, 0)
        self._raw = b""  # compressed bytes read from the file, not yet fed to zlib
        self._raw_end = start  # file offset just after the last byte read
        self._member: Optional[zlib._Decompress] = None  # None between members
        self._member_start = start

    def _raw_offset(self) -> int:
        return self._raw_end - len(self._raw)

    def _read_raw(self) -> bool:
        data = self._fh.read(_READ_SIZE)
        self._raw_end += len(data)
        self._raw += data
        return bool(data)

    def _fill(self) -> bool:
        while True:
            if self._member is None and not self._start_member():
                return False
            if self._decompress_some():
                return True
            # that member ended without more output (an empty member): go on to the next

    def _start_member(self) -> bool:
        while len(self._raw) < 2 and self._read_raw():
            pass
        if not self._raw:
            return False
        if len(self._raw) < len(_GZIP_MAGIC):  # a single byte, then the end of the file
            raise WarcFormatError(self.path, self._raw_offset(), "truncated gzip member: the file ends inside it")
        if not self._raw.startswith(_GZIP_MAGIC):
            raise WarcFormatError(self.path, self._raw_offset(), "no gzip member starts here (garbage "
                                  "between or after the records, or a wrong offset)")
        self._member_start = self._raw_offset()
        self._member = zlib.decompressobj(16 + zlib.MAX_WBITS)
        return True

    def _decompress_some(self) -> bool:
        """Decompress more of the current member into the buffer; False if it ended with no output."""
        assert self._member is not None
        while True:
            if not self._raw and not self._read_raw():
                raise WarcFormatError(self.path, self._member_start,
                                      "truncated gzip member: the file ends inside it")
            try:
                out = self._member.decompress(self._raw, _OUT_SIZE)
            except zlib.error as exc:
                raise WarcFormatError(self.path, self._member_start, f"corrupt gzip member: {exc}") from exc
            if self._member.eof:
                self._raw = self._member.unused_data
                self._member = None
            else:
                self._raw = self._member.unconsumed_tail
            if out:
                self._buf, self._off = out, 0
                return True
            if self._member is None:
                return False

    def member_ends_here(self) -> bool:
        if self._off < len(self._buf):
            return False
        # Output drained, but zlib may not have seen the member's trailer yet: go on until the
        # member either yields more data or ends.
        while self._member is not None:
            if self._decompress_some():
                return False
        return True

    def record_offset(self) -> Optional[int]:
        return self._raw_offset() if self.member_ends_here() else None


# --- records ------------------------------------------------------------------------------------

class _ShortBlock(Exception):
    """The stream ended inside a record's block after `got` bytes."""

    def __init__(self, got: int) -> None:
        super().__init__(got)
        self.got = got


@dataclass(frozen=True)
class _Head:
    format: str
    version: str
    rec_type: str
    url: Optional[str]
    date: Optional[str]
    headers: Headers
    length: int  # of the block: Content-Length (WARC) or Archive-length (ARC)


@dataclass(frozen=True)
class _Body:
    http_status: Optional[int]
    http_headers: Headers
    payload: bytes
    payload_length: int
    payload_cut: bool
    digest_problems: tuple[str, ...]


class _RecordReader:
    """Reads one record at a time from a stream; learns the file's format from the first."""

    def __init__(self, stream: _Stream, path: str, max_payload_bytes: int, check_digests: bool) -> None:
        self.stream = stream
        self.path = path
        self.max_payload = max(0, max_payload_bytes)
        self.check_digests = check_digests
        self.format: Optional[str] = None
        self.arc_fields: Optional[int] = None  # 5 in ARC v1 header lines, 10 in v2
        self.records_read = 0

    def next_record(self, types: Optional[set[str]]) -> Optional[WarcEntry]:
        """The next record whose type is in `types` (None: any); None at a clean end of file."""
        while True:
            start = self.stream.pos
            file_offset: Optional[int] = None
            try:
                file_offset = self.stream.record_offset()
                found, entry = self._read_one(types, file_offset, start)
            except _ShortBlock as exc:
                raise self._error(file_offset, start, "truncated record: the file ends after "
                                  f"{exc.got} bytes of its block (Content-Length says more)") from None
            except OSError as exc:  # a failing disk: this file cannot be read past here either
                raise self._error(file_offset, start, f"cannot read: {exc.strerror or exc}") from exc
            if not found:
                return None
            self.records_read += 1
            if entry is not None:
                return entry

    def _read_one(self, types: Optional[set[str]], file_offset: Optional[int],
                  start: int) -> tuple[bool, Optional[WarcEntry]]:
        first = self.stream.readline(_MAX_LINE)
        if not first:
            return False, None
        if self._detect_format(first, file_offset, start) == "warc":
            head = self._read_warc_head(first, file_offset, start)
        else:
            head = self._read_arc_head(first, file_offset, start)
        wanted = types is None or head.rec_type in types
        body = _read_block(self.stream, head, self.max_payload if wanted else 0,
                           self.check_digests and wanted)
        block_end = self.stream.pos
        self._read_terminator(head, file_offset, start)
        if not wanted:
            return True, None
        end_offset = self.stream.record_offset() if file_offset is not None else None
        if file_offset is None or end_offset is None:
            # Whole-file gzip: no file offset to give, so count decompressed bytes.
            offset, length, seekable = start, block_end - start, False
        elif isinstance(self.stream, _GzipStream):
            offset, length, seekable = file_offset, end_offset - file_offset, True
        else:
            offset, length, seekable = file_offset, block_end - file_offset, True  # without blank lines
        return True, _make_entry(self.path, head, body, offset, length, seekable)

    def _error(self, file_offset: Optional[int], start: int, reason: str) -> WarcFormatError:
        return WarcFormatError(self.path, start if file_offset is None else file_offset, reason)

    def _detect_format(self, first: bytes, file_offset: Optional[int], start: int) -> str:
        if self.format is None:
            if first.startswith(b"WARC/") or b"WARC/".startswith(first):  # the latter: cut short
                self.format = "warc"
            elif first.startswith(b"filedesc://") or _looks_like_arc_header(first):
                self.format = "arc"
            else:
                raise self._error(file_offset, start, f"not a WARC or ARC file: starts with {first[:40]!r}")
        return self.format

    def _read_warc_head(self, first: bytes, file_offset: Optional[int], start: int) -> _Head:
        if b"WARC/".startswith(first):  # shorter than "WARC/": the file ends right here
            raise self._error(file_offset, start, "truncated: the file ends inside the WARC header")
        if not first.startswith(b"WARC/"):
            raise self._error(file_offset, start, f"expected a WARC record header, found {first[:40]!r} "
                              "(the previous record's Content-Length is wrong, or this is garbage)")
        headers, status = _read_headers(self.stream, _MAX_HEADER_BYTES)
        if status != "ok":
            raise self._error(file_offset, start, f"WARC header {status}")
        raw_length = (header_value(headers, "Content-Length") or "").strip()
        if not raw_length.isdigit():
            raise self._error(file_offset, start, f"missing or invalid Content-Length {raw_length!r}")
        url = header_value(headers, "WARC-Target-URI")
        if url and url.startswith("<") and url.endswith(">"):
            url = url[1:-1]  # wget 1.19 wrote the URI in angle brackets
        return _Head("warc", _decode(first).strip(), header_value(headers, "WARC-Type") or "", url,
                     header_value(headers, "WARC-Date"), headers, int(raw_length))

    def _read_arc_head(self, first: bytes, file_offset: Optional[int], start: int) -> _Head:
        line = _decode(first).rstrip("\r\n")
        if self.arc_fields is None:
            self.arc_fields = self._arc_field_count(line)
        parts = line.rsplit(" ", self.arc_fields - 1)
        if len(parts) != self.arc_fields or not parts[-1].isdigit():
            raise self._error(file_offset, start, f"malformed ARC record header {first[:60]!r}")
        names = _ARC_V1_FIELDS if self.arc_fields == 5 else _ARC_V2_FIELDS
        url = parts[0]
        rec_type = "warcinfo" if url.startswith("filedesc://") else "response"
        version = "ARC/1" if self.arc_fields == 5 else "ARC/2"
        return _Head("arc", version, rec_type, url, _arc_date(parts[2]), tuple(zip(names, parts)), int(parts[-1]))

    def _arc_field_count(self, line: str) -> int:
        if line.startswith("filedesc://"):
            # The filedesc block begins with the version line: "1 0 org" or "2 0 org".
            version_line = self.stream.readline(_MAX_LINE)
            self.stream.unread(version_line)
            return 10 if version_line.startswith(b"2 ") else 5
        return 10 if len(line.split(" ")) >= 10 else 5

    def _read_terminator(self, head: _Head, file_offset: Optional[int], start: int) -> None:
        """Consume the blank lines after a block: CRLF CRLF in WARC, LF (or nothing) in ARC."""
        stream = self.stream
        blank = 0
        at_eof = False
        while not stream.member_ends_here():  # extra blank lines are tolerated, as warcio does
            line = stream.readline(2)
            if line in (b"\r\n", b"\n"):
                blank += 1
                continue
            if line:
                stream.unread(line)
            at_eof = not line
            break
        # The end of a gzip member frames a record well enough; elsewhere a WARC record must be
        # followed by two blank lines, or its Content-Length is wrong (or the file ends early).
        if head.format == "arc" or blank >= 2 or stream.member_ends_here():
            return
        if at_eof:
            raise self._error(file_offset, start, "truncated record: the file ends before the CRLF CRLF "
                              "that closes it")
        raise self._error(file_offset, start, f"record not followed by CRLF CRLF: its Content-Length "
                          f"{head.length} is wrong or the record is damaged")


_ARC_V1_FIELDS = ("URL", "IP-address", "Archive-date", "Content-type", "Archive-length")
_ARC_V2_FIELDS = ("URL", "IP-address", "Archive-date", "Content-type", "Result-code", "Checksum",
                  "Location", "Offset", "Filename", "Archive-length")


def _looks_like_arc_header(line: bytes) -> bool:
    parts = line.rstrip(b"\r\n").split(b" ")
    return len(parts) in (5, 10) and b"://" in parts[0] and parts[-1].isdigit() and parts[2].isdigit()


def _arc_date(value: str) -> str:
    """ARC's 14-digit timestamp as ISO-8601; anything else is kept as found."""
    if len(value) >= 14 and value[:14].isdigit():
        v = value
        return f"{v[0:4]}-{v[4:6]}-{v[6:8]}T{v[8:10]}:{v[10:12]}:{v[12:14]}Z"
    return value


def _decode(raw: bytes) -> str:
    # WARC/1.1 headers are UTF-8; older tools wrote Latin-1, which never fails to decode.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _read_headers(source: _Stream | _BlockReader, limit: int) -> tuple[Headers, str]:
    """Header lines up to the blank line, and "ok" or what is wrong with them."""
    headers: list[tuple[str, str]] = []
    size = 0
    while size <= limit:
        line = source.readline(_MAX_LINE)
        size += len(line)
        if not line.endswith(b"\n"):
            if len(line) >= _MAX_LINE:
                return tuple(headers), f"has a line longer than {_MAX_LINE} bytes (not a header?)"
            return tuple(headers), "truncated: the file ends inside it"
        if line in (b"\r\n", b"\n"):
            return tuple(headers), "ok"
        text = _decode(line).rstrip("\r\n")
        if text[:1] in (" ", "\t") and headers:  # obsolete line folding: continues the last value
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {text.strip()}")
            continue
        name, sep, value = text.partition(":")
        if sep:
            headers.append((name.strip(), value.strip()))
    return tuple(headers), f"too large: no blank line within {limit} bytes"


def _read_block(stream: _Stream, head: _Head, keep: int, check_digests: bool) -> _Body:
    """Read exactly the block's length: HTTP headers if any, then the payload (kept up to `keep`)."""
    block = _BlockReader(stream, head, check_digests)
    status, http_headers = _read_http_head(block, head)
    block.begin_payload()
    kept: list[bytes] = []
    kept_len = 0
    while block.remaining:
        piece = block.read(_BLOCK_PIECE)
        if kept_len < keep:
            kept.append(piece[:keep - kept_len])
            kept_len += len(kept[-1])
    payload = b"".join(kept)
    cut = block.payload_length > len(payload)
    dechunked = None
    if "chunked" in (header_value(http_headers, "Transfer-Encoding") or "").lower():
        dechunked = _dechunk(payload, complete=not cut)
    problems = block.digest_problems(None if cut else dechunked) if check_digests else ()
    return _Body(status, http_headers, dechunked if dechunked is not None else payload,
                 block.payload_length, cut, problems)


def _read_http_head(block: _BlockReader, head: _Head) -> tuple[Optional[int], Headers]:
    """The HTTP status (None for requests) and headers at the start of the block, if it holds HTTP."""
    if head.rec_type not in _HTTP_RECORD_TYPES or not head.length:
        return None, ()
    if not (head.url or "").lower().startswith(("http:", "https:")):
        return None, ()
    first = block.readline(_MAX_LINE)
    is_response = first.startswith(b"HTTP/")
    if not (is_response or _REQUEST_LINE.match(first)):
        block.unread(first)  # not HTTP after all: the whole block is the payload
        return None, ()
    # A headers-only block (a revisit) may end without the blank line: keep what is there.
    headers, _status = _read_headers(block, _MAX_HEADER_BYTES)
    status = None
    if is_response:
        parts = first.split(None, 2)
        if len(parts) >= 2 and parts[1].isdigit():
            status = int(parts[1])
    return status, headers


class _BlockReader:
    """Reads a record's block from the stream, exactly its length, digesting as it goes."""

    def __init__(self, stream: _Stream, head: _Head, check_digests: bool) -> None:
        self.stream = stream
        self.length = head.length
        self.remaining = head.length
        self._payload_start = 0
        self._block_check = _DigestCheck.create(header_value(head.headers, "WARC-Block-Digest")) \
            if check_digests else None
        # A revisit's payload digest names the original's payload, so it cannot be checked here;
        # nor can one segment's.
        checkable = check_digests and head.rec_type != "revisit" \
            and header_value(head.headers, "WARC-Segment-Number") is None
        self._payload_expected = header_value(head.headers, "WARC-Payload-Digest") if checkable else None
        self._payload_check: Optional[_DigestCheck] = None

    def _take(self, data: bytes, wanted: int) -> bytes:
        if not data and wanted:
            raise _ShortBlock(self.length - self.remaining)
        self.remaining -= len(data)
        for check in (self._block_check, self._payload_check):
            if check:
                check.update(data)
        return data

    def read(self, size: int) -> bytes:
        size = min(size, self.remaining)
        return self._take(self.stream.read(size), size)

    def readline(self, limit: int) -> bytes:
        limit = min(limit, self.remaining)
        return self._take(self.stream.readline(limit), limit)

    def unread(self, data: bytes) -> None:
        """Push back the first line of the block (before the payload starts)."""
        self.stream.unread(data)
        self.remaining += len(data)
        if self._block_check:
            self._block_check = _DigestCheck.create(self._block_check.expected)

    def begin_payload(self) -> None:
        self._payload_start = self.length - self.remaining
        self._payload_check = _DigestCheck.create(self._payload_expected)

    @property
    def payload_length(self) -> int:
        return self.length - self._payload_start

    def digest_problems(self, dechunked: Optional[bytes]) -> tuple[str, ...]:
        problems = []
        if self._block_check and not self._block_check.matches():
            problems.append(self._block_check.problem("block"))
        if self._payload_check and not self._payload_check.matches():
            # Some crawlers digest the de-chunked body: accept that when we hold it whole.
            alt = _DigestCheck.create(self._payload_check.expected)
            if alt is not None and dechunked is not None:
                alt.update(dechunked)
                if alt.matches():
                    return tuple(problems)
            problems.append(self._payload_check.problem("payload"))
        return tuple(problems)


class _DigestCheck:
    """Compares a WARC digest header ("sha1:BASE32", also sha256/sha512/md5, base32/hex/base64)."""

    def __init__(self, expected: str, algorithm: str, value: str) -> None:
        self.expected = expected
        self.algorithm = algorithm
        self.value = value
        try:
            self._hasher: Optional[hashlib._Hash] = hashlib.new(algorithm)
        except ValueError:
            self._hasher = None

    @classmethod
    def create(cls, expected: Optional[str]) -> Optional[_DigestCheck]:
        if not expected:
            return None
        algorithm, _sep, value = expected.strip().partition(":")
        return cls(expected, algorithm.lower().replace("-", ""), value.strip())

    def update(self, data: bytes) -> None:
        if self._hasher:
            self._hasher.update(data)

    def matches(self) -> bool:
        if not self._hasher:
            return False
        raw = self._hasher.digest()
        b32 = base64.b32encode(raw).decode().rstrip("=")
        b64 = base64.b64encode(raw).decode().rstrip("=")
        value = self.value.rstrip("=")
        return value.upper() == b32 or value.lower() == raw.hex() or value in (b64, b64.replace("+", "-").replace("/", "_"))

    def computed(self) -> str:
        assert self._hasher is not None
        return f"{self.algorithm}:{base64.b32encode(self._hasher.digest()).decode()}"

    def problem(self, which: str) -> str:
        if not self._hasher:
            return f"{which} digest {self.expected!r} uses an unknown algorithm"
        return f"{which} digest mismatch: header says {self.expected}, content is {self.computed()}"


_HEX_SIZE = re.compile(rb"^[0-9A-Fa-f]+$")


def _dechunk(data: bytes, complete: bool) -> Optional[bytes]:
    """The body without HTTP chunked framing, or None if `data` is not chunked after all.

    A body cut short (by us or by the crawler) gives the chunks found up to the cut.
    """
    out: list[bytes] = []
    pos = 0
    while True:
        eol = data.find(b"\n", pos)
        if eol < 0:
            break
        size_field = data[pos:eol].split(b";", 1)[0].strip()
        if not _HEX_SIZE.match(size_field):
            return None
        size = int(size_field, 16)
        if size == 0:
            return b"".join(out)
        start = eol + 1
        out.append(data[start:start + size])
        if start + size >= len(data):
            break
        pos = start + size
        pos += 2 if data[pos:pos + 2] == b"\r\n" else 1 if data[pos:pos + 1] == b"\n" else 0
    if complete and not out:
        return None
    return b"".join(out)


def _make_entry(path: str, head: _Head, body: _Body, offset: int, length: int, seekable: bool) -> WarcEntry:
    def get(name: str) -> Optional[str]:
        return header_value(head.headers, name) if head.format == "warc" else None

    content_type = header_value(body.http_headers, "Content-Type") if body.http_headers \
        else header_value(head.headers, "Content-Type")
    if head.format == "arc" and not body.http_headers:
        content_type = header_value(head.headers, "Content-type")
    return WarcEntry(
        path=path, offset=offset, length=length, rec_type=head.rec_type, url=head.url, date=head.date,
        record_id=get("WARC-Record-ID"), headers=head.headers, http_status=body.http_status,
        http_headers=body.http_headers, payload=body.payload,
        payload_digest=get("WARC-Payload-Digest"), block_digest=get("WARC-Block-Digest"),
        concurrent_to=get("WARC-Concurrent-To"), refers_to=get("WARC-Refers-To"),
        refers_to_target_uri=get("WARC-Refers-To-Target-URI"), refers_to_date=get("WARC-Refers-To-Date"),
        truncated=get("WARC-Truncated"), content_type=content_type, format=head.format,
        version=head.version, block_length=head.length, payload_length=body.payload_length,
        payload_cut=body.payload_cut, seekable=seekable, digest_problems=body.digest_problems,
    )
