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
  float32 with bfloat16-sized tolerances (on CUDA only: `device_tolerances`; a
  CPU run computes what the reference computes and keeps the tight defaults),
  plus an explicit boolean saying whether the 16-bit type is the right one.
- A move to the CPU changes nothing, so "was it moved?" cannot be seen there.
  The checks about moving (`*_moves_*`) also run on the `meta` device, which
  every machine has (shapes and dtypes, no data), and their CPU run moves to
  `meta` too; they return facts only (where each tensor is, dtypes, shapes),
  never values. Copying a meta tensor back to the CPU has no data to copy:
  during those calls it gives zeros of the right shape and dtype.
- What a machine has (GPUs, MPS) is also simulated: `torch.cuda.device_count`,
  `is_available`, `current_device` and `torch.backends.mps.is_available` answer
  for a pretend machine during the call, so a rule for "two GPUs" is checked on
  a laptop too.
"""

import contextlib

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from grader import check

DEVICES = ("cpu", "cuda")
MOVE_DEVICES = ("cpu", "meta", "cuda")

# bfloat16 keeps 8 significant bits: its relative step is 2**-8 ≈ 0.4%, and a few
# roundings add up through two layers. Also covers float16 (CUDA) vs bfloat16 (reference).
AMP_RTOL, AMP_ATOL = 1.6e-2, 1e-2

# float32 maths on another device (CUDA kernels sum in another order than the CPU's).
DEVICE_RTOL, DEVICE_ATOL = 1e-4, 1e-5


def _cuda_count() -> int:
    return torch.cuda.device_count()  # NVML: does not initialise CUDA in this process


def _amp_dtype(device: torch.device) -> torch.dtype:
    return torch.float16 if device.type == "cuda" else torch.bfloat16


def _target(device: torch.device) -> torch.device:
    """Where a `*_moves_*` check moves things: its device, except on the CPU (a no-op) the meta device."""
    return torch.device("meta") if device.type == "cpu" else device


class _MetaCopiesOut(TorchFunctionMode):
    """`.cpu()` / `.to(cpu)` of a meta tensor gives zeros of its shape and dtype (a meta tensor has no data)."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in (torch.Tensor.cpu, torch.Tensor.to) and args and isinstance(args[0], torch.Tensor):
            tensor = args[0]
            if tensor.device.type == "meta":
                where, dtype = (torch.device("cpu"), None) if func is torch.Tensor.cpu else torch._C._nn._parse_to(*args[1:], **kwargs)[:2]
                if where is not None and where.type == "cpu":
                    return torch.zeros(tensor.shape, dtype=dtype or tensor.dtype)
        return func(*args, **kwargs)


@contextlib.contextmanager
def _machine(ex, gpus: int, mps: bool = False):
    """During the block, torch (and the learner's module, if it imported them by name) answers as a
    machine with `gpus` CUDA devices and MPS present or not. Asks nothing of the real driver."""
    fakes = {
        (torch.cuda, "device_count"): lambda: gpus,
        (torch.cuda, "is_available"): lambda: gpus > 0,
        (torch.cuda, "current_device"): lambda: 0,
        (torch.backends.mps, "is_available"): lambda: mps,
    }
    saved = []
    for (owner, name), fake in fakes.items():
        original = getattr(owner, name)
        for holder, attribute in [(owner, name)] + [(ex, k) for k, v in vars(ex).items() if v is original]:
            saved.append((holder, attribute, getattr(holder, attribute)))
            setattr(holder, attribute, fake)
    try:
        yield
    finally:
        for holder, attribute, original in reversed(saved):
            setattr(holder, attribute, original)


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
    for gpus in (2, 1, 0):
        with _machine(ex, gpus):
            got = {i: ex.try_gpu(i) for i in (0, 1, 2)}
        for i, device in got.items():
            observed[f"with {gpus} GPU(s): try_gpu({i})"] = str(device)
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
        **{f"with {gpus} GPU(s)": _simulated(ex, ex.try_all_gpus, gpus) for gpus in (2, 1, 0)},
    }


def _simulated(ex, function, gpus, mps=False):
    """What `function()` gives on a pretend machine: device names (a list's), or a device's type."""
    with _machine(ex, gpus, mps):
        got = function()
    return [str(d) for d in got] if isinstance(got, list) else str(getattr(got, "type", got))


