"""The threshold slider of lesson 7, headless: what it draws and the rates it reports are computed
independently here from the scores."""
import numpy as np
import pytest
from matplotlib.figure import Figure

from aecourse import widgets


@pytest.fixture
def scores():
    rng = np.random.default_rng(0)
    return rng.gamma(4.0, 0.2, size=150), rng.gamma(4.0, 0.6, size=120)


def test_title_reports_the_rates_of_the_threshold(scores):
    normal, anomalous = scores
    live = widgets.threshold_explorer(widgets.threshold_results(normal, anomalous))
    for tau in (0.5, 1.0, 2.0):
        live.update(tau=tau)
        fpr = sum(s > tau for s in normal) / len(normal)
        tpr = sum(s > tau for s in anomalous) / len(anomalous)
        title = live.fig._suptitle.get_text()
        assert f"{fpr:.1%} of normal samples flagged" in title
        assert f"{tpr:.1%} of anomalies flagged" in title


def test_default_threshold_is_the_95_percent_order_statistic(scores):
    normal, anomalous = scores
    live = widgets.threshold_explorer(widgets.threshold_results(normal, anomalous))
    expected = np.sort(normal)[int(np.ceil((len(normal) - 1) * 0.95))]
    assert live.values["tau"] == pytest.approx(expected, rel=1e-9)


def test_histograms_hold_every_sample_and_the_line_sits_at_tau(scores):
    normal, anomalous = scores
    live = widgets.threshold_explorer(widgets.threshold_results(normal, anomalous, tau=1.3))
    hist_ax, roc_ax = live.fig.axes
    fractions = [patch for patch in hist_ax.patches if type(patch).__name__ == "StepPatch"]
    assert len(fractions) == 2
    for patch in fractions:  # each histogram is a fraction of its own group: sums to 1
        assert patch.get_data().values.sum() == pytest.approx(1.0)
    line_x = [ln.get_xdata()[0] for ln in hist_ax.lines]
    assert 1.3 in line_x


def test_operating_point_lies_on_the_roc_curve(scores):
    normal, anomalous = scores
    live = widgets.threshold_explorer(widgets.threshold_results(normal, anomalous, tau=1.1))
    roc_ax = live.fig.axes[1]
    curve, _, point = roc_ax.lines
    fpr, tpr = point.get_xdata()[0], point.get_ydata()[0]
    assert (fpr, tpr) == (np.mean(normal > 1.1), np.mean(anomalous > 1.1))
    on_curve = (curve.get_xdata() == fpr) & (curve.get_ydata() == tpr)
    assert on_curve.any()


def test_figure_is_labelled(scores):
    fig = Figure()
    fpr, tpr = np.array([0.0, 0.5, 1.0]), np.array([0.0, 0.8, 1.0])
    widgets.draw_threshold(fig, 1.0, widgets.ThresholdResults(scores_normal=scores[0], scores_anomalous=scores[1],
                                                              bins=np.linspace(0, 5, 21), roc=(fpr, tpr), tau=1.0))
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None


def test_slider_range_covers_all_scores(scores):
    normal, anomalous = scores
    slider = widgets.threshold_explorer(widgets.threshold_results(normal, anomalous)).controls["tau"]
    assert slider.min == min(normal.min(), anomalous.min()) and slider.max == max(normal.max(), anomalous.max())


def test_bad_input_is_named(scores):
    normal, anomalous = scores
    with pytest.raises(ValueError, match="scores_anomalous is empty"):
        widgets.threshold_explorer(widgets.threshold_results(normal, np.array([])))
    with pytest.raises(ValueError, match="scores_normal contains 1 NaN"):
        widgets.threshold_explorer(widgets.threshold_results(np.r_[normal, np.nan], anomalous))
    with pytest.raises(ValueError, match="tau must be in"):
        widgets.threshold_explorer(widgets.threshold_results(normal, anomalous, tau=100.0))
    with pytest.raises(ValueError, match="all scores are equal"):
        widgets.threshold_explorer(widgets.threshold_results(np.ones(3), np.ones(4)))
    with pytest.raises(ValueError, match="unknown control"):
        widgets.threshold_explorer(widgets.threshold_results(normal, anomalous)).update(q=0.9)


def test_the_slider_image_is_the_whole_figure(scores, assert_shows_the_whole_figure):
    live = widgets.threshold_explorer(widgets.threshold_results(*scores))
    for tau in (0.5, 2.0, 1.0):
        live.update(tau=tau)
        assert_shows_the_whole_figure(live)
