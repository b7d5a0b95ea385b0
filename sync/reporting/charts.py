"""Charts for the documents, drawn with matplotlib in the Sarabun font shipped by the ``fontpkg-sarabun``
package (OFL-1.1, the open family based on TH Sarabun New) — so a chart reads the same on a machine with no
Thai font installed. Each function returns PNG bytes, or None when there is nothing to draw (the document then
says "ไม่มีข้อมูล" instead of showing an empty frame)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on a job host; must come before pyplot

from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

COLOURS = ("#1f4e79", "#c55a11", "#548235", "#bf9000", "#7030a0", "#7f7f7f")
DPI = 150
THOUSANDS = FuncFormatter(lambda x, _: f"{x:,.0f}")  # 1,200,000 — never "1e6"


@lru_cache(maxsize=1)
def font_family() -> str:
    """Register the packaged Sarabun faces with matplotlib once; the family name to draw with."""
    import fontpkg_sarabun

    files = Path(fontpkg_sarabun.ROOT) / "files"
    for face in ("Sarabun-Regular.ttf", "Sarabun-Bold.ttf"):
        font_manager.fontManager.addfont(str(files / face))
    return fontpkg_sarabun.FAMILY


def _figure(width_cm: float = 16, height_cm: float = 8):
    family = font_family()
    plt.rcParams.update({"font.family": family, "font.size": 12, "axes.titlesize": 14,
                         "axes.unicode_minus": False})
    return plt.subplots(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=DPI)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=DPI)
    plt.close(fig)
    return buf.getvalue()


def hbar(labels: Sequence[str], values: Sequence[float | None], *, title: str, unit: str,
         limit: float | None = None) -> bytes | None:
    """One horizontal bar per label (missing values drawn as no bar and labelled ไม่มีข้อมูล)."""
    if not labels or all(v is None for v in values):
        return None
    fig, ax = _figure(16, max(5.0, 1.0 * len(labels) + 2))
    shown = [0 if v is None else float(v) for v in values]
    bars = ax.barh(range(len(labels)), shown, color=COLOURS[0])
    ax.set_yticks(range(len(labels)), labels=list(labels))
    ax.invert_yaxis()
    ax.set_title(title)
    ax.set_xlabel(unit)
    if limit:
        ax.set_xlim(0, limit)
    top = max(shown) if max(shown) > 0 else 1
    for bar, v in zip(bars, values, strict=True):
        text = "ไม่มีข้อมูล" if v is None else f"{v:,.2f}" if isinstance(v, float) and not float(v).is_integer() \
            else f"{v:,.0f}"
        ax.text(bar.get_width() + top * 0.01, bar.get_y() + bar.get_height() / 2, text, va="center", fontsize=10)
    ax.xaxis.set_major_formatter(THOUSANDS)
    ax.margins(x=0.15)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def stacked(labels: Sequence[str], series: dict[str, Sequence[float]], *, title: str, unit: str,
            horizontal: bool = True) -> bytes | None:
    """Stacked bars: one bar per label, one colour per series (e.g. met / not met / no data)."""
    if not labels or not any(any(v for v in vals) for vals in series.values()):
        return None
    fig, ax = _figure(16, max(5.0, 0.9 * len(labels) + 2.5) if horizontal else 8)
    base = [0.0] * len(labels)
    for (name, vals), colour in zip(series.items(), COLOURS, strict=False):
        vals = [float(v or 0) for v in vals]
        if horizontal:
            ax.barh(range(len(labels)), vals, left=base, label=name, color=colour)
        else:
            ax.bar(range(len(labels)), vals, bottom=base, label=name, color=colour)
        base = [b + v for b, v in zip(base, vals, strict=True)]
    if horizontal:
        ax.set_yticks(range(len(labels)), labels=list(labels))
        ax.invert_yaxis()
        ax.set_xlabel(unit)
    else:
        ax.set_xticks(range(len(labels)), labels=list(labels))
        ax.set_ylabel(unit)
    (ax.xaxis if horizontal else ax.yaxis).set_major_formatter(THOUSANDS)
    ax.set_title(title)
    # Beside the plot, never over the axis title.
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)
