"""The best possible denoiser when the data density is known, and the score it reveals.

For a Gaussian mixture the Bayes-optimal denoiser r*(x_hat) = E[x | x_hat] has a closed form, so
a lesson can separate the two reasons a trained DAE's (r(x) - x) / sigma^2 differs from the score
grad log p(x): the noise level (r* itself is the score of the *blurred* density, Tweedie's
formula) and imperfect training (r differs from r*). Handout 000 §17, handout 002 ("Connection to
score matching", pitfall 4), handout 003 ("Geometric interpretation").
"""
from __future__ import annotations

import numpy as np

from aecourse._checks import check_array, check_float, check_int, check_probability
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
    log_joint = blurred.log_components(X_hat)  # (n, M): log w_m + log N(x_hat; mu_m, (s_m^2 + sigma^2) I)
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


# --- The optimal linear DAE: closed forms for Gaussian and masking noise -------------------------

def optimal_linear_dae(second_moment, sigma: float) -> np.ndarray:
    """The linear map W minimising E ||x - W (x + eps)||^2 with eps ~ N(0, sigma^2 I).

    Notes
    -----
    .. math:: W^* = C (C + \\sigma^2 I)^{-1}, \\qquad C = E[x x^T]

    For centred data C is the covariance Sigma and W* shrinks principal direction i by
    lambda_i / (lambda_i + sigma^2). In one dimension W* = E[x^2] / (E[x^2] + sigma^2), the
    4 / 4.25 ~ 0.941 of handout 002, Example 3.

    Parameters
    ----------
    second_moment : array of shape (D, D), symmetric positive semi-definite (or a scalar E[x^2])
    sigma : float >= 0, the noise standard deviation

    Examples
    --------
    Handout 002, Example 3: x in {-2, 2} (E[x^2] = 4) and sigma = 0.5 give w* = 4 / 4.25.

    >>> round(float(optimal_linear_dae(4.0, 0.5)[0, 0]), 4)
    0.9412
    """
    C = _second_moment(second_moment)
    sigma = check_float("sigma", sigma, minimum=0.0)
    D = len(C)
    # C (C + s^2 I)^-1 = ((C + s^2 I)^-1 C)^T for symmetric C; solve instead of inverting
    return np.linalg.solve(C + sigma**2 * np.eye(D), C).T


# --- Denoising with a linear map: risks, shrinkage, masking noise (lesson 4) ---------------------

def _second_moment(second_moment) -> np.ndarray:
    """Check E[x x^T] (or a scalar E[x^2]) and return it as a (D, D) float64 matrix."""
    C = np.atleast_2d(np.asarray(second_moment, dtype=np.float64))
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"second_moment must be a square (D, D) matrix, got shape {C.shape}.")
    if not np.all(np.isfinite(C)):
        raise ValueError("second_moment contains NaN or infinite values.")
    if not np.allclose(C, C.T, atol=1e-8 * max(1.0, np.abs(C).max())):
        raise ValueError("second_moment must be symmetric, like E[x x^T].")
    return C


def _linear_map(W, D: int) -> np.ndarray:
    W = np.atleast_2d(np.asarray(W, dtype=np.float64))
    if W.shape != (D, D):
        raise ValueError(f"W must be a ({D}, {D}) matrix to match second_moment, got shape {W.shape}.")
    return W


def dae_shrinkage(variances, sigma: float) -> np.ndarray:
    """How much the optimal linear DAE keeps of each principal direction: lambda_i / (lambda_i + sigma^2).

    Notes
    -----
    For centred data with covariance Sigma = V diag(lambda) V^T, the optimal linear DAE
    W* = Sigma (Sigma + sigma^2 I)^{-1} = V diag(lambda_i / (lambda_i + sigma^2)) V^T
    (``optimal_linear_dae``): strong directions are kept, weak ones are shrunk towards the mean.
    Handout 002, Example 3 is the one-dimensional case 4 / (4 + 0.25).

    Parameters
    ----------
    variances : array of shape (k,), the eigenvalues lambda_i >= 0 (``pca(X, k).explained_variance``)
    sigma : float >= 0, the noise standard deviation

    Examples
    --------
    >>> dae_shrinkage(np.array([4.0, 1.0, 0.25]), 0.5)  # lambda / (lambda + sigma^2): weak directions shrink most
    array([0.94117647, 0.8       , 0.5       ])
    """
    lam = np.asarray(variances, dtype=np.float64)
    if lam.ndim != 1 or lam.size == 0 or not np.all(np.isfinite(lam)):
        raise ValueError(f"variances must be a non-empty 1-D array of finite eigenvalues, got shape {lam.shape}.")
    if lam.min() < -1e-8 * max(1.0, lam.max()):  # eigvalsh returns -1e-17 for a zero eigenvalue
        raise ValueError(f"variances must be eigenvalues >= 0 of a covariance, got a minimum of {lam.min():g}.")
    lam = np.clip(lam, 0.0, None)
    sigma = check_float("sigma", sigma, minimum=0.0)
    if sigma == 0.0:
        return np.ones_like(lam)
    return lam / (lam + sigma**2)