@check(points=1)
def get_device_prefers_cuda_then_mps(ex):
    """A torch.device of type cuda if there is a GPU, else mps if available, else cpu."""
    got = ex.get_device()
    expected = "cuda" if _cuda_count() > 0 else "mps" if torch.backends.mps.is_available() else "cpu"
    return {
        "is a torch.device": type(got) is torch.device,
        "type matches the machine": type(got) is torch.device and got.type == expected,
        "with 1 GPU: the type": _simulated(ex, ex.get_device, 1),
        "with 2 GPUs and MPS: the type": _simulated(ex, ex.get_device, 2, mps=True),
        "with MPS and no GPU: the type": _simulated(ex, ex.get_device, 0, mps=True),
        "with neither: the type": _simulated(ex, ex.get_device, 0),
    }


# --- to_device -------------------------------------------------------------------------


def _structure(obj, device, place="the device"):
    """The shape of a nested batch as text: container types, leaves, and where tensors are."""
    kind = type(obj)
    if kind is torch.Tensor:
        where = f"on {place}" if obj.device.type == device.type else f"NOT on {place}"
        return f"tensor({str(obj.dtype).removeprefix('torch.')}, {list(obj.shape)}, {where})"
    if kind is dict:
        return "{" + ", ".join(f"{key!r}: {_structure(value, device, place)}" for key, value in obj.items()) + "}"
    if kind is list:
        return "[" + ", ".join(_structure(item, device, place) for item in obj) + "]"
    if kind is tuple:
        return "(" + ", ".join(_structure(item, device, place) for item in obj) + ("," if len(obj) == 1 else "") + ")"
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


def _caller(batch):
    return _structure(batch, torch.device("cpu"), place="the CPU")


def _scribble(obj):
    """Change every container of a result in place (a key added, an item appended)."""
    if type(obj) is dict:
        for value in list(obj.values()):
            _scribble(value)
        obj["added by the probe"] = 0
    elif type(obj) is list:
        for item in list(obj):
            _scribble(item)
        obj.append("added by the probe")
    elif type(obj) is tuple:
        for item in obj:
            _scribble(item)


@check(points=2, devices=MOVE_DEVICES)
def to_device_moves_every_tensor(ex, device):
    """Every tensor, at any depth, on the device (the meta device on a CPU run); the caller's batch
    is left as it was, and the result is a new structure, not the caller's."""
    target = _target(device)
    batch, nested = _fixed_batch(), ((torch.ones(2), {"y": torch.zeros(1, dtype=torch.long)}),)
    before, nested_before = _caller(batch), _caller(nested)
    moved = ex.to_device(batch, target)
    observed = {
        "every tensor on the device (structure)": _structure(moved, target),
        "the batch passed in unchanged by the call": _caller(batch) == before,
        "the batch passed in, after the call": _caller(batch),
        "a plain tensor": _structure(ex.to_device(torch.arange(4), target), target),
        "a tensor in a dict in a tuple in a tuple": _structure(ex.to_device(nested, target), target),
        "the nested tuple passed in unchanged": _caller(nested) == nested_before,
    }
    _scribble(moved)
    observed["a copy: changing the result (its dicts, lists) leaves the batch passed in alone"] = _caller(batch) == before
    return observed


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


@check(points=1, hidden=True, devices=MOVE_DEVICES)
def to_device_moves_random_nesting(ex, device):
    target = _target(device)
    batch = {
        "inputs": torch.randn(3, 2),
        "pair": (torch.randint(0, 5, (2,)), [torch.rand(2) > 0.5, "label"]),  # always: an int tensor in a tuple, a mask and a string in a list
        "rest": [_random_batch(3) for _ in range(4)],
    }
    before = _caller(batch)
    moved = ex.to_device(batch, target)
    return {
        "every tensor on the device (structure)": _structure(moved, target),
        "the batch passed in unchanged by the call": _caller(batch) == before,
    }


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


@check(points=2, devices=DEVICES, device_tolerances={"cuda": (DEVICE_RTOL, DEVICE_ATOL)})
def predict_in_eval_mode_without_grad(ex, device):
    """Eval mode (no dropout, running statistics), no graph, a CPU output, the model left on the device."""
    return _observe_predict(ex, device, batch=5)


@check(points=1, hidden=True, devices=DEVICES, device_tolerances={"cuda": (DEVICE_RTOL, DEVICE_ATOL)})
def predict_random_batch(ex, device):
    return _observe_predict(ex, device, batch=int(torch.randint(2, 12, ())))


