"""Argument checks shared by the public functions.

Every public function checks its arguments once, at entry, before any work, and raises an error
that names the argument, what is allowed and what arrived (STYLE.md, "Errors a student can act on").
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Integral, Real

import numpy as np
import torch


def check_int(name: str, value, *, minimum: int = 1) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r} ({type(value).__name__}).")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}.")
    return int(value)


def check_float(name: str, value, *, minimum: float | None = None, maximum: float | None = None,
                include_min: bool = True, include_max: bool = True) -> float:
    """Return ``value`` as a finite float inside the given bounds, or raise naming ``name``."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__}).")
    value = float(value)
    lo = "" if minimum is None else ("[" if include_min else "(") + f"{minimum:g}"
    hi = "" if maximum is None else f"{maximum:g}" + ("]" if include_max else ")")
    allowed = f"in {lo or '(-inf'}, {hi or 'inf)'}"
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number {allowed}, got {value}.")
    if minimum is not None and (value < minimum or (value == minimum and not include_min)):
        raise ValueError(f"{name} must be {allowed}, got {value:g}.")
    if maximum is not None and (value > maximum or (value == maximum and not include_max)):
        raise ValueError(f"{name} must be {allowed}, got {value:g}.")
    return value


def check_probability(name: str, value) -> float:
    """A corruption probability: a float in [0, 1)."""
    return check_float(name, value, minimum=0.0, maximum=1.0, include_max=False)


def check_tensor(name: str, x, *, ndim: int | None = None, n_features: int | None = None,
                 allow_numpy: bool = False) -> torch.Tensor:
    """Check a data tensor: type, dimensions, feature count, non-empty, no NaN or inf.

    With ``allow_numpy=True`` a numpy array is converted to a float32 tensor.
    """
    if allow_numpy and isinstance(x, np.ndarray):
        x = torch.as_tensor(x, dtype=torch.float32)
    if not isinstance(x, torch.Tensor):
        hint = "a numpy array or " if allow_numpy else ""
        raise TypeError(f"{name} must be {hint}a torch.Tensor, got {type(x).__name__}; "
                        f"convert it with torch.as_tensor({name}, dtype=torch.float32).")
    if not torch.is_floating_point(x):
        raise TypeError(f"{name} must hold floating-point values, got dtype {x.dtype}; "
                        f"use {name}.float().")
    if ndim is not None and x.ndim != ndim:
        shape = "(n_samples, n_features)" if ndim == 2 else f"{ndim} dimensions"
        raise ValueError(f"{name} must have shape {shape}, got shape {tuple(x.shape)}"
                         + ("; flatten images with x.reshape(len(x), -1)." if x.ndim > 2 else "."))
    if x.numel() == 0:
        raise ValueError(f"{name} is empty (shape {tuple(x.shape)}); it needs at least one sample.")
    if n_features is not None and x.shape[-1] != n_features:
        raise ValueError(f"{name} has {x.shape[-1]} features but the model expects {n_features}"
                         + ("; flatten images with x.reshape(len(x), -1)." if x.shape[-1] < n_features else "."))
    if not torch.isfinite(x).all():
        bad = int((~torch.isfinite(x)).sum())
        raise ValueError(f"{name} contains {bad} NaN or infinite values; clean the data first.")
    return x


def check_array(name: str, X, *, ndim: int = 2) -> np.ndarray:
    """Check a numpy-style data array (numpy or torch) and return it as float64 numpy."""
    if isinstance(X, torch.Tensor):
        X = X.detach().cpu().numpy()
    if isinstance(X, (list, tuple)):  # nested lists as a student types them, e.g. [[1, 2], [2, 3]]
        try:
            X = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a rectangular table of numbers, got a ragged or non-numeric "
                            f"{type(X).__name__}.") from None
    if not isinstance(X, np.ndarray):
        raise TypeError(f"{name} must be a numpy array or torch.Tensor, got {type(X).__name__}.")
    if X.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {X.shape}.")
    if X.size == 0:
        raise ValueError(f"{name} is empty (shape {X.shape}); it needs at least one sample.")
    if not np.issubdtype(X.dtype, np.number):
        raise TypeError(f"{name} must hold numbers, got dtype {X.dtype}.")
    X = X.astype(np.float64)
    if not np.isfinite(X).all():
        raise ValueError(f"{name} contains {int((~np.isfinite(X)).sum())} NaN or infinite values.")
    return X


def check_choice(name: str, value, choices, what: str) -> None:
    """Raise unless ``value`` is one of ``choices`` (e.g. the precomputed values of a slider);
    ``what`` names them in the message ("the trained code sizes")."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {what} {list(choices)}, got {value}.")


def check_mapping(name: str, value, what: str) -> None:
    """Raise unless ``value`` is a non-empty mapping; ``what`` describes its items ("lam -> model")."""
    if not isinstance(value, Mapping) or not value:
        shown = f"an empty {type(value).__name__}" if isinstance(value, Mapping) else type(value).__name__
        raise ValueError(f"{name} must be a non-empty mapping {what}, got {shown}.")


def check_scores(name: str, scores) -> np.ndarray:
    """Scores as a 1-D float64 array: non-empty, finite, one number per sample."""
    if isinstance(scores, torch.Tensor):
        scores = scores.detach().cpu().numpy()
    if isinstance(scores, (list, tuple)):
        scores = np.asarray(scores)
    if not isinstance(scores, np.ndarray):
        raise TypeError(f"{name} must be a 1-D numpy array of scores, got {type(scores).__name__}.")
    if scores.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one score per sample), got shape {scores.shape}; "
                         "score each sample with reconstruction_scores(model, X).")
    if scores.size == 0:
        raise ValueError(f"{name} is empty; it needs at least one score.")
    if not np.issubdtype(scores.dtype, np.number) or np.issubdtype(scores.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, got dtype {scores.dtype}.")
    scores = scores.astype(np.float64)
    bad = int((~np.isfinite(scores)).sum())
    if bad:
        raise ValueError(f"{name} contains {bad} NaN or infinite values; check the model and the data "
                         "that produced them.")
    return scores


def check_sizes(sizes, *, example: str = "[64, 32, 8]") -> list[int]:
    """Layer widths ``[D, ..., K]``: a list of at least two positive integers, returned as ints."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2:
        raise ValueError(f"sizes must be a list of at least two layer widths such as {example}, got {sizes!r}.")
    return [check_int(f"sizes[{i}]", s) for i, s in enumerate(sizes)]
