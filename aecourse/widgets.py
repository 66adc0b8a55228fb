"""Sliders that redraw a figure in place, built on ``aecourse.plots``.

The pattern every lesson widget follows: a pure function ``draw(fig, **values)`` that draws
into a figure from precomputed results (so a redraw is instant and testable without a
browser), and ``LiveFigure`` that wires sliders to it and shows the figure as a PNG image.

A draw function may return ``show(**values)``: a function that changes, in place, only the
artists that depend on the slider values (a line's data, an image, a title) and returns them.
``LiveFigure`` then renders the rest of the figure once and, on a slider move, redraws only
those artists over it (blitting). Axes, ticks and labels are most of a figure's render time,
so this keeps a redraw well under 100 ms.
"""
from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine, TightLayoutEngine

from aecourse import plots

Show = Callable[..., list[Artist]]
DRAWN_LAST = 10  # the zorder of the artists a slider move redraws: above every default (legends: 5)
Draw = Callable[..., Show | None]


def figure_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})  # fast to encode; size matters less
    return buf.getvalue()


def _canvas_png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas as it was last drawn, as PNG bytes (RGB: a figure has no transparency)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).save(buf, format="png", compress_level=1)
    return buf.getvalue()


def _check_choice(name: str, value, choices, what: str) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {what} {list(choices)}, got {value}.")


class LiveFigure:
    """A figure redrawn by ``draw(fig, **values)`` whenever one of the ``controls`` changes.

    Parameters
    ----------
    draw : function ``(fig, **values)`` drawing into a cleared figure. If it returns a function
        ``show(**values) -> list of artists`` (see the module docstring), a slider move calls
        ``show`` and redraws only the artists it returns; otherwise the whole figure is redrawn.
        A ``draw`` that returns ``show`` must fix its layout (``fig.set_layout_engine("none")``
        and explicit margins), since the rest of the figure is rendered only once.
    controls : mapping from the keyword ``draw`` expects to an ipywidgets value widget
    figsize : (width, height) in inches

    ``update(**values)`` sets the controls from code (what a headless test does); ``widget`` is
    the ipywidgets box; displaying the object shows it, with a static PNG of the current state
    as a fallback for renderers without widgets (a static HTML page).
    """

    def __init__(self, draw: Draw, controls: Mapping[str, widgets.ValueWidget], figsize=(9.0, 5.0)):
        if not callable(draw):
            raise TypeError(f"draw must be a function (fig, **values) that draws into fig, got {draw!r}.")
        if not controls:
            raise ValueError("controls must name at least one widget, e.g. {'lam': FloatLogSlider(...)}.")
        for name, control in dict(controls).items():
            if not isinstance(control, widgets.ValueWidget):
                raise TypeError(f"controls[{name!r}] must be an ipywidgets value widget such as "
                                f"IntSlider(...), got {type(control).__name__}.")
        self.draw = draw
        self.controls = dict(controls)
        self.fig = Figure(figsize=figsize, layout="constrained")  # not a pyplot figure: never auto-shown
        self.canvas = FigureCanvasAgg(self.fig)
        self._show: Show | None = None  # set by the first draw when it returns one
        self._background = None  # the canvas without the artists ``_show`` changes
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        for control in self.controls.values():
            control.observe(self._redraw, names="value")
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values())), self.image])
        self._redraw()

    @property
    def values(self) -> dict:
        return {name: c.value for name, c in self.controls.items()}

    def _redraw(self, change=None) -> None:
        if self._show is None:
            self._draw_everything()
        else:
            changed = self._show(**self.values)
            self.canvas.restore_region(self._background)
            for artist in changed:
                self.fig.draw_artist(artist)
        self.image.value = _canvas_png(self.canvas)

    def _draw_everything(self) -> None:
        self.fig.clear()
        show = self.draw(self.fig, **self.values)
        if show is None:
            self.canvas.draw()
            return
        if isinstance(self.fig.get_layout_engine(), (ConstrainedLayoutEngine, TightLayoutEngine)):
            raise ValueError("a draw function that returns show(...) must fix its layout: call "
                             "fig.set_layout_engine('none') and give the subplots explicit margins.")
        changed = show(**self.values)
        for order, artist in enumerate(changed):
            # a move draws these last, in this order: a full render (savefig, the static page) must too
            artist.set_zorder(DRAWN_LAST + order / 100)
            artist.set_visible(False)
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        for artist in changed:
            artist.set_visible(True)
            self.fig.draw_artist(artist)
        self._show = show

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


