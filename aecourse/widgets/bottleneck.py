"""Lesson 1's slider: the bottleneck size K of an undercomplete autoencoder."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from aecourse import linear, train
from aecourse._checks import check_array, check_choice, check_int, check_mapping
from aecourse.widgets.live import LiveFigure, Show, check_results, choice_explorer, digit_rows, show_digit_rows


@dataclass
class BottleneckResults:
    """What the K slider shows, one entry per trained code size."""

    sizes: list[int]  # the code sizes K trained, increasing
    ae_errors: list[float]  # test MSE of the autoencoder of each size
    pca_errors: list[float]  # test MSE of PCA with K components (fitted on the training digits)
    X: np.ndarray  # (n_show, 64) test digits drawn
    reconstructions: dict[int, np.ndarray]  # K -> (n_show, 64) their reconstructions


def bottleneck_results(models: Mapping, X_train, X_test, *, n_show: int = 8) -> BottleneckResults:
    """Test errors and reconstructions of one trained autoencoder per code size, and PCA's.

    Parameters
    ----------
    models : mapping K -> trained autoencoder with code size K
    X_train : (n, D) training inputs; PCA with K components is fitted on them
    X_test : (m, D) test inputs; errors are the MSE over all of them (``train.reconstruction_error``)
    n_show : int, default 8; the first ``n_show`` test inputs are drawn with their reconstructions
    """
    check_mapping("models", models, "K -> trained autoencoder")
    check_array("X_train", X_train), check_array("X_test", X_test)  # used as given: the errors are a lesson's own
    n_show = check_int("n_show", n_show)
    sizes = sorted(models)
    for K in sizes:
        check_int(f"the code size {K!r} (a key of models)", K)
    return BottleneckResults(
        sizes=sizes,
        ae_errors=[train.reconstruction_error(models[K], X_test) for K in sizes],
        pca_errors=[linear.pca(X_train, K).reconstruction_error(X_test) for K in sizes],
        X=X_test[:n_show],
        reconstructions={K: train.reconstruct(models[K], X_test[:n_show]) for K in sizes})


def draw_bottleneck(fig: Figure, K: int, results: BottleneckResults) -> Show:
    """Error against code size with K marked (left), and test digits over their reconstructions
    by the AE with code size K (right). Returns ``show(K)``, which moves the figure to another
    trained code size."""
    r = results
    check_choice("K", K, r.reconstructions, "the trained code sizes")
    fig.set_layout_engine("none")  # fixed margins: the axes are drawn once, only K's artists again
    ax, right = fig.subplots(1, 2, gridspec_kw=dict(width_ratios=[1, 1.6], left=0.07, right=0.99, bottom=0.15,
                                                    top=0.8, wspace=0.12))
    positions = np.arange(len(r.sizes))  # evenly spaced sizes; a log axis is slower to draw
    ax.plot(positions, r.ae_errors, "o-", label="autoencoder")
    ax.plot(positions, r.pca_errors, "s--", label="PCA")
    marker, = ax.plot([], [], "o", ms=14, mfc="none", mec="k", mew=2, label="chosen K")
    ax.set(xlabel="code size K", ylabel="test MSE", title="Error against K")
    ax.set_xticks(positions, [str(s) for s in r.sizes])
    legend = ax.legend(loc="upper right")
    image = show_digit_rows(right, [r.X, r.reconstructions[K]], ["input", "recon."], pad=2)
    right.set(xlabel="test digits")
    title = fig.suptitle("")

    def show(K: int) -> list[Artist]:
        check_choice("K", K, r.reconstructions, "the trained code sizes")
        i = list(r.sizes).index(K)
        marker.set_data([i], [r.ae_errors[i]])
        image.set_data(digit_rows([r.X, r.reconstructions[K]], pad=2))
        right.set_title(f"Reconstructions with K = {K}")
        title.set_text(f"Bottleneck of size K = {K}: test MSE {r.ae_errors[i]:.4f} (PCA {r.pca_errors[i]:.4f})")
        return [marker, legend, image, right.title, title]

    show(K)
    return show


def bottleneck_explorer(results: BottleneckResults) -> LiveFigure:
    """A slider over the trained code sizes redrawing ``draw_bottleneck``."""
    check_results(results, BottleneckResults, "bottleneck_results(models, X_train, X_test)")
    return choice_explorer(draw_bottleneck, results, "K", results.sizes, "code size K", figsize=(11, 3.6))
