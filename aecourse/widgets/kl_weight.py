"""Lesson 8's slider: the KL weight beta of a variational autoencoder with a 2-D code."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from aecourse import vae
from aecourse._checks import check_array, check_choice, check_float, check_int, check_mapping
from aecourse._setup import OKABE_ITO
from aecourse.train import model_dtype
from aecourse.widgets.live import LiveFigure, Show, check_results, choice_explorer, digit_rows, show_digit_rows

MARKERS = "os^vD<>px*"  # one marker per digit class: colour is not the only cue


@dataclass
class KlWeightResults:
    """What the beta slider shows, one entry per trained KL weight."""

    betas: list[float]  # the KL weights trained, increasing
    errors: list[float]  # test MSE of each VAE's reconstructions g(mu(x))
    kls: list[float]  # mean KL(q(z | x) || N(0, I)) over the test digits, nats
    X: np.ndarray  # (n_show, D) test digits drawn
    reconstructions: dict[float, np.ndarray]  # beta -> (n_show, D): g(mu(x)) of those digits
    samples: dict[float, np.ndarray]  # beta -> (n_show, D): decoded N(0, I) codes, the same codes for every beta
    codes: dict[float, np.ndarray]  # beta -> (n, 2): the means mu(x) of every test digit
    labels: np.ndarray  # (n,) the test digits' classes, which colour the scatter
    limit: float  # the scatter shows [-limit, limit]^2, the same for every beta (beta = 0's codes may lie beyond)


def kl_weight_results(models: Mapping, X_test, y_test, *, n_show: int = 8, seed: int = 1) -> KlWeightResults:
    r"""Test reconstruction error, KL, codes, reconstructions and prior samples of one trained VAE per beta.

    Parameters
    ----------
    models : mapping beta -> trained ``vae.VAE`` with a 2-D code, trained with KL weight beta
    X_test : (n, D) test digits; the error and the KL are means over all of them
    y_test : (n,) their classes, to colour the scatter of the codes mu(x)
    n_show : int, default 8; the first ``n_show`` test digits are drawn with their reconstructions,
        next to ``n_show`` decoded prior samples
    seed : int, default 1; seeds the prior codes (``vae.sample``), the same for every beta

    Notes
    -----
    The reconstruction decodes the mean, g(mu(x)); the KL is the closed form of ``vae.gaussian_kl``,
    :math:`\frac{1}{2}\sum_k (\mu_k^2 + \sigma_k^2 - 1 - \log\sigma_k^2)` (handout 002, next steps).
    """
    check_mapping("models", models, "beta -> trained VAE")
    X_test = check_array("X_test", X_test)
    y_test = np.asarray(y_test)
    if y_test.shape != (len(X_test),):
        raise ValueError(f"y_test must hold one class per test digit, shape ({len(X_test)},), "
                         f"got shape {y_test.shape}.")
    n_show = check_int("n_show", n_show)
    seed = check_int("seed", seed, minimum=0)
    betas = sorted(check_float(f"the KL weight {b!r} (a key of models)", b, minimum=0.0) for b in models)
    for beta in betas:
        model = models[beta]
        if not isinstance(model, vae.VAE) or model.latent_dim != 2 or model.n_features != X_test.shape[1]:
            raise ValueError(f"models[{beta!r}] must be a vae.VAE with a 2-D code and {X_test.shape[1]} inputs, "
                             f"e.g. vae.VAE([{X_test.shape[1]}, 32, 2]), got {model!r}.")
    out = KlWeightResults(betas=betas, errors=[], kls=[], X=X_test[:n_show], reconstructions={}, samples={},
                          codes={}, labels=y_test, limit=0.0)
    for beta in betas:
        model = models[beta].eval()
        with torch.no_grad():
            mu, logvar = model.encode(torch.as_tensor(X_test, dtype=model_dtype(model)))
            x_tilde = model.decode(mu).numpy()
            out.kls.append(float(vae.gaussian_kl(mu, logvar).mean()))
        out.errors.append(float(np.mean((x_tilde - X_test) ** 2)))
        out.reconstructions[beta] = x_tilde[:n_show]
        out.samples[beta] = vae.sample(model, n_show, seed=seed)
        out.codes[beta] = mu.numpy().astype(np.float64)
    # wide enough for the prior's 3-sd contour and for 99 % of the codes of every beta > 0; beta = 0's
    # codes, which nothing pulls towards the prior, would shrink the others to a dot
    pulled = [Z for beta, Z in out.codes.items() if beta > 0] or list(out.codes.values())
    out.limit = float(max(3.5, *(1.1 * np.quantile(np.abs(Z), 0.99) for Z in pulled)))
    return out


def draw_kl_weight(fig: Figure, beta: float, results: KlWeightResults) -> Show:
    """Three views of one KL weight beta, from ``kl_weight_results``.

    Left: test reconstruction error and KL against beta, beta marked. Middle: the means mu(x) of the
    test digits over the contours of the prior N(0, I) (1, 2 and 3 standard deviations). Right:
    test digits, their reconstructions and decoded prior samples. Returns ``show(beta)``, which
    moves the figure to another trained beta.
    """
    r = results
    check_choice("beta", beta, r.codes, "the trained KL weights")
    fig.set_layout_engine("none")  # fixed margins: the axes are drawn once, only beta's artists again
    grid_spec = fig.add_gridspec(1, 3, width_ratios=[1.0, 1.0, 1.25], left=0.065, right=0.99, bottom=0.13,
                                 top=0.82, wspace=0.45)
    ax = fig.add_subplot(grid_spec[0])
    kl_ax = ax.twinx()
    positions = np.arange(len(r.betas))  # evenly spaced betas (0 has no place on a log axis)
    error_line, = ax.plot(positions, r.errors, "o-", color=OKABE_ITO[0], label="reconstruction MSE")
    kl_line, = kl_ax.plot(positions, r.kls, "s--", color=OKABE_ITO[3], label="KL (nats)")
    # both marks live in the twin axes, drawn after the error axes: a move redraws them above both lines
    error_mark, = kl_ax.plot([], [], "o", ms=13, mfc="none", mec="k", mew=2, transform=ax.transData)
    kl_mark, = kl_ax.plot([], [], "s", ms=13, mfc="none", mec="k", mew=2, label="chosen β")
    ax.set_xticks(positions, [f"{b:g}" for b in r.betas])
    ax.set(xlabel="KL weight β", ylabel="test reconstruction MSE", title="The trade-off")
    kl_ax.set_ylabel("KL to N(0, I), nats")
    legend = kl_ax.legend([error_line, kl_line, kl_mark], ["reconstruction MSE", "KL (nats)", "chosen β"],
                          loc="upper center", fontsize="small")

    ax = fig.add_subplot(grid_spec[1])
    ticks = np.linspace(-r.limit, r.limit, 101)
    radius2 = ticks[None, :] ** 2 + ticks[:, None] ** 2
    ax.contour(ticks, ticks, radius2, levels=[1.0, 4.0, 9.0], colors="0.3", linestyles=["solid", "dashed", "dotted"])
    classes = np.unique(r.labels)
    scatters = {c: ax.scatter([], [], s=5, color=OKABE_ITO[i % len(OKABE_ITO)], marker=MARKERS[i % len(MARKERS)],
                              label=str(c)) for i, c in enumerate(classes)}
    ax.set(xlim=(-r.limit, r.limit), ylim=(-r.limit, r.limit), aspect="equal", xlabel="$z_1$", ylabel="$z_2$")
    scatter_legend = ax.legend(title="digit", fontsize=6, title_fontsize=7, loc="upper left", ncol=5,
                               markerscale=2, handletextpad=0.1, columnspacing=0.5)

    right = fig.add_subplot(grid_spec[2])
    rows = ["input", "recon.", "prior"]
    image = show_digit_rows(right, [r.X, r.reconstructions[beta], r.samples[beta]], rows, pad=1)
    right.set(xlabel="test digits; decoded N(0, I) codes", title="Reconstructions and prior samples")
    title = fig.suptitle("")

    def show(beta: float) -> list[Artist]:
        check_choice("beta", beta, r.codes, "the trained KL weights")
        i = r.betas.index(beta)
        error_mark.set_data([i], [r.errors[i]])
        kl_mark.set_data([i], [r.kls[i]])
        for c, scatter in scatters.items():
            scatter.set_offsets(r.codes[beta][r.labels == c])
        beyond = float(np.mean(np.abs(r.codes[beta]).max(axis=1) > r.limit))
        ax.set_title(f"Means μ(x) over N(0, I), β = {beta:g}" + (f" ({beyond:.0%} beyond)" if beyond else ""))
        image.set_data(digit_rows([r.X, r.reconstructions[beta], r.samples[beta]], pad=1))
        title.set_text(f"KL weight β = {beta:g}: test MSE {r.errors[i]:.4f}, KL {r.kls[i]:.2f} nats")
        return [error_mark, kl_mark, legend, *scatters.values(), scatter_legend, ax.title, image, title]

    show(beta)
    return show


def kl_weight_explorer(results: KlWeightResults) -> LiveFigure:
    """A slider over the trained KL weights of ``kl_weight_results`` redrawing ``draw_kl_weight``."""
    check_results(results, KlWeightResults, "kl_weight_results(models, X_test, y_test)")
    return choice_explorer(draw_kl_weight, results, "beta", results.betas, "KL weight β", figsize=(13, 4.4),
                           label=lambda b: f"{b:g}")
