"""Corruption processes against their definitions.

Statistical tolerances: with n independent draws an empirical mean has standard error
s / sqrt(n); every bound below is 5 standard errors (a false alarm about once in 3.5 million runs),
and each test is seeded, so the outcome does not change from run to run anyway.
"""
from __future__ import annotations

import math

import pytest
import torch

from aecourse.corruption import gaussian_noise, masking_noise, salt_and_pepper

N_ROWS, N_COLS = 2000, 100  # n = 200,000 draws
N = N_ROWS * N_COLS


def clean(seed: int = 0) -> torch.Tensor:
    """Values in [0.2, 0.8]: never 0 or 1, so masked, salted and peppered entries are visible."""
    g = torch.Generator().manual_seed(seed)
    return 0.2 + 0.6 * torch.rand(N_ROWS, N_COLS, generator=g)


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def five_se_of_fraction(p: float, n: int = N) -> float:
    return 5 * math.sqrt(p * (1 - p) / n)


# --- Gaussian noise -------------------------------------------------------------------------------

def test_gaussian_noise_with_zero_sigma_returns_x():
    x = clean()
    x_hat = gaussian_noise(x, 0.0)
    assert torch.equal(x_hat, x)
    x_hat += 1  # a copy: changing it leaves x alone
    assert torch.equal(x, clean())


def test_gaussian_noise_mean_is_zero():
    sigma, x = 0.3, clean()
    eps = (gaussian_noise(x, sigma, gen(1)) - x).double()
    assert abs(eps.mean().item()) < 5 * sigma / math.sqrt(N)


def test_gaussian_noise_variance_is_sigma_squared():
    sigma, x = 0.3, clean()
    eps = (gaussian_noise(x, sigma, gen(2)) - x).double()
    # the sample variance of n normal draws has standard error sigma^2 sqrt(2 / (n - 1))
    assert abs(eps.var().item() - sigma**2) < 5 * sigma**2 * math.sqrt(2 / (N - 1))


def test_gaussian_noise_is_independent_across_coordinates():
    sigma, x = 0.5, clean()
    eps = (gaussian_noise(x, sigma, gen(3)) - x).double()
    corr = (eps[:, 0] * eps[:, 1]).mean().item() / sigma**2  # standard error 1 / sqrt(N_ROWS)
    assert abs(corr) < 5 / math.sqrt(N_ROWS)


def test_same_generator_seed_gives_same_noise():
    x = clean()
    for noise, arg in ((gaussian_noise, 0.3), (masking_noise, 0.3), (salt_and_pepper, 0.3)):
        assert torch.equal(noise(x, arg, gen(5)), noise(x, arg, gen(5))), noise.__name__
        assert not torch.equal(noise(x, arg, gen(5)), noise(x, arg, gen(6))), noise.__name__


@pytest.mark.parametrize("noise, arg", [(gaussian_noise, 0.3), (masking_noise, 0.3), (salt_and_pepper, 0.3)])
def test_corruption_keeps_shape_dtype_and_leaves_x_alone(noise, arg):
    x = clean()[:10].double()
    before = x.clone()
    x_hat = noise(x, arg, gen(7))
    assert x_hat.shape == x.shape and x_hat.dtype == torch.float64
    assert torch.equal(x, before)


# --- masking noise --------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.1, 0.5])
def test_masking_noise_zeroes_fraction_p(p):
    x_hat = masking_noise(clean(), p, gen(8))
    masked = (x_hat == 0).double().mean().item()
    assert abs(masked - p) < five_se_of_fraction(p)


def test_masking_noise_keeps_the_rest_unscaled():
    """Masking, not dropout: kept values are x itself, not x / (1 - p) (handout 002, practice problem 3)."""
    x = clean()
    x_hat = masking_noise(x, 0.4, gen(9))
    kept = x_hat != 0
    assert torch.equal(x_hat[kept], x[kept])


def test_masking_noise_with_zero_p_returns_x():
    x = clean()
    assert torch.equal(masking_noise(x, 0.0, gen(10)), x)


# --- salt and pepper ------------------------------------------------------------------------------

def test_salt_and_pepper_hits_fraction_p():
    p, x = 0.2, clean()
    x_hat = salt_and_pepper(x, p, gen(11))
    hit = (x_hat != x).double().mean().item()
    assert abs(hit - p) < five_se_of_fraction(p)


def test_salt_and_pepper_hits_are_half_salt_half_pepper():
    p, x = 0.2, clean()
    x_hat = salt_and_pepper(x, p, gen(12))
    hit = x_hat != x
    n_hit = int(hit.sum())
    salt = (x_hat[hit] == 1.0).double().mean().item()
    assert abs(salt - 0.5) < five_se_of_fraction(0.5, n_hit)
    assert bool(((x_hat[hit] == 0.0) | (x_hat[hit] == 1.0)).all())


def test_salt_and_pepper_uses_low_and_high():
    x = clean()
    x_hat = salt_and_pepper(x, 0.5, gen(13), low=-1.0, high=2.0)
    changed = x_hat[x_hat != x]
    assert set(changed.unique().tolist()) == {-1.0, 2.0}


def test_salt_and_pepper_leaves_the_rest_unchanged():
    x = clean()
    x_hat = salt_and_pepper(x, 0.3, gen(14))
    untouched = (x_hat != 0.0) & (x_hat != 1.0)
    assert torch.equal(x_hat[untouched], x[untouched])
