"""What the job benchmarks share: their command line, logging, a throw-away folder with the emulator, one
night of the real job, and a call counted by the emulator's request counters.

Logging: the job and its HTTP client log warnings (a retried 429, a failed feedback write) that the person on
call reads in the night's log. Without a handler Python's last resort printed them raw among the figures; here
they go to a log file (its path and the number of warnings are printed at the end), and only errors also reach
the terminal.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import logging
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from sync.emulator import Emulator
from sync.history import History
from sync.job import JobSettings, run_once


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.by_level: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.by_level[record.levelname] += 1


def setup_logging(name: str) -> Path:
    """Library logging into a file of its own (printed at exit with the count of warnings); errors on stderr."""
    path = Path(tempfile.gettempdir()) / f"khet-{name}-{dt.datetime.now():%Y%m%d-%H%M%S}.log"
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(fmt)
    to_err = logging.StreamHandler()
    to_err.setLevel(logging.ERROR)
    to_err.setFormatter(fmt)
    count = _Count()
    root = logging.getLogger()
    root.handlers[:] = [to_file, to_err, count]
    root.setLevel(logging.INFO)

    def said() -> None:
        if count.by_level:
            print(f"log: {', '.join(f'{n} {lvl.lower()}' for lvl, n in sorted(count.by_level.items()))} in {path}")
    atexit.register(said)
    return path


def parser(doc: str, name: str) -> argparse.ArgumentParser:
    """The benchmark's command line (described by its docstring's first line); logging set up."""
    setup_logging(name)
    return argparse.ArgumentParser(description=doc.splitlines()[0])


@contextmanager
def emulated(count: int = 1, **emu_kwargs: Any) -> Iterator[tuple[Path, list[Emulator]]]:
    """A throw-away folder and ``count`` emulators (quota lifted unless given): setup is not what is measured."""
    emu_kwargs = {"user_quota": 10**9, "project_quota": 10**9, **emu_kwargs}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        yield Path(tmp), [stack.enter_context(Emulator(**emu_kwargs)) for _ in range(count)]


def run_night(dd, history: History, out: Path, day: dt.date, *, fiscal_year: int, now: dt.datetime | None = None,
              trigger: str = "bench", clients=None, workers: int = 1):
    """One night of the real job (``run_once``) for a demo district ``dd`` (sync.demo.setup_district)."""
    read, write = clients or dd.job_clients()
    return run_once(JobSettings(history=history, registry=dd.registry, read_client=read, write_client=write,
                                district_spreadsheet_id=dd.district_id, report_dir=out, fiscal_year=fiscal_year,
                                today=day, trigger=trigger, now=now, workers=workers))


def counted(emu: Emulator, fn: Callable, *args: Any) -> tuple[Any, float, dict[str, int]]:
    """fn(*args), its seconds and the emulator's request counts (all, reads, writes)."""
    emu.reset_counters()
    t0 = time.perf_counter()
    out = fn(*args)
    seconds = time.perf_counter() - t0
    c = emu.counters()
    kinds = c["by_kind"]
    return out, seconds, {"all": c["total"], "reads": sum(v for k, v in kinds.items() if "read" in k),
                          "writes": kinds.get("write", 0)}
