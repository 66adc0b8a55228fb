"""Lesson 5's lam slider: the results it draws from, the pure draw function, and the live figure
driven headless."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from aecourse import data, geometry, models, widgets
from widget_cases import make_widget

LAMS = [0.0, 1e-2]


@pytest.fixture(scope="module")
def results():
    """Untrained models with different seeds stand in for a lam grid: the widget only reads them."""
    X = data.load_digits()[0][:30]
    arc = data.circle(60, arc=1.5 * np.pi, seed=0)
    digit_models = {lam: models.Autoencoder([64, 4], code_activation="sigmoid", seed=i) for i, lam in enumerate(LAMS)}
    curve_models = {lam: models.Autoencoder([2, 8, 1], activation="tanh", seed=i) for i, lam in enumerate(LAMS)}
    return widgets.contractive_results(digit_models, curve_models, X, arc, n_points=12), digit_models, curve_models, X, arc


def test_results_match_independent_computations(results):
    res, digit_models, curve_models, X, arc = results
    assert res.lams == LAMS
    for i, lam in enumerate(LAMS):
        Js = [torch.autograd.functional.jacobian(lambda v: digit_models[lam].encoder(v[None])[0],
                                                 torch.as_tensor(x)).numpy().astype(np.float64) for x in X]
        spectra = np.array([np.linalg.svd(J, compute_uv=False) for J in Js])  # (n, 4)
        np.testing.assert_allclose(res.digits_spectrum[lam], (spectra / spectra[:, :1]).mean(axis=0), rtol=1e-5)
        assert res.digits_jacobian[i] == pytest.approx(np.mean([np.linalg.norm(J) for J in Js]), rel=1e-5)
        with torch.no_grad():
            x_tilde = digit_models[lam](torch.as_tensor(X)).numpy()
        assert res.digits_mse[i] == pytest.approx(((x_tilde - X) ** 2).mean(), rel=1e-5)
        assert res.curve_directions[lam].shape == (12, 2)
        np.testing.assert_allclose(np.linalg.norm(res.curve_directions[lam], axis=1), 1.0, rtol=1e-6)
        points = arc.clean[::5]
        expected = np.degrees(geometry.tangent_angles(curve_models[lam].encoder, points, arc.tangents[::5]))
        np.testing.assert_allclose(res.curve_angles[lam], expected)


def _title_texts(fig: Figure) -> list[str]:
    return [ax.get_title() for ax in fig.axes] + [fig._suptitle.get_text()]


def test_draw_marks_the_chosen_lam_and_shows_its_directions(results):
    res = results[0]
    figs = {}
    for lam in LAMS:
        fig = Figure()
        widgets.draw_contractive(fig, lam, res)
        figs[lam] = fig
        assert len(fig.axes) == 3
        marker = fig.axes[0].lines[-1]  # the vertical line at the chosen lam
        assert marker.get_xdata()[0] == LAMS.index(lam)
        assert f"{np.median(res.curve_angles[lam]):.0f}°" in fig.axes[2].get_title()
        red = fig.axes[2].lines[-1]  # the v_1 segments, one line split by NaN
        assert np.isnan(red.get_xdata()).sum() == 12
    assert _title_texts(figs[LAMS[0]]) != _title_texts(figs[LAMS[1]])


def test_draw_rejects_a_lam_that_was_not_trained(results):
    with pytest.raises(ValueError, match="lam must be one of the trained values"):
        widgets.draw_contractive(Figure(), 0.5, results[0])


def test_live_figure_redraws_when_the_slider_moves(results):
    live = widgets.contractive_explorer(results[0])
    live.update(lam=LAMS[0])
    first = (live.image.value, live.fig._suptitle.get_text())
    live.update(lam=LAMS[1])
    assert live.values == {"lam": LAMS[1]}
    assert live.fig._suptitle.get_text() != first[1] and live.image.value != first[0]
    assert "1e-02" in live.fig._suptitle.get_text()


def test_the_slider_image_is_the_whole_figure(results, assert_shows_the_whole_figure):
    live = widgets.contractive_explorer(results[0])
    for lam in (LAMS[1], LAMS[0], LAMS[-1]):
        live.update(lam=lam)
        assert_shows_the_whole_figure(live)


def test_results_need_the_same_lams_for_both_data_sets(results):
    _, digit_models, curve_models, X, arc = results
    with pytest.raises(ValueError, match="same lams"):
        widgets.contractive_results(digit_models, {0.0: curve_models[0.0]}, X, arc)
    with pytest.raises(ValueError, match="digit_models must be a non-empty mapping"):
        widgets.contractive_results({}, curve_models, X, arc)


def test_the_lesson_case_sweeps_every_lam():
    live, sweep = make_widget("contractive")
    assert [v["lam"] for v in sweep] == [value for _, value in live.controls["lam"].options]
    for values in sweep:
        live.update(**values)
        assert live.values == values
