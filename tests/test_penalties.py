"""Penalties against independent computations (plain numpy, per-sample autograd Jacobians), in
float64, and mutation tests: the classic mistakes, written out below, must be REJECTED by the very
comparisons the tests use, so these tests provably can fail.

The fixtures are chosen so that each mistake shows: batch size B, code size K and input size D
all differ (a sum over the wrong axis changes the value, not just the shape), and the encoder's
weight rows have very different scales (a sum taken before weighting by the right row changes
the value).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from aecourse.geometry import encoder_jacobian
from aecourse.penalties import active_units, contractive_penalty, kl_sparsity, l1_sparsity, sigmoid_contractive_penalty

B, K, D = 6, 3, 5
ROW_SCALES = torch.tensor([0.1, 1.0, 4.0], dtype=torch.float64)  # (K,): rows of very different size


def agrees(value, reference) -> bool:
    """The comparison every test below uses: float64 agreement to ~1e-10."""
    value, reference = (float(v.detach()) if isinstance(v, torch.Tensor) else float(v) for v in (value, reference))
    return bool(np.isclose(value, reference, rtol=1e-10, atol=1e-12))


def agrees_or_false(fn, *args, reference) -> bool:
    """``agrees`` for a candidate that may crash (a crash is a disagreement too)."""
    try:
        return agrees(fn(*args), reference)
    except (RuntimeError, ValueError):
        return False


def sigmoid_layer(seed: int = 0):
    """weight (K, D) with rows of very different scale, bias (K,), x (B, D); float64."""
    g = torch.Generator().manual_seed(seed)
    weight = torch.randn(K, D, generator=g, dtype=torch.float64) * ROW_SCALES[:, None]
    bias = 0.5 * torch.randn(K, generator=g, dtype=torch.float64)
    x = 0.5 * torch.randn(B, D, generator=g, dtype=torch.float64)
    return weight, bias, x


def relu_encoder(seed: int = 0, hidden: int = 7) -> nn.Sequential:
    """A 2-layer ReLU encoder D -> hidden -> K in float64, first-layer rows of very different scale."""
    torch.manual_seed(seed)
    enc = nn.Sequential(nn.Linear(D, hidden), nn.ReLU(), nn.Linear(hidden, K)).double()
    with torch.no_grad():
        enc[0].weight *= torch.logspace(-1, 1, hidden, dtype=torch.float64)[:, None]
    return enc


def per_sample_frobenius(encoder, x) -> torch.Tensor:
    """Reference: batch mean of ||J(x_i)||_F^2 with J from torch.autograd.functional.jacobian, one sample at a time."""
    norms = [torch.autograd.functional.jacobian(lambda v: encoder(v[None])[0], xi).pow(2).sum() for xi in x]
    return torch.stack(norms).mean()


def numpy_relu_jacobians(encoder: nn.Sequential, x: torch.Tensor) -> np.ndarray:
    """Reference in plain numpy: J_i = W2 diag(1[W1 x_i + b1 > 0]) W1, shape (B, K, D)."""
    W1, b1 = encoder[0].weight.detach().numpy(), encoder[0].bias.detach().numpy()
    W2 = encoder[2].weight.detach().numpy()
    active = (x.numpy() @ W1.T + b1 > 0).astype(float)  # (B, hidden)
    return np.einsum("kh,bh,hd->bkd", W2, active, W1)


def numpy_kl(z: np.ndarray, rho: float) -> float:
    rho_hat = z.mean(axis=0)
    return float(np.sum(rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))))


def sigmoid_codes(seed: int = 0, n: int = B, k: int = K) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.sigmoid(2.0 * torch.randn(n, k, generator=g, dtype=torch.float64) - 1.0)


def relu_codes_below_one(seed: int = 0) -> torch.Tensor:
    """What a freshly initialised ReLU code layer gives: exact zeros, everything else below 1."""
    g = torch.Generator().manual_seed(seed)
    return torch.relu(0.3 * torch.randn(B, K, generator=g, dtype=torch.float64))


# --- the classic mistakes -------------------------------------------------------------------------

def closed_form_rows_and_columns_swapped(weight, bias, x):
    """Sums W_jd^2 over the units j (columns of the layer) instead of over the inputs d."""
    h = torch.sigmoid(x @ weight.T + bias)
    return ((h * (1 - h)) ** 2 @ (weight**2).sum(dim=0)).mean()


def closed_form_factorised(weight, bias, x):
    """Sums h(1-h)^2 over units before weighting by each unit's row norm: right only if all rows are equal."""
    h = torch.sigmoid(x @ weight.T + bias)
    return ((h * (1 - h)) ** 2).sum(dim=1).mean() * (weight**2).sum(dim=1).mean()


