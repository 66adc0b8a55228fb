"""Multinomial logistic regression in torch: the linear classifier that judges a code (handout 000 §13).

Handout 000 §13 reuses a pretrained encoder for a supervised task: discard the decoder and put a
classifier on the codes z = f(x). The simplest such classifier is a linear one, softmax(W z + b),
and the accuracy it reaches from a given code (a "linear probe") is how lesson 6 compares codes.

**A speed stand-in** for scikit-learn's ``LogisticRegression``: the Newton and L-BFGS solvers
below are written here only to keep a lesson fast; use scikit-learn's where speed does not matter.
This is the model and penalty of scikit-learn's ``make_pipeline(StandardScaler(),
LogisticRegression(C=C))``, solved in float64 by Newton's method or L-BFGS, several problems at
once; ``tests/test_logistic.py`` checks it against scikit-learn. It spares a lesson the ~2 s
import of scikit-learn, and it avoids ``torch.optim`` (whose first use imports torch._dynamo).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from aecourse._checks import check_array, check_float, check_int


@dataclass
class LogisticRegression:
    """A fitted multinomial logistic regression, ``p(class | x) = softmax(W (x - mean) / scale + b)``.

    mean, scale : float64 arrays of shape (D,), the standardisation learned from the training rows
        (zeros and ones when ``fit_logistic_regression(..., standardize=False)``)
    weight : float64 array of shape (n_classes, D), W
    bias : float64 array of shape (n_classes,), b
    classes : array of shape (n_classes,), the sorted labels seen in training; row c of ``weight``
        belongs to ``classes[c]``
    """

    mean: np.ndarray
    scale: np.ndarray
    weight: np.ndarray
    bias: np.ndarray
    classes: np.ndarray

    def decision_function(self, X) -> np.ndarray:
        """The logits W (x - mean) / scale + b of every row of X, shape (n, n_classes)."""
        X = _as_features("X", X, n_features=len(self.mean)).numpy()
        return ((X - self.mean) / self.scale) @ self.weight.T + self.bias

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities softmax(logits), shape (n, n_classes), columns in ``classes`` order."""
        return torch.softmax(torch.from_numpy(self.decision_function(X)), dim=1).numpy()

    def predict(self, X) -> np.ndarray:
        """The most probable class of every row of X, shape (n,)."""
        return self.classes[self.decision_function(X).argmax(axis=1)]

    def score(self, X, y) -> float:
        """Accuracy: the fraction of rows of X whose predicted class equals y."""
        y = np.asarray(y)
        if y.shape != (len(X),):
            raise ValueError(f"y must have one label per row of X, shape ({len(X)},), got shape {y.shape}.")
        return float((self.predict(X) == y).mean())


def _as_features(name: str, X, n_features: int | None = None, ndim: int = 2) -> torch.Tensor:
    X = check_array(name, X, ndim=ndim)
    if n_features is not None and X.shape[-1] != n_features:
        raise ValueError(f"{name} has {X.shape[-1]} features but the classifier was fitted on {n_features}.")
    return torch.from_numpy(X)


