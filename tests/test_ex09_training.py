"""Graded checks for ex09_training, one section per function.

The probes build small models with fixed weights (or, in hidden checks, weights
drawn from the seeded generator before any learner code runs) and DataLoaders
over fixed data that are not shuffled, or shuffled with their own seeded
generator, so both sides see the same batches in the same order. They return
parameters after training, the losses returned, and explicit facts recorded
while the learner's code ran: the mode of every module during each forward
(a forward pre-hook), whether the criterion received outputs that carry a
graph (a recording criterion), each batch's loss and size (so "the loss returned
is the mean over the samples" is a fact about the learner's own batches), and,
through global hooks on every optimizer step and every parameter's gradient,
whether gradients were zeroed between steps and what the first step was given.
Keys are named after the property they test, so that a failure names it
("gradients zeroed between steps (zero_grad)", not only "parameters"). Losses
are Python floats summed in a different order by valid implementations: floats
are compared with rtol=1e-5, atol=1e-6.

A move from the CPU to the CPU changes nothing, so "was it moved?" cannot be seen
there. The checks about moving (`*_on_the_device`) also run on the `meta` device,
which every machine has (shapes and dtypes, no data), and their CPU run moves to
`meta` too; they return facts only (where each tensor went), never values. A
meta tensor has no value to read: during those calls `.item()`, `int()`,
`float()`, `.tolist()` and copies to the CPU give zeros, so a whole training loop
runs there.

Hidden checks draw values, never coverage: every draw has a short last batch
(of at least 2 samples), and the random fit an optimizer that descends, then
climbs, so that early stopping always triggers.
"""

import copy
import functools
import gzip
import math
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules.module import register_module_forward_pre_hook
from torch.optim.optimizer import register_optimizer_step_pre_hook
from torch.overrides import TorchFunctionMode
from torch.utils.data import DataLoader, RandomSampler, SubsetRandomSampler, TensorDataset

from grader import Raised, check
from grader import capture

RTOL, ATOL = 1e-5, 1e-6
MEAN_OVER_SAMPLES = "loss returned: the mean over the samples of the batch losses (batches weighted by size)"
CPU = torch.device("cpu")
META = torch.device("meta")
MOVE_DEVICES = ("cpu", "meta", "cuda")
DIGITS = Path(__file__).resolve().parents[1] / "data" / "digits.csv.gz"


# --- small models, data and recorders shared by the probes ----------------------------------


def _mlp(n_in=4, n_hidden=8, n_out=3, *, batchnorm=False, dropout=0.0):
    """Linear → [BatchNorm1d] → ReLU → [Dropout] → Linear."""
    layers = [nn.Linear(n_in, n_hidden)]
    if batchnorm:
        layers.append(nn.BatchNorm1d(n_hidden))
    layers.append(nn.ReLU())
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(n_hidden, n_out))
    return nn.Sequential(*layers)


def _fixed(model):
    """Deterministic weights (and BatchNorm statistics) that do not depend on any RNG."""
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(0.6 * torch.sin(0.37 * torch.arange(p.numel(), dtype=torch.float32) + i).reshape(p.shape))
        for module in model.modules():
            if isinstance(module, nn.BatchNorm1d):
                size = module.num_features
                module.running_mean.copy_(0.1 * torch.cos(torch.arange(size, dtype=torch.float32)))
                module.running_var.copy_(1.0 + 0.5 * torch.sin(torch.arange(size, dtype=torch.float32)) ** 2)
    return model


def _fixed_data(n=10, d=4, classes=3, shift=0.0):
    x = torch.sin(0.7 * torch.arange(n * d, dtype=torch.float32) + shift).reshape(n, d)
    x = x + 0.5 * torch.cos(0.3 * torch.arange(n, dtype=torch.float32) + shift)[:, None]
    y = (torch.arange(n) * 7 + int(10 * shift)) % classes
    return x, y


def _loader(x, y, batch_size, shuffle_seed=None):
    generator = None if shuffle_seed is None else torch.Generator().manual_seed(shuffle_seed)
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=generator is not None, generator=generator)


def _params(model):
    return {name: p.detach().cpu().clone() for name, p in model.named_parameters()}


def _record_modes(model):
    """For each forward of `model`: the `training` flag of every module, as seen during the call."""
    seen = []
    model.register_forward_pre_hook(lambda module, args: seen.append([m.training for m in model.modules()]))
    return seen


def _all_in_mode(seen, training):
    return bool(seen) and all(flag == training for flags in seen for flag in flags)


class RecordingCrossEntropy(nn.Module):
    """cross_entropy that notes whether its input carries a graph and whether grad mode is on."""

    def __init__(self):
        super().__init__()
        self.requires_grad, self.grad_enabled = [], []

    def forward(self, outputs, targets):
        self.requires_grad.append(outputs.requires_grad)
        self.grad_enabled.append(torch.is_grad_enabled())
        return F.cross_entropy(outputs, targets)


class BatchLosses(nn.CrossEntropyLoss):
    """cross_entropy that notes each batch's loss and size: what the loss a function returns is made of."""

    def __init__(self):
        super().__init__()
        self.losses, self.sizes = [], []

    def forward(self, outputs, targets):
        loss = super().forward(outputs, targets)
        self.losses.append(loss.item())
        self.sizes.append(len(targets))
        return loss

    def mean_over_samples(self, loss):
        """Whether `loss` (what the learner returned) is the mean of the batch losses weighted by batch size."""
        try:
            value = float(loss.detach() if isinstance(loss, torch.Tensor) else loss)
        except (TypeError, ValueError, RuntimeError):
            return False
        weighted = sum(batch * size for batch, size in zip(self.losses, self.sizes)) / max(sum(self.sizes), 1)
        return bool(self.sizes) and math.isclose(value, weighted, rel_tol=RTOL, abs_tol=ATOL)


