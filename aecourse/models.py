"""Autoencoders: an encoder f and a decoder g with x_tilde = g(f(x)) (handout 000 §3)."""
from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager

import torch
from torch import nn

from aecourse._checks import check_int, check_sizes, check_tensor

ACTIVATIONS = {
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "elu": nn.ELU,
    "softplus": nn.Softplus,
}


def activation_layers(name: str | None, argument: str) -> list[nn.Module]:
    """The layer for the activation ``name`` (a key of ``ACTIVATIONS``) as a list, empty for None;
    ``argument`` names the parameter in the error for an unknown name.

    >>> activation_layers("tanh", "activation"), activation_layers(None, "code_activation")
    ([Tanh()], [])
    """
    if name is None:
        return []
    if name not in ACTIVATIONS:
        raise ValueError(f"{argument} must be one of {sorted(ACTIVATIONS)} or None, got {name!r}.")
    return [ACTIVATIONS[name]()]


def check_activations(activation: str, out_activation: str | None, code_activation: str | None) -> None:
    """The activation arguments of ``Autoencoder`` (and of ``pretrain_layerwise``, which builds them):
    ``activation`` a key of ``ACTIVATIONS``, the other two a key or None."""
    if activation is None:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got None; "
                         "use LinearAutoencoder for a linear model.")
    for name, value in (("activation", activation), ("out_activation", out_activation),
                        ("code_activation", code_activation)):
        activation_layers(value, name)


@contextmanager
def seeded(seed: int | None):
    """Within the block torch's global generator starts from ``seed`` and is restored after, so a
    seeded model leaves every other draw alone; ``None``: the global generator, untouched."""
    if seed is None:
        yield
        return
    seed = check_int("seed", seed, minimum=0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def seeded_init(module: nn.Module, seed: int | None) -> None:
    """Re-initialise every Linear layer of ``module``, in order, from ``seed`` (see ``seeded``)."""
    with seeded(seed):
        if seed is not None:
            for layer in module.modules():
                if isinstance(layer, nn.Linear):
                    layer.reset_parameters()


class _EncoderDecoder(nn.Module):
    """What every autoencoder here shares: ``.encoder`` f, ``.decoder`` g, ``n_features`` (D) and
    ``latent_dim`` (K), with input checks on ``encode`` and ``decode``."""

    encoder: nn.Module
    decoder: nn.Module
    n_features: int
    latent_dim: int

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """z = f(x); x of shape (batch, D) -> z of shape (batch, K)."""
        return self.encoder(check_tensor("x", x, ndim=2, n_features=self.n_features))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """x_tilde = g(z); z of shape (batch, K) -> (batch, D)."""
        return self.decoder(check_tensor("z", z, ndim=2, n_features=self.latent_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x_tilde = g(f(x))."""
        return self.decoder(self.encode(x))


class Autoencoder(_EncoderDecoder):
    """A fully connected autoencoder with a mirrored decoder.

    ``Autoencoder([64, 32, 8])`` builds the encoder 64 -> 32 -> 8 and the decoder 8 -> 32 -> 64
    (handout 004's hourglass, handout 000 §11).

    Parameters
    ----------
    sizes : sequence of int
        Layer widths from the input to the code: ``[D, hidden..., K]``; at least two entries.
    activation : str, default "relu"
        Nonlinearity after every hidden layer (one of ``ACTIVATIONS``).
    out_activation : str or None, default None
        Nonlinearity on the reconstruction; use "sigmoid" with the BCE loss (pixels in [0, 1]).
    code_activation : str or None, default None
        Nonlinearity on the code z: None keeps a linear code; "relu" for L1-sparse codes,
        "sigmoid" for KL sparsity (handout 002) or the contractive closed form (handout 000 §9).
    seed : int, optional
        Initialise the weights from this seed (leaves the global generator alone).

    Examples
    --------
    >>> model = Autoencoder([64, 32, 8])
    >>> model(torch.zeros(5, 64)).shape
    torch.Size([5, 64])
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", out_activation: str | None = None,
                 code_activation: str | None = None, seed: int | None = None):
        super().__init__()
        self.sizes = check_sizes(sizes, example="[64, 32, 8]")
        check_activations(activation, out_activation, code_activation)  # even those no layer would use
        self.activation = activation
        self.out_activation = out_activation
        self.code_activation = code_activation
        self.n_features, self.latent_dim = self.sizes[0], self.sizes[-1]

        def stack(widths: list[int], last: str | None, last_name: str) -> nn.Sequential:
            layers: list[nn.Module] = []
            for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
                layers.append(nn.Linear(a, b))
                is_last = i == len(widths) - 2
                layers += activation_layers(last, last_name) if is_last else activation_layers(activation, "activation")
            return nn.Sequential(*layers)

        with seeded(seed):  # each Linear initialises itself in turn: encoder layers, then decoder layers
            self.encoder = stack(self.sizes, code_activation, "code_activation")
            self.decoder = stack(self.sizes[::-1], out_activation, "out_activation")

    def extra_repr(self) -> str:
        return f"sizes={self.sizes}, activation={self.activation!r}"


class LinearAutoencoder(_EncoderDecoder):
    """z = W_enc x + b_enc, x_tilde = W_dec z + b_dec (handout 002, "Linear Autoencoders and PCA").

    Trained with MSE its decoder columns span the top-k principal subspace (not the principal
    axes themselves: any invertible T gives the same map, handout 002). With k >= d it can learn
    the identity (practice problem 1).

    Parameters
    ----------
    d : int, input dimension.
    k : int, code dimension.
    bias : bool, default True; biases let the model centre the data itself.
    seed : int, optional, initialise the weights from this seed.
    """

    def __init__(self, d: int, k: int, bias: bool = True, seed: int | None = None):
        super().__init__()
        self.n_features = check_int("d", d)
        self.latent_dim = check_int("k", k)
        self.out_activation = None  # a linear decoder: fit(loss="bce") refuses it
        with seeded(seed):
            self.encoder = nn.Linear(self.n_features, self.latent_dim, bias=bias)
            self.decoder = nn.Linear(self.latent_dim, self.n_features, bias=bias)
