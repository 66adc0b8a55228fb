"""The variational autoencoder: an encoder that outputs a Gaussian, the reparameterisation, the KL
divergence to the prior N(0, I) in closed form, and the ELBO (handout 002, "next steps"; handout 004,
"what autoencoders cannot do": a plain autoencoder has no density on its code space).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from aecourse._checks import check_float, check_int, check_tensor
from aecourse.models import activation_layers, seeded_init
from aecourse.train import Adam, History, as_input, model_dtype


def _check_gaussian(mu, logvar) -> tuple[torch.Tensor, torch.Tensor]:
    mu = check_tensor("mu", mu, ndim=2)
    logvar = check_tensor("logvar", logvar, ndim=2)
    if logvar.shape != mu.shape:
        raise ValueError(f"logvar must have the shape of mu, {tuple(mu.shape)}, got {tuple(logvar.shape)}.")
    return mu, logvar


def gaussian_kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    r"""KL( N(mu, diag(exp(logvar))) || N(0, I) ) of each row, summed over the latent units.

    Parameters
    ----------
    mu, logvar : tensors of shape (batch, K), the encoder's mean and log-variance log sigma^2

    Returns
    -------
    tensor of shape (batch,)

    Notes
    -----
    .. math:: \mathrm{KL} = \frac{1}{2} \sum_{k=1}^{K} \left(\mu_k^2 + \sigma_k^2 - 1 - \log \sigma_k^2\right)

    The sum over k is the KL of the joint distribution (independent units add); averaging over
    the K units would give a K times smaller number. Zero exactly when mu = 0 and sigma = 1.
    """
    mu, logvar = _check_gaussian(mu, logvar)
    return _kl(mu, logvar)


def _kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    return 0.5 * (mu**2 + logvar.exp() - 1.0 - logvar).sum(dim=1)


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    r"""z = mu + sigma * eps with sigma = exp(logvar / 2): a draw from N(mu, sigma^2) that gradients
    flow through (eps ~ N(0, I) is drawn outside, by the caller, so the result is reproducible).

    Parameters
    ----------
    mu, logvar : tensors of shape (batch, K)
    eps : tensor of shape (batch, K), standard normal noise

    Returns
    -------
    tensor of shape (batch, K)
    """
    mu, logvar = _check_gaussian(mu, logvar)
    eps = check_tensor("eps", eps, ndim=2)
    if eps.shape != mu.shape:
        raise ValueError(f"eps must have the shape of mu, {tuple(mu.shape)}, got {tuple(eps.shape)}; "
                         "draw it with torch.randn_like(mu).")
    return mu + torch.exp(0.5 * logvar) * eps


def bernoulli_log_likelihood(x: torch.Tensor, x_tilde: torch.Tensor) -> torch.Tensor:
    r"""log p(x | z) = sum_j x_j log x_tilde_j + (1 - x_j) log(1 - x_tilde_j) of each row; shape (batch,).

    Minus the BCE of handout 002, practice problem 4, summed over the pixels (not averaged).
    """
    x = check_tensor("x", x, ndim=2)
    x_tilde = check_tensor("x_tilde", x_tilde, ndim=2)
    if x_tilde.shape != x.shape:
        raise ValueError(f"x_tilde must have the shape of x, {tuple(x.shape)}, got {tuple(x_tilde.shape)}.")
    return -F.binary_cross_entropy(x_tilde, x, reduction="none").sum(dim=1)


def elbo(x: torch.Tensor, x_tilde: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor,
         beta: float = 1.0) -> torch.Tensor:
    r"""The evidence lower bound, averaged over the batch (a number to *maximise*).

    Parameters
    ----------
    x : tensor of shape (batch, D), data in [0, 1]
    x_tilde : tensor of shape (batch, D), the decoder's output g(z) in (0, 1) for z = reparameterize(...)
    mu, logvar : tensors of shape (batch, K), the encoder's output
    beta : float >= 0, default 1, the weight of the KL term (beta = 1 is the ELBO; beta-VAE otherwise)

    Notes
    -----
    .. math:: \mathrm{ELBO}(x) = \mathbb{E}_{q(z|x)}[\log p(x|z)] - \beta\, \mathrm{KL}(q(z|x) \,\|\, N(0, I))
              \le \log p(x) \quad (\beta = 1)

    with the expectation estimated by one reparameterised draw and a Bernoulli decoder
    (``bernoulli_log_likelihood``). Training minimises -ELBO.
    """
    beta = check_float("beta", beta, minimum=0.0)
    return (bernoulli_log_likelihood(x, x_tilde) - beta * gaussian_kl(mu, logvar)).mean()


class VAE(nn.Module):
    """A fully connected variational autoencoder with a Bernoulli (sigmoid) decoder.

    ``VAE([64, 32, 2])``: the encoder maps 64 -> 32 -> (mu, logvar), two heads of 2 numbers; the
    decoder maps 2 -> 32 -> 64 with a sigmoid on the pixels.

    Parameters
    ----------
    sizes : sequence of int, ``[D, hidden..., K]``, at least two entries
    activation : str, default "tanh", the nonlinearity after every hidden layer
    seed : int, optional, initialise the weights from this seed (leaves the global generator alone)
    """

    def __init__(self, sizes: Sequence[int], activation: str = "tanh", seed: int | None = None):
        super().__init__()
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2:
            raise ValueError(f"sizes must be a list of at least two layer widths such as [64, 32, 2], got {sizes!r}.")
        self.sizes = [check_int(f"sizes[{i}]", s) for i, s in enumerate(sizes)]
        activation_layers(activation, "activation")
        self.n_features, self.latent_dim = self.sizes[0], self.sizes[-1]
        self.out_activation = "sigmoid"

        def hidden(widths: list[int]) -> list[nn.Module]:
            layers: list[nn.Module] = []
            for a, b in zip(widths[:-1], widths[1:]):
                layers += [nn.Linear(a, b), *activation_layers(activation, "activation")]
            return layers

        with torch.random.fork_rng(devices=[], enabled=seed is not None):
            # the encoder ends in one layer of 2K outputs: the means, then the log-variances
            self.encoder = nn.Sequential(*hidden(self.sizes[:-1]), nn.Linear(self.sizes[-2], 2 * self.latent_dim))
            back = self.sizes[::-1]
            self.decoder = nn.Sequential(*hidden(back[:-1]), nn.Linear(back[-2], back[-1]), nn.Sigmoid())
        seeded_init(self, seed)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(mu, logvar) of q(z | x); x of shape (batch, D) -> two tensors of shape (batch, K)."""
        h = self.encoder(check_tensor("x", x, ndim=2, n_features=self.n_features))
        return h[:, :self.latent_dim], h[:, self.latent_dim:]

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """x_tilde = g(z) in (0, 1); z of shape (batch, K) -> (batch, D)."""
        return self.decoder(check_tensor("z", z, ndim=2, n_features=self.latent_dim))

    def forward(self, x: torch.Tensor, eps: torch.Tensor | None = None):
        """(x_tilde, mu, logvar) with z = reparameterize(mu, logvar, eps); eps None decodes mu."""
        mu, logvar = self.encode(x)
        z = mu if eps is None else reparameterize(mu, logvar, eps)
        return self.decoder(z), mu, logvar

    def extra_repr(self) -> str:
        return f"sizes={self.sizes}"


