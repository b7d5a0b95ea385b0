"""The run report of one nightly run: console progress bar, log file and a JSON document, plus exit codes.

Exit codes (for cron, Windows Task Scheduler and systemd alike):
  0 success — every school read (or unchanged) and every output written;
  1 partial success — some schools were read and consolidated, but others (or feedback tabs, or registry rows)
    failed: see ``schools`` and ``registry``;
  2 failure — the run could not complete (configuration, registry, an output that could not be written at all
    — the others are still written — or an unexpected error);
  3 not run — another run holds the lock.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from sync.textwidth import fit

EXIT_OK, EXIT_PARTIAL, EXIT_FAILED, EXIT_LOCKED = 0, 1, 2, 3
STATUS_BY_EXIT = {EXIT_OK: "success", EXIT_PARTIAL: "partial", EXIT_FAILED: "failed", EXIT_LOCKED: "locked"}

log = logging.getLogger("khet.sync")


@dataclass
class SchoolOutcome:
    school_code: str
    name: str = ""
    network: str = ""
    outcome: str = ""            # read | unchanged | failed | not_provisioned
    reason: str | None = None    # not_shared | deleted | tab_missing | quota | columns_changed | timeout | …
    detail: str | None = None
    last_good_at: str | None = None
    data_age_hours: float | None = None
    feedback: str | None = None  # written | unchanged | failed


@dataclass
class RunReport:
    run_id: int | None = None
    trigger: str = "manual"
    fiscal_year: int | None = None
    started_at: str | None = None
    ended_at: str | None = None
    status: str = "running"
    exit_code: int | None = None
    message_th: str = ""
    message_en: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)      # seconds per phase
    http: dict[str, Any] = field(default_factory=dict)          # requests, retries, waits
    outputs: dict[str, Any] = field(default_factory=dict)       # xlsx path, district sheet, feedback counts
    writers: dict[str, dict] = field(default_factory=dict)      # each output writer's own ok / error / seconds
    errors: list[str] = field(default_factory=list)
    registry: list[dict] = field(default_factory=list)          # rejected registry rows: no school, no count
    schools: list[SchoolOutcome] = field(default_factory=list)
    # Every fiscal year run tonight (sync/years.py), on the newest year's report: year, run, status, counts.
    years: list[dict] = field(default_factory=list)
    year_notes: list[dict] = field(default_factory=list)  # e.g. the current year not opened yet
    # Not a field (never serialised): the run's aggregate.Summary, for the demo's terminal print.
    summary = None

    def to_dict(self) -> dict:
        return asdict(self)

    def failed_schools(self) -> list[SchoolOutcome]:
        return [s for s in self.schools if s.outcome in ("failed", "not_provisioned")]

    def write_json(self, path: str | Path) -> Path:
        path = Path(path)
        from sync.registry import atomic_write

        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str).encode("utf-8"))
        return path


def setup_logging(log_dir: str | Path, when: datetime) -> Path:
    """Log file per night (``sync-YYYY-MM-DD.log``), appended to by every run of that night."""
    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / f"sync-{when:%Y-%m-%d}.log"
    root = logging.getLogger("khet")
    for h in list(root.handlers):
        if isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path.resolve():
            return path
        if isinstance(h, logging.FileHandler):
            root.removeHandler(h)
            h.close()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


class Progress:
    """A one-line console progress bar (only on a terminal, unless forced: logs stay clean under cron)."""

    def __init__(self, total: int, label: str = "", *, stream: TextIO | None = None, enabled: bool | None = None,
                 width: int = 30):
        self.total, self.label, self.width = max(total, 0), label, width
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.done = 0

    def update(self, n: int = 1, text: str = "") -> None:
        self.done = min(self.done + n, self.total) if self.total else self.done + n
        if not self.enabled:
            return
        frac = self.done / self.total if self.total else 1.0
        filled = int(frac * self.width)
        bar = "█" * filled + "░" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total} {fit(text, 40)}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
