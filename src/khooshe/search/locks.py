"""An inter-process lock on a file (``fcntl.flock``), used to give an index one writer at a time.

``flock`` locks belong to an open file description, so two ``FileLock`` objects on the same path
exclude each other across processes *and* across threads of one process. The lock is released when the
holder closes the file or dies (a crashed worker never leaves the index locked). POSIX only (Linux,
macOS), like the rest of the deployment.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path


class FileLock:
    """``with FileLock(path, timeout=2.0) as got:`` (``got`` is False when the lock was not obtained in
    time; ``timeout=0`` tries once, ``timeout=None`` waits as long as it takes).

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "x.lock")
    >>> with FileLock(path) as a, FileLock(path, timeout=0) as b:
    ...     a, b
    (True, False)
    """

    def __init__(self, path: str | Path, timeout: float | None = None, poll: float = 0.02):
        self.path = Path(path)
        self.timeout = timeout
        self.poll = poll
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            raise RuntimeError(f"{self.path} is already held by this FileLock")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        delay = self.poll
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._fd = fd
                return True
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(delay if deadline is None else max(0.0, min(delay, deadline - time.monotonic())))
                delay = min(delay * 2, 0.25)

    def release(self) -> None:
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            finally:
                os.close(self._fd)
                self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
