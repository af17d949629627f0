"""The offline reader: a local, read-only web app over an archive's index and WARC files.

`ReaderServer(archive_dir).start()` serves it on 127.0.0.1 (see server); `ReaderApp` is the WSGI
application (app), its pages are in pages, and archived originals are replayed by replay.
"""

from __future__ import annotations

from newsarchiver.web.app import HostPolicy, ReaderApp
from newsarchiver.web.server import DEFAULT_HOST, DEFAULT_PORT, ReaderServer

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "HostPolicy", "ReaderApp", "ReaderServer"]
