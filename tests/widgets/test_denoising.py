"""The lesson 4 sigma explorer: the pure draw function, and the live figure driven headless."""
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.quiver import Quiver

from aecourse.widgets import denoising_explorer, denoising_results, draw_denoising
from widget_cases import make_widget

SIGMAS = [0.1, 0.4]


@pytest.fixture(scope="module")
def results():
    rng = np.random.default_rng(0)
    X = rng.random((120, 64))
    return denoising_results(X, X[:4], SIGMAS, grid_points=7, seed=0)


def _parts(fig):
    axes = fig.get_axes()
    quiver = next(c for c in axes[1].collections if isinstance(c, Quiver))
    image = next(a for a in axes[2].get_children() if isinstance(a, AxesImage))
    bold = max(axes[0].get_lines(), key=lambda line: line.get_linewidth())
    return axes, quiver, image, bold


def test_draw_shows_the_precomputed_sigma(results):
    fig = Figure()
    draw_denoising(fig, 0.4, results)
    axes, quiver, image, bold = _parts(fig)
    assert len(axes) == 3 and all(ax.get_title() for ax in axes)
    np.testing.assert_allclose(bold.get_ydata(), results.shrinkage[0.4])
    np.testing.assert_allclose(np.c_[quiver.U, quiver.V], results.field[0.4])
    mosaic = image.get_array()
    np.testing.assert_allclose(mosaic[:8, :8], results.noisy[0.4][0].reshape(8, 8))
    np.testing.assert_allclose(mosaic[9:17, :8], results.denoised[0.4][0].reshape(8, 8))
    np.testing.assert_allclose(mosaic[18:26, :8], results.clean[0].reshape(8, 8))
    assert "0.4" in fig._suptitle.get_text()


def test_draw_rejects_a_sigma_that_was_not_precomputed(results):
    with pytest.raises(ValueError, match="sigma must be one of"):
        draw_denoising(Figure(), 0.25, results)


def test_slider_moves_change_the_figure(results):
    live = denoising_explorer(results)
    live.update(sigma=0.1)
    _, quiver, image, bold = _parts(live.fig)
    before = (np.c_[quiver.U, quiver.V].copy(), np.array(image.get_array()).copy(), bold.get_ydata().copy(),
              live.image.value)
    live.update(sigma=0.4)
    _, quiver, image, bold = _parts(live.fig)
    np.testing.assert_allclose(np.c_[quiver.U, quiver.V], results.field[0.4])
    np.testing.assert_allclose(bold.get_ydata(), results.shrinkage[0.4])
    assert not np.allclose(np.c_[quiver.U, quiver.V], before[0])          # longer arrows
    assert not np.allclose(image.get_array(), before[1], equal_nan=True)  # noisier digits
    assert np.all(bold.get_ydata() <= before[2] + 1e-12)                  # more shrinkage
    assert live.image.value != before[3]                                  # a new PNG was shown
    assert live.values == {"sigma": 0.4}


def test_the_lesson_case_sweeps_every_sigma():
    live, sweep = make_widget("denoising")
    assert sweep and all(set(v) == {"sigma"} for v in sweep)
    live.update(**sweep[-1])
    assert live.values == sweep[-1]


def test_the_slider_image_is_the_whole_figure(results, assert_shows_the_whole_figure):
    live = denoising_explorer(results)
    for sigma in (0.1, 0.4):
        live.update(sigma=sigma)
        assert_shows_the_whole_figure(live)


def test_results_holds_the_closed_forms():
    rng = np.random.default_rng(9)
    X = rng.random((200, 6))
    out = denoising_results(X, X[:3], [0.1, 0.5], grid_points=5, seed=0)
    Xc = X - X.mean(axis=0)
    lam = np.linalg.eigvalsh(Xc.T @ Xc / len(X))[::-1]
    np.testing.assert_allclose(out.shrinkage[0.5], lam / (lam + 0.25), atol=1e-12)
    noise = out.noisy[0.5] - X[:3]
    np.testing.assert_allclose(noise / 0.5, (out.noisy[0.1] - X[:3]) / 0.1)  # one pattern, scaled
    assert out.field[0.1].shape == (25, 2)
    # stronger noise: the denoised digits are pulled further towards the mean
    dist = {s: np.linalg.norm(out.denoised[s] - X.mean(axis=0)) for s in (0.1, 0.5)}
    assert dist[0.5] < dist[0.1]


def test_results_rejects_bad_input():
    with pytest.raises(ValueError, match="sigmas"):
        denoising_results(np.ones((5, 2)), np.ones((1, 2)), [])
    with pytest.raises(ValueError, match=r"sigmas\[1\] must be in \(0, inf\), got 0"):
        denoising_results(np.ones((5, 2)), np.ones((1, 2)), [0.1, 0.0])
    with pytest.raises(TypeError, match="seed must be an integer"):
        denoising_results(np.ones((5, 2)), np.ones((1, 2)), [0.1], seed=0.5)
    with pytest.raises(TypeError, match="sigmas must be a list"):
        denoising_results(np.ones((5, 2)), np.ones((1, 2)), 0.1)
    with pytest.raises(ValueError, match="X_show has 3 features"):
        denoising_results(np.ones((5, 2)), np.ones((1, 3)), [0.1])