class _Recording(nn.Module):
    """A model that notes, at each forward, where its input and its weights are, whether it is in
    training mode and whether autograd is recording. Input and weights on different devices would
    make the forward raise: it records that and runs on zeros where the weights are instead."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        self.seen = []

    def forward(self, x):
        weights = next(self.net.parameters()).device
        self.seen.append((x.device.type, weights.type, self.training, torch.is_grad_enabled()))
        if x.device != weights:
            x = torch.zeros(x.shape, dtype=x.dtype, device=weights)
        return self.net(x)


@check(points=2, devices=MOVE_DEVICES)
def predict_moves_model_and_input(ex, device):
    """The model and `x` moved to the device (the meta device on a CPU run) for the forward, the
    output brought back to the CPU; the model stays on the device, the caller's `x` on the CPU."""
    target = _target(device)
    model, x = _Recording(_predict_model()), torch.randn(4, 6)
    with _MetaCopiesOut():
        out = ex.predict(model, x, target)
    is_tensor = isinstance(out, torch.Tensor)
    forwards = [
        {"input on the device": seen[0] == target.type, "model on the device": seen[1] == target.type, "eval mode": not seen[2], "autograd recording": seen[3]}
        for seen in model.seen
    ]
    return {
        "output is a CPU tensor": is_tensor and out.device.type == "cpu",
        "the forward(s)": forwards,
        "model (parameters and buffers) left on the device": all(t.device.type == target.type for t in [*model.parameters(), *model.buffers()]),
        "output.requires_grad": is_tensor and out.requires_grad,
        "output shape": list(out.shape) if is_tensor else None,
        "output dtype": str(out.dtype) if is_tensor else None,
        "x passed in still on the CPU": x.device.type == "cpu",
    }


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


@check(points=2, devices=DEVICES, device_tolerances={"cuda": (AMP_RTOL, AMP_ATOL)})
def autocast_forward_lowers_precision(ex, device):
    """Linear outputs in bfloat16 (CPU) or float16 (CUDA); the weights stay float32."""
    return _observe_autocast(ex, device, batch=5, width=8)


@check(points=1, hidden=True, devices=DEVICES, device_tolerances={"cuda": (AMP_RTOL, AMP_ATOL)})
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


class _Criterion:
    """MSE that notes the dtype of each prediction it is given (16-bit under autocast)."""

    def __init__(self):
        self.dtypes = []

    def __call__(self, prediction, target):
        self.dtypes.append(prediction.dtype)
        return nn.functional.mse_loss(prediction, target)


def _observe_scaled_steps(ex, device, steps, n=6, width=4):
    model, optimizer, scaler, x, y = _amp_problem(device, n, width)
    criterion = _Criterion()
    scales, losses = [], []
    for _ in range(steps):
        losses.append(ex.scaled_step(model, optimizer, scaler, x, y, criterion))
        scales.append(scaler.get_scale())
    return {
        "model output under autocast is 16-bit (the type for the device)": [d == _amp_dtype(device) for d in criterion.dtypes],
        "scale after each step": scales,
        "gradients after the last step (unscaled)": _flat(p.grad for p in model.parameters()),
        "parameters after the steps": _flat(model.parameters()),
        "parameters still float32": all(p.dtype == torch.float32 for p in model.parameters()),
        "losses (as returned: Python floats)": losses,
    }


@check(points=2, devices=DEVICES, device_tolerances={"cuda": (AMP_RTOL, AMP_ATOL)})
def scaled_step_trains_and_grows_the_scale(ex, device):
    """Two steps: gradients unscaled before the step, the scale doubled after each good step."""
    return _observe_scaled_steps(ex, device, steps=2)


@check(points=1, devices=DEVICES, device_tolerances={"cuda": (AMP_RTOL, AMP_ATOL)})
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
        "loss (as returned: a Python float)": loss,
    }


@check(points=1, hidden=True, devices=DEVICES, device_tolerances={"cuda": (AMP_RTOL, AMP_ATOL)})
def scaled_step_random_problem(ex, device):
    n, width = int(torch.randint(3, 10, ())), int(torch.randint(2, 7, ()))
    return _observe_scaled_steps(ex, device, 3, n, width)  # always three steps: gradients accumulate, the scale grows
