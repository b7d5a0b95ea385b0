"""LibreOffice headless as a real third-party client of our files: open them, convert them (to .ods, which shows
what LibreOffice imported, VBA modules included), render them to PDF and PNG (poppler) and read the rendered text
back — what a person would see on screen or paper.

Without LibreOffice (Debian: libreoffice-calc-nogui, fonts-thai-tlwg, poppler-utils; `.ci/run` installs them)
these tests cannot run: they are skipped with a loud reason, and the session ends with a banner saying so
(tests/conftest.py). With `KHET_REQUIRE_LIBREOFFICE=1` (set by `.ci/run`) a missing client is a failure.
Rendering is slow (seconds per file on 2 cores): callers render once per test module.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

TOOLS = {"soffice": shutil.which("soffice"), "pdftoppm": shutil.which("pdftoppm"),
         "pdftotext": shutil.which("pdftotext"), "pdffonts": shutil.which("pdffonts")}
MISSING = [name for name, path in TOOLS.items() if not path]
SKIP_BANNER = "LIBREOFFICE TESTS DID NOT RUN"
THAI = re.compile(r"[\u0e01-\u0e5b]")
# Thai fonts the Debian packages bring (fonts-thai-tlwg; fonts-noto-core): without one, Thai renders as boxes.
THAI_FONTS = re.compile(r"Garuda|Loma|Norasi|Kinnari|Laksaman|Sawasdee|Umpush|Waree|Tlwg|Purisa|NotoSansThai|"
                        r"NotoSerifThai|Sarabun", re.I)
THAI_MONTHS = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
BE_DATE = re.compile(r"\b\d{1,2} (?:" + "|".join(re.escape(m) for m in THAI_MONTHS) + r") 25\d\d\b")
# What a broken cell looks like on paper: too narrow (###), an empty value printed by its Python name.
BROKEN = re.compile(r"###|\bnan\b|\bNone\b|\bNaT\b|\bNaN\b")
DATE_SERIAL = re.compile(r"(?<![\d,.])4[4-8]\d{3}(?:\.\d+)?(?![\d,])")  # 2020–2033 as Excel serial numbers


def need_libreoffice() -> None:
    if not MISSING:
        return
    message = (f"{SKIP_BANNER}: {', '.join(MISSING)} not found — apt-get install libreoffice-calc-nogui "
               "fonts-thai-tlwg poppler-utils (.ci/run does it)")
    if os.environ.get("KHET_REQUIRE_LIBREOFFICE") == "1":
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Rendered:
    pdf: Path
    pages: list[str]                       # the text of each page as laid out (pdftotext -layout)
    raw: list[str]                         # the same in drawing order (a wrapped chart label stays together)
    fonts: str                             # pdffonts' table: which fonts the PDF embeds
    pngs: list[Path] = field(default_factory=list)

    def page_of(self, text: str) -> int:
        """0-based index of the first page showing `text` (header or body)."""
        return next(i for i, p in enumerate(self.pages) if text in p)


class LibreOffice:
    """One LibreOffice user profile per test module (two soffice processes must not share one)."""

    def __init__(self, workdir: Path):
        need_libreoffice()
        self.workdir = Path(workdir)
        self.profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=self.workdir))

    def convert(self, path: Path, fmt: str, outdir: Path | None = None, timeout: int = 240) -> Path:
        outdir = Path(outdir or self.workdir)
        outdir.mkdir(parents=True, exist_ok=True)
        cmd = [TOOLS["soffice"], f"-env:UserInstallation={self.profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", fmt, "--outdir", str(outdir), str(path)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        out = outdir / (Path(path).stem + "." + fmt.split(":")[0])
        assert proc.returncode == 0 and out.is_file(), f"LibreOffice could not convert {path}: {proc.stderr}"
        return out

    def render(self, path: Path, *, png_pages: int = 3, dpi: int = 70) -> Rendered:
        """PDF of every sheet, the text of every page, the fonts used and PNGs of the first pages."""
        outdir = self.workdir / f"render-{Path(path).stem}"
        pdf = self.convert(path, "pdf", outdir)
        text, raw = (subprocess.run([TOOLS["pdftotext"], mode, str(pdf), "-"], capture_output=True, text=True,
                                    check=True).stdout for mode in ("-layout", "-raw"))
        fonts = subprocess.run([TOOLS["pdffonts"], str(pdf)], capture_output=True, text=True, check=True).stdout
        subprocess.run([TOOLS["pdftoppm"], "-png", "-r", str(dpi), "-f", "1", "-l", str(png_pages), str(pdf),
                        str(outdir / "page")], check=True)
        pages, raw_pages = _pages(text), _pages(raw)
        return Rendered(pdf, pages, raw_pages, fonts, sorted(outdir.glob("page-*.png")))


def _pages(text: str) -> list[str]:
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return pages


def squeeze(text: str) -> str:
    """Text without any whitespace: a label LibreOffice wrapped onto two lines still matches."""
    return re.sub(r"\s+", "", text)


def ods_basic_modules(ods: Path) -> dict[str, str]:
    """The Basic modules LibreOffice imported into a document's VBAProject library (by name: source)."""
    import html

    out = {}
    with zipfile.ZipFile(ods) as z:
        for name in z.namelist():
            m = re.fullmatch(r"Basic/VBAProject/(\w+)\.xml", name)
            if m and m.group(1) not in ("script-lb", "script-lc"):
                xml = z.read(name).decode("utf-8")
                body = re.search(r"<script:module[^>]*>(.*)</script:module>", xml, re.S)
                out[m.group(1)] = html.unescape(body.group(1)) if body else ""
    return out
