"""The live-figure machinery every lesson slider is built on.

The pattern every lesson widget follows: a pure function ``draw(fig, value, results)`` that draws
into a figure from precomputed results (so a redraw is instant and testable without a browser),
and ``LiveFigure`` that wires sliders to it and shows the figure as a PNG image.

A draw function may return ``show(**values)``: a function that changes, in place, only the
artists that depend on the slider values (a line's data, an image, a title) and returns them.
``LiveFigure`` then renders the rest of the figure once and, on a slider move, redraws only
those artists over it (blitting). Axes, ticks and labels are most of a figure's render time,
so this keeps a redraw well under 100 ms.

The artists ``show`` returns are marked *animated* while the background is drawn (matplotlib's
blitting recipe): the canvas draw leaves them out but still lays them out, so an axes title among them sits
where a full render puts it, from the first frame on. (Hiding them with ``set_visible(False)``
instead gave hidden titles an empty extent, and matplotlib then lifted them off the axes: the
first frame showed titles over the suptitle or off the canvas, finding X-1.)
"""
from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine, TightLayoutEngine
from PIL import Image

from aecourse import plots

Show = Callable[..., list[Artist]]
DRAWN_LAST = 10  # the zorder of the artists a slider move redraws: above every default (legends: 5)
Draw = Callable[..., Show | None]


def figure_png(fig: Figure) -> bytes:
    """Render a figure in full (every artist, animated ones included) to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})  # fast to encode; size matters less
    return buf.getvalue()


def canvas_png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas as it was last drawn, as PNG bytes (RGB: a figure has no transparency)."""
    buf = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).save(buf, format="png", compress_level=1)
    return buf.getvalue()


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
        if not isinstance(controls, Mapping) or not controls:
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
        self.image.value = canvas_png(self.canvas)

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
            artist.set_animated(True)  # laid out by canvas.draw() but left out of the background
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        for artist in changed:
            artist.set_animated(False)  # a full render (savefig) draws them again; a figure's own
            self.fig.draw_artist(artist)  # animated artists (a suptitle) it would leave out
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
        import base64

        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        bundle["text/plain"] = f"LiveFigure({', '.join(f'{k}={v!r}' for k, v in self.values.items())})"
        return bundle


def check_results(results, kind: type, made_by: str) -> None:
    """Raise unless ``results`` is the dataclass an explorer draws from (``made_by`` builds it)."""
    if not isinstance(results, kind):
        raise TypeError(f"results must be the {kind.__name__} that {made_by} returns, got {type(results).__name__}.")


def digit_rows(rows: Sequence[np.ndarray], pad: int) -> np.ndarray:
    """One mosaic row of 8x8 digits per (n, 64) array in ``rows``, top to bottom."""
    return plots.mosaic(np.concatenate(rows), ncols=len(rows[0]), pad=pad)


def show_digit_rows(ax, rows: Sequence[np.ndarray], labels: Sequence[str], pad: int):
    """Draw ``digit_rows(rows, pad)`` in ``ax`` with each row's label at its left; returns the
    image, whose ``set_data`` takes the next ``digit_rows``."""
    image = plots.show_mosaic(ax, digit_rows(rows, pad), 0.0, 1.0)
    ax.set_yticks([r * (8 + pad) + 3.5 for r in range(len(labels))], labels)  # the middle of each row
    ax.set_xticks([]), ax.tick_params(length=0)
    return image


def lam_label(lam: float) -> str:
    """A penalty weight as a slider shows it: ``0``, or one significant digit (``3e-03``).

    Examples
    --------
    >>> lam_label(0.0), lam_label(0.003)
    ('0', '3e-03')
    """
    return "0" if lam == 0 else f"{lam:.0e}"


def choice_slider(description: str, values: Sequence, label: Callable[[Any], str] | None = None
                  ) -> widgets.SelectionSlider:
    """A slider over precomputed values (the models a lesson trained), starting at the middle one and
    redrawing while it is dragged; ``label`` formats the readout (default: ``str``)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or len(values) == 0:
        raise ValueError(f"values must be a non-empty list of the precomputed values, got {values!r}.")
    if label is not None and not callable(label):
        raise TypeError(f"label must be a function value -> str or None, got {type(label).__name__}.")
    values = list(values)
    options = [(label(v), v) for v in values] if label else values
    return widgets.SelectionSlider(options=options, value=values[len(values) // 2], description=description,
                                   continuous_update=True, style={"description_width": "initial"})


def choice_explorer(draw: Callable, results, name: str, values: Sequence, description: str, *,
                    figsize: tuple[float, float], label: Callable[[Any], str] | None = None) -> LiveFigure:
    """A ``LiveFigure`` whose one slider (``choice_slider(description, values, label)``) picks
    ``name``'s value among precomputed ``values`` and redraws ``draw(fig, value, results)``."""
    slider = choice_slider(description, values, label)
    return LiveFigure(lambda fig, **chosen: draw(fig, chosen[name], results), {name: slider}, figsize=figsize)
