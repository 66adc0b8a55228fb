"""The comparison core shared by every check: GradingError, calling the student's function, comparing
numbers and naming the misconception.

A misconception is recognised by computing the *wrong* formula it leads to and comparing the
student's value with it (``diagnose``): the message is only given when the values agree.
"""
from __future__ import annotations


from collections.abc import Callable, Sequence

import numpy as np
import torch

__all__ = ["GradingError", "call_student", "to_numpy", "scalar", "close", "fmt", "diagnose", "compare", "passed",
           "random_tensor", "unchanged"]

class GradingError(AssertionError):
    """A check failed; the message says what differed and what to fix."""


def call_student(fn: Callable, name: str, *args, **kwargs):
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


def to_numpy(name: str, value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().double().numpy()
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise GradingError(f"{name} must return numbers (a tensor, an array or a float), "
                           f"got {type(value).__name__}.") from None


def scalar(name: str, value, hint: str = "") -> float:
    """The student's output as one float; explains a per-sample vector or a matrix."""
    arr = to_numpy(name, value)
    if arr.size != 1:
        raise GradingError(f"{name} must return a single number, got an array of shape {arr.shape}"
                           + (f"; {hint}" if hint else "."))
    return float(arr.reshape(()))


def close(a, b, rtol: float = 1e-5, atol: float = 1e-7) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def fmt(value) -> str:
    arr = np.asarray(value, dtype=np.float64)
    if arr.size == 1:
        return f"{float(arr.reshape(())):.6g}"
    return np.array2string(arr, precision=4, threshold=8, edgeitems=2)


def diagnose(got, wrong: dict[str, Callable[[], object]], rtol: float = 1e-5, atol: float = 1e-7) -> str:
    """The first misconception whose wrong formula gives the student's value, or ''."""
    for message, compute in wrong.items():
        try:
            value = compute()
        except Exception:  # a wrong formula that cannot even be evaluated here cannot be the cause
            continue
        if close(got, value, rtol, atol):
            return message
    return ""


def compare(name: str, got, expected, case: str, wrong: dict[str, Callable[[], object]] | None = None,
             rtol: float = 1e-5, atol: float = 1e-7, hint: str = "") -> None:
    """Raise a GradingError naming the case, both values and the likely misconception."""
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        raise GradingError(f"{name} on {case}: expected shape {expected.shape}, got {got.shape}"
                           + (f"; {hint}" if hint else "."))
    if not np.isfinite(got).all() and np.isfinite(expected).all():
        raise GradingError(f"{name} on {case} returned NaN or inf (got {fmt(got)}, expected "
                           f"{fmt(expected)})" + (f"; {hint}" if hint else "."))
    if close(got, expected, rtol, atol):
        return
    why = diagnose(got, wrong or {}, rtol, atol)
    raise GradingError(f"{name} on {case}: got {fmt(got)}, expected {fmt(expected)}. "
                       + (f"Likely cause: {why}" if why else (hint or "Check the formula against the exercise text.")))


def passed(name: str, what: str) -> None:
    print(f"OK {name}: {what}")


def random_tensor(shape: Sequence[int], seed: int, dtype=torch.float32, low: float = 0.0, high: float = 1.0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return (low + (high - low) * torch.rand(tuple(shape), generator=g, dtype=torch.float64)).to(dtype)


def unchanged(name: str, before: torch.Tensor, after: torch.Tensor, argument: str) -> None:
    if not torch.equal(before, after):
        raise GradingError(f"{name} changed its input {argument} in place; work on a copy "
                           f"(e.g. {argument}_new = {argument} + ... instead of {argument} += ...).")
