"""Lesson 4's package code against independent computations: closed-form linear DAEs and risks vs
Monte-Carlo, the Gaussian-mixture denoiser vs numerical integration and Tweedie's formula."""
import numpy as np
import pytest

from aecourse.data import GaussianMixture
from aecourse.denoising import (circle_mixture, dae_shrinkage, gaussian_mixture_denoiser, linear_dae_risk,
                                linear_masking_dae_risk, noisy_mixture, optimal_linear_dae, optimal_linear_masking_dae)


def _random_data(n=400, d=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)) @ rng.standard_normal((d, d)) + rng.uniform(0.5, 1.5, d)


# --- Gaussian noise: risk and shrinkage -----------------------------------------------------------

def test_linear_dae_risk_matches_monte_carlo():
    rng = np.random.default_rng(1)
    X = _random_data()
    C = X.T @ X / len(X)
    W = rng.standard_normal((5, 5)) * 0.3
    sigma, reps = 0.7, 400
    X_big = np.tile(X, (reps, 1))
    X_hat = X_big + sigma * rng.standard_normal(X_big.shape)
    losses = ((X_big - X_hat @ W.T) ** 2).sum(axis=1)
    se = losses.std() / np.sqrt(len(losses))
    assert abs(losses.mean() - linear_dae_risk(W, C, sigma)) < 5 * se


def test_identity_pays_all_the_noise():
    X = _random_data()
    C = X.T @ X / len(X)
    assert linear_dae_risk(np.eye(5), C, 0.3) == pytest.approx(5 * 0.3**2, rel=1e-12)


def test_optimal_linear_dae_minimises_the_risk():
    rng = np.random.default_rng(2)
    X = _random_data()
    C = X.T @ X / len(X)
    W_star = optimal_linear_dae(C, 0.5)
    best = linear_dae_risk(W_star, C, 0.5)
    for _ in range(20):
        assert linear_dae_risk(W_star + 1e-3 * rng.standard_normal((5, 5)), C, 0.5) > best


def test_shrinkage_is_the_spectrum_of_the_optimal_linear_dae():
    X = _random_data()
    Xc = X - X.mean(axis=0)
    cov = Xc.T @ Xc / len(X)
    lam, V = np.linalg.eigh(cov)
    W_star = optimal_linear_dae(cov, 0.8)
    np.testing.assert_allclose(np.diag(V.T @ W_star @ V), dae_shrinkage(lam, 0.8), atol=1e-12)


def test_shrinkage_handout_002_example_3():
    assert dae_shrinkage(np.array([4.0]), 0.5)[0] == pytest.approx(4 / 4.25)
    np.testing.assert_array_equal(dae_shrinkage(np.array([0.0, 2.0]), 0.0), [1.0, 1.0])


def test_shrinkage_rejects_bad_input():
    with pytest.raises(ValueError, match="variances"):
        dae_shrinkage(np.array([1.0, -0.5]), 0.1)
    with pytest.raises(ValueError, match="variances"):
        dae_shrinkage(np.ones((2, 2)), 0.1)
    with pytest.raises(ValueError, match="sigma"):
        dae_shrinkage(np.array([1.0]), -0.1)


def test_risk_rejects_bad_input():
    with pytest.raises(ValueError, match="W must be a \\(3, 3\\)"):
        linear_dae_risk(np.eye(2), np.eye(3), 0.1)
    with pytest.raises(ValueError, match="second_moment"):
        linear_dae_risk(np.eye(2), np.array([[1.0, 2.0], [0.0, 1.0]]), 0.1)
    with pytest.raises(ValueError, match="sigma"):
        linear_dae_risk(np.eye(2), np.eye(2), -1.0)


# --- Masking noise ---------------------------------------------------------------------------------

def test_masking_dae_single_point_closed_form():
    # Handout 002, practice problem 3: one point x, so E[x x^T] = x x^T. Solving the 4x4 normal
    # equations by hand gives W*_ij = x_i / (x_j (p + (1 - p) D)).
    x, p = np.array([1.0, 2.0, 3.0, 4.0]), 0.3
    expected = np.outer(x, 1 / x) / (p + (1 - p) * 4)
    np.testing.assert_allclose(optimal_linear_masking_dae(np.outer(x, x), p), expected, atol=1e-12)


