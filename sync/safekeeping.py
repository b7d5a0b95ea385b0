"""Keeping the history: it is never silently replaced, it is checked before each run, and it is backed up.

- `open_history` refuses a history that is missing, empty (0 bytes) or unreadable while the data folder shows
  earlier runs (run reports in `data_dir/runs`): a fresh history would make on-time schools late (their first
  evidence gone). It says how to restore a backup, or how to start over on purpose (`--new-history`, which
  keeps the broken file aside, never deletes it). It runs `PRAGMA quick_check` and `PRAGMA foreign_key_check`.
- `backup` copies a live history with SQLite's online backup API (consistent while a run writes);
  `rotate` keeps the newest N nightly copies in `data_dir/backups`; `restore` puts a checked copy back, keeping
  the one it replaces.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sync.history import History
from workbook.errors import KhetError

BACKUP_PREFIX = "history-"


class HistoryError(KhetError):
    code = "history"


def backups_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / "backups"


def earlier_runs(data_dir: str | Path) -> list[Path]:
    """What shows that this data folder ran before: its run reports."""
    runs = Path(data_dir) / "runs"
    return sorted(runs.glob("run-*.json")) if runs.is_dir() else []


def _how_to_recover(data_dir: Path) -> tuple[str, str]:
    copies = sorted(backups_dir(data_dir).glob(f"{BACKUP_PREFIX}*.sqlite"))
    latest = f" (ล่าสุด {copies[-1]})" if copies else ""
    latest_en = f" (newest: {copies[-1]})" if copies else ""
    return (f"กู้คืนด้วย khet history restore FILE จากสำเนาใน {backups_dir(data_dir)}{latest} หรือถ้าตั้งใจเริ่มใหม่ "
            "สั่ง khet sync run --new-history (ไฟล์เดิมถูกเก็บไว้ ไม่ถูกลบ)",
            f"restore a copy with khet history restore FILE from {backups_dir(data_dir)}{latest_en}, or start over "
            "on purpose with khet sync run --new-history (the old file is kept aside, never deleted)")


def check(h: History) -> list[str]:
    """Problems `PRAGMA quick_check` and `PRAGMA foreign_key_check` find (empty: sound)."""
    problems = [r[0] for r in h.db.execute("PRAGMA quick_check").fetchall() if r[0] != "ok"]
    problems += [f"foreign key: {r[0]} row {r[1]} → {r[2]}" for r in h.db.execute("PRAGMA foreign_key_check")]
    return problems


LOCK_WAIT = 30.0  # seconds a run waits for a history another program holds locked


def open_history(path: str | Path, *, data_dir: str | Path, new_history: bool = False,
                 wait: float = LOCK_WAIT) -> History:
    """The history of this data folder, or a HistoryError saying why it cannot be used and what to do."""
    path, data_dir = Path(path), Path(data_dir)
    earlier = earlier_runs(data_dir)
    state = "missing" if not path.exists() else "empty" if path.stat().st_size == 0 else None
    if state and earlier and not new_history:
        th, en = _how_to_recover(data_dir)
        what_th = "ไม่พบไฟล์ประวัติ" if state == "missing" else "ไฟล์ประวัติว่างเปล่า (0 ไบต์)"
        what_en = "the history file is missing" if state == "missing" else "the history file is empty (0 bytes)"
        raise HistoryError(f"history.{state}",
                           f"{what_th} {path} ทั้งที่เคยประมวลผลมาแล้ว {len(earlier)} รอบ ({data_dir / 'runs'}) "
                           f"ระบบจะไม่สร้างประวัติใหม่เอง เพราะวันส่งรายงานที่บันทึกไว้จะหายหมด — {th}",
                           f"{what_en} at {path}, yet {len(earlier)} earlier runs are recorded in "
                           f"{data_dir / 'runs'}; a new history is never made silently (every recorded submission "
                           f"date would be lost) — {en}", path=str(path))
    if state == "empty" and new_history:
        _set_aside(path)
    try:
        h = History(path, timeout=wait)
        problems = check(h)
        h.db.execute("BEGIN IMMEDIATE")  # can this run write? (waits up to `wait` for another program)
        h.db.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc).lower():
            raise
        raise HistoryError("history.locked",
                           f"ฐานข้อมูลประวัติ {path} ถูกโปรแกรมอื่นล็อกไว้เกิน {wait:.0f} วินาที (เช่น เปิดค้างไว้ใน DB "
                           "Browser หรือมีงานอีกชุดทำงานอยู่) ปิดโปรแกรมนั้นแล้วสั่งใหม่",
                           f"the history {path} stayed locked by another program for over {wait:.0f} s (left open "
                           "in DB Browser, or another run); close it and run again", path=str(path)) from None
    except sqlite3.DatabaseError as exc:
        problems, h = [str(exc)], None
    if problems:
        if h is not None:
            h.close()
        if not new_history:
            th, en = _how_to_recover(data_dir)
            raise HistoryError("history.corrupt",
                               f"ไฟล์ประวัติ {path} เสียหาย ({problems[0]}) — {th}",
                               f"the history {path} is damaged ({problems[0]}) — {en}", path=str(path))
        _set_aside(path)
        h = History(path)
    if earlier and not h.runs(limit=1):  # started over on purpose: numbering goes on after the last report
        h.number_runs_from(max(_run_number(p) for p in earlier) + 1)
    return h


def _run_number(report: Path) -> int:
    digits = report.stem.removeprefix("run-")
    return int(digits) if digits.isdigit() else 0


def _set_aside(path: Path) -> Path:
    """Move a broken history (and its WAL files) out of the way; never delete it."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.broken-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(path) + suffix)
        if src.exists():
            src.rename(Path(str(aside) + suffix))
    return aside


