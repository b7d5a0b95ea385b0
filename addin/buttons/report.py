"""Button "สร้างรายงานเขต": build the district report file from the latest data (`khet sync report --json`)
and say where it is."""

from __future__ import annotations

import xlwings as xw

from addin.excel import run_button, run_khet, tell


def run(book: xw.Book) -> dict:
    result = run_khet(book, ["sync", "report"])
    result = result if isinstance(result, dict) else {"files": result}
    files = result.get("files") or ([result["path"]] if result.get("path") else [])
    listing = "\n".join(str(f) for f in files) or "-"
    tell(book, f"สร้างรายงานเขตแล้ว:\n{listing}", f"District report written:\n{listing}")
    return result


def main() -> None:
    run_button("สร้างรายงานเขต", run)
