"""Checks of lesson 6: one greedy pretraining layer and the stack (handout 000 §10)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from aecourse.grading.core import GradingError, call_student, passed, to_numpy

__all__ = ['check_pretrain_layer', 'check_greedy_pretrain']


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
    H = to_numpy(name, H)
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
    out = call_student(pretrain_layer, name, X, k, seed=seed)
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
    passed(name, f"one trained layer {X.shape[1]} -> {k} and its codes")


def check_greedy_pretrain(greedy_pretrain: Callable, *, sizes: Sequence[int] = (64, 24, 8), n: int = 200,
                          seed: int = 0) -> None:
    """Check ``greedy_pretrain(X, sizes, seed=...)`` -> list of trained one-layer Autoencoders."""
    from aecourse.train import encode

    name = "greedy_pretrain"
    X = _digits_subset(n, seed)
    models = call_student(greedy_pretrain, name, X, list(sizes), seed=seed)
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
    passed(name, f"{len(models)} layers {list(sizes)}, each trained on the codes of the previous one")
