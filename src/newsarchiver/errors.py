"""One exception tree for newsarchiver, and the exit codes the CLI maps it to.

    NewsArchiverError                 exit 1  (anything the library reports on purpose)
     ├── ConfigError                  exit 3  malformed config.toml or bad option value
     ├── UsageError                   exit 2  bad command-line input (e.g. invalid search syntax)
     ├── FetchError                   (per URL; recorded as data during a crawl, never fatal)
     │    └── BlockedError            the SSRF guard or robots.txt refused a URL
     ├── ArchiveError                 exit 4  WARC files: unwritable directory, disk full
     │    └── WarcFormatError         exit 5  truncated, malformed or non-WARC input
     ├── IndexStoreError                 exit 6  the SQLite catalogue cannot be opened or is damaged
     │    └── IndexWriteError         exit 4  ... or cannot be written (disk full, no permission)
     └── LockedError                  exit 7  another run of the same job holds its lock

Every message is one line that names the object and, where there is one, the fix.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    CONFIG = 3
    ARCHIVE = 4
    WARC_FORMAT = 5
    INDEX = 6
    LOCKED = 7
    PARTIAL = 8  # the run finished but some URLs failed
    INTERRUPTED = 130


class NewsArchiverError(Exception):
    exit_code: ExitCode = ExitCode.ERROR


class ConfigError(NewsArchiverError):
    exit_code = ExitCode.CONFIG


class UsageError(NewsArchiverError):
    exit_code = ExitCode.USAGE


class FetchError(NewsArchiverError):
    """A single URL could not be fetched; the crawl records it and goes on."""


class BlockedError(FetchError):
    """The SSRF guard, the scheme filter or robots.txt refused a URL."""


class ArchiveError(NewsArchiverError):
    exit_code = ExitCode.ARCHIVE


class WarcFormatError(ArchiveError):
    exit_code = ExitCode.WARC_FORMAT

    def __init__(self, path: str, offset: int, reason: str) -> None:
        super().__init__(f"{path}: offset {offset}: {reason}")
        self.path = path
        self.offset = offset
        self.reason = reason


class IndexStoreError(NewsArchiverError):
    exit_code = ExitCode.INDEX


class IndexWriteError(IndexStoreError):
    """The index file cannot be written (disk full, permissions): the archive directory's fault."""

    exit_code = ExitCode.ARCHIVE


class LockedError(NewsArchiverError):
    exit_code = ExitCode.LOCKED
