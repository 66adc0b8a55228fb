"""Checks for the exercise notebooks that explain what went wrong.

Each ``check_*`` function calls a student's function on the handout's worked example and on
random cases, compares it with an independent reference, and on a mismatch raises a
``GradingError`` (an ``AssertionError``) that says what differed and names the likely
misconception, e.g. "your penalty is the batch sum, not the batch mean". On success it prints
one line. The visible tests of ``exercises/`` call these checks with their defaults; the hidden
tests call them again with other shapes, dtypes, seeds and edge values.

A misconception is recognised by computing the *wrong* formula it leads to and comparing the
student's value with it (``_diagnose``): the message is only given when the values agree.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch

__all__ = [
    "GradingError",
    "check_mse", "check_bce", "check_n_parameters",
    "check_pca_components", "check_principal_angle",
    "check_l1_penalty", "check_kl_penalty",
    "check_gaussian_corruption", "check_masking_corruption", "check_optimal_dae",
    "check_sigmoid_contractive", "check_jacobian",
    "check_pretrain_layer", "check_greedy_pretrain",
    "check_reconstruction_scores", "check_quantile_threshold", "check_rates",
]


class GradingError(AssertionError):
    """A check failed; the message says what differed and what to fix."""


# ----------------------------------------------------------------------------- helpers

def _call(fn: Callable, name: str, *args, **kwargs):
    """Call the student's function; turn the usual first mistakes into actionable messages."""
    if not callable(fn):
        raise GradingError(f"{name} must be a function, got {type(fn).__name__}; did you overwrite it with a value?")
    try:
        out = fn(*args, **kwargs)
    except NotImplementedError:
        raise GradingError(f"{name} is still the stub: replace `raise NotImplementedError()` with your code.") from None
    except GradingError:
        raise
    except Exception as error:  # the student's code failed: report it with the call that failed
        raise GradingError(f"{name} raised {type(error).__name__}: {error}") from error
    if out is None:
        raise GradingError(f"{name} returned None; did you forget the `return` statement?")
    return out


