"""aecourse.geometry against independent computations: linear maps whose spectrum is known, and
the SVD of a finite-difference Jacobian."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from aecourse import geometry


def linear_encoder(A: np.ndarray) -> torch.nn.Linear:
    """z = A x + c in float64."""
    layer = torch.nn.Linear(A.shape[1], A.shape[0]).double()
    with torch.no_grad():
        layer.weight.copy_(torch.as_tensor(A))
        layer.bias.uniform_(-1, 1)
    return layer


def tanh_encoder(D: int = 5, H: int = 7, K: int = 3, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(D, H), torch.nn.Tanh(), torch.nn.Linear(H, K), torch.nn.Sigmoid()).double()


def finite_difference_jacobian(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences, one input coordinate at a time: (K, D) at a single point x."""
    cols = []
    for d in range(len(x)):
        e = np.zeros_like(x)
        e[d] = h
        with torch.no_grad():
            up = f(torch.as_tensor(x + e)[None])[0].numpy()
            down = f(torch.as_tensor(x - e)[None])[0].numpy()
        cols.append((up - down) / (2 * h))
    return np.stack(cols, axis=1)


def rotation(angle: float) -> np.ndarray:
    return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])


def test_spectrum_of_a_linear_map_is_its_singular_values_everywhere():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((3, 6))
    X = rng.standard_normal((10, 6))
    S = geometry.jacobian_spectrum(linear_encoder(A), X)
    expected = np.linalg.svd(A, compute_uv=False)
    assert S.shape == (10, 3)
    np.testing.assert_allclose(S, np.tile(expected, (10, 1)), rtol=1e-12)


def test_spectrum_matches_svd_of_finite_difference_jacobian():
    encoder = tanh_encoder()
    X = np.random.default_rng(1).standard_normal((4, 5))
    S = geometry.jacobian_spectrum(encoder, X)
    for i, x in enumerate(X):
        expected = np.linalg.svd(finite_difference_jacobian(encoder, x), compute_uv=False)
        np.testing.assert_allclose(S[i], expected, atol=1e-8)


def test_jacobian_svd_reconstructs_the_jacobian():
    encoder = tanh_encoder()
    X = np.random.default_rng(2).standard_normal((3, 5))
    U, S, Vh = geometry.jacobian_svd(encoder, X)
    for i, x in enumerate(X):
        np.testing.assert_allclose(U[i] @ np.diag(S[i]) @ Vh[i], finite_difference_jacobian(encoder, x), atol=1e-8)


def test_sum_of_squared_singular_values_is_the_contractive_penalty():
    from aecourse.penalties import contractive_penalty

    encoder = tanh_encoder()
    X = np.random.default_rng(3).standard_normal((6, 5))
    S = geometry.jacobian_spectrum(encoder, X)
    penalty = contractive_penalty(encoder, torch.as_tensor(X)).item()
    assert abs((S**2).sum(axis=1).mean() - penalty) < 1e-12


@pytest.mark.parametrize("tangent_angle, expected", [(0.0, 0.0), (np.pi / 6, np.pi / 6), (np.pi / 2, np.pi / 2),
                                                     (np.pi, 0.0), (-np.pi / 3, np.pi / 3)])
def test_tangent_angle_of_a_known_linear_map(tangent_angle, expected):
    # A = diag(3, 0.5) R^T: most sensitive to the input direction R e1 (at 0.4 rad).
    R = rotation(0.4)
    A = np.diag([3.0, 0.5]) @ R.T
    X = np.random.default_rng(4).standard_normal((5, 2))
    t = R @ rotation(tangent_angle) @ np.array([1.0, 0.0]) * 2.5  # any length, either sign
    angles = geometry.tangent_angles(linear_encoder(A), X, np.tile(t, (5, 1)))
    np.testing.assert_allclose(angles, expected, atol=1e-7)


def test_tangent_angles_lie_between_zero_and_a_right_angle():
    rng = np.random.default_rng(5)
    angles = geometry.tangent_angles(tanh_encoder(), rng.standard_normal((50, 5)), rng.standard_normal((50, 5)))
    assert angles.min() >= 0.0 and angles.max() <= np.pi / 2


def test_contraction_ratio_of_a_scaled_orthogonal_map_is_the_scale():
    Q, _ = np.linalg.qr(np.random.default_rng(6).standard_normal((4, 4)))
    ratios = geometry.contraction_ratios(linear_encoder(0.3 * Q), np.zeros((3, 4)), n_directions=5)
    assert ratios.shape == (3, 5)
    np.testing.assert_allclose(ratios, 0.3, rtol=1e-9)


