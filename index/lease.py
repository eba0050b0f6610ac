"""The write lease for a shared Chroma server: one `newsbot index` at a time, from any machine.

A file lock protects one machine only, so the lease is a record in the server (a small
side collection, see ``LeaseSlot`` in index/store.py) naming its owner and an expiry.
A writer renews it after each committed batch; a writer killed with SIGKILL stops
renewing and its lease expires after ``ttl_s``, when the next writer may take it over.

Taking over an expired lease deletes it only while it still names the dead owner, then
creates it only when absent (first ``add`` wins), then reads it back: of two writers
racing, exactly one sees its own name.

Example (with ``MemorySlot`` from tests/fakes.py)::

    >>> slot = MemorySlot(); clock = iter(range(100)).__next__
    >>> lease = Lease(slot, "host-a:1", ttl_s=30, clock=clock); lease.acquire(wait_s=0)
    >>> Lease(slot, "host-b:2", ttl_s=30, clock=clock).acquire(wait_s=0)
    Traceback (most recent call last):
    ...
    bot.core.errors.StoreLockedError: another `newsbot index` (host-a:1) holds the write lease on the store ...
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import time
import uuid
from pathlib import Path
from typing import Callable, Mapping, Protocol

from bot.core.errors import StoreLockedError, StoreReadOnlyError

LOCK_FILE = ".index.lock"  # the local writer lock (one machine): <store>/.index.lock


class Slot(Protocol):
    def read(self) -> dict | None: ...

    def create(self, record: Mapping[str, object]) -> None: ...

    def write(self, record: Mapping[str, object]) -> None: ...

    def delete_if(self, owner: str) -> None: ...


def owner_name() -> str:
    """``host:pid:random`` — unique per run, readable in the message a second writer gets."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Lease:
    def __init__(self, slot: Slot, owner: str, *, ttl_s: float, where: str = "the store",
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep):
        self.slot, self.owner, self.ttl_s, self.where = slot, owner, float(ttl_s), where
        self._clock, self._sleep = clock, sleep

    def _record(self) -> dict:
        return {"owner": self.owner, "expires": self._clock() + self.ttl_s}

    def acquire(self, wait_s: float = 0.0) -> None:
        """Take the lease, waiting up to ``wait_s`` for a live holder; StoreLockedError after."""
        deadline = self._clock() + max(0.0, wait_s)
        while True:
            held = self.slot.read()
            if held is not None and float(held.get("expires", 0)) <= self._clock():
                self.slot.delete_if(str(held.get("owner", "")))  # expired: its writer died
                held = None
            if held is None:
                self.slot.create(self._record())
                held = self.slot.read()
            if held is not None and held.get("owner") == self.owner:
                return
            if self._clock() >= deadline:
                holder = held.get("owner", "?") if held else "?"
                left = max(0.0, float(held.get("expires", 0)) - self._clock()) if held else 0.0
                raise StoreLockedError(
                    f"another `newsbot index` ({holder}) holds the write lease on {self.where} "
                    f"(expires in {left:.0f} s unless renewed): wait for it to finish, or run again with "
                    "--wait SECONDS")
            self._sleep(min(1.0, max(0.05, deadline - self._clock())))

    def renew(self) -> None:
        """Extend the lease; StoreLockedError if it was lost (expired and taken over)."""
        held = self.slot.read()
        if held is None or held.get("owner") != self.owner:
            raise StoreLockedError(
                f"this `newsbot index` lost its write lease on {self.where} (it expired while the run was "
                "stalled, and another writer took it): run it again")
        self.slot.write(self._record())

    def release(self) -> None:
        self.slot.delete_if(self.owner)


@contextlib.contextmanager
def store_lock(store_dir: Path, wait_s: float = 0.0):
    """Exclusive write lock on the store; a second writer waits ``wait_s`` then fails clearly."""
    path = store_dir / LOCK_FILE
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:  # permissions, a read-only file system, a file where the folder should be
        raise StoreReadOnlyError(f"cannot write to the store {store_dir} ({err.strerror}: {err.filename}): make it "
                                 f"writable (chmod -R u+w {store_dir}) or use another --store") from None
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = path.read_text(encoding="utf-8", errors="replace").strip() or "?"
                    raise StoreLockedError(
                        f"another `newsbot index` (pid {holder}) is writing to {store_dir}: wait for it to "
                        "finish, or run again with --wait SECONDS") from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)  # closing releases the flock (also when the process is killed)
