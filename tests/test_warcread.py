"""warcread: real WARC/ARC files written with warcio (and by hand, for foreign styles and damage).

The builders at the top are also used by test_verify.py and test_cdxj.py.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import tracemalloc
import uuid
import zlib
from pathlib import Path
from typing import Optional

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchiver.errors import WarcFormatError
from newsarchiver.warcread import WarcEntry, iter_entries, read_entry_at

PAGES = {
    "https://news.example/politics/accord": b"<html><body><h1>Accord signed</h1>" + b"<p>text</p>" * 200 + b"</body></html>",
    "https://news.example/world/andijon": b"<html><body><h1>Aftermath</h1>" + "<p>Андижан</p>".encode() * 100 + b"</body></html>",
    "https://news.example/": b"<html><body>front page</body></html>",
}


# --- builders -------------------------------------------------------------------------------------

def write_warc(path: Path, *, gzip_records: bool = True, version: str = "1.1", revisit: bool = False,
               pages: Optional[dict[str, bytes]] = None) -> Path:
    """A WARC as our crawler writes it: warcinfo, then response + request pairs (+ a revisit)."""
    pages = PAGES if pages is None else pages
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gzip_records, warc_version=version)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "newsarchiver-test/0"}))
        for url, body in pages.items():
            write_pair(writer, url, body)
        if revisit:
            url, body = next(iter(pages.items()))
            first = next(e for e in iter_entries(path) if e.rec_type == "response" and e.url == url)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            record = writer.create_revisit_record(url, first.payload_digest, url, first.date, http_headers=headers)
            request = writer.create_warc_record(url, "request", http_headers=_request_headers(url))
            writer.write_request_response_pair(request, record)
    return path


def write_pair(writer: WARCWriter, url: str, body: bytes, extra_headers: tuple[tuple[str, str], ...] = ()) -> None:
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                          ("Content-Length", str(len(body))), *extra_headers], protocol="HTTP/1.1")
    response = writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                         http_headers=headers)
    request = writer.create_warc_record(url, "request", http_headers=_request_headers(url))
    writer.write_request_response_pair(request, response)


def _request_headers(url: str) -> StatusAndHeaders:
    path = "/" + url.split("/", 3)[3]
    return StatusAndHeaders(f"GET {path} HTTP/1.1", [("Host", url.split("/")[2])], is_http_request=True)


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def raw_record(rec_type: str, block: bytes, *, url: Optional[str] = None, version: str = "WARC/1.1",
               extra: tuple[tuple[str, str], ...] = (), record_id: Optional[str] = None,
               payload_offset: Optional[int] = None, digests: bool = True,
               content_length: Optional[int] = None) -> bytes:
    """One WARC record built by hand (for foreign styles and deliberate mistakes)."""
    headers = [("WARC-Type", rec_type), ("WARC-Record-ID", record_id or f"<urn:uuid:{uuid.uuid4()}>"),
               ("WARC-Date", "2024-05-01T10:00:00Z")]
    if url:
        headers.append(("WARC-Target-URI", url))
    if digests:
        headers.append(("WARC-Block-Digest", sha1_b32(block)))
        if payload_offset is not None:
            headers.append(("WARC-Payload-Digest", sha1_b32(block[payload_offset:])))
    headers += extra
    headers.append(("Content-Length", str(len(block) if content_length is None else content_length)))
    head = version + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode() + block + b"\r\n\r\n"


def http_block(body: bytes, *, status: str = "200 OK", headers: tuple[tuple[str, str], ...] = ()) -> tuple[bytes, int]:
    """An HTTP response block and the offset of its payload."""
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in
                                             (("Content-Type", "text/html"), *headers)) + "\r\n"
    return head.encode() + body, len(head)


def warcinfo_record(version: str = "WARC/1.1") -> bytes:
    return raw_record("warcinfo", b"software: handmade\r\n", version=version,
                      extra=(("Content-Type", "application/warc-fields"),))


def write_records(path: Path, records: list[bytes], *, gzip_records: bool = True) -> Path:
    path.write_bytes(b"".join(gzip.compress(r) for r in records) if gzip_records else b"".join(records))
    return path


def write_arc(path: Path, *, gzip_records: bool = False) -> Path:
    """An ARC v1 file (what the Internet Archive wrote before WARC): filedesc, then responses."""
    desc_body = b"1 0 InternetArchive\nURL IP-address Archive-date Content-type Archive-length\n"
    records = [f"filedesc://{path.name} 0.0.0.0 20040101120000 text/plain {len(desc_body)}\n".encode() + desc_body + b"\n"]
    for url, body in PAGES.items():
        block = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
        records.append(f"{url} 192.0.2.1 20040101120500 text/html {len(block)}\n".encode() + block + b"\n")
    return write_records(path, records, gzip_records=gzip_records)


def warcio_offsets(path: Path) -> list[tuple[int, int]]:
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        return [(it.get_record_offset(), it.get_record_length()) for _record in it]


def read_until_error(path: Path, **kwargs: object) -> tuple[list[WarcEntry], Optional[WarcFormatError]]:
    entries: list[WarcEntry] = []
    try:
        for entry in iter_entries(path, **kwargs):  # type: ignore[arg-type]
            entries.append(entry)
    except WarcFormatError as exc:
        return entries, exc
    return entries, None


# --- good files -----------------------------------------------------------------------------------

def test_reads_a_per_record_gzip_warc_like_ours(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "job-1.warc.gz")
    entries = list(iter_entries(path))
    assert [e.rec_type for e in entries] == ["warcinfo"] + ["response", "request"] * 3
    assert [(e.offset, e.length) for e in entries] == warcio_offsets(path)
    responses = [e for e in entries if e.rec_type == "response"]
    assert {e.url: e.payload for e in responses} == PAGES
    first = responses[0]
    assert first.url is not None and first.http_status == 200
    assert first.content_type == "text/html; charset=utf-8"
    assert ("Content-Length", str(len(PAGES[first.url]))) in first.http_headers
    assert first.payload_digest == sha1_b32(PAGES[first.url])
    assert first.version == "WARC/1.1" and first.seekable and not first.payload_cut
    requests = [e for e in entries if e.rec_type == "request"]
    assert [r.concurrent_to for r in requests] == [r.record_id for r in responses]
    assert requests[0].http_status is None and ("Host", "news.example") in requests[0].http_headers
    assert len({e.record_id for e in entries}) == len(entries)


@pytest.mark.parametrize("gzip_records", [True, False])
def test_read_entry_at_reads_each_record_alone(tmp_path: Path, gzip_records: bool) -> None:
    path = write_warc(tmp_path / "a.warc", gzip_records=gzip_records, revisit=True)
    for entry in iter_entries(path):
        assert read_entry_at(path, entry.offset) == entry


def test_warc_1_0_uncompressed(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "old.warc", gzip_records=False, version="1.0")
    entries = list(iter_entries(path))
    assert {e.version for e in entries} == {"WARC/1.0"}
    assert [(e.offset, e.length) for e in entries] == warcio_offsets(path)
    assert {e.url: e.payload for e in entries if e.rec_type == "response"} == PAGES


def test_whole_file_gzip_is_read_but_not_seekable(tmp_path: Path) -> None:
    plain = write_warc(tmp_path / "plain.warc", gzip_records=False)
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes()))
    plain_entries = list(iter_entries(plain))
    whole_entries = list(iter_entries(whole))
    assert not any(e.seekable for e in whole_entries)
    # Offsets count decompressed bytes, so they are the uncompressed file's offsets.
    assert [(e.offset, e.length, e.record_id, e.payload) for e in whole_entries] == \
        [(e.offset, e.length, e.record_id, e.payload) for e in plain_entries]


@pytest.mark.parametrize("gzip_records", [False, True])
def test_arc_file(tmp_path: Path, gzip_records: bool) -> None:
    path = write_arc(tmp_path / "IA-0001.arc", gzip_records=gzip_records)
    entries = list(iter_entries(path))
    assert [e.rec_type for e in entries] == ["warcinfo", "response", "response", "response"]
    assert entries[1].format == "arc" and entries[1].version == "ARC/1"
    assert entries[1].date == "2004-01-01T12:05:00Z"
    assert {e.url: e.payload for e in entries[1:]} == PAGES
    assert all(e.http_status == 200 and e.content_type == "text/html" for e in entries[1:])
    assert [(e.offset, e.length) for e in entries] == warcio_offsets(path)
    assert read_entry_at(path, entries[2].offset) == entries[2]


def test_revisit_record_fields(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "r.warc.gz", revisit=True)
    entries = list(iter_entries(path))
    original = next(e for e in entries if e.rec_type == "response")
    revisit = next(e for e in entries if e.rec_type == "revisit")
    assert revisit.refers_to_target_uri == original.url
    assert revisit.refers_to_date == original.date
    assert revisit.payload_digest == original.payload_digest
    assert revisit.http_status == 200 and revisit.payload == b""
    assert revisit.content_type == "text/html"


def test_chunked_body_is_dechunked_but_digests_check_as_stored(tmp_path: Path) -> None:
    body = b"<html>" + b"x" * 300 + b"</html>"
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 100]), body[i:i + 100]) for i in range(0, len(body), 100)) + b"0\r\n\r\n"
    block, payload_at = http_block(chunked, headers=(("Transfer-Encoding", "chunked"),))
    path = write_records(tmp_path / "c.warc.gz", [warcinfo_record(), raw_record(
        "response", block, url="https://news.example/c", payload_offset=payload_at)])
    entry = list(iter_entries(path, check_digests=True))[1]
    assert entry.payload == body
    assert entry.payload_length == len(chunked)
    assert entry.digest_problems == ()


def test_types_filter(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "t.warc.gz", revisit=True)
    assert [e.rec_type for e in iter_entries(path, types={"response", "revisit"})] == ["response"] * 3 + ["revisit"]


def test_check_digests_reports_a_changed_payload(tmp_path: Path) -> None:
    block, payload_at = http_block(b"original text")
    record = raw_record("response", block, url="https://news.example/a", payload_offset=payload_at)
    path = write_records(tmp_path / "d.warc", [warcinfo_record(), record.replace(b"original", b"modified")],
                         gzip_records=False)
    entry = list(iter_entries(path, check_digests=True))[1]
    assert len(entry.digest_problems) == 2
    assert entry.digest_problems[0].startswith("block digest mismatch: header says sha1:")
    assert entry.digest_problems[1].startswith("payload digest mismatch")
    assert list(iter_entries(path))[1].digest_problems == ()  # only checked when asked


# --- bounded memory -------------------------------------------------------------------------------

def test_large_payload_is_cut_and_the_file_read_on(tmp_path: Path) -> None:
    big = b"<p>" + b"y" * (3 * 1024 * 1024) + b"</p>"
    path = write_warc(tmp_path / "big.warc.gz", pages={"https://news.example/big": big, **PAGES})
    entries = list(iter_entries(path, max_payload_bytes=1024 * 1024))
    big_entry = entries[1]
    assert big_entry.payload_cut and big_entry.payload == big[:1024 * 1024]
    assert big_entry.payload_length == len(big)
    assert [e.url for e in entries if e.rec_type == "response"] == ["https://news.example/big", *PAGES]
    assert not any(e.payload_cut for e in entries[2:])


def _bomb_record(claimed: int, actual: int) -> bytes:
    """One gzip member: a WARC header claiming `claimed` bytes, followed by `actual` zero bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    header = (f"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
              f"WARC-Date: 2024-05-01T10:00:00Z\r\nWARC-Target-URI: https://news.example/bomb\r\n"
              f"Content-Type: application/octet-stream\r\nContent-Length: {claimed}\r\n\r\n").encode()
    parts = [compressor.compress(header)]
    zeros = bytes(1024 * 1024)
    for _ in range(actual // len(zeros)):
        parts.append(compressor.compress(zeros))
    if claimed == actual:
        parts.append(compressor.compress(b"\r\n\r\n"))
    parts.append(compressor.flush())
    return b"".join(parts)


def test_gzip_bomb_record_costs_time_not_memory(tmp_path: Path) -> None:
    size = 256 * 1024 * 1024
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(gzip.compress(warcinfo_record()) + _bomb_record(size, size) + gzip.compress(warcinfo_record()))
    assert path.stat().st_size < 2 * 1024 * 1024
    tracemalloc.start()
    try:
        entries = list(iter_entries(path, max_payload_bytes=1024 * 1024))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024
    assert entries[1].payload_cut and entries[1].payload_length == size
    assert len(entries) == 3


def test_gzip_member_with_more_data_than_content_length_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "lying.warc.gz"
    first = gzip.compress(warcinfo_record())
    path.write_bytes(first + _bomb_record(100, 64 * 1024 * 1024))
    entries, error = read_until_error(path)
    assert len(entries) == 1 and error is not None
    assert "not followed by CRLF CRLF" in error.reason
    assert error.offset == len(first)


# --- damage ---------------------------------------------------------------------------------------

def _cut_points(path: Path) -> list[tuple[int, int, int]]:
    """(cut position, index of the damaged record, its offset) for cuts inside each record."""
    points = []
    for index, (offset, length) in enumerate(warcio_offsets(path)):
        for cut in (offset + 1, offset + length // 2, offset + length - 1):
            points.append((cut, index, offset))
    return points


def test_truncated_gzip_member_anywhere(tmp_path: Path) -> None:
    good = write_warc(tmp_path / "good.warc.gz")
    data = good.read_bytes()
    for cut, index, offset in _cut_points(good):
        torn = tmp_path / "torn.warc.gz"
        torn.write_bytes(data[:cut])
        entries, error = read_until_error(torn)
        assert error is not None, cut
        assert len(entries) == index, cut
        assert error.offset == offset, cut
        assert "truncated" in error.reason, (cut, error.reason)


def test_cut_exactly_between_members_is_a_shorter_valid_file(tmp_path: Path) -> None:
    good = write_warc(tmp_path / "good.warc.gz")
    offset, _length = warcio_offsets(good)[3]
    shorter = tmp_path / "shorter.warc.gz"
    shorter.write_bytes(good.read_bytes()[:offset])
    assert len(list(iter_entries(shorter))) == 3


def test_truncated_uncompressed_record_anywhere(tmp_path: Path) -> None:
    good = write_warc(tmp_path / "good.warc", gzip_records=False)
    data = good.read_bytes()
    for cut, index, offset in _cut_points(good) + [(len(data) - 2, 6, warcio_offsets(good)[6][0])]:
        torn = tmp_path / "torn.warc"
        torn.write_bytes(data[:cut])
        entries, error = read_until_error(torn)
        assert error is not None and len(entries) == index and error.offset == offset, cut
        assert "truncated" in error.reason, (cut, error.reason)


def test_truncated_mid_payload_says_how_much_is_there(tmp_path: Path) -> None:
    good = write_warc(tmp_path / "good.warc", gzip_records=False)
    offset, length = warcio_offsets(good)[1]
    torn = tmp_path / "torn.warc"
    torn.write_bytes(good.read_bytes()[:offset + length - 100])
    _entries, error = read_until_error(torn)
    assert error is not None and error.offset == offset
    assert "truncated record: the file ends after" in error.reason and "Content-Length" in error.reason


def test_wrong_content_length_in_uncompressed_file(tmp_path: Path) -> None:
    block, payload_at = http_block(b"some body text")
    bad = raw_record("response", block, url="https://news.example/x", content_length=len(block) - 5)
    first = warcinfo_record()
    path = write_records(tmp_path / "cl.warc", [first, bad, warcinfo_record()], gzip_records=False)
    entries, error = read_until_error(path)
    assert len(entries) == 1 and error is not None
    assert error.offset == len(first) and "not followed by CRLF CRLF" in error.reason


@pytest.mark.parametrize("content", [b"", b"hello, this is not a WARC\n", bytes(range(256)) * 10,
                                     gzip.compress(b"<html>a gzip file, not a WARC</html>")])
def test_not_a_warc(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.warc.gz"
    path.write_bytes(content)
    with pytest.raises(WarcFormatError) as info:
        list(iter_entries(path))
    assert info.value.offset == 0
    assert ("empty file" if not content else "not a WARC or ARC file") in info.value.reason


@pytest.mark.parametrize("gzip_records", [True, False])
def test_garbage_after_the_last_record(tmp_path: Path, gzip_records: bool) -> None:
    good = write_warc(tmp_path / "g.warc", gzip_records=gzip_records)
    size = good.stat().st_size
    with open(good, "ab") as fh:
        fh.write(b"\x00garbage after the records\n")
    entries, error = read_until_error(good)
    assert len(entries) == 7 and error is not None and error.offset == size


def test_corrupt_gzip_member(tmp_path: Path) -> None:
    good = write_warc(tmp_path / "good.warc.gz")
    offset, length = warcio_offsets(good)[3]
    data = bytearray(good.read_bytes())
    for i in range(offset + 20, offset + length - 20, 7):
        data[i] ^= 0x55
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(bytes(data))
    entries, error = read_until_error(bad)
    assert len(entries) == 3 and error is not None and error.offset == offset
    assert "corrupt gzip member" in error.reason or "truncated" in error.reason


def test_read_entry_at_a_bad_offset(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "a.warc.gz")
    with pytest.raises(WarcFormatError, match="no gzip member starts here"):
        read_entry_at(path, 5)
    with pytest.raises(WarcFormatError, match="no record here"):
        read_entry_at(path, path.stat().st_size)


def test_missing_file_is_a_warc_format_error(tmp_path: Path) -> None:
    with pytest.raises(WarcFormatError, match="cannot open"):
        list(iter_entries(tmp_path / "nope.warc.gz"))


def test_a_directory_is_a_warc_format_error(tmp_path: Path) -> None:
    with pytest.raises(WarcFormatError, match="cannot open: Is a directory"):
        list(iter_entries(tmp_path))


def test_member_starting_two_bytes_before_a_read_boundary(tmp_path: Path) -> None:
    """Regression: a gzip member starting at 64 KiB - 2 was taken for a truncated one."""
    import random

    from newsarchiver.archive import gzip_member, serialize_record
    from newsarchiver.warcread import _READ_SIZE, iter_entries

    rng = random.Random(7)
    noise = bytes(rng.getrandbits(8) for _ in range(_READ_SIZE))

    def member(payload: bytes, kind: str = "resource", pad: int = 0) -> bytes:
        headers = [("WARC-Type", kind), ("WARC-Record-ID", "<urn:uuid:00000000-0000-0000-0000-000000000001>"),
                   ("WARC-Date", "2024-05-01T00:00:00Z"), ("WARC-Target-URI", "http://example.org/"),
                   ("Content-Type", "application/octet-stream"), ("X-Pad", "p" * pad)]
        return gzip_member(serialize_record(headers, payload), 6)

    target = _READ_SIZE - 2
    first = b""
    for size in range(target - 400, target):
        base = member(noise[:size], "warcinfo")
        if len(base) > target - 20:
            # Stored deflate blocks grow by whole bytes; a header of repeated letters tunes the last few.
            for pad in range(0, 400):
                first = member(noise[:size], "warcinfo", pad)
                if len(first) >= target:
                    break
            if len(first) == target:
                break
    assert len(first) == target, "could not build a member of the exact size"
    path = tmp_path / "boundary.warc.gz"
    path.write_bytes(first + member(b"second record"))
    entries = list(iter_entries(path))
    assert [e.offset for e in entries] == [0, target]
