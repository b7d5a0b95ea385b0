"""A lock so two nightly runs never overlap (cron firing while the daemon runs, a manual run at night…).

The lock is an OS-level lock on a file (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows): the
operating system releases it when the holding process dies, so a run killed with SIGKILL or a power cut never
leaves a stale lock behind. The file also records who holds it (pid, host, start time) so the second run can
say so in Thai and English.
"""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

from workbook.errors import KhetError

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt
else:
    import fcntl


class LockHeld(KhetError, RuntimeError):
    """Another run holds the lock."""

    code = "lock.held"

    def __init__(self, path: Path, holder: dict):
        who = f"pid {holder.get('pid', '?')} @ {holder.get('host', '?')}, {holder.get('started_at', '?')}"
        super().__init__(None, f"มีงานประมวลผลอีกชุดกำลังทำงานอยู่ ({who}) — รอให้เสร็จก่อนแล้วค่อยสั่งใหม่",
                         f"another run holds the lock ({who}); wait for it to finish", path=str(path))
        self.path = path
        self.holder = holder


class RunLock:
    """``with RunLock(path): ...`` — raises :class:`LockHeld` at once if another process holds it."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._fh = None

    def acquire(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # "a+" so opening never truncates the holder's record before we know we own the lock.
        fh = open(self.path, "a+", encoding="utf-8")
        try:
            if os.name == "nt":  # pragma: no cover
                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            try:
                holder = json.loads(fh.read() or "{}")
            except ValueError:
                holder = {}
            fh.close()
            raise LockHeld(self.path, holder) from None
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                             "started_at": datetime.now(UTC).isoformat(timespec="seconds")}))
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is None:
            return
        fh, self._fh = self._fh, None
        try:
            fh.seek(0)
            fh.truncate()
            if os.name == "nt":  # pragma: no cover
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
            else:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        finally:
            fh.close()

    @property
    def held(self) -> bool:
        return self._fh is not None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
