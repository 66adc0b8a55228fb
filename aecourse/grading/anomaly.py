"""Checks of lesson 7: reconstruction scores, the quantile threshold and the rates (handout 000 §16.4)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from aecourse.grading.core import GradingError, call_student, compare, passed, scalar, to_numpy

__all__ = ['check_reconstruction_scores', 'check_quantile_threshold', 'check_rates']


def check_reconstruction_scores(reconstruction_scores: Callable, *, n: int = 12, D: int = 64, seed: int = 0) -> None:
    """Check ``reconstruction_scores(model, X)``: per-sample MSE, shape (n,)."""
    from aecourse.models import Autoencoder
    from aecourse.train import reconstruct

    name = "reconstruction_scores"
    model = Autoencoder([D, 8], seed=seed)
    X = np.random.default_rng(seed).random((n, D)).astype(np.float32)
    got = to_numpy(name, call_student(reconstruction_scores, name, model, X))
    sq = (reconstruct(model, X).astype(np.float64) - X) ** 2
    expected = sq.mean(1)
    if got.shape != (n,) and got.size == 1:
        raise GradingError(f"{name} returned one number; return one score per sample, shape ({n},): average over "
                           "the coordinates only (axis=1).")
    compare(name, got, expected, f"X of shape ({n}, {D})", {
        f"you summed over the {D} coordinates; the score is the MEAN squared error of each sample.": lambda: sq.sum(1),
        "you took the square root of each score (RMSE); use the mean squared error.": lambda: np.sqrt(expected),
    }, rtol=1e-4, atol=1e-7,
       hint="average over the coordinates of each sample (axis=1), not over the samples (axis=0).")
    passed(name, f"per-sample MSE of shape ({n},)")


def check_quantile_threshold(quantile_threshold: Callable, *, n: int = 500, fpr: float = 0.05, seed: int = 0) -> None:
    """Check ``quantile_threshold(scores_normal, fpr)``: the (1 - fpr)-quantile of the normal scores."""
    name = "quantile_threshold"
    scores = np.random.default_rng(seed).gamma(2.0, 1.0, size=n)
    s0 = scores.copy()
    got = scalar(name, call_student(quantile_threshold, name, scores, fpr))
    if not np.array_equal(scores, s0):
        raise GradingError(f"{name} changed the scores in place (did you sort them with scores.sort()?); use np.quantile.")
    expected = float(np.quantile(scores, 1 - fpr))
    compare(name, got, expected, f"{n} normal scores, fpr={fpr}", {
        "you used the fpr-quantile; to flag a fraction fpr of NORMAL data, the threshold is the (1 - fpr)-quantile.":
            lambda: float(np.quantile(scores, fpr)),
        "np.percentile takes percents (0 to 100); use np.quantile(scores, 1 - fpr).":
            lambda: float(np.percentile(scores, 1 - fpr)),
        "np.percentile takes percents; you passed fpr, use np.quantile(scores, 1 - fpr).":
            lambda: float(np.percentile(scores, fpr)),
        "you used the mean plus a multiple of the standard deviation; use the empirical quantile.":
            lambda: float(scores.mean() + 2 * scores.std()),
    }, rtol=1e-9, atol=1e-9, hint="use np.quantile(scores_normal, 1 - fpr).")
    flagged = float((scores > got).mean())
    passed(name, f"threshold {got:.4g} flags {flagged:.3f} of the normal scores (fpr = {fpr})")


def check_rates(rates: Callable, *, n: int = 200, threshold: float = 1.0, seed: int = 0, ties: bool = False) -> None:
    """Check ``rates(scores, labels, threshold)`` -> (fpr, tpr); label 1 = anomaly, flagged = score > threshold."""
    name = "rates"
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < 0.3).astype(int)
    scores = np.where(labels == 1, rng.normal(2.0, 1.0, n), rng.normal(0.0, 1.0, n))
    if ties:
        scores[::7] = threshold  # scores equal to the threshold are NOT flagged
    out = call_student(rates, name, scores.copy(), labels.copy(), threshold)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise GradingError(f"{name} must return a pair (fpr, tpr), got {type(out).__name__}.")
    got = np.array([scalar(f"{name} (fpr)", out[0]), scalar(f"{name} (tpr)", out[1])])
    flagged = scores > threshold
    normal, anomaly = labels == 0, labels == 1
    expected = np.array([flagged[normal].mean(), flagged[anomaly].mean()])
    ge = scores >= threshold
    compare(name, got, expected, f"{n} labelled scores, threshold={threshold}" + (" (some scores equal to it)" if ties else ""), {
        "you swapped them: return (fpr, tpr) = (flagged normals / normals, flagged anomalies / anomalies).":
            lambda: expected[::-1],
        "you divided by the total number of samples; fpr divides by the number of NORMAL samples, tpr by the anomalies.":
            lambda: np.array([(flagged & normal).sum() / n, (flagged & anomaly).sum() / n]),
        "a score equal to the threshold counts as flagged in your code; flag only score > threshold.":
            lambda: np.array([ge[normal].mean(), ge[anomaly].mean()]),
        "you computed the fraction NOT flagged (1 - rate); a flagged sample has score > threshold.":
            lambda: 1 - expected,
    }, rtol=1e-9, atol=1e-12)
    passed(name, f"fpr = {got[0]:.3f}, tpr = {got[1]:.3f}")
