"""Graded checks for ex12_devices, one section per function.

Two rules shape these probes.

- The reference solution always runs on the CPU, in the grading process, which
  must never initialise CUDA. So a probe never returns a raw device: it returns
  facts *relative to the machine it runs on* ("try_gpu(0) matches the machine",
  "on the device"), computed with `torch.cuda.device_count()` (which asks NVML
  and does not initialise CUDA), and it moves every tensor it returns to the CPU.
- Probes that take `device` run on the CPU everywhere and again on `cuda` where
  there is one (those are marked `gpu`). On CUDA, autocast uses float16 where
  the CPU reference used bfloat16, so mixed-precision values are compared in
  float32 with bfloat16-sized tolerances, plus an explicit boolean saying whether
  the 16-bit type is the right one for the device.
"""

import torch
from torch import nn

from grader import check

DEVICES = ("cpu", "cuda")

# bfloat16 keeps 8 significant bits: its relative step is 2**-8 ≈ 0.4%, and a few
# roundings add up through two layers. Also covers float16 (CUDA) vs bfloat16 (reference).
AMP_RTOL, AMP_ATOL = 1.6e-2, 1e-2

# float32 maths on another device (CUDA kernels sum in another order than the CPU's).
DEVICE_RTOL, DEVICE_ATOL = 1e-4, 1e-5


def _cuda_count() -> int:
    return torch.cuda.device_count()  # NVML: does not initialise CUDA in this process


def _amp_dtype(device: torch.device) -> torch.dtype:
    return torch.float16 if device.type == "cuda" else torch.bfloat16


# --- try_gpu, try_all_gpus, get_device ------------------------------------------------


@check(points=2)
def try_gpu_falls_back_to_the_cpu(ex):
    """try_gpu(i) is the torch.device cuda:i when that GPU exists, else the CPU (default i = 0)."""
    calls = {"try_gpu()": (ex.try_gpu(), 0), **{f"try_gpu({i})": (ex.try_gpu(i), i) for i in (0, 1, 7)}}
    observed = {}
    for label, (got, i) in calls.items():
        expected = torch.device(f"cuda:{i}") if _cuda_count() > i else torch.device("cpu")
        observed[f"{label} is a torch.device"] = type(got) is torch.device
        observed[f"{label} matches the machine"] = type(got) is torch.device and got == expected
    return observed


@check(points=1)
def try_all_gpus_lists_every_gpu_or_the_cpu(ex):
    """A list with one torch.device per GPU, or [cpu] on a machine without one."""
    got = ex.try_all_gpus()
    expected = [torch.device(f"cuda:{i}") for i in range(_cuda_count())] or [torch.device("cpu")]
    return {
        "is a list": type(got) is list,
        "every entry is a torch.device": all(type(d) is torch.device for d in got),
        "length matches the machine": len(got) == len(expected),
        "matches the machine": all(type(d) is torch.device for d in got) and list(got) == expected,
    }


@check(points=1)
def get_device_prefers_cuda_then_mps(ex):
    """A torch.device of type cuda if there is a GPU, else mps if available, else cpu."""
    got = ex.get_device()
    expected = "cuda" if _cuda_count() > 0 else "mps" if torch.backends.mps.is_available() else "cpu"
    return {
        "is a torch.device": type(got) is torch.device,
        "type matches the machine": type(got) is torch.device and got.type == expected,
    }


# --- to_device -------------------------------------------------------------------------


def _structure(obj, device):
    """The shape of a nested batch as text: container types, leaves, and where tensors are."""
    kind = type(obj)
    if kind is torch.Tensor:
        where = "on the device" if obj.device.type == device.type else "NOT on the device"
        return f"tensor({str(obj.dtype).removeprefix('torch.')}, {list(obj.shape)}, {where})"
    if kind is dict:
        return "{" + ", ".join(f"{key!r}: {_structure(value, device)}" for key, value in obj.items()) + "}"
    if kind is list:
        return "[" + ", ".join(_structure(item, device) for item in obj) + "]"
    if kind is tuple:
        return "(" + ", ".join(_structure(item, device) for item in obj) + ("," if len(obj) == 1 else "") + ")"
    return f"{kind.__name__} {obj!r}"


def _tensors(obj):
    """Every tensor of a nested batch, in order, on the CPU: the values to compare.

    Only tensors: a dropped or changed non-tensor leaf shows in `structure`, not as
    a cascade of missing keys (which the comparison would list before anything else).
    """
    if isinstance(obj, torch.Tensor):
        return [obj.cpu()]
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, (list, tuple)):
        return [t for item in obj for t in _tensors(item)]
    return []


