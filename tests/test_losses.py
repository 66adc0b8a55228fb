"""Reconstruction losses: the handout's numbers, and agreement with numpy and torch.nn.functional."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from aecourse.losses import bce, mse, relative_error

# handout 002, Example 2: a batch of N = 3 images with d = 4 pixels
X_EX2 = np.array([[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]], dtype=np.float64)
X_TILDE_EX2 = np.array([[0.9, 0.1, 0.8, 0.1], [0.1, 0.9, 0.1, 0.8], [0.8, 0.9, 0.1, 0.1]])


def test_mse_reproduces_handout_002_example_2():
    assert round(float(mse(X_EX2, X_TILDE_EX2)), 4) == 0.0175
    assert float(mse(torch.as_tensor(X_EX2), torch.as_tensor(X_TILDE_EX2))) == pytest.approx(0.07 / 4, rel=1e-12)


def test_bce_reproduces_handout_002_practice_problem_4():
    x, x_tilde = torch.tensor([[1.0, 0.0, 1.0]], dtype=torch.float64), torch.tensor([[0.9, 0.2, 0.8]], dtype=torch.float64)
    expected = -(np.log(0.9) + np.log(0.8) + np.log(0.8)) / 3  # 1 - 0.2 = 0.8 for the zero pixel
    assert float(bce(x, x_tilde)) == pytest.approx(expected, rel=1e-12)
    assert round(float(bce(x, x_tilde)), 4) == 0.1839


def random_pair(seed: int, shape=(7, 5)):
    rng = np.random.default_rng(seed)
    return rng.uniform(size=shape), rng.uniform(0.01, 0.99, size=shape)


def test_mse_is_mean_over_samples_and_coordinates():
    x, x_tilde = random_pair(1)
    assert float(mse(torch.as_tensor(x), torch.as_tensor(x_tilde))) == pytest.approx(((x - x_tilde) ** 2).mean(), rel=1e-12)


def test_bce_is_mean_over_samples_and_coordinates():
    x, x_tilde = random_pair(2)
    reference = -(x * np.log(x_tilde) + (1 - x) * np.log(1 - x_tilde)).mean()
    assert float(bce(torch.as_tensor(x), torch.as_tensor(x_tilde))) == pytest.approx(reference, rel=1e-12)


def test_losses_agree_with_torch_functional():
    x, x_tilde = (torch.as_tensor(a, dtype=torch.float32) for a in random_pair(3))
    assert torch.allclose(mse(x, x_tilde), F.mse_loss(x_tilde, x))
    assert torch.allclose(bce(x, x_tilde), F.binary_cross_entropy(x_tilde, x))


def test_losses_do_not_depend_on_batch_size():
    x, x_tilde = (torch.as_tensor(a) for a in random_pair(4))
    for loss in (mse, bce):
        assert torch.allclose(loss(x, x_tilde), loss(torch.cat([x, x]), torch.cat([x_tilde, x_tilde])))


def test_bce_is_finite_for_saturated_reconstructions():
    x = torch.tensor([[1.0, 0.0]])
    assert torch.isfinite(bce(x, torch.tensor([[0.0, 1.0]])))  # the worst case: clipped, large, finite
    assert float(bce(x, torch.tensor([[0.0, 1.0]]))) > 10


def test_losses_are_differentiable():
    x, x_tilde = (torch.as_tensor(a) for a in random_pair(5))
    x_tilde.requires_grad_(True)
    for loss in (mse, bce):
        (grad,) = torch.autograd.grad(loss(x, x_tilde), x_tilde)
        assert torch.isfinite(grad).all() and grad.abs().sum() > 0


def test_relative_error_is_the_ratio_of_frobenius_norms():
    x, x_tilde = random_pair(6)
    # oracle: numpy's Frobenius norm, and a sum of per-row squared norms written out as a loop
    assert relative_error(x, x_tilde) == pytest.approx(np.linalg.norm(x - x_tilde) / np.linalg.norm(x), rel=1e-12)
    by_rows = sum(((a - b) ** 2).sum() for a, b in zip(x, x_tilde)) / sum((a**2).sum() for a in x)
    assert relative_error(x, x_tilde, squared=True) == pytest.approx(by_rows, rel=1e-12)


def test_relative_error_is_scale_free_and_zero_for_a_copy():
    x, x_tilde = random_pair(7)
    assert relative_error(x, x) == 0.0
    assert relative_error(1000 * x, 1000 * x_tilde) == pytest.approx(relative_error(x, x_tilde), rel=1e-12)
    assert relative_error(x, np.zeros_like(x)) == pytest.approx(1.0, rel=1e-12)  # predicting 0 everywhere


def test_relative_error_accepts_float32_tensors_and_vectors():
    x, x_tilde = random_pair(8)
    reference = relative_error(x, x_tilde)
    assert relative_error(torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(x_tilde)) == pytest.approx(reference, rel=1e-6)
    assert relative_error(x[0], x_tilde[0]) == pytest.approx(np.linalg.norm(x[0] - x_tilde[0]) / np.linalg.norm(x[0]))


@pytest.mark.parametrize("args, kwargs, error, match", [
    (([[1.0, 2.0]], [[1.0, 2.0, 3.0]]), {}, ValueError, "same shape"),
    (([[0.0, 0.0]], [[1.0, 1.0]]), {}, ValueError, "x is all zeros"),
    (([[1.0, np.nan]], [[1.0, 2.0]]), {}, ValueError, "x contains 1 NaN"),
    (([[1.0, 2.0]], [[1.0, np.inf]]), {}, ValueError, "x_tilde contains 1 NaN"),
    (([[1.0, 2.0]], [[1.0, 2.0]]), {"squared": 1}, TypeError, "squared must be True or False"),
    (("ab", [[1.0]]), {}, TypeError, "x must be"),
])
def test_relative_error_names_the_bad_argument(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        relative_error(*args, **kwargs)
