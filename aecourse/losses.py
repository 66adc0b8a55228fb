"""Reconstruction losses L(x, x_tilde), averaged as in handout 002 (Example 2, practice problem 4)."""
from __future__ import annotations

import numpy as np
import torch

from aecourse._checks import check_array, check_tensor


def _pair(x, x_tilde) -> tuple[torch.Tensor, torch.Tensor]:
    x = check_tensor("x", x, allow_numpy=True)
    x_tilde = check_tensor("x_tilde", x_tilde, allow_numpy=True)
    if x.shape != x_tilde.shape:
        raise ValueError(f"x and x_tilde must have the same shape, got {tuple(x.shape)} and {tuple(x_tilde.shape)}.")
    return x, x_tilde.to(x.dtype)


def mse(x, x_tilde) -> torch.Tensor:
    """Mean squared error over every sample and every coordinate.

    Notes
    -----
    .. math:: L = \\frac{1}{N d} \\sum_{i, j} (x_{ij} - \\tilde x_{ij})^2

    handout 002, Example 2 (0.0175 on its batch). The other scalings have the same minimiser:
    handout 000 §3 sums over samples and coordinates (N d times this value); handout 002's
    objective (1/N) sum_i ||x_i - x_tilde_i||^2 averages over samples only (d times).

    Examples
    --------
    The three pixels of handout 002's practice problem 4: (0.1^2 + 0.2^2 + 0.2^2) / 3.

    >>> round(float(mse(torch.tensor([[1.0, 0.0, 1.0]]), torch.tensor([[0.9, 0.2, 0.8]]))), 4)
    0.03
    """
    x, x_tilde = _pair(x, x_tilde)
    return ((x - x_tilde) ** 2).mean()


def bce(x, x_tilde, eps: float = 1e-7) -> torch.Tensor:
    """Binary cross-entropy, mean over samples and coordinates.

    Notes
    -----
    .. math:: L = -\\frac{1}{N d} \\sum_{i,j} [x_{ij} \\log \\tilde x_{ij} + (1 - x_{ij}) \\log(1 - \\tilde x_{ij})]

    handout 002, practice problem 4 (0.1839). Handout 000 §3 sums over samples and
    coordinates instead (N d times this value, the same minimiser).
    ``x`` must lie in [0, 1] and ``x_tilde`` in (0, 1); values within ``eps`` of 0 or 1 are
    clipped so that a saturated sigmoid gives a large finite loss, not inf.

    Examples
    --------
    Handout 002, practice problem 4: -(log 0.9 + log 0.8 + log 0.8) / 3.

    >>> round(float(bce(torch.tensor([[1.0, 0.0, 1.0]]), torch.tensor([[0.9, 0.2, 0.8]]))), 4)
    0.1839
    """
    x, x_tilde = _pair(x, x_tilde)
    if x.min() < 0 or x.max() > 1:
        raise ValueError(f"x must lie in [0, 1] for BCE, got values in [{x.min():.3g}, {x.max():.3g}].")
    if x_tilde.min() < 0 or x_tilde.max() > 1:
        raise ValueError(f"x_tilde must be probabilities in [0, 1] for BCE, got values in "
                         f"[{x_tilde.min():.3g}, {x_tilde.max():.3g}]; put a sigmoid on the decoder output.")
    x_tilde = x_tilde.clamp(eps, 1 - eps)
    return -(x * torch.log(x_tilde) + (1 - x) * torch.log1p(-x_tilde)).mean()


def relative_error(x, x_tilde, *, squared: bool = False) -> float:
    """Size of the error relative to the size of the data: ``||x - x_tilde|| / ||x||``.

    Notes
    -----
    .. math:: \\frac{\\|X - \\tilde X\\|_F}{\\|X\\|_F} = \\sqrt{\\frac{\\sum_{i,j} (x_{ij} - \\tilde x_{ij})^2}{\\sum_{i,j} x_{ij}^2}},
        \\qquad \\text{squared: } \\frac{\\|X - \\tilde X\\|_F^2}{\\|X\\|_F^2}

    Frobenius norms over every sample and coordinate, so the rows are pooled (not averaged row by
    row). Unlike the MSE it does not change with the scale of the data: 0 is a perfect copy, 1
    the error of predicting 0 everywhere. ``squared=True`` gives the share of the data's energy
    that the reconstruction misses (lesson 1's off-data copy test); lesson 3 measures the gap
    between amortised and optimal sparse codes with the plain ratio.

    Parameters
    ----------
    x : array or tensor of shape (n_samples, n_features) or (n_features,), the reference; not all 0
    x_tilde : array or tensor of the same shape, the estimate (a reconstruction, a code)
    squared : bool, default False; the ratio of squared norms instead

    Returns
    -------
    float, computed in float64

    Examples
    --------
    >>> relative_error([[3.0, 4.0]], [[3.0, 1.0]])  # ||(0, 3)|| / ||(3, 4)|| = 3 / 5
    0.6
    >>> round(relative_error([[3.0, 4.0]], [[3.0, 1.0]], squared=True), 12)  # 9 / 25
    0.36
    """
    ndim = 1 if np.ndim(x) == 1 else 2
    x = check_array("x", x, ndim=ndim)
    x_tilde = check_array("x_tilde", x_tilde, ndim=ndim)
    if x.shape != x_tilde.shape:
        raise ValueError(f"x and x_tilde must have the same shape, got {x.shape} and {x_tilde.shape}.")
    if not isinstance(squared, (bool, np.bool_)):
        raise TypeError(f"squared must be True or False, got {squared!r}.")
    energy = float((x**2).sum())
    if energy == 0.0:
        raise ValueError("x is all zeros: an error relative to its size is undefined; compare with an absolute "
                         "error such as mse(x, x_tilde) instead.")
    ratio = float(((x - x_tilde) ** 2).sum()) / energy
    return ratio if squared else float(np.sqrt(ratio))