def closed_form_of_JT1(weight, bias, x):
    """||J^T 1||^2 = ||sum_j dz_j/dx||^2 instead of ||J||_F^2."""
    h = torch.sigmoid(x @ weight.T + bias)
    return ((h * (1 - h)) @ weight).pow(2).sum(dim=1).mean()


def closed_form_summed_over_batch(weight, bias, x):
    h = torch.sigmoid(x @ weight.T + bias)
    return ((h * (1 - h)) ** 2 @ (weight**2).sum(dim=1)).sum()


def autograd_norm_of_JT1(encoder, x):
    """One backward pass of z.sum(): the gradient is J^T 1 per sample, not J."""
    x = x.detach().requires_grad_(True)
    g = torch.autograd.grad(encoder(x).sum(), x, create_graph=True)[0]  # (B, D)
    return g.pow(2).sum(dim=1).mean()


def autograd_wrong_axis(encoder, x):
    """Sums over samples and inputs and averages over units: (J**2).sum((0, 2)).mean()."""
    return encoder_jacobian(encoder, x).pow(2).sum(dim=(0, 2)).mean()


def kl_per_sample_then_averaged(z, rho=0.05):
    """KL(rho || z_ij) for each sample, then the batch mean: constrains every sample, not the firing rate."""
    kl = rho * torch.log(rho / z) + (1 - rho) * torch.log((1 - rho) / (1 - z))
    return kl.sum(dim=1).mean()