ZEROED = "gradients zeroed between steps (zero_grad)"


class _Backwards:
    """What the learner's training did with gradients, noted while it ran (every optimizer, every module):
    whether the first backward() after each optimizer step found the `.grad` of the parameters it reached
    None or zeros (zero_grad in between; backward() calls between two steps may add up), and the gradients
    the first step was given (those of the first batch's mean loss)."""

    def __init__(self):
        self.fresh, self.first_step, self._handles, self._watched, self._reached_since_step = [], None, [], set(), set()

    def watch(self, module):
        """Note every backward() that reaches the parameters of `module` (a hook on each, before accumulation)."""
        for parameter in module.parameters():
            if parameter.requires_grad and id(parameter) not in self._watched:
                self._watched.add(id(parameter))
                self._handles.append(parameter.register_hook(functools.partial(self._reached, parameter)))

    def _reached(self, parameter, grad):
        if id(parameter) not in self._reached_since_step:
            self._reached_since_step.add(id(parameter))
            self.fresh.append(parameter.grad is None or not bool(parameter.grad.any()))

    def _step(self, optimizer, args, kwargs):
        self._reached_since_step.clear()
        if self.first_step is None:
            params = [p for group in optimizer.param_groups for p in group["params"]]
            grads = [torch.zeros(p.shape) if p.grad is None else p.grad.detach().cpu() for p in params]
            self.first_step = [grad.clone() for grad in grads]  # later steps change .grad in place

    def __enter__(self):
        self._handles.append(register_optimizer_step_pre_hook(self._step))
        self._handles.append(register_module_forward_pre_hook(lambda module, args: self.watch(module)))
        return self

    def __exit__(self, *exc):
        for handle in self._handles:
            handle.remove()

    def facts(self):
        return {
            ZEROED: bool(self.fresh) and all(self.fresh),
            "first step's gradients: backward() of the batch's mean loss": self.first_step,
        }


def randint(low, high):
    """A Python int in [low, high), drawn with torch's (seeded) generator."""
    return int(torch.randint(low, high, ()))


def _short_last_batch():
    """(n, batch size): 1 to 4 full batches and a shorter last one of at least 2 samples, so that the
    mean over samples differs from the plain mean of the batch losses, and BatchNorm never sees a batch of 1."""
    batch = randint(3, 9)
    return randint(1, 5) * batch + randint(2, batch), batch


