"""Lesson 4's slider: the noise level sigma of the optimal (closed-form) denoising autoencoder."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from aecourse._checks import check_array, check_choice, check_float, check_int
from aecourse.denoising import circle_mixture, dae_shrinkage, gaussian_mixture_denoiser, optimal_linear_dae
from aecourse.widgets.live import LiveFigure, Show, check_results, choice_explorer, digit_rows, show_digit_rows


@dataclass
class DenoisingResults:
    """What the sigma slider shows, precomputed from closed forms for each noise level."""

    sigmas: list[float]  # the noise levels, in the order given
    variances: np.ndarray  # (D,) variances of the digits' principal directions, largest first
    clean: np.ndarray  # (n, D) the digits drawn
    noisy: dict[float, np.ndarray]  # sigma -> (n, D): clean + sigma * one fixed noise pattern
    denoised: dict[float, np.ndarray]  # sigma -> (n, D): noisy, denoised by the optimal linear DAE
    shrinkage: dict[float, np.ndarray]  # sigma -> (D,): lambda_i / (lambda_i + sigma^2)
    grid: np.ndarray  # (g*g, 2) points in the plane
    field: dict[float, np.ndarray]  # sigma -> (g*g, 2): arrows r*(x) - x of the circle's optimal denoiser
    circle: np.ndarray  # (200, 2) points on the unit circle


def denoising_results(X_train, X_show, sigmas: Sequence[float], *, grid_points: int = 13,
                      seed: int = 0) -> DenoisingResults:
    """Everything the sigma slider of lesson 4 draws, precomputed from closed forms (no training).

    For each sigma: the shrinkage factors lambda_i / (lambda_i + sigma^2) of the digits' principal
    directions, the digits ``X_show`` corrupted with the same noise pattern scaled by sigma and
    denoised by the optimal linear DAE ``optimal_linear_dae`` fitted on ``X_train``, and the
    vector field r*(x) - x of the optimal denoiser for the unit circle (``circle_mixture``) on a
    grid_points x grid_points grid over [-1.6, 1.6]^2 (handout 000 §17).

    Parameters
    ----------
    X_train : (N, D) inputs whose covariance defines the optimal linear DAE
    X_show : (n, D) inputs to corrupt and denoise
    sigmas : noise levels > 0
    grid_points : int, default 13; the field's grid is grid_points x grid_points
    seed : int, default 0; seeds the one noise pattern shared by every sigma
    """
    X_train = check_array("X_train", X_train)
    X_show = check_array("X_show", X_show)
    if X_show.shape[1] != X_train.shape[1]:
        raise ValueError(f"X_show has {X_show.shape[1]} features but X_train has {X_train.shape[1]}.")
    if isinstance(sigmas, (str, bytes)) or not isinstance(sigmas, Sequence | np.ndarray):
        raise TypeError(f"sigmas must be a list of noise levels > 0, got {type(sigmas).__name__}.")
    sigmas = [check_float(f"sigmas[{i}]", s, minimum=0.0, include_min=False) for i, s in enumerate(sigmas)]
    if not sigmas:
        raise ValueError("sigmas must hold at least one noise level > 0, e.g. [0.1, 0.2, 0.4].")
    grid_points = check_int("grid_points", grid_points, minimum=2)
    seed = check_int("seed", seed, minimum=0)
    mean = X_train.mean(axis=0)
    centred = X_train - mean
    cov = centred.T @ centred / len(X_train)  # (D, D)
    eps = np.random.default_rng(seed).standard_normal(X_show.shape)  # one noise pattern, scaled by sigma
    ticks = np.linspace(-1.6, 1.6, grid_points)
    grid = np.stack(np.meshgrid(ticks, ticks), axis=-1).reshape(-1, 2)
    ring = circle_mixture()
    angles = np.linspace(0.0, 2 * np.pi, 200)
    out = DenoisingResults(sigmas=sigmas, variances=np.clip(np.linalg.eigvalsh(cov)[::-1], 0.0, None),
                           clean=X_show, noisy={}, denoised={}, shrinkage={}, grid=grid, field={},
                           circle=np.stack([np.cos(angles), np.sin(angles)], axis=1))
    for s in sigmas:
        noisy = X_show + s * eps
        W = optimal_linear_dae(cov, s)
        out.noisy[s] = noisy
        out.denoised[s] = (noisy - mean) @ W.T + mean
        out.shrinkage[s] = dae_shrinkage(out.variances, s)
        out.field[s] = gaussian_mixture_denoiser(ring, grid, s) - grid
    return out


def draw_denoising(fig: Figure, sigma: float, results: DenoisingResults) -> Show:
    """Three views of one noise level sigma, from ``denoising_results``.

    Left: the fraction lambda_i / (lambda_i + sigma^2) of each principal direction of the digits
    that the optimal linear DAE keeps (every sigma faint, this one bold). Middle: the optimal
    denoiser's vector field r*(x) - x around the unit circle, arrows drawn to scale. Right: digits
    corrupted with noise of level sigma, denoised by the optimal linear DAE, and clean.
    Returns ``show(sigma)``, which moves the figure to another precomputed noise level.
    """
    r = results
    check_choice("sigma", sigma, r.shrinkage, "the precomputed noise levels")
    fig.set_layout_engine("none")  # fixed margins: the axes are drawn once, only sigma's artists again
    grid_spec = fig.add_gridspec(1, 3, width_ratios=[1.0, 1.0, 1.3], left=0.06, right=0.99, bottom=0.13,
                                 top=0.84, wspace=0.28)
    ax = fig.add_subplot(grid_spec[0])
    index = np.arange(1, len(r.variances) + 1)
    for s in r.sigmas:
        ax.plot(index, r.shrinkage[s], "-", color="0.75", lw=1)
    ax.plot([], [], "-", color="0.75", lw=1, label="other σ")
    bold, = ax.plot(index, r.shrinkage[sigma], "-", color="C0", lw=3, label="σ")
    ax.set(ylim=(-0.02, 1.02), xticks=[1, 16, 32, 48, 64], yticks=[0, 0.5, 1],
           xlabel="principal direction i (by variance)",
           ylabel="$\\lambda_i / (\\lambda_i + \\sigma^2)$", title="Shrinkage per direction")
    shrinkage_legend = ax.legend(loc="upper right")

    ax = fig.add_subplot(grid_spec[1])
    ax.plot(r.circle[:, 0], r.circle[:, 1], "-", color="C1", lw=2, label="data (unit circle)")
    quiver = ax.quiver(r.grid[:, 0], r.grid[:, 1], r.field[sigma][:, 0], r.field[sigma][:, 1], angles="xy",
                       scale_units="xy", scale=1.0, width=0.006, color="C0", label="r*(x) − x")
    ax.set(xlim=(-1.75, 1.75), ylim=(-1.75, 1.75), xticks=[-1, 0, 1], yticks=[-1, 0, 1], aspect="equal",
           xlabel="x₁", ylabel="x₂", title="Optimal DAE field")
    field_legend = ax.legend(loc="lower left", fontsize="small")

    ax = fig.add_subplot(grid_spec[2])
    rows = ["noisy", "denoised", "clean"]
    image = show_digit_rows(ax, [r.noisy[sigma], r.denoised[sigma], r.clean], rows, pad=1)
    ax.set(xlabel="test digits", title="Optimal linear DAE")
    title = fig.suptitle("")

    def show(sigma: float) -> list[Artist]:
        check_choice("sigma", sigma, r.shrinkage, "the precomputed noise levels")
        bold.set_ydata(r.shrinkage[sigma])
        shrinkage_legend.get_texts()[1].set_text(f"σ = {sigma:g}")
        quiver.set_UVC(r.field[sigma][:, 0], r.field[sigma][:, 1])
        image.set_data(digit_rows([r.noisy[sigma], r.denoised[sigma], r.clean], pad=1))
        noisy_mse = float(np.mean((r.noisy[sigma] - r.clean) ** 2))
        denoised_mse = float(np.mean((r.denoised[sigma] - r.clean) ** 2))
        title.set_text(f"Noise σ = {sigma:g}: digit MSE {noisy_mse:.4f} noisy, {denoised_mse:.4f} denoised")
        return [bold, shrinkage_legend, quiver, field_legend, image, title]

    show(sigma)
    return show


def denoising_explorer(results: DenoisingResults) -> LiveFigure:
    """A slider over the precomputed noise levels of ``denoising_results`` redrawing ``draw_denoising``."""
    check_results(results, DenoisingResults, "denoising_results(X_train, X_show, sigmas)")
    return choice_explorer(draw_denoising, results, "sigma", results.sigmas, "noise sigma", figsize=(13, 4.2))
