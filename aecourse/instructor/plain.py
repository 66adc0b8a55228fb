"""Plain data between the grader and a sandboxed student process: JSON, arrays as base64 bytes.

``encode`` runs in the student's process (after student code has run there, so nothing it
produces is trusted); ``decode`` runs in the grader and builds only plain values: None, bool,
int, float, str, lists, tuples, dicts with string keys, numpy arrays and torch tensors of a
numeric dtype, and ``aecourse.models.Autoencoder`` rebuilt from its sizes, activations and
weights. No pickle, no import by name, no code: a frame that is anything else raises
``NotPlainData``. An object the encoder cannot express becomes ``{"__unsupported__": type}``,
which the grader reports as a 0 with the type's name.
"""
from __future__ import annotations

import base64
import json
import math

import numpy as np
import torch

MAX_FRAME = 64 * 2**20  # bytes of one message; a bigger one is garbage or an attack
MAX_DEPTH = 20
DTYPES = ("bool", "int8", "uint8", "int16", "int32", "int64", "float16", "float32", "float64")
ACTIVATION_ATTRIBUTES = ("activation", "code_activation", "out_activation")


class NotPlainData(ValueError):
    """A value or frame that is not plain data; the message says what arrived."""


# ----------------------------------------------------------------------------- encoding (student side)

def _array(kind: str, arr: np.ndarray) -> dict:
    arr = np.ascontiguousarray(arr)
    return {kind: str(arr.dtype), "shape": list(arr.shape), "data": base64.b64encode(arr.tobytes()).decode("ascii")}


def _module(value) -> dict:
    sizes = getattr(value, "sizes", None)
    state = {k: _array("__tensor__", v.detach().cpu().numpy()) for k, v in value.state_dict().items()}
    return {"__autoencoder__": {"sizes": [int(s) for s in sizes] if sizes is not None else None,
                                **{k: encode(getattr(value, k, None)) for k in ACTIVATION_ATTRIBUTES},
                                "state": state}}


LAYERS = {"Tanh": torch.nn.Tanh, "Sigmoid": torch.nn.Sigmoid, "ReLU": torch.nn.ReLU, "Identity": torch.nn.Identity}


def _layer(module) -> dict:
    if type(module) is torch.nn.Linear:
        return {"linear": {"weight": _array("__tensor__", module.weight.detach().numpy()),
                           "bias": None if module.bias is None else _array("__tensor__", module.bias.detach().numpy())}}
    name = type(module).__name__
    return {"layer": name if type(module) is LAYERS.get(name) else "unsupported"}


def encode(value, depth: int = 0):
    """A JSON-ready form of ``value``; exact types only (a subclass is not plain data)."""
    if depth > MAX_DEPTH:
        return {"__unsupported__": "a structure nested too deeply"}
    kind = type(value)
    if value is None or kind in (bool, str):
        return value
    if kind is int:
        return value if abs(value) < 2**63 else {"__unsupported__": "an integer too large"}
    if kind is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if kind in (list, tuple):
        return {"__list__" if kind is list else "__tuple__": [encode(v, depth + 1) for v in value]}
    if kind is dict and all(type(k) is str for k in value):
        return {"__dict__": {k: encode(v, depth + 1) for k, v in value.items()}}
    if kind is np.ndarray and str(value.dtype) in DTYPES:
        return _array("__ndarray__", value)
    if isinstance(value, np.generic) and kind.__module__ == "numpy" and str(value.dtype) in DTYPES:
        return {"__npscalar__": _array("__ndarray__", np.asarray(value))}
    if kind in (torch.Tensor, torch.nn.Parameter) and str(value.dtype).removeprefix("torch.") in DTYPES:
        return _array("__tensor__", value.detach().cpu().numpy())
    if kind.__name__ == "Autoencoder" and kind.__module__ == "aecourse.models":
        return _module(value)
    if kind is torch.nn.Sequential:
        return {"__sequential__": [_layer(m) for m in value]}
    if kind is torch.Generator:
        return {"__generator__": _array("__tensor__", value.get_state().numpy())}
    return {"__unsupported__": f"{kind.__module__}.{kind.__qualname__}"}


def dumps(message: dict) -> bytes:
    return json.dumps(message, allow_nan=False, default=lambda o: {"__unsupported__": type(o).__name__}).encode()


# ----------------------------------------------------------------------------- decoding (grader side)

class Unsupported:
    """What the student returned could not be sent as plain data; ``what`` names its type."""

    def __init__(self, what: str):
        self.what = str(what)[:200]


