"""Exercise 7 — learning-rate schedules: what the learning rate is at epoch t.

A learning-rate scheduler changes `optimizer.param_groups[i]["lr"]` as training
goes on: large steps early to make progress, small steps late to settle. PyTorch's
schedulers in `torch.optim.lr_scheduler` follow one convention, used everywhere
in this exercise:

    the learning rate at epoch t is the one in the optimizer after
    t calls of `scheduler.step()`.

So epoch 0 always trains with the base learning rate (the `lr=` given to the
optimizer), and the training loop is

    for epoch in range(epochs):
        train_one_epoch(...)      # zero_grad, forward, backward, optimizer.step()
        scheduler.step()          # AFTER optimizer.step(): prepares epoch + 1

Most schedulers are computed *recursively* inside PyTorch (the new lr from the
current one, so that schedulers can be chained), but each has a *closed form*:
a formula in t. Writing the closed form is the best way to know exactly what a
schedule does, and to catch the classic bugs: an epoch shifted by one, a cosine
that reaches its minimum one epoch early, or a floor (`eta_min`) forgotten.

Learning rates are Python floats: compute them with `math` (float64), not with
float32 tensors. The checks compare your numbers with the reference solution
*and* with the PyTorch scheduler stepped the same number of times.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import Callable

import torch
import torch.nn.functional as F

# --- closed forms ----------------------------------------------------------------


def step_lr(base_lr: float, epoch: int, step_size: int, gamma: float = 0.1) -> float:
    """Learning rate of `StepLR` at `epoch`: multiplied by `gamma` every `step_size` epochs.

    What: base_lr · gamma ** ⌊epoch / step_size⌋.
    Why: the oldest schedule ("divide by 10 every 30 epochs", as for ResNet).
    The floor division is the whole point: epochs 0 … step_size − 1 use base_lr,
    the first decay happens at epoch step_size, not step_size − 1.
    Example: step_lr(0.1, 3, step_size=3, gamma=0.5) == 0.05 (epochs 0, 1, 2 use 0.1).
    """
    # TODO: count the completed periods with integer division, raise gamma to that power
    raise NotImplementedError('step_lr')


def multistep_lr(base_lr: float, epoch: int, milestones: list[int], gamma: float = 0.1) -> float:
    """Learning rate of `MultiStepLR` at `epoch`: multiplied by `gamma` at each milestone.

    What: base_lr · gamma ** (number of milestones m with m ≤ epoch).
    Why: decays at hand-picked epochs ("÷10 at epochs 30 and 80"). At a milestone
    epoch the new, smaller lr is already in use: milestone 5 means epochs 0 … 4 use
    base_lr and epoch 5 uses base_lr · gamma.
    Example: multistep_lr(1.0, 5, milestones=[2, 5], gamma=0.1) == 0.01 (approximately:
    0.1 ** 2 is not exactly 0.01 in floating point).

    `bisect.bisect_right(sorted(milestones), epoch)` counts the milestones ≤ epoch.
    """
    # TODO: count the milestones that are <= epoch (bisect_right on the sorted list)
    raise NotImplementedError('multistep_lr')


def exponential_lr(base_lr: float, epoch: int, gamma: float) -> float:
    """Learning rate of `ExponentialLR` at `epoch`: multiplied by `gamma` every epoch.

    What: base_lr · gamma ** epoch.
    Why: a smooth decay; with gamma = 0.95 the lr halves about every 13.5 epochs.
    Epoch 0 uses base_lr itself (gamma ** 0 = 1), not base_lr · gamma.
    Example: exponential_lr(0.1, 2, gamma=0.5) == 0.025.
    """
    # TODO: one factor of gamma per completed epoch
    raise NotImplementedError('exponential_lr')


def cosine_annealing_lr(base_lr: float, epoch: int, T_max: int, eta_min: float = 0.0) -> float:
    """Learning rate of `CosineAnnealingLR` at `epoch`, for 0 ≤ epoch ≤ T_max.

    What: eta_min + (base_lr − eta_min) · (1 + cos(π · epoch / T_max)) / 2.
    Why: half a cosine wave from base_lr (epoch 0) down to eta_min (epoch T_max):
    the lr falls slowly at first, fast in the middle, and slowly again at the end.
    Two classic slips: dividing by T_max − 1 (the minimum comes one epoch early)
    and dropping eta_min (the floor is 0 instead of eta_min).
    PyTorch computes it recursively from the previous lr; the closed form agrees
    with it to about 1e-15.
    Example: cosine_annealing_lr(0.1, 5, T_max=10) == 0.05 (half-way, half the lr).
    """
    # TODO: eta_min plus the span (base_lr - eta_min) times (1 + cos(pi * epoch / T_max)) / 2
    raise NotImplementedError('cosine_annealing_lr')


def lambda_lr(base_lr: float, epoch: int, lr_lambda: Callable[[int], float]) -> float:
    """Learning rate of `LambdaLR` at `epoch`: base_lr times your function of the epoch.

    What: base_lr · lr_lambda(epoch).
    Why: any schedule you can write as a function, e.g. lr_lambda = lambda e: 0.95 ** e.
    The factor always multiplies the *base* lr, not the current one (compounding the
    factors is `MultiplicativeLR`, a different scheduler).
    Example: lambda_lr(0.2, 2, lambda e: 0.95 ** e) == 0.2 · 0.9025 = 0.1805.
    """
    # TODO: the lambda gives the factor for this epoch; it multiplies base_lr
    raise NotImplementedError('lambda_lr')


def warmup_cosine_lr(
    base_lr: float,
    epoch: int,
    warmup_epochs: int,
    total_epochs: int,
    start_factor: float = 0.1,
    eta_min: float = 0.0,
) -> float:
    """Linear warm-up for `warmup_epochs` epochs, then cosine annealing until `total_epochs`.

    What (W = warmup_epochs, T = total_epochs − W):
      - epoch < W:  base_lr · (start_factor + (1 − start_factor) · epoch / W),
                    a straight line from start_factor · base_lr at epoch 0 that
                    reaches base_lr at epoch W;
      - epoch ≥ W:  cosine_annealing_lr(base_lr, epoch − W, T_max=T, eta_min=eta_min),
                    base_lr at epoch W, eta_min at epoch total_epochs.
    Why: large models (transformers) diverge if they start at the full lr while
    their weights are still random; a few epochs of warm-up fix that. In PyTorch
    this is `SequentialLR(optimizer, [LinearLR(optimizer, start_factor,
    total_iters=W), CosineAnnealingLR(optimizer, T_max=T, eta_min=eta_min)],
    milestones=[W])`. The cosine phase starts counting at 0 at epoch W.
    Example: warmup_cosine_lr(0.1, 1, warmup_epochs=2, total_epochs=10) == 0.055,
    and warmup_cosine_lr(0.1, 2, 2, 10) == 0.1.
    """
    # TODO: linear ramp while epoch < warmup_epochs; after that the cosine, counted from warmup_epochs
    raise NotImplementedError('warmup_cosine_lr')


# --- reduce on plateau -----------------------------------------------------------


class PlateauScheduler:
    """The logic of `torch.optim.lr_scheduler.ReduceLROnPlateau`, on one learning rate.

    What: call `step(metric)` once per epoch with the validation metric; it
    returns the learning rate to use next. The lr is multiplied by `factor` when
    the metric has not *improved* for more than `patience` epochs in a row.
      - improved: in mode "min" with threshold_mode "rel" (the default), a value
        is better than the best so far when value < best · (1 − threshold); with
        "abs", when value < best − threshold. Mode "max" mirrors this:
        value > best · (1 + threshold), or value > best + threshold.
        The first value is always better (best starts at +inf, or −inf for "max").
      - a better value becomes `best` and sets `num_bad_epochs` to 0; any other
        value adds 1 to it.
      - during a cooldown (after a reduction, for `cooldown` epochs) the bad
        epochs are not counted: each step decrements `cooldown_counter` and sets
        `num_bad_epochs` to 0.
      - when num_bad_epochs > patience: new lr = max(lr · factor, min_lr), applied
        only if it is smaller than the old one by more than `eps`; then
        `cooldown_counter` = cooldown and `num_bad_epochs` = 0.
    A mode other than "min" or "max", or a threshold_mode other than "rel" or "abs",
    raises ValueError (as ReduceLROnPlateau does).
    Attributes that the checks read: `lr`, `best`, `num_bad_epochs`, `cooldown_counter`.
    Why: the schedule adapts to the run instead of being fixed in advance. Note
    that patience = 2 means the lr drops on the *third* bad epoch in a row, and
    that the default threshold is relative: 1e-4 of the best value, not 1e-4.
    Example: PlateauScheduler(1.0, factor=0.5, patience=1) fed 1.0, 2.0, 2.0
    returns 1.0, 1.0, 0.5.
    """

    def __init__(
        self,
        lr: float,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float = 0.0,
        eps: float = 1e-8,
    ) -> None:
        # TODO: keep the settings; best starts at the worst possible value, both counters at 0
        raise NotImplementedError('__init__')

    def is_better(self, value: float) -> bool:
        """Whether `value` improves on `self.best` by more than the threshold."""
        # TODO: four cases: mode min/max times threshold_mode rel/abs
        raise NotImplementedError('is_better')

    def step(self, metric: float) -> float:
        """Record one epoch's metric; return the learning rate for the next epoch."""
        # TODO: update best or count a bad epoch; cooldown; reduce when num_bad_epochs > patience
        raise NotImplementedError('step')