def _set_the_last_batch_apart(x, loader, scale=25.0):
    """Scale the inputs of the samples the seeded loader will put in its short last batch: that batch's
    loss is then far from the others', for every seed, so the mean over samples and the plain mean of
    the batch losses differ clearly (an untrained model's losses are otherwise all near log(classes))."""
    generator = torch.Generator()
    generator.set_state(loader.generator.get_state())  # the order the loader will draw, not drawn from it
    order = list(RandomSampler(loader.dataset, generator=generator))
    last = order[len(order) // loader.batch_size * loader.batch_size :]
    x[last] *= scale


def _random_problem(batchnorm=False, dropout=0.0):
    """A random classification problem, a model for it and a DataLoader shuffled by its own generator."""
    (n, batch), d, classes = _short_last_batch(), randint(3, 7), randint(2, 6)
    x, y = torch.randn(n, d), torch.randint(0, classes, (n,))
    model = _mlp(d, randint(4, 13), classes, batchnorm=batchnorm, dropout=dropout)
    return model, x, y, _loader(x, y, batch, shuffle_seed=randint(0, 10_000))


# --- the device: facts about where tensors went -------------------------------------------------


def _target(device):
    """Where a `*_on_the_device` check puts the model: its device, except on the CPU (where a move
    changes nothing) the meta device."""
    return META if device.type == "cpu" else device


def _zeros_for(tensor, func, args, kwargs):
    """What reading `tensor` (on the meta device, which has no data) gives during the call: zeros."""
    zero = False if tensor.dtype == torch.bool else 0 if not tensor.is_floating_point() else 0.0
    if func in (torch.Tensor.item, torch.Tensor.__int__, torch.Tensor.__index__):
        return int(zero) if func is not torch.Tensor.item else zero
    if func is torch.Tensor.__float__:
        return 0.0
    if func is torch.Tensor.__bool__:
        return False
    if func is torch.Tensor.tolist:
        return torch.zeros(tensor.shape, dtype=tensor.dtype).tolist()
    if func is torch.Tensor.numpy:
        return torch.zeros(tensor.shape, dtype=tensor.dtype).numpy()
    if func is torch.Tensor.cpu:
        return torch.zeros(tensor.shape, dtype=tensor.dtype)
    where, dtype = torch._C._nn._parse_to(*args[1:], **kwargs)[:2]  # torch.Tensor.to
    if where is not None and where.type == "cpu":
        return torch.zeros(tensor.shape, dtype=dtype or tensor.dtype)
    return NotImplemented


class _MetaHasNoValues(TorchFunctionMode):
    """Reading a value out of a meta tensor gives zeros: `.item()`, `int()`, `float()`, `bool()`,
    `.tolist()`, `.numpy()`, `.cpu()` and `.to("cpu")`. Everything else runs as usual."""

    READS = (
        torch.Tensor.item,
        torch.Tensor.__int__,
        torch.Tensor.__index__,
        torch.Tensor.__float__,
        torch.Tensor.__bool__,
        torch.Tensor.tolist,
        torch.Tensor.numpy,
        torch.Tensor.cpu,
        torch.Tensor.to,
    )

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in self.READS and args and type(args[0]) in (torch.Tensor, nn.Parameter) and args[0].device.type == "meta":
            zeros = _zeros_for(args[0], func, args, kwargs)
            if zeros is not NotImplemented:
                return zeros
        return func(*args, **kwargs)


class _WhereTensorsWent(_MetaHasNoValues):
    """`_MetaHasNoValues` that also notes where the tensors of a run the learner's code sets up went: the
    input and the parameters of every module at each forward, the targets reaching cross_entropy."""

    def __init__(self):
        super().__init__()
        self.inputs, self.parameters, self.targets, self._handle = [], [], [], None

    def __torch_function__(self, func, types, args=(), kwargs=None):
        target = args[1] if len(args) > 1 else (kwargs or {}).get("target")
        if func is F.cross_entropy and isinstance(target, torch.Tensor):
            self.targets.append(target.device.type)
        return super().__torch_function__(func, types, args, kwargs)

    def _forward(self, module, args):
        if args and isinstance(args[0], torch.Tensor):
            self.inputs.append(args[0].device.type)
        self.parameters += [p.device.type for p in module.parameters(recurse=False)]

    def __enter__(self):
        self._handle = register_module_forward_pre_hook(self._forward)
        return super().__enter__()

    def __exit__(self, *exc):
        self._handle.remove()
        return super().__exit__(*exc)

    def facts(self, target):
        return {
            "the model's parameters at each forward": _where(self.parameters, target),
            "inputs reaching the model": _where(self.inputs, target),
            "targets reaching the criterion": _where(self.targets, target),
        }


def _where(devices, target):
    """Where a tensor was, call after call: on the device every time, or where else."""
    if not devices:
        return "never reached (the call raised before)"
    elsewhere = sorted({d for d in devices if d != target.type})
    return "on the device every time" if not elsewhere else f"NOT on the device: on {', '.join(elsewhere)}"


def _record_input_devices(model):
    """For each forward of `model`: the device type of its input."""
    seen = []
    model.register_forward_pre_hook(lambda module, args: seen.append(args[0].device.type))
    return seen


class DeviceRecordingCrossEntropy(nn.Module):
    """cross_entropy that notes the device types of the outputs and targets it receives."""

    def __init__(self):
        super().__init__()
        self.outputs, self.targets = [], []

    def forward(self, outputs, targets):
        self.outputs.append(outputs.device.type)
        self.targets.append(targets.device.type)
        return F.cross_entropy(outputs, targets)


def _kind(result):
    """What a call gave: the exception it raised, or the type of its result (values are compared elsewhere)."""
    if isinstance(result, Raised):
        return result
    if type(result) is tuple:
        return "tuple of " + ", ".join(type(item).__name__ for item in result)
    return type(result).__name__


# --- load_digits ------------------------------------------------------------------------


@check(points=2)
def load_digits_reads_the_file(ex):
    """1797 samples: float32 pixels divided by 16 in (1797, 64), int64 labels in (1797,)."""
    features, labels = ex.load_digits(DIGITS)
    return {
        "features.dtype": str(features.dtype),
        "labels.dtype": str(labels.dtype),
        "features.shape": tuple(features.shape),
        "labels.shape": tuple(labels.shape),
        "features max": float(features.max()),
        "samples per class": torch.bincount(labels, minlength=10),
        "features": features,
        "labels": labels,
    }


def _write_digits_file(path, rows):
    with gzip.open(path, "wt") as file:
        file.write("".join(",".join(str(v) for v in row) + "\n" for row in rows))


def _digit_row(i, label):
    return [(5 * i + 3 * j) % 17 for j in range(64)] + [label]


@check(points=1)
def load_digits_reads_any_file(ex):
    """Files of one sample (a single line) and of three, named by a str or a Path: same dtypes, shapes, values."""
    observed = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, rows in (("one sample", [_digit_row(1, 7)]), ("three samples", [_digit_row(i, 9 - 4 * i) for i in range(3)])):
            path = Path(folder) / f"{name.replace(' ', '_')}.csv.gz"
            _write_digits_file(path, rows)
            for kind, where in (("str", str(path)), ("Path", path)):
                features, labels = ex.load_digits(where)
                observed[f"{name}, path as a {kind}"] = {"features": features, "labels": labels}
    return observed


# --- train_one_epoch --------------------------------------------------------------------


def _two_epochs_of_one_batch(ex):
    """Plain SGD, one batch per epoch, twice: the parameters after each epoch. Without zero_grad
    the second step adds the first step's gradient to its own and moves about twice as far."""
    model = _fixed(_mlp())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    x, y = _fixed_data(4)
    after = []
    for _ in range(2):
        ex.train_one_epoch(model, _loader(x, y, 4), optimizer, nn.CrossEntropyLoss(), CPU)
        after.append(_params(model))
    return after


@check(points=3, rtol=RTOL, atol=ATOL)
def train_one_epoch_matches_reference(ex):
    """SGD with momentum over batches of 4, 4 and 2: same parameters; the mean loss, a float, weighted by batch size.
    Two epochs over one batch: the second step starts from fresh gradients."""
    model = _fixed(_mlp())
    start = _params(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    x, y = _fixed_data()
    criterion = BatchLosses()
    with _Backwards() as backwards:
        loss = ex.train_one_epoch(model, _loader(x, y, 4), optimizer, criterion, CPU)
    first, second = _two_epochs_of_one_batch(ex)
    return {
        **backwards.facts(),
        MEAN_OVER_SAMPLES: criterion.mean_over_samples(loss),
        "parameters": _params(model),
        "loss": loss,
        "loss is a Python float": type(loss) is float,
        "after a second epoch of one batch": second,
        # Context for the diagnosis (grader.core.diagnose): the parameters before the first and the last step.
        "start": {"parameters": start},
        "previous": {"after a second epoch of one batch": first},
    }


@check(points=2, rtol=RTOL, atol=ATOL)
def train_one_epoch_switches_to_train_mode(ex):
    """A model handed over in eval mode (as evaluate leaves it) trains in train mode: BatchNorm updates its stats."""
    model = _fixed(_mlp(batchnorm=True)).eval()
    modes = _record_modes(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = _fixed_data(12)
    criterion = BatchLosses()
    with _Backwards() as backwards:
        loss = ex.train_one_epoch(model, _loader(x, y, 4), optimizer, criterion, CPU)
    return {
        "every forward ran in train mode": _all_in_mode(modes, True),
        **backwards.facts(),
        MEAN_OVER_SAMPLES: criterion.mean_over_samples(loss),
        "running_mean": model[1].running_mean,
        "running_var": model[1].running_var,
        "parameters": _params(model),
        "loss": loss,
        "loss is a Python float": type(loss) is float,
    }


@check(points=2, hidden=True, rtol=RTOL, atol=ATOL)
def train_one_epoch_random(ex):
    """Random sizes, batch size and learning rate; batches shuffled by a seeded generator."""
    model, x, _, loader = _random_problem()
    _set_the_last_batch_apart(x, loader)
    lr = 0.05 + 0.3 * float(torch.rand(()))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.5)
    criterion = BatchLosses()
    with _Backwards() as backwards:
        loss = ex.train_one_epoch(model, loader, optimizer, criterion, CPU)
    return {
        **backwards.facts(),
        MEAN_OVER_SAMPLES: criterion.mean_over_samples(loss),
        "parameters": _params(model),
        "loss": loss,
        "loss is a Python float": type(loss) is float,
    }


# --- train_one_epoch and evaluate on a device -------------------------------------------------


@check(points=2, devices=("cpu", "cuda"), rtol=RTOL, atol=ATOL, device_tolerances={"cuda": (1e-4, 1e-5)})
def train_and_evaluate_on_device(ex, device):
    """The model lives on `device`, the loaders yield CPU tensors: both functions move each batch."""
    model = _fixed(_mlp()).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    x, y = _fixed_data(10)
    val_x, val_y = _fixed_data(9, shift=1.0)
    train_batches, val_batches = BatchLosses(), BatchLosses()
    with _Backwards() as backwards:
        train_loss = ex.train_one_epoch(model, _loader(x, y, 4), optimizer, train_batches, device)
    val_loss, accuracy = ex.evaluate(model, _loader(val_x, val_y, 4), val_batches, device)
    return {
        "parameters stay on the device": all(p.device.type == device.type for p in model.parameters()),
        **backwards.facts(),
        "train loss: the mean over the samples of the batch losses (batches weighted by size)": (
            train_batches.mean_over_samples(train_loss)
        ),
        "val loss: the mean over the samples of the batch losses (batches weighted by size)": (
            val_batches.mean_over_samples(val_loss)
        ),
        "train loss": train_loss,
        "train loss is a Python float": type(train_loss) is float,
        "val loss": val_loss,
        "accuracy": accuracy,
        "parameters": _params(model),
    }


@check(points=2, devices=MOVE_DEVICES)
def batches_moved_to_the_device(ex, device):
    """The model lives on the device, the loaders yield CPU tensors: train_one_epoch and evaluate move
    the inputs and the targets of every batch (on the CPU run, to the meta device)."""
    target = _target(device)
    model = _fixed(_mlp()).to(target)
    inputs_seen, criterion = _record_input_devices(model), DeviceRecordingCrossEntropy()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    x, y = _fixed_data(10)
    observed = {}
    for name, call in (
        ("train_one_epoch", lambda: ex.train_one_epoch(model, _loader(x, y, 4), optimizer, criterion, target)),
        ("evaluate", lambda: ex.evaluate(model, _loader(x, y, 4), criterion, target)),
    ):
        inputs_seen.clear()
        criterion.outputs.clear()
        criterion.targets.clear()
        with _MetaHasNoValues():
            result = capture(call)
        observed[name] = {
            "inputs reaching the model": _where(inputs_seen, target),
            "targets reaching the criterion": _where(criterion.targets, target),
            "outputs reaching the criterion": _where(criterion.outputs, target),
            "the call": result if isinstance(result, Raised) else "returned",
            "parameters still on the device": all(p.device.type == target.type for p in model.parameters()),
        }
    return observed


# --- evaluate ---------------------------------------------------------------------------


@check(points=3, rtol=RTOL, atol=ATOL)
def evaluate_in_eval_mode(ex):
    """Dropout off, BatchNorm stats untouched; the loss is cross_entropy over the whole set (batches of 4, 4, 2)."""
    model = _fixed(_mlp(batchnorm=True, dropout=0.5)).train()
    before = copy.deepcopy(model.state_dict())
    modes = _record_modes(model)
    x, y = _fixed_data(10, shift=2.0)
    loss, accuracy = ex.evaluate(model, _loader(x, y, 4), nn.CrossEntropyLoss(), CPU)
    in_eval_mode = _all_in_mode(modes, False)
    after = model.state_dict()
    unchanged = all(torch.equal(before[key], after[key]) for key in before)
    with torch.no_grad():
        outputs = model.eval()(x)
    whole_loss = F.cross_entropy(outputs, y).item()
    whole_accuracy = (outputs.argmax(dim=1) == y).sum().item() / len(y)
    return {
        "every forward ran in eval mode": in_eval_mode,
        "state_dict unchanged (BatchNorm running stats)": unchanged,
        "loss equals cross_entropy over the whole set (batches weighted by size)": math.isclose(
            loss, whole_loss, rel_tol=RTOL, abs_tol=ATOL
        ),
        "accuracy equals the fraction of argmax == target": math.isclose(accuracy, whole_accuracy, rel_tol=RTOL),
        "loss": loss,
        "accuracy": accuracy,
        "loss and accuracy are Python floats": type(loss) is float and type(accuracy) is float,
    }


@check(points=2)
def evaluate_builds_no_graph(ex):
    """Under no_grad: the criterion gets outputs with requires_grad False, with grad mode off."""
    model = _fixed(_mlp())
    criterion = RecordingCrossEntropy()
    x, y = _fixed_data(10)
    ex.evaluate(model, _loader(x, y, 4), criterion, CPU)
    return {
        "criterion called": bool(criterion.requires_grad),
        "outputs reaching the criterion carry a graph": any(criterion.requires_grad),
        "grad mode on during the criterion call": any(criterion.grad_enabled),
        "parameters left without .grad": all(p.grad is None for p in model.parameters()),
    }


@check(points=2, hidden=True, rtol=RTOL, atol=ATOL)
def evaluate_random(ex):
    """Random sizes and classes, a model with BatchNorm and Dropout handed over in train mode."""
    model, x, y, loader = _random_problem(batchnorm=True, dropout=0.3)
    model.train()
    before = copy.deepcopy(model.state_dict())
    criterion = BatchLosses()
    loss, accuracy = ex.evaluate(model, loader, criterion, CPU)
    after = model.state_dict()
    return {
        "state_dict unchanged (eval mode: BatchNorm running stats)": all(
            torch.equal(before[key], after[key]) for key in before
        ),
        MEAN_OVER_SAMPLES: criterion.mean_over_samples(loss),
        "loss": loss,
        "accuracy": accuracy,
    }


# --- fit --------------------------------------------------------------------------------


def _overfitting_problem():
    """One feature, two classes. Training data are separable, so training keeps growing the
    logit gap; 1 in 4 validation samples disagree, so the validation loss is lowest at a gap
    of ln 3 and rises after it: the validation loss falls, then climbs."""
    x = torch.tensor([[1.0], [-1.0]]).repeat(4, 1)
    y = torch.tensor([1, 0]).repeat(4)
    val_x = torch.tensor([[1.0]] * 4 + [[-1.0]] * 4)
    val_y = torch.tensor([1, 1, 1, 0, 0, 0, 0, 1])
    model = nn.Linear(1, 2)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[0.1], [-0.1]]))
        model.bias.zero_()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.15)
    return model, optimizer, _loader(x, y, 4), _loader(val_x, val_y, 3), (val_x, val_y)


