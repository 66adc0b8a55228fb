"""Langevin dynamics against a distribution it must reproduce; the energy distance against scipy and a
loop; the denoiser score of the Bayes denoiser equals the blurred mixture's score (Tweedie)."""
import numpy as np
import pytest
import scipy.stats
import torch

from aecourse import sampling
from aecourse.data import GaussianMixture
from aecourse.denoising import gaussian_mixture_denoiser, noisy_mixture


def test_langevin_reproduces_a_gaussian():
    mean, std = np.array([1.0, -2.0]), 0.5
    score = lambda X: (mean - X) / std**2  # noqa: E731
    X = sampling.langevin(score, np.zeros((4000, 2)), step_size=0.005, n_steps=400, seed=0)
    assert np.allclose(X.mean(0), mean, atol=0.03)
    # the discretised chain's stationary variance is std^2 / (1 - eps / (2 std^2)), 1 % above std^2 here
    assert np.allclose(X.std(0), std, rtol=0.05)


def test_langevin_reproduces_a_mixture_by_energy_distance():
    mix = GaussianMixture([[-1.0, 0.0], [1.0, 0.0]], stds=0.5)
    X = sampling.langevin(mix.score, mix.sample(300, seed=1)[0], step_size=0.01, n_steps=200, seed=0)
    assert sampling.energy_test(X, mix.sample(300, seed=2)[0], n_permutations=100).p_value > 0.01


def test_energy_distance_is_the_square_of_scipys_in_one_dimension():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(50), rng.standard_normal(70) + 0.5
    assert sampling.energy_distance(x[:, None], y[:, None]) == pytest.approx(
        scipy.stats.energy_distance(x, y) ** 2, rel=1e-7)  # the Gram-matrix distances: ~1e-8


def test_energy_distance_matches_a_loop():
    rng = np.random.default_rng(1)
    X, Y = rng.standard_normal((6, 3)), rng.standard_normal((4, 3))
    d = lambda A, B: np.mean([np.linalg.norm(a - b) for a in A for b in B])  # noqa: E731
    assert sampling.energy_distance(X, Y) == pytest.approx(2 * d(X, Y) - d(X, X) - d(Y, Y), rel=1e-7)


def test_energy_test_detects_a_shift_and_not_a_resample():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((200, 2))
    assert sampling.energy_test(X, rng.standard_normal((200, 2)) + 0.5, seed=0).p_value < 0.01
    assert sampling.energy_test(X, rng.standard_normal((200, 2)), seed=0).p_value > 0.01


def test_denoiser_score_of_the_bayes_denoiser_is_the_blurred_score():
    mix = GaussianMixture([[-1.0, 0.0], [1.0, 0.5]], stds=0.3)
    sigma = 0.4

    class Bayes(torch.nn.Module):
        def forward(self, x):
            return torch.as_tensor(gaussian_mixture_denoiser(mix, x.numpy(), sigma), dtype=torch.float32)

    X = np.random.default_rng(3).standard_normal((50, 2))
    expected = noisy_mixture(mix, sigma).score(X)
    assert np.allclose(sampling.denoiser_score(Bayes(), sigma)(X), expected, rtol=1e-4, atol=1e-4)


def test_nearest_distance_matches_brute_force():
    rng = np.random.default_rng(4)
    X, R = rng.standard_normal((300, 3)), rng.standard_normal((40, 3))
    brute = np.array([min(np.linalg.norm(x - r) for r in R) for x in X])
    assert np.allclose(sampling.nearest_distance(X, R), brute, rtol=1e-7)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="step_size"):
        sampling.langevin(lambda X: X, np.zeros((2, 2)), step_size=0.0, n_steps=1)
    with pytest.raises(ValueError, match="features"):
        sampling.energy_distance(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="sigma"):
        sampling.denoiser_score(torch.nn.Identity(), 0.0)


def test_denoiser_score_evaluates_a_float64_model_in_float64():
    model = torch.nn.Linear(2, 2).double()
    X = np.array([[0.1, 0.2], [1.0 / 3.0, -0.7]])
    with torch.no_grad():
        expected = ((model(torch.as_tensor(X)) - torch.as_tensor(X)) / 0.5**2).numpy()
    assert np.array_equal(sampling.denoiser_score(model, 0.5)(X), expected)
