"""Lesson 3's slider: the sparsity weight lam of an L1-penalised autoencoder."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullLocator
from torch import nn

from aecourse import plots
from aecourse._checks import check_array, check_choice, check_float, check_int, check_mapping
from aecourse.penalties import active_units
from aecourse.train import encode, reconstruct
from aecourse.widgets.live import (LiveFigure, Show, check_results, choice_explorer, digit_rows, lam_label,
                                   show_digit_rows)


@dataclass
class SparsityResults:
    """What the lam slider shows, one entry per trained lam."""

    lams: list[float]  # the trained weights, increasing
    K: int  # code size, the same for every model
    X: np.ndarray  # (n_show, D) test inputs drawn
    mse: list[float]  # test MSE per lam
    active: list[float]  # mean number of active units per test input, per lam
    reconstructions: dict[float, np.ndarray]  # lam -> (n_show, D)
    codes: dict[float, np.ndarray]  # lam -> (n, K) test codes
    atoms: dict[float, np.ndarray]  # lam -> (<= n_atoms, D) decoder columns g(e_j) - b, most used first
    used: dict[float, int]  # lam -> units active for at least one test input


def sparsity_results(models: Mapping, X, *, n_show: int = 8, n_atoms: int = 24,
                     threshold: float = 1e-3) -> SparsityResults:
    """What the lam slider shows, computed once from one trained model per lam.

    Parameters
    ----------
    models : mapping lam -> trained one-layer ``Autoencoder([D, K])`` (same D and K for all)
    X : (n, D) test inputs; the first ``n_show`` are drawn with their reconstructions
    n_show : int, default 8
    n_atoms : int, default 24; how many decoder atoms to keep per model, the most used first
    threshold : float, default 1e-3; a unit is active for an input when |z_j| > threshold
        (``penalties.active_units``)

    Notes
    -----
    The atoms are the columns of the decoder's weight, g(e_j) - b: handout 001's dictionary.
    """
    check_mapping("models", models, "lam -> trained Autoencoder")
    check_array("X", X)
    X = np.asarray(X)  # as given: the numbers match a lesson's own computation on X
    n_show, n_atoms = check_int("n_show", n_show), check_int("n_atoms", n_atoms)
    threshold = check_float("threshold", threshold, minimum=0.0)
    lams = sorted(models)
    results = SparsityResults(lams=lams, K=0, X=X[:n_show], mse=[], active=[], reconstructions={}, codes={},
                              atoms={}, used={})
    for lam in lams:
        layers = [m for m in models[lam].decoder.modules() if isinstance(m, nn.Linear)]
        if len(layers) != 1:
            raise ValueError(f"models[{lam}] must have a one-layer decoder (its weight columns are the atoms), "
                             f"got {len(layers)} Linear layers; build it as Autoencoder([D, K]).")
        Z = encode(models[lam], X)  # (n, K)
        if results.K and Z.shape[1] != results.K:
            raise ValueError(f"every model must have the same code size, got {results.K} and {Z.shape[1]} "
                             f"(models[{lam}]).")
        X_tilde = reconstruct(models[lam], X)
        usage = (np.abs(Z) > threshold).mean(axis=0)  # (K,): fraction of inputs using each unit
        order = np.argsort(-usage, kind="stable")[:n_atoms]
        order = order[usage[order] > 0]
        results.mse.append(float(np.mean((X_tilde - X) ** 2)))
        results.active.append(float(active_units(Z, threshold).mean()))
        results.reconstructions[lam] = X_tilde[:n_show]
        results.codes[lam] = Z
        results.atoms[lam] = layers[0].weight.detach().cpu().numpy().T[order]  # (n_used, D)
        results.used[lam] = int((usage > 0).sum())
        results.K = Z.shape[1]
    return results


def draw_sparsity(fig: Figure, lam: float, results: SparsityResults, *, atoms_per_row: int = 8) -> Show:
    """Three views of one sparsity weight lam, from ``sparsity_results``.

    Top left: test digits over their reconstructions. Bottom left: the most used decoder atoms,
    each scaled to its largest |weight| (red +, blue -). Right: the histogram of the test codes
    (log counts, same bins for every lam). The title gives the test MSE and the mean number of
    active units per input. Returns ``show(lam)``, which moves the figure to another trained lam.
    """
    r = results
    check_choice("lam", lam, r.reconstructions, "the trained values")
    fig.set_layout_engine("none")  # fixed margins: the axes are drawn once, only lam's artists again
    spec = fig.add_gridspec(2, 2, width_ratios=[1.45, 1.0], height_ratios=[1.0, 1.35], left=0.07, right=0.98,
                            bottom=0.1, top=0.84, wspace=0.18, hspace=0.3)
    ax = fig.add_subplot(spec[0, 0])
    digits = show_digit_rows(ax, [r.X, r.reconstructions[lam]], ["input", "recon."], pad=2)
    ax.set_title("Test digits and reconstructions")

    atoms_ax = fig.add_subplot(spec[1, 0])
    most = max(1, max(len(a) for a in r.atoms.values()))
    full = plots.mosaic(np.zeros((most, r.X.shape[1])), ncols=atoms_per_row, pad=1).shape  # one size for every lam

    def atom_tiles(lam: float) -> np.ndarray:
        tiles = np.full(full, np.nan)  # blank where this lam has fewer atoms
        if len(r.atoms[lam]):
            shown = r.atoms[lam] / np.maximum(np.abs(r.atoms[lam]).max(axis=1, keepdims=True), 1e-12)  # in [-1, 1]
            part = plots.mosaic(shown, ncols=atoms_per_row, pad=1)
            tiles[:part.shape[0], :part.shape[1]] = part
        return tiles

    atom_image = plots.show_mosaic(atoms_ax, atom_tiles(lam), -1.0, 1.0, cmap="RdBu_r")
    atoms_ax.set_xticks([]), atoms_ax.set_yticks([])

    hist_ax = fig.add_subplot(spec[:, 1])
    top = max(float(c.max()) for c in r.codes.values())
    edges = np.linspace(0.0, top, 41)  # the same bins for every lam
    size = r.codes[lam].size
    histogram = hist_ax.stairs(np.ones(len(edges) - 1), edges, fill=True, baseline=0.5, color="C2")
    hist_ax.set(yscale="log", ylim=(0.5, 2 * size), xlim=(0.0, top), xlabel="code value $z_j$ (test digits)",
                ylabel="count (log scale)")
    hist_ax.set_yticks([1, 100, 10_000], ["1", "100", "$10^4$"])  # few explicit ticks: tick labels are slow
    hist_ax.yaxis.set_minor_locator(NullLocator())
    hist_ax.xaxis.set_major_locator(MaxNLocator(4))
    title = fig.suptitle("")

    def show(lam: float) -> list[Artist]:
        check_choice("lam", lam, r.reconstructions, "the trained values")
        i = list(r.lams).index(lam)
        digits.set_data(digit_rows([r.X, r.reconstructions[lam]], pad=2))
        atom_image.set_data(atom_tiles(lam))
        atoms_ax.set_title(f"Decoder atoms: {len(r.atoms[lam])} most used of {r.used[lam]} used units "
                           "(red +, blue -)", fontsize="medium")
        values = r.codes[lam].ravel()
        counts, _ = np.histogram(values, bins=edges)
        histogram.set_data(np.maximum(counts, 0.5), edges)  # empty bins drawn at 0.5, the log axis' floor
        hist_ax.set_title(f"Code histogram: {np.mean(np.abs(values) <= 1e-3):.0%} near zero")
        title.set_text(f"λ = {lam_label(lam)}: {r.active[i]:.1f} of K = {r.K} units active per input, "
                       f"test MSE {r.mse[i]:.4f}")
        return [digits, atom_image, atoms_ax.title, histogram, hist_ax.title, title]

    show(lam)
    return show


def sparsity_explorer(results: SparsityResults) -> LiveFigure:
    """A slider over the trained values of lam (log-spaced, 0 first) redrawing ``draw_sparsity``."""
    check_results(results, SparsityResults, "sparsity_results(models, X)")
    return choice_explorer(draw_sparsity, results, "lam", results.lams, "sparsity weight lam",
                           figsize=(12, 5.2), label=lam_label)