FIRST_OF_TIES = "best_epoch: the first of tied losses (a tie is not an improvement)"
VAL_LOSS = "val_loss (each a mean over the samples: batches weighted by size)"
TRAIN_LOSS = "train_loss (each a mean over the samples: batches weighted by size)"
# The weights fit leaves in the model: those of the best epoch, kept as a copy while training went on.
BEST_WEIGHTS = "parameters after fit: the best epoch's (a copy restored)"
BEST_BIAS = "bias after fit: the best epoch's (a copy restored)"


def _losses(values):
    return torch.tensor([float(v) for v in values], dtype=torch.float64)


def _summary(history, best_epoch="best_epoch"):
    """The history, each list as one float64 tensor: a run of the wrong length shows as a shape
    difference after `epochs run`, rather than as a list of missing keys. `best_epoch`: its key, named
    after the rule a check is about (ties)."""
    lists = [history["train_loss"], history["val_loss"], history["val_accuracy"]]
    run, best = len(history["val_loss"]), history["best_epoch"]
    return {
        "epochs run": run,
        "epochs run after the best one (stops after `patience` bad epochs since the best)": run - 1 - best
        if type(best) is int
        else best,
        best_epoch: best,
        VAL_LOSS: _losses(history["val_loss"]),
        TRAIN_LOSS: _losses(history["train_loss"]),
        "val_accuracy": _losses(history["val_accuracy"]),
        "history values are Python floats": all(type(v) is float for values in lists for v in values),
    }


