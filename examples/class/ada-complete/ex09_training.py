"""Exercise 9 — training: one epoch, evaluation, early stopping, a real fit.

Every PyTorch training script is the same few loops. They are short, and each
line has a classic way to go wrong silently: the code runs, the loss even goes
down, but the model is not the one you think you trained.

- **One epoch** (`train_one_epoch`): `model.train()`, then for each batch move
  it to the device, `optimizer.zero_grad()`, forward, loss, `loss.backward()`,
  `optimizer.step()`. Forget `zero_grad` and every step uses the sum of all past
  gradients; add up `loss` instead of `loss.item()` and you keep every batch's
  graph alive (and return a tensor).
- **Evaluation** (`evaluate`): `model.eval()` switches Dropout off and makes
  BatchNorm use its running statistics instead of updating them;
  `torch.no_grad()` stops recording a graph nobody will call backward on. The two
  are independent: you need both.
- **Early stopping** (`fit`): keep the weights of the epoch with the lowest
  validation loss, stop once it has not improved for `patience` epochs, and give
  back those best weights. `model.state_dict()` returns the live tensors, not a
  copy: "saving" it without copying saves nothing.
- **Gradient accumulation** (`accumulated_step`): k backward passes add their
  gradients into `.grad`, so k micro-batches give the full batch's gradient if
  each micro-batch loss is divided by k. One step, after all of them.
- **A real fit** (`load_digits`, `train_digits_classifier`): 1797 handwritten
  digits of 8×8 pixels, shipped in `data/digits.csv.gz`; a small MLP trained
  with the functions above classifies more than 95% of unseen digits correctly,
  in well under a second on a CPU.

The mean loss of an epoch is defined the same way everywhere here: the mean over
*samples*, Σ_b n_b·loss_b / Σ_b n_b, where loss_b is the criterion's
(mean-reduced) value on batch b and n_b its number of samples. It is not the
plain mean of the batch losses, which over-weights a short last batch.
"""

from __future__ import annotations

import copy
import gzip
import math
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

Criterion = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

DIGITS_PATH = Path(__file__).resolve().parents[1] / "data" / "digits.csv.gz"


# --- the data ---------------------------------------------------------------------------


def load_digits(path: str | Path = DIGITS_PATH) -> tuple[torch.Tensor, torch.Tensor]:
    """Read the handwritten-digits data set: (features, labels).

    What: `path` is a gzip-compressed CSV file with one sample per line and 65
    comma-separated integers: 64 pixels (an 8×8 image read row by row, values
    0..16), then the label 0..9. Return
      - features: float32, shape (n, 64), the pixels divided by 16 (so in [0, 1]);
      - labels: int64 (torch.long), shape (n,).
    Why: a network trains best on inputs of order 1, and `cross_entropy` wants
    class indices as int64. Reading a file yourself (no torchvision, no
    network) is how most real data starts.
    Example: features, labels = load_digits("data/digits.csv.gz") gives shapes
    (1797, 64) and (1797,), features.max() == 1.0, labels[:3] == [0, 1, 2].
    """
    # BEGIN SOLUTION open with gzip in text mode, parse the integers, split off the last column, scale and convert
    with gzip.open(path, "rt") as file:
        table = np.loadtxt(file, delimiter=",", dtype=np.int64, ndmin=2)
    features = torch.from_numpy(table[:, :-1]).to(torch.float32) / 16.0
    labels = torch.from_numpy(table[:, -1]).to(torch.long)
    return features, labels
    # END SOLUTION


# --- one epoch, evaluation --------------------------------------------------------------


