"""One lock per job (`<archive>/.state/<job>.lock`), so a job never runs twice at once.

The lock is `fcntl.flock` on an open file, not the file's existence: the kernel drops it when the
process ends however it ends (crash, `kill -9`, power loss), so a dead run never leaves a job
stuck. The holder's pid is written into the file only to name it in the error message. The file
itself is left in place: deleting a flock'ed file lets a third process lock a fresh inode while
the second still holds the old one.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import Optional

from newsarchiver.errors import ArchiveError, LockedError


def lock_path(archive_dir: Path, job: str) -> Path:
    return archive_dir / ".state" / f"{job}.lock"


class JobLock:
    """`with JobLock(archive_dir, "rferl"): ...`; raises LockedError at once when held elsewhere."""

    def __init__(self, archive_dir: Path, job: str) -> None:
        self.job = job
        self.path = lock_path(archive_dir, job)
        self._fd: Optional[int] = None

    def acquire(self) -> None:
        if self._fd is not None:
            raise RuntimeError(f"{self.path}: already held by this JobLock")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ArchiveError(f"{self.path}: cannot create the job lock: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _read_pid(fd)
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise ArchiveError(f"{self.path}: cannot lock: {exc.strerror}") from exc
            who = f"pid {holder}" if holder else "another process"
            raise LockedError(f"job {self.job!r} is already running ({who}, lock {self.path}); "
                              "wait for that run to finish or stop it") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)  # no stale pid for the next reader
        finally:
            os.close(fd)  # closing drops the flock

    def __enter__(self) -> "JobLock":
        self.acquire()
        return self

    def __exit__(self, exc_type: Optional[type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.release()


def _read_pid(fd: int) -> Optional[int]:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
