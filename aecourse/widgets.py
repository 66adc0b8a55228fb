"""Sliders that redraw a figure in place, built on ``aecourse.plots``.

The pattern every lesson widget follows: a pure function ``draw(fig, **values)`` that draws
into a figure from precomputed results (so a redraw is instant and testable without a
browser), and ``LiveFigure`` that wires sliders to it and shows the figure as a PNG image.
"""
from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping

import ipywidgets as widgets
from matplotlib.figure import Figure

Draw = Callable[..., None]


def figure_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
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


# --- Lesson 1: the bottleneck size K -------------------------------------------------------------

def draw_bottleneck(fig: Figure, K: int, *, sizes, ae_errors, pca_errors, X, reconstructions) -> None:
    """Error against code size with K marked (left), and test digits over their reconstructions
    by the AE with code size K (right).

    ``sizes``: the code sizes trained; ``ae_errors`` / ``pca_errors``: test MSE per size;
    ``X``: (n, 64) test digits; ``reconstructions``: mapping size -> (n, 64) reconstructions.
    """
    if K not in reconstructions:
        raise ValueError(f"K must be one of the trained code sizes {sorted(reconstructions)}, got {K}.")
    grid = fig.add_gridspec(2, 1 + len(X), width_ratios=[len(X) / 1.6] + [1] * len(X))
    ax = fig.add_subplot(grid[:, 0])
    ax.plot(sizes, ae_errors, "o-", label="autoencoder")
    ax.plot(sizes, pca_errors, "s--", label="PCA")
    i = list(sizes).index(K)
    ax.plot([K], [ae_errors[i]], "o", ms=14, mfc="none", mec="k", mew=2, label=f"K = {K}")
    ax.set(xscale="log", yscale="log", xlabel="code size K", ylabel="test MSE", title="Error against K")
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.legend()
    for j, (x, r) in enumerate(zip(X, reconstructions[K])):
        for row, img in enumerate((x, r)):
            a = fig.add_subplot(grid[row, 1 + j])
            a.imshow(img.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
            a.set_xticks([]), a.set_yticks([])
            a.grid(False)
            if j == 0:
                a.set_ylabel("input" if row == 0 else f"K = {K}")
    fig.suptitle(f"Bottleneck of size K = {K}: test MSE {ae_errors[i]:.4f} (PCA {pca_errors[i]:.4f})")


def bottleneck_explorer(*, sizes, ae_errors, pca_errors, X, reconstructions) -> LiveFigure:
    """A slider over the trained code sizes redrawing ``draw_bottleneck``."""
    results = dict(sizes=list(sizes), ae_errors=list(ae_errors), pca_errors=list(pca_errors), X=X,
                   reconstructions=reconstructions)
    slider = widgets.SelectionSlider(options=list(sizes), value=list(sizes)[len(sizes) // 2],
                                     description="code size K", continuous_update=True,
                                     style={"description_width": "initial"})
    return LiveFigure(lambda fig, K: draw_bottleneck(fig, K, **results), {"K": slider}, figsize=(11, 3.6))
