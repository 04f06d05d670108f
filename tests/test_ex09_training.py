"""Graded checks for ex09_training, one section per function.

The probes build small models with fixed weights (or, in hidden checks, weights
drawn from the seeded generator before any learner code runs) and DataLoaders
over fixed data that are not shuffled, or shuffled with their own seeded
generator, so both sides see the same batches in the same order. They return
parameters after training, the losses returned, and explicit facts recorded
while the learner's code ran: the mode of every module during each forward
(a forward pre-hook), and whether the criterion received outputs that carry a
graph (a recording criterion). Losses are Python floats summed in a different
order by valid implementations: floats are compared with rtol=1e-5, atol=1e-6.
"""

import copy
import gzip
import math
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader import check
from grader import capture

RTOL, ATOL = 1e-5, 1e-6
CPU = torch.device("cpu")
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


def randint(low, high):
    """A Python int in [low, high), drawn with torch's (seeded) generator."""
    return int(torch.randint(low, high, ()))


def _random_problem(batchnorm=False, dropout=0.0):
    """A random classification problem, a model for it and a DataLoader shuffled by its own generator."""
    n, d, classes = randint(13, 41), randint(3, 7), randint(2, 6)
    x, y = torch.randn(n, d), torch.randint(0, classes, (n,))
    model = _mlp(d, randint(4, 13), classes, batchnorm=batchnorm, dropout=dropout)
    return model, x, y, _loader(x, y, randint(3, 9), shuffle_seed=randint(0, 10_000))


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
    loss = ex.train_one_epoch(model, _loader(x, y, 4), optimizer, nn.CrossEntropyLoss(), CPU)
    first, second = _two_epochs_of_one_batch(ex)
    return {
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
    loss = ex.train_one_epoch(model, _loader(x, y, 4), optimizer, nn.CrossEntropyLoss(), CPU)
    return {
        "every forward ran in train mode": _all_in_mode(modes, True),
        "running_mean": model[1].running_mean,
        "running_var": model[1].running_var,
        "parameters": _params(model),
        "loss": loss,
    }


@check(points=2, hidden=True, rtol=RTOL, atol=ATOL)
def train_one_epoch_random(ex):
    """Random sizes, batch size and learning rate; batches shuffled by a seeded generator."""
    model, _, _, loader = _random_problem()
    lr = 0.05 + 0.3 * float(torch.rand(()))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.5)
    loss = ex.train_one_epoch(model, loader, optimizer, nn.CrossEntropyLoss(), CPU)
    return {"parameters": _params(model), "loss": loss, "loss is a Python float": type(loss) is float}


# --- train_one_epoch and evaluate on a device -------------------------------------------------


