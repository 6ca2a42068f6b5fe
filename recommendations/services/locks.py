"""A lock that keeps two runs of a scheduled command from overlapping.

An exclusive, non-blocking `fcntl.flock` on a file: the second run fails at once. The
kernel releases an flock when its holder exits, even when killed, so a crashed run never
leaves a stale lock; the file itself stays (removing it would race). The holder writes
its process id into the file, for the message of the run it refuses. flock is local to
one host: keep the file on a local filesystem, and run the command on one host.
"""

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive_lock(path: Path, *, refuse: Callable[[str], Exception]) -> Iterator[None]:
    """Hold `path` exclusively while the block runs, or raise `refuse(by)` at once, where
    `by` is " by process N" when the holder is known, else ""."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
            raise refuse(f" by process {holder}" if holder.isdigit() else "") from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(descriptor)  # releases the lock