def backup(h: History, dest: str | Path) -> Path:
    """A consistent copy of a live history (SQLite online backup), readable by its owner only."""
    dest = Path(dest)
    if not dest.parent.exists():  # a folder of copies of school personal data: its owner only, as data_dir
        dest.parent.mkdir(parents=True, mode=0o700)
        dest.parent.chmod(0o700)  # mkdir's mode is narrowed by the umask, never widened: set it as meant
    tmp = dest.with_name(dest.name + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    target = sqlite3.connect(tmp)
    try:
        h.db.backup(target)
    finally:
        target.close()
    os.replace(tmp, dest)
    return dest


def rotate(h: History, data_dir: str | Path, keep: int) -> Path | None:
    """Tonight's backup in data_dir/backups, keeping the newest `keep` (0: no nightly backups)."""
    if keep <= 0:
        return None
    folder = backups_dir(data_dir)
    out = backup(h, folder / f"{BACKUP_PREFIX}{datetime.now(UTC):%Y%m%d-%H%M%S-%f}.sqlite")
    for old in sorted(folder.glob(f"{BACKUP_PREFIX}*.sqlite"))[:-keep]:
        old.unlink()
    return out


def restore(source: str | Path, path: str | Path) -> Path | None:
    """Put a backup in place of the history; returns where the replaced history was kept (None: there was none).
    The caller holds the run lock (a run must not write meanwhile)."""
    source, path = Path(source), Path(path)
    if not source.is_file() or source.stat().st_size == 0:
        raise HistoryError("history.restore_source", f"ไม่พบสำเนา {source} หรือไฟล์ว่าง",
                           f"no backup at {source}, or it is empty", path=str(source))
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        ok = src.execute("PRAGMA quick_check").fetchone()[0] == "ok" and src.execute(
            "SELECT value FROM meta WHERE key='schema_version'").fetchone() is not None
    except sqlite3.DatabaseError:
        ok, src = False, None
    if not ok:
        if src is not None:
            src.close()
        raise HistoryError("history.restore_invalid", f"{source} ไม่ใช่ประวัติของ Khet ที่สมบูรณ์ จึงไม่กู้คืน",
                           f"{source} is not a sound Khet history; nothing was restored", path=str(source))
    kept = _set_aside(path) if path.exists() else None
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    dest = sqlite3.connect(path)
    try:
        src.backup(dest)
    finally:
        dest.close()
        src.close()
    return kept

