"""Check a WARC file the way an archivist would before handing it on.

Structure readable to the end of the file (no truncated record, no garbage), every block and
payload digest, unique WARC-Record-IDs, a `warcinfo` record first, each HTTP `response` paired
with a `request` by WARC-Concurrent-To, the fields a revisit needs, and a name without the `.open`
suffix of a file still being written. Every problem is one line. Two things are warnings, not
problems: a record cut on purpose by the crawler (WARC-Truncated), and a `request` with no response.

Decision: a missing `warcinfo` first record is a problem for every WARC, ours or foreign: wget,
Heritrix and browsertrix-crawler all write one, so its absence means damage or a careless tool.
ARC files get the checks that make sense for ARC (no record IDs, no request records).

Decision: a request without a response is a faithful record of a failed attempt, not damage. wget
writes the request before it reads the reply; when a kept-alive connection turns out closed it
retries on a new one and the first request stays alone. A response without its request is still
a problem: no tool writes that on purpose.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

from newsarchiver.errors import WarcFormatError
from newsarchiver.warcread import WarcEntry, iter_entries

# Payloads are only kept to check a de-chunked digest; beyond this, only the raw digest is checked.
_VERIFY_PAYLOAD_BYTES = 8 * 1024 * 1024
_MAX_PROBLEMS = 50  # a file with a million bad records needs no million lines
_MANDATORY_WARC_FIELDS = ("WARC-Record-ID", "WARC-Date", "WARC-Type")


@dataclass(frozen=True)
class VerifyReport:
    path: str
    records: int
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_warc(path: str | os.PathLike[str]) -> VerifyReport:
    """Read the whole file and report every problem found (one line each)."""
    spath = os.fspath(path)
    checks = _Checks()
    problems: list[str] = []
    if spath.endswith(".open"):
        problems.append("unclosed: the name ends in .open (a crawl is still writing it, or crashed "
                        "and the next run will recover it)")
    try:
        for entry in iter_entries(spath, max_payload_bytes=_VERIFY_PAYLOAD_BYTES, check_digests=True):
            checks.add(entry)
    except WarcFormatError as exc:
        problems.append(f"offset {exc.offset}: {exc.reason}")
    problems.extend(checks.finish())
    if len(problems) > _MAX_PROBLEMS:
        problems = problems[:_MAX_PROBLEMS] + [f"... and {len(problems) - _MAX_PROBLEMS} more problems"]
    return VerifyReport(spath, checks.records, problems, checks.warnings)


@dataclass
class _Link:
    offset: int
    rec_type: str
    url: Optional[str]


class _Checks:
    """Per-record checks, and the cross-record ones (IDs, pairing) done once all are seen."""

    def __init__(self) -> None:
        self.records = 0
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.ids: dict[str, int] = {}  # record ID -> offset of its first use
        self.http: dict[str, _Link] = {}  # requests, responses and revisits by record ID
        self.edges: list[tuple[str, str]] = []  # WARC-Concurrent-To links, either direction
        self.format = "warc"
        self.whole_file_gzip = False

    def add(self, entry: WarcEntry) -> None:
        self.records += 1
        where = f"offset {entry.offset}: {entry.rec_type} {entry.url or ''}".rstrip()
        if self.records == 1:
            self.format = entry.format
            if entry.rec_type != "warcinfo":
                self.problems.append(f"{where}: first record is not a warcinfo record (it should describe "
                                     "the crawl; the file may have lost its beginning)")
        if not entry.seekable and not self.whole_file_gzip:
            self.whole_file_gzip = True
            self.problems.append("whole-file gzip: records cannot be read by offset (pywb and CDXJ need "
                                 "one gzip member per record); fix with `warcio recompress`")
        self.problems.extend(f"{where}: {p}" for p in entry.digest_problems)
        if entry.truncated:
            self.warnings.append(f"{where}: cut by the crawler (WARC-Truncated: {entry.truncated})")
        if entry.format == "warc":
            self._check_warc_fields(entry, where)

    def _check_warc_fields(self, entry: WarcEntry, where: str) -> None:
        missing = [name for name in _MANDATORY_WARC_FIELDS if not entry.header_values(name)]
        if missing:
            self.problems.append(f"{where}: missing mandatory {', '.join(missing)}")
        if entry.record_id:
            first = self.ids.setdefault(entry.record_id, entry.offset)
            if first != entry.offset:
                self.problems.append(f"{where}: duplicate WARC-Record-ID {entry.record_id} "
                                     f"(first used at offset {first})")
        if entry.rec_type == "revisit":
            self._check_revisit(entry, where)
        if entry.rec_type in ("request", "response", "revisit") and entry.record_id \
                and (entry.url or "").lower().startswith(("http:", "https:")):
            self.http[entry.record_id] = _Link(entry.offset, entry.rec_type, entry.url)
        if entry.record_id:
            self.edges.extend((entry.record_id, target) for target in entry.header_values("WARC-Concurrent-To"))

    def _check_revisit(self, entry: WarcEntry, where: str) -> None:
        profile = (entry.header_values("WARC-Profile") or [""])[0]
        needed = ["WARC-Profile"] if not profile else []
        # WARC/1.0 had no Refers-To-Target-URI/Date (Heritrix's revisits lack them, legitimately).
        if entry.version != "WARC/1.0":
            needed += [name for name in ("WARC-Refers-To-Target-URI", "WARC-Refers-To-Date")
                       if not entry.header_values(name)]
        if profile.endswith("/identical-payload-digest") and not entry.payload_digest:
            needed.append("WARC-Payload-Digest")
        if needed:
            self.problems.append(f"{where}: revisit without {', '.join(needed)}")

    def finish(self) -> list[str]:
        if self.format == "warc":
            self._check_pairs()
        return self.problems

    def _check_pairs(self) -> None:
        """Each HTTP response needs a request; a request without a response or revisit is a warning.

        Tools link either way round (warcio, Heritrix and browsertrix put WARC-Concurrent-To on the
        request, wget on the response), so a link in either direction counts.
        """
        partners: dict[str, set[str]] = {}
        for a, b in self.edges:
            if a in self.http and b in self.http:
                partners.setdefault(a, set()).add(self.http[b].rec_type)
                partners.setdefault(b, set()).add(self.http[a].rec_type)
        for record_id, link in sorted(self.http.items(), key=lambda item: item[1].offset):
            linked = partners.get(record_id, set())
            where = f"offset {link.offset}: {link.rec_type} {link.url}"
            if link.rec_type == "response" and "request" not in linked:
                self.problems.append(f"{where}: no request record linked by WARC-Concurrent-To")
            elif link.rec_type == "request" and not linked & {"response", "revisit"}:
                self.warnings.append(f"{where}: no response record linked by WARC-Concurrent-To "
                                     "(the fetch failed after the request was written)")
