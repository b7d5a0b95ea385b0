"""`khet sync daemon`: run the nightly job every day at a configured Asia/Bangkok time, plus a manual trigger.

Scheduling uses the ``schedule`` library (``every().day.at("HH:MM", "Asia/Bangkok")``), so the machine's own
time zone does not matter. The manual trigger is a file: ``khet sync trigger`` creates ``<data dir>/run-now``
and the daemon starts a run within ``poll_seconds`` (a file works the same on Windows and Linux, needs no open
port, and survives a daemon restart). Each run still takes the run lock, so a cron run at the same moment
simply reports that it was not needed.

With ``remind``, the day's reminders (``khet remind``) run at ``remind_at`` (the settings' เวลาส่งแจ้งเตือน).
With a ``poll`` (the control channel, ``sync.control``), each tick also polls the staff requests when due;
the poll returns the seconds until the next one (every 2 minutes in office hours by default). A poll that
fails is logged and tried again a minute later: the nightly schedule never depends on it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import schedule

from addin.status import today_in_thailand

TRIGGER_FILE = "run-now"
log = logging.getLogger("khet.sync.daemon")


def request_run(data_dir: str | Path) -> Path:
    """Ask a running daemon for a run now (``khet sync trigger``)."""
    path = Path(data_dir) / TRIGGER_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(datetime.now().isoformat(timespec="seconds"), encoding="utf-8")
    return path


class Daemon:
    def __init__(self, run: Callable[[str], int], *, at: str = "02:00", tz: str = "Asia/Bangkok",
                 data_dir: str | Path = ".khet", poll_seconds: float = 5.0,
                 poll: Callable[[], float] | None = None,
                 tight_days: Callable[[date], bool] | None = None, tight_every_minutes: int = 60,
                 today: Callable[[], date] = today_in_thailand,
                 remind: Callable[[], int] | None = None, remind_at: str = "08:30"):
        self.run_job = run
        self.at, self.tz = at, tz
        self.trigger_path = Path(data_dir) / TRIGGER_FILE
        self.poll_seconds = poll_seconds
        self.scheduler = schedule.Scheduler()
        self.job = self.scheduler.every().day.at(at, tz).do(self._fire, "daemon")
        # Near deadlines (a due date and the day after): also every `tight_every_minutes`, so a confirmation's
        # evidence is read within the hour. Incremental reads keep such a day cheap (benchmarks/bench_year.py).
        self.tight_days, self.today = tight_days, today
        self.tight_job = (self.scheduler.every(tight_every_minutes).minutes.do(self._tight)
                          if tight_days is not None and tight_every_minutes > 0 else None)
        # The day's reminders (sync.remind) at the settings' time; `khet remind` itself sends nothing on a day off
        # or in quiet hours, and never the same message twice a day.
        self.remind = remind
        self.remind_job = (self.scheduler.every().day.at(remind_at, tz).do(self._remind)
                           if remind is not None else None)
        self.reminded: list[int] = []  # exit codes of the reminder runs, newest last
        self.stop_event = threading.Event()
        self.results: list[tuple[str, int]] = []  # (trigger, exit code) of every run, newest last
        self.poll = poll
        self.next_poll = 0.0  # time.monotonic() of the next control poll

    @property
    def next_run(self) -> datetime | None:
        """Next scheduled run in the machine's local time (naive, as ``schedule`` keeps it)."""
        return self.job.next_run

    def _fire(self, trigger: str) -> None:
        log.info("run started (%s)", trigger)
        try:
            code = int(self.run_job(trigger))
        except Exception:  # the daemon must outlive a failed night
            log.exception("run crashed")
            code = 2
        self.results.append((trigger, code))
        log.info("run finished (%s) exit=%s", trigger, code)

    def _remind(self) -> None:
        log.info("reminders started")
        try:
            code = int(self.remind())
        except Exception:  # noqa: BLE001 - a failed morning never stops the nights
            log.exception("reminders crashed")
            code = 2
        self.reminded.append(code)
        log.info("reminders finished exit=%s", code)

    def _tight(self) -> None:
        if self.tight_days is not None and self.tight_days(self.today()):
            self._fire("deadline")

    def tick(self) -> None:
        """One pass: a manual trigger first, then anything the schedule says is due."""
        if self.trigger_path.exists():
            self.trigger_path.unlink(missing_ok=True)
            self._fire("manual")
        self.scheduler.run_pending()
        if self.poll is not None and time.monotonic() >= self.next_poll:
            try:
                wait = float(self.poll())
            except Exception:  # noqa: BLE001 - Google down or quota: the next try is a minute away
                log.exception("control poll failed")
                wait = 60.0
            self.next_poll = time.monotonic() + wait

    def serve(self, max_runs: int | None = None) -> None:
        while not self.stop_event.is_set():
            self.tick()
            if max_runs is not None and len(self.results) >= max_runs:
                return
            self.stop_event.wait(self.poll_seconds)

    def stop(self) -> None:
        self.stop_event.set()