def _decode_array(spec: dict) -> np.ndarray:
    dtype, shape, data = spec.get("__tensor__") or spec.get("__ndarray__"), spec.get("shape"), spec.get("data")
    if dtype not in DTYPES or type(shape) is not list or not all(type(s) is int and s >= 0 for s in shape) \
            or type(data) is not str:
        raise NotPlainData(f"an array with dtype {dtype!r} and shape {shape!r}")
    raw = base64.b64decode(data, validate=True)
    if len(raw) != math.prod(shape) * np.dtype(dtype).itemsize:
        raise NotPlainData(f"an array of shape {shape} with {len(raw)} bytes")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _decode_autoencoder(spec) -> torch.nn.Module:
    from aecourse.models import ACTIVATIONS, Autoencoder

    if type(spec) is not dict or type(spec.get("sizes")) is not list or type(spec.get("state")) is not dict:
        raise NotPlainData("a model without sizes or weights")
    sizes = [int(decode(s)) for s in spec["sizes"]]
    acts = {k: spec.get(k) for k in ACTIVATION_ATTRIBUTES}
    if not all(a is None or (type(a) is str and a in ACTIVATIONS) for a in acts.values()):
        raise NotPlainData(f"a model with activations {acts}"[:300])
    try:
        model = Autoencoder(sizes, **acts)
        state = {k: torch.from_numpy(_decode_array(v)) for k, v in spec["state"].items()}
        model.load_state_dict(state, strict=True)
    except (ValueError, TypeError, RuntimeError) as error:
        raise NotPlainData(f"an Autoencoder that cannot be rebuilt ({type(error).__name__}: {error})"[:300]) from None
    return model.float()


def _decode_layer(spec) -> torch.nn.Module:
    if type(spec) is dict and type(spec.get("linear")) is dict:
        weight = torch.from_numpy(_decode_array(spec["linear"]["weight"]))
        bias = spec["linear"].get("bias")
        if weight.ndim != 2:
            raise NotPlainData(f"a Linear layer with a weight of shape {tuple(weight.shape)}")
        layer = torch.nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None).to(weight.dtype)
        with torch.no_grad():
            layer.weight.copy_(weight)
            if bias is not None:
                layer.bias.copy_(torch.from_numpy(_decode_array(bias)))
        return layer
    if type(spec) is dict and spec.get("layer") in LAYERS:
        return LAYERS[spec["layer"]]()
    raise NotPlainData("a layer that is not Linear, Tanh, Sigmoid, ReLU or Identity")


def decode(value, depth: int = 0):
    """The plain value of an encoded form; raises NotPlainData for anything else."""
    if depth > MAX_DEPTH:
        raise NotPlainData("a structure nested too deeply")
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is not dict or len(value) < 1:
        raise NotPlainData(f"a {type(value).__name__}")
    if "__list__" in value or "__tuple__" in value:
        items = value.get("__list__", value.get("__tuple__"))
        if type(items) is not list:
            raise NotPlainData("a malformed list")
        out = [decode(v, depth + 1) for v in items]
        return out if "__list__" in value else tuple(out)
    if "__dict__" in value and type(value["__dict__"]) is dict:
        return {str(k): decode(v, depth + 1) for k, v in value["__dict__"].items()}
    if "__float__" in value and value["__float__"] in ("nan", "inf", "-inf"):
        return float(value["__float__"])
    if "__ndarray__" in value:
        return _decode_array(value)
    if "__npscalar__" in value:
        return _decode_array(value["__npscalar__"]).reshape(()).copy()[()]
    if "__tensor__" in value:
        return torch.from_numpy(_decode_array(value))
    if "__autoencoder__" in value:
        return _decode_autoencoder(value["__autoencoder__"])
    if "__sequential__" in value and type(value["__sequential__"]) is list:
        return torch.nn.Sequential(*[_decode_layer(m) for m in value["__sequential__"]])
    if "__generator__" in value:
        generator = torch.Generator()
        try:
            generator.set_state(torch.from_numpy(_decode_array(value["__generator__"])))
        except RuntimeError:
            raise NotPlainData("a random generator with a malformed state") from None
        return generator
    if "__unsupported__" in value:
        return Unsupported(value["__unsupported__"])
    raise NotPlainData(f"an object with keys {sorted(value)[:5]}")


def loads(frame: bytes) -> dict:
    """One message from the student's process: a JSON object, or NotPlainData."""
    if len(frame) > MAX_FRAME:
        raise NotPlainData(f"a message of {len(frame)} bytes (at most {MAX_FRAME})")
    try:
        message = json.loads(frame.decode("utf-8"), parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise NotPlainData(f"bytes that are not a JSON message ({type(error).__name__})") from None
    if type(message) is not dict:
        raise NotPlainData(f"a JSON {type(message).__name__}, not an object")
    return message


# ----------------------------------------------------------------------------- frames on a pipe

class Timeout(Exception):
    """No whole frame arrived before the deadline."""


class Closed(Exception):
    """The other end of the pipe is gone (the process died)."""


def write_frame(fd: int, payload: bytes) -> None:
    import os

    data = len(payload).to_bytes(8, "big") + payload
    while data:
        data = data[os.write(fd, data):]


def read_frame(fd: int, deadline: float | None = None) -> bytes:
    """One length-prefixed frame from ``fd``; Timeout after ``deadline`` (time.monotonic), Closed at EOF."""
    import os
    import select
    import time

    def read_exactly(n: int) -> bytes:
        chunks, left = [], n
        while left:
            if deadline is not None:
                wait = deadline - time.monotonic()
                if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                    raise Timeout()
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                raise Closed()
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    size = int.from_bytes(read_exactly(8), "big")
    if size > MAX_FRAME:
        raise NotPlainData(f"a message of {size} bytes (at most {MAX_FRAME})")
    return read_exactly(size)
