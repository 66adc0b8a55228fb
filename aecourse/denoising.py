"""The best possible denoiser when the data density is known, and the score it reveals.

For a Gaussian mixture the Bayes-optimal denoiser r*(x_hat) = E[x | x_hat] has a closed form, so
a lesson can separate the two reasons a trained DAE's (r(x) - x) / sigma^2 differs from the score
grad log p(x): the noise level (r* itself is the score of the *blurred* density, Tweedie's
formula) and imperfect training (r differs from r*). Handout 000 §17, handout 002 ("Connection to
score matching", pitfall 4), handout 003 ("Geometric interpretation").
"""
from __future__ import annotations

import numpy as np

from aecourse._checks import check_array, check_float
from aecourse.data import GaussianMixture
from aecourse.linear import dae_shrinkage, optimal_linear_dae


def _check_mixture(mixture) -> GaussianMixture:
    if not isinstance(mixture, GaussianMixture):
        raise TypeError(f"mixture must be an aecourse.data.GaussianMixture, got {type(mixture).__name__}.")
    return mixture


def noisy_mixture(mixture: GaussianMixture, sigma: float) -> GaussianMixture:
    """The density of x_hat = x + eps when x ~ ``mixture`` and eps ~ N(0, sigma^2 I).

    Notes
    -----
    Convolving N(mu_m, s_m^2 I) with N(0, sigma^2 I) gives N(mu_m, (s_m^2 + sigma^2) I), so the
    corrupted data form the same mixture with wider components:
    p_sigma(x_hat) = sum_m w_m N(x_hat; mu_m, (s_m^2 + sigma^2) I).
    """
    mixture = _check_mixture(mixture)
    sigma = check_float("sigma", sigma, minimum=0.0)
    return GaussianMixture(mixture.means, np.sqrt(mixture.stds**2 + sigma**2), mixture.weights)


def gaussian_mixture_denoiser(mixture: GaussianMixture, X_hat, sigma: float) -> np.ndarray:
    """The optimal denoiser r*(x_hat) = E[x | x_hat] for x ~ ``mixture``, x_hat = x + N(0, sigma^2 I).

    No network minimises the denoising loss E ||x - r(x_hat)||^2 better than r*.

    Notes
    -----
    Given the component m, x and x_hat are jointly Gaussian, so
    E[x | x_hat, m] = mu_m + s_m^2 / (s_m^2 + sigma^2) (x_hat - mu_m), the linear shrinkage of
    handout 002, Example 3 (towards mu_m instead of 0). Averaging over the posterior
    gamma_m(x_hat) of the component under the blurred mixture (``noisy_mixture``):

    .. math:: r^*(\\hat{x}) = \\sum_m \\gamma_m(\\hat{x})
              \\Big(\\mu_m + \\frac{s_m^2}{s_m^2 + \\sigma^2} (\\hat{x} - \\mu_m)\\Big)

    Tweedie's formula states the same thing as r*(x_hat) = x_hat + sigma^2 grad log p_sigma(x_hat):
    (r*(x) - x) / sigma^2 is exactly the score of the *blurred* density p_sigma, which tends to
    the score of p as sigma -> 0 (handout 000 §17; handout 002, pitfall 4).

    Parameters
    ----------
    mixture : aecourse.data.GaussianMixture, the clean data density
    X_hat : array of shape (n, D), corrupted points
    sigma : float >= 0, the noise standard deviation

    Returns
    -------
    ndarray of shape (n, D), float64
    """
    mixture = _check_mixture(mixture)
    X_hat = check_array("X_hat", X_hat)
    sigma = check_float("sigma", sigma, minimum=0.0)
    blurred = noisy_mixture(mixture, sigma)
    if X_hat.shape[1] != mixture.dim:
        raise ValueError(f"X_hat has {X_hat.shape[1]} features but the mixture lives in {mixture.dim} dimensions.")
    log_joint = blurred._log_components(X_hat)  # (n, M): log w_m + log N(x_hat; mu_m, (s_m^2 + sigma^2) I)
    gamma = np.exp(log_joint - log_joint.max(axis=1, keepdims=True))
    gamma /= gamma.sum(axis=1, keepdims=True)
    keep = mixture.stds**2 / (mixture.stds**2 + sigma**2)  # (M,), per-component shrinkage
    posterior_means = mixture.means[None] + keep[None, :, None] * (X_hat[:, None, :] - mixture.means[None])
    return (gamma[:, :, None] * posterior_means).sum(axis=1)


