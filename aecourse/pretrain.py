"""Greedy layerwise pretraining of a deep autoencoder, and unrolling the stack (handout 000 §11-13).

Train autoencoder 1 on x, encode the data, train autoencoder 2 on the codes z_1, and so on; then
``unroll`` the stack into one deep ``Autoencoder`` whose encoder is f_L(...f_2(f_1(x))) and whose
decoder is g_1(g_2(...g_L(z))), ready to be fine-tuned as a whole with ``aecourse.train.fit``.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from aecourse._checks import check_float, check_int, check_sizes, check_tensor
from aecourse.models import Autoencoder, check_activations
from aecourse.train import History, encode, fit


@dataclass
class LayerwisePretraining:
    """What ``pretrain_layerwise`` returns.

    layers : the L one-layer autoencoders; ``layers[l]`` maps ``sizes[l] -> sizes[l + 1]`` and
        was trained on ``codes[l - 1]`` (on ``X`` for ``l = 0``)
    codes : the codes z_1, ..., z_L of the training data, float32 numpy arrays; ``codes[l]`` is
        ``layers[l]``'s encoding of its own training data
    histories : the ``History`` of each layer's ``fit`` (its loss is in its own input space:
        pixels for layer 1, z_{l-1} for layer l)
    """

    layers: list[Autoencoder]
    codes: list[np.ndarray]
    histories: list[History]


def pretrain_layerwise(X, sizes: Sequence[int], *, epochs: int, lr: float, batch_size: int | None = None,
                       activation: str = "relu", code_activation: str | None = None,
                       out_activation: str | None = None, X_val=None, seed: int = 0) -> LayerwisePretraining:
    """Greedy layerwise pretraining: one small autoencoder per layer, each trained on the codes of the last.

    Layer l (1-based) is the one-hidden-layer autoencoder ``Autoencoder([sizes[l-1], sizes[l]])``
    with encoder z_l = phi(W_l z_{l-1} + b_l) and decoder z_{l-1} ~ psi(V_l z_l + c_l), where
    z_0 = x. It is trained with ``fit`` (MSE) on the codes z_{l-1} of the training data, which are
    then encoded to z_l for the next layer. The activations are chosen so that ``unroll`` can
    assemble the layers into ``Autoencoder(sizes, activation, out_activation, code_activation)``:

    - phi is ``activation`` for every layer but the last, whose code uses ``code_activation``;
    - psi is ``out_activation`` for layer 1 (it reconstructs x) and ``activation`` for the others
      (they reconstruct z_{l-1}, itself an output of ``activation``).

    Parameters
    ----------
    X : array or tensor of shape (n_samples, sizes[0])
        Training data.
    sizes : sequence of int
        ``[D, K_1, ..., K_L]``, the input width then the width of each code; at least two entries.
    epochs : int
        Epochs of ``fit`` for *each* layer (L * epochs in all).
    lr : float
        Adam's learning rate for each layer.
    batch_size : int or None, default None
        Mini-batch size of ``fit``; None trains on the full batch.
    activation : str, default "relu"
        phi of the hidden codes z_1, ..., z_{L-1} (a key of ``aecourse.models.ACTIVATIONS``).
    code_activation : str or None, default None
        Nonlinearity on the last code z_L; None keeps it linear.
    out_activation : str or None, default None
        Nonlinearity on the reconstruction of x (layer 1's decoder), e.g. "sigmoid".
    X_val : array or tensor, optional
        Validation data; it is encoded layer by layer and scored after each epoch of each layer.
    seed : int, default 0
        Layer l (0-based) is initialised and trained with seed ``seed + l``; the same seed gives
        the same layers, bit for bit, on the same machine.

    Returns
    -------
    LayerwisePretraining
        ``.layers`` (the trained autoencoders), ``.codes`` (z_1, ..., z_L of X), ``.histories``.

    Notes
    -----
    Handout 000 §12 and its worked example "Two-step layerwise pretraining":

    .. math:: \\mathbf{z}_1 = f_1(\\mathbf{x}) = \\phi(W_1 \\mathbf{x} + \\mathbf{b}_1), \\quad
              \\mathbf{z}_2 = f_2(\\mathbf{z}_1) = \\phi(W_2 \\mathbf{z}_1 + \\mathbf{b}_2), \\quad
              \\mathbf{z}_2 = f_2(f_1(\\mathbf{x})).

    Each stage solves a small unsupervised problem; ``unroll`` then gives the deep autoencoder
    that handout 000 §13 fine-tunes on input reconstruction.

    Examples
    --------
    >>> X = np.random.default_rng(0).random((100, 64), dtype=np.float32)
    >>> stack = pretrain_layerwise(X, [64, 32, 16], epochs=5, lr=1e-2)
    >>> [layer.sizes for layer in stack.layers]
    [[64, 32], [32, 16]]
    >>> deep = unroll(stack.layers)   # Autoencoder([64, 32, 16])
    """
    X = check_tensor("X", X, ndim=2, allow_numpy=True).to(torch.float32)
    sizes = check_sizes(sizes, example="[64, 32, 16]")
    if sizes[0] != X.shape[1]:
        raise ValueError(f"sizes[0] must equal the number of features of X, {X.shape[1]}, got {sizes[0]}.")
    epochs = check_int("epochs", epochs)
    check_float("lr", lr, minimum=0.0, include_min=False)
    if batch_size is not None:
        check_int("batch_size", batch_size)
    check_activations(activation, out_activation, code_activation)  # the checks of the Autoencoder it builds
    seed = check_int("seed", seed, minimum=0)
    Z_val = None if X_val is None else check_tensor("X_val", X_val, ndim=2, n_features=sizes[0],
                                                    allow_numpy=True).to(torch.float32)

    n_layers = len(sizes) - 1
    Z = X.cpu().numpy()
    Z_val = None if Z_val is None else Z_val.cpu().numpy()
    layers, codes, histories = [], [], []
    for l in range(n_layers):
        layer = Autoencoder([sizes[l], sizes[l + 1]], activation=activation,
                            code_activation=code_activation if l == n_layers - 1 else activation,
                            out_activation=out_activation if l == 0 else activation, seed=seed + l)
        histories.append(fit(layer, Z, epochs=epochs, lr=lr, batch_size=batch_size, X_val=Z_val,
                             seed=seed + l, progress=False))
        Z = encode(layer, Z)  # (n_samples, sizes[l + 1]): the training data of the next layer
        Z_val = None if Z_val is None else encode(layer, Z_val)
        layers.append(layer)
        codes.append(Z)
    return LayerwisePretraining(layers, codes, histories)


def _linears(module: nn.Module) -> list[nn.Linear]:
    return [m for m in module.modules() if isinstance(m, nn.Linear)]


def unroll(layers: Sequence[Autoencoder]) -> Autoencoder:
    """Assemble one-layer autoencoders into one deep autoencoder (handout 000 §12 step 4, §13).

    For layers with encoders f_1, ..., f_L and decoders g_1, ..., g_L the deep model computes

    .. math:: \\mathbf{z}_L = f_L(\\cdots f_2(f_1(\\mathbf{x}))), \\qquad
              \\tilde{\\mathbf{x}} = g_1(g_2(\\cdots g_L(\\mathbf{z}_L))),

    exactly (the weights are copied, not approximated): the encoders in order, the decoders in
    reverse order. The layers are left untouched, so fine-tuning the result with ``fit`` does not
    change them.

    Parameters
    ----------
    layers : sequence of ``Autoencoder``
        One-layer autoencoders ``Autoencoder([a, b])`` whose widths chain (the code width of one
        is the input width of the next), for example ``pretrain_layerwise(...).layers``. Every
        hidden code and every inner reconstruction must use one activation phi: layers 1..L-1
        with ``code_activation=phi`` and layers 2..L with ``out_activation=phi``, as
        ``pretrain_layerwise`` builds them.

    Returns
    -------
    Autoencoder
        ``Autoencoder([D, K_1, ..., K_L], activation=phi, code_activation=layers[-1].code_activation,
        out_activation=layers[0].out_activation)``.
    """
    if isinstance(layers, Autoencoder) or not isinstance(layers, Sequence) or len(layers) == 0:
        raise TypeError(f"layers must be a non-empty list of Autoencoder, got {type(layers).__name__}.")
    for i, layer in enumerate(layers):
        if not isinstance(layer, Autoencoder):
            raise TypeError(f"layers[{i}] must be an aecourse.models.Autoencoder, got {type(layer).__name__}.")
        if len(layer.sizes) != 2:
            raise ValueError(f"layers[{i}] must be a one-layer autoencoder with sizes [a, b], got sizes {layer.sizes}.")
    for i in range(1, len(layers)):
        if layers[i].sizes[0] != layers[i - 1].sizes[1]:
            raise ValueError(f"layers[{i}] takes {layers[i].sizes[0]} inputs but layers[{i - 1}] gives codes of "
                             f"width {layers[i - 1].sizes[1]}; the widths must chain.")
    phi = layers[0].code_activation if len(layers) > 1 else layers[0].activation
    if phi is None:
        raise ValueError("layers[0].code_activation is None: a deep autoencoder needs a nonlinearity between "
                         "layers; pretrain the hidden layers with code_activation='relu' (or another).")
    for i, layer in enumerate(layers):
        if i < len(layers) - 1 and layer.code_activation != phi:
            raise ValueError(f"layers[{i}].code_activation must be {phi!r} like layers[0]'s, got "
                             f"{layer.code_activation!r}; every hidden code needs the same activation.")
        if i > 0 and layer.out_activation != phi:
            raise ValueError(f"layers[{i}].out_activation must be {phi!r} (the activation of the code it "
                             f"reconstructs), got {layer.out_activation!r}.")

    sizes = [layers[0].sizes[0]] + [layer.sizes[1] for layer in layers]
    with torch.random.fork_rng(devices=[]):  # the weights are overwritten: leave the global generator alone
        deep = Autoencoder(sizes, activation=phi, code_activation=layers[-1].code_activation,
                           out_activation=layers[0].out_activation)
    sources_enc = [_linears(layer.encoder)[0] for layer in layers]
    sources_dec = [_linears(layer.decoder)[0] for layer in reversed(layers)]
    with torch.no_grad():
        for target, source in zip(_linears(deep.encoder) + _linears(deep.decoder), sources_enc + sources_dec):
            target.weight.copy_(source.weight)
            target.bias.copy_(source.bias)
    deep.to(next(layers[0].parameters()).device)
    return deep

