"""Sliders that redraw a figure in place, built on ``aecourse.plots``.

The pattern every lesson widget follows: a pure function ``draw(fig, **values)`` that draws
into a figure from precomputed results (so a redraw is instant and testable without a
browser), and ``LiveFigure`` that wires sliders to it and shows the figure as a PNG image.
"""
from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from aecourse import plots

Draw = Callable[..., None]


def figure_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})  # fast to encode; size matters less
    return buf.getvalue()


class LiveFigure:
    """A figure redrawn by ``draw(fig, **values)`` whenever one of the ``controls`` changes.

    Parameters
    ----------
    draw : function ``(fig, **values) -> None`` drawing into a cleared figure
    controls : mapping from the keyword ``draw`` expects to an ipywidgets value widget
    figsize : (width, height) in inches

    ``update(**values)`` sets the controls from code (what a headless test does); ``widget`` is
    the ipywidgets box; displaying the object shows it, with a static PNG of the current state
    as a fallback for renderers without widgets (a static HTML page).
    """

    def __init__(self, draw: Draw, controls: Mapping[str, widgets.ValueWidget], figsize=(9.0, 5.0)):
        if not callable(draw):
            raise TypeError(f"draw must be a function (fig, **values) -> None, got {draw!r}.")
        if not controls:
            raise ValueError("controls must name at least one widget, e.g. {'lam': FloatLogSlider(...)}.")
        for name, control in dict(controls).items():
            if not isinstance(control, widgets.ValueWidget):
                raise TypeError(f"controls[{name!r}] must be an ipywidgets value widget such as "
                                f"IntSlider(...), got {type(control).__name__}.")
        self.draw = draw
        self.controls = dict(controls)
        self.fig = Figure(figsize=figsize, layout="constrained")  # not a pyplot figure: never auto-shown
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        for control in self.controls.values():
            control.observe(self._redraw, names="value")
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values())), self.image])
        self._redraw()

    @property
    def values(self) -> dict:
        return {name: c.value for name, c in self.controls.items()}

    def _redraw(self, change=None) -> None:
        self.fig.clear()
        self.draw(self.fig, **self.values)
        self.image.value = figure_png(self.fig)

    def update(self, **values) -> None:
        """Set controls by name and redraw once."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; this figure has {sorted(self.controls)}.")
        with self.widget.hold_trait_notifications():
            for control in self.controls.values():
                control.unobserve(self._redraw, names="value")
            try:
                for name, value in values.items():
                    self.controls[name].value = value
            finally:
                for control in self.controls.values():
                    control.observe(self._redraw, names="value")
        self._redraw()

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        bundle["text/plain"] = f"LiveFigure({', '.join(f'{k}={v!r}' for k, v in self.values.items())})"
        return bundle


def choice_slider(description: str, values: Sequence, label: Callable[[Any], str] | None = None
                  ) -> widgets.SelectionSlider:
    """A slider over precomputed values (the models a lesson trained), starting at the middle one and
    redrawing while it is dragged; ``label`` formats the readout (default: ``str``)."""
    options = [(label(v), v) for v in values] if label else list(values)
    return widgets.SelectionSlider(options=options, value=values[len(values) // 2], description=description,
                                   continuous_update=True, style={"description_width": "initial"})


# --- Lesson 1: the bottleneck size K -------------------------------------------------------------

def draw_bottleneck(fig: Figure, K: int, *, sizes, ae_errors, pca_errors, X, reconstructions) -> None:
    """Error against code size with K marked (left), and test digits over their reconstructions
    by the AE with code size K (right).

    ``sizes``: the code sizes trained; ``ae_errors`` / ``pca_errors``: test MSE per size;
    ``X``: (n, 64) test digits; ``reconstructions``: mapping size -> (n, 64) reconstructions.
    """
    if K not in reconstructions:
        raise ValueError(f"K must be one of the trained code sizes {sorted(reconstructions)}, got {K}.")
    ax, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    positions = np.arange(len(sizes))  # evenly spaced sizes; a log axis is slower to draw
    ax.plot(positions, ae_errors, "o-", label="autoencoder")
    ax.plot(positions, pca_errors, "s--", label="PCA")
    i = list(sizes).index(K)
    ax.plot([i], [ae_errors[i]], "o", ms=14, mfc="none", mec="k", mew=2, label=f"K = {K}")
    ax.set(xlabel="code size K", ylabel="test MSE", title="Error against K")
    ax.set_xticks(positions, [str(s) for s in sizes])
    ax.legend()
    n = len(X)
    tiles = plots.mosaic(np.concatenate([X, reconstructions[K]]), ncols=n, pad=2)
    plots._show_mosaic(right, tiles, 0.0, 1.0)
    right.set_yticks([3.5, 13.5], ["input", f"K = {K}"])
    right.set_xticks([]), right.tick_params(length=0)
    right.set(xlabel="test digits", title="Reconstructions")
    fig.suptitle(f"Bottleneck of size K = {K}: test MSE {ae_errors[i]:.4f} (PCA {pca_errors[i]:.4f})")


def bottleneck_explorer(*, sizes, ae_errors, pca_errors, X, reconstructions) -> LiveFigure:
    """A slider over the trained code sizes redrawing ``draw_bottleneck``."""
    results = dict(sizes=list(sizes), ae_errors=list(ae_errors), pca_errors=list(pca_errors), X=X,
                   reconstructions=reconstructions)
    slider = choice_slider("code size K", list(sizes))
    return LiveFigure(lambda fig, K: draw_bottleneck(fig, K, **results), {"K": slider}, figsize=(11, 3.6))


# --- Lesson 4: the noise level sigma of a denoising autoencoder ----------------------------------

def draw_denoising(fig: Figure, sigma: float, *, sigmas, variances, clean, noisy, denoised, shrinkage, grid,
                   field, circle) -> None:
    """Three views of one noise level sigma, from ``aecourse.denoising.sigma_sweep``'s results.

    Left: the fraction lambda_i / (lambda_i + sigma^2) of each principal direction of the digits
    that the optimal linear DAE keeps (other sigmas faint). Middle: the optimal denoiser's vector
    field r*(x) - x around the unit circle, arrows drawn to scale. Right: digits corrupted with
    noise of level sigma, denoised by the optimal linear DAE, and clean.
    """
    if sigma not in shrinkage:
        raise ValueError(f"sigma must be one of the precomputed noise levels {list(sigmas)}, got {sigma}.")
    # A fixed layout and few tick labels: text layout dominates a redraw, and constrained layout
    # measures every label twice.
    fig.set_layout_engine("none")
    grid_spec = fig.add_gridspec(1, 3, width_ratios=[1.0, 1.0, 1.3], left=0.06, right=0.99, bottom=0.13,
                                 top=0.84, wspace=0.28)
    ax = fig.add_subplot(grid_spec[0])
    index = np.arange(1, len(variances) + 1)
    for s in sigmas:
        if s != sigma:
            ax.plot(index, shrinkage[s], color="0.75", lw=1)
    ax.plot([], [], color="0.75", lw=1, label="other $\\sigma$")
    ax.plot(index, shrinkage[sigma], color="C0", lw=3, label=f"$\\sigma$ = {sigma:g}")
    ax.set(ylim=(-0.02, 1.02), xticks=[1, 16, 32, 48, 64], yticks=[0, 0.5, 1],
           xlabel="principal direction i (by variance)",
           ylabel="$\\lambda_i / (\\lambda_i + \\sigma^2)$", title="Shrinkage per direction")
    ax.legend(loc="upper right")

    ax = fig.add_subplot(grid_spec[1])
    ax.plot(circle[:, 0], circle[:, 1], color="C1", lw=2, label="data (unit circle)")
    ax.quiver(grid[:, 0], grid[:, 1], field[sigma][:, 0], field[sigma][:, 1], angles="xy", scale_units="xy",
              scale=1.0, width=0.006, color="C0", label="$r^*(x) - x$")
    ax.set(xlim=(-1.75, 1.75), ylim=(-1.75, 1.75), xticks=[-1, 0, 1], yticks=[-1, 0, 1], aspect="equal",
           xlabel="$x_1$", ylabel="$x_2$",
           title="Optimal DAE field")
    ax.legend(loc="lower left", fontsize="small")

    ax = fig.add_subplot(grid_spec[2])
    shown = np.concatenate([noisy[sigma], denoised[sigma], clean])  # one row of digits each
    plots._show_mosaic(ax, plots.mosaic(shown, ncols=len(clean), pad=1), 0.0, 1.0)
    ax.set_yticks([3.5, 12.5, 21.5], ["noisy", "denoised", "clean"])
    ax.set_xticks([])
    ax.set(xlabel="test digits", title="Optimal linear DAE")
    noisy_mse = float(np.mean((noisy[sigma] - clean) ** 2))
    denoised_mse = float(np.mean((denoised[sigma] - clean) ** 2))
    fig.suptitle(f"Noise $\\sigma$ = {sigma:g}: digit MSE {noisy_mse:.4f} noisy, {denoised_mse:.4f} denoised")


def denoising_explorer(results: Mapping) -> LiveFigure:
    """A slider over the precomputed noise levels of ``aecourse.denoising.sigma_sweep`` redrawing
    ``draw_denoising``."""
    slider = choice_slider("noise sigma", list(results["sigmas"]))
    return LiveFigure(lambda fig, sigma: draw_denoising(fig, sigma, **results), {"sigma": slider},
                      figsize=(13, 4.2))


# --- Lesson 3: the sparsity weight lam ------------------------------------------------------------

def sparsity_results(models: Mapping, X, *, n_show: int = 8, n_atoms: int = 24, threshold: float = 1e-3) -> dict:
    """What the lam slider shows, computed once from one trained model per lam.

    Parameters
    ----------
    models : mapping lam -> trained one-layer ``Autoencoder([D, K])`` (same D and K for all)
    X : (n, D) test inputs; the first ``n_show`` are drawn with their reconstructions
    n_atoms : how many decoder atoms to keep per model, the most used first
    threshold : a unit is active for an input when |z_j| > threshold (``penalties.active_units``)

    Returns
    -------
    dict with ``lams`` (sorted), ``K``, ``X`` (n_show, D), per-lam lists ``mse`` (test MSE) and
    ``active`` (mean active units per input), and per-lam mappings ``reconstructions``
    (n_show, D), ``codes`` (n, K), ``atoms`` (<= n_atoms, D: decoder columns g(e_j) - b, handout
    001's dictionary) and ``used`` (units active for at least one input).
    """
    from torch import nn

    from aecourse.penalties import active_units
    from aecourse.train import encode, reconstruct

    if not isinstance(models, Mapping) or not models:
        raise ValueError(f"models must be a non-empty mapping lam -> trained Autoencoder, got {type(models).__name__}.")
    lams = sorted(models)
    results = {"lams": lams, "X": np.asarray(X)[:n_show], "mse": [], "active": [], "reconstructions": {},
               "codes": {}, "atoms": {}, "used": {}, "K": None}
    for lam in lams:
        layers = [m for m in models[lam].decoder.modules() if isinstance(m, nn.Linear)]
        if len(layers) != 1:
            raise ValueError(f"models[{lam}] must have a one-layer decoder (its weight columns are the atoms), "
                             f"got {len(layers)} Linear layers; build it as Autoencoder([D, K]).")
        Z = encode(models[lam], X)  # (n, K)
        X_tilde = reconstruct(models[lam], X)
        usage = (np.abs(Z) > threshold).mean(axis=0)  # (K,): fraction of inputs using each unit
        order = np.argsort(-usage, kind="stable")[:n_atoms]
        order = order[usage[order] > 0]
        results["mse"].append(float(np.mean((X_tilde - np.asarray(X)) ** 2)))
        results["active"].append(float(active_units(Z, threshold).mean()))
        results["reconstructions"][lam] = X_tilde[:n_show]
        results["codes"][lam] = Z
        results["atoms"][lam] = layers[0].weight.detach().cpu().numpy().T[order]  # (n_used, D)
        results["used"][lam] = int((usage > 0).sum())
        results["K"] = Z.shape[1]
    return results


def _lam_label(lam: float) -> str:
    return "0" if lam == 0 else f"{lam:.0e}"


def draw_sparsity(fig: Figure, lam: float, *, lams, K, X, mse, active, reconstructions, codes, atoms, used,
                  atoms_per_row: int = 8) -> None:
    """Three views of one sparsity weight lam, from ``sparsity_results``.

    Top left: test digits over their reconstructions. Bottom left: the most used decoder atoms,
    each scaled to its largest |weight| (red +, blue -). Right: the histogram of the test codes
    (log counts, same bins for every lam). The title gives the test MSE and the mean number of
    active units per input. Three axes and few ticks keep a redraw fast.
    """
    if lam not in reconstructions:
        raise ValueError(f"lam must be one of the trained values {list(lams)}, got {lam}.")
    from matplotlib.ticker import MaxNLocator, NullLocator

    i = list(lams).index(lam)
    fig.set_layout_engine("none")  # fixed margins: constrained layout costs more than the drawing
    spec = fig.add_gridspec(2, 2, width_ratios=[1.45, 1.0], height_ratios=[1.0, 1.35], left=0.07, right=0.98,
                            bottom=0.1, top=0.84, wspace=0.18, hspace=0.3)
    ax = fig.add_subplot(spec[0, 0])
    plots._show_mosaic(ax, plots.mosaic(np.concatenate([X, reconstructions[lam]]), ncols=len(X), pad=2), 0.0, 1.0)
    ax.set_yticks([3.5, 13.5], ["input", "recon."])
    ax.set_xticks([]), ax.tick_params(length=0)
    ax.set_title("Test digits and reconstructions")

    ax = fig.add_subplot(spec[1, 0])
    shown = atoms[lam] / np.maximum(np.abs(atoms[lam]).max(axis=1, keepdims=True), 1e-12)  # each in [-1, 1]
    plots._show_mosaic(ax, plots.mosaic(shown, ncols=atoms_per_row, pad=1), -1.0, 1.0, cmap="RdBu_r")
    ax.set_xticks([]), ax.set_yticks([])
    ax.set_title(f"Decoder atoms: {len(atoms[lam])} most used of {used[lam]} used units (red +, blue -)",
                 fontsize="medium")

    ax = fig.add_subplot(spec[:, 1])
    top = max(float(c.max()) for c in codes.values())
    values = codes[lam].ravel()
    counts, edges = np.histogram(values, bins=np.linspace(0.0, top, 41))  # same bins for every lam
    ax.stairs(np.maximum(counts, 0.5), edges, fill=True, baseline=0.5, color="C2")  # empty bins drawn at 0.5
    ax.set(yscale="log", ylim=(0.5, 2 * values.size), xlim=(0.0, top), xlabel="code value $z_j$ (test digits)",
           ylabel="count (log scale)", title=f"Code histogram: {np.mean(np.abs(values) <= 1e-3):.0%} near zero")
    ax.set_yticks([1, 100, 10_000], ["1", "100", "$10^4$"])  # few explicit ticks: tick labels are slow
    ax.yaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_locator(MaxNLocator(4))
    fig.suptitle(f"$\\lambda$ = {_lam_label(lam)}: {active[i]:.1f} of K = {K} units active per input, "
                 f"test MSE {mse[i]:.4f}")


def sparsity_explorer(results: Mapping) -> LiveFigure:
    """A slider over the trained values of lam (log-spaced, 0 first) redrawing ``draw_sparsity``."""
    slider = choice_slider("sparsity weight lam", list(results["lams"]), label=_lam_label)
    return LiveFigure(lambda fig, lam: draw_sparsity(fig, lam, **results), {"lam": slider}, figsize=(12, 5.2))


# --- Lesson 5: the contractive weight lam -----------------------------------------------------------

def contractive_results(digit_models: Mapping, curve_models: Mapping, X_digits, curve, *,
                        n_points: int = 40) -> dict:
    """What the lam slider of lesson 5 shows, computed once from one trained model per lam.

    Parameters
    ----------
    digit_models : mapping lam -> trained autoencoder on digits (``.encoder``, ``.decoder``)
    curve_models : mapping lam -> trained autoencoder on a curve in the plane, same lams
    X_digits : (n, 64) test digits
    curve : ``aecourse.data.Manifold`` of a curve (``circle`` or ``spiral``); its clean points and
        tangents are used for the sensitivity directions
    n_points : how many evenly spaced points of the curve get a direction drawn

    Returns
    -------
    dict with ``lams`` (sorted); per-lam lists ``digits_mse``, ``digits_jacobian`` (mean
    ||J_f||_F over the test digits), ``curve_mse``, ``curve_jacobian`` (on the curve's points);
    per-lam mappings ``digits_spectrum`` (mean of s_k / s_1 over the digits, (r,)),
    ``curve_reconstructions`` ((n, 2), ordered along the curve), ``curve_directions`` ((n_points,
    2), top right-singular vectors v_1) and ``curve_angles`` ((n_points,), degrees to the tangent);
    and ``curve_X`` (the data) and ``curve_points``.
    """
    from aecourse import geometry
    from aecourse.train import reconstruct, reconstruction_error

    for name, group in (("digit_models", digit_models), ("curve_models", curve_models)):
        if not isinstance(group, Mapping) or not group:
            raise ValueError(f"{name} must be a non-empty mapping lam -> trained autoencoder, got {type(group).__name__}.")
    if sorted(digit_models) != sorted(curve_models):
        raise ValueError(f"digit_models and curve_models must be trained on the same lams, got "
                         f"{sorted(digit_models)} and {sorted(curve_models)}.")
    lams = sorted(digit_models)
    step = max(1, len(curve.clean) // n_points)
    points, tangents = curve.clean[::step], curve.tangents[::step]
    results = {"lams": lams, "curve_X": np.asarray(curve.X), "curve_points": points, "digits_mse": [],
               "digits_jacobian": [], "curve_mse": [], "curve_jacobian": [], "digits_spectrum": {},
               "curve_reconstructions": {}, "curve_directions": {}, "curve_angles": {}}
    for lam in lams:
        S = geometry.jacobian_spectrum(digit_models[lam].encoder, X_digits)  # (n, r)
        results["digits_mse"].append(reconstruction_error(digit_models[lam], X_digits))
        results["digits_jacobian"].append(float(np.sqrt((S**2).sum(axis=1)).mean()))
        results["digits_spectrum"][lam] = (S / S[:, :1]).mean(axis=0)
        model = curve_models[lam]
        _, S_curve, Vh = geometry.jacobian_svd(model.encoder, points)
        results["curve_mse"].append(reconstruction_error(model, curve.clean))
        results["curve_jacobian"].append(float(np.sqrt((S_curve**2).sum(axis=1)).mean()))
        results["curve_reconstructions"][lam] = reconstruct(model, curve.clean)
        results["curve_directions"][lam] = Vh[:, 0, :]
        results["curve_angles"][lam] = np.degrees(geometry.tangent_angles(model.encoder, points, tangents))
    return results


def draw_contractive(fig: Figure, lam: float, *, lams, digits_mse, digits_jacobian, digits_spectrum, curve_mse,
                     curve_jacobian, curve_X, curve_points, curve_reconstructions, curve_directions,
                     curve_angles) -> None:
    """Three views of one contractive weight lam, from ``contractive_results``.

    Left: test MSE and mean encoder Jacobian norm against lam, on digits and on the curve, each
    relative to its value at the first lam (0, the plain AE). Middle: the normalised singular
    values s_k / s_1 of the digits encoder Jacobian (first lam dashed). Right: the curve, its
    reconstruction, and at points of the curve the input direction the encoder is most sensitive
    to (v_1), with the median angle to the tangent.
    """
    if lam not in digits_spectrum:
        raise ValueError(f"lam must be one of the trained values {list(lams)}, got {lam}.")
    from matplotlib.ticker import NullLocator

    i = list(lams).index(lam)
    fig.set_layout_engine("none")  # fixed margins: constrained layout would cost most of a redraw
    ax, ax_spectrum, ax_curve = fig.subplots(1, 3, gridspec_kw=dict(width_ratios=[1.1, 1.0, 1.0], left=0.06, right=0.99,
                                                                    bottom=0.14, top=0.84, wspace=0.3))

    steps = np.arange(len(lams))
    for values, style, label in ((digits_mse, "o-C0", "digits MSE"), (digits_jacobian, "s-C3", "digits Jacobian norm"),
                                 (curve_mse, "o--C0", "curve MSE"), (curve_jacobian, "s--C3", "curve Jacobian norm")):
        relative = np.asarray(values) / values[0]
        ax.plot(steps, relative, style[:-2], color=style[-2:], label=label)
    ax.axvline(i, color="0.4", ls=":", lw=2)
    ax.set(yscale="log", xlabel="λ", ylabel=f"relative to λ = {_lam_label(lams[0])}",
           title="Error up, sensitivity down")
    ax.yaxis.set_minor_locator(NullLocator())
    ticks = [t for t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_xticks(steps, [_lam_label(v) for v in lams])
    ax.legend(fontsize="x-small", loc="upper left", framealpha=0.9)

    ranks = np.arange(1, len(digits_spectrum[lam]) + 1)
    ax_spectrum.plot(ranks, digits_spectrum[lams[0]], "--", color="0.5")
    ax_spectrum.plot(ranks, digits_spectrum[lam], "o-", color="C3")
    ax_spectrum.set(xlabel="k", ylabel="mean sₖ / s₁", ylim=(0, 1.05),
                    title=f"Digits: spectrum (dashed: λ = {_lam_label(lams[0])})")

    ax_curve.plot(curve_X[:, 0], curve_X[:, 1], ".", ms=3, color="0.7", label="data")
    r = curve_reconstructions[lam]
    ax_curve.plot(r[:, 0], r[:, 1], color="C0", lw=1.5, label="reconstruction")
    v, p = 0.15 * curve_directions[lam], curve_points
    gap = np.full(len(p), np.nan)
    ax_curve.plot(np.stack([p[:, 0] - v[:, 0], p[:, 0] + v[:, 0], gap], axis=1).ravel(),
                  np.stack([p[:, 1] - v[:, 1], p[:, 1] + v[:, 1], gap], axis=1).ravel(),
                  color="C3", lw=2, label="v₁, most sensitive")  # one line, segments split by NaN
    ax_curve.set(aspect="equal", xlabel="x₁", ylabel="x₂",
                 title=f"Curve: median angle {np.median(curve_angles[lam]):.0f}° to tangent")
    ax_curve.legend(fontsize="small", loc="lower left")
    fig.suptitle(f"Contractive autoencoders, λ = {_lam_label(lam)}: digits MSE {digits_mse[i]:.4f}, "
                 f"mean Jacobian norm {digits_jacobian[i]:.2f}")


def contractive_explorer(results: Mapping) -> LiveFigure:
    """A slider over the trained values of lam (0 first) redrawing ``draw_contractive``."""
    slider = choice_slider("contractive weight lam", list(results["lams"]), label=_lam_label)
    return LiveFigure(lambda fig, lam: draw_contractive(fig, lam, **results), {"lam": slider}, figsize=(11, 3.8))


# --- Lesson 7: the anomaly threshold tau ---------------------------------------------------------

def draw_threshold(fig: Figure, tau: float, *, scores_normal, scores_anomalous, bins, roc) -> None:
    """Score histograms of normal and anomalous data with the threshold tau (left), and the ROC
    curve with the operating point of tau (right); the title gives the two rates.

    ``scores_normal`` / ``scores_anomalous``: 1-D scores s(x); ``bins``: histogram bin edges;
    ``roc``: ``(fpr, tpr)`` of ``aecourse.anomaly.roc_curve``. Flagged means s(x) > tau
    (handout 000 §16.4).
    """
    from aecourse.anomaly import rates

    fpr, tpr = rates(scores_normal, scores_anomalous, tau)
    fig.set_layout_engine("none")  # fixed margins: constrained layout would cost more than the drawing
    left, right = fig.subplots(1, 2, width_ratios=[1.6, 1.0], gridspec_kw=dict(left=0.07, right=0.99, bottom=0.13,
                                                                               top=0.84, wspace=0.12))
    for scores, name, color in ((scores_normal, "normal", "C0"), (scores_anomalous, "anomalous", "C3")):
        counts, _ = np.histogram(np.clip(scores, bins[0], bins[-1]), bins)
        left.stairs(counts / len(scores), bins, fill=True, alpha=0.35, color=color, label=f"{name} ({len(scores)})")
    # labels in plain Unicode: the first mathtext label of a session costs 0.1-0.2 s
    left.axvspan(tau, bins[-1], color="0.5", alpha=0.12, label="flagged: s(x) > τ")
    left.axvline(tau, color="k", lw=2, label=f"τ = {tau:.3g}")
    left.set(xlim=(bins[0], bins[-1]), xlabel="score s(x) = ‖x − x̃‖²", ylabel="fraction of samples",
             title="Scores and the threshold")
    left.legend(loc="upper right")

    right.plot(*roc, color="C2", label="ROC curve")
    right.plot([0, 1], [0, 1], ":", color="0.5", label="chance")
    right.plot([fpr], [tpr], "o", ms=11, color="k", label=f"τ: ({fpr:.2f}, {tpr:.2f})")
    right.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.02), aspect="equal", xlabel="false-positive rate",
              ylabel="true-positive rate", title="ROC curve")
    right.legend(loc="lower right")
    fig.suptitle(f"τ = {tau:.3g}: {fpr:.1%} of normal samples flagged (FPR), "
                 f"{tpr:.1%} of anomalies flagged (TPR)")


def threshold_explorer(scores_normal, scores_anomalous, *, tau: float | None = None, n_bins: int = 40) -> LiveFigure:
    """A slider over the threshold tau redrawing ``draw_threshold`` from precomputed scores.

    Parameters
    ----------
    scores_normal, scores_anomalous : 1-D arrays of anomaly scores (held-out data)
    tau : float, optional; the starting threshold (default: the 95 % quantile of ``scores_normal``)
    n_bins : int, default 40; histogram bins between the smallest and the largest score
    """
    from aecourse._checks import check_float, check_int
    from aecourse.anomaly import _check_scores, quantile_threshold, roc_curve

    scores_normal = _check_scores("scores_normal", scores_normal)
    scores_anomalous = _check_scores("scores_anomalous", scores_anomalous)
    n_bins = check_int("n_bins", n_bins)
    lo = min(scores_normal.min(), scores_anomalous.min())
    hi = max(scores_normal.max(), scores_anomalous.max())
    if hi <= lo:
        raise ValueError(f"all scores are equal ({lo:g}); there is no threshold to explore.")
    tau = quantile_threshold(scores_normal, 0.95) if tau is None else check_float("tau", tau, minimum=lo, maximum=hi)
    fpr, tpr, _ = roc_curve(scores_normal, scores_anomalous)
    results = dict(scores_normal=scores_normal, scores_anomalous=scores_anomalous,
                   bins=np.linspace(lo, hi, n_bins + 1), roc=(fpr, tpr))
    slider = widgets.FloatSlider(value=tau, min=lo, max=hi, step=(hi - lo) / 500, readout_format=".3g",
                                 description="threshold tau", continuous_update=True,
                                 style={"description_width": "initial"}, layout=widgets.Layout(width="60%"))
    return LiveFigure(lambda fig, tau: draw_threshold(fig, tau, **results), {"tau": slider}, figsize=(11, 4.6))
