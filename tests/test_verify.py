"""verify_warc and `newsarchiver verify`: good files pass (as they do `warcio check`), damage is named."""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import http.server
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from newsarchiver.errors import ExitCode
from newsarchiver.verify import verify_warc
from test_warcread import (PAGES, http_block, raw_record, warcinfo_record, warcio_offsets, write_arc,
                           write_records, write_warc)


def warcio_check(path: Path) -> int:
    """Exit code of `warcio check` (warcio has no __main__, but its cli module runs as one)."""
    return subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(path)],
                          capture_output=True, text=True, timeout=60).returncode


def cli_verify(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsarchiver", "verify", *args],
                          capture_output=True, text=True, timeout=120)


def pair(url: str, body: bytes = b"<html>page</html>", *, version: str = "WARC/1.1",
         link_on_response: bool = False) -> list[bytes]:
    """A response and its request, linked the way warcio/Heritrix do it, or the way wget does."""
    block, payload_at = http_block(body)
    response_id, request_id = f"<urn:uuid:r-{url}>", f"<urn:uuid:q-{url}>"
    request_block = f"GET /{url.rsplit('/', 1)[1]} HTTP/1.1\r\nHost: news.example\r\n\r\n".encode()
    response = raw_record("response", block, url=url, version=version, record_id=response_id,
                          payload_offset=payload_at,
                          extra=(("WARC-Concurrent-To", request_id),) if link_on_response else ())
    request = raw_record("request", request_block, url=url, version=version, record_id=request_id,
                         payload_offset=len(request_block),
                         extra=() if link_on_response else (("WARC-Concurrent-To", response_id),))
    return [request, response] if link_on_response else [response, request]


# --- good files -----------------------------------------------------------------------------------

@pytest.mark.parametrize("gzip_records,version", [(True, "1.1"), (False, "1.0"), (True, "1.0")])
def test_good_warcs_pass_and_warcio_agrees(tmp_path: Path, gzip_records: bool, version: str) -> None:
    path = write_warc(tmp_path / "good.warc.gz", gzip_records=gzip_records, version=version, revisit=True)
    report = verify_warc(path)
    assert report.ok, report.problems
    assert report.records == 1 + 2 * len(PAGES) + 2
    assert report.warnings == []
    assert warcio_check(path) == 0


def test_wget_style_links_and_sha256_digests_pass(tmp_path: Path) -> None:
    # wget writes the request first and puts WARC-Concurrent-To on the response.
    records = [warcinfo_record("WARC/1.0"), *pair("https://news.example/a", version="WARC/1.0", link_on_response=True)]
    block, payload_at = http_block(b"sha256 body")
    sha256 = lambda data: "sha256:" + base64.b32encode(hashlib.sha256(data).digest()).decode()  # noqa: E731
    response = raw_record("response", block, url="https://news.example/b", digests=False, record_id="<urn:uuid:b>",
                          extra=(("WARC-Block-Digest", sha256(block)), ("WARC-Payload-Digest", sha256(block[payload_at:]))))
    request = raw_record("request", b"GET /b HTTP/1.1\r\n\r\n", url="https://news.example/b",
                         extra=(("WARC-Concurrent-To", "<urn:uuid:b>"),))
    path = write_records(tmp_path / "wget.warc.gz", records + [response, request])
    report = verify_warc(path)
    assert report.ok, report.problems
    assert warcio_check(path) == 0


def test_heritrix_style_warc_1_0_revisit_needs_no_refers_to(tmp_path: Path) -> None:
    block, _ = http_block(b"")
    revisit = raw_record("revisit", block, url="https://news.example/a", version="WARC/1.0",
                         extra=(("WARC-Profile", "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"),
                                ("WARC-Payload-Digest", "sha1:AAAA")))
    path = write_records(tmp_path / "h.warc.gz", [warcinfo_record("WARC/1.0"), revisit])
    assert verify_warc(path).ok


def test_arc_file_passes(tmp_path: Path) -> None:
    assert verify_warc(write_arc(tmp_path / "old.arc.gz", gzip_records=True)).ok


def test_record_cut_by_the_crawler_is_a_warning(tmp_path: Path) -> None:
    block, payload_at = http_block(b"first megabyte only")
    response = raw_record("response", block, url="https://news.example/big", record_id="<urn:uuid:big>",
                          payload_offset=payload_at, extra=(("WARC-Truncated", "length"),))
    request = raw_record("request", b"GET /big HTTP/1.1\r\n\r\n", url="https://news.example/big",
                         extra=(("WARC-Concurrent-To", "<urn:uuid:big>"),))
    info = warcinfo_record()
    report = verify_warc(write_records(tmp_path / "t.warc.gz", [info, response, request]))
    assert report.ok
    assert report.warnings == [f"offset {len(gzip.compress(info))}: response https://news.example/big: "
                               "cut by the crawler (WARC-Truncated: length)"]