def test_contraction_ratios_of_a_linear_map_lie_between_extreme_singular_values():
    A = np.diag([2.0, 1.0, 0.1])
    ratios = geometry.contraction_ratios(linear_encoder(A), np.zeros((1, 3)), n_directions=2000, seed=1)
    assert 0.1 - 1e-9 <= ratios.min() and ratios.max() <= 2.0 + 1e-9
    # Monte-Carlo: E ||A u||^2 = ||A||_F^2 / D for u uniform on the sphere.
    assert abs((ratios**2).mean() - (4 + 1 + 0.01) / 3) < 0.05


def test_contraction_ratios_reach_zero_along_the_null_space_when_the_code_is_smaller():
    # K = 1 < D = 2: jacobian_spectrum returns the single value s_1 = 1, which is no lower bound;
    # the step along the null space (0, 1) leaves the code unchanged, so rho = |u_1| comes near 0.
    encoder = linear_encoder(np.array([[1.0, 0.0]]))
    np.testing.assert_allclose(geometry.jacobian_spectrum(encoder, np.zeros((1, 2))), [[1.0]])
    ratios = geometry.contraction_ratios(encoder, np.zeros((1, 2)), n_directions=2000, seed=2)
    assert 0.0 <= ratios.min() < 0.01 and ratios.max() <= 1.0 + 1e-9


def test_contraction_ratios_never_exceed_the_spectral_norm_for_small_steps():
    encoder = tanh_encoder()
    X = np.random.default_rng(7).standard_normal((20, 5))
    ratios = geometry.contraction_ratios(encoder, X, eps=1e-6, n_directions=16)
    s1 = geometry.jacobian_spectrum(encoder, X)[:, 0]
    assert np.all(ratios <= s1[:, None] * (1 + 1e-4))


def test_contraction_ratios_are_reproducible_and_depend_on_the_seed():
    encoder = tanh_encoder()
    X = np.random.default_rng(8).standard_normal((4, 5))
    a = geometry.contraction_ratios(encoder, X, seed=3)
    np.testing.assert_array_equal(a, geometry.contraction_ratios(encoder, X, seed=3))
    assert not np.allclose(a, geometry.contraction_ratios(encoder, X, seed=4))


def test_a_float32_encoder_gets_float32_inputs():
    encoder = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Sigmoid())
    S = geometry.jacobian_spectrum(encoder, np.ones((2, 3)))
    assert S.shape == (2, 2) and S.dtype == np.float64


@pytest.mark.parametrize("kwargs, match", [({"eps": 0.0}, "eps"), ({"eps": -1e-3}, "eps"),
                                           ({"n_directions": 0}, "n_directions"), ({"seed": -1}, "seed")])
def test_contraction_ratios_reject_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        geometry.contraction_ratios(tanh_encoder(), np.zeros((2, 5)), **kwargs)


def test_tangents_must_match_the_points():
    with pytest.raises(ValueError, match="tangents must have the shape of X"):
        geometry.tangent_angles(tanh_encoder(), np.zeros((3, 5)), np.ones((3, 4)))


def test_zero_tangents_are_rejected():
    T = np.ones((3, 5))
    T[1] = 0.0
    with pytest.raises(ValueError, match="tangents has 1 zero rows"):
        geometry.tangent_angles(tanh_encoder(), np.zeros((3, 5)), T)


def test_points_must_be_a_matrix():
    with pytest.raises(ValueError, match="X must have 2 dimensions"):
        geometry.jacobian_spectrum(tanh_encoder(), np.zeros(5))


def test_encoder_must_be_callable():
    with pytest.raises(TypeError, match="encoder must be a function"):
        geometry.jacobian_spectrum("encoder", np.zeros((2, 5)))


def test_contraction_ratio_along_a_null_space_direction_is_zero_when_the_code_is_smaller():
    # K = 2 < D = 3: the Jacobian [[2, 0, 0], [0, 1, 0]] ignores x_3. A step along e_3 gives
    # rho ~ 0, below the smallest returned singular value (1.0): the lower bound is 0, not s_min.
    encoder = linear_encoder(np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
    assert geometry.jacobian_spectrum(encoder, np.zeros((1, 3))).min() > 0.99
    # Directions u ~ N(0, I) normalised; 4000 of them come within a few degrees of +-e_3.
    ratios = geometry.contraction_ratios(encoder, np.zeros((1, 3)), n_directions=4000, seed=2)
    assert ratios.min() < 0.2
    assert ratios.max() <= 2.0 + 1e-9
