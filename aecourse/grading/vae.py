"""Checks of lesson 8: the VAE's KL term, the reparameterisation and the ELBO (handout 002, next steps)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F

from aecourse.grading.core import GradingError, call_student, compare, passed, random_tensor, scalar, to_numpy, unchanged

__all__ = ["check_gaussian_kl", "check_reparameterize", "check_elbo"]


def _gaussian(shape: Sequence[int], seed: int, dtype) -> tuple[torch.Tensor, torch.Tensor]:
    return random_tensor(shape, seed, dtype, -1.5, 1.5), random_tensor(shape, seed + 100, dtype, -2.0, 1.0)


def _kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    # (batch,): 1/2 sum_k (mu^2 + sigma^2 - 1 - log sigma^2)
    return 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(1)


def _kl_mistakes(mu: torch.Tensor, logvar: torch.Tensor) -> dict[str, Callable[[], object]]:
    K = mu.shape[1]
    return {
        f"you averaged over the K = {K} latent units; the KL of independent units is their SUM.":
            lambda: (_kl(mu, logvar) / K).numpy(),
        "the factor 1/2 is missing.": lambda: (2 * _kl(mu, logvar)).numpy(),
        "you used logvar as the standard deviation sigma; sigma^2 = exp(logvar), log sigma^2 = logvar.":
            lambda: (0.5 * (mu**2 + logvar**2 - 1 - torch.log(logvar**2)).sum(1)).numpy(),
        "you used logvar as the variance sigma^2 (write sigma^2 = exp(logvar) and log sigma^2 = logvar).":
            lambda: (0.5 * (mu**2 + logvar - 1 - torch.log(logvar)).sum(1)).numpy(),
        "the sign is reversed: KL = 1/2 sum (mu^2 + sigma^2 - 1 - log sigma^2) is never negative.":
            lambda: (-_kl(mu, logvar)).numpy(),
        "you averaged over the batch; return one KL per sample, shape (batch,).":
            lambda: _kl(mu, logvar).mean().numpy(),
    }


def check_gaussian_kl(gaussian_kl: Callable, *, shape: Sequence[int] = (6, 3), dtype=torch.float32,
                      seed: int = 0) -> None:
    """Check ``gaussian_kl(mu, logvar)``: KL(N(mu, exp(logvar)) || N(0, I)) per row, summed over units."""
    mu, logvar = _gaussian(shape, seed, dtype)
    mu0, logvar0 = mu.clone(), logvar.clone()
    got = to_numpy("gaussian_kl", call_student(gaussian_kl, "gaussian_kl", mu, logvar))
    unchanged("gaussian_kl", mu0, mu, "mu")
    unchanged("gaussian_kl", logvar0, logvar, "logvar")
    md, lv = mu.double(), logvar.double()
    compare("gaussian_kl", got, _kl(md, lv).numpy(), f"mu, logvar of shape {tuple(shape)} ({dtype})",
            _kl_mistakes(md, lv), rtol=1e-4 if dtype == torch.float32 else 1e-7,
            hint="return one KL per sample: sum over the latent units, not over the batch.")
    zero = to_numpy("gaussian_kl", call_student(gaussian_kl, "gaussian_kl", torch.zeros(2, 2, dtype=dtype),
                                                torch.zeros(2, 2, dtype=dtype)))
    compare("gaussian_kl", zero, [0.0, 0.0], "mu = 0, logvar = 0 (q is the prior itself)",
            hint="at mu = 0, sigma = 1 the KL must be exactly 0; check the -1 term.")
    passed("gaussian_kl", f"correct on mu, logvar of shape {tuple(shape)}")


def check_reparameterize(reparameterize: Callable, *, shape: Sequence[int] = (5, 2), dtype=torch.float32,
                         seed: int = 0) -> None:
    """Check ``reparameterize(mu, logvar, eps)``: z = mu + exp(logvar / 2) * eps, differentiable in mu, logvar."""
    mu, logvar = _gaussian(shape, seed, dtype)
    eps = random_tensor(shape, seed + 200, dtype, -2.0, 2.0)
    mu.requires_grad_(True)
    logvar.requires_grad_(True)
    eps0 = eps.clone()
    out = call_student(reparameterize, "reparameterize", mu, logvar, eps)
    if not isinstance(out, torch.Tensor):
        raise GradingError(f"reparameterize must return a torch.Tensor, got {type(out).__name__}.")
    unchanged("reparameterize", eps0, eps, "eps")
    md, lv, ed = mu.detach().double(), logvar.detach().double(), eps.double()
    expected = (md + torch.exp(0.5 * lv) * ed).numpy()
    got = to_numpy("reparameterize", out)
    same = to_numpy("reparameterize", call_student(reparameterize, "reparameterize", mu, logvar, eps))
    doubled = to_numpy("reparameterize", call_student(reparameterize, "reparameterize", mu, logvar, 2 * eps))
    if got.shape == same.shape == doubled.shape and (not (got == same).all() or (got == doubled).all()):
        raise GradingError("reparameterize does not use its argument eps (the same eps gave a different z, or "
                           "doubling eps changed nothing): you drew new noise inside the function. Use the eps "
                           "you are given: the caller draws it, so the result is reproducible and testable.")
    compare("reparameterize", got, expected, f"mu, logvar, eps of shape {tuple(shape)} ({dtype})", {
        "you used logvar as the standard deviation: sigma = exp(logvar / 2).": lambda: (md + lv * ed).numpy(),
        "you used exp(logvar), the variance, instead of the standard deviation exp(logvar / 2).":
            lambda: (md + torch.exp(lv) * ed).numpy(),
        "the standard deviation is exp(logvar / 2), not sqrt(logvar) or logvar / 2.":
            lambda: (md + 0.5 * lv * ed).numpy(),
        "you returned mu without the noise term.": lambda: md.numpy(),
    }, rtol=1e-4 if dtype == torch.float32 else 1e-7)
    # The trusted grader calls the student's function in a sandbox and gets plain data back, so
    # gradients cannot cross; there the values and the use of eps are checked, here also the gradients.
    if type(reparameterize).__name__ == "RemoteFunction":
        passed("reparameterize", f"correct values on shape {tuple(shape)} (gradients are checked in your notebook)")
        return
    if not out.requires_grad:
        raise GradingError("reparameterize's output carries no gradient: build it from mu and logvar with torch "
                           "operations (no .detach(), .item(), .numpy() or torch.no_grad()).")
    out.sum().backward()
    if mu.grad is None or logvar.grad is None:
        raise GradingError("no gradient reaches mu or logvar through reparameterize; z must be computed from both.")
    compare("d sum(z) / d logvar", to_numpy("logvar.grad", logvar.grad), (0.5 * torch.exp(0.5 * lv) * ed).numpy(),
            "the gradient through the reparameterisation", rtol=1e-4 if dtype == torch.float32 else 1e-7,
            hint="z = mu + exp(logvar / 2) * eps gives dz/dlogvar = eps * exp(logvar / 2) / 2.")
    passed("reparameterize", f"correct values and gradients on shape {tuple(shape)}")


def _elbo(x, x_tilde, mu, logvar, beta):
    log_lik = -F.binary_cross_entropy(x_tilde, x, reduction="none").sum(1)
    return log_lik, _kl(mu, logvar), (log_lik - beta * _kl(mu, logvar)).mean()


def check_elbo(elbo: Callable, *, batch: int = 4, n_features: int = 6, latent_dim: int = 2, beta: float = 1.0,
               dtype=torch.float32, seed: int = 0) -> None:
    """Check ``elbo(x, x_tilde, mu, logvar, beta)``: the batch mean of
    sum_j [x_j log x_tilde_j + (1 - x_j) log(1 - x_tilde_j)] - beta * KL."""
    x = random_tensor((batch, n_features), seed, dtype)
    x_tilde = random_tensor((batch, n_features), seed + 1, dtype, 0.05, 0.95)
    mu, logvar = _gaussian((batch, latent_dim), seed + 2, dtype)
    got = scalar("elbo", call_student(elbo, "elbo", x, x_tilde, mu, logvar, beta),
                 "average the per-sample ELBO over the batch.")
    xd, td, md, lv = x.double(), x_tilde.double(), mu.double(), logvar.double()
    log_lik, kl, expected = _elbo(xd, td, md, lv, beta)
    D, K = n_features, latent_dim
    compare("elbo", got, expected.item(), f"a batch of {batch} with D = {D}, K = {K}, beta = {beta} ({dtype})", {
        "the sign is flipped: the ELBO is log-likelihood MINUS beta * KL, a number to maximise "
        "(its negative is the loss).": lambda: -expected.item(),
        "you added the KL term; the ELBO SUBTRACTS it: log-likelihood - beta * KL.":
            lambda: (log_lik + beta * kl).mean().item(),
        "you used the BCE where the log-likelihood goes; log p(x | z) = -BCE (summed over pixels).":
            lambda: (-log_lik - beta * kl).mean().item(),
        f"you averaged the log-likelihood over the D = {D} pixels; it is a SUM over pixels.":
            lambda: (log_lik / D - beta * kl).mean().item(),
        f"you averaged the KL over the K = {K} latent units; it is a SUM over units.":
            lambda: (log_lik - beta * kl / K).mean().item(),
        "the KL is missing its factor 1/2.": lambda: (log_lik - 2 * beta * kl).mean().item(),
        "beta is ignored: it multiplies the KL term.": lambda: (log_lik - kl).mean().item(),
        "you summed over the batch; average over it.": lambda: (log_lik - beta * kl).sum().item(),
    }, rtol=1e-4 if dtype == torch.float32 else 1e-7)
    passed("elbo", f"correct on a batch of {batch}, D = {D}, K = {K}, beta = {beta}")