def train_one_epoch(
    model: nn.Module,
    loader: DataLoader,
    optimizer: torch.optim.Optimizer,
    criterion: Criterion,
    device: torch.device,
) -> float:
    """Train `model` for one pass over `loader`; return the mean training loss.

    What: put the model in training mode (`model.train()`: it may come back from
    `evaluate` in eval mode). For each (inputs, targets) batch: move both to
    `device` (the model is already there), zero the gradients, compute
    loss = criterion(model(inputs), targets), backward, step.
    Return the epoch's mean loss as a Python float: Σ n_b·loss_b / Σ n_b, with
    loss_b the batch's loss (before its step) and n_b = inputs.shape[0].
    Why: the four lines in the loop are every training step there is. Their
    order matters (zero, forward, backward, step), and the running total must be
    a number (`loss.item()`), not a tensor: adding tensors keeps every batch's
    graph in memory.
    Example: with batches of 4, 4 and 2 samples and losses 1.0, 1.0, 0.5, the
    mean loss is (4·1 + 4·1 + 2·0.5) / 10 = 0.9 (the plain mean would be 0.833).
    """
    # BEGIN SOLUTION model.train(); per batch: to(device), zero_grad, loss, backward, step; add loss.item() * n
    model.train()
    total, count = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item() * inputs.shape[0]
        count += inputs.shape[0]
    return total / count
    # END SOLUTION


def evaluate(
    model: nn.Module,
    loader: DataLoader,
    criterion: Criterion,
    device: torch.device,
) -> tuple[float, float]:
    """Mean loss and accuracy of `model` over `loader`, without training it.

    What: switch the model to eval mode (`model.eval()`; leave it so:
    `train_one_epoch` switches back) and, under `torch.no_grad()`, run every
    batch (moved to `device`). Return (loss, accuracy), both Python floats:
    loss is the mean over samples, Σ n_b·loss_b / Σ n_b as in `train_one_epoch`;
    accuracy is the fraction of samples whose predicted class,
    `outputs.argmax(dim=1)`, equals the target.
    Why: `eval()` and `no_grad()` do different things and you need both. In
    train mode Dropout drops units and BatchNorm normalises with the batch's
    statistics and *updates* its running averages, so merely measuring the
    validation set would change the model. Without `no_grad` every forward
    builds a graph that nobody will use.
    Example: outputs [[2, 1], [0, 3], [1, 0]] for targets [0, 0, 0] → accuracy 2/3.
    """
    # BEGIN SOLUTION model.eval(); under torch.no_grad(): add loss.item() * n and the correct predictions
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            outputs = model(inputs)
            total += criterion(outputs, targets).item() * inputs.shape[0]
            correct += int((outputs.argmax(dim=1) == targets).sum())
            count += inputs.shape[0]
    return total / count, correct / count
    # END SOLUTION


# --- early stopping -----------------------------------------------------------------------


def fit(
    model: nn.Module,
    train_loader: DataLoader,
    val_loader: DataLoader,
    optimizer: torch.optim.Optimizer,
    criterion: Criterion,
    device: torch.device,
    *,
    max_epochs: int,
    patience: int,
) -> dict[str, Any]:
    """Train with early stopping on the validation loss; return the history.

    What: for epoch = 0, 1, …, max_epochs − 1: `train_one_epoch`, then
    `evaluate` on `val_loader`, and append the results to the history. An epoch
    *improves* when its validation loss is strictly lower than the best so far
    (the first epoch always does): remember its index and a copy of the model's
    `state_dict()`. Stop after `patience` consecutive epochs without improvement
    (patience ≥ 1). At the end, load the best epoch's weights back into the model.
    Return {"train_loss": [...], "val_loss": [...], "val_accuracy": [...],
    "best_epoch": index of the best epoch}, one list entry per epoch run.
    Why: validation loss usually falls, then rises once the model starts to
    overfit; early stopping keeps the model from the bottom of that curve. Copy
    the state dict (`copy.deepcopy(model.state_dict())`): its tensors *are* the
    model's parameters, which the next steps overwrite in place.
    Example: val losses [0.9, 0.7, 0.8, 0.75, 0.72] with patience 3 run all five
    epochs and stop there (three epochs after the best), best_epoch == 1, and the
    model ends with the weights it had after epoch 1.
    """
    # BEGIN SOLUTION train, evaluate, record; deep-copy the state dict on improvement; count bad epochs; reload the best
    history: dict[str, Any] = {"train_loss": [], "val_loss": [], "val_accuracy": [], "best_epoch": 0}
    best_loss, best_state, bad_epochs = math.inf, None, 0
    for epoch in range(max_epochs):
        history["train_loss"].append(train_one_epoch(model, train_loader, optimizer, criterion, device))
        val_loss, val_accuracy = evaluate(model, val_loader, criterion, device)
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_accuracy)
        if val_loss < best_loss:
            best_loss, history["best_epoch"] = val_loss, epoch
            best_state = copy.deepcopy(model.state_dict())
            bad_epochs = 0
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    return history
    # END SOLUTION


