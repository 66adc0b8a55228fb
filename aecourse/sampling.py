"""Sampling with a score, and judging samples: Langevin dynamics driven by a score (the true one or a
denoising autoencoder's estimate), and distances between a sample and the data that do not depend
on the model (handout 000 §17, handout 003 "DAE score field", handout 002 pitfall 4).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from aecourse._checks import check_array, check_float, check_int
from aecourse.train import model_dtype

Score = Callable[[np.ndarray], np.ndarray]


def denoiser_score(model: torch.nn.Module, sigma: float) -> Score:
    r"""The score estimate s(x) = (r(x) - x) / sigma^2 of a denoising autoencoder r trained at noise sigma.

    Notes
    -----
    A DAE trained on x_hat = x + N(0, sigma^2 I) approaches the Bayes denoiser E[x | x_hat], and by
    Tweedie's formula E[x | x_hat] = x_hat + sigma^2 grad log p_sigma(x_hat): the residual divided
    by sigma^2 estimates the score of the data density blurred by the noise (handout 000 §17,
    handout 003; handout 002, pitfall 4, in this corrected form). Returns a function of a float
    array of shape (n, D).
    """
    sigma = check_float("sigma", sigma, minimum=0.0, include_min=False)
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module (a trained denoiser), got {type(model).__name__}.")
    model.eval()
    dtype = model_dtype(model)  # evaluate in the model's dtype (float64 after .double())

    @torch.no_grad()
    def score(X: np.ndarray) -> np.ndarray:
        x = torch.as_tensor(np.asarray(X, dtype=np.float64), dtype=dtype)
        return ((model(x) - x) / sigma**2).numpy().astype(np.float64)

    return score


def langevin(score: Score, X0, *, step_size: float, n_steps: int, seed: int = 0) -> np.ndarray:
    r"""Unadjusted Langevin dynamics: move particles X0 along a score with injected noise.

    Parameters
    ----------
    score : function (n, D) array -> (n, D) array, grad log p (e.g. ``GaussianMixture.score`` or
        ``denoiser_score(model, sigma)``)
    X0 : array of shape (n, D), the starting particles
    step_size : float > 0, epsilon
    n_steps : int
    seed : int, seeds the noise

    Returns
    -------
    ndarray of shape (n, D), float64, the particles after n_steps

    Notes
    -----
    .. math:: x_{t+1} = x_t + \epsilon\, \nabla \log p(x_t) + \sqrt{2 \epsilon}\, \xi_t, \quad \xi_t \sim N(0, I)

    For small epsilon and many steps the particles are distributed as p. Annealed Langevin
    (the sampler of score-based diffusion models) runs it for decreasing noise levels, each with
    the score of p blurred at that level.
    """
    if not callable(score):
        raise TypeError(f"score must be a function of an (n, D) array, got {type(score).__name__}.")
    X = check_array("X0", X0)
    step_size = check_float("step_size", step_size, minimum=0.0, include_min=False)
    n_steps = check_int("n_steps", n_steps)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    noise_scale = np.sqrt(2.0 * step_size)
    for _ in range(n_steps):
        X = X + step_size * score(X) + noise_scale * rng.standard_normal(X.shape)
    return X


def _squared_distances(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    # |x - y|^2 = |x|^2 + |y|^2 - 2 x.y in float64: one matrix product; the cancellation costs about
    # 1e-12 in absolute terms, far below any digit the lessons print
    return np.maximum((X**2).sum(1)[:, None] + (Y**2).sum(1)[None, :] - 2.0 * X @ Y.T, 0.0)


def _pairwise(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return np.sqrt(_squared_distances(X, Y))


def _energy_of_groups(D: np.ndarray, in_x: np.ndarray) -> np.ndarray:
    """Energy distances for groupings of the pooled points; in_x (P, N) is True where a point is in X."""
    u = in_x.astype(np.float64)  # (P, N) indicators of X
    v = 1.0 - u  # (P, N) indicators of Y
    n, m = u.sum(1), v.sum(1)
    Du = u @ D  # (P, N): row p holds, for each point, the summed distances to group X
    xx, xy = (Du * u).sum(1), (Du * v).sum(1)
    yy = ((v @ D) * v).sum(1)
    return 2.0 * xy / (n * m) - xx / n**2 - yy / m**2


def energy_distance(X, Y) -> float:
    r"""The (squared) energy distance between samples X (n, D) and Y (m, D).

    Notes
    -----
    .. math:: \mathcal{E}(X, Y) = 2\, \mathbb{E}\|x - y\| - \mathbb{E}\|x - x'\| - \mathbb{E}\|y - y'\|

    with all pairs averaged (the V-statistic; the x = x' pairs included). Zero when the samples are
    equal; its population value is zero exactly when the two distributions are equal (Szekely and
    Rizzo). In one dimension it is the square of ``scipy.stats.energy_distance`` (tested).
    """
    X, Y = check_array("X", X), check_array("Y", Y)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X and Y must have the same number of features, got {X.shape[1]} and {Y.shape[1]}.")
    Z = np.concatenate([X, Y])
    return float(_energy_of_groups(_pairwise(Z, Z), np.arange(len(Z))[None] < len(X))[0])


@dataclass
class PermutationTest:
    """The result of ``energy_test``.

    statistic : the energy distance of the two samples as given
    null : the energy distances of ``n_permutations`` random relabellings of the pooled points,
        what the statistic looks like when both samples come from one distribution
    p_value : (1 + #{null >= statistic}) / (1 + n_permutations)
    """

    statistic: float
    null: np.ndarray
    p_value: float


def energy_test(X, Y, *, n_permutations: int = 200, seed: int = 0) -> PermutationTest:
    """Energy distance between X and Y with its permutation-test baseline (the pooled points
    split at random into groups of len(X) and len(Y))."""
    X, Y = check_array("X", X), check_array("Y", Y)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X and Y must have the same number of features, got {X.shape[1]} and {Y.shape[1]}.")
    n_permutations = check_int("n_permutations", n_permutations)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    Z = np.concatenate([X, Y])
    D = _pairwise(Z, Z)
    given = np.arange(len(Z)) < len(X)  # (N,): the grouping as given
    statistic = float(_energy_of_groups(D, given[None])[0])
    shuffled = np.stack([rng.permutation(given) for _ in range(n_permutations)])  # (P, N)
    null = _energy_of_groups(D, shuffled)
    return PermutationTest(statistic, null, float((1 + (null >= statistic).sum()) / (1 + n_permutations)))


def nearest_distance(X, reference) -> np.ndarray:
    """The Euclidean distance from each row of X to its nearest row of ``reference``; shape (n,)."""
    X, reference = check_array("X", X), check_array("reference", reference)
    if X.shape[1] != reference.shape[1]:
        raise ValueError(f"X has {X.shape[1]} features but reference has {reference.shape[1]}.")
    return np.sqrt(_squared_distances(X, reference).min(axis=1))
