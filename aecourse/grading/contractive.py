"""Checks of lesson 5: the contractive penalty and the encoder Jacobian (handout 000 §8)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from aecourse.grading.core import GradingError, call_student, compare, passed, random_tensor, scalar, to_numpy, unchanged

__all__ = ['check_sigmoid_contractive', 'check_jacobian']


def check_sigmoid_contractive(sigmoid_contractive: Callable, *, K: int = 3, D: int = 5, B: int = 4,
                              dtype=torch.float32, seed: int = 0) -> None:
    """Check ``sigmoid_contractive(W, b, x)`` with W of shape (K, D): batch mean of ||J(x)||_F^2."""
    from aecourse.penalties import contractive_penalty

    name = "sigmoid_contractive"
    W = random_tensor((K, D), seed, dtype, -1.5, 1.5)
    b = random_tensor((K,), seed + 1, dtype, -0.5, 0.5)
    x = random_tensor((B, D), seed + 2, dtype, -1.0, 1.0)
    copies = W.clone(), b.clone(), x.clone()
    try:
        out = call_student(sigmoid_contractive, name, W, b, x)
    except GradingError as error:
        if "shape" in str(error) or "size" in str(error):
            raise GradingError(f"{error}. W must be (K, D) = ({K}, {D}), the layout of torch.nn.Linear(D, K).weight; "
                               "did you transpose it? The codes are h = sigmoid(x @ W.T + b).") from None
        raise
    got = scalar(name, out, "average ||J(x)||_F^2 over the batch to one number.")
    for before, after, arg in zip(copies, (W, b, x), ("W", "b", "x")):
        unchanged(name, before, after, arg)
    Wd, bd, xd = W.double(), b.double(), x.double()
    layer = torch.nn.Linear(D, K).double()
    with torch.no_grad():
        layer.weight.copy_(Wd)
        layer.bias.copy_(bd)
    expected = contractive_penalty(torch.nn.Sequential(layer, torch.nn.Sigmoid()), xd).item()  # autograd oracle
    h = torch.sigmoid(xd @ Wd.T + bd)  # (B, K)
    s = h * (1 - h)
    norms = (Wd**2).sum(1)  # (K,)
    compare(name, got, expected, f"W of shape ({K}, {D}), x of shape ({B}, {D}) ({dtype})", {
        f"your penalty is the batch sum, not the batch mean (B = {B} times too large).": lambda: (s**2 @ norms).sum().item(),
        "h (1 - h) must be squared: ||J||_F^2 = sum_j (h_j (1 - h_j))^2 sum_d W_jd^2.": lambda: (s @ norms).mean().item(),
        "you summed W_jd, not W_jd**2, over the inputs d.": lambda: (s**2 @ Wd.sum(1)).mean().item(),
        "you used the sigmoid h itself instead of its derivative h (1 - h).": lambda: (h**2 @ norms).mean().item(),
        "W must be (K, D); did you transpose it? Sum W**2 over the inputs (dim=1), one value per code unit.":
            lambda: (s**2 * (Wd**2).sum(0)[:K]).sum(1).mean().item(),
        "you took the square root: the penalty is the SQUARED Frobenius norm.":
            lambda: (s**2 @ norms).sqrt().mean().item(),
    }, rtol=1e-4 if dtype == torch.float32 else 1e-8)
    passed(name, f"matches the autograd Jacobian of sigmoid(x W^T + b) for W ({K}, {D})")


def _mlp(D: int, K: int, seed: int, dtype) -> torch.nn.Module:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return torch.nn.Sequential(torch.nn.Linear(D, 6), torch.nn.Tanh(), torch.nn.Linear(6, K)).to(dtype)


def check_jacobian(jacobian: Callable, *, D: int = 5, K: int = 3, dtype=torch.float32, seed: int = 0) -> None:
    """Check ``jacobian(encoder, x)`` for ONE sample x of shape (D,): dz/dx of shape (K, D)."""
    name = "jacobian"
    encoder = _mlp(D, K, seed, dtype)
    x = random_tensor((D,), seed + 1, dtype, -1.0, 1.0)
    x0 = x.clone()
    J = call_student(jacobian, name, encoder, x)
    unchanged(name, x0, x, "x")
    got = to_numpy(name, J)
    expected = torch.autograd.functional.jacobian(encoder, x.detach()).double().numpy()
    hint = f"row k holds the gradient of z_k: shape (K, D) = ({K}, {D})."
    if got.shape == (D, K) and D != K:
        raise GradingError(f"{name} returned shape ({D}, {K}); the Jacobian dz/dx has one ROW per code unit, "
                           f"shape (K, D) = ({K}, {D}): did you transpose it?")
    compare(name, got, expected, f"a tanh encoder R^{D} -> R^{K}", {
        "you transposed it: J[k, d] = dz_k / dx_d, one row per code unit.": lambda: expected.T,
        "every row is the gradient of z.sum(); compute one gradient per code unit z_k.":
            lambda: np.tile(expected.sum(0), (K, 1)),
    }, rtol=1e-4 if dtype == torch.float32 else 1e-8, hint=hint)
    passed(name, f"matches torch.autograd.functional.jacobian ({K}, {D})")