# --- problems -------------------------------------------------------------------------------------

def _only_problem(path: Path) -> str:
    report = verify_warc(path)
    assert not report.ok
    assert len(report.problems) == 1, report.problems
    return report.problems[0]


def test_bad_digest(tmp_path: Path) -> None:
    records = [warcinfo_record(), *pair("https://news.example/a", b"<html>original</html>")]
    records[1] = records[1].replace(b"original", b"modified")
    path = write_records(tmp_path / "d.warc.gz", records)
    report = verify_warc(path)
    assert [p.split(": ", 2)[2].split(":")[0] for p in report.problems] == \
        ["block digest mismatch", "payload digest mismatch"]
    assert report.problems[0].startswith("offset ") and "response https://news.example/a" in report.problems[0]
    assert warcio_check(path) == 1


def test_response_without_request(tmp_path: Path) -> None:
    block, payload_at = http_block(b"alone")
    path = write_records(tmp_path / "r.warc.gz", [warcinfo_record(), raw_record(
        "response", block, url="https://news.example/alone", payload_offset=payload_at)])
    assert _only_problem(path).endswith("response https://news.example/alone: no request record linked by WARC-Concurrent-To")


def test_request_without_response_is_a_warning(tmp_path: Path) -> None:
    # A failed attempt, faithfully recorded (wget writes the request before it reads the reply).
    path = write_records(tmp_path / "q.warc.gz", [warcinfo_record(), raw_record(
        "request", b"GET /x HTTP/1.1\r\n\r\n", url="https://news.example/x")])
    report = verify_warc(path)
    assert report.ok, report.problems
    assert len(report.warnings) == 1
    assert "request https://news.example/x: no response record linked by WARC-Concurrent-To" in report.warnings[0]


def test_missing_warcinfo(tmp_path: Path) -> None:
    path = write_records(tmp_path / "w.warc.gz", pair("https://news.example/a"))
    assert "first record is not a warcinfo record" in _only_problem(path)


def test_duplicate_record_id(tmp_path: Path) -> None:
    first = warcinfo_record()
    path = write_records(tmp_path / "dup.warc.gz", [first, first])
    assert "duplicate WARC-Record-ID" in _only_problem(path)


def test_warc_1_1_revisit_without_refers_to(tmp_path: Path) -> None:
    block, _ = http_block(b"")
    revisit = raw_record("revisit", block, url="https://news.example/a",
                         extra=(("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"),))
    path = write_records(tmp_path / "rv.warc.gz", [warcinfo_record(), revisit])
    assert _only_problem(path).endswith(
        "revisit without WARC-Refers-To-Target-URI, WARC-Refers-To-Date, WARC-Payload-Digest")


def test_missing_mandatory_fields(tmp_path: Path) -> None:
    record = warcinfo_record().replace(b"WARC-Date: 2024-05-01T10:00:00Z\r\n", b"")
    assert "missing mandatory WARC-Date" in _only_problem(write_records(tmp_path / "m.warc.gz", [record]))


@pytest.mark.parametrize("gzip_records", [True, False])
def test_truncated_file(tmp_path: Path, gzip_records: bool) -> None:
    path = write_warc(tmp_path / "t.warc", gzip_records=gzip_records)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) - 300])
    report = verify_warc(path)
    assert not report.ok and report.records == 6
    assert "truncated" in report.problems[0] and report.problems[0].startswith("offset ")
    # The last response lost its request with the torn tail, and says so.
    assert len(report.problems) == 2 and "no request record" in report.problems[1]


def test_whole_file_gzip_is_a_problem_as_for_warcio(tmp_path: Path) -> None:
    plain = write_warc(tmp_path / "p.warc", gzip_records=False)
    whole = tmp_path / "w.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes()))
    assert _only_problem(whole).startswith("whole-file gzip")
    assert warcio_check(whole) == 1


def test_open_file_is_unclosed(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "job-20240501-00001.warc.gz.open")
    assert _only_problem(path).startswith("unclosed: the name ends in .open")


@pytest.mark.parametrize("content,reason", [(b"", "offset 0: empty file"),
                                            (b"<html>not a warc</html>\n", "offset 0: not a WARC or ARC file")])
