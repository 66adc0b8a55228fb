"""Linear algebra of the linear autoencoder: PCA and principal angles between subspaces (the
closed-form optimal linear *denoising* autoencoder is in ``aecourse.denoising``)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aecourse._checks import check_array, check_int


@dataclass
class PCA:
    """The result of ``pca`` (handout 002, "Linear Autoencoders and PCA").

    Attributes
    ----------
    mean : (D,) the mean of the fitted data
    components : (k, D) the top-k eigenvectors of the covariance Sigma = (X - mean)^T (X - mean) / N,
        as orthonormal rows V, largest variance first
    explained_variance : (k,) their eigenvalues, the variance of the data along each row

    ``transform`` gives the codes z = V (x - mean) and ``inverse_transform`` the reconstruction
    V^T z + mean: the optimal linear autoencoder with k units; ``reconstruction_error`` is its MSE.
    """

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

    Examples
    --------
    Points on the line y = 2x: one component carries all the variance.

    >>> t = np.linspace(-1.0, 1.0, 5)
    >>> result = pca(np.stack([t, 2 * t], axis=1), 1)
    >>> np.round(np.abs(result.components), 4)  # (1, 2) / sqrt(5)
    array([[0.4472, 0.8944]])
    >>> round(float(result.reconstruction_error(np.stack([t, 2 * t], axis=1))), 12)
    0.0
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

    Examples
    --------
    >>> np.degrees(subspace_angles(np.array([[1.0], [0.0]]), np.array([[1.0], [1.0]]))).round(6)  # x axis vs diagonal
    array([45.])
    """
    QA, QB = _orthonormal_basis("A", A), _orthonormal_basis("B", B)
    if QA.shape[0] != QB.shape[0]:
        raise ValueError(f"A and B must have the same number of rows (the dimension D), got {QA.shape[0]} and {QB.shape[0]}.")
    if QA.shape[1] < QB.shape[1]:
        QA, QB = QB, QA
    cos = np.clip(np.linalg.svd(QA.T @ QB, compute_uv=False), -1.0, 1.0)  # descending
    sin = np.clip(np.sort(np.linalg.svd(QB - QA @ (QA.T @ QB), compute_uv=False)), -1.0, 1.0)  # ascending
    return np.where(cos**2 < 0.5, np.arccos(cos), np.arcsin(sin))
