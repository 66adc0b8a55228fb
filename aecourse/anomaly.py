"""Anomaly detection by reconstruction error: scores, a quantile threshold, and the rates and
curves that judge it (handout 000 §16.4; handout 001, "DAE for anomaly detection").

The recipe of handout 000 §16.4: train an autoencoder on normal data only, score a new input by
s(x) = ||x - x_tilde||^2, choose a threshold tau from the scores of normal *validation* data,
and flag x as anomalous when s(x) > tau. Throughout, "positive" means "flagged as anomalous".
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from aecourse._checks import check_array, check_float, check_scores
from aecourse.linear import PCA
from aecourse.train import reconstruct


def reconstruction_scores(model, X) -> np.ndarray:
    """The anomaly score s(x) = ||x - x_tilde||^2 of every row of X.

    Notes
    -----
    .. math:: s(\\mathbf{x}) = \\|\\mathbf{x} - \\tilde{\\mathbf{x}}\\|_2^2 = \\sum_{j=1}^{D} (x_j - \\tilde x_j)^2

    handout 000 §16.4, worked example. The squared error is *summed* over the D coordinates, so
    the mean of the scores is D times the MSE of ``aecourse.train.reconstruction_error``; the
    ranking of samples, and hence every threshold rate and the AUC, is the same either way.

    Parameters
    ----------
    model : autoencoder (torch module with ``.encoder`` and ``.decoder``) or ``aecourse.linear.PCA``
        For PCA, x_tilde is the projection onto the principal subspace (a linear autoencoder).
    X : array or tensor of shape (n_samples, D)

    Returns
    -------
    ndarray of shape (n_samples,), float64
    """
    if isinstance(model, PCA):
        X = check_array("X", X)
        if X.shape[1] != len(model.mean):
            raise ValueError(f"X has {X.shape[1]} features but the PCA was fitted on {len(model.mean)}.")
        X_tilde = model.reconstruct(X)
    elif isinstance(model, torch.nn.Module):
        X_tilde = reconstruct(model, X).astype(np.float64)  # checks X against the model
        X = check_array("X", X)
    else:
        raise TypeError(f"model must be an autoencoder (torch.nn.Module) or an aecourse.linear.PCA, "
                        f"got {type(model).__name__}.")
    return ((X - X_tilde) ** 2).sum(axis=1)


def quantile_threshold(scores, q: float) -> float:
    """The threshold tau: the validation score below which a fraction q of the scores lie.

    Notes
    -----
    tau is the empirical q-quantile taken *without* interpolation, rounding up to the next
    order statistic (``numpy.quantile(scores, q, method="higher")``): with the n scores sorted
    as s_(0) <= ... <= s_(n-1),

    .. math:: \\tau = s_{(m)}, \\qquad m = \\lceil (n - 1)\\, q \\rceil .

    So tau is one of the validation scores, and at most a fraction 1 - q of them lie above it.
    Flagging s(x) > tau flags about a fraction 1 - q of normal data: the false-positive rate
    one *asks for* (handout 000 §16.4). Because tau is an order statistic, the rate on new normal
    data depends only on ranks: for continuous scores its mean is exactly (n - m) / (n + 1),
    whatever their distribution, and it scatters by about
    sqrt(q (1 - q) (1 / n_val + 1 / n_new)).

    Parameters
    ----------
    scores : 1-D array of scores of normal validation data
    q : float in (0, 1), e.g. 0.95 for a 5 % false-positive rate

    Returns
    -------
    float

    Examples
    --------
    >>> quantile_threshold(np.arange(0.0, 101.0), 0.95)  # s_(m), m = ceil(100 * 0.95) = 95
    95.0
    """
    scores = check_scores("scores", scores)
    q = check_float("q", q, minimum=0.0, maximum=1.0, include_min=False, include_max=False)
    return float(np.quantile(scores, q, method="higher"))


class Rates(NamedTuple):
    """False-positive rate (normal samples flagged) and true-positive rate (anomalies flagged)."""

    fpr: float
    tpr: float


def _check_tau(tau) -> float:
    return check_float("tau", tau)


def confusion_matrix(scores_normal, scores_anomalous, tau: float) -> np.ndarray:
    """Counts of the decision "anomalous if s(x) > tau", laid out as scikit-learn does.

    Returns
    -------
    ndarray of shape (2, 2), int
        Rows are the truth (normal, anomalous), columns the decision (kept, flagged):
        ``[[true negatives, false positives], [false negatives, true positives]]``.
    """
    scores_normal = check_scores("scores_normal", scores_normal)
    scores_anomalous = check_scores("scores_anomalous", scores_anomalous)
    tau = _check_tau(tau)
    fp = int((scores_normal > tau).sum())
    tp = int((scores_anomalous > tau).sum())
    return np.array([[len(scores_normal) - fp, fp], [len(scores_anomalous) - tp, tp]])


def rates(scores_normal, scores_anomalous, tau: float) -> Rates:
    """False- and true-positive rates of the decision "anomalous if s(x) > tau".

    Notes
    -----
    .. math:: \\mathrm{FPR} = \\frac{\\#\\{\\text{normal } x : s(x) > \\tau\\}}{\\#\\text{normal}}, \\qquad
              \\mathrm{TPR} = \\frac{\\#\\{\\text{anomalous } x : s(x) > \\tau\\}}{\\#\\text{anomalous}}

    The inequality is strict, as in handout 000 §16.4 (scikit-learn's ``roc_curve`` uses >=; the
    two differ only for scores exactly equal to tau).

    Parameters
    ----------
    scores_normal, scores_anomalous : 1-D arrays of scores
    tau : float, the threshold

    Returns
    -------
    Rates(fpr, tpr)
    """
    (tn, fp), (fn, tp) = confusion_matrix(scores_normal, scores_anomalous, tau)
    return Rates(fp / (tn + fp), tp / (fn + tp))


def _pooled(scores_normal, scores_anomalous) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The distinct scores of both groups (ascending), the index of each sample's score among
    them (normal samples first), how often each occurs, and the number of normal samples."""
    scores_normal = check_scores("scores_normal", scores_normal)
    scores_anomalous = check_scores("scores_anomalous", scores_anomalous)
    values, where, counts = np.unique(np.concatenate([scores_normal, scores_anomalous]),
                                      return_inverse=True, return_counts=True)
    return values, where, counts, len(scores_normal)


def roc_curve(scores_normal, scores_anomalous) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ROC curve: (FPR, TPR) of the decision "anomalous if s(x) >= t" for every threshold t.

    The thresholds are the distinct scores from the highest down, after +inf (nothing flagged);
    at each, FPR and TPR count the normal and anomalous samples scoring at least t. All
    thresholds are kept, so each point is one possible t. This is
    ``sklearn.metrics.roc_curve(labels, scores, drop_intermediate=False)`` with the anomalies
    as the positive class (tested to agree), in numpy.

    Returns
    -------
    fpr, tpr, thresholds : 1-D arrays, fpr and tpr increasing from (0, 0) to (1, 1); the first
        threshold is +inf (nothing flagged).
    """
    values, where, _, n_normal = _pooled(scores_normal, scores_anomalous)
    n_anomalous = len(where) - n_normal
    # how many normal / anomalous samples have each distinct score, from the highest score down
    normal_at = np.bincount(where[:n_normal], minlength=len(values))[::-1]
    anomalous_at = np.bincount(where[n_normal:], minlength=len(values))[::-1]
    fpr = np.concatenate([[0.0], np.cumsum(normal_at) / n_normal])
    tpr = np.concatenate([[0.0], np.cumsum(anomalous_at) / n_anomalous])
    return fpr, tpr, np.concatenate([[np.inf], values[::-1]])


def auc(scores_normal, scores_anomalous) -> float:
    """Area under the ROC curve: the probability that an anomaly scores above a normal sample.

    Notes
    -----
    .. math:: \\mathrm{AUC} = P(s(x_a) > s(x_n)) + \\tfrac12 P(s(x_a) = s(x_n))

    for x_a a random anomaly and x_n a random normal sample (the Mann-Whitney statistic divided
    by n_a n_n). 1 separates perfectly, 0.5 is chance. It needs no threshold, so it compares
    scoring methods before anyone picks tau. Computed from ranks: with R_a the sum of the
    anomalies' ranks among all n_n + n_a scores (ties get their average rank),

    .. math:: \\mathrm{AUC} = \\frac{R_a - n_a (n_a + 1) / 2}{n_a n_n},

    which equals ``sklearn.metrics.roc_auc_score`` (tested).

    Examples
    --------
    >>> auc(np.array([0.1, 0.2, 0.3]), np.array([0.4, 0.5]))  # every anomaly scores above every normal sample
    1.0
    >>> auc(np.array([0.1, 0.4]), np.array([0.2, 0.3]))  # 2 of the 4 pairs ranked right
    0.5
    """
    _, where, counts, n_normal = _pooled(scores_normal, scores_anomalous)
    n_anomalous = len(where) - n_normal
    average_rank = np.cumsum(counts) - (counts - 1) / 2  # of each distinct score, ranks from 1
    rank_sum = average_rank[where[n_normal:]].sum()
    return float((rank_sum - n_anomalous * (n_anomalous + 1) / 2) / (n_anomalous * n_normal))
