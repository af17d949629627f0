"""The catalogue's read side: articles, versions, captures, runs, stats and filtered listings."""

from __future__ import annotations

import json
import os
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Optional

from newsarchiver.index_records import ArticleRecord, CaptureRecord, CatalogueStats, RunRecord, VersionRecord
from newsarchiver.urls import canonical_identity as article_key

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz", ".warc.gz.open")


class QueriesMixin:
    archive_dir: Path
    path: Optional[Path]  # the SQLite file; None for PostgreSQL
    dialect: str

    def _read(self) -> AbstractContextManager[Any]:  # provided by Catalogue
        raise NotImplementedError

    def article(self, id_or_url: int | str) -> Optional[ArticleRecord]:
        """By numeric ID, by URL (any URL of the article: canonical, AMP, with tracking...), else None."""
        with self._read() as conn:
            if isinstance(id_or_url, int) or str(id_or_url).strip().isdigit():
                row = conn.execute("SELECT * FROM articles WHERE id = ?", (int(id_or_url),)).fetchone()
            else:
                url = str(id_or_url).strip()
                row = conn.execute("SELECT * FROM articles WHERE url_key = ?", (article_key(url),)).fetchone()
                if row is None:
                    row = conn.execute(
                        "SELECT a.* FROM captures c JOIN articles a ON a.id = c.article_id WHERE c.url = ? "
                        "ORDER BY c.captured_at DESC LIMIT 1", (url,)).fetchone()
            if row is None:
                return None
            count = conn.execute("SELECT COUNT(*) FROM captures WHERE article_id = ?", (row["id"],)).fetchone()[0]
        return ArticleRecord(id=row["id"], url=row["url"], url_key=row["url_key"], site=row["site"],
                             first_captured_at=row["first_captured_at"], last_captured_at=row["last_captured_at"],
                             removed_at=row["removed_at"], latest_version=row["latest_version"], capture_count=count)

    def versions(self, article_id: int) -> list[VersionRecord]:
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM versions WHERE article_id = ? ORDER BY n", (article_id,)).fetchall()
        return [VersionRecord.from_row(row) for row in rows]

    def version(self, article_id: int, n: Optional[int] = None) -> Optional[VersionRecord]:
        """Version n of an article (the latest when n is None)."""
        with self._read() as conn:
            if n is None:
                row = conn.execute("SELECT v.* FROM versions v JOIN articles a ON a.id = v.article_id "
                                   "AND v.n = a.latest_version WHERE a.id = ?", (article_id,)).fetchone()
            else:
                row = conn.execute("SELECT * FROM versions WHERE article_id = ? AND n = ?", (article_id, n)).fetchone()
        return VersionRecord.from_row(row) if row else None

    def captures_of(self, article_id: int) -> list[CaptureRecord]:
        with self._read() as conn:
            rows = conn.execute('SELECT * FROM captures WHERE article_id = ? ORDER BY captured_at, warc_file, "offset"',
                                (article_id,)).fetchall()
        return [CaptureRecord.from_row(row) for row in rows]

    def capture(self, capture_id: int) -> Optional[CaptureRecord]:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM captures WHERE id = ?", (capture_id,)).fetchone()
        return CaptureRecord.from_row(row) if row else None

    def jobs_of(self, article_id: int) -> list[str]:
        with self._read() as conn:
            rows = conn.execute("SELECT DISTINCT job FROM captures WHERE article_id = ? AND job != '' ORDER BY job",
                                (article_id,)).fetchall()
        return [row["job"] for row in rows]

    def runs(self, job: Optional[str] = None, limit: int = 100) -> list[RunRecord]:
        """Newest first."""
        from newsarchiver.index import RUN_COUNT_FIELDS

        with self._read() as conn:
            if job is None:
                rows = conn.execute("SELECT * FROM runs ORDER BY started_at DESC, id DESC LIMIT ?", (limit,)).fetchall()
            else:
                rows = conn.execute("SELECT * FROM runs WHERE job = ? ORDER BY started_at DESC, id DESC LIMIT ?",
                                    (job, limit)).fetchall()
        return [RunRecord(id=row["id"], job=row["job"], started_at=row["started_at"], finished_at=row["finished_at"],
                          outcome=row["outcome"], counts={name: row[name] for name in RUN_COUNT_FIELDS},
                          report=json.loads(row["report"]) if row["report"] else {}) for row in rows]

    def find_articles(self, *, ids: Optional[list[int]] = None, site: Optional[str] = None,
                      author: Optional[str] = None, language: Optional[str] = None, job: Optional[str] = None,
                      published_since: Optional[str] = None, published_until: Optional[str] = None,
                      captured_since: Optional[str] = None, captured_until: Optional[str] = None,
                      include_removed: bool = True, limit: Optional[int] = None) -> list[int]:
        """IDs of the articles whose latest version matches every given filter, oldest capture first.

        Dates compare as ISO-8601 strings, so "2024-05" means "from May 2024" for *_since.
        """
        where, params = ["1 = 1"], []  # type: list[str], list[Any]
        if ids is not None:
            where.append(f"a.id IN ({', '.join('?' * len(ids))})")
            params += ids
        if site:
            where.append("(a.site = ? OR a.site LIKE ?)")
            params += [site.lower().removeprefix("www."), "%." + site.lower()]
        if author:
            authors = ("json_each(v.authors)" if self.dialect == "sqlite"
                       else "json_array_elements_text(v.authors::json) AS value")
            where.append(f"EXISTS (SELECT 1 FROM {authors} WHERE lower(value) LIKE ?)")
            params.append(f"%{author.lower()}%")
        if language:
            where.append("lower(v.language) = ?")
            params.append(language.lower())
        if job:
            where.append("EXISTS (SELECT 1 FROM captures c WHERE c.article_id = a.id AND c.job = ?)")
            params.append(job)
        for column, since, until in (("v.published", published_since, published_until),
                                     ("a.last_captured_at", captured_since, None),
                                     ("a.first_captured_at", None, captured_until)):
            if since:
                where.append(f"{column} >= ?")
                params.append(since)
            if until:
                # "until 2024-05-01" includes that whole day: compare on the given prefix.
                where.append(f"substr({column}, 1, {len(until)}) <= ?")
                params.append(until)
        if not include_removed:
            where.append("a.removed_at IS NULL")
        sql = ("SELECT a.id FROM articles a JOIN versions v ON v.article_id = a.id AND v.n = a.latest_version "
               f"WHERE {' AND '.join(where)} ORDER BY a.first_captured_at, a.id")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._read() as conn:
            return [row[0] for row in conn.execute(sql, params)]

    def site_totals(self) -> list[tuple[str, int, int, str]]:
        """(site, articles, removed articles, last capture) per site, most articles first."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT site, COUNT(*) AS n, SUM(CASE WHEN removed_at IS NOT NULL THEN 1 ELSE 0 END) AS removed, "
                "MAX(last_captured_at) AS last FROM articles WHERE latest_version > 0 "
                "GROUP BY site ORDER BY n DESC, site").fetchall()
        return [(row["site"], int(row["n"]), int(row["removed"]), row["last"]) for row in rows]

    def warc_files(self) -> list[dict[str, Any]]:
        with self._read() as conn:
            return [dict(row) for row in conn.execute("SELECT * FROM warc_files ORDER BY name")]

    def stats(self) -> CatalogueStats:
        with self._read() as conn:
            def one(sql: str) -> int:
                return int(conn.execute(sql).fetchone()[0] or 0)

            counts = {
                "warc_files": one("SELECT COUNT(*) FROM warc_files"),
                "captures": one("SELECT COUNT(*) FROM captures"),
                "revisits": one("SELECT COUNT(*) FROM captures WHERE record_type = 'revisit'"),
                "articles": one("SELECT COUNT(*) FROM articles"),
                "removed_articles": one("SELECT COUNT(*) FROM articles WHERE removed_at IS NOT NULL"),
                "versions": one("SELECT COUNT(*) FROM versions"),
                "sites": one("SELECT COUNT(DISTINCT site) FROM articles"),
                "runs": one("SELECT COUNT(*) FROM runs"),
                "unsynced_articles": one("SELECT COUNT(*) FROM articles WHERE search_revision != revision"),
            }
        warc_bytes = 0
        search_dir = self.archive_dir / "search"
        for root, dirs, files in os.walk(self.archive_dir):
            if Path(root) == self.archive_dir and "search" in dirs:
                dirs.remove("search")
            warc_bytes += sum(_size(Path(root) / name) for name in files if name.endswith(WARC_SUFFIXES))
        if self.path is not None:
            index_bytes = sum(_size(Path(f"{self.path}{suffix}")) for suffix in ("", "-wal", "-shm"))
            search_bytes = sum(_size(Path(root) / name) for root, _, files in os.walk(search_dir) for name in files)
        else:
            with self._read() as conn:  # the full text is a table of the same database
                index_bytes = int(conn.execute(
                    "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                    "WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace").fetchone()[0])
                search_bytes = int(conn.execute(
                    "SELECT COALESCE(pg_total_relation_size(to_regclass('search_docs')), 0)").fetchone()[0])
        return CatalogueStats(warc_bytes=warc_bytes, index_bytes=index_bytes, search_bytes=search_bytes, **counts)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
