"""Checks of lesson 1: the reconstruction losses and the parameter count (handout 002 Examples 2 and 4)."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch

from aecourse.grading.core import GradingError, call_student, compare, passed, random_tensor, scalar, unchanged

__all__ = ['check_mse_loss', 'check_bce_loss', 'check_n_parameters']


HANDOUT_X = [[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]]
HANDOUT_X_TILDE = [[0.9, 0.1, 0.8, 0.1], [0.1, 0.9, 0.1, 0.8], [0.8, 0.9, 0.1, 0.1]]


def check_mse_loss(mse_loss: Callable, *, shape: Sequence[int] | None = None, dtype=torch.float32, seed: int = 0) -> None:
    """Check ``mse_loss(x, x_tilde)``: the mean of (x - x_tilde)^2 over samples AND coordinates.

    Without ``shape`` it uses handout 002, Example 2 (0.0175) and one random batch.
    """
    cases = []
    if shape is None:
        cases.append(("handout 002 Example 2", torch.tensor(HANDOUT_X, dtype=dtype), torch.tensor(HANDOUT_X_TILDE, dtype=dtype)))
        shape = (5, 7)
    cases.append((f"a random batch of shape {tuple(shape)} ({dtype})", random_tensor(shape, seed, dtype), random_tensor(shape, seed + 1, dtype)))
    for case, x, x_tilde in cases:
        x0, xt0 = x.clone(), x_tilde.clone()
        got = scalar("mse_loss", call_student(mse_loss, "mse_loss", x, x_tilde),
                      "average over the samples as well as the coordinates.")
        unchanged("mse_loss", x0, x, "x")
        unchanged("mse_loss", xt0, x_tilde, "x_tilde")
        x64, xt64 = x.double(), x_tilde.double()
        sq = (x64 - xt64) ** 2
        expected = sq.mean().item()
        N, D = x.shape
        compare("mse_loss", got, expected, case, {
            f"you summed over the {D} coordinates instead of averaging (your value is D = {D} times too large).":
                lambda: sq.sum(1).mean().item(),
            "you summed over the whole batch instead of taking the mean; divide by N * D.": lambda: sq.sum().item(),
            f"your loss is the batch sum, not the batch mean (your value is N = {N} times too large).":
                lambda: sq.mean(1).sum().item(),
            "you took a square root: that is the RMSE, not the MSE.": lambda: sq.mean().sqrt().item(),
            "you averaged |x - x_tilde| (the L1 / MAE loss); square the differences instead.":
                lambda: (x64 - xt64).abs().mean().item(),
            "you squared the mean difference instead of averaging the squared differences.":
                lambda: ((x64 - xt64).mean() ** 2).item(),
        }, rtol=1e-4 if dtype == torch.float32 else 1e-7)
    passed("mse_loss", "matches handout 002 Example 2 and a random batch" if len(cases) == 2 else f"correct on {case}")


def check_bce_loss(bce_loss: Callable, *, shape: Sequence[int] | None = None, dtype=torch.float32, seed: int = 0,
              saturated: bool = False) -> None:
    """Check ``bce_loss(x, x_tilde)``: binary cross-entropy, mean over samples and coordinates.

    Without ``shape`` it uses handout 002, practice problem 4 (0.1839) and one random batch.
    With ``saturated=True`` some reconstructions are exactly 0 or 1, where the loss must stay
    finite (clip x_tilde to [eps, 1 - eps] with eps = 1e-7 first).
    """
    eps = 1e-7
    cases = []
    if shape is None:
        cases.append(("handout 002 practice problem 4", torch.tensor([[1.0, 0.0, 1.0]], dtype=dtype),
                      torch.tensor([[0.9, 0.2, 0.8]], dtype=dtype)))
        shape = (6, 5)
    x = (random_tensor(shape, seed, dtype) > 0.5).to(dtype)
    x_tilde = random_tensor(shape, seed + 1, dtype, 0.05, 0.95)
    if saturated:
        x_tilde.view(-1)[::3] = x.view(-1)[::3]        # perfect 0 and 1: loss 0 there
        x_tilde.view(-1)[1] = 1.0 - x.view(-1)[1]      # a confident mistake: large but finite
    cases.append((f"a random batch of shape {tuple(shape)} ({dtype})" + (" with x_tilde exactly 0 or 1" if saturated else ""),
                  x, x_tilde))
    for case, x, x_tilde in cases:
        got = scalar("bce_loss", call_student(bce_loss, "bce_loss", x, x_tilde),
                      "average over the samples as well as the coordinates.")
        x64 = x.double()
        p = x_tilde.clamp(eps, 1 - eps).double()  # clipped in the input's dtype, as the student's code does
        terms = -(x64 * torch.log(p) + (1 - x64) * torch.log(1 - p))
        expected = terms.mean().item()
        D = x.shape[1]
        compare("bce_loss", got, expected, case, {
            "the (1 - x) log(1 - x_tilde) term is missing; zeros in x must count too.":
                lambda: (-(x64 * torch.log(p))).mean().item(),
            "the sign is wrong: BCE is MINUS the mean log-likelihood, so it is >= 0.": lambda: -expected,
            f"you summed over the {D} coordinates instead of averaging.": lambda: terms.sum(1).mean().item(),
            "your loss is the batch sum, not the batch mean.": lambda: terms.mean(1).sum().item(),
            "you used log base 10; use the natural log (torch.log).": lambda: expected / math.log(10),
            "you used log base 2; use the natural log (torch.log).": lambda: expected / math.log(2),
        }, rtol=1e-4 if dtype == torch.float32 else 1e-6,
           hint="clip x_tilde to [eps, 1 - eps] with eps = 1e-7 before the log so that 0 and 1 give finite values.")
    passed("bce_loss", "matches handout 002 practice problem 4 and a random batch" if len(cases) == 2 else f"correct on {case}")


def check_n_parameters(n_parameters: Callable, *, sizes: Sequence[int] | None = None) -> None:
    """Check ``n_parameters(sizes)``: the number of weights and biases of ``Autoencoder(sizes)``."""
    from aecourse.models import Autoencoder

    for s in ([list(sizes)] if sizes is not None else [[64, 32, 8], [4, 2]]):
        got = call_student(n_parameters, "n_parameters", list(s))
        if isinstance(got, torch.Tensor):
            got = got.item()
        if isinstance(got, bool) or not isinstance(got, (int, np.integer)) and not float(got).is_integer():
            raise GradingError(f"n_parameters({s}) must return a whole number, got {got!r}.")
        got = int(got)
        expected = sum(p.numel() for p in Autoencoder(s).parameters())
        pairs = list(zip(s[:-1], s[1:]))
        weights = sum(a * b for a, b in pairs)
        biases_enc = sum(b for _, b in pairs)
        biases_dec = sum(a for a, _ in pairs)
        compare("n_parameters", got, expected, f"sizes={s}", {
            "you counted the weights but not the biases (each Linear(a, b) has b biases).": lambda: 2 * weights,
            "you counted only the encoder; the mirrored decoder has as many weights.": lambda: weights + biases_enc,
            "the decoder's biases are the sizes of ITS outputs (the encoder's inputs), not the encoder's.":
                lambda: 2 * weights + 2 * biases_enc,
            "you counted one weight per unit; a Linear(a, b) layer has a * b weights.":
                lambda: 2 * sum(b for _, b in pairs) + biases_enc + biases_dec,
        }, rtol=0, atol=0)
    passed("n_parameters", "matches the parameter count of aecourse.models.Autoencoder")