@check(points=2, devices=("cpu", "cuda"), rtol=1e-4, atol=1e-5)
def train_and_evaluate_on_device(ex, device):
    """The model lives on `device`, the loaders yield CPU tensors: both functions move each batch."""
    model = _fixed(_mlp()).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    x, y = _fixed_data(10)
    val_x, val_y = _fixed_data(9, shift=1.0)
    train_loss = ex.train_one_epoch(model, _loader(x, y, 4), optimizer, nn.CrossEntropyLoss(), device)
    val_loss, accuracy = ex.evaluate(model, _loader(val_x, val_y, 4), nn.CrossEntropyLoss(), device)
    return {
        "parameters stay on the device": all(p.device.type == device.type for p in model.parameters()),
        "train loss": train_loss,
        "val loss": val_loss,
        "accuracy": accuracy,
        "parameters": _params(model),
    }


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
        "loss equals cross_entropy over the whole set": math.isclose(loss, whole_loss, rel_tol=RTOL, abs_tol=ATOL),
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
    loss, accuracy = ex.evaluate(model, loader, nn.CrossEntropyLoss(), CPU)
    after = model.state_dict()
    return {
        "state_dict unchanged": all(torch.equal(before[key], after[key]) for key in before),
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


def _summary(history):
    """The history, each list as one float64 tensor: a run of the wrong length shows as a shape
    difference after `epochs run`, rather than as a list of missing keys."""
    lists = [history["train_loss"], history["val_loss"], history["val_accuracy"]]
    return {
        "epochs run": len(history["val_loss"]),
        "best_epoch": history["best_epoch"],
        "val_loss": torch.tensor([float(v) for v in history["val_loss"]], dtype=torch.float64),
        "train_loss": torch.tensor([float(v) for v in history["train_loss"]], dtype=torch.float64),
        "val_accuracy": torch.tensor([float(v) for v in history["val_accuracy"]], dtype=torch.float64),
        "history values are Python floats": all(type(v) is float for values in lists for v in values),
    }


@check(points=3, rtol=RTOL, atol=ATOL)
def fit_stops_early(ex):
    """Validation loss falls, then rises: the run stops `patience` epochs after the best one."""
    model, optimizer, train_loader, val_loader, _ = _overfitting_problem()
    history = ex.fit(
        model, train_loader, val_loader, optimizer, nn.CrossEntropyLoss(), CPU, max_epochs=30, patience=3
    )
    return {
        **_summary(history),
    }


@check(points=2, rtol=RTOL, atol=ATOL)
def fit_restores_best_weights(ex):
    """After fit the model holds the weights of the best epoch, not the last one."""
    model, optimizer, train_loader, val_loader, (val_x, val_y) = _overfitting_problem()
    history = ex.fit(
        model, train_loader, val_loader, optimizer, nn.CrossEntropyLoss(), CPU, max_epochs=30, patience=3
    )
    with torch.no_grad():
        final_loss = F.cross_entropy(model(val_x), val_y).item()
    best_loss = history["val_loss"][history["best_epoch"]]
    return {
        "val loss of the returned model equals the best val loss": math.isclose(
            final_loss, best_loss, rel_tol=RTOL, abs_tol=ATOL
        ),
        "parameters": _params(model),
    }


@check(points=2, hidden=True, rtol=RTOL, atol=ATOL)
def fit_random(ex):
    """Random problem, patience and epoch budget: the same history and final weights."""
    model, x, y, loader = _random_problem()
    val_x = torch.randn(randint(8, 20), x.shape[1])
    val_y = torch.randint(0, int(y.max()) + 1, (val_x.shape[0],))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1 + 0.4 * float(torch.rand(())), momentum=0.9)
    history = ex.fit(
        model,
        loader,
        _loader(val_x, val_y, randint(3, 9)),
        optimizer,
        nn.CrossEntropyLoss(),
        CPU,
        max_epochs=randint(5, 13),
        patience=randint(1, 4),
    )
    return {
        **_summary(history),
        "parameters": _params(model),
    }


# --- accumulated_step -------------------------------------------------------------------


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
        "same parameters as full-batch steps": _same_parameters(model, twin),
        "parameters": _params(model),
        "losses": losses,
        "losses are Python floats": all(type(loss) is float for loss in losses),
        "k=5 on a batch of 12": capture(
            ex.accumulated_step, spare, spare_optimizer, nn.CrossEntropyLoss(), x[:12], y[:12], 5
        ),
    }


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
    return {"same parameters as full-batch steps": _same_parameters(model, twin), "losses": losses}


# --- train_digits_classifier ------------------------------------------------------------


def _read_digits():
    """The probe's own reader (independent of the learner's load_digits)."""
    with gzip.open(DIGITS, "rt") as file:
        table = torch.tensor([[int(v) for v in line.split(",")] for line in file if line.strip()])
    return table[:, :64].to(torch.float32) / 16.0, table[:, 64]


@check(points=4, timeout=30)
def digits_classifier_reaches_95_percent(ex):
    """Trained on 1437 digits, the model classifies at least 95% of 360 held-out digits correctly."""
    features, labels = _read_digits()
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))
    test, train = order[:360], order[360:]
    model = ex.train_digits_classifier(features[train].clone(), labels[train].clone())
    is_module = isinstance(model, nn.Module)
    accuracy = 0.0
    if is_module:
        model.eval()
        with torch.no_grad():
            logits = model(features[test])
        accuracy = (logits.argmax(dim=1) == labels[test]).double().mean().item()
    return {"returns an nn.Module": is_module, "test accuracy >= 0.95": accuracy >= 0.95}
