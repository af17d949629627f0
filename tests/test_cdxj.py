"""update_cdxj: the pywb-style index beside the WARCs, built with cdxj-indexer, merged and atomic."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsarchiver.cdxj import INDEX_NAME, update_cdxj
from newsarchiver.errors import ArchiveError, WarcFormatError
from newsarchiver.warcread import read_entry_at
from test_warcread import PAGES, write_warc


def cdxj_indexer_cli(archive: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cdxj_indexer.main", "--dir-root", str(archive), "--sort",
                           *map(str, files)], capture_output=True, text=True, timeout=60)


def parse(line: str) -> tuple[str, str, dict[str, str]]:
    urlkey, timestamp, fields = line.split(" ", 2)
    return urlkey, timestamp, json.loads(fields)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    directory = tmp_path / "warcs"
    (directory / "job").mkdir(parents=True)
    return directory


def test_index_lines_in_pywb_form(archive: Path) -> None:
    a = write_warc(archive / "a.warc.gz", revisit=True)
    b = write_warc(archive / "job" / "b.warc", gzip_records=False)
    index = update_cdxj(archive, [a, b])
    assert index == archive.resolve() / INDEX_NAME
    lines = index.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    assert len(lines) == 2 * len(PAGES) + 1  # responses of both files and the revisit
    assert {parse(line)[2]["filename"] for line in lines} == {"a.warc.gz", "job/b.warc"}
    for line in lines:
        urlkey, timestamp, fields = parse(line)
        assert urlkey.startswith("example,news)/") and len(timestamp) == 14
        assert set(fields) == {"url", "mime", "status", "digest", "length", "offset", "filename"}
        entry = read_entry_at(archive / fields["filename"], int(fields["offset"]))
        assert (entry.url, entry.length, entry.payload_digest) == \
            (fields["url"], int(fields["length"]), fields["digest"])
        assert fields["mime"] == ("warc/revisit" if entry.rec_type == "revisit" else "text/html")


def test_same_lines_as_the_cdxj_indexer_command(archive: Path) -> None:
    files = [write_warc(archive / "a.warc.gz", revisit=True), write_warc(archive / "job" / "b.warc", gzip_records=False)]
    result = cdxj_indexer_cli(archive, *files)
    assert result.returncode == 0, result.stderr
    assert update_cdxj(archive, files).read_text(encoding="utf-8") == result.stdout


def test_idempotent_and_merging(archive: Path) -> None:
    a = write_warc(archive / "a.warc.gz")
    b = write_warc(archive / "b.warc.gz", pages={"https://other.example/z": b"<html>z</html>"})
    both = update_cdxj(archive, [a, b]).read_bytes()
    (archive / INDEX_NAME).unlink()
    update_cdxj(archive, [a])
    update_cdxj(archive, [b])
    assert (archive / INDEX_NAME).read_bytes() == both
    update_cdxj(archive, [a, b])
    update_cdxj(archive, [a])
    assert (archive / INDEX_NAME).read_bytes() == both
    assert [p.name for p in archive.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_lines_of_a_file_gone_from_the_archive_are_dropped(archive: Path) -> None:
    a = write_warc(archive / "a.warc.gz")
    b = write_warc(archive / "b.warc.gz", pages={"https://other.example/z": b"<html>z</html>"})
    update_cdxj(archive, [a, b])
    b.unlink()
    lines = update_cdxj(archive, [a]).read_text(encoding="utf-8").splitlines()
    assert {parse(line)[2]["filename"] for line in lines} == {"a.warc.gz"}


@pytest.mark.parametrize("damage", ["truncated", "whole-file gzip"])
def test_damaged_file_is_refused_and_the_index_kept(archive: Path, damage: str) -> None:
    good = write_warc(archive / "good.warc.gz")
    before = update_cdxj(archive, [good]).read_bytes()
    bad = write_warc(archive / "bad.warc.gz", gzip_records=damage == "truncated")
    if damage == "truncated":
        bad.write_bytes(bad.read_bytes()[:-50])
    else:
        bad.write_bytes(gzip.compress(bad.read_bytes()))
    with pytest.raises(WarcFormatError, match=damage):
        update_cdxj(archive, [good, bad])
    assert (archive / INDEX_NAME).read_bytes() == before


def test_open_and_outside_files_are_refused(archive: Path, tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="still open"):
        update_cdxj(archive, [write_warc(archive / "x.warc.gz.open")])
    with pytest.raises(ArchiveError, match="not inside the archive directory"):
        update_cdxj(archive, [write_warc(tmp_path / "elsewhere.warc.gz")])
    assert not (archive / INDEX_NAME).exists()


def test_concurrent_updates_lose_no_lines(archive: Path) -> None:
    """Crawl workers sharing a directory update the index at the same time: every file stays in it."""
    from concurrent.futures import ThreadPoolExecutor

    files = [write_warc(archive / "job" / f"w{i}.warc.gz") for i in range(12)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda path: update_cdxj(archive, [path], verified=True), files))
    named = {parse(line)[2]["filename"] for line in (archive / INDEX_NAME).read_text().splitlines()}
    assert named == {f"job/{path.name}" for path in files}
