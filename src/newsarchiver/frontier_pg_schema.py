"""The shared frontier's tables and its longer statements (see frontier_pg for the design).

`SCHEMA_STATEMENTS` are part of the PostgreSQL catalogue's migration #1 (index_schema_pg): the
tables are never created lazily. Text that is compared or sorted is `COLLATE "C"` (byte order,
whatever the database's locale); times are `TIMESTAMPTZ` from the database's clock, since leases
and politeness are computed in SQL.
"""

from __future__ import annotations

from typing import Any

T = 'TEXT COLLATE "C"'

SCHEMA_STATEMENTS: list[str] = [
    f"""CREATE TABLE frontier_crawls (
        job {T} PRIMARY KEY,
        crawl_no INTEGER NOT NULL DEFAULT 0,
        state {T} NOT NULL DEFAULT 'finished' CHECK (state IN ('running', 'finished')),
        started_at TIMESTAMPTZ,
        finished_at TIMESTAMPTZ,
        max_pages INTEGER NOT NULL DEFAULT 0,
        pages_claimed INTEGER NOT NULL DEFAULT 0,
        delay_seconds DOUBLE PRECISION NOT NULL DEFAULT 1.0,
        connections_per_host INTEGER NOT NULL DEFAULT 1,
        obey_robots BOOLEAN NOT NULL DEFAULT TRUE
    )""",
    f"""CREATE TABLE frontier_hosts (
        job {T} NOT NULL,
        host {T} NOT NULL,
        next_allowed_at TIMESTAMPTZ NOT NULL DEFAULT '-infinity',
        crawl_delay DOUBLE PRECISION,
        robots_state {T} NOT NULL DEFAULT 'pending' CHECK (robots_state IN ('pending', 'fetched', 'ignored')),
        robots_url {T},
        robots_status INTEGER,
        robots_body BYTEA,
        robots_fetched_at TIMESTAMPTZ,
        PRIMARY KEY (job, host)
    )""",
    "CREATE INDEX frontier_hosts_due ON frontier_hosts (job, next_allowed_at)",
    f"""CREATE TABLE frontier_urls (
        job {T} NOT NULL,
        url {T} NOT NULL,
        host {T} NOT NULL,
        kind {T} NOT NULL,
        depth INTEGER NOT NULL,
        source {T},
        priority SMALLINT NOT NULL,
        seq BIGINT GENERATED ALWAYS AS IDENTITY,
        state {T} NOT NULL DEFAULT 'queued'
            CHECK (state IN ('queued', 'claimed', 'done', 'failed', 'skipped')),
        worker {T},
        lease_until TIMESTAMPTZ,
        attempts INTEGER NOT NULL DEFAULT 0,
        note TEXT,
        added_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        claimed_at TIMESTAMPTZ,
        done_at TIMESTAMPTZ,
        PRIMARY KEY (job, url)
    )""",
    "CREATE INDEX frontier_urls_queued ON frontier_urls (job, host, priority, seq) WHERE state = 'queued'",
    "CREATE INDEX frontier_urls_claimed ON frontier_urls (job, host) WHERE state = 'claimed'",
    "CREATE INDEX frontier_urls_worker ON frontier_urls (job, worker) WHERE state = 'claimed'",
]


def create_schema(conn: Any) -> None:
    """Run SCHEMA_STATEMENTS on a psycopg connection (tests; real databases get them by migration)."""
    with conn.transaction():
        for statement in SCHEMA_STATEMENTS:
            conn.execute(statement)


# Scalar subqueries, not EXISTS: PostgreSQL runs them per host through the partial indexes, where
# EXISTS may become a semi-join over every queued URL of the job (it did, on fresh statistics).
PICK_HOST = """
SELECT h.host, h.robots_state FROM frontier_hosts h
WHERE h.job = %(job)s AND h.next_allowed_at <= clock_timestamp() AND NOT h.host = ANY(%(tried)s::text[])
  AND (SELECT 1 FROM frontier_urls u WHERE u.job = h.job AND u.host = h.host AND u.state = 'queued'
       AND (u.kind = 'robots' OR h.robots_state <> 'pending') LIMIT 1) IS NOT NULL
  AND (SELECT count(*) FROM frontier_urls c WHERE c.job = h.job AND c.host = h.host AND c.state = 'claimed')
      < %(connections)s
ORDER BY h.next_allowed_at LIMIT 1
FOR UPDATE OF h SKIP LOCKED"""

QUEUED_OF_HOST = """
SELECT url, kind, depth, source, seq FROM frontier_urls
WHERE job = %(job)s AND host = %(host)s AND state = 'queued' AND (kind = 'robots' OR %(ready)s)
ORDER BY priority, seq LIMIT %(limit)s
FOR UPDATE SKIP LOCKED"""

# Claims whose lease ran out (reap) or that a stopping worker gives back (release): to the queue,
# or failed after max_attempts; their page budget is given back; a failed robots.txt claim leaves
# its host "unreachable" (disallow all, RFC 9309) so the host's pages do not wait forever.
RETURN_CLAIMS = """
WITH taken AS (
    SELECT url FROM frontier_urls
    WHERE job = %(job)s AND state = 'claimed' AND {which}
    FOR UPDATE SKIP LOCKED
), changed AS (
    UPDATE frontier_urls u
    SET state = CASE WHEN u.attempts >= %(max_attempts)s THEN 'failed' ELSE 'queued' END,
        note = CASE WHEN u.attempts >= %(max_attempts)s
                    THEN 'claimed ' || u.attempts || ' times; every lease ran out' END,
        done_at = CASE WHEN u.attempts >= %(max_attempts)s THEN clock_timestamp() END,
        attempts = u.attempts - %(refund)s, worker = NULL, lease_until = NULL
    FROM taken WHERE u.job = %(job)s AND u.url = taken.url
    RETURNING u.host, u.kind, u.state
), budget AS (
    UPDATE frontier_crawls SET pages_claimed = pages_claimed
        - (SELECT count(*) FROM changed WHERE kind = 'page' AND state = 'queued')
    WHERE job = %(job)s AND EXISTS (SELECT 1 FROM changed WHERE kind = 'page' AND state = 'queued')
), robots AS (
    UPDATE frontier_hosts h SET robots_state = 'fetched', robots_status = NULL, robots_body = NULL,
        robots_fetched_at = clock_timestamp()
    FROM changed WHERE h.job = %(job)s AND h.host = changed.host AND changed.kind = 'robots'
        AND changed.state = 'failed'
)
SELECT count(*) FROM changed"""