# --- gradient accumulation ----------------------------------------------------------------


def accumulated_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    criterion: Criterion,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    k: int,
) -> float:
    """One optimizer step on (inputs, targets), computed as k micro-batches.

    What: raise ValueError unless k ≥ 1 divides inputs.shape[0]. Zero the
    gradients; split inputs and targets into k equal consecutive parts
    (`torch.chunk`); for each part compute criterion(model(part), part_targets) / k
    and call backward on it; then one `optimizer.step()`. Return the full batch's
    loss as a Python float (the sum of the k divided losses).
    Why: when a batch does not fit in memory, accumulate: `backward()` adds into
    `.grad`, and with a mean-reduced loss the full batch's gradient is the mean
    of the micro-batch gradients, so dividing each loss by k gives exactly the
    same update as one big batch (with SGD; layers that look at the whole batch,
    like BatchNorm, differ). Forget the 1/k and plain SGD takes a k times larger
    step (Adam hides it: it divides the scale out).
    Example: a batch of 12 with k = 4 runs 4 forwards of 3 samples, 4 backwards,
    1 step, and leaves the parameters as one step on all 12 would.
    """
    # BEGIN SOLUTION check k; zero_grad; per chunk: (criterion(...) / k).backward(); one step; return the summed loss
    if k < 1 or inputs.shape[0] % k != 0:
        raise ValueError(f"k={k} must be at least 1 and divide the batch size {inputs.shape[0]}")
    optimizer.zero_grad()
    total = 0.0
    for part, part_targets in zip(inputs.chunk(k), targets.chunk(k)):
        loss = criterion(model(part), part_targets) / k
        loss.backward()
        total += loss.item()
    optimizer.step()
    return total
    # END SOLUTION


# --- a real fit ---------------------------------------------------------------------------


def train_digits_classifier(
    features: torch.Tensor,
    labels: torch.Tensor,
    device: torch.device = torch.device("cpu"),
    *,
    seed: int = 0,
) -> nn.Module:
    """Train a classifier of 8×8 digits; return the trained model.

    What: `features` (n, 64) float32 in [0, 1] and `labels` (n,) int64 0..9 come
    from `load_digits` (the caller keeps its own test set apart). Seed torch
    (`torch.manual_seed(seed)`), hold out about 10% of the samples for
    validation, build a small network (64 → 128 → ReLU → 10 logits is plenty),
    and train it with `fit` (Adam, lr ≈ 3e-3, batches of 64, shuffled, a few
    dozen epochs at most, patience ≈ 5). Return the model in eval mode: the caller
    computes `model(test_features).argmax(dim=1)`. It must reach at least 95%
    accuracy on unseen digits, in a couple of seconds on one CPU thread.
    Why: this is the whole workflow on real data: split, loaders, model,
    optimizer, early stopping. A wrong line anywhere above shows up here as an
    accuracy stuck far below 95%.
    Example: trained on 1437 of the digits, the model classifies about 97% of
    the other 360 correctly.
    """
    # BEGIN SOLUTION seed, split off a validation set, two DataLoaders, an MLP, Adam, fit, return model.eval()
    torch.manual_seed(seed)
    order = torch.randperm(features.shape[0])
    n_val = features.shape[0] // 10
    val, train = order[:n_val], order[n_val:]
    train_loader = DataLoader(TensorDataset(features[train], labels[train]), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(features[val], labels[val]), batch_size=256)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    fit(model, train_loader, val_loader, optimizer, nn.CrossEntropyLoss(), device, max_epochs=40, patience=5)
    return model.eval()
    # END SOLUTION
