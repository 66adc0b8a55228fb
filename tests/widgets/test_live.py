"""LiveFigure, the generic slider-to-figure wiring every lesson widget uses (headless, no browser).

Lesson-specific widgets are tested in their own files.
"""
from __future__ import annotations

import base64

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest
import traitlets

from aecourse.widgets import LiveFigure, figure_png

PNG = b"\x89PNG\r\n\x1a\n"


class Recorder:
    """A draw function that records its calls and draws a line whose slope is the slider value."""

    def __init__(self):
        self.calls = []

    def __call__(self, fig, **values):
        self.calls.append(values)
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, values.get("a", 0)])
        ax.set(title=f"a = {values.get('a')}", xlabel="x", ylabel="y")


def live(**extra):
    draw = Recorder()
    controls = {"a": widgets.IntSlider(value=1, min=0, max=5)}
    controls.update(extra)
    return LiveFigure(draw, controls, figsize=(3, 2)), draw


def test_live_figure_draws_once_at_start_with_the_initial_values():
    fig, draw = live()
    assert draw.calls == [{"a": 1}]
    assert bytes(fig.image.value).startswith(PNG)


def test_moving_a_slider_redraws():
    fig, draw = live()
    before = fig.image.value
    fig.controls["a"].value = 4  # what dragging the slider does
    assert draw.calls[-1] == {"a": 4}
    assert fig.image.value != before


def test_update_sets_several_controls_and_redraws_once():
    fig, draw = live(b=widgets.SelectionSlider(options=["x", "y"], value="x"))
    fig.update(a=3, b="y")
    assert draw.calls[1:] == [{"a": 3, "b": "y"}]
    assert fig.values == {"a": 3, "b": "y"}


def test_sliders_still_redraw_after_update():
    fig, draw = live()
    fig.update(a=2)
    fig.controls["a"].value = 5
    assert draw.calls[-1] == {"a": 5}


def test_sliders_still_redraw_after_a_failed_update():
    fig, draw = live(b=widgets.SelectionSlider(options=["x", "y"], value="x"))
    with pytest.raises(traitlets.TraitError):
        fig.update(b="not an option")
    fig.controls["a"].value = 4
    assert draw.calls[-1] == {"a": 4, "b": "x"}


def test_update_rejects_unknown_controls():
    fig, _ = live()
    with pytest.raises(ValueError, match=r"unknown control\(s\) \['lam'\]; this figure has \['a'\]"):
        fig.update(lam=0.1)


def test_controls_must_be_widgets():
    with pytest.raises(TypeError, match=r"controls\['a'\]"):
        LiveFigure(Recorder(), {"a": 3})


def test_the_figure_is_not_a_pyplot_figure():
    """Never shown twice: pyplot does not know the figure, only the PNG widget shows it."""
    before = plt.get_fignums()
    live()
    assert plt.get_fignums() == before


def test_display_bundle_has_the_widget_a_png_fallback_and_a_stable_text():
    fig, _ = live()
    bundle = fig._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]) == bytes(fig.image.value)
    assert bundle["text/plain"] == "LiveFigure(a=1)"


def test_figure_png_renders_png_bytes():
    fig, _ = live()
    assert figure_png(fig.fig).startswith(PNG)


class Slope:
    """A draw function that returns ``show``: the line's slope is the only thing a move changes."""

    def __init__(self, layout: str = "none"):
        self.draws, self.shows, self.layout = 0, [], layout

    def __call__(self, fig, a):
        self.draws += 1
        fig.set_layout_engine(self.layout)
        ax = fig.add_subplot()
        ax.set(xlim=(0, 1), ylim=(0, 5), title="slope", xlabel="x", ylabel="y")
        line, = ax.plot([], [], lw=3)
        title = fig.suptitle("")

        def show(a):
            self.shows.append(a)
            line.set_data([0, 1], [0, a])
            title.set_text(f"a = {a}")
            return [line, title]

        show(a)
        return show


def test_a_draw_that_returns_show_is_drawn_once_and_then_only_shown(assert_shows_the_whole_figure):
    draw = Slope()
    live = LiveFigure(draw, {"a": widgets.IntSlider(value=1, min=0, max=5)}, figsize=(3, 2))
    first = live.image.value
    for a in (4, 0, 2):
        live.controls["a"].value = a
        assert live.fig._suptitle.get_text() == f"a = {a}"
        assert_shows_the_whole_figure(live)  # the old line and title are gone, the new ones drawn
    assert draw.draws == 1 and draw.shows[-3:] == [4, 0, 2]
    live.update(a=1)
    assert live.image.value == first


def test_a_draw_that_returns_show_must_fix_its_layout():
    with pytest.raises(ValueError, match="must fix its layout: call fig.set_layout_engine"):
        LiveFigure(Slope(layout="constrained"), {"a": widgets.IntSlider(value=1)}, figsize=(3, 2))


def test_choice_slider_needs_values_and_starts_in_the_middle():
    from aecourse.widgets import choice_slider

    with pytest.raises(ValueError, match=r"values must be a non-empty list of the precomputed values, got \[\]"):
        choice_slider("K", [])
    with pytest.raises(TypeError, match="label must be a function"):
        choice_slider("K", [1, 2], label="K")
    slider = choice_slider("K", (1, 2, 4), label=lambda v: f"K={v}")
    assert slider.value == 2 and slider.options == (("K=1", 1), ("K=2", 2), ("K=4", 4))