def test_masking_dae_matches_monte_carlo_least_squares():
    rng = np.random.default_rng(3)
    X = np.abs(_random_data(n=300, d=4))
    p, reps = 0.4, 300
    X_big = np.tile(X, (reps, 1))
    X_hat = X_big * (rng.random(X_big.shape) >= p)
    W_mc = np.linalg.lstsq(X_hat, X_big, rcond=None)[0].T  # least squares fit of x ~ W x_hat
    W_star = optimal_linear_masking_dae(X.T @ X / len(X), p)
    np.testing.assert_allclose(W_mc, W_star, atol=0.03)


def test_masking_risk_matches_monte_carlo():
    rng = np.random.default_rng(4)
    X = np.abs(_random_data(n=200, d=4))
    W = rng.standard_normal((4, 4)) * 0.5
    p, reps = 0.3, 500
    X_big = np.tile(X, (reps, 1))
    X_hat = X_big * (rng.random(X_big.shape) >= p)
    losses = ((X_big - X_hat @ W.T) ** 2).sum(axis=1)
    se = losses.std() / np.sqrt(len(losses))
    assert abs(losses.mean() - linear_masking_dae_risk(W, X.T @ X / len(X), p)) < 5 * se


def test_masking_dae_without_masking_is_the_identity():
    X = _random_data()
    np.testing.assert_allclose(optimal_linear_masking_dae(X.T @ X / len(X), 0.0), np.eye(5), atol=1e-8)


def test_masking_dae_ignores_dead_coordinates():
    X = _random_data(d=3)
    X[:, 1] = 0.0  # a pixel that is always off
    W = optimal_linear_masking_dae(X.T @ X / len(X), 0.2)
    assert np.all(np.isfinite(W))
    np.testing.assert_array_equal(W[1], 0.0)
    np.testing.assert_array_equal(W[:, 1], 0.0)


def test_masking_rejects_bad_p():
    with pytest.raises(ValueError, match="p must be"):
        optimal_linear_masking_dae(np.eye(2), 1.0)
    with pytest.raises(ValueError, match="p must be"):
        linear_masking_dae_risk(np.eye(2), np.eye(2), -0.1)


# --- The Gaussian-mixture denoiser -------------------------------------------------------------------

MIXTURE_1D = GaussianMixture(np.array([[-2.0], [1.0]]), np.array([0.5, 0.8]), np.array([0.3, 0.7]))


def test_mixture_denoiser_matches_numerical_integration():
    # E[x | x_hat] = int x p(x) N(x_hat; x, sigma^2) dx / int p(x) N(x_hat; x, sigma^2) dx
    sigma = 0.6
    xs = np.linspace(-8, 8, 16001)
    prior = np.exp(MIXTURE_1D.log_density(xs[:, None]))
    x_hat = np.array([-3.0, -1.2, 0.0, 0.4, 2.5])
    like = np.exp(-0.5 * ((x_hat[:, None] - xs[None]) / sigma) ** 2)
    expected = (like * prior * xs).sum(axis=1) / (like * prior).sum(axis=1)
    got = gaussian_mixture_denoiser(MIXTURE_1D, x_hat[:, None], sigma)[:, 0]
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_mixture_denoiser_is_tweedie_formula_in_2d():
    mixture = GaussianMixture(np.array([[0.0, 0.0], [2.0, 1.0], [-1.0, 2.0]]), np.array([0.3, 0.5, 0.4]))
    X_hat = np.random.default_rng(5).normal(size=(50, 2)) * 2
    sigma = 0.45
    tweedie = X_hat + sigma**2 * noisy_mixture(mixture, sigma).score(X_hat)
    np.testing.assert_allclose(gaussian_mixture_denoiser(mixture, X_hat, sigma), tweedie, atol=1e-10)


def test_mixture_denoiser_of_one_gaussian_is_linear_shrinkage():
    mu, s, sigma = np.array([[1.0, -2.0]]), 0.7, 0.4
    X_hat = np.random.default_rng(6).normal(size=(10, 2))
    keep = optimal_linear_dae(s**2, sigma)[0, 0]  # s^2 / (s^2 + sigma^2), handout 002 Example 3
    expected = mu + keep * (X_hat - mu)
    np.testing.assert_allclose(gaussian_mixture_denoiser(GaussianMixture(mu, s), X_hat, sigma), expected)


