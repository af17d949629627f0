"""Checks every test that writes a WARC runs on it: our verify, `warcio check`, `cdxj-indexer`.

The crawler writes index.cdxj lines itself, from the records it writes; where the archive has an
index, its lines for each file must be exactly cdxj-indexer's for that file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from newsarchiver.verify import verify_warc

BIN = Path(sys.executable).parent


def assert_valid_warcs(archive_dir: Path) -> list[Path]:
    files = sorted(archive_dir.glob("*.warc.gz"))
    assert files, f"no WARC files in {archive_dir}"
    assert not list(archive_dir.glob("*.open")), "a WARC file was left open"
    for path in files:
        report = verify_warc(path)
        assert report.ok, f"{path.name}: {report.problems}"
        check = subprocess.run([str(BIN / "warcio"), "check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        cdxj = subprocess.run([str(BIN / "cdxj-indexer"), str(path)], capture_output=True, text=True)
        assert cdxj.returncode == 0, cdxj.stderr
        if (archive_dir / "index.cdxj").exists():
            assert indexed_lines(archive_dir, path.name) == sorted(cdxj.stdout.splitlines()), path.name
        assert_pairs(path)
    return files


def indexed_lines(archive_dir: Path, filename: str) -> list[str]:
    """The lines of archive_dir/index.cdxj that point into `filename`."""
    lines = (archive_dir / "index.cdxj").read_text(encoding="utf-8").splitlines()
    return sorted(line for line in lines if json.loads(line.split(" ", 2)[2]).get("filename") == filename)


def assert_pairs(path: Path) -> None:
    """warcinfo first; every response/revisit has a request pointing at it."""
    responses, requests = set(), set()
    with open(path, "rb") as handle:
        for i, record in enumerate(ArchiveIterator(handle)):
            if i == 0:
                assert record.rec_type == "warcinfo"
            if record.rec_type in ("response", "revisit"):
                responses.add(record.rec_headers.get_header("WARC-Record-ID"))
            elif record.rec_type == "request":
                requests.add(record.rec_headers.get_header("WARC-Concurrent-To"))
    assert responses == requests


def records(archive_dir: Path, rec_type: str | None = None) -> list[tuple[str, dict[str, str], object]]:
    """(type, WARC headers, http headers) of every record in the archive's WARC files."""
    out = []
    for path in sorted(archive_dir.glob("*.warc.gz")):
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                if rec_type is None or record.rec_type == rec_type:
                    out.append((record.rec_type, dict(record.rec_headers.headers), record.http_headers))
    return out
