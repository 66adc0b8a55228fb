"""Checks of lesson 4: corruptions and the optimal linear denoiser (handout 000 §7, handout 002 Example 3)."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch

from aecourse.grading.core import GradingError, call_student, compare, passed, random_tensor, to_numpy, unchanged

__all__ = ['check_gaussian_corrupt', 'check_masking_corrupt', 'check_optimal_dae_weight']


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _check_corrupted_copy(name: str, x0: torch.Tensor, x: torch.Tensor, x_hat, dtype_hint: str) -> None:
    """What every corruption must do: return a new tensor of x's shape and dtype, x left as it was (x0)."""
    if not isinstance(x_hat, torch.Tensor):
        raise GradingError(f"{name} must return a torch.Tensor, got {type(x_hat).__name__}.")
    unchanged(name, x0, x, "x")
    if x_hat.shape != x.shape:
        raise GradingError(f"{name} must return the shape of x {tuple(x.shape)}, got {tuple(x_hat.shape)}.")
    if x_hat.dtype != x.dtype:
        raise GradingError(f"{name} must keep the dtype of x ({x.dtype}), got {x_hat.dtype}; {dtype_hint}")


def check_gaussian_corrupt(gaussian_corrupt: Callable, *, shape: Sequence[int] = (400, 50), sigma: float = 0.3,
                              dtype=torch.float32, seed: int = 0) -> None:
    """Check ``gaussian_corrupt(x, sigma, generator)``: x_hat = x + N(0, sigma^2) noise, x unchanged."""
    name = "gaussian_corrupt"
    x = random_tensor(shape, seed, dtype)
    x0 = x.clone()
    x_hat = call_student(gaussian_corrupt, name, x, sigma, _generator(seed))
    _check_corrupted_copy(name, x0, x, x_hat, dtype_hint="pass dtype=x.dtype to torch.randn.")
    again = call_student(gaussian_corrupt, name, x, sigma, _generator(seed))
    if not torch.equal(again, x_hat):
        raise GradingError(f"{name} gave different noise for the same generator; draw the noise with "
                           "torch.randn(x.shape, generator=generator, dtype=x.dtype).")
    zero = call_student(gaussian_corrupt, name, x, 0.0, _generator(seed))
    if not torch.allclose(zero, x):
        raise GradingError(f"{name} with sigma=0 must return x unchanged; it changed it by up to "
                           f"{(zero - x).abs().max().item():.3g}.")
    noise = (x_hat - x).double()
    if noise.abs().max().item() == 0:
        raise GradingError(f"{name} returned x unchanged for sigma={sigma}; add the noise.")
    mean, std = noise.mean().item(), noise.std().item()
    n = noise.numel()
    if abs(mean) > 6 * sigma / math.sqrt(n):
        raise GradingError(f"the noise of {name} has mean {mean:.3g}; Gaussian corruption has mean 0 "
                           "(torch.randn, not torch.rand, which is uniform on [0, 1)).")
    if abs(std - sigma) > 0.05 * sigma:
        why = ""
        if abs(std - sigma**2) < 0.05 * sigma**2:
            why = " Likely cause: you used sigma**2 as the standard deviation; sigma is the standard deviation, sigma**2 the variance."
        elif abs(std - math.sqrt(sigma)) < 0.05 * math.sqrt(sigma):
            why = " Likely cause: you used sqrt(sigma); multiply torch.randn(...) by sigma itself."
        elif abs(std - sigma / math.sqrt(12)) < 0.05 * sigma:
            why = " Likely cause: uniform noise (torch.rand); use torch.randn for Gaussian noise."
        raise GradingError(f"the noise of {name} has standard deviation {std:.4g}, expected sigma = {sigma}.{why}")
    # the noise must not depend on x (additive, not multiplicative)
    zeros = torch.zeros(shape, dtype=dtype)
    on_zero = call_student(gaussian_corrupt, name, zeros, sigma, _generator(seed + 1)).double()
    if abs(on_zero.std().item() - sigma) > 0.05 * sigma:
        raise GradingError(f"{name}(zeros, sigma) has noise of standard deviation {on_zero.std().item():.3g}, "
                           f"expected {sigma}: the noise must be ADDED to x (x + sigma * eps), not multiplied by it.")
    passed(name, f"additive N(0, {sigma}^2) noise, reproducible, x unchanged")