def _digit_rows(rows: Sequence[np.ndarray], pad: int) -> np.ndarray:
    """One mosaic row of 8x8 digits per (n, 64) array in ``rows``, top to bottom."""
    return plots.mosaic(np.concatenate(rows), ncols=len(rows[0]), pad=pad)


def _show_digit_rows(ax, rows: Sequence[np.ndarray], labels: Sequence[str], pad: int):
    """Draw ``_digit_rows(rows, pad)`` in ``ax`` with each row's label at its left; returns the
    image, whose ``set_data`` takes the next ``_digit_rows``."""
    image = plots._show_mosaic(ax, _digit_rows(rows, pad), 0.0, 1.0)
    ax.set_yticks([r * (8 + pad) + 3.5 for r in range(len(labels))], labels)  # the middle of each row
    ax.set_xticks([]), ax.tick_params(length=0)
    return image


def choice_slider(description: str, values: Sequence, label: Callable[[Any], str] | None = None
                  ) -> widgets.SelectionSlider:
    """A slider over precomputed values (the models a lesson trained), starting at the middle one and
    redrawing while it is dragged; ``label`` formats the readout (default: ``str``)."""
    options = [(label(v), v) for v in values] if label else list(values)
    return widgets.SelectionSlider(options=options, value=values[len(values) // 2], description=description,
                                   continuous_update=True, style={"description_width": "initial"})


# --- Lesson 1: the bottleneck size K -------------------------------------------------------------

def draw_bottleneck(fig: Figure, K: int, *, sizes, ae_errors, pca_errors, X, reconstructions) -> Show:
    """Error against code size with K marked (left), and test digits over their reconstructions
    by the AE with code size K (right).

    ``sizes``: the code sizes trained; ``ae_errors`` / ``pca_errors``: test MSE per size;
    ``X``: (n, 64) test digits; ``reconstructions``: mapping size -> (n, 64) reconstructions.
    Returns ``show(K)``, which moves the figure to another trained code size.
    """
    _check_choice("K", K, reconstructions, "the trained code sizes")
    fig.set_layout_engine("none")  # fixed margins: the axes are drawn once, only K's artists again
    ax, right = fig.subplots(1, 2, gridspec_kw=dict(width_ratios=[1, 1.6], left=0.07, right=0.99, bottom=0.15,
                                                    top=0.8, wspace=0.12))
    positions = np.arange(len(sizes))  # evenly spaced sizes; a log axis is slower to draw
    ax.plot(positions, ae_errors, "o-", label="autoencoder")
    ax.plot(positions, pca_errors, "s--", label="PCA")
    marker, = ax.plot([], [], "o", ms=14, mfc="none", mec="k", mew=2, label="chosen K")
    ax.set(xlabel="code size K", ylabel="test MSE", title="Error against K")
    ax.set_xticks(positions, [str(s) for s in sizes])
    legend = ax.legend(loc="upper right")
    image = _show_digit_rows(right, [X, reconstructions[K]], ["input", "recon."], pad=2)
    right.set(xlabel="test digits")
    title = fig.suptitle("")

    def show(K: int) -> list[Artist]:
        _check_choice("K", K, reconstructions, "the trained code sizes")
        i = list(sizes).index(K)
        marker.set_data([i], [ae_errors[i]])
        image.set_data(_digit_rows([X, reconstructions[K]], pad=2))
        right.set_title(f"Reconstructions with K = {K}")
        title.set_text(f"Bottleneck of size K = {K}: test MSE {ae_errors[i]:.4f} (PCA {pca_errors[i]:.4f})")
        return [marker, legend, image, right.title, title]

    show(K)
    return show


def bottleneck_explorer(*, sizes, ae_errors, pca_errors, X, reconstructions) -> LiveFigure:
    """A slider over the trained code sizes redrawing ``draw_bottleneck``."""
    results = dict(sizes=list(sizes), ae_errors=list(ae_errors), pca_errors=list(pca_errors), X=X,
                   reconstructions=reconstructions)
    slider = choice_slider("code size K", list(sizes))
    return LiveFigure(lambda fig, K: draw_bottleneck(fig, K, **results), {"K": slider}, figsize=(11, 3.6))


# --- Lesson 4: the noise level sigma of a denoising autoencoder ----------------------------------

def draw_denoising(fig: Figure, sigma: float, *, sigmas, variances, clean, noisy, denoised, shrinkage, grid,
                   field, circle) -> Show:
    """Three views of one noise level sigma, from ``aecourse.denoising.sigma_sweep``'s results.

    Left: the fraction lambda_i / (lambda_i + sigma^2) of each principal direction of the digits
    that the optimal linear DAE keeps (every sigma faint, this one bold). Middle: the optimal
    denoiser's vector field r*(x) - x around the unit circle, arrows drawn to scale. Right: digits
    corrupted with noise of level sigma, denoised by the optimal linear DAE, and clean.
    Returns ``show(sigma)``, which moves the figure to another precomputed noise level.
    """
    _check_choice("sigma", sigma, shrinkage, "the precomputed noise levels")
    fig.set_layout_engine("none")  # fixed margins: the axes are drawn once, only sigma's artists again
    grid_spec = fig.add_gridspec(1, 3, width_ratios=[1.0, 1.0, 1.3], left=0.06, right=0.99, bottom=0.13,
                                 top=0.84, wspace=0.28)
    ax = fig.add_subplot(grid_spec[0])
    index = np.arange(1, len(variances) + 1)
    for s in sigmas:
        ax.plot(index, shrinkage[s], color="0.75", lw=1)
    ax.plot([], [], color="0.75", lw=1, label="other σ")
    bold, = ax.plot(index, shrinkage[sigma], color="C0", lw=3, label="σ")
    ax.set(ylim=(-0.02, 1.02), xticks=[1, 16, 32, 48, 64], yticks=[0, 0.5, 1],
           xlabel="principal direction i (by variance)",
           ylabel="$\\lambda_i / (\\lambda_i + \\sigma^2)$", title="Shrinkage per direction")
    shrinkage_legend = ax.legend(loc="upper right")

    ax = fig.add_subplot(grid_spec[1])
    ax.plot(circle[:, 0], circle[:, 1], color="C1", lw=2, label="data (unit circle)")
    quiver = ax.quiver(grid[:, 0], grid[:, 1], field[sigma][:, 0], field[sigma][:, 1], angles="xy",
                       scale_units="xy", scale=1.0, width=0.006, color="C0", label="r*(x) − x")
    ax.set(xlim=(-1.75, 1.75), ylim=(-1.75, 1.75), xticks=[-1, 0, 1], yticks=[-1, 0, 1], aspect="equal",
           xlabel="x₁", ylabel="x₂", title="Optimal DAE field")
    field_legend = ax.legend(loc="lower left", fontsize="small")

    ax = fig.add_subplot(grid_spec[2])
    image = _show_digit_rows(ax, [noisy[sigma], denoised[sigma], clean], ["noisy", "denoised", "clean"], pad=1)
    ax.set(xlabel="test digits", title="Optimal linear DAE")
    title = fig.suptitle("")

    def show(sigma: float) -> list[Artist]:
        _check_choice("sigma", sigma, shrinkage, "the precomputed noise levels")
        bold.set_ydata(shrinkage[sigma])
        shrinkage_legend.get_texts()[1].set_text(f"σ = {sigma:g}")
        quiver.set_UVC(field[sigma][:, 0], field[sigma][:, 1])
        image.set_data(_digit_rows([noisy[sigma], denoised[sigma], clean], pad=1))
        noisy_mse = float(np.mean((noisy[sigma] - clean) ** 2))
        denoised_mse = float(np.mean((denoised[sigma] - clean) ** 2))
        title.set_text(f"Noise σ = {sigma:g}: digit MSE {noisy_mse:.4f} noisy, {denoised_mse:.4f} denoised")
        return [bold, shrinkage_legend, quiver, field_legend, image, title]

    show(sigma)
    return show


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
                  atoms_per_row: int = 8) -> Show:
    """Three views of one sparsity weight lam, from ``sparsity_results``.

    Top left: test digits over their reconstructions. Bottom left: the most used decoder atoms,
    each scaled to its largest |weight| (red +, blue -). Right: the histogram of the test codes
    (log counts, same bins for every lam). The title gives the test MSE and the mean number of
    active units per input. Returns ``show(lam)``, which moves the figure to another trained lam.
    """
    _check_choice("lam", lam, reconstructions, "the trained values")
    from matplotlib.ticker import MaxNLocator, NullLocator

    fig.set_layout_engine("none")  # fixed margins: the axes are drawn once, only lam's artists again
    spec = fig.add_gridspec(2, 2, width_ratios=[1.45, 1.0], height_ratios=[1.0, 1.35], left=0.07, right=0.98,
                            bottom=0.1, top=0.84, wspace=0.18, hspace=0.3)
    ax = fig.add_subplot(spec[0, 0])
    digits = _show_digit_rows(ax, [X, reconstructions[lam]], ["input", "recon."], pad=2)
    ax.set_title("Test digits and reconstructions")

    atoms_ax = fig.add_subplot(spec[1, 0])
    most = max(1, max(len(a) for a in atoms.values()))
    full = plots.mosaic(np.zeros((most, X.shape[1])), ncols=atoms_per_row, pad=1).shape  # one size for every lam

    def atom_tiles(lam: float) -> np.ndarray:
        tiles = np.full(full, np.nan)  # blank where this lam has fewer atoms
        if len(atoms[lam]):
            shown = atoms[lam] / np.maximum(np.abs(atoms[lam]).max(axis=1, keepdims=True), 1e-12)  # each in [-1, 1]
            part = plots.mosaic(shown, ncols=atoms_per_row, pad=1)
            tiles[:part.shape[0], :part.shape[1]] = part
        return tiles

    atom_image = plots._show_mosaic(atoms_ax, atom_tiles(lam), -1.0, 1.0, cmap="RdBu_r")
    atoms_ax.set_xticks([]), atoms_ax.set_yticks([])

    hist_ax = fig.add_subplot(spec[:, 1])
    top = max(float(c.max()) for c in codes.values())
    edges = np.linspace(0.0, top, 41)  # the same bins for every lam
    size = codes[lam].size
    histogram = hist_ax.stairs(np.ones(len(edges) - 1), edges, fill=True, baseline=0.5, color="C2")
    hist_ax.set(yscale="log", ylim=(0.5, 2 * size), xlim=(0.0, top), xlabel="code value $z_j$ (test digits)",
                ylabel="count (log scale)")
    hist_ax.set_yticks([1, 100, 10_000], ["1", "100", "$10^4$"])  # few explicit ticks: tick labels are slow
    hist_ax.yaxis.set_minor_locator(NullLocator())
    hist_ax.xaxis.set_major_locator(MaxNLocator(4))
    title = fig.suptitle("")

    def show(lam: float) -> list[Artist]:
        _check_choice("lam", lam, reconstructions, "the trained values")
        i = list(lams).index(lam)
        digits.set_data(_digit_rows([X, reconstructions[lam]], pad=2))
        atom_image.set_data(atom_tiles(lam))
        atoms_ax.set_title(f"Decoder atoms: {len(atoms[lam])} most used of {used[lam]} used units (red +, blue -)",
                           fontsize="medium")
        values = codes[lam].ravel()
        counts, _ = np.histogram(values, bins=edges)
        histogram.set_data(np.maximum(counts, 0.5), edges)  # empty bins drawn at 0.5, the log axis' floor
        hist_ax.set_title(f"Code histogram: {np.mean(np.abs(values) <= 1e-3):.0%} near zero")
        title.set_text(f"λ = {_lam_label(lam)}: {active[i]:.1f} of K = {K} units active per input, "
                       f"test MSE {mse[i]:.4f}")
        return [digits, atom_image, atoms_ax.title, histogram, hist_ax.title, title]

    show(lam)
    return show


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
                     curve_angles) -> Show:
    """Three views of one contractive weight lam, from ``contractive_results``.

    Left: test MSE and mean encoder Jacobian norm against lam, on digits and on the curve, each
    relative to its value at the first lam (0, the plain AE). Middle: the normalised singular
    values s_k / s_1 of the digits encoder Jacobian (first lam dashed). Right: the curve, its
    reconstruction, and at points of the curve the input direction the encoder is most sensitive
    to (v_1), with the median angle to the tangent. Returns ``show(lam)``, which moves the figure
    to another trained lam.
    """
    _check_choice("lam", lam, digits_spectrum, "the trained values")
    from matplotlib.ticker import NullLocator

    fig.set_layout_engine("none")  # fixed margins: the axes are drawn once, only lam's artists again
    ax, ax_spectrum, ax_curve = fig.subplots(1, 3, gridspec_kw=dict(width_ratios=[1.1, 1.0, 1.0], left=0.06, right=0.99,
                                                                    bottom=0.14, top=0.84, wspace=0.3))

    steps = np.arange(len(lams))
    for values, style, label in ((digits_mse, "o-C0", "digits MSE"), (digits_jacobian, "s-C3", "digits Jacobian norm"),
                                 (curve_mse, "o--C0", "curve MSE"), (curve_jacobian, "s--C3", "curve Jacobian norm")):
        relative = np.asarray(values) / values[0]
        ax.plot(steps, relative, style[:-2], color=style[-2:], label=label)
    marker = ax.axvline(0, color="0.4", ls=":", lw=2)
    ax.set(yscale="log", xlabel="λ", ylabel=f"relative to λ = {_lam_label(lams[0])}",
           title="Error up, sensitivity down")
    ax.yaxis.set_minor_locator(NullLocator())
    ticks = [t for t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_xticks(steps, [_lam_label(v) for v in lams])
    errors_legend = ax.legend(fontsize="x-small", loc="upper left", framealpha=0.9)

    ranks = np.arange(1, len(digits_spectrum[lam]) + 1)
    ax_spectrum.plot(ranks, digits_spectrum[lams[0]], "--", color="0.5")
    spectrum, = ax_spectrum.plot(ranks, digits_spectrum[lam], "o-", color="C3")
    ax_spectrum.set(xlabel="k", ylabel="mean sₖ / s₁", ylim=(0, 1.05),
                    title=f"Digits: spectrum (dashed: λ = {_lam_label(lams[0])})")

    ax_curve.plot(curve_X[:, 0], curve_X[:, 1], ".", ms=3, color="0.7", label="data")
    reconstruction, = ax_curve.plot([], [], color="C0", lw=1.5, label="reconstruction")
    p, gap = curve_points, np.full(len(curve_points), np.nan)

    def segments(lam: float) -> tuple[np.ndarray, np.ndarray]:  # one line through every v_1, split by NaN
        v = 0.15 * curve_directions[lam]
        return (np.stack([p[:, 0] - v[:, 0], p[:, 0] + v[:, 0], gap], axis=1).ravel(),
                np.stack([p[:, 1] - v[:, 1], p[:, 1] + v[:, 1], gap], axis=1).ravel())

    directions, = ax_curve.plot([], [], color="C3", lw=2, label="v₁, most sensitive")
    # limits that hold every lam's reconstruction and directions: the axes are drawn only once
    shown = np.concatenate([curve_X, *curve_reconstructions.values(),
                            *(np.column_stack(segments(v)) for v in lams)])
    lo, hi = np.nanmin(shown, axis=0), np.nanmax(shown, axis=0)
    margin = 0.05 * (hi - lo)
    ax_curve.set(xlim=(lo[0] - margin[0], hi[0] + margin[0]), ylim=(lo[1] - margin[1], hi[1] + margin[1]),
                 aspect="equal", xlabel="x₁", ylabel="x₂")
    curve_legend = ax_curve.legend(fontsize="small", loc="lower left")
    title = fig.suptitle("")

    def show(lam: float) -> list[Artist]:
        _check_choice("lam", lam, digits_spectrum, "the trained values")
        i = list(lams).index(lam)
        marker.set_xdata([i, i])
        spectrum.set_ydata(digits_spectrum[lam])
        reconstruction.set_data(curve_reconstructions[lam][:, 0], curve_reconstructions[lam][:, 1])
        directions.set_data(*segments(lam))
        ax_curve.set_title(f"Curve: {np.median(curve_angles[lam]):.0f}° to tangent (median)")
        title.set_text(f"Contractive autoencoders, λ = {_lam_label(lam)}: digits MSE {digits_mse[i]:.4f}, "
                       f"mean Jacobian norm {digits_jacobian[i]:.2f}")
        return [marker, errors_legend, spectrum, reconstruction, directions, curve_legend, ax_curve.title, title]

    show(lam)
    return show


def contractive_explorer(results: Mapping) -> LiveFigure:
    """A slider over the trained values of lam (0 first) redrawing ``draw_contractive``."""
    slider = choice_slider("contractive weight lam", list(results["lams"]), label=_lam_label)
    return LiveFigure(lambda fig, lam: draw_contractive(fig, lam, **results), {"lam": slider}, figsize=(11, 3.8))


# --- Lesson 7: the anomaly threshold tau ---------------------------------------------------------

def draw_threshold(fig: Figure, tau: float, *, scores_normal, scores_anomalous, bins, roc) -> Show:
    """Score histograms of normal and anomalous data with the threshold tau (left), and the ROC
    curve with the operating point of tau (right); the title gives the two rates.

    ``scores_normal`` / ``scores_anomalous``: 1-D scores s(x); ``bins``: histogram bin edges;
    ``roc``: ``(fpr, tpr)`` of ``aecourse.anomaly.roc_curve``. Flagged means s(x) > tau
    (handout 000 §16.4). Returns ``show(tau)``, which moves the figure to another threshold.
    """
    from aecourse.anomaly import rates

    fig.set_layout_engine("none")  # fixed margins: the axes are drawn once, only tau's artists again
    left, right = fig.subplots(1, 2, width_ratios=[1.6, 1.0], gridspec_kw=dict(left=0.07, right=0.99, bottom=0.13,
                                                                               top=0.84, wspace=0.12))
    for scores, name, color in ((scores_normal, "normal", "C0"), (scores_anomalous, "anomalous", "C3")):
        counts, _ = np.histogram(np.clip(scores, bins[0], bins[-1]), bins)
        left.stairs(counts / len(scores), bins, fill=True, alpha=0.35, color=color, label=f"{name} ({len(scores)})")
    # labels in plain Unicode: the first mathtext label of a session costs 0.1-0.2 s
    flagged = left.axvspan(tau, bins[-1], color="0.5", alpha=0.12, label="flagged: s(x) > τ")
    line = left.axvline(tau, color="k", lw=2, label="τ")
    left.set(xlim=(bins[0], bins[-1]), xlabel="score s(x) = ‖x − x̃‖²", ylabel="fraction of samples",
             title="Scores and the threshold")
    scores_legend = left.legend(loc="upper right")

    right.plot(*roc, color="C2", label="ROC curve")
    right.plot([0, 1], [0, 1], ":", color="0.5", label="chance")
    point, = right.plot([], [], "o", ms=11, color="k", label="τ")
    right.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.02), aspect="equal", xlabel="false-positive rate",
              ylabel="true-positive rate", title="ROC curve")
    roc_legend = right.legend(loc="lower right")
    title = fig.suptitle("")

    def show(tau: float) -> list[Artist]:
        fpr, tpr = rates(scores_normal, scores_anomalous, tau)
        flagged.set_x(tau)
        flagged.set_width(bins[-1] - tau)
        line.set_xdata([tau, tau])
        scores_legend.get_texts()[-1].set_text(f"τ = {tau:.3g}")
        point.set_data([fpr], [tpr])
        roc_legend.get_texts()[-1].set_text(f"τ: ({fpr:.2f}, {tpr:.2f})")
        title.set_text(f"τ = {tau:.3g}: {fpr:.1%} of normal samples flagged (FPR), "
                       f"{tpr:.1%} of anomalies flagged (TPR)")
        return [flagged, line, scores_legend, point, roc_legend, title]

    show(tau)
    return show


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
