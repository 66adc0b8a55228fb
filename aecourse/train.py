"""One plain training loop for every autoencoder in the course, and numpy-in / numpy-out helpers."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from aecourse._checks import check_float, check_int, check_tensor
from aecourse._setup import progress_enabled
from aecourse.penalties import contractive_penalty, kl_sparsity, l1_sparsity

PENALTIES = ("l1", "kl", "contractive")
Penalty = Callable[[torch.nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass
class History:
    """Per-epoch losses returned by ``fit``.

    train_loss : reconstruction loss on the clean targets, averaged over the epoch's samples
    penalty : the penalty Omega (before multiplying by lam), averaged the same way; 0 without one
    val_loss : reconstruction loss of clean ``X_val`` after each epoch (empty without X_val)
    """

    train_loss: list[float] = field(default_factory=list)
    penalty: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)

    def __repr__(self) -> str:
        last = lambda v: f"{v[-1]:.4g}" if v else "-"  # noqa: E731
        return (f"History(epochs={len(self.train_loss)}, train_loss={last(self.train_loss)}, "
                f"penalty={last(self.penalty)}, val_loss={last(self.val_loss)})")


class Adam:
    r"""Adam (Kingma and Ba, 2015) with torch.optim.Adam's defaults and update, in a few lines.

    ``fit`` uses it instead of ``torch.optim.Adam`` because the first use of torch.optim imports
    ``torch._dynamo``, which costs about as much as importing torch itself (1-2 s of a lesson's
    10 s budget). The update is the one of torch's single-tensor Adam, so results agree with
    ``torch.optim.Adam(params, lr, foreach=False)`` bit for bit (tested).

    **A speed stand-in.** It calls PyTorch's private ``torch._foreach_*`` kernels, which carry no
    stability promise: if a PyTorch release changes them, use ``torch.optim.Adam`` instead (the
    same numbers, a slower first call).

    Notes
    -----
    .. math::
        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2,
        \quad \theta_t = \theta_{t-1} - \frac{\eta}{1 - \beta_1^t} \frac{m_t}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.betas, self.eps = lr, betas, eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = [0] * len(self.params)  # steps taken, per parameter

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        beta1, beta2 = self.betas
        # as in torch.optim.Adam, a parameter without a gradient is skipped and keeps its own step count
        live = [i for i, p in enumerate(self.params) if p.grad is not None]
        for i in live:
            self.t[i] += 1
        params = [self.params[i] for i in live]
        grads = [p.grad for p in params]
        m, v = [self.m[i] for i in live], [self.v[i] for i in live]
        step_sizes = [-self.lr / (1 - beta1 ** self.t[i]) for i in live]
        bias_corrections2_sqrt = [math.sqrt(1 - beta2 ** self.t[i]) for i in live]
        # the single-tensor update, each operation applied to all parameters in one call (the
        # foreach kernels do the same arithmetic per element; a third less Python overhead per step)
        torch._foreach_lerp_(m, grads, 1 - beta1)
        torch._foreach_mul_(v, beta2)
        torch._foreach_addcmul_(v, grads, grads, value=1 - beta2)
        denom = torch._foreach_sqrt(v)
        torch._foreach_div_(denom, bias_corrections2_sqrt)
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(params, m, denom, step_sizes)


def _model_device(model: torch.nn.Module) -> torch.device:
    p = next(model.parameters(), None)
    return torch.device("cpu") if p is None else p.device


def model_dtype(model: torch.nn.Module) -> torch.dtype:
    """The model's floating dtype: float32, or float64 for a model converted with ``.double()``."""
    p = next(model.parameters(), None)
    return p.dtype if p is not None and p.dtype in (torch.float32, torch.float64) else torch.float32


def as_input(name: str, X, model: torch.nn.Module) -> torch.Tensor:
    """``X`` (numpy or torch, (n, D)) checked against ``model`` (its ``n_features`` when it has one)
    and moved to the model's device and floating dtype; ``name`` names it in errors."""
    X = check_tensor(name, X, ndim=2, n_features=getattr(model, "n_features", None), allow_numpy=True)
    return X.to(device=_model_device(model), dtype=model_dtype(model))


