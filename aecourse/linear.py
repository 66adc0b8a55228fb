"""Linear algebra of the linear autoencoder: PCA, principal angles between subspaces, and the
closed-form optimal linear denoising autoencoder."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aecourse._checks import check_array, check_float, check_int, check_probability


@dataclass
class PCA:
    """The result of ``pca``: mean (D,), components (k, D) with orthonormal rows, variances (k,)."""

    mean: np.ndarray
    components: np.ndarray
    explained_variance: np.ndarray

    def transform(self, X) -> np.ndarray:
        """Coordinates along the principal axes: (X - mean) V^T, shape (n, k)."""
        X = check_array("X", X)
        if X.shape[1] != self.components.shape[1]:
            raise ValueError(f"X has {X.shape[1]} features but this PCA was fitted on {self.components.shape[1]}.")
        return (X - self.mean) @ self.components.T

    def inverse_transform(self, Z) -> np.ndarray:
        """Back to input space: Z V + mean, shape (n, D)."""
        Z = check_array("Z", Z)
        if Z.shape[1] != self.components.shape[0]:
            raise ValueError(f"Z has {Z.shape[1]} columns but this PCA has k = {self.components.shape[0]} components.")
        return Z @ self.components + self.mean

    def reconstruct(self, X) -> np.ndarray:
        """Orthogonal projection of X onto the principal subspace (through the mean)."""
        return self.inverse_transform(self.transform(X))

    def reconstruction_error(self, X) -> float:
        """MSE over samples and coordinates, comparable with ``aecourse.train.reconstruction_error``."""
        X = check_array("X", X)
        return float(((self.reconstruct(X) - X) ** 2).mean())


def pca(X, k: int) -> PCA:
    """Principal component analysis by the SVD of the centred data.

    Notes
    -----
    With X_c = X - mean = U S V^T, the principal axes are the first k rows of V^T and the
    variances are S^2 / N, the eigenvalues of the covariance Sigma = X_c^T X_c / N (the 1/N of
    handout 002, Example 1, where Sigma has eigenvalue 2.5; scikit-learn divides by N - 1).
    Each axis is signed so that its largest-magnitude entry is positive.

    Parameters
    ----------
    X : array of shape (n_samples, D)
    k : int, 1 <= k <= min(n_samples, D)
    """
    X = check_array("X", X)
    k = check_int("k", k)
    if k > min(X.shape):
        raise ValueError(f"k must be at most min(n_samples, n_features) = {min(X.shape)} for X of shape "
                         f"{X.shape}, got {k}.")
    mean = X.mean(axis=0)
    _, S, Vt = np.linalg.svd(X - mean, full_matrices=False)
    V = Vt[:k]
    signs = np.sign(V[np.arange(k), np.abs(V).argmax(axis=1)])
    return PCA(mean, V * signs[:, None], S[:k] ** 2 / len(X))


def _orthonormal_basis(name: str, A) -> np.ndarray:
    A = check_array(name, A)
    if A.shape[1] > A.shape[0]:
        raise ValueError(f"{name} must have at most as many columns as rows (k <= D), got shape {A.shape}; "
                         "pass the basis vectors as columns.")
    Q, R = np.linalg.qr(A)
    if np.abs(np.diag(R)).min() <= 1e-10 * np.abs(np.diag(R)).max():
        raise ValueError(f"the columns of {name} are linearly dependent; they do not span a "
                         f"{A.shape[1]}-dimensional subspace.")
    return Q


def subspace_angles(A, B) -> np.ndarray:
    """Principal angles, in radians and ascending, between the column spaces of A and B.

    Notes
    -----
    With orthonormal bases Q_A, Q_B, the cosines of the angles are the singular values of
    Q_A^T Q_B (Bjorck and Golub 1973). For small angles, where arccos loses accuracy, the sines
    are taken from the singular values of Q_B - Q_A Q_A^T Q_B instead.

    Parameters
    ----------
    A : array of shape (D, k), B : array of shape (D, l); returns min(k, l) angles.
    """
    QA, QB = _orthonormal_basis("A", A), _orthonormal_basis("B", B)
    if QA.shape[0] != QB.shape[0]:
        raise ValueError(f"A and B must have the same number of rows (the dimension D), got {QA.shape[0]} and {QB.shape[0]}.")
    if QA.shape[1] < QB.shape[1]:
        QA, QB = QB, QA
    cos = np.clip(np.linalg.svd(QA.T @ QB, compute_uv=False), -1.0, 1.0)  # descending
    sin = np.clip(np.sort(np.linalg.svd(QB - QA @ (QA.T @ QB), compute_uv=False)), -1.0, 1.0)  # ascending
    return np.where(cos**2 < 0.5, np.arccos(cos), np.arcsin(sin))


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
