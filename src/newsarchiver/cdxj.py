"""The CDXJ index beside the WARC files, in the form pywb reads.

`archive_dir/index.cdxj` holds one line per response/revisit/resource/metadata record:
`urlkey timestamp {"url", "mime", "status", "digest", "length", "offset", "filename"}`, sorted,
with `filename` relative to the archive directory. For files from elsewhere the lines come from the
cdxj-indexer library (what pywb's own tooling uses), so SURT keys and field rules are exactly
pywb's. The crawler writes the same lines itself from the records it has just written
(`cdxj_entry`, `cdxj_line`): re-reading every file it wrote cost a run about half a second per
thousand pages. The tests require those lines to equal cdxj-indexer's for every file they write.

Updating re-indexes the files given, replacing any lines they had before (so it is idempotent),
drops lines naming a file no longer in the archive, and replaces the index atomically (temp file +
rename): a reader sees the old index or the new one, never half of one. A damaged file is refused
before anything is written, because cdxj-indexer would index a torn record as if it were whole.
"""

from __future__ import annotations

import fcntl
import io
import json
import logging
import os
import re
import tempfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Optional

import surt
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from newsarchiver.errors import ArchiveError, WarcFormatError
from newsarchiver.warcread import iter_entries

INDEX_NAME = "index.cdxj"

logger = logging.getLogger(__name__)


def update_cdxj(archive_dir: Path, warc_files: list[Path], *, verified: bool = False,
                known_lines: Optional[dict[str, list[str]]] = None) -> Path:
    """(Re)index `warc_files` into `archive_dir/index.cdxj`; returns the index path.

    Raises WarcFormatError if any file is damaged (the index is then left as it was) and
    ArchiveError for a file outside the archive directory, a `.open` file, or an unwritable index.
    `verified=True` skips the damage check for files the crawler has just written and closed;
    `known_lines` (file name -> lines) are the lines of files whose records the caller wrote
    itself, used instead of reading those files again.
    """
    archive_dir = Path(archive_dir).resolve()
    index_path = archive_dir / INDEX_NAME
    names = {_relative_name(archive_dir, Path(f)): Path(f).resolve() for f in warc_files}
    new_lines: list[str] = []
    for name, path in names.items():
        if known_lines is not None and name in known_lines:
            new_lines.extend(known_lines[name])
            continue
        if not verified:
            _check_indexable(path)
        new_lines.extend(_index_lines(archive_dir, path))
    # Read, merge and replace under a lock: two crawls (or crawl workers) sharing an archive
    # directory would otherwise each write the index they read, losing the other's new lines.
    with _locked(archive_dir):
        kept = _kept_lines(_read_lines(index_path), set(names), archive_dir)
        _write_atomically(index_path, sorted(set(kept).union(new_lines)))
    logger.info("%s: indexed %d records from %d files", index_path, len(new_lines), len(names))
    return index_path


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """An exclusive flock on the archive directory itself: no lock file, and the index file cannot
    carry the lock because each update replaces it with a new file."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError as exc:
        raise ArchiveError(f"{directory}: cannot lock for the CDXJ index: {exc.strerror or exc}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _relative_name(archive_dir: Path, path: Path) -> str:
    resolved = path.resolve()
    if resolved.name.endswith(".open"):
        raise ArchiveError(f"{path}: still open (being written); index it once it is closed and renamed")
    try:
        return resolved.relative_to(archive_dir).as_posix()
    except ValueError:
        raise ArchiveError(f"{path}: not inside the archive directory {archive_dir}; "
                           "move it there before indexing") from None


def _check_indexable(path: Path) -> None:
    """Read the file through once: damage or whole-file gzip would give a misleading index."""
    for entry in iter_entries(path, max_payload_bytes=0):
        if not entry.seekable:
            raise WarcFormatError(str(path), 0, "whole-file gzip: records cannot be indexed by offset; "
                                  "fix with `warcio recompress`")


_RE_SPACE = re.compile(r"[;\s]")


def _as_warcio_reads_it(value: str) -> str:
    """A header value as warcio parses it back: http.client decoded the bytes as latin-1, warcio
    reads a header line as UTF-8 first."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def cdxj_entry(url: str, warc_date: str, mime: Optional[str], status: int,
               digest: Optional[str], revisit: bool) -> tuple[str, dict[str, str]]:
    """The line prefix and leading fields of a response or revisit record, by cdxj-indexer's rules:
    the SURT key, the WARC-Date to the second, the media type up to the first ';' or space
    ("warc/revisit" for a revisit), no digest for a revisit that carries none."""
    try:
        key = surt.surt(url)
    except Exception:  # cdxj-indexer keeps the URL itself as the key when SURT fails
        key = url
    timestamp = warc_date[:19].replace("-", "").replace(":", "").replace("T", "")
    fields: dict[str, str] = {"url": url}
    if revisit:
        fields["mime"] = "warc/revisit"
    elif mime is not None:
        fields["mime"] = _RE_SPACE.split(_as_warcio_reads_it(mime).strip(), 1)[0].strip()
    fields["status"] = str(status)
    if digest:
        fields["digest"] = digest
    return f"{key} {timestamp}", fields


