"""Lesson 7's slider: the threshold tau that turns anomaly scores into flags."""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from aecourse._checks import check_float, check_int, check_scores
from aecourse.anomaly import quantile_threshold, rates, roc_curve
from aecourse.widgets.live import LiveFigure, Show, check_results


@dataclass
class ThresholdResults:
    """What the tau slider shows: the scores, fixed histogram bins, the ROC curve, the first tau."""

    scores_normal: np.ndarray  # (n,) scores s(x) of normal held-out data
    scores_anomalous: np.ndarray  # (m,) scores of anomalous held-out data
    bins: np.ndarray  # (n_bins + 1,) histogram edges from the smallest to the largest score
    roc: tuple[np.ndarray, np.ndarray]  # (fpr, tpr) of anomaly.roc_curve
    tau: float  # the slider's starting threshold


def threshold_results(scores_normal, scores_anomalous, *, tau: float | None = None,
                      n_bins: int = 40) -> ThresholdResults:
    """Everything the tau slider draws, from precomputed scores.

    Parameters
    ----------
    scores_normal, scores_anomalous : 1-D arrays of anomaly scores (held-out data)
    tau : float, optional; the starting threshold (default: the 95 % quantile of ``scores_normal``)
    n_bins : int, default 40; histogram bins between the smallest and the largest score
    """
    scores_normal = check_scores("scores_normal", scores_normal)
    scores_anomalous = check_scores("scores_anomalous", scores_anomalous)
    n_bins = check_int("n_bins", n_bins)
    lo = min(scores_normal.min(), scores_anomalous.min())
    hi = max(scores_normal.max(), scores_anomalous.max())
    if hi <= lo:
        raise ValueError(f"all scores are equal ({lo:g}); there is no threshold to explore.")
    tau = quantile_threshold(scores_normal, 0.95) if tau is None else check_float("tau", tau, minimum=lo, maximum=hi)
    fpr, tpr, _ = roc_curve(scores_normal, scores_anomalous)
    return ThresholdResults(scores_normal=scores_normal, scores_anomalous=scores_anomalous,
                            bins=np.linspace(lo, hi, n_bins + 1), roc=(fpr, tpr), tau=tau)


def draw_threshold(fig: Figure, tau: float, results: ThresholdResults) -> Show:
    """Score histograms of normal and anomalous data with the threshold tau (left), and the ROC
    curve with the operating point of tau (right); the title gives the two rates.

    Flagged means s(x) > tau (handout 000 §16.4). Returns ``show(tau)``, which moves the figure
    to another threshold.
    """
    r = results
    bins = r.bins
    fig.set_layout_engine("none")  # fixed margins: the axes are drawn once, only tau's artists again
    left, right = fig.subplots(1, 2, width_ratios=[1.6, 1.0], gridspec_kw=dict(left=0.07, right=0.99, bottom=0.13,
                                                                               top=0.84, wspace=0.12))
    for scores, name, color in ((r.scores_normal, "normal", "C0"), (r.scores_anomalous, "anomalous", "C3")):
        counts, _ = np.histogram(np.clip(scores, bins[0], bins[-1]), bins)
        left.stairs(counts / len(scores), bins, fill=True, alpha=0.35, color=color, label=f"{name} ({len(scores)})")
    # labels in plain Unicode: the first mathtext label of a session costs 0.1-0.2 s
    flagged = left.axvspan(tau, bins[-1], color="0.5", alpha=0.12, label="flagged: s(x) > τ")
    line = left.axvline(tau, color="k", lw=2, label="τ")
    left.set(xlim=(bins[0], bins[-1]), xlabel="score s(x) = ‖x − x̃‖²", ylabel="fraction of samples",
             title="Scores and the threshold")
    scores_legend = left.legend(loc="upper right")

    right.plot(*r.roc, "-", color="C2", label="ROC curve")
    right.plot([0, 1], [0, 1], ":", color="0.5", label="chance")
    point, = right.plot([], [], "o", ms=11, color="k", label="τ")
    right.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.02), aspect="equal", xlabel="false-positive rate",
              ylabel="true-positive rate", title="ROC curve")
    roc_legend = right.legend(loc="lower right")
    title = fig.suptitle("")

    def show(tau: float) -> list[Artist]:
        fpr, tpr = rates(r.scores_normal, r.scores_anomalous, tau)
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


def threshold_explorer(results: ThresholdResults) -> LiveFigure:
    """A slider over the threshold tau (from ``results.tau``) redrawing ``draw_threshold``."""
    check_results(results, ThresholdResults, "threshold_results(scores_normal, scores_anomalous)")
    lo, hi = float(results.bins[0]), float(results.bins[-1])
    slider = widgets.FloatSlider(value=results.tau, min=lo, max=hi, step=(hi - lo) / 500, readout_format=".3g",
                                 description="threshold tau", continuous_update=True,
                                 style={"description_width": "initial"}, layout=widgets.Layout(width="60%"))
    return LiveFigure(lambda fig, tau: draw_threshold(fig, tau, results), {"tau": slider}, figsize=(11, 4.6))