@check(points=3, rtol=RTOL, atol=ATOL)
def fit_stops_early(ex):
    """Validation loss falls, then rises: the run stops `patience` epochs after the best one."""
    model, optimizer, train_loader, val_loader, _ = _overfitting_problem()
    with _Backwards() as backwards:
        history = ex.fit(
            model, train_loader, val_loader, optimizer, nn.CrossEntropyLoss(), CPU, max_epochs=30, patience=3
        )
    return {**backwards.facts(), **_summary(history)}


@check(points=2, rtol=RTOL, atol=ATOL)
def fit_restores_best_weights(ex):
    """After fit the model holds the weights of the best epoch, not the last one."""
    model, optimizer, train_loader, val_loader, (val_x, val_y) = _overfitting_problem()
    with _Backwards() as backwards:
        history = ex.fit(
            model, train_loader, val_loader, optimizer, nn.CrossEntropyLoss(), CPU, max_epochs=30, patience=3
        )
    with torch.no_grad():
        final_loss = F.cross_entropy(model(val_x), val_y).item()
    best_loss = float(history["val_loss"][history["best_epoch"]])
    return {
        "val loss of the returned model equals the best val loss": math.isclose(
            final_loss, best_loss, rel_tol=RTOL, abs_tol=ATOL
        ),
        **backwards.facts(),
        "best val_loss in the history (a mean over the samples: batches weighted by size)": best_loss,
        BEST_WEIGHTS: _params(model),
    }


