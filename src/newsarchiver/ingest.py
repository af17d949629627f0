"""Indexing WARC files: `import_warcs` for files from any tool, `reindex` for the whole archive.

The same path as the crawler: every response/revisit record becomes a capture, every HTML page
goes through `extract_article`, and `Catalogue.record_capture` decides articles and versions, so
an import and a crawl of the same pages give the same rows.

Imported files are copied into `archive_dir/imported/` (a hard link when possible): the archive
directory holds every WARC the index was built from, so `reindex` can rebuild it from there alone.

Resumable: records already in the catalogue are skipped before extraction, and a file is marked
complete only after its last record, so a rerun after a crash finishes the job and adds nothing
twice. A damaged file keeps the records before the damage and reports a one-line error with the
file and offset.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import shutil
import tempfile
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Optional
from urllib.parse import urlsplit

from newsarchiver.config import Config
from newsarchiver.errors import ArchiveError, ExitCode, IndexStoreError, NewsArchiverError, WarcFormatError
from newsarchiver.index import Catalogue, Store, utc_now
from newsarchiver.models import Article, Capture, ExtractResult, Headers, header_value

log = logging.getLogger(__name__)

IMPORTED_DIR = "imported"
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
HTML_TYPES = ("text/html", "application/xhtml+xml")
SKIP_DIRS = {"search", ".state"}  # inside the archive directory, never WARCs

Progress = Callable[[str, "FileResult"], None]


@dataclass
class FileResult:
    path: str
    name: str = ""  # as recorded in the catalogue (relative to the archive directory)
    status: str = "pending"  # imported | skipped | damaged | failed
    records: int = 0
    captures_added: int = 0
    new_articles: int = 0
    changed_articles: int = 0
    revisits: int = 0
    message: str = ""  # why skipped, or the one-line error


@dataclass
class ImportReport:
    files: list[FileResult] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(int(getattr(f, name)) for f in self.files)

    @property
    def errors(self) -> list[str]:
        return [f.message for f in self.files if f.status in ("damaged", "failed")]

    @property
    def exit_code(self) -> ExitCode:
        if any(f.status == "damaged" for f in self.files):
            return ExitCode.WARC_FORMAT
        if any(f.status == "failed" for f in self.files):
            return ExitCode.ARCHIVE
        return ExitCode.OK


# --- extraction ----------------------------------------------------------------------------------

def _extract(payload: bytes, url: str, headers: Headers, status: Optional[int], site_rules: Any) -> ExtractResult:
    """Runs in a worker process: the pure extractor on a record's payload."""
    from newsarchiver.extract import extract_article

    return extract_article(payload, url, headers, site_rules=site_rules, status=status)


def _require_extractor() -> None:
    try:
        import newsarchiver.extract  # noqa: F401
    except ImportError as exc:
        raise NewsArchiverError(f"article extraction is not available ({exc}); reinstall newsarchiver") from exc


class OrderedExtraction:
    """Extraction in a process pool, results in submission order, a bounded number in flight."""

    def __init__(self, workers: int) -> None:
        self.workers = workers or max(1, os.cpu_count() or 1)
        self._pool: Optional[ProcessPoolExecutor] = None

    def map(self, jobs: Iterable[tuple[Any, Optional[tuple[Any, ...]]]]) -> Iterator[tuple[Any, Optional[ExtractResult]]]:
        """jobs: (item, extract arguments or None); yields (item, result or None) in order."""
        window: deque[tuple[Any, Optional[Future[ExtractResult]], Optional[ExtractResult]]] = deque()
        for item, args in jobs:
            if args is None:
                window.append((item, None, None))
            elif self.workers == 1:
                window.append((item, None, self._safe(args)))
            else:
                window.append((item, self._executor().submit(_extract, *args), None))
            while len(window) > 2 * self.workers:
                yield self._finish(window.popleft())
        while window:
            yield self._finish(window.popleft())

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing

            from newsarchiver.pipeline import pool_initargs, worker_init

            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("forkserver"),
                                             initializer=worker_init, initargs=pool_initargs())
        return self._pool

    @staticmethod
    def _safe(args: tuple[Any, ...]) -> Optional[ExtractResult]:
        try:
            return _extract(*args)
        except Exception as exc:  # one page the extractor chokes on must not stop an import
            log.warning("extraction failed for %s: %s: %s", args[1], type(exc).__name__, exc)
            return None

    @staticmethod
    def _finish(entry: tuple[Any, Optional[Future[ExtractResult]], Optional[ExtractResult]]) -> tuple[Any, Optional[ExtractResult]]:
        item, future, result = entry
        if future is not None:
            try:
                result = future.result()
            except Exception as exc:
                log.warning("extraction failed for %s: %s: %s", getattr(item[0], "url", "?"), type(exc).__name__, exc)
                result = None
        return item, result

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def is_html_page(entry: Any) -> bool:
    if entry.http_status is None or not 200 <= entry.http_status < 300 or entry.payload_cut:
        return False
    mime = (entry.content_type or "").split(";")[0].strip().lower()
    if mime in HTML_TYPES:
        return True
    return mime == "" and entry.payload[:512].lstrip().lower().startswith((b"<!doctype html", b"<html"))


