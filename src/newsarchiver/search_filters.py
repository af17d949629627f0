"""Search filters (site, author, language, job, dates) as tantivy queries, and date parsing.

Filters become zero-score clauses, so they narrow the results without changing the ranking.
Sites are indexed under every name they go by (site name, host of the URL and of the canonical
URL, without "www.") and under the host's parent domains, so `--site bbc.co.uk` also finds
news.bbc.co.uk.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit

import tantivy

from newsarchiver.errors import UsageError
from newsarchiver.search_analysis import PLAIN_PROFILE, analyze_terms, primary_language

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchFilters:
    """All optional; dates are ISO (YYYY, YYYY-MM, YYYY-MM-DD, date-time) or ages like 7d, 12h.

    since/until bound the published date (articles without one are left out when either is
    given). captured_since keeps articles whose latest capture is at or after it,
    captured_until those first captured at or before it: the article was being archived then.
    """

    site: str | None = None  # a host matches its subdomains: bbc.co.uk matches news.bbc.co.uk
    author: str | None = None  # words of one author's name, e.g. "Doe" or "jane doe"
    lang: str | None = None  # primary language subtag, e.g. "en"
    job: str | None = None
    since: str | None = None
    until: str | None = None
    captured_since: str | None = None
    captured_until: str | None = None


def site_keys(*values: str) -> set[str]:
    """What a site filter can match: each name or host, and a host's parent domains."""
    keys: set[str] = set()
    for value in values:
        key = normalize_site(value)
        if not key:
            continue
        keys.add(key)
        labels = key.split(".")
        if len(labels) > 2 and " " not in key:
            keys.update(".".join(labels[i:]) for i in range(1, len(labels) - 1))
    return keys


def normalize_site(value: str | None) -> str:
    """'https://www.BBC.co.uk/news' -> 'bbc.co.uk'; 'BBC News' -> 'bbc news'."""
    value = (value or "").strip().lower()
    if "://" in value:
        value = urlsplit(value).hostname or ""
    elif "/" in value and " " not in value:
        value = value.split("/", 1)[0]
    value = value.rsplit("@", 1)[-1].split(":", 1)[0] if " " not in value else value
    return value[4:] if value.startswith("www.") else value


def filter_queries(filters: SearchFilters, schema: tantivy.Schema) -> list[tantivy.Query]:
    """Filters as zero-score queries, so they narrow without changing the ranking."""
    queries: list[tantivy.Query] = []
    keywords = (("site", filters.site, normalize_site), ("lang", filters.lang, primary_language),
                ("job", filters.job, lambda value: (value or "").strip()))
    for fieldname, given, normalise in keywords:
        if not given or not given.strip():
            continue  # blank (e.g. an empty form field): no filter
        value = normalise(given)
        if not value:
            raise UsageError(f"{fieldname} filter {given!r} names no {fieldname}")
        queries.append(tantivy.Query.term_query(schema, fieldname, value))
    if filters.author and filters.author.strip():
        queries.append(_author_query(filters.author, schema))
    now = datetime.now(timezone.utc)
    bounds = (("published_ts", "since", filters.since, False), ("published_ts", "until", filters.until, True),
              ("captured_ts", "captured_since", filters.captured_since, False),
              ("first_captured_ts", "captured_until", filters.captured_until, True))
    for fieldname, name, given, is_upper in bounds:
        if not given or not given.strip():
            continue
        bound = parse_date_bound(given, name=name, end=is_upper, now=now)
        lower, upper = (None, bound) if is_upper else (bound, None)
        queries.append(tantivy.Query.range_query(schema, fieldname, tantivy.FieldType.Integer, lower, upper))
    return [tantivy.Query.const_score_query(q, 0.0) for q in queries]


def _author_query(author: str, schema: tantivy.Schema) -> tantivy.Query:
    terms = analyze_terms(author, PLAIN_PROFILE)
    if not terms:
        raise UsageError(f"author filter {author!r} has no letters or digits")
    if len(terms) == 1:
        return tantivy.Query.term_query(schema, "author", terms[0].text)
    first = terms[0].position
    return tantivy.Query.phrase_query(schema, "author", [(t.position - first, t.text) for t in terms])


_AGE = re.compile(r"(\d{1,5})\s*([hdwy])")
_AGE_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1), "y": timedelta(days=365)}


def parse_date_bound(value: str, *, name: str, end: bool, now: datetime) -> int:
    """A filter date -> epoch seconds. A date means its whole day: `until` includes it."""
    text = value.strip().lower()
    age = _AGE.fullmatch(text)
    try:
        if age:
            return int((now - int(age.group(1)) * _AGE_UNITS[age.group(2)]).timestamp())
        start, span = _parse_partial_date(text)
        return int((start + span).timestamp()) - 1 if end else int(start.timestamp())
    except (ValueError, OverflowError):
        raise UsageError(f"{name} {value!r}: expected YYYY-MM-DD, YYYY-MM, YYYY, an ISO date-time "
                         "or an age like 12h, 7d, 2w, 1y") from None


def _parse_partial_date(text: str) -> tuple[datetime, timedelta]:
    """'2024' / '2024-05' / '2024-05-01' / ISO date-time -> (start in UTC, length of the period)."""
    if re.fullmatch(r"\d{4}", text):
        start = datetime(int(text), 1, 1, tzinfo=timezone.utc)
        return start, datetime(int(text) + 1, 1, 1, tzinfo=timezone.utc) - start
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = int(text[:4]), int(text[5:])
        start = datetime(year, month, 1, tzinfo=timezone.utc)
        following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=timezone.utc)
        return start, following - start
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = date.fromisoformat(text)
        return datetime(day.year, day.month, day.day, tzinfo=timezone.utc), timedelta(days=1)
    moment = datetime.fromisoformat(text.upper())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment, timedelta(seconds=1)


def parse_timestamp(value: str | None) -> int | None:
    """An article's ISO date or date-time -> epoch seconds; None when missing or unreadable."""
    if not value:
        return None
    try:
        start, _ = _parse_partial_date(value.strip())
    except (ValueError, OverflowError):
        log.debug("unreadable date %r ignored", value)
        return None
    return int(start.timestamp())

