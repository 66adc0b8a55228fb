"""The local geometry of an encoder: its Jacobian spectrum, the directions it is sensitive to,
and how much it contracts small perturbations (handout 000 §5 and §9, handout 001
"Contractive autoencoder", handout 003 "Contractive Autoencoders" and "Relation to Manifold
Learning").

Every function takes an ``encoder`` (any torch callable mapping (B, D) to (B, K) that treats
samples independently, such as ``model.encoder``) and points ``X`` of shape (n, D), and returns
numpy arrays.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from aecourse._checks import check_array, check_float, check_int, check_tensor

Encoder = Callable[[torch.Tensor], torch.Tensor]


def encoder_jacobian(encoder: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                     create_graph: bool = False) -> torch.Tensor:
    """The Jacobian dz/dx of ``encoder`` at each row of x, by autograd; shape (B, K, D).

    Assumes the encoder treats the samples of a batch independently (no batch norm in
    training mode), so row b of z depends on row b of x only.

    Examples
    --------
    The Jacobian of a linear encoder z = W x + b is W at every x:

    >>> W = torch.tensor([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
    >>> J = encoder_jacobian(lambda x: x @ W.T + 1.0, torch.randn(4, 3))
    >>> J.shape, bool(torch.equal(J[2], W))
    (torch.Size([4, 2, 3]), True)
    """
    x = check_tensor("x", x, ndim=2).detach().requires_grad_(True)
    with torch.enable_grad():
        z = encoder(x)
        if z.ndim != 2 or z.shape[0] != x.shape[0]:
            raise ValueError(f"encoder must map (B, D) to (B, K), got {tuple(x.shape)} -> {tuple(z.shape)}.")
        rows = [torch.autograd.grad(z[:, k].sum(), x, create_graph=create_graph, retain_graph=True)[0]
                for k in range(z.shape[1])]  # K tensors of shape (B, D)
    return torch.stack(rows, dim=1)


def _check_encoder(encoder) -> None:
    if not callable(encoder):
        raise TypeError(f"encoder must be a function or torch module mapping (B, D) to (B, K), such as "
                        f"model.encoder, got {type(encoder).__name__}.")


def _as_tensor(encoder, X) -> torch.Tensor:
    """X (numpy or torch, 2-D) as a tensor of the encoder's dtype (float64 layers get float64)."""
    X = check_array("X", X)
    params = encoder.parameters() if isinstance(encoder, torch.nn.Module) else iter(())
    first = next(params, None)
    dtype = first.dtype if first is not None else torch.get_default_dtype()
    return torch.as_tensor(X, dtype=dtype)


def jacobian_svd(encoder: Encoder, X) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Singular value decomposition of the encoder Jacobian at each point.

    Notes
    -----
    .. math:: J(x) = \\frac{\\partial f(x)}{\\partial x} = U \\,\\mathrm{diag}(s_1 \\ge s_2 \\ge \\dots)\\, V^\\top

    The right-singular vectors :math:`v_k` (rows of ``Vh``) are input directions: a step
    :math:`\\epsilon v_k` moves the code by :math:`\\epsilon s_k` (to first order). Handout 003,
    "Relation to Manifold Learning": the dominant ones should be tangent to the data manifold,
    those with small :math:`s_k` off-manifold directions the encoder ignores.

    Parameters
    ----------
    encoder : callable, (B, D) -> (B, K)
    X : array of shape (n, D)

    Returns
    -------
    U : ndarray (n, K, r), S : ndarray (n, r), descending, Vh : ndarray (n, r, D)
        with r = min(K, D), float64.
    """
    _check_encoder(encoder)
    J = encoder_jacobian(encoder, _as_tensor(encoder, X)).detach().double()  # (n, K, D)
    U, S, Vh = torch.linalg.svd(J, full_matrices=False)
    return U.numpy(), S.numpy(), Vh.numpy()


def jacobian_spectrum(encoder: Encoder, X) -> np.ndarray:
    """The singular values of the encoder Jacobian at each point, largest first; shape (n, min(K, D)).

    Notes
    -----
    :math:`\\sum_k s_k^2 = \\|J(x)\\|_F^2` is the contractive penalty at x (handout 000 §9), and
    :math:`s_1` is the spectral norm, the largest factor by which any small step is stretched
    (handout 003: a local Lipschitz constant). A CAE is expected to keep few large singular
    values, one per tangent direction of the data manifold (Rifai et al. 2011).
    """
    return jacobian_svd(encoder, X)[1]


def tangent_angles(encoder: Encoder, X, tangents) -> np.ndarray:
    """Angle between the encoder's most sensitive input direction and the true tangent line.

    Notes
    -----
    With :math:`v_1(x)` the top right-singular vector of :math:`J(x)` and :math:`t(x)` the
    tangent of a curve at x,

    .. math:: \\theta(x) = \\arccos \\frac{|v_1(x)^\\top t(x)|}{\\|t(x)\\|} \\in [0, \\pi/2]

    (a singular vector has no sign, so the angle is between lines). 0 means the encoder is most
    sensitive along the manifold, pi/2 across it (handout 003, "Relation to Manifold Learning";
    handout 001, the tangent planes of the CAE).

    Parameters
    ----------
    encoder : callable, (B, D) -> (B, K)
    X : array of shape (n, D), points (usually the clean points on the curve)
    tangents : array of shape (n, D), a non-zero tangent vector at each point
        (``aecourse.data.spiral(...).tangents``)

    Returns
    -------
    ndarray of shape (n,), radians.
    """
    _check_encoder(encoder)
    X64 = check_array("X", X)
    T = check_array("tangents", tangents)
    if T.shape != X64.shape:
        raise ValueError(f"tangents must have the shape of X, {X64.shape}, one tangent per point, got {T.shape}.")
    norms = np.linalg.norm(T, axis=1)
    if np.any(norms == 0):
        raise ValueError(f"tangents has {int((norms == 0).sum())} zero rows; a tangent must be a non-zero vector.")
    v1 = jacobian_svd(encoder, X)[2][:, 0, :]  # (n, D), unit rows
    cosine = np.abs((v1 * T).sum(axis=1)) / norms
    return np.arccos(np.clip(cosine, 0.0, 1.0))


def contraction_ratios(encoder: Encoder, X, *, eps: float = 1e-3, n_directions: int = 8,
                       seed: int = 0) -> np.ndarray:
    """How much the encoder stretches small random perturbations: code distance over input distance.

    Notes
    -----
    For random unit directions :math:`u` (uniform on the sphere) and a small step size
    :math:`\\epsilon`,

    .. math:: \\rho(x, u) = \\frac{\\|f(x + \\epsilon u) - f(x)\\|}{\\|\\epsilon u\\|}
              \\approx \\|J(x) u\\|, \\qquad
              0 \\le \\rho \\le s_1, \\qquad
              \\mathbb{E}_u\\, \\rho^2 \\approx \\frac{\\|J(x)\\|_F^2}{D}.

    The lower bound is 0, not the smallest value that ``jacobian_spectrum`` returns: for a code
    smaller than the input (:math:`K < D`) the Jacobian has a null space of dimension at least
    :math:`D - K`, and a step along it leaves the code unchanged to first order
    (:math:`\\rho \\approx 0`). Only for :math:`K \\ge D` is :math:`\\rho \\ge s_D`.

    :math:`\\rho < 1` means the step shrinks. Handout 003 says a CAE "behaves like a local
    contraction mapping with Lipschitz constant < 1": that needs :math:`\\rho < 1` in *every*
    direction, i.e. the spectral norm :math:`s_1(x) < 1` (see ``jacobian_spectrum``); random
    directions in high dimension see the typical stretch :math:`\\|J\\|_F / \\sqrt{D}`, not the
    worst one.

    Parameters
    ----------
    encoder : callable, (B, D) -> (B, K)
    X : array of shape (n, D)
    eps : float > 0, default 1e-3, the length of each step (in the units of X)
    n_directions : int >= 1, default 8, random directions per point
    seed : int >= 0, default 0, seeds the directions

    Returns
    -------
    ndarray of shape (n, n_directions)
    """
    _check_encoder(encoder)
    x = _as_tensor(encoder, X)
    eps = check_float("eps", eps, minimum=0.0, include_min=False)
    n_directions = check_int("n_directions", n_directions)
    seed = check_int("seed", seed, minimum=0)
    n, D = x.shape
    generator = torch.Generator().manual_seed(seed)
    u = torch.randn(n, n_directions, D, generator=generator, dtype=torch.float64)
    u = (u / u.norm(dim=2, keepdim=True)).to(x.dtype)  # unit directions
    with torch.no_grad():
        z = encoder(x)  # (n, K)
        z_moved = encoder((x[:, None, :] + eps * u).reshape(n * n_directions, D)).reshape(n, n_directions, -1)
    return ((z_moved - z[:, None, :]).double().norm(dim=2) / eps).numpy()