# --- files ---------------------------------------------------------------------------------------

def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _name_in_archive(path: Path, archive_dir: Path, sha256: str) -> tuple[str, Optional[Path]]:
    """(catalogue name, destination to copy to or None when the file is already in the archive)."""
    resolved, root = path.resolve(), archive_dir.resolve()
    if resolved.is_relative_to(root):
        return resolved.relative_to(root).as_posix(), None
    dest = root / IMPORTED_DIR / path.name
    if dest.exists() and file_sha256(dest) != sha256:
        dest = dest.with_name(f"{sha256[:12]}-{path.name}")  # same name, other content: keep both
    return dest.relative_to(root).as_posix(), dest


def _copy_in(source: Path, dest: Path) -> None:
    if dest.exists():
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".part")
    try:
        partial.unlink(missing_ok=True)
        try:
            os.link(source, partial)  # no second copy of a large file when on the same disk
        except OSError:
            shutil.copyfile(source, partial)
        os.replace(partial, dest)  # appears whole or not at all
    except OSError as exc:
        raise ArchiveError(f"{dest}: cannot copy the WARC into the archive: {exc.strerror or exc}") from exc


def _job_from_warcinfo(payload: bytes) -> Optional[str]:
    for line in payload.decode("utf-8", "replace").splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() in ("job", "ispartof") and value.strip():
            return value.strip()
    return None


# --- import --------------------------------------------------------------------------------------

def import_warcs(catalogue: Catalogue, paths: Iterable[Path | str], config: Config, *, job: Optional[str] = None,
                 progress: Optional[Progress] = None) -> ImportReport:
    """Index WARC/ARC files into the catalogue; never raises for one bad file (see the report)."""
    _require_extractor()
    report = ImportReport()
    extractor = OrderedExtraction(config.extract.workers)
    try:
        for raw in paths:
            result = FileResult(path=str(raw))
            report.files.append(result)
            try:
                _import_one(catalogue, Path(raw), config, job, extractor, result)
            except WarcFormatError as exc:
                result.status, result.message = "damaged", str(exc)
            except ArchiveError as exc:
                result.status, result.message = "failed", str(exc)
            if progress:
                progress(str(raw), result)
    finally:
        extractor.close()
    catalogue.resolve_pending_revisits()
    catalogue.sync_search()
    return report


