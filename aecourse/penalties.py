"""Regularisers Omega that keep an autoencoder from learning the identity (handout 000 §6, §9;
handout 002). Each returns a scalar tensor that can be trained through; ``active_units`` measures
the sparsity they produce."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from aecourse._checks import check_array, check_float, check_tensor
from aecourse.geometry import encoder_jacobian


def l1_sparsity(z: torch.Tensor) -> torch.Tensor:
    """Batch mean of the L1 norm of the codes.

    Notes
    -----
    .. math:: \\Omega = \\frac{1}{B} \\sum_{i=1}^{B} \\|z^{(i)}\\|_1 = \\frac{1}{B} \\sum_i \\sum_j |z^{(i)}_j|

    Summed over the K code units, averaged over the B samples of the batch (handout 000 §6,
    handout 001 "Sparse autoencoder").

    Parameters
    ----------
    z : tensor of shape (B, K)

    Examples
    --------
    >>> float(l1_sparsity(torch.tensor([[1.0, -2.0], [0.0, 3.0]])))  # (|1| + |-2| + |0| + |3|) / 2 samples
    3.0
    """
    z = check_tensor("z", z, ndim=2)
    return z.abs().sum(dim=1).mean()


def kl_sparsity(z: torch.Tensor, rho: float = 0.05, eps: float = 1e-6) -> torch.Tensor:
    """KL sparsity: sum over code units of KL(rho || rho_hat_j), rho_hat_j the batch-mean activation.

    Notes
    -----
    .. math::
        \\hat\\rho_j = \\frac{1}{B}\\sum_i z^{(i)}_j, \\qquad
        \\Omega = \\sum_{j=1}^{K} \\rho \\log\\frac{\\rho}{\\hat\\rho_j}
                 + (1-\\rho) \\log\\frac{1-\\rho}{1-\\hat\\rho_j}

    handout 002, "Sparse Autoencoders". The average is taken over the batch *before* the KL:
    it constrains how often each unit fires, not each sample. Codes must be firing
    probabilities in (0, 1] (sigmoid units); ReLU codes, which are exactly 0 wherever a unit
    is off (a sigmoid never is, short of underflow), are rejected. ``rho_hat`` is clipped
    to [eps, 1 - eps] so a unit that is never (or always) on gives a large finite penalty.

    Parameters
    ----------
    z : tensor of shape (B, K), values in (0, 1] (1 allowed: a saturated float32 sigmoid)
    rho : float in (0, 1), the target mean activation (handout 002: "e.g., 0.05")

    Examples
    --------
    The penalty vanishes when every unit's mean activation is the target rho:

    >>> z = torch.tensor([[0.04, 0.06], [0.06, 0.04]])  # each unit's mean activation is 0.05
    >>> round(float(kl_sparsity(z, rho=0.05)), 6)
    0.0
    """
    z = check_tensor("z", z, ndim=2)
    rho = check_float("rho", rho, minimum=0.0, maximum=1.0, include_min=False, include_max=False)
    lo, hi = float(z.detach().min()), float(z.detach().max())  # detach: no autograd warning
    if lo <= 0.0 or hi > 1.0:  # exact zeros are the mark of ReLU codes, even when all are <= 1
        raise ValueError(f"z must hold codes in (0, 1] such as sigmoid outputs for kl_sparsity, got values in "
                         f"[{lo:.3g}, {hi:.3g}]; ReLU or linear codes are not firing probabilities: "
                         "use code_activation='sigmoid' or l1_sparsity.")
    rho_hat = z.mean(dim=0).clamp(eps, 1 - eps)  # (K,)
    return (rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum()


def contractive_penalty(encoder: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """Batch mean of the squared Frobenius norm of the encoder Jacobian, by autograd.

    Notes
    -----
    .. math:: \\Omega = \\frac{1}{B} \\sum_{i=1}^{B} \\left\\| \\frac{\\partial f(x^{(i)})}{\\partial x} \\right\\|_F^2
              = \\frac{1}{B} \\sum_i \\sum_{j,d} \\left(\\frac{\\partial z_j}{\\partial x_d}\\right)^2

    handout 000 §9; handout 003 writes it as sum_i ||grad_x h_i||^2. Works for any encoder
    (any depth and activation) whose samples are independent; differentiable with respect to
    the encoder's parameters, so it can be trained through. Costs K backward passes.
    """
    J = encoder_jacobian(encoder, x, create_graph=True)  # (B, K, D)
    return (J**2).sum(dim=(1, 2)).mean()


def sigmoid_contractive_penalty(weight: torch.Tensor, bias: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Closed-form contractive penalty of the one-layer sigmoid encoder z = sigmoid(x W^T + b).

    Notes
    -----
    With h = sigmoid(W x + b), dz/dx = diag(h (1 - h)) W (handout 000 §9, worked example), so

    .. math:: \\|J(x)\\|_F^2 = \\sum_{j=1}^{K} (h_j (1 - h_j))^2 \\sum_{d=1}^{D} W_{jd}^2

    averaged over the batch. Valid for sigmoid units only; for any other encoder use
    ``contractive_penalty``.

    Parameters
    ----------
    weight : tensor of shape (K, D), as ``torch.nn.Linear(D, K).weight``
    bias : tensor of shape (K,)
    x : tensor of shape (B, D)
    """
    if not isinstance(weight, torch.Tensor) or weight.ndim != 2:
        raise ValueError(f"weight must be a tensor of shape (K, D) as in torch.nn.Linear, got "
                         f"{tuple(weight.shape) if isinstance(weight, torch.Tensor) else type(weight).__name__}.")
    K, D = weight.shape
    x = check_tensor("x", x, ndim=2)
    if x.shape[1] != D:
        hint = "; did you pass W transposed? weight must be (K, D)" if x.shape[1] == K else ""
        raise ValueError(f"x has {x.shape[1]} features but weight has shape ({K}, {D}), expecting {D}{hint}.")
    if not isinstance(bias, torch.Tensor) or tuple(bias.shape) != (K,):
        raise ValueError(f"bias must be a tensor of shape ({K},), got "
                         f"{tuple(bias.shape) if isinstance(bias, torch.Tensor) else type(bias).__name__}.")
    h = torch.sigmoid(x @ weight.T + bias)  # (B, K)
    row_norms = (weight**2).sum(dim=1)  # (K,): sum over inputs d of W_jd^2
    return ((h * (1 - h)) ** 2 @ row_norms).mean()


