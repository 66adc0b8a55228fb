"""The lesson 4 sigma slider for the course benchmark (``make bench``).

``make_live_figure()`` returns the widget of ``notebooks/04_denoising_shrinkage.ipynb`` built from
the same closed forms (no training, well under a second) and the slider values to sweep. The
redraw latency is measured by the course benchmark:

    .venv/bin/python scripts/bench.py --only widgets
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aecourse  # noqa: E402
from aecourse.data import load_digits, train_val_test_split  # noqa: E402
from aecourse.denoising import sigma_sweep  # noqa: E402
from aecourse.widgets import LiveFigure, denoising_explorer  # noqa: E402

SIGMAS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.8]  # the noise levels of the lesson's slider


def make_live_figure() -> tuple[LiveFigure, list[dict]]:
    """The lesson's sigma explorer and one value dict per slider position, in sweep order."""
    aecourse.setup()
    X, y = load_digits()
    split = train_val_test_split(X, y, seed=0)
    results = sigma_sweep(split.X_train, split.X_test[:8], SIGMAS, seed=0)
    live = denoising_explorer(results)
    return live, [{"sigma": s} for s in SIGMAS + SIGMAS[::-1]]

