"""Paths shared by the course scripts (importable because scripts run from this folder)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def lesson_paths() -> list[Path]:
    """The lesson notebooks in order (00_index is the index, not a lesson)."""
    return sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb") if not p.name.startswith("00_"))