def check_masking_corrupt(masking_corrupt: Callable, *, shape: Sequence[int] = (400, 50), p: float = 0.25,
                             dtype=torch.float32, seed: int = 0) -> None:
    """Check ``masking_corrupt(x, p, generator)``: each entry set to 0 with probability p, the rest UNSCALED."""
    name = "masking_corrupt"
    x = random_tensor(shape, seed, dtype, 0.1, 1.0)  # no zeros in x, so every 0 in x_hat was masked
    x0 = x.clone()
    x_hat = call_student(masking_corrupt, name, x, p, _generator(seed))
    _check_corrupted_copy(name, x0, x, x_hat, dtype_hint="multiply x by the mask converted with mask.to(x.dtype).")
    again = call_student(masking_corrupt, name, x, p, _generator(seed))
    if not torch.equal(again, x_hat):
        raise GradingError(f"{name} gave a different mask for the same generator; draw it with "
                           "torch.rand(x.shape, generator=generator).")
    masked = x_hat == 0
    kept = ~masked
    if kept.any() and not torch.allclose(x_hat[kept], x[kept]):
        ratio = (x_hat[kept] / x[kept]).double().mean().item()
        why = (" Likely cause: you divided the kept values by 1 - p; that is (inverted) dropout, not masking "
               "noise (see the erratum to handout 002 practice problem 3)." if abs(ratio - 1 / (1 - p)) < 1e-3 else "")
        raise GradingError(f"{name} changed the values it kept (mean ratio x_hat / x = {ratio:.4g}); "
                           f"masking noise keeps them exactly.{why}")
    frac = masked.double().mean().item()
    tol = 6 * math.sqrt(p * (1 - p) / x.numel()) + 1e-12
    if abs(frac - p) > tol:
        why = (" Likely cause: you KEPT each entry with probability p; p is the probability of MASKING (setting to 0)."
               if abs(frac - (1 - p)) <= tol else "")
        raise GradingError(f"{name} masked a fraction {frac:.4f} of the entries, expected p = {p}.{why}")
    none = call_student(masking_corrupt, name, x, 0.0, _generator(seed))
    if not torch.equal(none, x):
        raise GradingError(f"{name} with p=0 must return x unchanged, but it changed "
                           f"{int((none != x).sum())} entries; mask where torch.rand(...) < p.")
    passed(name, f"masks a fraction {frac:.3f} (p = {p}), keeps the rest unscaled")


def check_optimal_dae_weight(optimal_dae_weight: Callable, *, D: int = 3, sigma: float = 0.5, seed: int = 0) -> None:
    """Check ``optimal_dae_weight(C, sigma)``: W* = C (C + sigma^2 I)^{-1} (handout 002, Example 3)."""
    from aecourse.denoising import optimal_linear_dae

    name = "optimal_dae_weight"
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(D, D))
    C = M @ M.T + 0.5 * np.eye(D)
    cases = [("handout 002 Example 3 (E[x^2] = 4, sigma = 0.5)", np.array([[4.0]]), 0.5)] if D == 3 and seed == 0 else []
    cases.append((f"a random {D}x{D} second moment, sigma = {sigma}", C, sigma))
    for case, Cm, s in cases:
        C0 = Cm.copy()
        got = to_numpy(name, call_student(optimal_dae_weight, name, Cm, s))
        if not np.array_equal(C0, Cm):
            raise GradingError(f"{name} changed C in place; build C + sigma**2 * np.eye(D) as a new array.")
        n = len(Cm)
        expected = optimal_linear_dae(Cm, s)
        I = np.eye(n)
        compare(name, got, expected, case, {
            "you used sigma instead of sigma**2 (the noise VARIANCE is added to C).":
                lambda: Cm @ np.linalg.inv(Cm + s * I),
            "you added sigma**2 to every entry of C; add it on the diagonal only (sigma**2 * np.eye(D)).":
                lambda: Cm @ np.linalg.inv(Cm + s**2),
            "you returned the inverse (C + sigma^2 I)^{-1} alone; multiply by C.": lambda: np.linalg.inv(Cm + s**2 * I),
            "you divided element by element; W* needs the matrix inverse (np.linalg.solve or np.linalg.inv).":
                lambda: Cm / (Cm + s**2 * I),
            "you subtracted the noise variance; it is ADDED: C (C + sigma^2 I)^{-1} shrinks towards 0.":
                lambda: Cm @ np.linalg.inv(Cm - s**2 * I),
        }, rtol=1e-6, atol=1e-9, hint=f"W must be a ({n}, {n}) matrix.")
    passed(name, "matches C (C + sigma^2 I)^{-1}" + (" and handout 002 Example 3 (0.941)" if len(cases) == 2 else ""))