def _penalty_fn(penalty, rho: float) -> Penalty | None:
    if penalty is None:
        return None
    if penalty == "l1":
        return lambda model, x, z: l1_sparsity(z)
    if penalty == "kl":
        return lambda model, x, z: kl_sparsity(z, rho)
    if penalty == "contractive":
        return lambda model, x, z: contractive_penalty(model.encoder, x)
    if callable(penalty) and not isinstance(penalty, str):
        return penalty
    raise ValueError(f"penalty must be None, one of {PENALTIES}, or a function (model, x, z) -> scalar "
                     f"tensor, got {penalty!r}.")


def fit(model: torch.nn.Module, X, *, epochs: int = 50, lr: float = 1e-3, batch_size: int | None = 64,
        loss: str = "mse", penalty: str | Penalty | None = None, lam: float = 0.0, rho: float = 0.05,
        corruption: Callable[..., torch.Tensor] | None = None, X_val=None, seed: int = 0,
        progress: bool = True, adam_eps: float = 1e-8) -> History:
    """Train an autoencoder with Adam on the objective L(x, g(f(x_hat))) + lam * Omega.

    The objective is handout 000 §3 (plain), §6 (sparse), §7 (denoising) and §9 (contractive),
    averaged over the batch instead of summed.

    Parameters
    ----------
    model : nn.Module with ``.encoder`` and ``.decoder`` (``Autoencoder``, ``LinearAutoencoder``)
        Trained in place on whatever device it is on (a GPU is used if the model is there).
    X : array or tensor of shape (n_samples, n_features)
    epochs : int, default 50
    lr : float, default 1e-3, Adam's learning rate
    batch_size : int or None, default 64; None trains on the full batch
    loss : "mse" or "bce"
        MSE is averaged over samples and coordinates (handout 002, Example 2). BCE needs a
        decoder with ``out_activation="sigmoid"`` and X in [0, 1].
    penalty : None, "l1", "kl", "contractive", or a function ``(model, x, z) -> scalar``
        Omega: ``l1_sparsity(z)``, ``kl_sparsity(z, rho)``, ``contractive_penalty(encoder, x)``;
        ``x`` is the (corrupted) encoder input and ``z`` its code.
    lam : float >= 0, the weight of the penalty
    rho : float in (0, 1), target activation of the "kl" penalty
    corruption : function ``(x, generator=...) -> x_hat``, optional
        Turns the model into a denoising autoencoder, e.g.
        ``functools.partial(gaussian_noise, sigma=0.3)``; it is called with ``fit``'s seeded
        generator so the noise is reproducible. Targets stay clean.
    X_val : array or tensor, optional; clean validation data scored after each epoch
    seed : int, seeds the shuffling and the corruption noise. The same seed and the same initial
        model give the same result, bit for bit, on the same machine.
    progress : bool, show a tqdm bar (silenced when the environment variable CI is set)
    adam_eps : float > 0, default 1e-8, Adam's epsilon. Adam divides each step by the root of the
        gradient's running square; a parameter whose gradient is at the level of rounding noise
        still takes full-size steps of random sign, so the run depends on the CPU's rounding. A
        larger epsilon (e.g. 1e-3) turns such steps into small gradient steps (lesson 7).

    Returns
    -------
    History
    """
    if not isinstance(model, torch.nn.Module) or not hasattr(model, "encoder") or not hasattr(model, "decoder"):
        raise TypeError(f"model must be a torch.nn.Module with .encoder and .decoder, got {type(model).__name__}.")
    Xt = as_input("X", X, model)
    Xv = None if X_val is None else as_input("X_val", X_val, model)
    epochs = check_int("epochs", epochs)
    lr = check_float("lr", lr, minimum=0.0, include_min=False)
    batch_size = len(Xt) if batch_size is None else check_int("batch_size", batch_size)
    lam = check_float("lam", lam, minimum=0.0)
    rho = check_float("rho", rho, minimum=0.0, maximum=1.0, include_min=False, include_max=False)
    seed = check_int("seed", seed, minimum=0)
    adam_eps = check_float("adam_eps", adam_eps, minimum=0.0, include_min=False)
    if loss not in ("mse", "bce"):
        raise ValueError(f"loss must be 'mse' or 'bce', got {loss!r}.")
    if loss == "bce":
        if hasattr(model, "out_activation"):
            squashed = model.out_activation == "sigmoid"
        else:  # a model of the student's own: look at what it outputs
            with torch.no_grad():
                probe = model(Xt[:8])
            squashed = bool(probe.min() >= 0 and probe.max() <= 1)
        if not squashed:
            raise ValueError("loss='bce' needs reconstructions in (0, 1); build the model with "
                             "out_activation='sigmoid' (or end its decoder with torch.nn.Sigmoid()).")
        if Xt.min() < 0 or Xt.max() > 1:
            raise ValueError(f"loss='bce' needs X in [0, 1], got values in [{Xt.min():.3g}, {Xt.max():.3g}].")
    penalty_fn = _penalty_fn(penalty, rho)
    if corruption is not None and not callable(corruption):
        raise TypeError(f"corruption must be a function (x, generator=...) -> x_hat, got {corruption!r}.")

    loss_fn = F.mse_loss if loss == "mse" else F.binary_cross_entropy
    device = Xt.device
    generator = torch.Generator(device=device).manual_seed(seed)
    optimizer = Adam(model.parameters(), lr=lr, eps=adam_eps)
    history = History()
    n = len(Xt)
    bar = tqdm(range(epochs), desc="epochs", leave=False, disable=not progress_enabled(progress))
    for _ in bar:
        model.train()
        order = torch.randperm(n, generator=generator, device=device)
        rec_sum = torch.zeros((), device=device)
        pen_sum = torch.zeros((), device=device)
        for start in range(0, n, batch_size):
            x = Xt[order[start:start + batch_size]]
            x_in = x if corruption is None else corruption(x, generator=generator)
            z = model.encoder(x_in)
            rec = loss_fn(model.decoder(z), x)
            objective = rec
            if penalty_fn is not None:
                omega = penalty_fn(model, x_in, z)
                objective = rec + lam * omega
                pen_sum += omega.detach() * len(x)
            optimizer.zero_grad()
            objective.backward()
            optimizer.step()
            rec_sum += rec.detach() * len(x)
        history.train_loss.append(rec_sum.item() / n)
        history.penalty.append(pen_sum.item() / n)
        if Xv is not None:
            model.eval()
            with torch.no_grad():
                history.val_loss.append(loss_fn(model.decoder(model.encoder(Xv)), Xv).item())
        bar.set_postfix(loss=f"{history.train_loss[-1]:.4g}")
    model.eval()
    return history


@torch.no_grad()
def encode(model: torch.nn.Module, X) -> np.ndarray:
    """The codes z = f(x) of every row of X, as numpy (n, K) in the model's dtype (float32 by default)."""
    model.eval()
    return model.encoder(as_input("X", X, model)).cpu().numpy()


@torch.no_grad()
def reconstruct(model: torch.nn.Module, X) -> np.ndarray:
    """The reconstructions x_tilde = g(f(x)) of every row of X, as numpy (n, D), the model's dtype."""
    model.eval()
    Xt = as_input("X", X, model)
    return model.decoder(model.encoder(Xt)).cpu().numpy()


def reconstruction_error(model: torch.nn.Module, X) -> float:
    """MSE over samples and coordinates, the ``loss="mse"`` of ``fit`` (handout 002, Example 2)."""
    X_np = as_input("X", X, model).cpu().numpy()
    return float(((reconstruct(model, X_np) - X_np) ** 2).mean())
