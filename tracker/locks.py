"""File locks between processes, on Linux (flock) and on Windows (msvcrt).

Linux serves with gunicorn's processes, which take turns at the database through these locks. On
Windows the app is served by waitress, one process with threads, so the writers' in-process queue
already orders them; the byte lock there only guards against a second server. msvcrt has no shared
lock, so on Windows the "a server is using this database" lock is not taken, and restore cannot
tell that a server still runs (the README says to stop it first).
"""

import os
import sys

if sys.platform == "win32":
    import msvcrt

    def lock_exclusive_nowait(fd: int) -> None:
        """Take the lock at once or raise BlockingIOError."""
        os.lseek(fd, 0, os.SEEK_SET)  # msvcrt locks bytes from the current position
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as error:
            raise BlockingIOError(*error.args) from error

    def lock_shared(fd: int) -> None:
        """No shared lock on Windows (see the module's docstring)."""

    def unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def lock_exclusive_nowait(fd: int) -> None:
        """Take the lock at once or raise BlockingIOError."""
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def lock_shared(fd: int) -> None:
        """Wait for a shared lock (any number of holders, none exclusive)."""
        fcntl.flock(fd, fcntl.LOCK_SH)

    def unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