def kl_without_range_check(z, rho=0.05, eps=1e-6):
    """The right formula, but it accepts any code, ReLU included."""
    rho_hat = z.mean(dim=0).clamp(eps, 1 - eps)
    return (rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum()


def l1_wrong_axis(z):
    """Sums over the batch and averages over units."""
    return z.abs().sum(dim=0).mean()


def l1_mean_over_everything(z):
    return z.abs().mean()


# --- the checks, written once, used for the real functions and for the mistakes ------------------

def closed_form_matches_autograd(penalty_fn, seed: int = 0) -> bool:
    weight, bias, x = sigmoid_layer(seed)
    reference = per_sample_frobenius(lambda v: torch.sigmoid(v @ weight.T + bias), x)
    return agrees_or_false(penalty_fn, weight, bias, x, reference=reference)


def contractive_matches_per_sample_loop(penalty_fn, seed: int = 0) -> bool:
    encoder = relu_encoder(seed)
    x = sigmoid_layer(seed)[2]
    return agrees_or_false(penalty_fn, encoder, x, reference=per_sample_frobenius(encoder, x))


def kl_matches_numpy(kl_fn, seed: int = 0, rho: float = 0.05) -> bool:
    z = sigmoid_codes(seed)
    return agrees_or_false(kl_fn, z, rho, reference=numpy_kl(z.numpy(), rho))


def kl_rejects_relu_codes(kl_fn) -> bool:
    try:
        kl_fn(relu_codes_below_one())
    except ValueError:
        return True
    return False


def l1_matches_numpy(l1_fn, seed: int = 0) -> bool:
    z = 2 * sigmoid_codes(seed) - 1  # signs of both kinds
    return agrees_or_false(l1_fn, z, reference=np.abs(z.numpy()).sum(axis=1).mean())


# --- correctness ----------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigmoid_closed_form_matches_autograd_jacobian(seed):
    assert closed_form_matches_autograd(sigmoid_contractive_penalty, seed)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_contractive_penalty_matches_per_sample_jacobian_loop_for_relu_encoder(seed):
    assert contractive_matches_per_sample_loop(contractive_penalty, seed)


def test_contractive_penalty_matches_sigmoid_closed_form():
    weight, bias, x = sigmoid_layer(3)
    encoder = lambda v: torch.sigmoid(v @ weight.T + bias)  # noqa: E731
    assert agrees(contractive_penalty(encoder, x), sigmoid_contractive_penalty(weight, bias, x))


def test_encoder_jacobian_matches_numpy_for_relu_encoder():
    encoder, x = relu_encoder(4), sigmoid_layer(4)[2]
    J = encoder_jacobian(encoder, x)
    assert J.shape == (B, K, D)
    np.testing.assert_allclose(J.numpy(), numpy_relu_jacobians(encoder, x), rtol=1e-12, atol=1e-14)


def test_contractive_penalty_of_linear_encoder_is_squared_frobenius_norm_of_weight():
    encoder = relu_encoder(5)[2]  # a bare Linear(7, K): J = W for every x
    x = torch.randn(B, 7, dtype=torch.float64, generator=torch.Generator().manual_seed(5))
    assert agrees(contractive_penalty(encoder, x), (encoder.weight.detach().numpy() ** 2).sum())


def test_contractive_penalty_gradient_matches_closed_form_gradient():
    """Trainable: d(penalty)/d(weight) by autograd through the Jacobian equals that of the closed form."""
    weight, bias, x = sigmoid_layer(6)
    weight.requires_grad_(True)
    g_autograd, = torch.autograd.grad(contractive_penalty(lambda v: torch.sigmoid(v @ weight.T + bias), x), weight)
    g_closed, = torch.autograd.grad(sigmoid_contractive_penalty(weight, bias, x), weight)
    np.testing.assert_allclose(g_autograd.numpy(), g_closed.numpy(), rtol=1e-9, atol=1e-12)


def test_contractive_penalty_passes_gradcheck_for_tanh_encoder():
    g = torch.Generator().manual_seed(7)
    W = torch.randn(K, D, dtype=torch.float64, generator=g).requires_grad_(True)
    x = torch.randn(B, D, dtype=torch.float64, generator=g)
    assert torch.autograd.gradcheck(lambda W: contractive_penalty(lambda v: torch.tanh(v @ W.T), x), (W,))


@pytest.mark.parametrize("rho", [0.05, 0.3])
def test_kl_sparsity_matches_numpy(rho):
    assert kl_matches_numpy(kl_sparsity, seed=0, rho=rho)


def test_kl_sparsity_is_zero_when_mean_activation_equals_rho():
    z = torch.tensor([[0.1, 0.3], [0.3, 0.1]], dtype=torch.float64)  # both units average 0.2
    assert float(kl_sparsity(z, rho=0.2)) == pytest.approx(0.0, abs=1e-15)


def test_kl_sparsity_rejects_relu_codes():
    assert kl_rejects_relu_codes(kl_sparsity)


def test_kl_sparsity_accepts_saturated_sigmoid_codes():
    z = torch.sigmoid(torch.tensor([[30.0, -3.0], [0.0, -2.0]]))  # float32: sigmoid(30) is exactly 1.0
    assert float(z.max()) == 1.0
    assert torch.isfinite(kl_sparsity(z))


def test_l1_sparsity_matches_numpy():
    assert l1_matches_numpy(l1_sparsity)


def test_penalties_are_differentiable_scalars():
    z = sigmoid_codes(8).requires_grad_(True)
    for omega in (l1_sparsity(z), kl_sparsity(z, 0.1)):
        assert omega.shape == ()
        (grad,) = torch.autograd.grad(omega, z)
        assert torch.isfinite(grad).all() and grad.abs().sum() > 0


# --- mutation tests: the same checks reject each classic mistake ----------------------------------

@pytest.mark.parametrize("mistake", [closed_form_rows_and_columns_swapped, closed_form_factorised,
                                     closed_form_of_JT1, closed_form_summed_over_batch])
def test_closed_form_check_rejects(mistake):
    assert not closed_form_matches_autograd(mistake)


@pytest.mark.parametrize("mistake", [autograd_norm_of_JT1, autograd_wrong_axis])
def test_contractive_check_rejects(mistake):
    assert not contractive_matches_per_sample_loop(mistake)


def test_contractive_check_rejects_sigmoid_closed_form_on_relu_encoder():
    """The closed form of a sigmoid layer, applied to a one-layer ReLU encoder, is not its penalty."""
    layer = relu_encoder(9)[0]  # Linear(D, 7) with rows of very different scale
    encoder = nn.Sequential(layer, nn.ReLU())
    x = sigmoid_layer(9)[2]
    reference = per_sample_frobenius(encoder, x)
    assert agrees(contractive_penalty(encoder, x), reference)  # the general penalty is right here ...
    assert not agrees(sigmoid_contractive_penalty(layer.weight, layer.bias, x), reference)  # ... the closed form is not


def test_factorised_mistake_needs_rows_of_different_scale():
    """Why the fixture scales its rows: with rows of equal norm the factorised mistake would pass."""
    weight, bias, x = sigmoid_layer(0)
    weight = weight / weight.norm(dim=1, keepdim=True)
    reference = per_sample_frobenius(lambda v: torch.sigmoid(v @ weight.T + bias), x)
    assert agrees(closed_form_factorised(weight, bias, x), reference)


def test_kl_check_rejects_per_sample_kl():
    assert not kl_matches_numpy(kl_per_sample_then_averaged)


def test_kl_check_rejects_kl_on_relu_codes():
    assert kl_matches_numpy(kl_without_range_check)  # the formula itself is right ...
    assert not kl_rejects_relu_codes(kl_without_range_check)  # ... but ReLU codes slip through


@pytest.mark.parametrize("mistake", [l1_wrong_axis, l1_mean_over_everything])
def test_l1_check_rejects(mistake):
    assert not l1_matches_numpy(mistake)


# --- active_units against a per-sample, per-unit loop ----------------------------------------------

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
