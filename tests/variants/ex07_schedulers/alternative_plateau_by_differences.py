"""Correct, written differently: improvements measured as differences from the best, counters kept
in a dict of the settings, parameters copied through .data, a warm-up that tests its length first."""

VERDICTS = {}

import math  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def warmup_cosine_lr(base_lr, epoch, warmup_epochs, total_epochs, start_factor=0.1, eta_min=0.0):
    if warmup_epochs > 0 and epoch < warmup_epochs:
        return base_lr * start_factor + base_lr * (1 - start_factor) * (epoch / warmup_epochs)
    t, period = epoch - warmup_epochs, total_epochs - warmup_epochs
    return eta_min + (base_lr - eta_min) * 0.5 * (1 + math.cos(math.pi * t / period))


class PlateauScheduler:
    def __init__(self, lr, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 cooldown=0, min_lr=0.0, eps=1e-8):
        if mode not in ("min", "max"):
            raise ValueError("mode must be 'min' or 'max'")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError("threshold_mode must be 'rel' or 'abs'")
        self.settings = dict(mode=mode, factor=factor, patience=patience, threshold=threshold,
                             threshold_mode=threshold_mode, cooldown=cooldown, min_lr=min_lr, eps=eps)
        self.lr = lr
        self.best = -math.inf if mode == "max" else math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0

    def is_better(self, value):
        s = self.settings
        if math.isinf(self.best):
            return value == value and (value < self.best if s["mode"] == "min" else value > self.best)
        gain = self.best - value if s["mode"] == "min" else value - self.best
        needed = s["threshold"] * self.best if s["threshold_mode"] == "rel" else s["threshold"]
        return gain > needed

    def step(self, metric):
        s = self.settings
        value = float(metric)
        self.num_bad_epochs = 0 if self.is_better(value) else self.num_bad_epochs + 1
        if self.num_bad_epochs == 0:
            self.best = value
        if self.cooldown_counter:
            self.cooldown_counter, self.num_bad_epochs = self.cooldown_counter - 1, 0
        elif self.num_bad_epochs > s["patience"]:
            smaller = max(self.lr * s["factor"], s["min_lr"])
            self.lr = smaller if self.lr - smaller > s["eps"] else self.lr
            self.cooldown_counter, self.num_bad_epochs = s["cooldown"], 0
        return self.lr


def train_with_schedule(model, inputs, targets, epochs, lr, make_scheduler):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"] * 1.0)
        optimizer.zero_grad()
        F.mse_loss(model(inputs), targets).backward()
        optimizer.step()
        scheduler.step()
    return lrs, [p.data.clone() for p in model.parameters()]
