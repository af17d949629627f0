"""How captures become articles and versions (mixed into Catalogue; runs inside its transactions).

A version is a distinct (normalised text, headline) of an article. Versions are a pure function of
the article's captures in time order: a capture older than the newest one rebuilds them, so the
order in which files are indexed (crawl, import, reindex) does not change the result.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import AbstractContextManager
from typing import Any, Optional
from urllib.parse import urlsplit

from newsarchiver.index_records import CaptureOutcome
from newsarchiver.models import Article, Capture
from newsarchiver.urls import canonical_identity as article_key

_VERSION_FIELDS = ("text_hash", "title", "text", "authors", "published", "updated", "language", "site_name",
                   "description", "section", "tags", "lead_image", "word_count", "flags", "extractor")


def version_key(text_hash: str, title: str) -> str:
    return hashlib.sha256(f"{text_hash}\n{' '.join(title.split())}".encode("utf-8")).hexdigest()


def _version_values(article: Article) -> dict[str, Any]:
    text_hash = article.text_hash or hashlib.sha256(" ".join(article.text.split()).encode("utf-8")).hexdigest()
    return {
        "text_hash": text_hash, "title": article.title, "text": article.text,
        "authors": json.dumps(list(article.authors), ensure_ascii=False), "published": article.published,
        "updated": article.updated, "language": article.language, "site_name": article.site_name,
        "description": article.description, "section": article.section,
        "tags": json.dumps(list(article.tags), ensure_ascii=False), "lead_image": article.lead_image,
        "word_count": article.word_count or len(article.text.split()),
        "flags": json.dumps(list(article.flags)), "extractor": article.extractor,
    }


def _order_key(row: Any) -> tuple[str, str, int]:
    # Ties on the timestamp fall back to the file position, identical in a crawl and a reindex.
    return (row["captured_at"], row["warc_file"], row["offset"])


def site_of(url: str) -> str:
    """The host a reader recognises (lowercase, without `www.`)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") and host.count(".") >= 2 else host


def _is_success(status: Optional[int]) -> bool:
    return status is not None and 200 <= status < 300


def _capture_from_row(row: Any) -> Capture:
    return Capture(url=row["url"], captured_at=row["captured_at"], status=row["status"], mime=row["mime"],
                   payload_digest=row["payload_digest"], warc_file=row["warc_file"], offset=row["offset"],
                   length=row["length"], record_type=row["record_type"], record_id=row["record_id"] or "",
                   refers_to_uri=row["refers_to_uri"], refers_to_date=row["refers_to_date"], job=row["job"],
                   truncated=row["truncated"])


