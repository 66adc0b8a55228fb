"""Fixtures shared by the tests: comparing rendered figures pixel for pixel."""
import io

import numpy as np
import pytest
from PIL import Image

from aecourse.widgets import LiveFigure, figure_png


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


@pytest.fixture
def assert_same_pixels():
    """``check(png_a, png_b)`` asserts two PNG images are the same picture (anti-aliasing may round
    a channel one or two levels apart)."""

    def check(a: bytes, b: bytes) -> None:
        a, b = _pixels(a), _pixels(b)
        assert a.shape == b.shape
        differ = np.abs(a - b).max(axis=2) > 2
        assert not differ.any(), f"{differ.sum()} pixels differ, rows {np.unique(np.nonzero(differ)[0])[:10]}"

    return check


@pytest.fixture
def assert_shows_the_whole_figure(assert_same_pixels):
    """``check(live)`` asserts that the image a LiveFigure shows (the unchanged parts rendered once,
    the slider's artists redrawn over them) is, pixel for pixel, the figure rendered in full by
    matplotlib: nothing stale, nothing missing, nothing drawn in the wrong order."""

    def check(live: LiveFigure) -> None:
        assert_same_pixels(live.image.value, figure_png(live.fig))

    return check
