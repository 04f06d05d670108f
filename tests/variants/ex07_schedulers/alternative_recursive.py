"""Correct, computed the way PyTorch does it: step by step from the previous lr (float rounding differs)."""

VERDICTS = {}

import math  # noqa: E402


def _recursive(base_lr, epoch, next_lr):
    lr = base_lr
    for t in range(1, epoch + 1):
        lr = next_lr(lr, t)
    return lr


def step_lr(base_lr, epoch, step_size, gamma=0.1):
    return _recursive(base_lr, epoch, lambda lr, t: lr * gamma if t % step_size == 0 else lr)


def multistep_lr(base_lr, epoch, milestones, gamma=0.1):
    return _recursive(base_lr, epoch, lambda lr, t: lr * gamma ** milestones.count(t))


def exponential_lr(base_lr, epoch, gamma):
    return _recursive(base_lr, epoch, lambda lr, t: lr * gamma)


def cosine_annealing_lr(base_lr, epoch, T_max, eta_min=0.0):
    def next_lr(lr, t):
        if (t - 1 - T_max) % (2 * T_max) == 0:
            return lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
        ratio = (1 + math.cos(math.pi * t / T_max)) / (1 + math.cos(math.pi * (t - 1) / T_max))
        return eta_min + ratio * (lr - eta_min)

    return _recursive(base_lr, epoch, next_lr)
