"""active_units against a per-sample, per-unit loop, and its argument checks."""
import numpy as np
import pytest
import torch

from aecourse.penalties import active_units


def count_by_loop(z, threshold):
    return np.array([sum(1 for value in row if abs(value) > threshold) for row in z])


def test_active_units_matches_a_loop():
    z = np.random.default_rng(0).normal(size=(30, 12)) * (np.random.default_rng(1).random((30, 12)) < 0.3)
    for threshold in (0.0, 0.1, 1.0):
        np.testing.assert_array_equal(active_units(z, threshold), count_by_loop(z, threshold))


def test_active_units_counts_negative_codes_by_magnitude():
    z = np.array([[-2.0, 0.0, 0.5], [0.0, 0.0, -1e-4]])
    np.testing.assert_array_equal(active_units(z, threshold=1e-3), [2, 0])


def test_active_units_threshold_is_strict():
    z = np.array([[0.5, 0.5000001, 0.4999999]])
    np.testing.assert_array_equal(active_units(z, threshold=0.5), [1])


def test_active_units_accepts_tensors_with_grad():
    torch.manual_seed(0)
    z = torch.relu(torch.randn(8, 5, requires_grad=True))
    np.testing.assert_array_equal(active_units(z), count_by_loop(z.detach().numpy(), 1e-3))


def test_active_units_rejects_negative_threshold():
    with pytest.raises(ValueError, match="threshold"):
        active_units(np.zeros((2, 3)), threshold=-0.1)


def test_active_units_rejects_a_single_code_vector():
    with pytest.raises(ValueError, match="z must have 2 dimensions"):
        active_units(np.zeros(3))
