"""Exercise 12 — devices: GPUs, device-agnostic code and mixed precision.

Every tensor and every parameter lives on one device (`cpu`, `cuda:0`, `mps`).
An operation needs all its inputs on the same device, so code that runs on a
laptop *and* on a GPU server picks a device once, moves the model and each
batch there, and moves results back to the CPU only to print or store them.

    device = get_device()
    model = model.to(device)                      # parameters and buffers, in place
    for batch in loader:
        batch = to_device(batch, device)          # tensors only; the rest is kept
        ...
    predictions = predict(model, inputs, device)  # back on the CPU, no graph

Mixed precision runs most matrix products in a 16-bit float type while the
weights stay float32: `torch.autocast` chooses per operation (float16 on CUDA,
bfloat16 on the CPU), and `torch.amp.GradScaler` multiplies the loss before
`backward()` so that small float16 gradients do not round to zero, then divides
them again before the optimizer step (and skips the step if any is inf/NaN).

A note on asking "is there a GPU?": `torch.cuda.device_count()` asks the
driver's management library (NVML) and does not initialise CUDA, while
`torch.cuda.is_available()` does. A process that has initialised CUDA cannot
give CUDA to the children it forks (a `DataLoader` with workers, say), so the
reference solution asks with `device_count()`. Either answers the question.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn


# --- choosing a device -------------------------------------------------------------


def try_gpu(i: int = 0) -> torch.device:
    """The device `cuda:i` if that GPU exists, otherwise the CPU.

    Why: code written with `try_gpu()` runs unchanged on a machine without a
    GPU. Return a `torch.device`, not a string: `torch.device("cpu") == "cpu"`
    is False, and a device object carries `.type` and `.index`.
    Example: on a machine with one GPU, try_gpu() → device(type='cuda', index=0)
    and try_gpu(1) → device(type='cpu'); without a GPU both give the CPU.
    """
    # BEGIN SOLUTION count the CUDA devices; cuda:i exists when there are more than i
    if torch.cuda.device_count() > i:
        return torch.device(f"cuda:{i}")
    return torch.device("cpu")
    # END SOLUTION


def try_all_gpus() -> list[torch.device]:
    """Every CUDA device, in order, or `[cpu]` when there is none.

    Why: data-parallel training splits each batch over all GPUs; with the CPU
    as a fallback, the same loop still runs (on one "device").
    Example: with two GPUs → [device(type='cuda', index=0), device(type='cuda', index=1)];
    without → [device(type='cpu')].
    """
    # BEGIN SOLUTION one torch.device per index below device_count(); the CPU alone if that list is empty
    devices = [torch.device(f"cuda:{i}") for i in range(torch.cuda.device_count())]
    return devices if devices else [torch.device("cpu")]
    # END SOLUTION


def get_device() -> torch.device:
    """The best device of this machine: CUDA, then Apple's MPS, then the CPU.

    Why: the one line at the top of a device-agnostic script. MPS (Apple
    silicon GPUs) is asked through `torch.backends.mps.is_available()`.
    Example: get_device() → device(type='cuda') on a GPU server,
    device(type='mps') on a recent Mac, device(type='cpu') elsewhere.
    """
    # BEGIN SOLUTION try cuda first, then mps, then fall back to the cpu
    if torch.cuda.device_count() > 0:
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
    # END SOLUTION


# --- moving data and models -----------------------------------------------------------


def to_device(batch: Any, device: torch.device) -> Any:
    """A copy of `batch` with every tensor moved to `device`.

    `batch` may nest dicts, lists and tuples to any depth; containers keep
    their type (a tuple stays a tuple) and their order, and every other leaf
    (strings, numbers, None) is returned as it is. Tensors keep their dtype.
    Why: real batches are rarely one tensor: `{"image": ..., "label": ...,
    "id": "cat_001"}` or `(inputs, (targets, mask))`. `batch.to(device)` only
    exists on tensors, so walk the structure.
    Example: to_device({"x": torch.ones(2), "name": "a", "pair": (torch.zeros(1), 3)}, device)
    → {"x": tensor on device, "name": "a", "pair": (tensor on device, 3)}.
    """
    # BEGIN SOLUTION recurse into dict / list / tuple, rebuilding each with its own type; .to(device) on tensors
    if isinstance(batch, torch.Tensor):
        return batch.to(device)
    if isinstance(batch, dict):
        return {key: to_device(value, device) for key, value in batch.items()}
    if isinstance(batch, list):
        return [to_device(item, device) for item in batch]
    if isinstance(batch, tuple):
        return tuple(to_device(item, device) for item in batch)
    return batch
    # END SOLUTION


def predict(model: nn.Module, x: torch.Tensor, device: torch.device) -> torch.Tensor:
    """The model's output for `x`, computed on `device`, returned on the CPU.

    What: move the model to `device` (it stays there), switch it to evaluation
    mode, move `x` to `device`, run the forward without recording a graph, and
    return the output on the CPU.
    Why: three separate mistakes hide here. Forgetting `model.eval()` keeps
    dropout dropping and batch norm using (and updating) batch statistics;
    forgetting `torch.no_grad()` builds a graph nobody will use and returns a
    tensor that requires grad; forgetting `.cpu()` hands NumPy, plotting or
    saving code a GPU tensor.
    Example: predict(nn.Linear(3, 1), torch.ones(2, 3), try_gpu()) → a (2, 1)
    CPU tensor with requires_grad False.
    """
    # BEGIN SOLUTION model.to(device) and eval(); forward x.to(device) under torch.no_grad(); .cpu() the output
    model.to(device)
    model.eval()
    with torch.no_grad():
        out = model(x.to(device))
    return out.cpu()
    # END SOLUTION


# --- mixed precision -------------------------------------------------------------------


def autocast_forward(model: nn.Module, x: torch.Tensor, device: torch.device) -> torch.Tensor:
    """The forward `model(x)` under `torch.autocast`, for a model and input already on `device`.

    The 16-bit type is float16 on CUDA and bfloat16 on the CPU (the CPU's
    autocast supports bfloat16; it has float32's range, so nothing overflows).
    Return the output as autocast produced it: a `Linear` output is 16-bit.
    Why: on GPUs, 16-bit matrix products are several times faster and halve
    activation memory. Autocast changes the precision of *operations*, not of
    the model: the weights stay float32, so do not call `model.half()`.
    Example: autocast_forward(nn.Linear(4, 2), torch.randn(3, 4), torch.device("cpu")).dtype
    → torch.bfloat16.
    """
    # BEGIN SOLUTION with torch.autocast(device_type=device.type, dtype=float16 on cuda else bfloat16): return model(x)
    dtype = torch.float16 if device.type == "cuda" else torch.bfloat16
    with torch.autocast(device_type=device.type, dtype=dtype):
        return model(x)
    # END SOLUTION


def scaled_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scaler: torch.amp.GradScaler,
    x: torch.Tensor,
    y: torch.Tensor,
    criterion: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
) -> float:
    """One mixed-precision training step with a gradient scaler; returns the loss as a float.

    What: clear the gradients; compute `criterion(model(x), y)` under autocast
    (as in `autocast_forward`, on `x.device`); `scaler.scale(loss).backward()`;
    `scaler.step(optimizer)`; `scaler.update()`. Return the (unscaled) loss.
    Why: float16 gradients below ~6e-8 round to zero. The scaler multiplies the
    loss by a large factor S so the gradients are S times larger, `scaler.step`
    divides them by S before stepping, and skips the step (`update()` then halves
    S) when any gradient is inf or NaN; after enough good steps `update()` grows S.
    On the CPU with bfloat16 no scaling is needed, but `torch.amp.GradScaler("cpu")`
    exists so the same loop runs everywhere (or build it with `enabled=False`,
    and every call passes the values through unchanged).
    Example: with `scaler = torch.amp.GradScaler(device.type, init_scale=128.0,
    growth_interval=1)`, one finite step leaves `scaler.get_scale()` at 256.0.
    """
    # BEGIN SOLUTION zero_grad; loss under autocast; scaler.scale(loss).backward(); scaler.step(optimizer); scaler.update()
    optimizer.zero_grad()
    device = x.device
    dtype = torch.float16 if device.type == "cuda" else torch.bfloat16
    with torch.autocast(device_type=device.type, dtype=dtype):
        loss = criterion(model(x), y)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.item()
    # END SOLUTION