def test_mixture_denoiser_beats_monte_carlo_alternatives():
    # the Bayes denoiser has a lower denoising loss than the best linear map on the same samples
    X, _ = MIXTURE_1D.sample(20000, seed=7)
    X = X.astype(np.float64)
    X_hat = X + 0.5 * np.random.default_rng(8).standard_normal(X.shape)
    bayes = ((X - gaussian_mixture_denoiser(MIXTURE_1D, X_hat, 0.5)) ** 2).mean()
    A = np.hstack([X_hat, np.ones_like(X_hat)])
    linear = ((X - A @ np.linalg.lstsq(A, X, rcond=None)[0]) ** 2).mean()
    assert bayes < 0.9 * linear


def test_mixture_denoiser_without_noise_is_the_identity():
    X_hat = np.array([[0.3], [-1.0]])
    np.testing.assert_allclose(gaussian_mixture_denoiser(MIXTURE_1D, X_hat, 0.0), X_hat)


def test_mixture_denoiser_rejects_bad_input():
    with pytest.raises(TypeError, match="mixture"):
        gaussian_mixture_denoiser("not a mixture", np.zeros((1, 1)), 0.1)
    with pytest.raises(ValueError, match="sigma"):
        gaussian_mixture_denoiser(MIXTURE_1D, np.zeros((1, 1)), -0.1)
    with pytest.raises(ValueError, match="X_hat has 2 features"):
        gaussian_mixture_denoiser(MIXTURE_1D, np.zeros((1, 2)), 0.1)


def test_circle_mixture_field_points_at_the_circle():
    ring = circle_mixture()
    angles = np.linspace(0, 2 * np.pi, 17)
    unit = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    for radius in (0.6, 1.4):
        X_hat = radius * unit
        step = gaussian_mixture_denoiser(ring, X_hat, 0.2) - X_hat
        toward = unit - X_hat  # direction to the nearest point of the circle
        cos = (step * toward).sum(1) / np.linalg.norm(step, axis=1) / np.linalg.norm(toward, axis=1)
        assert cos.min() > 0.99


def test_circle_mixture_rejects_bad_input():
    with pytest.raises(ValueError, match="n_components"):
        circle_mixture(n_components=2)
    with pytest.raises(ValueError, match="radius"):
        circle_mixture(radius=0.0)


def test_circle_mixture_takes_numpy_integers():
    assert len(circle_mixture(n_components=np.int64(12)).means) == 12


# --- optimal linear DAE ---------------------------------------------------------------------------

def test_optimal_linear_dae_reproduces_handout_002_example_3():
    """x in {-2, 2}, sigma = 0.5: w* = 4 / 4.25."""
    assert optimal_linear_dae(4.0, 0.5)[0, 0] == pytest.approx(4 / 4.25, rel=1e-12)


def test_optimal_linear_dae_without_noise_is_the_identity():
    C = np.array([[2.0, 0.5], [0.5, 1.0]])
    np.testing.assert_allclose(optimal_linear_dae(C, 0.0), np.eye(2), atol=1e-12)


def test_optimal_linear_dae_matches_monte_carlo_least_squares():
    """Sample x ~ N(0, C), x_hat = x + eps; the least-squares W minimising sum ||x - W x_hat||^2 tends to W*."""
    rng = np.random.default_rng(4)
    L = np.array([[1.5, 0.0, 0.0], [0.8, 0.6, 0.0], [-0.3, 0.4, 0.2]])
    C, sigma, n = L @ L.T, 0.4, 200_000
    x = rng.normal(size=(n, 3)) @ L.T
    x_hat = x + sigma * rng.normal(size=(n, 3))
    W_mc = np.linalg.lstsq(x_hat, x, rcond=None)[0].T  # x ~ x_hat W^T
    # entries of W_mc have standard errors of order sigma / sqrt(n) ~ 1e-3
    np.testing.assert_allclose(W_mc, optimal_linear_dae(C, sigma), atol=1e-2)


def test_optimal_linear_dae_shrinks_each_principal_direction():
    rng = np.random.default_rng(5)
    V = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    lam, sigma = np.array([4.0, 1.0, 0.25]), 0.5
    W = optimal_linear_dae(V @ np.diag(lam) @ V.T, sigma)
    np.testing.assert_allclose(W @ V, V * (lam / (lam + sigma**2)), atol=1e-12)
