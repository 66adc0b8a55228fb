"""Checks of lesson 7: reconstruction scores, the quantile threshold and the rates (handout 000 §16.4)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from aecourse.grading.core import GradingError, call_student, compare, passed, scalar, to_numpy

__all__ = ['check_reconstruction_scores', 'check_quantile_threshold', 'check_rates']


def check_reconstruction_scores(reconstruction_scores: Callable, *, n: int = 12, D: int = 64, seed: int = 0) -> None:
    """Check ``reconstruction_scores(model, X)``: s(x) = ||x - x_tilde||^2 of every row, shape (n,).

    As in lesson 7, ``aecourse.anomaly.reconstruction_scores`` and handout 000 §16.4: the squared
    error is SUMMED over the D coordinates (the mean would rank the samples the same way, but it
    is not the score the lesson defines).
    """
    from aecourse.models import Autoencoder
    from aecourse.train import reconstruct

    name = "reconstruction_scores"
    model = Autoencoder([D, 8], seed=seed)
    X = np.random.default_rng(seed).random((n, D)).astype(np.float32)
    X0 = X.copy()
    got = to_numpy(name, call_student(reconstruction_scores, name, model, X))
    if not np.array_equal(X, X0):
        raise GradingError(f"{name} changed X in place; compute the differences into a new array.")
    sq = (reconstruct(model, X).astype(np.float64) - X) ** 2
    expected = sq.sum(1)
    if got.shape != (n,) and got.size == 1:
        raise GradingError(f"{name} returned one number; return one score per sample, shape ({n},): sum over "
                           "the coordinates only (axis=1).")
    compare(name, got, expected, f"X of shape ({n}, {D})", {
        f"you averaged over the {D} coordinates; the score of lesson 7 is the SUM s(x) = ||x - x_tilde||^2 "
        "(handout 000 §16.4).": lambda: sq.mean(1),
        "you took the square root (the norm ||x - x_tilde||); the score is the SQUARED norm.": lambda: np.sqrt(expected),
        "you summed the differences before squaring them; square each coordinate's difference, then sum.":
            lambda: (reconstruct(model, X).astype(np.float64) - X).sum(1) ** 2,
    }, rtol=1e-4, atol=1e-6,
       hint="sum the squared differences over the coordinates of each sample (axis=1), not over the samples (axis=0).")
    passed(name, f"s(x) = ||x - x_tilde||^2 of shape ({n},)")


def check_quantile_threshold(quantile_threshold: Callable, *, n: int = 500, q: float = 0.95, seed: int = 0) -> None:
    """Check ``quantile_threshold(scores, q)``: tau, the q-quantile of normal scores without interpolation.

    As in lesson 7 and ``aecourse.anomaly.quantile_threshold``: ``np.quantile(scores, q, method="higher")``,
    one of the scores, so that at most a fraction 1 - q of them lie above tau (handout 000 §16.4).
    """
    name = "quantile_threshold"
    scores = np.random.default_rng(seed).gamma(2.0, 1.0, size=n)
    s0 = scores.copy()
    got = scalar(name, call_student(quantile_threshold, name, scores, q))
    if not np.array_equal(scores, s0):
        raise GradingError(f"{name} changed the scores in place (did you sort them with scores.sort()?); use np.quantile.")
    expected = float(np.quantile(scores, q, method="higher"))
    compare(name, got, expected, f"{n} normal scores, q={q}", {
        "you used numpy's default linear interpolation; lesson 7 takes tau = np.quantile(scores, q, method=\"higher\"), "
        "one of the scores.": lambda: float(np.quantile(scores, q)),
        "you used the (1 - q)-quantile; tau is the q-quantile (q = 0.95 keeps 95 % of normal scores below it).":
            lambda: float(np.quantile(scores, 1 - q, method="higher")),
        "you rounded down (method=\"lower\"); lesson 7 rounds up to the next order statistic (method=\"higher\").":
            lambda: float(np.quantile(scores, q, method="lower")),
        "you rounded to the nearest order statistic; lesson 7 rounds up (method=\"higher\").":
            lambda: float(np.quantile(scores, q, method="nearest")),
        "np.percentile takes percents (0 to 100); use np.quantile(scores, q, method=\"higher\").":
            lambda: float(np.percentile(scores, q, method="higher")),
        "you used the mean plus a multiple of the standard deviation; use the empirical quantile.":
            lambda: float(scores.mean() + 2 * scores.std()),
    }, rtol=1e-12, atol=1e-12, hint="use np.quantile(scores, q, method=\"higher\").")
    flagged = float((scores > got).mean())
    passed(name, f"tau = {got:.4g} flags {flagged:.3f} of the normal scores (q = {q})")


def check_rates(rates: Callable, *, n_normal: int = 150, n_anomalous: int = 50, tau: float = 1.0, seed: int = 0,
                ties: bool = False) -> None:
    """Check ``rates(scores_normal, scores_anomalous, tau)`` -> (fpr, tpr) of the rule s(x) > tau.

    As in lesson 7 and ``aecourse.anomaly.rates``: fpr is the fraction of NORMAL scores above tau, tpr
    the fraction of ANOMALOUS scores above tau; a score equal to tau is not flagged (handout 000 §16.4).
    """
    name = "rates"
    rng = np.random.default_rng(seed)
    normal, anomalous = rng.normal(0.0, 1.0, n_normal), rng.normal(2.0, 1.0, n_anomalous)
    if ties:
        normal[::7], anomalous[::5] = tau, tau  # scores equal to tau are NOT flagged
    out = call_student(rates, name, normal.copy(), anomalous.copy(), tau)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise GradingError(f"{name} must return a pair (fpr, tpr), got {type(out).__name__}.")
    got = np.array([scalar(f"{name} (fpr)", out[0]), scalar(f"{name} (tpr)", out[1])])
    expected = np.array([(normal > tau).mean(), (anomalous > tau).mean()])
    total = n_normal + n_anomalous
    compare(name, got, expected, f"{n_normal} normal and {n_anomalous} anomalous scores, tau={tau}"
            + (" (some scores equal to it)" if ties else ""), {
        "you swapped them: return (fpr, tpr) = (flagged normals / normals, flagged anomalies / anomalies).":
            lambda: expected[::-1],
        "you divided by the total number of samples; fpr divides by the number of NORMAL scores, tpr by the anomalous.":
            lambda: np.array([(normal > tau).sum() / total, (anomalous > tau).sum() / total]),
        "a score equal to tau counts as flagged in your code; flag only s(x) > tau.":
            lambda: np.array([(normal >= tau).mean(), (anomalous >= tau).mean()]),
        "you computed the fraction NOT flagged (1 - rate); a flagged sample has s(x) > tau.": lambda: 1 - expected,
        "you returned counts; return the fractions (counts divided by the number of scores).":
            lambda: np.array([(normal > tau).sum(), (anomalous > tau).sum()], dtype=float),
    }, rtol=1e-9, atol=1e-12)
    passed(name, f"fpr = {got[0]:.3f}, tpr = {got[1]:.3f}")
