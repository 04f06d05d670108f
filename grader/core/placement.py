"""Where a learner's results are: facts for device checks that read the same on every device.

A device check runs its probe on the CPU, on the meta device (shapes and dtypes, no
data: on every machine) and on CUDA where there is one; the reference always runs on
the CPU. So such a probe returns facts that read the same everywhere: whether each
result is on the device it was asked on, its dtype and shape (values are compared by
the CPU checks). Suites use `on_device` (`from grader import on_device`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from grader.core.observations import Raised, capture

# What the meta device refuses for want of data (a boolean mask's data-dependent shape, `.item()`,
# `torch.equal`): legitimate code, which the CUDA run checks. A CPU tensor mixed with the device's
# is not among these.
META_REFUSALS = (
    "cannot be called on meta tensors",
    "Cannot copy out of meta tensor",
    "with Meta tensors",
    "register_meta function",
    "data-dependent",
)


def run_on(device: torch.device, call: Callable[[torch.device], Any]) -> tuple[Any, torch.device]:
    """`call(where)` run on `device`: (its result or the exception it raised, the device it ran on).

    Where the meta device refuses an operation for want of data, the call runs again on the
    CPU, so that its dtypes and shapes are still compared (placement is then the CUDA run's to
    check). A stub's NotImplementedError goes on up: the check is not started.
    """
    try:
        return call(device), device
    except Exception as error:  # noqa: BLE001 - every exception is an observation
        if device.type == "meta" and any(text in str(error) for text in META_REFUSALS):
            cpu = torch.device("cpu")
            return capture(call, cpu), cpu
        if type(error) is NotImplementedError:
            raise
        return Raised.of(error), device


def placed(value: Any, device: torch.device) -> Any:
    """Where results are, as facts that read the same on every device (the reference runs on the CPU)."""
    if isinstance(value, Raised):
        return value
    if type(value) in (tuple, list):
        return [placed(item, device) for item in value]
    if type(value) is dict:
        return {key: placed(item, device) for key, item in value.items()}
    if type(value) not in (torch.Tensor, torch.nn.Parameter):
        return f"not a tensor: {type(value).__name__}"
    return {"on the device": value.device.type == device.type, "dtype": value.dtype, "shape": str(list(value.shape))}


def on_device(device: torch.device, call: Callable[[torch.device], Any]) -> Any:
    """Facts about `call(where)`'s results on `device` (see `run_on` and `placed`)."""
    return placed(*run_on(device, call))