def _import_one(catalogue: Catalogue, path: Path, config: Config, job: Optional[str], extractor: OrderedExtraction,
                result: FileResult) -> None:
    if not path.is_file():
        raise ArchiveError(f"{path}: no such file")
    try:
        sha256 = file_sha256(path)
        stat = path.stat()
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot read: {exc.strerror}") from exc
    _check_first_record(path)  # a file that is no WARC at all is never copied into the archive
    name, copy_to = _name_in_archive(path, config.archive_dir, sha256)
    result.name = name
    known = catalogue.warc_file_by_sha256(sha256)
    if known is not None:
        result.status, result.message = "skipped", f"already imported as {known}"
        return
    if copy_to is not None:
        _copy_in(path, copy_to)
    mtime = datetime.fromtimestamp(stat.st_mtime, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    catalogue.register_warc_file(name, size=stat.st_size, sha256=sha256, mtime=mtime, complete=False)
    source = copy_to or path
    try:
        _index_records(catalogue, source, name, config, job, extractor, result)
    except WarcFormatError as exc:
        # The good records before the damage are indexed; say where it broke, naming the given path.
        error = WarcFormatError(str(path), exc.offset, exc.reason)
        catalogue.register_warc_file(name, size=stat.st_size, sha256=sha256, mtime=mtime, error=str(error))
        raise error from None
    catalogue.register_warc_file(name, size=stat.st_size, sha256=sha256, mtime=mtime, complete=True)
    result.status = "imported"


def _check_first_record(path: Path) -> None:
    from newsarchiver.warcread import iter_entries

    for _entry in iter_entries(path, max_payload_bytes=0):  # raises WarcFormatError at offset 0
        return


def _index_records(catalogue: Catalogue, source: Path, name: str, config: Config, job: Optional[str],
                   extractor: OrderedExtraction, result: FileResult) -> None:
    """Two passes: extract every page (spooled to disk) while learning boilerplate, then record.

    The learned boilerplate of a site needs all its pages first, so it is applied to the spooled
    articles afterwards. Where the file carries newsarchiver's own conversion record for a
    response (the text the crawler indexed), that text is used, so a reindex gives the crawl's
    versions even where boilerplate learned since would cut differently.
    """
    with tempfile.TemporaryFile(prefix="newsarchiver-import-") as spool:
        conversions, learners, damage = _extract_pass(catalogue, source, name, config, job, extractor, result, spool)
        learned = _save_learned(catalogue, learners, config)
        spool.seek(0)
        while True:
            try:
                capture, headers, article = pickle.load(spool)
            except EOFError:
                break
            if article is not None:
                article = _final_text(article, conversions.get(capture.record_id), learned.get(_site(article.url)))
            outcome = catalogue.record_capture(
                capture, article, etag=header_value(headers, "ETag"),
                last_modified=header_value(headers, "Last-Modified"), location=header_value(headers, "Location"))
            result.captures_added += 1
            result.revisits += capture.record_type == "revisit"
            result.new_articles += outcome.is_new_article
            result.changed_articles += outcome.is_changed
    if damage is not None:
        raise damage


def _extract_pass(catalogue: Catalogue, source: Path, name: str, config: Config, job: Optional[str],
                  extractor: OrderedExtraction, result: FileResult, spool: IO[bytes],
                  ) -> tuple[dict[str, str], dict[str, Any], Optional[WarcFormatError]]:
    from newsarchiver.boilerplate import BoilerplateLearner
    from newsarchiver.warcread import iter_entries

    state = {"job": job or ""}
    conversions: dict[str, str] = {}
    learners: dict[str, BoilerplateLearner] = {}
    damage: list[WarcFormatError] = []

    def work() -> Iterator[tuple[Any, Optional[tuple[Any, ...]]]]:
        try:
            for entry in iter_entries(source, types={"warcinfo", "response", "revisit", "conversion"}):
                result.records += 1
                if entry.rec_type == "warcinfo":
                    if job is None:
                        state["job"] = _job_from_warcinfo(entry.payload) or state["job"]
                    continue
                if entry.rec_type == "conversion":
                    _keep_conversion(entry, conversions)
                    continue
                if not entry.url or not entry.date or not entry.url.lower().startswith(("http:", "https:")):
                    continue
                if catalogue.capture_settled(name, entry.offset):
                    continue  # indexed by an earlier, interrupted run: skip the extraction cost
                capture = _capture(entry, name, state["job"])
                args = None
                if entry.rec_type == "response" and is_html_page(entry):
                    args = (entry.payload, entry.url, entry.http_headers, entry.http_status,
                            config.site_rules(_host(entry.url)))
                yield (capture, entry.http_headers), args
        except WarcFormatError as exc:
            damage.append(exc)  # keep what came before: spooled records are still indexed

    for (capture, headers), extracted in extractor.map(work()):
        article = extracted.article if extracted is not None else None
        if article is not None:
            site = _site(article.url)
            if site not in learners:
                learners[site] = BoilerplateLearner(site, config.extract.boilerplate_min_pages,
                                                    config.extract.boilerplate_min_share)
            learners[site].add(article.canonical_url or article.url, article.text.split("\n\n"))
        pickle.dump((capture, headers, article), spool, protocol=pickle.HIGHEST_PROTOCOL)
    return conversions, learners, (damage[0] if damage else None)


def _keep_conversion(entry: Any, conversions: dict[str, str]) -> None:
    """Our own conversion records only: another tool's text may be cut differently."""
    extractor_name = next((v for k, v in entry.headers if k.lower() == "x-extractor"), "")
    if entry.refers_to and extractor_name.startswith("newsarchiver/") and not entry.payload_cut:
        conversions[entry.refers_to] = entry.payload.decode("utf-8", "replace")


def _final_text(article: Article, converted: Optional[str], learned: Any) -> Article:
    from newsarchiver.extract import apply_learned, text_hash
    from newsarchiver.quality import count_words

    if converted is not None:
        if converted == article.text:
            return article
        return replace(article, text=converted, text_hash=text_hash(converted), word_count=count_words(converted))
    if learned is not None:
        article, _dropped = apply_learned(article, learned)
    return article


def _save_learned(catalogue: Store, learners: dict[str, Any], config: Config) -> dict[str, Any]:
    """Merge what this file taught about each site into what the catalogue knew; by site."""
    from newsarchiver.boilerplate import LearnedBoilerplate

    learned: dict[str, Any] = {}
    for site, learner in learners.items():
        previous = catalogue.learned_boilerplate(site)
        fresh = learner.learned() if learner.pages >= config.extract.boilerplate_min_pages else None
        if fresh is not None and previous is not None:
            paragraphs = dict(previous.paragraphs)
            for text, pages in fresh.paragraphs.items():
                paragraphs[text] = max(pages, paragraphs.get(text, 0))
            fresh = LearnedBoilerplate(site, paragraphs, previous.pages + fresh.pages, fresh.min_pages, fresh.min_share)
        if fresh is not None and len(fresh):
            catalogue.save_boilerplate(site, fresh)
            learned[site] = fresh
        elif previous is not None:
            learned[site] = previous
    return learned


def _capture(entry: Any, name: str, job: str) -> Capture:
    mime = (entry.content_type or "").split(";")[0].strip().lower()
    return Capture(
        url=entry.url, captured_at=entry.date, status=entry.http_status, mime=mime,
        payload_digest=entry.payload_digest or "", warc_file=name, offset=entry.offset, length=entry.length,
        record_type=entry.rec_type, record_id=entry.record_id or "", refers_to_uri=entry.refers_to_target_uri,
        refers_to_date=entry.refers_to_date, job=job, truncated=entry.truncated,
    )


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _site(url: str) -> str:
    """The site as boilerplate.site_key names it (host without `www.`)."""
    host = _host(url)
    return host[4:] if host.startswith("www.") else host


# --- reindex -------------------------------------------------------------------------------------

def archive_warcs(archive_dir: Path) -> list[Path]:
    """Every closed WARC/ARC file in the archive directory, in a stable order."""
    found = []
    for root, dirs, files in os.walk(archive_dir):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        found += [Path(root) / name for name in files if name.endswith(WARC_SUFFIXES)]
    return sorted(found, key=lambda p: p.relative_to(archive_dir).as_posix())


def _in_first_indexed_order(files: list[Path], archive_dir: Path, old_db: Path) -> list[Path]:
    """The files in the order the old index first saw them (then the unknown ones by name), so
    articles get the same IDs as before: IDs are what users bookmark and pass to `show`."""
    import sqlite3

    try:
        conn = sqlite3.connect(f"{old_db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            order = {name: i for i, (name,) in enumerate(conn.execute("SELECT name FROM warc_files ORDER BY rowid"))}
            first_capture = dict(conn.execute("SELECT warc_file, MIN(id) FROM captures GROUP BY warc_file"))
        finally:
            conn.close()
    except sqlite3.Error:
        return files  # an unreadable old index: name order
    return _sorted_as_first_indexed(files, archive_dir, order, first_capture)


def _sorted_as_first_indexed(files: list[Path], archive_dir: Path, order: dict[str, int],
                             first_capture: dict[str, int]) -> list[Path]:
    def key(path: Path) -> tuple[int, int, str]:
        name = path.relative_to(archive_dir).as_posix()
        # A crawl registers its files when it closes them, after their captures: the first
        # capture's id says when a file's records were really indexed.
        if name in first_capture:
            return (0, int(first_capture[name]), name)
        return (1, order.get(name, len(order)), name)
    return sorted(files, key=key)


def reindex(archive_dir: Path, config: Config, *, progress: Optional[Progress] = None) -> ImportReport:
    """Rebuild the catalogue and the search index from the WARC files alone.

    Builds `index.sqlite.reindex` beside the old index and renames it over the old one only when
    complete, so a failed or interrupted reindex leaves the old index as it was. Runs and learned
    boilerplate are not in the WARCs: they are carried over from the old index.
    Stop crawls and imports first: captures they index meanwhile are not in the new index until
    their files are imported again.
    """
    from newsarchiver.index import INDEX_FILE
    from newsarchiver.stores import uses_postgresql

    archive_dir = Path(archive_dir)
    if uses_postgresql(config):
        return _reindex_postgresql(archive_dir, config, progress)
    final = archive_dir / INDEX_FILE
    temp = archive_dir / (INDEX_FILE + ".reindex")
    for stale in (temp, Path(f"{temp}-wal"), Path(f"{temp}-shm")):
        stale.unlink(missing_ok=True)
    new = Catalogue.open(archive_dir, db_path=temp, search=None)
    try:
        if final.exists():
            new.copy_kept_state(final)
        files = archive_warcs(archive_dir)
        if final.exists():
            files = _in_first_indexed_order(files, archive_dir, final)
        report = import_warcs(new, files, config, progress=progress)
        new.link_captures_to_runs()
        new.request_search_rebuild()
        new.prepare_for_move()
        new.close()
    except BaseException:
        new.close()
        for stale in (temp, Path(f"{temp}-wal"), Path(f"{temp}-shm")):
            stale.unlink(missing_ok=True)
        raise
    if final.exists():
        try:
            with Catalogue.open(archive_dir, search=None) as old:
                old.prepare_for_move()  # fold its WAL in before the file is replaced
        except IndexStoreError as exc:
            # A reader (`newsarchiver serve`) has it open: its content is being replaced anyway;
            # that reader keeps the old file until it reopens.
            log.warning("replacing an index that is open elsewhere (%s); restart readers to see the new one", exc)
    os.replace(temp, final)
    for leftover in (Path(f"{final}-wal"), Path(f"{final}-shm")):
        leftover.unlink(missing_ok=True)  # the old file's (now empty) WAL must not meet the new file
    with Catalogue.open(archive_dir) as catalogue:  # clears and refills the search index
        catalogue.sync_search()
    log.info("reindexed %d files at %s", len(report.files), utc_now())
    return report


def _reindex_postgresql(archive_dir: Path, config: Config, progress: Optional[Progress]) -> ImportReport:
    """Rebuild a PostgreSQL index from this archive directory's WARC files, in place.

    Unlike the SQLite rebuild (a new file renamed over the old), the derived tables are emptied
    and refilled in the same database, keeping runs, learned boilerplate and the frontier; an
    interrupted reindex leaves a partial index that the next reindex completes. Articles keep
    their IDs when the files are met in the order first indexed. Stop the workers first.
    """
    from newsarchiver.stores import open_catalogue

    with open_catalogue(config, archive_dir=archive_dir, search=None) as catalogue:
        order, first_capture = catalogue.first_indexed_order()
        files = _sorted_as_first_indexed(archive_warcs(archive_dir), archive_dir, order, first_capture)
        catalogue.clear_derived()
        report = import_warcs(catalogue, files, config, progress=progress)
        catalogue.link_captures_to_runs()
        catalogue.request_search_rebuild()
    with open_catalogue(config, archive_dir=archive_dir) as catalogue:  # clears and refills the full text
        catalogue.sync_search()
        catalogue.db.analyze()
    log.info("reindexed %d files into %s at %s", len(report.files), catalogue.name, utc_now())
    return report