META = {"scale": 0.5, "index": 7, "note": None, "tags": ["a", "b"]}


def _fixed_batch():
    return {
        "image": torch.randn(2, 3),
        "label": torch.tensor([1, 0]),
        "mask": torch.tensor([True, False]),
        "id": "cat_001",
        "meta": {**META, "tags": list(META["tags"])},
        "pair": (torch.arange(3.0), (torch.ones(1), 2)),
        "list": [torch.zeros(2, 2), "x", [torch.ones(3, dtype=torch.float64)]],
        "empty list": [],
        "empty tuple": (),
    }


@check(points=2, devices=DEVICES)
def to_device_walks_nested_batches(ex, device):
    """Tensors moved (dtype kept) through dicts, lists and tuples; tuples stay tuples; other leaves kept."""
    moved = ex.to_device(_fixed_batch(), device)
    top_tuple = ex.to_device((torch.ones(2), [torch.zeros(1), "s"]), device)
    plain = ex.to_device(torch.arange(4), device)
    pair = moved.get("pair") if type(moved) is dict else None
    return {
        'type of batch["pair"]': type(pair).__name__,
        'batch["id"] kept': type(moved) is dict and moved.get("id") == "cat_001",
        'batch["meta"] kept': type(moved) is dict and moved.get("meta") == META,
        "structure": _structure(moved, device),
        "structure of a top-level tuple": _structure(top_tuple, device),
        "structure of a plain tensor": _structure(plain, device),
        "a string passes through": ex.to_device("just text", device) == "just text",
        "tensors": _tensors(moved),
        "tensors of the tuple": _tensors(top_tuple),
        "tensors of the plain tensor": _tensors(plain),
    }


def _random_batch(depth):
    kind = int(torch.randint(0, 6 if depth > 0 else 3, ()))
    if kind == 0:
        shape = [int(s) for s in torch.randint(1, 4, (int(torch.randint(0, 3, ())),))]
        return torch.randn(shape)
    if kind == 1:
        return torch.randint(0, 10, (int(torch.randint(1, 5, ())),))
    if kind == 2:
        return [None, "text", 3, 2.5, True][int(torch.randint(0, 5, ()))]
    items = [_random_batch(depth - 1) for _ in range(int(torch.randint(0, 4, ())))]
    if kind == 3:
        return items
    if kind == 4:
        return tuple(items)
    return {f"k{i}": item for i, item in enumerate(items)}


@check(points=1, hidden=True, devices=DEVICES)
def to_device_random_nesting(ex, device):
    batch = {
        "inputs": torch.randn(3, 2),
        "pair": (torch.randint(0, 5, (2,)), "label"),  # always a tuple and a non-tensor leaf
        "rest": [_random_batch(3) for _ in range(4)],
    }
    moved = ex.to_device(batch, device)
    return {"structure": _structure(moved, device), "tensors": _tensors(moved)}


# --- predict ---------------------------------------------------------------------------


def _predict_model():
    """Linear, batch norm with non-trivial running statistics, dropout: eval mode matters."""
    model = nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3))
    with torch.no_grad():
        model[1].running_mean.copy_(0.3 * torch.randn(16))
        model[1].running_var.copy_(0.5 + torch.rand(16))
    return model.train()


def _observe_predict(ex, device, batch):
    model = _predict_model()
    running_mean = model[1].running_mean.clone()
    x = torch.randn(batch, 6)
    out = ex.predict(model, x, device)
    is_tensor = isinstance(out, torch.Tensor)
    return {
        "model.training after predict": model.training,
        "every submodule in eval mode": not any(m.training for m in model.modules()),
        "output.requires_grad": is_tensor and out.requires_grad,
        "output is a CPU tensor": is_tensor and out.device.type == "cpu",
        "output": out,
        "model left on the device": all(p.device.type == device.type for p in model.parameters()),
        "running_mean unchanged": torch.equal(model[1].running_mean.cpu(), running_mean),
        "input x untouched on the CPU": x.device.type == "cpu",
    }


@check(points=2, devices=DEVICES, rtol=DEVICE_RTOL, atol=DEVICE_ATOL)
def predict_in_eval_mode_without_grad(ex, device):
    """Eval mode (no dropout, running statistics), no graph, a CPU output, the model left on the device."""
    return _observe_predict(ex, device, batch=5)


@check(points=1, hidden=True, devices=DEVICES, rtol=DEVICE_RTOL, atol=DEVICE_ATOL)
def predict_random_batch(ex, device):
    return _observe_predict(ex, device, batch=int(torch.randint(2, 12, ())))