class _StopsMovingAfter(torch.optim.SGD):
    """Plain SGD for its first `steps` steps; after them `step()` leaves the parameters alone, so every
    later epoch's validation loss equals the one before it, to the last bit: a tie."""

    def __init__(self, params, lr, steps):
        super().__init__(params, lr=lr)
        self.steps_left = steps

    def step(self, closure=None):
        if self.steps_left <= 0:
            return None
        self.steps_left -= 1
        return super().step(closure)


@check(points=2, rtol=RTOL, atol=ATOL)
def fit_ties_are_not_improvements(ex):
    """Two epochs of training, then the weights stop changing: the next validation losses tie with the
    best one, a tie is not an improvement (strictly lower), so the run stops `patience` epochs after epoch 1."""
    model, _, train_loader, val_loader, _ = _overfitting_problem()
    optimizer = _StopsMovingAfter(model.parameters(), lr=0.15, steps=4)  # 2 batches per epoch
    with _Backwards() as backwards:
        history = ex.fit(
            model, train_loader, val_loader, optimizer, nn.CrossEntropyLoss(), CPU, max_epochs=12, patience=3
        )
    return {**backwards.facts(), **_summary(history, FIRST_OF_TIES), BEST_WEIGHTS: _params(model)}


class _Scripted(torch.optim.Optimizer):
    """An optimizer whose k-th step ignores the gradients and sets the bias of a zero-weight
    nn.Linear(1, 2) so that the loss on class-1 targets is the k-th value of `losses`: with logits
    (b, 0), cross_entropy is log(1 + e^b), so b = log(e^L - 1). The validation losses follow the script."""

    def __init__(self, model, losses):
        super().__init__(model.parameters(), {})
        self.model, self.biases = model, [math.log(math.expm1(loss)) for loss in losses]

    @torch.no_grad()
    def step(self, closure=None):
        self.model.weight.zero_()
        self.model.bias.copy_(torch.tensor([self.biases.pop(0), 0.0]))


def _scripted_fit(ex, losses, patience):
    model = nn.Linear(1, 2)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    x = torch.linspace(-1, 1, 6)[:, None]
    train_loader, val_loader = _loader(x, torch.tensor([0, 1, 1, 0, 1, 0]), 6), _loader(x, torch.ones(6, dtype=torch.long), 4)
    optimizer = _Scripted(model, losses)
    history = ex.fit(
        model, train_loader, val_loader, optimizer, nn.CrossEntropyLoss(), CPU, max_epochs=len(losses), patience=patience
    )
    return {**_summary(history, FIRST_OF_TIES), BEST_BIAS: model.bias.detach().clone()}


# Validation losses, epoch by epoch: the best is epoch 4 (0.7); epochs 2-3 are worse, but fewer than
# `patience`, so the count starts again at epoch 4; epoch 5 ties (not an improvement); 5, 6, 7 make three.
SCRIPT = [1.0, 0.8, 0.9, 0.85, 0.7, 0.7, 0.75, 0.9, 0.8, 0.6, 0.5, 0.4]


@check(points=2, rtol=RTOL, atol=ATOL)
def fit_counts_bad_epochs_since_the_best(ex):
    """Scripted validation losses 1.0, 0.8, 0.9, 0.85, 0.7, 0.7, 0.75, 0.9, … with patience 3: two bad
    epochs, then a new best (the count starts again), a tie (not an improvement), and the stop after epoch 7."""
    return _scripted_fit(ex, SCRIPT, patience=3)


def _random_script():
    """Random validation losses with, for every draw: an improvement after fewer bad epochs than
    `patience` (one of them a tie with the best), a second best, then `patience` bad epochs (one a tie,
    never the last: the weights of the epoch that stops differ from the best's) and a few more that must
    never run."""
    patience = randint(2, 5)
    losses = [2.0 + float(torch.rand(()))]
    losses += _falling(losses[-1], randint(1, 3))
    best = min(losses)
    bump = _above(best, randint(1, patience))
    bump[randint(0, len(bump))] = best
    losses += bump
    losses += _falling(best, randint(1, 3))
    best = min(losses)
    tail = _above(best, patience)
    tail[randint(0, len(tail) - 1)] = best  # never the last epoch run: its weights must differ from the best's
    losses += tail + _falling(best, randint(1, 4))
    return losses, patience


