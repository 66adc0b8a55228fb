"""The lesson 4 sigma explorer: the pure draw function, and the live figure driven headless."""
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.quiver import Quiver

from aecourse.denoising import sigma_sweep
from aecourse.widgets import denoising_explorer, draw_denoising

SIGMAS = [0.1, 0.4]


@pytest.fixture(scope="module")
def results():
    rng = np.random.default_rng(0)
    X = rng.random((120, 64))
    return sigma_sweep(X, X[:4], SIGMAS, grid_points=7, seed=0)


def _parts(fig):
    axes = fig.get_axes()
    quiver = next(c for c in axes[1].collections if isinstance(c, Quiver))
    image = next(a for a in axes[2].get_children() if isinstance(a, AxesImage))
    bold = max(axes[0].get_lines(), key=lambda line: line.get_linewidth())
    return axes, quiver, image, bold


def test_draw_shows_the_precomputed_sigma(results):
    fig = Figure()
    draw_denoising(fig, 0.4, **results)
    axes, quiver, image, bold = _parts(fig)
    assert len(axes) == 3 and all(ax.get_title() for ax in axes)
    np.testing.assert_allclose(bold.get_ydata(), results["shrinkage"][0.4])
    np.testing.assert_allclose(np.c_[quiver.U, quiver.V], results["field"][0.4])
    mosaic = image.get_array()
    np.testing.assert_allclose(mosaic[:8, :8], results["noisy"][0.4][0].reshape(8, 8))
    np.testing.assert_allclose(mosaic[9:17, :8], results["denoised"][0.4][0].reshape(8, 8))
    np.testing.assert_allclose(mosaic[18:26, :8], results["clean"][0].reshape(8, 8))
    assert "0.4" in fig._suptitle.get_text()


def test_draw_rejects_a_sigma_that_was_not_precomputed(results):
    with pytest.raises(ValueError, match="sigma must be one of"):
        draw_denoising(Figure(), 0.25, **results)


def test_slider_moves_change_the_figure(results):
    live = denoising_explorer(results)
    live.update(sigma=0.1)
    _, quiver, image, bold = _parts(live.fig)
    before = (np.c_[quiver.U, quiver.V].copy(), np.array(image.get_array()).copy(), bold.get_ydata().copy(),
              live.image.value)
    live.update(sigma=0.4)
    _, quiver, image, bold = _parts(live.fig)
    np.testing.assert_allclose(np.c_[quiver.U, quiver.V], results["field"][0.4])
    np.testing.assert_allclose(bold.get_ydata(), results["shrinkage"][0.4])
    assert not np.allclose(np.c_[quiver.U, quiver.V], before[0])          # longer arrows
    assert not np.allclose(image.get_array(), before[1], equal_nan=True)  # noisier digits
    assert np.all(bold.get_ydata() <= before[2] + 1e-12)                  # more shrinkage
    assert live.image.value != before[3]                                  # a new PNG was shown
    assert live.values == {"sigma": 0.4}


def test_bench_script_builds_the_lesson_widget(make_bench_widget):
    live, sweep = make_bench_widget("denoising")
    assert sweep and all(set(v) == {"sigma"} for v in sweep)
    live.update(**sweep[-1])
    assert live.values == sweep[-1]


def test_the_slider_image_is_the_whole_figure(results, assert_shows_the_whole_figure):
    live = denoising_explorer(results)
    for sigma in (0.1, 0.4):
        live.update(sigma=sigma)
        assert_shows_the_whole_figure(live)