# --- the training loop -----------------------------------------------------------


def train_with_schedule(
    model: torch.nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    epochs: int,
    lr: float,
    make_scheduler: Callable[[torch.optim.Optimizer], torch.optim.lr_scheduler.LRScheduler],
) -> tuple[list[float], list[torch.Tensor]]:
    """Full-batch SGD on the mean squared error, with a learning-rate scheduler.

    What: optimizer = torch.optim.SGD(model.parameters(), lr=lr); scheduler =
    make_scheduler(optimizer). Then for each epoch: record the lr the epoch uses
    (`optimizer.param_groups[0]["lr"]`, read at the start of the epoch), zero the
    gradients, loss = F.mse_loss(model(inputs), targets), backward,
    `optimizer.step()`, and only then `scheduler.step()`.
    Return (the recorded lrs, one per epoch, as floats; the model's parameters
    after training, detached copies in `model.parameters()` order).
    Why: `scheduler.step()` prepares the *next* epoch's lr. Called before
    `optimizer.step()`, it makes every update use the following epoch's lr: the
    schedule is shifted by one, its first value is never used, and PyTorch warns
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`".
    Example: with make_scheduler = lambda opt: StepLR(opt, step_size=2, gamma=0.5)
    and lr = 0.1, the lrs of 5 epochs are [0.1, 0.1, 0.05, 0.05, 0.025].
    """
    # TODO: record the lr, then zero_grad / forward / backward / optimizer.step, then scheduler.step
    raise NotImplementedError('train_with_schedule')