# --- autocast_forward -------------------------------------------------------------------


def _observe_autocast(ex, device, batch, width):
    model = nn.Sequential(nn.Linear(width, 16), nn.ReLU(), nn.Linear(16, 4)).to(device)
    x = torch.randn(batch, width).to(device)
    with torch.no_grad():
        full = model(x).cpu()
    out = ex.autocast_forward(model, x, device)
    return {
        "autocast dtype is the expected one for this device": out.dtype == _amp_dtype(device),
        "weights still float32": all(p.dtype == torch.float32 for p in model.parameters()),
        "input still float32": x.dtype == torch.float32,
        "autocast off afterwards": not torch.is_autocast_enabled(device.type),
        "output on the device": out.device.type == device.type,
        "output (as float32)": out.detach().float().cpu(),
        "close to the float32 forward": torch.allclose(out.detach().float().cpu(), full, rtol=AMP_RTOL, atol=AMP_ATOL),
    }


@check(points=2, devices=DEVICES, rtol=AMP_RTOL, atol=AMP_ATOL)
def autocast_forward_lowers_precision(ex, device):
    """Linear outputs in bfloat16 (CPU) or float16 (CUDA); the weights stay float32."""
    return _observe_autocast(ex, device, batch=5, width=8)


@check(points=1, hidden=True, devices=DEVICES, rtol=AMP_RTOL, atol=AMP_ATOL)
def autocast_forward_random(ex, device):
    return _observe_autocast(ex, device, batch=int(torch.randint(2, 10, ())), width=int(torch.randint(3, 12, ())))


# --- scaled_step -------------------------------------------------------------------------


def _amp_problem(device, n=6, width=4):
    model = nn.Sequential(nn.Linear(width, 8), nn.Tanh(), nn.Linear(8, 3)).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    # A small initial scale: float16 (CUDA) must not overflow where bfloat16 (the CPU reference) cannot.
    # growth_interval=1 makes every finite step double the scale, so a missing update() shows at once.
    scaler = torch.amp.GradScaler(device.type, init_scale=128.0, growth_interval=1)
    x, y = torch.randn(n, width).to(device), torch.randn(n, 3).to(device)
    return model, optimizer, scaler, x, y


def _flat(tensors):
    return torch.cat([t.detach().float().cpu().reshape(-1) for t in tensors])


def _observe_scaled_steps(ex, device, steps, n=6, width=4):
    model, optimizer, scaler, x, y = _amp_problem(device, n, width)
    scales, losses = [], []
    for _ in range(steps):
        losses.append(ex.scaled_step(model, optimizer, scaler, x, y, nn.MSELoss()))
        scales.append(scaler.get_scale())
    return {
        "scale after each step": scales,
        "gradients after the last step (unscaled)": _flat(p.grad for p in model.parameters()),
        "parameters after the steps": _flat(model.parameters()),
        "parameters still float32": all(p.dtype == torch.float32 for p in model.parameters()),
        "losses": [float(loss) for loss in losses],
    }


@check(points=2, devices=DEVICES, rtol=AMP_RTOL, atol=AMP_ATOL)
def scaled_step_trains_and_grows_the_scale(ex, device):
    """Two steps: gradients unscaled before the step, the scale doubled after each good step."""
    return _observe_scaled_steps(ex, device, steps=2)


@check(points=1, devices=DEVICES, rtol=AMP_RTOL, atol=AMP_ATOL)
def scaled_step_skips_an_infinite_step(ex, device):
    """An inf in the input makes the gradients NaN: the step is skipped and the scale halved."""
    model, optimizer, scaler, x, y = _amp_problem(device)
    x[0, 0] = float("inf")
    before = _flat(model.parameters())
    loss = ex.scaled_step(model, optimizer, scaler, x, y, nn.MSELoss())
    after = _flat(model.parameters())
    return {
        "parameters unchanged (step skipped)": torch.equal(before, after),
        "scale after the step": scaler.get_scale(),
        "loss is finite": bool(torch.isfinite(torch.tensor(float(loss)))),
    }


@check(points=1, hidden=True, devices=DEVICES, rtol=AMP_RTOL, atol=AMP_ATOL)
def scaled_step_random_problem(ex, device):
    steps = int(torch.randint(1, 4, ()))
    n, width = int(torch.randint(3, 10, ())), int(torch.randint(2, 7, ()))
    return _observe_scaled_steps(ex, device, steps, n, width)
