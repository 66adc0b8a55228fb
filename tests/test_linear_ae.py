"""A trained LinearAutoencoder against closed forms computed independently (numpy, scipy).

Handout 002, "Linear autoencoders and PCA" and practice problem 2; lesson 2 relies on these.
"""
from functools import lru_cache

import numpy as np
import pytest
import scipy.linalg
import torch

from aecourse.data import load_digits
from aecourse.linear import pca, subspace_angles
from aecourse.models import LinearAutoencoder
from aecourse.train import fit, reconstruct, reconstruction_error


def centred_gaussian(n=400, variances=(5.0, 3.0, 1.0, 0.5, 0.2, 0.1), seed=0):
    """Centred samples with well-separated covariance eigenvalues along a random rotation."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(len(variances), len(variances))))
    X = rng.normal(size=(n, len(variances))) * np.sqrt(variances) @ Q.T
    return X - X.mean(axis=0)


@lru_cache(maxsize=None)
def trained_linear_ae(k):
    """A bias-free linear AE trained full-batch on ``centred_gaussian()`` (shared by the tests)."""
    model = LinearAutoencoder(6, k, bias=False, seed=0)
    fit(model, centred_gaussian(), epochs=200, lr=5e-2, batch_size=None, progress=False)
    fit(model, centred_gaussian(), epochs=100, lr=5e-3, batch_size=None, progress=False)
    return model


def covariance_eigh(X):
    """Eigenvalues (descending) and eigenvectors (columns) of Sigma = X^T X / N."""
    values, vectors = np.linalg.eigh(X.T @ X / len(X))
    return values[::-1], vectors[:, ::-1]


@pytest.mark.parametrize("k", [1, 2, 4])
def test_linear_ae_spans_the_top_k_eigenvectors(k):
    X = centred_gaussian()
    model = trained_linear_ae(k)
    _, vectors = covariance_eigh(X)
    W_dec = model.decoder.weight.detach().double().numpy()
    angles = scipy.linalg.subspace_angles(W_dec, vectors[:, :k])
    assert np.degrees(angles.max()) < 0.5


@pytest.mark.parametrize("k", [1, 2, 4])
def test_linear_ae_reaches_the_pca_error(k):
    X = centred_gaussian()
    model = trained_linear_ae(k)
    values, _ = covariance_eigh(X)
    pca_error = values[k:].sum() / X.shape[1]  # discarded variance, per coordinate
    ae_error = ((reconstruct(model, X) - X) ** 2).mean()
    assert ae_error == pytest.approx(pca_error, rel=1e-3)


def test_one_dimensional_stationarity_conditions():
    # Practice problem 2: v = Sigma w / (w^T Sigma w), and for invertible Sigma, Sigma w = lambda_1 w.
    X = centred_gaussian()
    model = trained_linear_ae(1)
    w = model.encoder.weight.detach().double().numpy()[0]
    v = model.decoder.weight.detach().double().numpy()[:, 0]
    Sigma = X.T @ X / len(X)
    values, _ = covariance_eigh(X)
    assert np.allclose(v, Sigma @ w / (w @ Sigma @ w), rtol=1e-3, atol=1e-4)
    for u in (w, v):
        rho = u @ Sigma @ u / (u @ u)
        assert rho == pytest.approx(values[0], rel=1e-4)
        assert np.linalg.norm(Sigma @ u - rho * u) < 1e-3 * np.linalg.norm(Sigma @ u)


def test_the_trained_map_is_the_pca_projector_but_its_weights_are_not_the_axes():
    """Handout 002: only the product W_dec W_enc is determined (any invertible T gives
    (W_dec T^-1, T W_enc)); trained with MSE it is the projector V_k V_k^T onto the top-k
    eigenvectors, while W_enc itself need not have orthonormal rows (it is not PCA's V_k^T)."""
    X, k = centred_gaussian(), 2
    model = trained_linear_ae(k)
    W_enc = model.encoder.weight.detach().double().numpy()  # (k, D)
    W_dec = model.decoder.weight.detach().double().numpy()  # (D, k)
    _, vectors = covariance_eigh(X)
    projector = vectors[:, :k] @ vectors[:, :k].T
    np.testing.assert_allclose(W_dec @ W_enc, projector, atol=1e-3)  # 5e-5 here
    assert np.abs(W_enc @ W_enc.T - np.eye(k)).max() > 0.05  # 0.31 here; fails if training returned the axes


def test_trained_linear_autoencoder_finds_the_pca_subspace():
    """Handout 002 on the lesson's data: the linear AE's decoder spans aecourse.linear.pca's subspace.

    Centred digits and no biases: Adam then converges in 150 full-batch steps (with biases the
    mean has to be learned too, and convergence takes several times longer).
    """
    X, k = load_digits()[0], 3
    Xc = X - X.mean(axis=0)
    model = LinearAutoencoder(64, k, bias=False, seed=0)
    fit(model, Xc, epochs=150, lr=2e-2, batch_size=None, seed=0, progress=False)
    P = pca(Xc, k)
    assert reconstruction_error(model, Xc) <= 1.01 * P.reconstruction_error(Xc)
    angles = np.degrees(subspace_angles(model.decoder.weight.detach().numpy(), P.components.T))
    assert angles.max() < 2.0
