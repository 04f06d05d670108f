"""Observations: what a probe returns, flattened to plain data.

A probe may return a dict (nested dicts, lists and tuples are flattened to keys
like `history[2]` or `state.momentum`), or a single value (stored as `result`).
Every leaf becomes one of:

- `TensorValue`: a plain `torch.Tensor` (or `nn.Parameter`), detached, on the CPU,
  with the device it was on;
- `int`, `float`, `bool`, `str`, `None`;
- `Raised`: an exception captured with `capture(...)`;
- `Opaque`: anything else, kept only as its type name. A tensor subclass or an
  object with its own `__eq__` is *not* a tensor, so it can never compare equal.

Observations cross the process boundary as one frame (`grader.core.wire`): JSON
for the structure and safetensors for the tensor data, never pickle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Union

import numpy
import torch

MAX_STRING = 10_000


@dataclass(frozen=True)
class TensorValue:
    data: torch.Tensor
    device: str

    @property
    def dtype(self) -> torch.dtype:
        return self.data.dtype

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.data.shape)


@dataclass(frozen=True)
class Raised:
    """An exception, observed by its type name (the message is kept for display)."""

    type: str
    message: str = ""

    @classmethod
    def of(cls, error: BaseException) -> "Raised":
        return cls(type(error).__name__, _truncate(str(error)))


@dataclass(frozen=True)
class Opaque:
    """A value the grader does not compare: only its type is kept."""

    type: str
    note: str = ""


Value = Union[TensorValue, int, float, bool, str, None, Raised, Opaque]
Observations = dict[str, Value]


def capture(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call `fn`; return its result, or the exception it raised as a `Raised`.

    Lets a probe observe "raises ValueError on bad input" as one key among others.
    NotImplementedError is not captured: an unfinished stub stays "not started".
    """
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - every exception is an observation
        return Raised.of(error)


def _truncate(text: str) -> str:
    return text if len(text) <= MAX_STRING else text[:MAX_STRING] + "…"


def _type_name(value: Any) -> str:
    kind = type(value)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def _leaf(value: Any) -> Value:
    kind = type(value)  # type(), never isinstance(): subclasses are not trusted
    if kind is torch.Tensor or kind is torch.nn.Parameter:
        if value.layout != torch.strided or value.is_complex() or value.device.type == "meta":
            return Opaque("torch.Tensor", f"{value.layout} {value.dtype} on {value.device}: not comparable")
        return TensorValue(value.detach().to("cpu", copy=True).contiguous(), str(value.device))
    if kind in (bool, int, float, type(None), Raised, Opaque):
        return value
    if isinstance(value, (numpy.bool_, numpy.integer, numpy.floating)):
        return value.item()  # a NumPy scalar is a number like any other
    if kind is str:
        return _truncate(value)
    if isinstance(value, torch.Tensor):
        return Opaque(_type_name(value), "a tensor subclass, not a torch.Tensor")
    if kind in (torch.dtype, torch.device):
        return str(value)
    return Opaque(_type_name(value))


def normalise(result: Any) -> Observations:
    """Flatten a probe's return value into observations."""
    flat: Observations = {}
    if type(result) is dict:
        for key, value in result.items():
            _flatten(str(key), value, flat)
    else:
        _flatten("result", result, flat)
    return flat


def _flatten(key: str, value: Any, into: Observations) -> None:
    kind = type(value)
    if kind is dict:
        if not value:
            into[key] = "{}"  # an empty dict is still an observation
        for sub, item in value.items():
            _flatten(f"{key}.{sub}", item, into)
    elif kind in (list, tuple, torch.Size):
        into[f"{key}.len"] = len(value)
        for index, item in enumerate(value):
            _flatten(f"{key}[{index}]", item, into)
    else:
        into[key] = _leaf(value)