def fit_logistic_regression(X, y, *, C: float = 1.0, standardize: bool = True, solver: str = "auto",
                            max_iter: int = 200, tol: float = 1e-6) -> LogisticRegression | list[LogisticRegression]:
    """Fit a multinomial logistic regression with an L2 penalty, by Newton's method or L-BFGS.

    Parameters
    ----------
    X : array or tensor of shape (n_samples, D), or (B, n_samples, D) for B independent problems
        Features, e.g. the codes z = f(x) of an encoder. A batch of B problems (for instance B
        random draws of labelled examples) is solved in one run, which is several times faster
        than B separate calls and gives the same classifiers.
    y : integer array of shape (n_samples,), or (B, n_samples) with a batch
        Class labels; at least two distinct classes, the same set in every problem of a batch.
    C : float > 0, default 1.0
        Inverse strength of the penalty, as in scikit-learn (smaller C, smaller weights).
    standardize : bool, default True
        Subtract each feature's mean and divide by its standard deviation over the training rows
        first (scikit-learn's ``StandardScaler``; a constant feature keeps scale 1).
    solver : "auto", "newton" or "lbfgs", default "auto"
        "newton": Newton's method with the exact Hessian and step halving, a few iterations, each
        solving a linear system in the K (D + 1) parameters; fastest when they are few (a code).
        "lbfgs": full-batch L-BFGS, cheaper per iteration when there are many (raw pixels).
        "auto" picks "newton" when K (D + 1) <= 200 and "lbfgs" otherwise. Both minimise the same
        objective and stop where the gradient is below ``tol``.
    max_iter : int, default 200
        Iterations of the solver.
    tol : float > 0, default 1e-6
        Stop when no partial derivative of the objective (below) exceeds ``tol`` in size.

    Returns
    -------
    LogisticRegression, or a list of B of them for a batch
        With ``predict``, ``predict_proba`` and ``score``.

    Notes
    -----
    With standardised features u_n = (x_n - mean) / scale and classes k = 1, ..., K, minimise the
    mean cross-entropy plus the penalty of scikit-learn's ``LogisticRegression`` (the biases b are
    not penalised):

    .. math:: \\frac{1}{N} \\sum_{n=1}^N -\\log \\operatorname{softmax}(W u_n + b)_{y_n}
              + \\frac{1}{2 C N} \\lVert W \\rVert_F^2 .

    A batch minimises the sum of its B objectives, whose minimum is every problem's own minimum.
    The objective is convex, the start is W = 0, b = 0 and both solvers are deterministic, so the same
    data give the same classifier, with no seed. Handout 000 §13: a classifier on the codes of a
    pretrained encoder.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 2)) + np.repeat([[0, 0], [4, 4], [0, 4]], 20, axis=0)
    >>> y = np.repeat([0, 1, 2], 20)
    >>> fit_logistic_regression(X, y).score(X, y)
    1.0
    """
    batched = getattr(X, "ndim", None) == 3
    X = _as_features("X", X, ndim=3 if batched else 2)
    y = np.asarray(y)
    if y.shape != X.shape[:-1] or not np.issubdtype(y.dtype, np.integer):
        expected = f"({X.shape[0]}, {X.shape[1]})" if batched else f"({X.shape[0]},)"
        raise ValueError(f"y must be integer class labels, one per row of X (shape {expected}), "
                         f"got dtype {y.dtype} and shape {y.shape}.")
    X, y = (X, y) if batched else (X[None], y[None])  # (B, n, D), (B, n)
    classes = np.unique(y)
    if len(classes) < 2:
        raise ValueError(f"y must contain at least two classes, got only {classes.tolist()}.")
    for b, y_b in enumerate(y):
        if not np.array_equal(np.unique(y_b), classes):
            raise ValueError(f"every problem of a batch must contain the same classes {classes.tolist()}, "
                             f"problem {b} has {np.unique(y_b).tolist()}.")
    C = check_float("C", C, minimum=0.0, include_min=False)
    if not isinstance(standardize, bool):
        raise TypeError(f"standardize must be True or False, got {standardize!r}.")
    if solver not in ("auto", "newton", "lbfgs"):
        raise ValueError(f"solver must be 'auto', 'newton' or 'lbfgs', got {solver!r}.")
    max_iter = check_int("max_iter", max_iter)
    tol = check_float("tol", tol, minimum=0.0, include_min=False)

    B, n, D = X.shape
    if standardize:
        mean, scale = X.mean(dim=1, keepdim=True), X.std(dim=1, correction=0, keepdim=True)  # (B, 1, D)
        scale = torch.where(scale > 0, scale, torch.ones_like(scale))  # a constant feature stays as it is
    else:
        mean, scale = torch.zeros(B, 1, D, dtype=torch.float64), torch.ones(B, 1, D, dtype=torch.float64)
    U1 = torch.cat([(X - mean) / scale, torch.ones(B, n, 1, dtype=torch.float64)], dim=2)  # (B, n, D + 1)
    Y = torch.from_numpy((y[..., None] == classes).astype(np.float64))  # one-hot, (B, n, K)
    if solver == "auto":
        solver = "newton" if len(classes) * (D + 1) <= 200 else "lbfgs"
    solve = _newton if solver == "newton" else _lbfgs
    theta = solve(U1, Y, 1.0 / (C * n), max_iter, tol)  # (B, K, D + 1): [W | b] of each problem
    theta[..., -1] -= theta[..., -1].mean(dim=1, keepdim=True)  # the biases sum to 0, as in scikit-learn
    fitted = [LogisticRegression(mean[b, 0].numpy(), scale[b, 0].numpy(), theta[b, :, :-1].numpy(),
                                 theta[b, :, -1].numpy(), classes) for b in range(B)]
    return fitted if batched else fitted[0]


def _objective(theta: torch.Tensor, U1: torch.Tensor, Y: torch.Tensor, lam: float) -> torch.Tensor:
    """Mean cross-entropy + lam / 2 ||W||^2 of every problem of the batch, shape (B,)."""
    logits = U1 @ theta.transpose(1, 2)  # (B, n, K)
    cross_entropy = (torch.logsumexp(logits, dim=2) - (logits * Y).sum(dim=2)).mean(dim=1)
    return cross_entropy + lam / 2 * (theta[..., :-1] ** 2).sum(dim=(1, 2))


