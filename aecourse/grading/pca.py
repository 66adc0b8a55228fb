"""Checks of lesson 2: PCA components and principal angles (handout 000 §4, handout 002)."""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from aecourse.grading.core import GradingError, call_student, compare, fmt, passed, scalar, to_numpy

__all__ = ['check_pca_components', 'check_principal_angle']


def _low_rank_data(n: int, D: int, seed: int, dtype=np.float64) -> np.ndarray:
    """Data with well separated variances along random orthogonal axes and a non-zero mean."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(D, D)))
    scales = 3.0 * 0.6 ** np.arange(D)
    return (rng.normal(size=(n, D)) * scales @ Q.T + rng.normal(2.0, 1.0, size=D)).astype(dtype)


def check_pca_components(pca_components: Callable, *, n: int = 200, D: int = 6, k: int = 2, seed: int = 0,
                         dtype=np.float64) -> None:
    """Check ``pca_components(X, k)``: (k, D) orthonormal rows spanning the top-k principal subspace."""
    from aecourse.linear import pca, subspace_angles

    X = _low_rank_data(n, D, seed, dtype)
    X0 = X.copy()
    V = to_numpy("pca_components", call_student(pca_components, "pca_components", X, k))
    if not np.array_equal(X, X0):
        raise GradingError("pca_components changed X in place; centre a copy: Xc = X - X.mean(axis=0).")
    if V.shape == (D, k) and D != k:
        raise GradingError(f"pca_components must return shape (k, D) = ({k}, {D}), got ({D}, {k}); "
                           "the principal axes are the ROWS of Vt from np.linalg.svd (did you transpose it?).")
    if V.shape != (k, D):
        raise GradingError(f"pca_components must return shape (k, D) = ({k}, {D}), got {V.shape}; "
                           "take the first k rows of Vt from U, S, Vt = np.linalg.svd(Xc, full_matrices=False).")
    gram = V @ V.T
    reference = pca(X, k).components
    angle = float(subspace_angles(V.T, reference.T).max())
    if angle < 1e-6 and not np.allclose(gram, np.eye(k), atol=1e-6):
        raise GradingError("the rows of pca_components span the right subspace but are not orthonormal "
                           f"(V V^T = {fmt(gram)}); did you scale Vt by the singular values?")
    if angle > 1e-6:
        Xd = X.astype(np.float64)
        _, _, Vt_raw = np.linalg.svd(Xd, full_matrices=False)
        _, _, Vt = np.linalg.svd(Xd - Xd.mean(0), full_matrices=False)
        why = ""
        if np.allclose(subspace_angles(V.T, Vt_raw[:k].T), 0, atol=1e-6):
            why = "you did not subtract the mean; PCA is the SVD of the CENTRED data X - X.mean(axis=0)."
        elif np.allclose(subspace_angles(V.T, Vt[-k:].T), 0, atol=1e-6):
            why = "you took the LAST k rows of Vt: those are the directions of least variance (singular values are sorted descending)."
        raise GradingError(f"pca_components on X of shape {X.shape}, k={k}: the rows span a subspace "
                           f"{math.degrees(angle):.1f} degrees away from the top-{k} principal subspace. "
                           + (f"Likely cause: {why}" if why else "Use the first k rows of Vt of the centred data."))
    passed("pca_components", f"spans the top-{k} principal subspace of X {X.shape} with orthonormal rows")


def _plane_pair(D: int, k: int, theta: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two (D, k) bases (not orthonormal) whose largest principal angle is theta."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(D, D)))
    A = Q[:, :k]
    B = Q[:, :k].copy()
    B[:, -1] = math.cos(theta) * Q[:, k - 1] + math.sin(theta) * Q[:, k]
    mix_a, mix_b = (0.5 * (0.3 * rng.normal(size=(k, k)) + np.eye(k)) for _ in range(2))  # columns not orthonormal
    return A @ mix_a, B @ mix_b


def check_principal_angle(principal_angle: Callable, *, D: int = 5, k: int = 2, theta: float = 0.6, seed: int = 0) -> None:
    """Check ``principal_angle(A, B)``: the LARGEST principal angle, in radians, between col(A) and col(B)."""
    from aecourse.linear import subspace_angles

    A, B = _plane_pair(D, k, theta, seed)
    got = scalar("principal_angle", call_student(principal_angle, "principal_angle", A.copy(), B.copy()),
                  "return only the largest angle (a float in radians).")
    expected = float(subspace_angles(A, B).max())
    raw = np.linalg.svd(A.T @ B, compute_uv=False)
    compare("principal_angle", got, expected, f"two {k}-dimensional subspaces of R^{D} at {theta} rad", {
        "you returned degrees; return radians.": lambda: math.degrees(expected),
        "you returned the cosine; the angle is arccos of the smallest singular value of Q_A^T Q_B.":
            lambda: math.cos(expected),
        "you returned the SMALLEST principal angle (arccos of the LARGEST singular value); the largest angle "
        "comes from the smallest singular value.": lambda: float(subspace_angles(A, B).min()),
        "you used A and B directly; orthonormalise their columns first (np.linalg.qr), the columns are not orthonormal.":
            lambda: float(np.arccos(np.clip(raw.min(), -1, 1))),
    }, rtol=1e-6, atol=1e-6)
    passed("principal_angle", f"{got:.4f} rad between two {k}-dimensional subspaces of R^{D}")
