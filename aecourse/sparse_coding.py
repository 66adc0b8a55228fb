"""Sparse coding: the optimal codes of a fixed linear decoder, found by an iterative solver.

A sparse autoencoder's encoder *predicts* a code in one forward pass; sparse coding *solves* for
it. Predictive sparse decomposition (handout 003) trains the first to imitate the second. The
solver here is FISTA (accelerated proximal gradient, with ISTA as the plain variant), in float64
on the whole batch at once.
"""
from __future__ import annotations

import numpy as np

from aecourse._checks import check_array, check_float, check_int


def _check_problem(X, W_dec, c) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X = check_array("X", X)
    W_dec = check_array("W_dec", W_dec)
    D = X.shape[1]
    if W_dec.shape[0] != D:
        raise ValueError(f"W_dec must have shape (D, K) with D = {D} rows (one per feature of X), got "
                         f"shape {W_dec.shape}; pass the decoder's weight, model.decoder[0].weight.")
    c = np.zeros(D) if c is None else check_array("c", np.reshape(np.asarray(c, dtype=float), (1, -1)))[0]
    if c.shape != (D,):
        raise ValueError(f"c must be a vector of D = {D} decoder biases, got shape {c.shape}.")
    return X, W_dec, c


def sparse_coding_objective(X, W_dec, c, H, lam: float) -> np.ndarray:
    """The sparse-coding objective of each code: MSE of its reconstruction plus lam times its L1 norm.

    Notes
    -----
    .. math:: J(h; x) = \\frac{1}{D}\\|x - c - W_{\\text{dec}} h\\|^2 + \\lambda \\|h\\|_1

    The per-sample objective of lesson 3's sparse autoencoder (handout 000 §6) with the code h
    free instead of h = f(x); up to a factor and a constant it is the negative log posterior of h
    under a Gaussian likelihood and a Laplace prior (handout 003, "Sparsity as Laplace
    Distribution"), and the first two terms of the PSD objective (handout 003, "Predictive Sparse
    Decomposition").

    Parameters
    ----------
    X : array of shape (n, D), the inputs
    W_dec : array of shape (D, K), the decoder's weight (its columns are the atoms)
    c : array of shape (D,) or None, the decoder's bias (None: zero)
    H : array of shape (n, K), one code per input
    lam : float >= 0

    Returns
    -------
    array of shape (n,)
    """
    X, W_dec, c = _check_problem(X, W_dec, c)
    H = check_array("H", H)
    if H.shape != (X.shape[0], W_dec.shape[1]):
        raise ValueError(f"H must have shape (n, K) = {(X.shape[0], W_dec.shape[1])}, one code per row of X, "
                         f"got shape {H.shape}.")
    lam = check_float("lam", lam, minimum=0.0)
    residual = X - c - H @ W_dec.T  # (n, D)
    return (residual**2).mean(axis=1) + lam * np.abs(H).sum(axis=1)


def sparse_codes(X, W_dec, c=None, *, lam: float, n_iter: int = 300, nonnegative: bool = False,
                 H0=None, accelerated: bool = True) -> np.ndarray:
    """The codes that minimise ``sparse_coding_objective`` for a fixed decoder, by (F)ISTA.

    Parameters
    ----------
    X : array or tensor of shape (n, D), the inputs
    W_dec : array or tensor of shape (D, K), the decoder's weight
    c : array of shape (D,) or None, default None (no bias)
    lam : float >= 0, the weight of the L1 penalty
    n_iter : int >= 1, default 300; each iteration costs K^2 multiply-adds per input (a product
        with the K x K matrix W_dec^T W_dec), against D K for one pass of a one-layer encoder
    nonnegative : bool, default False; restrict the codes to h >= 0 (as a ReLU encoder's are)
    H0 : array of shape (n, K) or None, default None; the starting codes (None: zeros). Starting
        from the encoder's codes f(x) is the warm start that predictive sparse decomposition buys.
    accelerated : bool, default True; FISTA (Beck and Teboulle's momentum), else plain ISTA

    Returns
    -------
    array of shape (n, K), float64

    Notes
    -----
    ISTA is gradient descent on the smooth term followed by the proximal step of the L1 term, a
    soft threshold:

    .. math:: h \\leftarrow S_{\\lambda/L}\\Big(h + \\frac{2}{LD} W^\\top (x - c - W h)\\Big),
              \\quad S_t(v) = \\operatorname{sign}(v)\\max(|v| - t, 0),
              \\quad L = \\frac{2}{D}\\|W\\|_2^2

    (with ``nonnegative``, :math:`S_t(v) = \\max(v - t, 0)`). Its objective gap falls like 1/t,
    FISTA's like 1/t². Exact zeros come out of the threshold: MAP codes under a Laplace prior are
    sparse (handout 003). Example::

        W = model.decoder[0].weight.detach().numpy(); c = model.decoder[0].bias.detach().numpy()
        H = sparse_codes(X, W, c, lam=3e-3)
    """
    X, W_dec, c = _check_problem(X, W_dec, c)
    lam = check_float("lam", lam, minimum=0.0)
    n_iter = check_int("n_iter", n_iter)
    n, D = X.shape
    K = W_dec.shape[1]
    if H0 is None:
        H = np.zeros((n, K))
    else:
        H = check_array("H0", H0)
        if H.shape != (n, K):
            raise ValueError(f"H0 must have shape (n, K) = {(n, K)}, one starting code per row of X, "
                             f"got shape {H.shape}.")
    L = 2.0 / D * np.linalg.norm(W_dec, 2) ** 2  # Lipschitz constant of the smooth term's gradient
    if L == 0.0:
        raise ValueError("W_dec is all zeros: every code reconstructs c alone, so there is nothing to solve.")
    target = X - c  # (n, D)
    gram, correlations = W_dec.T @ W_dec, target @ W_dec  # (K, K), (n, K)
    threshold = lam / L

    def prox(V):
        if nonnegative:
            return np.maximum(V - threshold, 0.0)
        return np.sign(V) * np.maximum(np.abs(V) - threshold, 0.0)

    Y, t = H.copy(), 1.0
    for _ in range(n_iter):
        gradient = 2.0 / D * (Y @ gram - correlations)  # (n, K)
        H_next = prox(Y - gradient / L)
        if accelerated:
            t_next = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
            Y = H_next + (t - 1.0) / t_next * (H_next - H)
            t = t_next
        else:
            Y = H_next
        H = H_next
    return H
