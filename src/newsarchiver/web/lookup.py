"""Where an archived URL lives: from `index.cdxj` (nearest capture in time) or the catalogue.

The archived original and everything it embeds are served from the WARC records these lookups
name, never from the network. The CDXJ file is sorted by SURT key, so a lookup is a binary search
by seeking in the file: no need to hold a large index in memory, and a crawl that replaces the
file atomically is seen by the next lookup. Files imported with `newsarchiver import` are not in
the CDXJ index; the catalogue (which holds every capture) is the fallback.

Every location is checked to be a file inside the archive directory: a poisoned index naming
`../../etc/passwd` finds nothing.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import surt

from newsarchiver.cdxj import INDEX_NAME

log = logging.getLogger(__name__)

_MAX_LINES_PER_URL = 5000  # a URL captured more often than this: the nearest among the first ones


@dataclass(frozen=True)
class Location:
    """One response or revisit record: the file (inside the archive) and where it starts."""

    path: Path
    offset: int
    url: str
    timestamp: str  # 14 digits, UTC
    status: int | None
    is_revisit: bool = False


def timestamp14(iso: str) -> str:
    """'2024-05-01T10:00:00.123Z' -> '20240501100000' (what CDXJ lines and replay URLs use)."""
    digits = "".join(ch for ch in iso if ch.isdigit())
    return (digits + "0" * 14)[:14]


def url_key(url: str) -> str:
    try:
        return str(surt.surt(url))
    except Exception:  # noqa: BLE001 (surt raises assorted errors on junk URLs; then nothing matches)
        return url


def inside_archive(archive_dir: Path, name: str) -> Path | None:
    """The file `name` (relative to the archive) if it is a regular file inside it, else None."""
    root = archive_dir.resolve()
    try:
        path = (root / name).resolve()
    except (OSError, ValueError):
        return None
    if not path.is_relative_to(root) or path == root or not path.is_file():
        return None
    return path


class CaptureLocator:
    def __init__(self, archive_dir: Path, catalogue: Any = None) -> None:
        self.archive_dir = archive_dir
        self.catalogue = catalogue  # a Catalogue, or None when the archive has no index yet

    def find(self, url: str, timestamp: str) -> Location | None:
        """The capture of `url` nearest to `timestamp` (14 digits), preferring the CDXJ index."""
        candidates = self._from_cdxj(url)
        if not candidates:
            candidates = self._from_catalogue(url)
        usable = [c for c in candidates if c.status != 304]  # a 304 record has no body to show
        if not usable:
            return None
        return min(usable, key=lambda c: (_distance(c.timestamp, timestamp), c.is_revisit))

    def find_exact(self, url: str, timestamp: str) -> Location | None:
        """A revisit's original: the record of that URL at that very second, if any."""
        for candidate in self._from_cdxj(url) or self._from_catalogue(url):
            if candidate.timestamp == timestamp and not candidate.is_revisit:
                return candidate
        return None

    # --- index.cdxj -------------------------------------------------------------------------------

    def _from_cdxj(self, url: str) -> list[Location]:
        index = self.archive_dir / INDEX_NAME
        key = (url_key(url) + " ").encode("utf-8")
        try:
            with open(index, "rb") as fh:
                lines = _lines_with_prefix(fh, key)
        except OSError:
            return []
        out = []
        for line in lines:
            location = self._parse_line(line)
            if location is not None:
                out.append(location)
        return out

    def _parse_line(self, line: bytes) -> Location | None:
        try:
            _, timestamp, blob = line.decode("utf-8").split(" ", 2)
            fields = json.loads(blob)
            path = inside_archive(self.archive_dir, str(fields["filename"]))
            offset = int(fields["offset"])
        except (ValueError, KeyError, TypeError):
            return None
        if path is None or offset < 0:
            return None
        status = fields.get("status")
        mime = str(fields.get("mime", ""))
        return Location(path, offset, str(fields.get("url", "")), timestamp[:14],
                        int(status) if str(status or "").isdigit() else None,
                        is_revisit=mime == "warc/revisit")

    # --- catalogue (imported files) ---------------------------------------------------------------

    def _from_catalogue(self, url: str) -> list[Location]:
        catalogue = self.catalogue
        if catalogue is None:
            return []
        out: list[Location] = []
        article = catalogue.article(url)
        if article is not None:
            # An article page: every capture of it at exactly this URL, so old versions show too.
            for capture in catalogue.captures_of(article.id):
                if capture.url == url:
                    location = self.from_capture(capture)
                    if location is not None:
                        out.append(location)
        if not out:
            previous = catalogue.previous_capture(url)  # the latest 2xx capture, revisits resolved
            if previous is not None:
                path = inside_archive(self.archive_dir, previous.warc_file)
                if path is not None:
                    out.append(Location(path, previous.offset, previous.url or url,
                                        timestamp14(previous.captured_at), 200))
        return out

    def from_capture(self, capture: Any) -> Location | None:
        """A catalogue CaptureRecord as a Location (a revisit resolved to its original response)."""
        if capture.record_type == "revisit" and capture.original_id is not None and self.catalogue is not None:
            original = self.catalogue.capture(capture.original_id)
            if original is not None:
                capture = original
        path = inside_archive(self.archive_dir, capture.warc_file)
        if path is None:
            return None
        return Location(path, capture.offset, capture.url, timestamp14(capture.captured_at), capture.status,
                        is_revisit=capture.record_type == "revisit")


def _distance(a: str, b: str) -> int:
    try:
        return abs(int(a) - int(b))
    except ValueError:
        return 10 ** 15


def _lines_with_prefix(fh: BinaryIO, prefix: bytes) -> list[bytes]:
    """Every line of a sorted file starting with `prefix`, found by binary search on byte offsets."""
    size = os.fstat(fh.fileno()).st_size
    low, high = 0, size
    # Invariant: the first line >= prefix starts at or after `low` and at or before `high`.
    while low < high:
        mid = (low + high) // 2
        fh.seek(mid)
        if mid:
            fh.readline()  # finish the line we landed in; the next one starts a whole line
        line_start = fh.tell()
        line = fh.readline()
        if line_start >= size or not line:
            high = mid
        elif line < prefix:
            low = line_start + len(line)
        else:
            high = mid
    fh.seek(low)
    if low:
        # `low` may sit mid-line after the loop; back up to the start of its line.
        fh.seek(_line_start(fh, low))
    out = []
    for line in fh:
        if line.startswith(prefix):
            out.append(line.rstrip(b"\r\n"))
            if len(out) >= _MAX_LINES_PER_URL:
                break
        elif line > prefix:
            break
    return out


def _line_start(fh: BinaryIO, position: int) -> int:
    """The offset of the line containing `position`."""
    start = max(0, position - 4096)
    while True:
        fh.seek(start)
        chunk = fh.read(position - start)
        newline = chunk.rfind(b"\n")
        if newline >= 0:
            return start + newline + 1
        if start == 0:
            return 0
        start = max(0, start - 4096)