def fit_vae(model: VAE, X, *, epochs: int = 300, lr: float = 1e-2, beta: float = 1.0, seed: int = 0,
            adam_eps: float = 1e-8) -> History:
    """Train a VAE on the full batch by Adam on -ELBO (one reparameterised draw per sample and step).

    Parameters
    ----------
    model : VAE, trained in place, in its own dtype (``VAE(...).double()`` trains in float64, whose
        rounding stays far below any printed digit on every CPU; X and eps follow the model)
    X : array or tensor of shape (n, D), values in [0, 1]
    epochs : int, default 300, full-batch Adam steps
    lr : float, default 1e-2
    beta : float >= 0, default 1, the KL weight; beta = 0 is an autoencoder with noisy codes
    seed : int, seeds the draws of eps
    adam_eps : float > 0, default 1e-8, Adam's epsilon (as in ``train.fit``: a larger one, e.g. 1e-3,
        damps the steps of parameters whose gradients are tiny, which makes full-batch training
        reproducible across CPUs)

    Returns
    -------
    History with ``train_loss`` the mean -log p(x | z) (the reconstruction term, nats per digit)
    and ``penalty`` the mean KL, both per step.
    """
    if not isinstance(model, VAE):
        raise TypeError(f"model must be an aecourse.vae.VAE, got {type(model).__name__}.")
    Xt = as_input("X", X, model)
    if Xt.min() < 0 or Xt.max() > 1:
        raise ValueError(f"X must lie in [0, 1] for the Bernoulli decoder, got values in "
                         f"[{Xt.min():.3g}, {Xt.max():.3g}].")
    epochs = check_int("epochs", epochs)
    lr = check_float("lr", lr, minimum=0.0, include_min=False)
    beta = check_float("beta", beta, minimum=0.0)
    adam_eps = check_float("adam_eps", adam_eps, minimum=0.0, include_min=False)
    generator = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
    optimizer = Adam(model.parameters(), lr=lr, eps=adam_eps)
    history = History()
    model.train()
    for _ in range(epochs):
        # the formulas of reparameterize, bernoulli_log_likelihood and gaussian_kl, without their
        # argument checks (a third of the time of a step)
        h = model.encoder(Xt)
        mu, logvar = h[:, :model.latent_dim], h[:, model.latent_dim:]
        eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype)
        # the decoder without its final sigmoid: the BCE of sigmoid(logits) from the logits is the
        # same number with one exp and one log per pixel instead of three transcendentals (a fifth
        # of the time of a step)
        logits = model.decoder[:-1](mu + torch.exp(0.5 * logvar) * eps)
        rec = F.binary_cross_entropy_with_logits(logits, Xt, reduction="sum") / len(Xt)
        kl = _kl(mu, logvar).mean()
        optimizer.zero_grad()
        (rec + beta * kl).backward()
        optimizer.step()
        history.train_loss.append(rec.item())
        history.penalty.append(kl.item())
    model.eval()
    return history