def _to_numpy(name: str, value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().double().numpy()
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise GradingError(f"{name} must return numbers (a tensor, an array or a float), "
                           f"got {type(value).__name__}.") from None


def _scalar(name: str, value, hint: str = "") -> float:
    """The student's output as one float; explains a per-sample vector or a matrix."""
    arr = _to_numpy(name, value)
    if arr.size != 1:
        raise GradingError(f"{name} must return a single number, got an array of shape {arr.shape}"
                           + (f"; {hint}" if hint else "."))
    return float(arr.reshape(()))


def _close(a, b, rtol: float = 1e-5, atol: float = 1e-7) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _fmt(value) -> str:
    arr = np.asarray(value, dtype=np.float64)
    if arr.size == 1:
        return f"{float(arr.reshape(())):.6g}"
    return np.array2string(arr, precision=4, threshold=8, edgeitems=2)


def _diagnose(got, wrong: dict[str, Callable[[], object]], rtol: float = 1e-5, atol: float = 1e-7) -> str:
    """The first misconception whose wrong formula gives the student's value, or ''."""
    for message, compute in wrong.items():
        try:
            value = compute()
        except Exception:  # a wrong formula that cannot even be evaluated here cannot be the cause
            continue
        if _close(got, value, rtol, atol):
            return message
    return ""


def _compare(name: str, got, expected, case: str, wrong: dict[str, Callable[[], object]] | None = None,
             rtol: float = 1e-5, atol: float = 1e-7, hint: str = "") -> None:
    """Raise a GradingError naming the case, both values and the likely misconception."""
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        raise GradingError(f"{name} on {case}: expected shape {expected.shape}, got {got.shape}"
                           + (f"; {hint}" if hint else "."))
    if not np.isfinite(got).all() and np.isfinite(expected).all():
        raise GradingError(f"{name} on {case} returned NaN or inf (got {_fmt(got)}, expected "
                           f"{_fmt(expected)})" + (f"; {hint}" if hint else "."))
    if _close(got, expected, rtol, atol):
        return
    why = _diagnose(got, wrong or {}, rtol, atol)
    raise GradingError(f"{name} on {case}: got {_fmt(got)}, expected {_fmt(expected)}. "
                       + (f"Likely cause: {why}" if why else (hint or "Check the formula against the exercise text.")))


def _passed(name: str, what: str) -> None:
    print(f"OK {name}: {what}")


def _random(shape: Sequence[int], seed: int, dtype=torch.float32, low: float = 0.0, high: float = 1.0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return (low + (high - low) * torch.rand(tuple(shape), generator=g, dtype=torch.float64)).to(dtype)


def _unchanged(name: str, before: torch.Tensor, after: torch.Tensor, argument: str) -> None:
    if not torch.equal(before, after):
        raise GradingError(f"{name} changed its input {argument} in place; work on a copy "
                           f"(e.g. {argument}_new = {argument} + ... instead of {argument} += ...).")


# ----------------------------------------------------------------------------- lesson 1: losses

HANDOUT_X = [[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]]
HANDOUT_X_TILDE = [[0.9, 0.1, 0.8, 0.1], [0.1, 0.9, 0.1, 0.8], [0.8, 0.9, 0.1, 0.1]]


def check_mse(mse_loss: Callable, *, shape: Sequence[int] | None = None, dtype=torch.float32, seed: int = 0) -> None:
    """Check ``mse_loss(x, x_tilde)``: the mean of (x - x_tilde)^2 over samples AND coordinates.

    Without ``shape`` it uses handout 002, Example 2 (0.0175) and one random batch.
    """
    cases = []
    if shape is None:
        cases.append(("handout 002 Example 2", torch.tensor(HANDOUT_X, dtype=dtype), torch.tensor(HANDOUT_X_TILDE, dtype=dtype)))
        shape = (5, 7)
    cases.append((f"a random batch of shape {tuple(shape)} ({dtype})", _random(shape, seed, dtype), _random(shape, seed + 1, dtype)))
    for case, x, x_tilde in cases:
        x0, xt0 = x.clone(), x_tilde.clone()
        got = _scalar("mse_loss", _call(mse_loss, "mse_loss", x, x_tilde),
                      "average over the samples as well as the coordinates.")
        _unchanged("mse_loss", x0, x, "x")
        _unchanged("mse_loss", xt0, x_tilde, "x_tilde")
        x64, xt64 = x.double(), x_tilde.double()
        sq = (x64 - xt64) ** 2
        expected = sq.mean().item()
        N, D = x.shape
        _compare("mse_loss", got, expected, case, {
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
    _passed("mse_loss", "matches handout 002 Example 2 and a random batch" if len(cases) == 2 else f"correct on {case}")


def check_bce(bce_loss: Callable, *, shape: Sequence[int] | None = None, dtype=torch.float32, seed: int = 0,
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
    x = (_random(shape, seed, dtype) > 0.5).to(dtype)
    x_tilde = _random(shape, seed + 1, dtype, 0.05, 0.95)
    if saturated:
        x_tilde.view(-1)[::3] = x.view(-1)[::3]        # perfect 0 and 1: loss 0 there
        x_tilde.view(-1)[1] = 1.0 - x.view(-1)[1]      # a confident mistake: large but finite
    cases.append((f"a random batch of shape {tuple(shape)} ({dtype})" + (" with x_tilde exactly 0 or 1" if saturated else ""),
                  x, x_tilde))
    for case, x, x_tilde in cases:
        got = _scalar("bce_loss", _call(bce_loss, "bce_loss", x, x_tilde),
                      "average over the samples as well as the coordinates.")
        x64 = x.double()
        p = x_tilde.clamp(eps, 1 - eps).double()  # clipped in the input's dtype, as the student's code does
        terms = -(x64 * torch.log(p) + (1 - x64) * torch.log(1 - p))
        expected = terms.mean().item()
        D = x.shape[1]
        _compare("bce_loss", got, expected, case, {
            "the (1 - x) log(1 - x_tilde) term is missing; zeros in x must count too.":
                lambda: (-(x64 * torch.log(p))).mean().item(),
            "the sign is wrong: BCE is MINUS the mean log-likelihood, so it is >= 0.": lambda: -expected,
            f"you summed over the {D} coordinates instead of averaging.": lambda: terms.sum(1).mean().item(),
            "your loss is the batch sum, not the batch mean.": lambda: terms.mean(1).sum().item(),
            "you used log base 10; use the natural log (torch.log).": lambda: expected / math.log(10),
            "you used log base 2; use the natural log (torch.log).": lambda: expected / math.log(2),
        }, rtol=1e-4 if dtype == torch.float32 else 1e-6,
           hint="clip x_tilde to [eps, 1 - eps] with eps = 1e-7 before the log so that 0 and 1 give finite values.")
    _passed("bce_loss", "matches handout 002 practice problem 4 and a random batch" if len(cases) == 2 else f"correct on {case}")


def check_n_parameters(n_parameters: Callable, *, sizes: Sequence[int] | None = None) -> None:
    """Check ``n_parameters(sizes)``: the number of weights and biases of ``Autoencoder(sizes)``."""
    from aecourse.models import Autoencoder

    for s in ([list(sizes)] if sizes is not None else [[64, 32, 8], [4, 2]]):
        got = _call(n_parameters, "n_parameters", list(s))
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
        _compare("n_parameters", got, expected, f"sizes={s}", {
            "you counted the weights but not the biases (each Linear(a, b) has b biases).": lambda: 2 * weights,
            "you counted only the encoder; the mirrored decoder has as many weights.": lambda: weights + biases_enc,
            "the decoder's biases are the sizes of ITS outputs (the encoder's inputs), not the encoder's.":
                lambda: 2 * weights + 2 * biases_enc,
            "you counted one weight per unit; a Linear(a, b) layer has a * b weights.":
                lambda: 2 * sum(b for _, b in pairs) + biases_enc + biases_dec,
        }, rtol=0, atol=0)
    _passed("n_parameters", "matches the parameter count of aecourse.models.Autoencoder")


# ----------------------------------------------------------------------------- lesson 2: PCA

def _low_rank_data(n: int, D: int, seed: int, dtype=np.float64) -> np.ndarray:
    """Data with well separated variances along random orthogonal axes and a non-zero mean."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(D, D)))
    scales = 3.0 * 0.6 ** np.arange(D)
    return (rng.normal(size=(n, D)) * scales @ Q.T + rng.normal(2.0, 1.0, size=D)).astype(dtype)


def check_pca_components(pca_components: Callable, *, n: int = 200, D: int = 6, k: int = 2, seed: int = 0,
                         dtype=np.float64) -> None:
    """Check ``pca_components(X, k)``: (k, D) orthonormal rows spanning the top-k principal subspace."""
    from aecourse.linear import pca, subspace_angles

    X = _low_rank_data(n, D, seed, dtype)
    X0 = X.copy()
    V = _to_numpy("pca_components", _call(pca_components, "pca_components", X, k))
    if not np.array_equal(X, X0):
        raise GradingError("pca_components changed X in place; centre a copy: Xc = X - X.mean(axis=0).")
    if V.shape == (D, k) and D != k:
        raise GradingError(f"pca_components must return shape (k, D) = ({k}, {D}), got ({D}, {k}); "
                           "the principal axes are the ROWS of Vt from np.linalg.svd (did you transpose it?).")
    if V.shape != (k, D):
        raise GradingError(f"pca_components must return shape (k, D) = ({k}, {D}), got {V.shape}; "
                           "take the first k rows of Vt from U, S, Vt = np.linalg.svd(Xc, full_matrices=False).")
    gram = V @ V.T
    reference = pca(X, k).components
    angle = float(subspace_angles(V.T, reference.T).max())
    if angle < 1e-6 and not np.allclose(gram, np.eye(k), atol=1e-6):
        raise GradingError("the rows of pca_components span the right subspace but are not orthonormal "
                           f"(V V^T = {_fmt(gram)}); did you scale Vt by the singular values?")
    if angle > 1e-6:
        Xd = X.astype(np.float64)
        _, _, Vt_raw = np.linalg.svd(Xd, full_matrices=False)
        _, _, Vt = np.linalg.svd(Xd - Xd.mean(0), full_matrices=False)
        why = ""
        if np.allclose(subspace_angles(V.T, Vt_raw[:k].T), 0, atol=1e-6):
            why = "you did not subtract the mean; PCA is the SVD of the CENTRED data X - X.mean(axis=0)."
        elif np.allclose(subspace_angles(V.T, Vt[-k:].T), 0, atol=1e-6):
            why = "you took the LAST k rows of Vt: those are the directions of least variance (singular values are sorted descending)."
        elif np.allclose(subspace_angles(V.T, Vt[:k].T), 0, atol=1e-6):
            why = ""
        raise GradingError(f"pca_components on X of shape {X.shape}, k={k}: the rows span a subspace "
                           f"{math.degrees(angle):.1f} degrees away from the top-{k} principal subspace. "
                           + (f"Likely cause: {why}" if why else "Use the first k rows of Vt of the centred data."))
    _passed("pca_components", f"spans the top-{k} principal subspace of X {X.shape} with orthonormal rows")


def _plane_pair(D: int, k: int, theta: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two (D, k) bases (not orthonormal) whose largest principal angle is theta."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(D, D)))
    A = Q[:, :k]
    B = Q[:, :k].copy()
    B[:, -1] = math.cos(theta) * Q[:, k - 1] + math.sin(theta) * Q[:, k]
    mix_a, mix_b = (0.5 * (0.3 * rng.normal(size=(k, k)) + np.eye(k)) for _ in range(2))  # columns not orthonormal
    return A @ mix_a, B @ mix_b


def check_principal_angle(principal_angle: Callable, *, D: int = 5, k: int = 2, theta: float = 0.6, seed: int = 0) -> None:
    """Check ``principal_angle(A, B)``: the LARGEST principal angle, in radians, between col(A) and col(B)."""
    from aecourse.linear import subspace_angles

    A, B = _plane_pair(D, k, theta, seed)
    got = _scalar("principal_angle", _call(principal_angle, "principal_angle", A.copy(), B.copy()),
                  "return only the largest angle (a float in radians).")
    expected = float(subspace_angles(A, B).max())
    raw = np.linalg.svd(A.T @ B, compute_uv=False)
    _compare("principal_angle", got, expected, f"two {k}-dimensional subspaces of R^{D} at {theta} rad", {
        "you returned degrees; return radians.": lambda: math.degrees(expected),
        "you returned the cosine; the angle is arccos of the smallest singular value of Q_A^T Q_B.":
            lambda: math.cos(expected),
        "you returned the SMALLEST principal angle (arccos of the LARGEST singular value); the largest angle "
        "comes from the smallest singular value.": lambda: float(subspace_angles(A, B).min()),
        "you used A and B directly; orthonormalise their columns first (np.linalg.qr), the columns are not orthonormal.":
            lambda: float(np.arccos(np.clip(raw.min(), -1, 1))),
    }, rtol=1e-6, atol=1e-6)
    _passed("principal_angle", f"{got:.4f} rad between two {k}-dimensional subspaces of R^{D}")


# ----------------------------------------------------------------------------- lesson 3: sparsity

def check_l1_penalty(l1_penalty: Callable, *, shape: Sequence[int] = (8, 5), dtype=torch.float32, seed: int = 0,
                     low: float = -1.0) -> None:
    """Check ``l1_penalty(z)``: batch mean of the L1 norm of each code, (1/B) sum_i sum_j |z_ij|."""
    z = _random(shape, seed, dtype, low, 1.0)
    z0 = z.clone()
    got = _scalar("l1_penalty", _call(l1_penalty, "l1_penalty", z),
                  "sum |z| over the code units of each sample, then average over the batch.")
    _unchanged("l1_penalty", z0, z, "z")
    a = z.double().abs()
    B, K = z.shape
    _compare("l1_penalty", got, a.sum(1).mean().item(), f"codes z of shape {tuple(shape)} ({dtype})", {
        f"your penalty is the batch sum, not the batch mean (B = {B} times too large).": lambda: a.sum().item(),
        f"you averaged over the K = {K} code units too; sum over units, average over samples only.":
            lambda: a.mean().item(),
        "you forgot the absolute value: negative codes cancel positive ones.": lambda: z.double().sum(1).mean().item(),
        "you squared the codes: that is an L2 (weight-decay-like) penalty, not L1.":
            lambda: (z.double() ** 2).sum(1).mean().item(),
    }, rtol=1e-4 if dtype == torch.float32 else 1e-7)
    _passed("l1_penalty", f"correct on codes of shape {tuple(shape)}")


def check_kl_penalty(kl_penalty: Callable, *, shape: Sequence[int] = (10, 4), rho: float = 0.05,
                     dtype=torch.float32, seed: int = 0) -> None:
    """Check ``kl_penalty(z, rho)``: sum over units of KL(rho || rho_hat_j), rho_hat the batch-mean activation."""
    z = _random(shape, seed, dtype, 0.01, 0.6)
    z0 = z.clone()
    got = _scalar("kl_penalty", _call(kl_penalty, "kl_penalty", z, rho),
                  "average z over the batch first (rho_hat, one value per unit), then sum the KL over units.")
    _unchanged("kl_penalty", z0, z, "z")
    zd = z.double()
    rho_hat = zd.mean(0)

    def kl(r, q):
        return r * torch.log(r / q) + (1 - r) * torch.log((1 - r) / (1 - q))

    expected = kl(torch.tensor(rho, dtype=torch.float64), rho_hat).sum().item()
    _compare("kl_penalty", got, expected, f"sigmoid codes of shape {tuple(shape)}, rho={rho}", {
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
    _passed("kl_penalty", f"correct on codes of shape {tuple(shape)} with rho={rho}")


# ----------------------------------------------------------------------------- lesson 4: denoising

def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _check_corrupted_copy(name: str, x0: torch.Tensor, x: torch.Tensor, x_hat, dtype_hint: str) -> None:
    """What every corruption must do: return a new tensor of x's shape and dtype, x left as it was (x0)."""
    if not isinstance(x_hat, torch.Tensor):
        raise GradingError(f"{name} must return a torch.Tensor, got {type(x_hat).__name__}.")
    _unchanged(name, x0, x, "x")
    if x_hat.shape != x.shape:
        raise GradingError(f"{name} must return the shape of x {tuple(x.shape)}, got {tuple(x_hat.shape)}.")
    if x_hat.dtype != x.dtype:
        raise GradingError(f"{name} must keep the dtype of x ({x.dtype}), got {x_hat.dtype}; {dtype_hint}")


def check_gaussian_corruption(gaussian_corrupt: Callable, *, shape: Sequence[int] = (400, 50), sigma: float = 0.3,
                              dtype=torch.float32, seed: int = 0) -> None:
    """Check ``gaussian_corrupt(x, sigma, generator)``: x_hat = x + N(0, sigma^2) noise, x unchanged."""
    name = "gaussian_corrupt"
    x = _random(shape, seed, dtype)
    x0 = x.clone()
    x_hat = _call(gaussian_corrupt, name, x, sigma, _generator(seed))
    _check_corrupted_copy(name, x0, x, x_hat, dtype_hint="pass dtype=x.dtype to torch.randn.")
    again = _call(gaussian_corrupt, name, x, sigma, _generator(seed))
    if not torch.equal(again, x_hat):
        raise GradingError(f"{name} gave different noise for the same generator; draw the noise with "
                           "torch.randn(x.shape, generator=generator, dtype=x.dtype).")
    zero = _call(gaussian_corrupt, name, x, 0.0, _generator(seed))
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
    on_zero = _call(gaussian_corrupt, name, zeros, sigma, _generator(seed + 1)).double()
    if abs(on_zero.std().item() - sigma) > 0.05 * sigma:
        raise GradingError(f"{name}(zeros, sigma) has noise of standard deviation {on_zero.std().item():.3g}, "
                           f"expected {sigma}: the noise must be ADDED to x (x + sigma * eps), not multiplied by it.")
    _passed(name, f"additive N(0, {sigma}^2) noise, reproducible, x unchanged")


def check_masking_corruption(masking_corrupt: Callable, *, shape: Sequence[int] = (400, 50), p: float = 0.25,
                             dtype=torch.float32, seed: int = 0) -> None:
    """Check ``masking_corrupt(x, p, generator)``: each entry set to 0 with probability p, the rest UNSCALED."""
    name = "masking_corrupt"
    x = _random(shape, seed, dtype, 0.1, 1.0)  # no zeros in x, so every 0 in x_hat was masked
    x0 = x.clone()
    x_hat = _call(masking_corrupt, name, x, p, _generator(seed))
    _check_corrupted_copy(name, x0, x, x_hat, dtype_hint="multiply x by the mask converted with mask.to(x.dtype).")
    again = _call(masking_corrupt, name, x, p, _generator(seed))
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
    none = _call(masking_corrupt, name, x, 0.0, _generator(seed))
    if not torch.equal(none, x):
        raise GradingError(f"{name} with p=0 must return x unchanged, but it changed "
                           f"{int((none != x).sum())} entries; mask where torch.rand(...) < p.")
    _passed(name, f"masks a fraction {frac:.3f} (p = {p}), keeps the rest unscaled")


def check_optimal_dae(optimal_dae_weight: Callable, *, D: int = 3, sigma: float = 0.5, seed: int = 0) -> None:
    """Check ``optimal_dae_weight(C, sigma)``: W* = C (C + sigma^2 I)^{-1} (handout 002, Example 3)."""
    from aecourse.linear import optimal_linear_dae

    name = "optimal_dae_weight"
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(D, D))
    C = M @ M.T + 0.5 * np.eye(D)
    cases = [("handout 002 Example 3 (E[x^2] = 4, sigma = 0.5)", np.array([[4.0]]), 0.5)] if D == 3 and seed == 0 else []
    cases.append((f"a random {D}x{D} second moment, sigma = {sigma}", C, sigma))
    for case, Cm, s in cases:
        C0 = Cm.copy()
        got = _to_numpy(name, _call(optimal_dae_weight, name, Cm, s))
        if not np.array_equal(C0, Cm):
            raise GradingError(f"{name} changed C in place; build C + sigma**2 * np.eye(D) as a new array.")
        n = len(Cm)
        expected = optimal_linear_dae(Cm, s)
        I = np.eye(n)
        _compare(name, got, expected, case, {
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
    _passed(name, "matches C (C + sigma^2 I)^{-1}" + (" and handout 002 Example 3 (0.941)" if len(cases) == 2 else ""))


# ----------------------------------------------------------------------------- lesson 5: contractive

def check_sigmoid_contractive(sigmoid_contractive: Callable, *, K: int = 3, D: int = 5, B: int = 4,
                              dtype=torch.float32, seed: int = 0) -> None:
    """Check ``sigmoid_contractive(W, b, x)`` with W of shape (K, D): batch mean of ||J(x)||_F^2."""
    from aecourse.penalties import contractive_penalty

    name = "sigmoid_contractive"
    W = _random((K, D), seed, dtype, -1.5, 1.5)
    b = _random((K,), seed + 1, dtype, -0.5, 0.5)
    x = _random((B, D), seed + 2, dtype, -1.0, 1.0)
    copies = W.clone(), b.clone(), x.clone()
    try:
        out = _call(sigmoid_contractive, name, W, b, x)
    except GradingError as error:
        if "shape" in str(error) or "size" in str(error):
            raise GradingError(f"{error}. W must be (K, D) = ({K}, {D}), the layout of torch.nn.Linear(D, K).weight; "
                               "did you transpose it? The codes are h = sigmoid(x @ W.T + b).") from None
        raise
    got = _scalar(name, out, "average ||J(x)||_F^2 over the batch to one number.")
    for before, after, arg in zip(copies, (W, b, x), ("W", "b", "x")):
        _unchanged(name, before, after, arg)
    Wd, bd, xd = W.double(), b.double(), x.double()
    layer = torch.nn.Linear(D, K).double()
    with torch.no_grad():
        layer.weight.copy_(Wd)
        layer.bias.copy_(bd)
    expected = contractive_penalty(torch.nn.Sequential(layer, torch.nn.Sigmoid()), xd).item()  # autograd oracle
    h = torch.sigmoid(xd @ Wd.T + bd)  # (B, K)
    s = h * (1 - h)
    norms = (Wd**2).sum(1)  # (K,)
    _compare(name, got, expected, f"W of shape ({K}, {D}), x of shape ({B}, {D}) ({dtype})", {
        f"your penalty is the batch sum, not the batch mean (B = {B} times too large).": lambda: (s**2 @ norms).sum().item(),
        "h (1 - h) must be squared: ||J||_F^2 = sum_j (h_j (1 - h_j))^2 sum_d W_jd^2.": lambda: (s @ norms).mean().item(),
        "you summed W_jd, not W_jd**2, over the inputs d.": lambda: (s**2 @ Wd.sum(1)).mean().item(),
        "you used the sigmoid h itself instead of its derivative h (1 - h).": lambda: (h**2 @ norms).mean().item(),
        "W must be (K, D); did you transpose it? Sum W**2 over the inputs (dim=1), one value per code unit.":
            lambda: (s**2 * (Wd**2).sum(0)[:K]).sum(1).mean().item(),
        "you took the square root: the penalty is the SQUARED Frobenius norm.":
            lambda: (s**2 @ norms).sqrt().mean().item(),
    }, rtol=1e-4 if dtype == torch.float32 else 1e-8)
    _passed(name, f"matches the autograd Jacobian of sigmoid(x W^T + b) for W ({K}, {D})")


def _mlp(D: int, K: int, seed: int, dtype) -> torch.nn.Module:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return torch.nn.Sequential(torch.nn.Linear(D, 6), torch.nn.Tanh(), torch.nn.Linear(6, K)).to(dtype)


def check_jacobian(jacobian: Callable, *, D: int = 5, K: int = 3, dtype=torch.float32, seed: int = 0) -> None:
    """Check ``jacobian(encoder, x)`` for ONE sample x of shape (D,): dz/dx of shape (K, D)."""
    name = "jacobian"
    encoder = _mlp(D, K, seed, dtype)
    x = _random((D,), seed + 1, dtype, -1.0, 1.0)
    x0 = x.clone()
    J = _call(jacobian, name, encoder, x)
    _unchanged(name, x0, x, "x")
    got = _to_numpy(name, J)
    expected = torch.autograd.functional.jacobian(encoder, x.detach()).double().numpy()
    hint = f"row k holds the gradient of z_k: shape (K, D) = ({K}, {D})."
    if got.shape == (D, K) and D != K:
        raise GradingError(f"{name} returned shape ({D}, {K}); the Jacobian dz/dx has one ROW per code unit, "
                           f"shape (K, D) = ({K}, {D}): did you transpose it?")
    _compare(name, got, expected, f"a tanh encoder R^{D} -> R^{K}", {
        "you transposed it: J[k, d] = dz_k / dx_d, one row per code unit.": lambda: expected.T,
        "every row is the gradient of z.sum(); compute one gradient per code unit z_k.":
            lambda: np.tile(expected.sum(0), (K, 1)),
    }, rtol=1e-4 if dtype == torch.float32 else 1e-8, hint=hint)
    _passed(name, f"matches torch.autograd.functional.jacobian ({K}, {D})")


# ----------------------------------------------------------------------------- lesson 6: layerwise

def _digits_subset(n: int, seed: int) -> np.ndarray:
    from aecourse.data import load_digits

    X, _ = load_digits()
    return X[np.random.default_rng(seed).choice(len(X), n, replace=False)]


def _untrained_error(model: torch.nn.Module, X: np.ndarray, seed: int) -> float:
    """Reconstruction error of the same architecture, freshly initialised from ``seed``."""
    from aecourse.models import Autoencoder
    from aecourse.train import reconstruction_error

    sizes = getattr(model, "sizes", None)
    if sizes is None:
        raise GradingError("the model must be an aecourse.models.Autoencoder (it has .sizes).")
    fresh = Autoencoder(sizes, code_activation=model.code_activation, out_activation=model.out_activation, seed=seed)
    return reconstruction_error(fresh, X)


def _check_trained_layer(name: str, model, H, X: np.ndarray, k: int, seed: int) -> None:
    from aecourse.train import encode, reconstruction_error

    if not isinstance(model, torch.nn.Module) or not hasattr(model, "encoder"):
        raise GradingError(f"{name} must return a trained aecourse.models.Autoencoder first, got {type(model).__name__}.")
    H = _to_numpy(name, H)
    n, D = X.shape
    if H.shape == (n, D) and k != D:
        raise GradingError(f"{name} returned H of shape {H.shape}: those are the reconstructions; "
                           f"return the CODES z = f(x), shape ({n}, {k}) (aecourse.train.encode).")
    if H.shape != (n, k):
        raise GradingError(f"{name} must return codes H of shape ({n}, {k}), got {H.shape}.")
    if not np.allclose(H, encode(model, X), atol=1e-5):
        raise GradingError(f"the codes H returned by {name} are not the encoder's codes of X; "
                           "return H = aecourse.train.encode(model, X) from the TRAINED model.")
    before, after = _untrained_error(model, X, seed), reconstruction_error(model, X)
    if not after < 0.8 * before:
        raise GradingError(f"{name}: the reconstruction error is {after:.4f}, the untrained model's is {before:.4f}; "
                           "the layer was not trained (call aecourse.train.fit on the model) or too little.")


def check_pretrain_layer(pretrain_layer: Callable, *, n: int = 200, k: int = 16, seed: int = 0) -> None:
    """Check ``pretrain_layer(X, k, seed=...)`` -> (model, H): one trained layer and the codes of X."""
    name = "pretrain_layer"
    X = _digits_subset(n, seed)
    X0 = X.copy()
    out = _call(pretrain_layer, name, X, k, seed=seed)
    if not isinstance(out, tuple) or len(out) != 2:
        raise GradingError(f"{name} must return a pair (model, H), got {type(out).__name__}.")
    if not np.array_equal(X, X0):
        raise GradingError(f"{name} changed X in place.")
    model, H = out
    sizes = getattr(model, "sizes", None)
    if sizes is not None and list(sizes) != [X.shape[1], k]:
        raise GradingError(f"{name} must build Autoencoder([D, k]) = Autoencoder([{X.shape[1]}, {k}]), "
                           f"got sizes {list(sizes)}: one layer per greedy step.")
    _check_trained_layer(name, model, H, X, k, seed)
    _passed(name, f"one trained layer {X.shape[1]} -> {k} and its codes")


def check_greedy_pretrain(greedy_pretrain: Callable, *, sizes: Sequence[int] = (64, 24, 8), n: int = 200,
                          seed: int = 0) -> None:
    """Check ``greedy_pretrain(X, sizes, seed=...)`` -> list of trained one-layer Autoencoders."""
    from aecourse.train import encode

    name = "greedy_pretrain"
    X = _digits_subset(n, seed)
    models = _call(greedy_pretrain, name, X, list(sizes), seed=seed)
    if not isinstance(models, (list, tuple)) or len(models) != len(sizes) - 1:
        raise GradingError(f"{name} must return a list of {len(sizes) - 1} models (one per layer), got "
                           f"{type(models).__name__}" + (f" of length {len(models)}." if hasattr(models, '__len__') else "."))
    H = X
    for i, model in enumerate(models):
        want = [sizes[i], sizes[i + 1]]
        got_sizes = list(getattr(model, "sizes", []))
        if got_sizes != want:
            why = (" You trained every layer on X; layer l must be trained on the codes of layer l - 1."
                   if i > 0 and got_sizes[:1] == [sizes[0]] else "")
            raise GradingError(f"layer {i} must be Autoencoder({want}), got sizes {got_sizes}.{why}")
        _check_trained_layer(f"{name} (layer {i})", model, encode(model, H), H, sizes[i + 1], seed)
        H = encode(model, H)
    _passed(name, f"{len(models)} layers {list(sizes)}, each trained on the codes of the previous one")


# ----------------------------------------------------------------------------- lesson 7: anomalies

def check_reconstruction_scores(reconstruction_scores: Callable, *, n: int = 12, D: int = 64, seed: int = 0) -> None:
    """Check ``reconstruction_scores(model, X)``: per-sample MSE, shape (n,)."""
    from aecourse.models import Autoencoder
    from aecourse.train import reconstruct

    name = "reconstruction_scores"
    model = Autoencoder([D, 8], seed=seed)
    X = np.random.default_rng(seed).random((n, D)).astype(np.float32)
    got = _to_numpy(name, _call(reconstruction_scores, name, model, X))
    sq = (reconstruct(model, X).astype(np.float64) - X) ** 2
    expected = sq.mean(1)
    if got.shape != (n,) and got.size == 1:
        raise GradingError(f"{name} returned one number; return one score per sample, shape ({n},): average over "
                           "the coordinates only (axis=1).")
    _compare(name, got, expected, f"X of shape ({n}, {D})", {
        f"you summed over the {D} coordinates; the score is the MEAN squared error of each sample.": lambda: sq.sum(1),
        "you took the square root of each score (RMSE); use the mean squared error.": lambda: np.sqrt(expected),
    }, rtol=1e-4, atol=1e-7,
       hint="average over the coordinates of each sample (axis=1), not over the samples (axis=0).")
    _passed(name, f"per-sample MSE of shape ({n},)")


def check_quantile_threshold(quantile_threshold: Callable, *, n: int = 500, fpr: float = 0.05, seed: int = 0) -> None:
    """Check ``quantile_threshold(scores_normal, fpr)``: the (1 - fpr)-quantile of the normal scores."""
    name = "quantile_threshold"
    scores = np.random.default_rng(seed).gamma(2.0, 1.0, size=n)
    s0 = scores.copy()
    got = _scalar(name, _call(quantile_threshold, name, scores, fpr))
    if not np.array_equal(scores, s0):
        raise GradingError(f"{name} changed the scores in place (did you sort them with scores.sort()?); use np.quantile.")
    expected = float(np.quantile(scores, 1 - fpr))
    _compare(name, got, expected, f"{n} normal scores, fpr={fpr}", {
        "you used the fpr-quantile; to flag a fraction fpr of NORMAL data, the threshold is the (1 - fpr)-quantile.":
            lambda: float(np.quantile(scores, fpr)),
        "np.percentile takes percents (0 to 100); use np.quantile(scores, 1 - fpr).":
            lambda: float(np.percentile(scores, 1 - fpr)),
        "np.percentile takes percents; you passed fpr, use np.quantile(scores, 1 - fpr).":
            lambda: float(np.percentile(scores, fpr)),
        "you used the mean plus a multiple of the standard deviation; use the empirical quantile.":
            lambda: float(scores.mean() + 2 * scores.std()),
    }, rtol=1e-9, atol=1e-9, hint="use np.quantile(scores_normal, 1 - fpr).")
    flagged = float((scores > got).mean())
    _passed(name, f"threshold {got:.4g} flags {flagged:.3f} of the normal scores (fpr = {fpr})")


def check_rates(rates: Callable, *, n: int = 200, threshold: float = 1.0, seed: int = 0, ties: bool = False) -> None:
    """Check ``rates(scores, labels, threshold)`` -> (fpr, tpr); label 1 = anomaly, flagged = score > threshold."""
    name = "rates"
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < 0.3).astype(int)
    scores = np.where(labels == 1, rng.normal(2.0, 1.0, n), rng.normal(0.0, 1.0, n))
    if ties:
        scores[::7] = threshold  # scores equal to the threshold are NOT flagged
    out = _call(rates, name, scores.copy(), labels.copy(), threshold)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise GradingError(f"{name} must return a pair (fpr, tpr), got {type(out).__name__}.")
    got = np.array([_scalar(f"{name} (fpr)", out[0]), _scalar(f"{name} (tpr)", out[1])])
    flagged = scores > threshold
    normal, anomaly = labels == 0, labels == 1
    expected = np.array([flagged[normal].mean(), flagged[anomaly].mean()])
    ge = scores >= threshold
    _compare(name, got, expected, f"{n} labelled scores, threshold={threshold}" + (" (some scores equal to it)" if ties else ""), {
        "you swapped them: return (fpr, tpr) = (flagged normals / normals, flagged anomalies / anomalies).":
            lambda: expected[::-1],
        "you divided by the total number of samples; fpr divides by the number of NORMAL samples, tpr by the anomalies.":
            lambda: np.array([(flagged & normal).sum() / n, (flagged & anomaly).sum() / n]),
        "a score equal to the threshold counts as flagged in your code; flag only score > threshold.":
            lambda: np.array([ge[normal].mean(), ge[anomaly].mean()]),
        "you computed the fraction NOT flagged (1 - rate); a flagged sample has score > threshold.":
            lambda: 1 - expected,
    }, rtol=1e-9, atol=1e-12)
    _passed(name, f"fpr = {got[0]:.3f}, tpr = {got[1]:.3f}")
