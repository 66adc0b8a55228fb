"""Figures: every one has a title and labelled axes, redraws in place, and rejects bad input."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # headless; before pyplot is imported

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from aecourse import plots  # noqa: E402
from aecourse.train import History  # noqa: E402

RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(size=(12, 64))
HISTORY = History(train_loss=[0.1, 0.05, 0.03], penalty=[0.0] * 3, val_loss=[0.12, 0.07, 0.05])

FIGURES = {
    "image_grid": lambda fig=None: plots.image_grid(IMAGES, labels=list(range(12)), fig=fig),
    "reconstruction_grid": lambda fig=None: plots.reconstruction_grid(IMAGES, IMAGES[::-1], n=6, fig=fig),
    "comparison_grid": lambda fig=None: plots.comparison_grid([IMAGES, IMAGES], ["noisy", "clean"], n=5, fig=fig),
    "latent_scatter": lambda fig=None: plots.latent_scatter(RNG.normal(size=(50, 2)), np.arange(50) % 10, fig=fig),
    "loss_curves": lambda fig=None: plots.loss_curves({"AE": HISTORY, "PCA": History([0.2, 0.1], [0, 0])}, fig=fig),
}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def has_title(fig: Figure) -> bool:
    suptitle = fig._suptitle.get_text() if fig._suptitle is not None else ""
    return bool(suptitle.strip()) or all(ax.get_title().strip() for ax in fig.axes if ax.get_visible())


def is_pure_image(ax) -> bool:
    return bool(ax.images) and not ax.lines and not ax.collections


@pytest.mark.parametrize("name", FIGURES)
def test_figure_has_a_title(name):
    assert has_title(FIGURES[name]())


@pytest.mark.parametrize("name", FIGURES)
def test_figure_axes_are_labelled(name):
    fig = FIGURES[name]()
    for ax in fig.axes:
        if is_pure_image(ax):
            assert ax.get_xlabel().strip() or ax.get_ylabel().strip(), "an image grid says what it shows"
        else:
            assert ax.get_xlabel().strip() and ax.get_ylabel().strip()


@pytest.mark.parametrize("name", ["latent_scatter", "loss_curves"])
def test_figures_with_several_series_have_a_legend(name):
    fig = FIGURES[name]()
    assert all(ax.get_legend() is not None for ax in fig.axes if len(ax.lines) + len(ax.collections) > 1)


@pytest.mark.parametrize("name", FIGURES)
def test_figure_redraws_in_place(name):
    fig = FIGURES[name]()
    n_axes = len(fig.axes)
    again = FIGURES[name](fig=fig)
    assert again is fig and len(fig.axes) == n_axes


def test_reconstruction_grid_shows_input_reconstruction_and_error():
    X, X_tilde = IMAGES[:4], np.clip(IMAGES[:4] + 0.25, 0, 1)
    fig = plots.reconstruction_grid(X, X_tilde, n=4)
    tiles = fig.axes[0].images[0].get_array()
    # the three rows of the mosaic hold X, X_tilde and |X - X_tilde| (first tile of each row)
    rows = [tiles[r * 10:r * 10 + 8, :8] for r in range(3)]
    np.testing.assert_allclose(rows[0], X[0].reshape(8, 8))
    np.testing.assert_allclose(rows[1], X_tilde[0].reshape(8, 8))
    np.testing.assert_allclose(rows[2], np.abs(X[0] - X_tilde[0]).reshape(8, 8))


def test_loss_curves_draws_train_and_validation_per_model():
    fig = plots.loss_curves({"AE": HISTORY})
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert labels == ["AE (train)", "AE (validation)"]
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), HISTORY.train_loss)


def test_latent_scatter_colours_each_label():
    fig = plots.latent_scatter(RNG.normal(size=(40, 2)), np.arange(40) % 4)
    assert len(fig.axes[0].collections) == 4
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["0", "1", "2", "3"]


def test_loss_curves_rejects_what_is_not_a_history():
    with pytest.raises(TypeError, match="histories"):
        plots.loss_curves({"AE": [0.1, 0.05]})


@pytest.mark.parametrize("font_size", [12, 18])  # the course style and presenter mode
def test_image_grid_title_clears_the_labels_of_the_first_row(font_size):
    with matplotlib.rc_context({"font.size": font_size, "axes.titlesize": font_size + 1}):
        fig = plots.image_grid(IMAGES, labels=[f"{i}: s=0.{i}" for i in range(12)], ncols=6,
                               title="A long title over labels")
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    title = ax.title.get_window_extent(renderer)
    for label in ax.texts:
        assert label.get_window_extent(renderer).y1 <= title.y0, label.get_text()