class VersionsMixin:
    """Needs `_read()`, `_write()` and `sync_search()` from Catalogue."""

    def _read(self) -> AbstractContextManager[Any]:  # provided by Catalogue
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[Any]:  # provided by Catalogue
        raise NotImplementedError

    def sync_search(self) -> int:  # provided by SearchSyncMixin
        raise NotImplementedError

    def _attach_article(self, conn: Any, capture_id: int, article: Article) -> CaptureOutcome:
        key = article_key(article.canonical_url or article.url)
        capture = conn.execute("SELECT * FROM captures WHERE id = ?", (capture_id,)).fetchone()
        row = conn.execute("SELECT id FROM articles WHERE url_key = ?", (key,)).fetchone()
        is_new = row is None
        if is_new:
            url = article.canonical_url or article.url
            cur = conn.execute(
                "INSERT INTO articles (url_key, url, site, first_captured_at, last_captured_at) VALUES (?,?,?,?,?) "
                "RETURNING id",
                (key, url, site_of(url), capture["captured_at"], capture["captured_at"]),
            )
            article_id = int(cur.fetchone()[0])
        else:
            article_id = row["id"]
        values = _version_values(article)
        vkey = version_key(values["text_hash"], values["title"])
        return self._place_version(conn, capture, article_id, vkey, values, is_new)

    def _attach_late_article(self, conn: Any, capture_id: int, article: Article) -> CaptureOutcome:
        """A capture indexed without its article gets it, and so do the revisits that repeat it."""
        outcome = self._attach_article(conn, capture_id, article)
        for row in conn.execute("SELECT id FROM captures WHERE original_id = ? AND article_id IS NULL "
                                "ORDER BY captured_at", (capture_id,)).fetchall():
            self._attach_original(conn, row["id"], capture_id)
        return outcome

    def _attach_original(self, conn: Any, capture_id: int, original_id: int) -> CaptureOutcome:
        """A revisit repeats its original's payload, so it shows the original's article and text."""
        capture = conn.execute("SELECT * FROM captures WHERE id = ?", (capture_id,)).fetchone()
        original = conn.execute("SELECT article_id, version_key FROM captures WHERE id = ?", (original_id,)).fetchone()
        if original is None or original["article_id"] is None or original["version_key"] is None:
            return CaptureOutcome(capture_id, None, None, False, False)
        version = conn.execute("SELECT * FROM versions WHERE article_id = ? AND version_key = ? LIMIT 1",
                               (original["article_id"], original["version_key"])).fetchone()
        values = {name: version[name] for name in _VERSION_FIELDS}
        return self._place_version(conn, capture, original["article_id"], original["version_key"], values, False)

    def _place_version(self, conn: Any, capture: Any, article_id: int, vkey: str,
                       values: dict[str, Any], is_new: bool) -> CaptureOutcome:
        capture_id = capture["id"]
        conn.execute("UPDATE captures SET article_id = ?, version_key = ? WHERE id = ?", (article_id, vkey, capture_id))
        newest = conn.execute(
            'SELECT captured_at, warc_file, "offset", version_key FROM captures '
            "WHERE article_id = ? AND version_key IS NOT NULL AND id != ? "
            'ORDER BY captured_at DESC, warc_file DESC, "offset" DESC LIMIT 1', (article_id, capture_id)).fetchone()
        art = conn.execute("SELECT latest_version FROM articles WHERE id = ?", (article_id,)).fetchone()
        before = art["latest_version"]
        if newest is None or _order_key(capture) >= _order_key(newest):
            # The usual case: the newest capture of the article.
            latest = conn.execute("SELECT n, version_key FROM versions WHERE article_id = ? AND n = ?",
                                  (article_id, before)).fetchone()
            if latest is not None and latest["version_key"] == vkey:
                version_n = latest["n"]
            else:
                version_n = before + 1
                self._insert_version(conn, article_id, version_n, vkey, values, capture["captured_at"], capture_id)
            conn.execute("UPDATE captures SET version_n = ? WHERE id = ?", (version_n, capture_id))
            after = version_n
        else:
            # An older capture met late (another file, another order): rebuild from the timeline.
            version_n, after = self._rebuild_versions(conn, article_id, capture_id, vkey, values)
        conn.execute(
            "UPDATE articles SET latest_version = :v, revision = revision + 1, "
            # CASE, not MIN/MAX(a, b): the scalar forms are SQLite's, LEAST/GREATEST PostgreSQL's.
            "first_captured_at = CASE WHEN first_captured_at < :at THEN first_captured_at ELSE :at END, "
            "last_captured_at = CASE WHEN last_captured_at > :at THEN last_captured_at ELSE :at END, "
            # The article answers again after a removal: it is back.
            "removed_at = CASE WHEN removed_at IS NOT NULL AND removed_at < :at THEN NULL ELSE removed_at END "
            "WHERE id = :id",
            {"v": after, "at": capture["captured_at"], "id": article_id},
        )
        return CaptureOutcome(capture_id, article_id, version_n, is_new, (not is_new) and after > before)

    def _insert_version(self, conn: Any, article_id: int, n: int, vkey: str, values: dict[str, Any],
                        captured_at: str, capture_id: int) -> None:
        names = ("article_id", "n", "version_key", *_VERSION_FIELDS, "captured_at", "capture_id")
        conn.execute(f"INSERT INTO versions ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                     (article_id, n, vkey, *(values[f] for f in _VERSION_FIELDS), captured_at, capture_id))

    def _rebuild_versions(self, conn: Any, article_id: int, capture_id: int, vkey: str,
                          values: dict[str, Any]) -> tuple[int, int]:
        """Renumber an article's versions from its captures in time order; returns (n of capture, count)."""
        known: dict[str, dict[str, Any]] = {}
        for row in conn.execute("SELECT * FROM versions WHERE article_id = ? ORDER BY n", (article_id,)):
            known.setdefault(row["version_key"], {name: row[name] for name in _VERSION_FIELDS})
        known.setdefault(vkey, values)
        timeline = conn.execute(
            "SELECT id, captured_at, version_key FROM captures WHERE article_id = ? AND version_key IS NOT NULL "
            'ORDER BY captured_at, warc_file, "offset"', (article_id,)).fetchall()
        conn.execute("DELETE FROM versions WHERE article_id = ?", (article_id,))
        n, previous, mine = 0, None, 0
        for row in timeline:
            if row["version_key"] != previous:
                n += 1
                previous = row["version_key"]
                self._insert_version(conn, article_id, n, previous, known[previous], row["captured_at"], row["id"])
            conn.execute("UPDATE captures SET version_n = ? WHERE id = ?", (n, row["id"]))
            if row["id"] == capture_id:
                mine = n
        return mine, n

    def _referred_to(self, conn: Any, capture: Capture) -> Optional[int]:
        """The response a revisit names by WARC-Refers-To-Target-URI and -Date, if indexed."""
        if capture.refers_to_uri and capture.refers_to_date:
            row = conn.execute(
                "SELECT id FROM captures WHERE url = ? AND captured_at = ? AND record_type = 'response' LIMIT 1",
                (capture.refers_to_uri, capture.refers_to_date)).fetchone()
            if row:
                return int(row["id"])
        return None

    def _find_original(self, conn: Any, capture: Capture) -> Optional[int]:
        """A revisit's original response: by Refers-To URI + date, else the same digest (any file)."""
        referred = self._referred_to(conn, capture)
        if referred is not None:
            return referred
        if capture.payload_digest:
            # Prefer the same URL, then the latest response with that payload before the revisit.
            row = conn.execute(
                "SELECT id FROM captures WHERE payload_digest = ? AND record_type = 'response' "
                "ORDER BY (url = ?) DESC, (captured_at <= ?) DESC, captured_at DESC LIMIT 1",
                (capture.payload_digest, capture.refers_to_uri or capture.url, capture.captured_at)).fetchone()
            if row:
                return int(row["id"])
        return None

    def _previous_success(self, conn: Any, url: str, before: str) -> Optional[int]:
        row = conn.execute(
            "SELECT id FROM captures WHERE url = ? AND captured_at <= ? AND status BETWEEN 200 AND 299 "
            "AND version_key IS NOT NULL ORDER BY captured_at DESC LIMIT 1", (url, before)).fetchone()
        return int(row["id"]) if row else None

    def resolve_pending_revisits(self) -> int:
        """Link revisits whose original was indexed after them (e.g. in a later file); returns how many."""
        with self._read() as conn:
            pending = [row["id"] for row in conn.execute(
                "SELECT id FROM captures WHERE record_type = 'revisit' AND original_id IS NULL AND status != 304")]
        resolved = 0
        for capture_id in pending:
            with self._write() as conn:
                row = conn.execute("SELECT * FROM captures WHERE id = ?", (capture_id,)).fetchone()
                original_id = self._find_original(conn, _capture_from_row(row))
                if original_id is None:
                    continue
                conn.execute("UPDATE captures SET original_id = ? WHERE id = ?", (original_id, capture_id))
                if _is_success(row["status"]):
                    self._attach_original(conn, capture_id, original_id)
                resolved += 1
        if resolved:
            self.sync_search()
        return resolved
