"""Reconstruction losses: the handout's numbers, and agreement with numpy and torch.nn.functional."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from aecourse.losses import bce, mse

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