def cdxj_line(entry: tuple[str, dict[str, str]], length: int, offset: int, filename: str) -> str:
    prefix, fields = entry
    return f"{prefix} " + json.dumps({**fields, "length": str(length), "offset": str(offset), "filename": filename})


def _index_lines(archive_dir: Path, path: Path) -> list[str]:
    from cdxj_indexer.main import CDXJIndexer  # imports pkg_resources: about 0.3 s, so only when needed

    out = io.StringIO()
    indexer = CDXJIndexer(output=out, inputs=[str(path)], dir_root=str(archive_dir))
    try:
        indexer.process_all()
    except (ArchiveLoadFailed, StatusAndHeadersParserException, zlib.error, ValueError, EOFError) as exc:
        raise WarcFormatError(str(path), 0, f"cdxj-indexer cannot index it: {str(exc).strip()}") from exc
    return [line for line in out.getvalue().splitlines() if line]


def _read_lines(index_path: Path) -> Iterable[str]:
    try:
        with open(index_path, encoding="utf-8") as fh:
            return [line.rstrip("\n") for line in fh if line.strip()]
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ArchiveError(f"{index_path}: cannot read the CDXJ index: {exc.strerror}") from exc


def _line_filename(line: str) -> Optional[str]:
    parts = line.split(" ", 2)
    if len(parts) < 3:
        return None
    try:
        fields = json.loads(parts[2])
    except ValueError:
        return None
    filename = fields.get("filename") if isinstance(fields, dict) else None
    return filename if isinstance(filename, str) else None


def _kept_lines(lines: Iterable[str], reindexed: set[str], archive_dir: Path) -> list[str]:
    """The old lines to keep: not those of a file re-indexed now, nor of one gone from the archive."""
    present: dict[str, bool] = {}  # one stat per file, not per line
    kept = []
    for line in lines:
        filename = _line_filename(line)
        if filename is None:
            kept.append(line)  # a header ("!meta ...") or a line we do not understand: not ours to drop
            continue
        if filename not in present:
            present[filename] = filename not in reindexed and (archive_dir / filename).is_file()
        if present[filename]:
            kept.append(line)
    return kept


def _write_atomically(index_path: Path, lines: list[str]) -> None:
    tmp_name: Optional[str] = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{INDEX_NAME}.", suffix=".tmp", dir=index_path.parent)
        # mkstemp creates the file 0600; the index is as public as the WARCs beside it.
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(f"{line}\n" for line in lines)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, index_path)
        tmp_name = None
        _fsync_dir(index_path.parent)
    except OSError as exc:
        raise ArchiveError(f"{index_path}: cannot write the CDXJ index: {exc.strerror or exc}") from exc
    finally:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform, and not fatal there.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