def linear_dae_risk(W, second_moment, sigma: float) -> float:
    """Expected denoising loss E ||x - W (x + eps)||^2 of a linear map W, eps ~ N(0, sigma^2 I).

    Notes
    -----
    .. math:: R(W) = tr(C) - 2 tr(W C) + tr(W (C + \\sigma^2 I) W^T), \\qquad C = E[x x^T]

    The identity W = I pays R(I) = D sigma^2, all of the noise (handout 000 §7, worked example:
    copying the corrupted input is not the target); ``optimal_linear_dae`` minimises R.
    This is the squared error summed over the D coordinates; divide by D for the mean over
    coordinates that ``aecourse.losses.mse`` reports.

    Parameters
    ----------
    W : array of shape (D, D)
    second_moment : array of shape (D, D), E[x x^T] (the covariance for centred data)
    sigma : float >= 0
    """
    C = _second_moment(second_moment)
    W = _linear_map(W, len(C))
    sigma = check_float("sigma", sigma, minimum=0.0)
    noisy = C + sigma**2 * np.eye(len(C))
    return float(np.trace(C) - 2 * np.trace(W @ C) + np.trace(W @ noisy @ W.T))


def _masked_second_moment(C: np.ndarray, p: float) -> np.ndarray:
    # E[x_hat x_hat^T] with x_hat = m * x, m_i ~ Bernoulli(1 - p) independent of x and of each other
    q = 1.0 - p
    return q * q * C + q * p * np.diag(np.diag(C))


def optimal_linear_masking_dae(second_moment, p: float) -> np.ndarray:
    """The linear map W minimising E ||x - W x_hat||^2 when each x_i is zeroed with probability p.

    Notes
    -----
    With keep probability q = 1 - p, E[x x_hat^T] = q C and
    E[x_hat x_hat^T] = q^2 C + q p diag(C), so the normal equations give

    .. math:: W^* = E[x \\hat{x}^T] E[\\hat{x}\\hat{x}^T]^{-1} = C (q C + p\\,diag(C))^{-1}

    (a pseudo-inverse where a coordinate is always 0). This is handout 002, practice problem 3
    solved exactly; for the single point x = (1, 2, 3, 4) it is W*_ij = x_i / (x_j (p + q D)),
    not the handout's W_ii = 1 / (1 - p) (see lesson 4's erratum).

    Parameters
    ----------
    second_moment : array of shape (D, D), E[x x^T] of the clean data (not centred: masking
        sets values to 0, so 0 must mean "no signal")
    p : float in [0, 1), the masking probability
    """
    C = _second_moment(second_moment)
    p = check_probability("p", p)
    q = 1.0 - p
    return C @ np.linalg.pinv(q * C + p * np.diag(np.diag(C)), hermitian=True)


def linear_masking_dae_risk(W, second_moment, p: float) -> float:
    """Expected loss E ||x - W x_hat||^2 of a linear map W under masking noise with probability p.

    Notes
    -----
    .. math:: R(W) = tr(C) - 2 q\\, tr(W C) + tr(W (q^2 C + q p\\, diag(C)) W^T), \\qquad q = 1 - p

    Parameters
    ----------
    W : array of shape (D, D)
    second_moment : array of shape (D, D), E[x x^T] of the clean data
    p : float in [0, 1)
    """
    C = _second_moment(second_moment)
    W = _linear_map(W, len(C))
    p = check_probability("p", p)
    q = 1.0 - p
    return float(np.trace(C) - 2 * q * np.trace(W @ C) + np.trace(W @ _masked_second_moment(C, p) @ W.T))
