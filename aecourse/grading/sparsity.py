"""Checks of lesson 3: the L1 and KL sparsity penalties (handout 000 §6, handout 002)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from aecourse.grading.core import call_student, compare, passed, random_tensor, scalar, unchanged

__all__ = ['check_l1_penalty', 'check_kl_penalty']


def check_l1_penalty(l1_penalty: Callable, *, shape: Sequence[int] = (8, 5), dtype=torch.float32, seed: int = 0,
                     low: float = -1.0) -> None:
    """Check ``l1_penalty(z)``: batch mean of the L1 norm of each code, (1/B) sum_i sum_j |z_ij|."""
    z = random_tensor(shape, seed, dtype, low, 1.0)
    z0 = z.clone()
    got = scalar("l1_penalty", call_student(l1_penalty, "l1_penalty", z),
                  "sum |z| over the code units of each sample, then average over the batch.")
    unchanged("l1_penalty", z0, z, "z")
    a = z.double().abs()
    B, K = z.shape
    compare("l1_penalty", got, a.sum(1).mean().item(), f"codes z of shape {tuple(shape)} ({dtype})", {
        f"your penalty is the batch sum, not the batch mean (B = {B} times too large).": lambda: a.sum().item(),
        f"you averaged over the K = {K} code units too; sum over units, average over samples only.":
            lambda: a.mean().item(),
        "you forgot the absolute value: negative codes cancel positive ones.": lambda: z.double().sum(1).mean().item(),
        "you squared the codes: that is an L2 (weight-decay-like) penalty, not L1.":
            lambda: (z.double() ** 2).sum(1).mean().item(),
    }, rtol=1e-4 if dtype == torch.float32 else 1e-7)
    passed("l1_penalty", f"correct on codes of shape {tuple(shape)}")


def check_kl_penalty(kl_penalty: Callable, *, shape: Sequence[int] = (10, 4), rho: float = 0.05,
                     dtype=torch.float32, seed: int = 0) -> None:
    """Check ``kl_penalty(z, rho)``: sum over units of KL(rho || rho_hat_j), rho_hat the batch-mean activation."""
    z = random_tensor(shape, seed, dtype, 0.01, 0.6)
    z0 = z.clone()
    got = scalar("kl_penalty", call_student(kl_penalty, "kl_penalty", z, rho),
                  "average z over the batch first (rho_hat, one value per unit), then sum the KL over units.")
    unchanged("kl_penalty", z0, z, "z")
    zd = z.double()
    rho_hat = zd.mean(0)

    def kl(r, q):
        return r * torch.log(r / q) + (1 - r) * torch.log((1 - r) / (1 - q))

    expected = kl(torch.tensor(rho, dtype=torch.float64), rho_hat).sum().item()
    compare("kl_penalty", got, expected, f"sigmoid codes of shape {tuple(shape)}, rho={rho}", {
        "you computed the KL for each sample and averaged; rho_hat is the batch mean of z, taken BEFORE the KL.":
            lambda: kl(torch.tensor(rho, dtype=torch.float64), zd.clamp(1e-6, 1 - 1e-6)).sum(1).mean().item(),
        "you swapped the arguments: the penalty is KL(rho || rho_hat), with rho first.":
            lambda: kl(rho_hat, torch.tensor(rho, dtype=torch.float64)).sum().item(),
        "you averaged over the code units; the penalty SUMS the KL over units.":
            lambda: kl(torch.tensor(rho, dtype=torch.float64), rho_hat).mean().item(),
        "the second term (1 - rho) log((1 - rho) / (1 - rho_hat)) is missing.":
            lambda: (rho * torch.log(rho / rho_hat)).sum().item(),
        "the sign is reversed (log(rho_hat / rho) instead of log(rho / rho_hat)).": lambda: -expected,
    }, rtol=1e-4 if dtype == torch.float32 else 1e-7)
    passed("kl_penalty", f"correct on codes of shape {tuple(shape)} with rho={rho}")
