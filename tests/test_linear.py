"""PCA and principal angles against scikit-learn, scipy and the handouts (a trained
LinearAutoencoder against PCA: test_linear_ae.py; the optimal linear DAE: test_denoising.py)."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import sklearn.decomposition

from aecourse.data import load_digits
from aecourse.linear import pca, subspace_angles


def digits64() -> np.ndarray:
    return load_digits()[0].astype(np.float64)


# --- PCA ------------------------------------------------------------------------------------------

def test_pca_matches_sklearn_up_to_sign():
    X, k = digits64(), 10
    ours, theirs = pca(X, k), sklearn.decomposition.PCA(n_components=k, svd_solver="full").fit(X)
    np.testing.assert_allclose(ours.mean, theirs.mean_, atol=1e-12)
    np.testing.assert_allclose(np.abs((ours.components * theirs.components_).sum(1)), 1.0, atol=1e-8)


def test_pca_variances_divide_by_n_where_sklearn_divides_by_n_minus_1():
    X, k = digits64(), 10
    ours, theirs = pca(X, k), sklearn.decomposition.PCA(n_components=k, svd_solver="full").fit(X)
    n = len(X)
    np.testing.assert_allclose(ours.explained_variance * n / (n - 1), theirs.explained_variance_, rtol=1e-10)


def test_pca_components_are_orthonormal_and_signed():
    P = pca(digits64(), 8)
    np.testing.assert_allclose(P.components @ P.components.T, np.eye(8), atol=1e-12)
    largest = P.components[np.arange(8), np.abs(P.components).argmax(axis=1)]
    assert (largest > 0).all()
    assert (np.diff(P.explained_variance) <= 0).all()


def test_pca_reproduces_handout_002_example_1():
    """Points (1,2)...(4,5): mean (2.5, 3.5), first axis (1, 1)/sqrt(2), eigenvalue 2.5 (covariance over N)."""
    P = pca(np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]]), 1)
    np.testing.assert_allclose(P.mean, [2.5, 3.5])
    np.testing.assert_allclose(P.components[0], [2**-0.5, 2**-0.5], atol=1e-12)
    np.testing.assert_allclose(P.explained_variance, [2.5], rtol=1e-12)


def test_pca_reconstruction_error_is_the_discarded_variance_over_d():
    """MSE of the rank-k projection = (sum of the eigenvalues after the k-th) / D, an identity of PCA."""
    X, k = digits64(), 12
    all_variances = pca(X, 64).explained_variance
    assert pca(X, k).reconstruction_error(X) == pytest.approx(all_variances[k:].sum() / 64, rel=1e-9)


def test_pca_with_k_equal_d_reconstructs_exactly():
    X = np.random.default_rng(0).normal(size=(30, 5))
    P = pca(X, 5)
    np.testing.assert_allclose(P.reconstruct(X), X, atol=1e-12)
    np.testing.assert_allclose(P.inverse_transform(P.transform(X)), X, atol=1e-12)


def test_pca_transform_is_the_centred_projection():
    X = np.random.default_rng(1).normal(size=(40, 6))
    P = pca(X, 3)
    np.testing.assert_allclose(P.transform(X), (X - X.mean(0)) @ P.components.T, atol=1e-12)
    np.testing.assert_allclose(P.transform(X).var(axis=0), P.explained_variance, rtol=1e-10)


# --- subspace angles ------------------------------------------------------------------------------

@pytest.mark.parametrize("seed, k, l", [(0, 3, 3), (1, 2, 4), (2, 5, 1)])
def test_subspace_angles_match_scipy(seed, k, l):
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(10, k)), rng.normal(size=(10, l))
    np.testing.assert_allclose(subspace_angles(A, B), np.sort(scipy.linalg.subspace_angles(A, B)), atol=1e-12)


@pytest.mark.parametrize("angle", [1e-9, 1e-6, 1e-3, 0.5, np.pi / 2 - 1e-6])
def test_subspace_angles_are_accurate_for_known_angles(angle):
    """Span{e1, e2} against span{e1, cos(a) e2 + sin(a) e3}: angles (0, a), to relative precision."""
    A = np.eye(4)[:, :2]
    B = np.column_stack([np.eye(4)[:, 0], np.cos(angle) * np.eye(4)[:, 1] + np.sin(angle) * np.eye(4)[:, 2]])
    got = subspace_angles(A, B)
    assert got[0] == pytest.approx(0.0, abs=1e-15)
    assert got[1] == pytest.approx(angle, rel=1e-8)
    assert np.sort(scipy.linalg.subspace_angles(A, B))[1] == pytest.approx(angle, rel=1e-8)


def test_subspace_angles_depend_only_on_the_spans():
    rng = np.random.default_rng(3)
    A, B = rng.normal(size=(8, 3)), rng.normal(size=(8, 3))
    T = rng.normal(size=(3, 3)) + 3 * np.eye(3)  # invertible change of basis
    np.testing.assert_allclose(subspace_angles(A @ T, B), subspace_angles(A, B), atol=1e-10)
    np.testing.assert_allclose(subspace_angles(B, A), subspace_angles(A, B), atol=1e-12)
    np.testing.assert_allclose(subspace_angles(A, A @ T), 0.0, atol=1e-7)