def active_units(z, threshold: float = 1e-3) -> np.ndarray:
    """How many code units are active for each input: the count of |z_j| > threshold.

    Notes
    -----
    .. math:: a(x) = \\#\\{\\, j : |z_j(x)| > \\tau \\,\\}, \\qquad z = f(x)

    The measure of sparsity the penalties aim at (handout 000 §6: "how many are allowed to be
    active for any one sample"; handout 001, "Sparse autoencoder"). ``a.mean()`` is the mean
    number of active units per input and ``1 - a.mean() / K`` the fraction of near-zero
    entries. ReLU codes are exactly 0 when inactive, so any small threshold gives the same
    count; sigmoid codes are never exactly 0, so the count depends on the threshold (0.5 reads
    "on", handout 002's firing probability).

    Parameters
    ----------
    z : array or tensor of shape (n, K), the codes of n inputs
    threshold : float >= 0, default 1e-3

    Returns
    -------
    numpy int array of shape (n,)

    Examples
    --------
    >>> active_units(np.array([[0.0, 0.5, 2e-4], [1.0, 1.0, 1.0]]))  # |z_j| > 1e-3 counts
    array([1, 3])
    """
    z = check_array("z", z)
    threshold = check_float("threshold", threshold, minimum=0.0)
    return (np.abs(z) > threshold).sum(axis=1)