@torch.no_grad()
def sample(model: nn.Module, n: int, *, seed: int = 0, scale: float = 1.0, mean=None) -> np.ndarray:
    """Decode n codes drawn from N(mean, scale^2 I) (the prior N(0, I) by default); (n, D) in the model's dtype.

    Works for any model with ``.decoder`` and ``latent_dim`` (a VAE or a plain ``Autoencoder``).
    ``mean`` is an array of shape (K,) and ``scale`` a float or an array of shape (K,) or (K, K)
    (a matrix L: codes mean + eps @ L.T, e.g. the Cholesky factor of a fitted covariance).
    """
    n = check_int("n", n)
    K = check_int("model.latent_dim", getattr(model, "latent_dim", 0))
    dtype = model_dtype(model)
    eps = torch.randn((n, K), generator=torch.Generator().manual_seed(check_int("seed", seed, minimum=0)),
                      dtype=dtype)
    L = torch.as_tensor(np.asarray(scale, dtype=np.float64), dtype=dtype)
    if L.ndim not in (0, 1, 2) or (L.ndim >= 1 and L.shape[0] != K) or (L.ndim == 2 and L.shape != (K, K)):
        raise ValueError(f"scale must be a number, {K} numbers or a {K}x{K} matrix, got shape {tuple(L.shape)}.")
    z = eps @ L.T if L.ndim == 2 else eps * L
    if mean is not None:
        m = torch.as_tensor(np.asarray(mean, dtype=np.float64), dtype=dtype)
        if m.shape != (K,):
            raise ValueError(f"mean must have shape ({K},), got {tuple(m.shape)}.")
        z = z + m
    model.eval()
    return model.decoder(z).numpy()
