"""Correct, written differently: counting loops, exp/log, the cos² form of the cosine, another plateau class."""

VERDICTS = {}

import math  # noqa: E402

import torch  # noqa: E402


def step_lr(base_lr, epoch, step_size, gamma=0.1):
    decays = 0
    while (decays + 1) * step_size <= epoch:
        decays += 1
    return base_lr * gamma**decays


def multistep_lr(base_lr, epoch, milestones, gamma=0.1):
    return base_lr * gamma ** sum(1 for m in milestones if m <= epoch)


def exponential_lr(base_lr, epoch, gamma):
    return base_lr * math.exp(epoch * math.log(gamma))


def cosine_annealing_lr(base_lr, epoch, T_max, eta_min=0.0):
    # (1 + cos x) / 2 = cos²(x / 2)
    return eta_min + (base_lr - eta_min) * math.cos(math.pi * epoch / (2 * T_max)) ** 2


def lambda_lr(base_lr, epoch, lr_lambda):
    factor = lr_lambda(epoch)
    return factor * base_lr


def warmup_cosine_lr(base_lr, epoch, warmup_epochs, total_epochs, start_factor=0.1, eta_min=0.0):
    if epoch >= warmup_epochs:
        progress = (epoch - warmup_epochs) / (total_epochs - warmup_epochs)
        return eta_min + 0.5 * (base_lr - eta_min) * (1 + math.cos(math.pi * progress))
    start = start_factor * base_lr
    return start + (base_lr - start) * epoch / warmup_epochs


class PlateauScheduler:
    def __init__(self, lr, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 cooldown=0, min_lr=0.0, eps=1e-8):
        if mode not in {"min", "max"} or threshold_mode not in {"rel", "abs"}:
            raise ValueError(f"unknown mode {mode!r} or threshold_mode {threshold_mode!r}")
        sign = 1.0 if mode == "min" else -1.0
        if threshold_mode == "rel":
            self._beats = lambda value, best: sign * value < sign * best * (1 - sign * threshold)
        else:
            self._beats = lambda value, best: sign * value < sign * best - threshold
        self.lr, self.factor, self.patience, self.cooldown = lr, factor, patience, cooldown
        self.min_lr, self.eps = min_lr, eps
        self.best = sign * math.inf
        self.num_bad_epochs = self.cooldown_counter = 0

    def is_better(self, value):
        return self._beats(value, self.best)

    def step(self, metric):
        metric = float(metric)
        improved = self.is_better(metric)
        if improved:
            self.best = metric
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
            return self.lr
        self.num_bad_epochs = 0 if improved else self.num_bad_epochs + 1
        if self.num_bad_epochs <= self.patience:
            return self.lr
        target = max(self.lr * self.factor, self.min_lr)
        if target < self.lr - self.eps:
            self.lr = target
        self.num_bad_epochs, self.cooldown_counter = 0, self.cooldown
        return self.lr


def train_with_schedule(model, inputs, targets, epochs, lr, make_scheduler):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    scheduler = make_scheduler(optimizer)
    used = []
    for _ in range(epochs):
        used.append(scheduler.get_last_lr()[0])
        optimizer.zero_grad(set_to_none=True)
        ((model(inputs) - targets) ** 2).mean().backward()
        optimizer.step()
        scheduler.step()
    return used, [p.detach().clone() for p in model.parameters()]