def _falling(start, count):
    """`count` values, each 0.05 to 0.15 below the one before, starting below `start`."""
    values = []
    for _ in range(count):
        start -= 0.05 + 0.1 * float(torch.rand(()))
        values.append(start)
    return values


def _above(best, count):
    return [best + 0.02 + 0.3 * float(torch.rand(())) for _ in range(count)]


@check(points=1, hidden=True, rtol=RTOL, atol=ATOL)
def fit_scripted_random(ex):
    """Random scripted validation losses and patience: bad epochs, ties, new bests and the stop."""
    losses, patience = _random_script()
    return _scripted_fit(ex, losses, patience)


class _DescendsThenClimbs(torch.optim.SGD):
    """SGD with momentum that, after `turn` steps, climbs the loss instead of descending it (its learning
    rate turns negative). With the training data as validation data, the validation loss falls, then
    rises for good: early stopping triggers, and the best epoch is never the last one run."""

    def __init__(self, params, lr, momentum, turn):
        super().__init__(params, lr=lr, momentum=momentum)
        self.steps_taken, self.turn = 0, turn

    def step(self, closure=None):
        self.steps_taken += 1
        if self.steps_taken == self.turn + 1:
            for group in self.param_groups:
                group["lr"] = -group["lr"]
        return super().step(closure)


def _val_batch_size(n):
    """A validation batch size that leaves a shorter last batch of at least 2 samples."""
    sizes = [b for b in range(3, 10) if n % b >= 2]
    return sizes[randint(0, len(sizes))]


@check(points=2, hidden=True, rtol=RTOL, atol=ATOL)
def fit_random(ex):
    """Random problem, patience, epoch budget and turning point: the same history and final weights."""
    model, x, y, loader = _random_problem()
    batches = len(loader)
    turn_epoch, patience = randint(1, 4), randint(1, 4)
    optimizer = _DescendsThenClimbs(
        model.parameters(), lr=0.05 + 0.25 * float(torch.rand(())), momentum=0.5, turn=turn_epoch * batches
    )
    val_loader, max_epochs = _loader(x, y, _val_batch_size(len(y))), turn_epoch + patience + randint(6, 10)
    with _Backwards() as backwards:
        history = ex.fit(
            model, loader, val_loader, optimizer, nn.CrossEntropyLoss(), CPU, max_epochs=max_epochs, patience=patience
        )
    return {**backwards.facts(), **_summary(history), BEST_WEIGHTS: _params(model)}


# --- accumulated_step -------------------------------------------------------------------


SAME_AS_FULL_BATCH = "same parameters as full-batch steps of the mean loss (each micro-batch loss divided by k)"


def _full_batch_steps(model, lr, momentum, batches):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    for inputs, targets in batches:
        optimizer.zero_grad()
        F.cross_entropy(model(inputs), targets).backward()
        optimizer.step()
    return model


def _same_parameters(model, other):
    return all(
        torch.allclose(p, q, rtol=RTOL, atol=ATOL) for p, q in zip(model.parameters(), other.parameters(), strict=True)
    )


@check(points=3, rtol=RTOL, atol=ATOL)
def accumulation_matches_full_batch(ex):
    """Two steps with k = 4 micro-batches of 3 leave the parameters of two full-batch steps of 12; k = 5 raises."""
    model = _fixed(_mlp())
    twin = copy.deepcopy(model)
    x, y = _fixed_data(24)
    batches = [(x[:12], y[:12]), (x[12:], y[12:])]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    losses = [ex.accumulated_step(model, optimizer, nn.CrossEntropyLoss(), bx, by, 4) for bx, by in batches]
    _full_batch_steps(twin, 0.2, 0.9, batches)
    spare = _fixed(_mlp())
    spare_optimizer = torch.optim.SGD(spare.parameters(), lr=0.2)
    return {
        SAME_AS_FULL_BATCH: _same_parameters(model, twin),
        "parameters": _params(model),
        "losses": losses,
        "losses are Python floats": all(type(loss) is float for loss in losses),
        **{
            f"k={k} on a batch of 12": capture(
                ex.accumulated_step, spare, spare_optimizer, nn.CrossEntropyLoss(), x[:12], y[:12], k
            )
            for k in (5, 0, -3)
        },
        "parameters left alone by the refused calls": _params(spare),
    }


@check(points=1, rtol=RTOL, atol=ATOL)
def accumulation_with_k_1_is_one_full_batch_step(ex):
    """k = 1 is allowed (every batch size is a multiple of 1): one micro-batch, the plain full-batch step."""
    model = _fixed(_mlp())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    x, y = _fixed_data(12)
    loss = capture(ex.accumulated_step, model, optimizer, nn.CrossEntropyLoss(), x, y, 1)
    return {"k=1 returns": loss, "parameters": _params(model)}


@check(points=2, hidden=True, rtol=RTOL, atol=ATOL)
def accumulation_random(ex):
    """Random k, micro-batch size and problem: the same update as full-batch SGD."""
    k, size, d, classes = randint(2, 6), randint(1, 5), randint(3, 7), randint(2, 6)
    model = _mlp(d, randint(4, 13), classes)
    twin = copy.deepcopy(model)
    batches = [(torch.randn(k * size, d), torch.randint(0, classes, (k * size,))) for _ in range(2)]
    lr = 0.05 + 0.3 * float(torch.rand(()))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    losses = [ex.accumulated_step(model, optimizer, nn.CrossEntropyLoss(), bx, by, k) for bx, by in batches]
    _full_batch_steps(twin, lr, 0.9, batches)
    return {SAME_AS_FULL_BATCH: _same_parameters(model, twin), "losses": losses}


