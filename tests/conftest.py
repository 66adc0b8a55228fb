"""Fixtures shared by the widget tests."""
import io
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aecourse.widgets import LiveFigure, figure_png


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


@pytest.fixture
def assert_shows_the_whole_figure():
    """``check(live)`` asserts that the image a LiveFigure shows (the unchanged parts rendered once,
    the slider's artists redrawn over them) is, pixel for pixel, the figure rendered in full by
    matplotlib: nothing stale, nothing missing, nothing drawn in the wrong order."""

    def check(live: LiveFigure) -> None:
        shown, full = _pixels(live.image.value), _pixels(figure_png(live.fig))
        assert shown.shape == full.shape
        differ = np.abs(shown - full).max(axis=2) > 2  # anti-aliasing may round one level apart
        assert not differ.any(), f"{differ.sum()} pixels differ, rows {np.unique(np.nonzero(differ)[0])[:10]}"

    return check


@pytest.fixture
def make_bench_widget():
    """``scripts/bench.py``'s ``make_widget(name)``: ``(live, sweep)``, a lesson's widget as the
    benchmark builds it and the slider values it times."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    from bench import make_widget

    return make_widget