def _gradient(theta, U1, Y, lam):
    """d objective / d theta = (1/n) sum_n (p_n - y_n) u_n^T + lam [W | 0], shape (B, K, D1); and p."""
    p = torch.softmax(U1 @ theta.transpose(1, 2), dim=2)  # (B, n, K)
    grad = (p - Y).transpose(1, 2) @ U1 / U1.shape[1]
    grad[..., :-1] += lam * theta[..., :-1]  # the biases are not penalised
    return grad, p


def _step_halving(theta, value, step, U1, Y, lam, slope=None):
    """theta - t step with t = 1, 1/2, 1/4, ... per problem, until its objective decreases enough.

    Without ``slope`` "enough" is "not more than now"; with ``slope`` (the directional derivative
    along -step, shape (B,)) it is Armijo's condition f(theta - t step) <= f(theta) + 1e-4 t slope.
    """
    t = torch.ones(len(theta), 1, 1, dtype=torch.float64)
    for _ in range(40):
        candidate = theta - t * step
        new_value = _objective(candidate, U1, Y, lam)
        bound = value if slope is None else value + 1e-4 * t[:, 0, 0] * slope
        worse = new_value > bound
        if not worse.any():
            break
        t = torch.where(worse[:, None, None], t / 2, t)
    return candidate, new_value


def _newton(U1, Y, lam, max_iter, tol):
    B, n, D1 = U1.shape
    K = Y.shape[2]
    penalised = torch.ones(D1, dtype=torch.float64)
    penalised[-1] = 0.0
    # Softmax ignores a constant added to every bias, so the Hessian is singular in that one
    # direction; the gradient has no component along it, and a tiny damping keeps the solve regular.
    damping = torch.diag((lam * penalised + 1e-10 * (1 - penalised)).repeat(K))  # (K D1, K D1)
    theta = torch.zeros(B, K, D1, dtype=torch.float64)
    value = _objective(theta, U1, Y, lam)
    for _ in range(max_iter):
        grad, p = _gradient(theta, U1, Y, lam)
        if grad.abs().max() <= tol:
            break
        # Hessian of the mean cross-entropy: (1/n) sum_n (diag(p_n) - p_n p_n^T) kron u_n u_n^T.
        G = (p[..., :, None] * U1[..., None, :]).reshape(B, n, K * D1)  # rows p_n kron u_n
        H = -(G.transpose(1, 2) @ G) / n
        blocks = (U1.transpose(1, 2) @ G / n).reshape(B, D1, K, D1)  # block k: sum_n p_nk u_n u_n^T / n
        H.view(B, K, D1, K, D1).diagonal(dim1=1, dim2=3).add_(blocks.permute(0, 1, 3, 2))
        step = torch.linalg.solve(H + damping, grad.reshape(B, K * D1, 1)).reshape(B, K, D1)
        theta, value = _step_halving(theta, value, step, U1, Y, lam)
    return theta


def _lbfgs(U1, Y, lam, max_iter, tol, history: int = 10):
    """L-BFGS (Nocedal and Wright, Algorithm 7.4) with Armijo step halving, every problem at once.

    Written out rather than ``torch.optim.LBFGS``, whose first use imports torch._dynamo (~2 s).
    """
    B, n, D1 = U1.shape
    theta = torch.zeros(B, Y.shape[2], D1, dtype=torch.float64)
    value = _objective(theta, U1, Y, lam)
    grad, _ = _gradient(theta, U1, Y, lam)
    pairs = []  # (s, y, rho) of the last `history` steps
    dot = lambda a, b: (a * b).sum(dim=(1, 2))  # noqa: E731  (B,) inner products
    for _ in range(max_iter):
        active = grad.abs().amax(dim=(1, 2)) > tol  # problems not yet converged
        if not active.any():
            break
        q, alphas = grad.clone(), []
        for s, y, rho in reversed(pairs):  # two-loop recursion: step = H_k grad
            alpha = rho * dot(s, q)
            q -= alpha[:, None, None] * y
            alphas.append(alpha)
        if pairs:
            s, y, _ = pairs[-1]
            q *= (dot(s, y) / dot(y, y).clamp_min(1e-300))[:, None, None]
        else:
            q /= grad.abs().amax(dim=(1, 2)).clamp_min(1e-300)[:, None, None]  # a first step of length ~1
        for (s, y, rho), alpha in zip(pairs, reversed(alphas)):
            q += s * (alpha - rho * dot(y, q))[:, None, None]
        step = q * active[:, None, None]
        new_theta, value = _step_halving(theta, value, step, U1, Y, lam, slope=-dot(grad, step))
        new_grad, _ = _gradient(new_theta, U1, Y, lam)
        s, y = new_theta - theta, new_grad - grad
        sy = dot(s, y)
        rho = torch.where(sy > 1e-12, 1.0 / sy.clamp_min(1e-12), torch.zeros_like(sy))  # skip a pair without curvature
        pairs = (pairs + [(s, y, rho)])[-history:]
        theta, grad = new_theta, new_grad
    return theta
