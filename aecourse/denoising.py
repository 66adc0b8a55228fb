"""The best possible denoiser when the data density is known, and the score it reveals.

For a Gaussian mixture the Bayes-optimal denoiser r*(x_hat) = E[x | x_hat] has a closed form, so
a lesson can separate the two reasons a trained DAE's (r(x) - x) / sigma^2 differs from the score
grad log p(x): the noise level (r* itself is the score of the *blurred* density, Tweedie's
formula) and imperfect training (r differs from r*). Handout 000 §17, handout 002 ("Connection to
score matching", pitfall 4), handout 003 ("Geometric interpretation").
"""
from __future__ import annotations

import numpy as np

from aecourse._checks import check_array, check_float, check_int
from aecourse.data import GaussianMixture


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
    n_components = check_int("n_components", n_components, minimum=3)  # numpy integers too
    angles = np.linspace(0.0, 2 * np.pi, n_components, endpoint=False)
    return GaussianMixture(radius * np.stack([np.cos(angles), np.sin(angles)], axis=1), std)
