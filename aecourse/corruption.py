"""Corruption processes C(x_hat | x) for denoising autoencoders (handout 000 §7, handout 002).

Each takes a clean batch x and returns a corrupted copy x_hat of the same shape; x is not
changed. Pass a ``torch.Generator`` for reproducible noise (``fit`` does).
"""
from __future__ import annotations

import torch

from aecourse._checks import check_float, check_probability, check_tensor


def _rand_like(x: torch.Tensor, generator: torch.Generator | None, normal: bool = False) -> torch.Tensor:
    draw = torch.randn if normal else torch.rand
    return draw(x.shape, generator=generator, dtype=x.dtype, device=x.device)


def gaussian_noise(x: torch.Tensor, sigma: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """x_hat = x + eps, eps ~ N(0, sigma^2 I) (handout 000 §7).

    Parameters
    ----------
    x : tensor of shape (n, D), the clean batch (left unchanged)
    sigma : float >= 0, the noise's standard deviation; 0 returns a copy of x
    generator : torch.Generator, optional; seeds the noise (default: torch's global generator)

    Returns
    -------
    tensor of x's shape and dtype

    Examples
    --------
    >>> x = torch.rand(4, 64)
    >>> torch.equal(gaussian_noise(x, 0.0), x)  # sigma = 0 leaves x as it is
    True
    >>> x_hat = gaussian_noise(torch.zeros(1000, 64), 0.3, generator=torch.Generator().manual_seed(0))
    >>> round(float(x_hat.std()), 2)  # the noise has standard deviation sigma
    0.3
    """
    x = check_tensor("x", x)
    sigma = check_float("sigma", sigma, minimum=0.0)
    if sigma == 0.0:
        return x.clone()
    return x + sigma * _rand_like(x, generator, normal=True)


def masking_noise(x: torch.Tensor, p: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Set each component to 0 independently with probability p; the rest are kept unscaled.

    Unlike ``torch.nn.functional.dropout`` the kept values are *not* divided by 1 - p, which is
    the corruption of handout 002 practice problem 3 and handout 000 §7 ("masking noise").

    Parameters
    ----------
    x : tensor of shape (n, D), the clean batch (left unchanged)
    p : float in [0, 1), the probability that a component is set to 0
    generator : torch.Generator, optional; seeds the mask

    Returns
    -------
    tensor of x's shape and dtype: x_hat = m * x with m_j ~ Bernoulli(1 - p), so E[x_hat] = (1 - p) x

    Examples
    --------
    >>> x_hat = masking_noise(torch.ones(1000, 64), 0.25, generator=torch.Generator().manual_seed(0))
    >>> round(float((x_hat == 0).float().mean()), 2)  # a fraction p of the inputs is set to 0
    0.25
    """
    x = check_tensor("x", x)
    p = check_probability("p", p)
    keep = _rand_like(x, generator) >= p
    return x * keep


def salt_and_pepper(x: torch.Tensor, p: float, generator: torch.Generator | None = None,
                    low: float = 0.0, high: float = 1.0) -> torch.Tensor:
    """Replace each component with probability p by ``low`` or ``high`` (each with probability 1/2).

    The third corruption of handout 000 §7, for images whose pixels are mostly 0 or 1.

    Parameters
    ----------
    x : tensor of shape (n, D), the clean batch (left unchanged)
    p : float in [0, 1), the probability that a component is replaced
    generator : torch.Generator, optional; seeds which components are hit and which value they get
    low, high : float, default 0.0 and 1.0; the "pepper" and "salt" values

    Returns
    -------
    tensor of x's shape and dtype

    Examples
    --------
    >>> x_hat = salt_and_pepper(torch.full((1000, 64), 0.5), 0.2, generator=torch.Generator().manual_seed(0))
    >>> round(float((x_hat != 0.5).float().mean()), 2), round(float((x_hat == 1.0).float().mean()), 2)
    (0.2, 0.1)
    """
    x = check_tensor("x", x)
    p = check_probability("p", p)
    hit = _rand_like(x, generator) < p
    salt = _rand_like(x, generator) < 0.5
    noise = torch.where(salt, torch.full_like(x, high), torch.full_like(x, low))
    return torch.where(hit, noise, x)