def test_not_a_warc(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "x.warc.gz"
    path.write_bytes(content)
    report = verify_warc(path)
    assert report.records == 0 and report.problems[0].startswith(reason)


# --- the command line -----------------------------------------------------------------------------

def test_cli_good_files(tmp_path: Path) -> None:
    a = write_warc(tmp_path / "a.warc.gz")
    b = write_warc(tmp_path / "b.warc", gzip_records=False)
    result = cli_verify(str(a), str(b))
    assert result.returncode == ExitCode.OK, result.stderr
    assert result.stdout.splitlines() == [f"OK {a} (7 records)", f"OK {b} (7 records)"]
    assert result.stderr == ""


def test_cli_archive_dir_reports_each_bad_file_in_one_line_per_problem(tmp_path: Path) -> None:
    archive = tmp_path / "warcs"
    archive.mkdir()
    good = write_warc(archive / "job-1.warc.gz")
    open_file = write_warc(archive / "job-2.warc.gz.open")
    torn = write_warc(archive / "job-3.warc.gz")
    second_record = warcio_offsets(torn)[1][0]
    torn.write_bytes(torn.read_bytes()[:second_record + 100])
    (archive / "index.cdxj").write_text("not a warc\n")
    result = cli_verify("--archive", str(archive))
    assert result.returncode == ExitCode.WARC_FORMAT
    lines = result.stdout.splitlines()
    assert lines[0] == f"OK {good} (7 records)"
    assert lines[1].startswith(f"FAIL {open_file}: unclosed")
    assert lines[2] == f"FAIL {torn}: offset {second_record}: truncated gzip member: the file ends inside it"
    assert len(lines) == 3
    assert result.stderr == ""


def test_cli_missing_file_and_missing_archive(tmp_path: Path) -> None:
    result = cli_verify(str(tmp_path / "nope.warc.gz"))
    assert result.returncode == ExitCode.WARC_FORMAT
    assert result.stdout.strip() == f"FAIL {tmp_path / 'nope.warc.gz'}: offset 0: cannot open: No such file or directory"
    result = cli_verify("--archive", str(tmp_path / "missing"))
    assert result.returncode == ExitCode.USAGE
    assert result.stderr.count("\n") == 1 and "archive directory not found" in result.stderr


def test_cli_empty_archive_is_ok(tmp_path: Path) -> None:
    result = cli_verify("--archive", str(tmp_path))
    assert result.returncode == ExitCode.OK
    assert result.stderr.strip() == "no WARC files to verify"


def _wget_warc(tmp_path: Path, server: http.server.ThreadingHTTPServer) -> Path:
    """Serve `server` while `wget --recursive --warc-file` crawls it; the WARC wget wrote."""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        subprocess.run(["wget", "-q", "-r", "-l", "2", "--tries", "3", "--delete-after", "--no-warc-keep-log",
                        "--warc-file", str(tmp_path / "wget"), f"http://127.0.0.1:{server.server_port}/"],
                       cwd=tmp_path, timeout=60, check=False)
    finally:
        server.shutdown()
        server.server_close()
    return tmp_path / "wget.warc.gz"


@pytest.mark.skipif(shutil.which("wget") is None, reason="wget not installed")
def test_a_real_wget_warc_passes(tmp_path: Path) -> None:
    """A foreign file written by wget (request first, link on the response, metadata records)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text('<html><a href="article.html">article</a></html>')
    (site / "article.html").write_text("<html><p>Accord signed</p></html>")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    path = _wget_warc(tmp_path, http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler))
    report = verify_warc(path)
    assert report.ok, report.problems
    assert report.records >= 7  # warcinfo, 3 request/response pairs (incl. robots.txt), metadata
    assert warcio_check(path) == 0


class _DropsSecondRequestHandler(http.server.BaseHTTPRequestHandler):
    """Answers the first request on a connection with keep-alive, then closes on the second unanswered.

    That is a kept-alive connection the server dropped, as busy servers do: wget has already
    written the second request to its WARC, gets no reply, and retries on a new connection.
    """

    protocol_version = "HTTP/1.1"
    pages = {"/": b'<html><a href="article.html">article</a></html>', "/article.html": b"<p>Accord signed</p>"}

    def do_GET(self) -> None:
        answered = getattr(self, "answered", 0)
        if answered:
            self.close_connection = True  # drop it without a word
            return
        self.answered = answered + 1
        body = self.pages.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.skipif(shutil.which("wget") is None, reason="wget not installed")
def test_wget_retry_after_a_dropped_connection_leaves_a_warning(tmp_path: Path) -> None:
    path = _wget_warc(tmp_path, http.server.ThreadingHTTPServer(("127.0.0.1", 0), _DropsSecondRequestHandler))
    report = verify_warc(path)
    assert report.ok, report.problems
    assert any("request" in w and "/robots.txt: no response record" in w for w in report.warnings), report.warnings
    assert warcio_check(path) == 0
