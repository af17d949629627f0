"""A WACZ (Web Archive Collection Zipped, spec 1.1.1) of selected articles' captures, which
ReplayWeb.page and pywb open.

    archive/data.warc.gz      the captures' records, copied byte for byte (plus revisit originals)
    indexes/index.cdxj        written by cdxj-indexer over that WARC
    pages/pages.jsonl         one page per article: the capture of the exported version
    datapackage.json          every file with its sha256 and size
    datapackage-digest.json   the sha256 of datapackage.json

Records are copied as stored: a gzip member of a per-record-gzip WARC as is; a record of an
uncompressed WARC gets its own gzip member. Records that cannot be cut out alone (whole-file gzip,
ARC) are left out and counted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from newsarchiver import __version__
from newsarchiver.errors import ArchiveError
from newsarchiver.export import ArticleView
from newsarchiver.index_records import CaptureRecord

log = logging.getLogger(__name__)

WACZ_VERSION = "1.1.1"
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class WaczResult:
    pages: int
    records: int
    skipped_records: int  # records that could not be copied alone


def _source(archive_dir: Path, warc_file: str) -> Path:
    from newsarchiver.archive import final_path

    return final_path(archive_dir, warc_file)


def _record_bytes(archive_dir: Path, capture: CaptureRecord) -> bytes | None:
    """The record as one or more gzip members, or None when it cannot be cut out of its file."""
    from newsarchiver.archive import gzip_member

    try:
        with open(_source(archive_dir, capture.warc_file), "rb") as handle:
            handle.seek(capture.offset)
            data = handle.read(capture.length)
    except OSError as exc:
        raise ArchiveError(f"{capture.warc_file}: cannot read the record at offset {capture.offset}: "
                           f"{exc.strerror}") from exc
    if len(data) != capture.length:
        return None
    if data.startswith(_GZIP_MAGIC):
        return data
    if data.startswith(b"WARC/"):
        return gzip_member(data + b"\r\n\r\n", 6)  # the offsets count the record without its blank lines
    return None


def _warcinfo(filename: str) -> bytes:
    from newsarchiver.archive import gzip_member, new_record_id, serialize_record, sha1_digest, warc_date

    block = (f"software: newsarchiver/{__version__}\r\nformat: WARC File Format 1.1\r\n"
             "description: records exported from a newsarchiver archive\r\n").encode("utf-8")
    headers = [("WARC-Type", "warcinfo"), ("WARC-Record-ID", new_record_id()), ("WARC-Date", warc_date()),
               ("WARC-Filename", filename), ("Content-Type", "application/warc-fields"),
               ("WARC-Block-Digest", sha1_digest(block))]
    return gzip_member(serialize_record(headers, block), 6)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


def write_wacz(catalogue: Any, views: Iterable[ArticleView], path: Path, title: str = "newsarchiver export") -> WaczResult:
    views = list(views)
    archive_dir: Path = catalogue.archive_dir
    captures: dict[int, CaptureRecord] = {}
    for view in views:
        for capture in catalogue.captures_of(view.article.id):
            captures[capture.id] = capture
            if capture.original_id is not None and capture.original_id not in captures:
                original = catalogue.capture(capture.original_id)
                if original is not None:
                    captures[original.id] = original  # a revisit replays only with its original
    ordered = sorted(captures.values(), key=lambda c: (c.captured_at, c.warc_file, c.offset))

    with tempfile.TemporaryDirectory(prefix="wacz-") as tmp:
        root = Path(tmp)
        for sub in ("archive", "indexes", "pages"):
            (root / sub).mkdir()
        warc = root / "archive" / "data.warc.gz"
        copied = skipped = 0
        with open(warc, "wb") as out:
            out.write(_warcinfo("data.warc.gz"))
            for capture in ordered:
                data = _record_bytes(archive_dir, capture)
                if data is None:
                    skipped += 1
                    log.warning("%s: record at offset %d cannot be copied alone; left out of the WACZ",
                                capture.warc_file, capture.offset)
                    continue
                out.write(data)
                copied += 1

        from cdxj_indexer import CDXJIndexer

        CDXJIndexer(output=str(root / "indexes" / "index.cdxj"), inputs=[str(warc)], sort=True).process_all()

        with open(root / "pages" / "pages.jsonl", "w", encoding="utf-8") as pages:
            pages.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}) + "\n")
            for view in views:
                pages.write(json.dumps({"id": str(view.article.id), "url": view.captured_url,
                                        "ts": view.version.captured_at, "title": view.version.title},
                                       ensure_ascii=False) + "\n")

        files = [root / "archive" / "data.warc.gz", root / "indexes" / "index.cdxj", root / "pages" / "pages.jsonl"]
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        package: dict[str, Any] = {
            "profile": "data-package",
            "wacz_version": WACZ_VERSION,
            "title": title,
            "created": now,
            "modified": now,
            "software": f"newsarchiver/{__version__}",
            "resources": [{"name": f.name, "path": f.relative_to(root).as_posix(), "hash": _sha256(f),
                           "bytes": f.stat().st_size} for f in files],
        }
        if views:
            package["mainPageUrl"] = views[0].captured_url
            package["mainPageDate"] = views[0].version.captured_at
        (root / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False), encoding="utf-8")
        digest = {"path": "datapackage.json", "hash": _sha256(root / "datapackage.json")}
        (root / "datapackage-digest.json").write_text(json.dumps(digest, indent=2), encoding="utf-8")

        partial = path.with_name(path.name + ".part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Stored, not deflated: replay tools read the WARC and index by byte ranges inside the zip.
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as wacz:
                for f in [root / "datapackage.json", root / "datapackage-digest.json", *files]:
                    wacz.write(f, f.relative_to(root).as_posix())
            partial.replace(path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise ArchiveError(f"{path}: cannot write the WACZ: {exc.strerror or exc}") from exc
    return WaczResult(pages=len(views), records=copied, skipped_records=skipped)