def circle_mixture(radius: float = 1.0, *, n_components: int = 72, std: float = 0.02) -> GaussianMixture:
    """A circle of the given radius as a ring of small Gaussians: a manifold with a known density.

    Its ``gaussian_mixture_denoiser`` is the exact optimal DAE for data on (a thin band around)
    the circle, so its vector field r*(x) - x can be drawn for any sigma without training.
    """
    radius = check_float("radius", radius, minimum=0.0, include_min=False)
    std = check_float("std", std, minimum=0.0, include_min=False)
    if isinstance(n_components, bool) or not isinstance(n_components, int) or n_components < 3:
        raise ValueError(f"n_components must be an integer >= 3, got {n_components!r}.")
    angles = np.linspace(0.0, 2 * np.pi, n_components, endpoint=False)
    return GaussianMixture(radius * np.stack([np.cos(angles), np.sin(angles)], axis=1), std)


def sigma_sweep(X_train, X_show, sigmas, *, grid_points: int = 13, seed: int = 0) -> dict:
    """Everything the sigma slider of lesson 4 draws, precomputed from closed forms (no training).

    For each sigma: the shrinkage factors lambda_i / (lambda_i + sigma^2) of the digits' principal
    directions, the digits ``X_show`` corrupted with the same noise pattern scaled by sigma and
    denoised by the optimal linear DAE ``optimal_linear_dae`` fitted on ``X_train``, and the
    vector field r*(x) - x of the optimal denoiser for the unit circle (``circle_mixture``) on a
    grid_points x grid_points grid over [-1.6, 1.6]^2.

    Returns
    -------
    dict with ``sigmas`` (list), ``variances`` (D,), ``clean`` (n, D), ``noisy`` and ``denoised``
    (dicts sigma -> (n, D)), ``shrinkage`` (dict sigma -> (D,)), ``grid`` ((g*g, 2) points),
    ``field`` (dict sigma -> (g*g, 2) arrows r*(x) - x), ``circle`` ((200, 2) points on the circle).
    """
    X_train = check_array("X_train", X_train)
    X_show = check_array("X_show", X_show)
    if X_show.shape[1] != X_train.shape[1]:
        raise ValueError(f"X_show has {X_show.shape[1]} features but X_train has {X_train.shape[1]}.")
    sigmas = [check_float("sigmas[i]", s, minimum=0.0, include_min=False) for s in sigmas]
    if not sigmas:
        raise ValueError("sigmas must hold at least one noise level > 0, e.g. [0.1, 0.2, 0.4].")
    mean = X_train.mean(axis=0)
    centred = X_train - mean
    cov = centred.T @ centred / len(X_train)  # (D, D)
    variances = np.clip(np.linalg.eigvalsh(cov)[::-1], 0.0, None)
    eps = np.random.default_rng(seed).standard_normal(X_show.shape)  # one noise pattern, scaled by sigma
    ticks = np.linspace(-1.6, 1.6, grid_points)
    grid = np.stack(np.meshgrid(ticks, ticks), axis=-1).reshape(-1, 2)
    ring = circle_mixture()
    angles = np.linspace(0.0, 2 * np.pi, 200)
    out = dict(sigmas=sigmas, variances=variances, clean=X_show, noisy={}, denoised={}, shrinkage={},
               grid=grid, field={}, circle=np.stack([np.cos(angles), np.sin(angles)], axis=1))
    for s in sigmas:
        noisy = X_show + s * eps
        W = optimal_linear_dae(cov, s)
        out["noisy"][s] = noisy
        out["denoised"][s] = (noisy - mean) @ W.T + mean
        out["shrinkage"][s] = dae_shrinkage(variances, s)
        out["field"][s] = gaussian_mixture_denoiser(ring, grid, s) - grid
    return out