# --- train_digits_classifier ------------------------------------------------------------


@functools.cache
def _digits():
    """The probe's own reader (independent of the learner's load_digits), read once per process."""
    with gzip.open(DIGITS, "rt") as file:
        table = torch.tensor([[int(v) for v in line.split(",")] for line in file if line.strip()])
    return table[:, :64].to(torch.float32) / 16.0, table[:, 64]


def _read_digits():
    """Copies: the learner's code never holds the cached tensors."""
    features, labels = _digits()
    return features.clone(), labels.clone()


class _FitCalls:
    """Wraps the module's `fit` (which train_digits_classifier calls by name) to note what it is given."""

    def __init__(self, ex):
        self.calls, self.ex, self.fit = [], ex, ex.fit

    def __enter__(self):
        def fit(model, train_loader, val_loader, *args, **kwargs):
            self.calls.append((train_loader, val_loader))
            return self.fit(model, train_loader, val_loader, *args, **kwargs)

        self.ex.fit = fit
        return self

    def __exit__(self, *exc):
        self.ex.fit = self.fit


def _shuffles(loader):
    sampler = getattr(getattr(loader, "batch_sampler", None), "sampler", None) or getattr(loader, "sampler", None)
    return isinstance(sampler, (RandomSampler, SubsetRandomSampler))


def _batch_size(loader):
    """The loader's training batch size: its own, or its batch sampler's (None when neither says)."""
    size = getattr(loader, "batch_size", None)
    return size if size is not None else getattr(getattr(loader, "batch_sampler", None), "batch_size", None)


def _split_facts(calls, n):
    """What fit was given: a training set shuffled in batches of 64 (the docstring's number; the other numbers
    are approximate: 'about 10%', 'lr ≈ 3e-3', 'patience ≈ 5'), and about 10% of the samples held out."""
    if len(calls) != 1:
        return {"fit called once": len(calls)}
    train_loader, val_loader = calls[0]
    try:
        n_train, n_val = len(train_loader.dataset), len(val_loader.dataset)
    except TypeError:
        return {"fit called once": 1, "the loaders have datasets with a length": False}
    return {
        "fit called once": 1,
        "the loaders have datasets with a length": True,
        "validation set: between 5% and 30% of the samples": 0.05 * n <= n_val <= 0.3 * n,
        "training and validation sets together: every sample once": n_train + n_val == n,
        "training batches shuffled (a random sampler)": _shuffles(train_loader),
        "training batch size (the docstring: batches of 64)": _batch_size(train_loader),
    }


@check(points=4, timeout=30)
def digits_classifier_reaches_95_percent(ex):
    """Trained on 1437 digits, the model classifies at least 95% of 360 held-out digits correctly. It comes back
    in eval mode with 10 logits per digit; fit got shuffled training batches and about 10% held out for validation."""
    features, labels = _read_digits()
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))
    test, train = order[:360], order[360:]
    with _Backwards() as backwards, _FitCalls(ex) as fit:
        model = ex.train_digits_classifier(features[train].clone(), labels[train].clone())
    is_module = isinstance(model, nn.Module)
    observed = {"returns an nn.Module": is_module, ZEROED: backwards.facts()[ZEROED]}
    if is_module:
        observed["returned in eval mode (every module)"] = not any(m.training for m in model.modules())
        model.eval()
        with torch.no_grad():
            logits = model(features[test])
        accuracy = (logits.argmax(dim=1) == labels[test]).double().mean().item()
        observed["test accuracy >= 0.95"] = accuracy >= 0.95
        observed["logits of the 360 test digits: shape"] = tuple(logits.shape)
    return {**observed, **_split_facts(fit.calls, len(train))}


def _digits_subset(size=128):
    features, labels = _read_digits()
    return features[:size].clone(), labels[:size].clone()


@check(points=2, timeout=30)
def digits_classifier_is_seeded(ex):
    """The run is seeded by `seed`: two runs with seed=5 give the same model (whatever ran before them),
    seed=6 another one. Trained on 128 digits, compared on 100 others."""
    features, labels = _digits_subset()
    test = _read_digits()[0][1000:1100]
    logits = []
    for seed in (5, 5, 6):
        model = ex.train_digits_classifier(features.clone(), labels.clone(), seed=seed)
        with torch.no_grad():
            logits.append(model.eval()(test))
    return {
        "seed=5 twice: largest difference between the logits": float((logits[0] - logits[1]).abs().max()),
        "seed=5, then seed=6: different logits": not torch.equal(logits[0], logits[2]),
    }


@check(points=2, devices=MOVE_DEVICES, timeout=30)
def digits_classifier_on_the_device(ex, device):
    """With device= given, the model is built on the device and trained there (on the CPU run: the meta device)."""
    target = _target(device)
    features, labels = _digits_subset(200)
    with _WhereTensorsWent() as went:
        model = capture(ex.train_digits_classifier, features, labels, target)
        if not isinstance(model, nn.Module):
            return {**went.facts(target), "returns an nn.Module": _kind(model)}
        logits = capture(model, features[:5].to(target))
    return {
        **went.facts(target),
        "returns an nn.Module": "Module",
        "parameters on the device": _where([p.device.type for p in model.parameters()], target),
        "logits of 5 digits moved to the device": _where([logits.device.type], target)
        if isinstance(logits, torch.Tensor)
        else _kind(logits),
    }
