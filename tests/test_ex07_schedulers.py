"""Graded checks for ex07_schedulers, one section per function.

Every closed form is checked twice: value by value against the reference
solution, and against the PyTorch scheduler itself, stepped the same number of
times (the key "first epoch where lr differs from torch ..." must be None).
PyTorch computes several schedules recursively, so floats are compared with
rtol=1e-6, atol=1e-9: a correct closed form is within ~1e-15 of them, while an
epoch shifted by one or a wrong period is off by far more.
"""

import math
import warnings

import torch
from torch.optim import lr_scheduler

from grader import check

RTOL, ATOL = 1e-6, 1e-9


def torch_lrs(make_scheduler, base_lr, epochs):
    """The lr PyTorch uses at epochs 0 … epochs − 1 (after t calls of scheduler.step())."""
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=base_lr)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(epochs):
        lrs.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()  # no gradient: changes nothing, but keeps PyTorch's order
        scheduler.step()
    return lrs


def first_difference(yours, theirs):
    """Index of the first value that differs beyond RTOL/ATOL, or None."""
    if len(yours) != len(theirs):
        return min(len(yours), len(theirs))
    for epoch, (a, b) in enumerate(zip(yours, theirs)):
        if not (type(a) in (int, float) and math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL)):
            return epoch
    return None


def against_torch(name, yours, theirs):
    """The learner's lrs, and where they first leave PyTorch's."""
    # The PyTorch key comes first: it is the first difference a learner is shown.
    return {f"first epoch where lr differs from torch {name}": first_difference(yours, theirs), "lr": yours}


def randint(low, high):
    """A Python int in [low, high), drawn with torch's (seeded) generator."""
    return int(torch.randint(low, high, ()))


def uniform(low, high):
    return low + (high - low) * float(torch.rand(()))


# --- step_lr, multistep_lr, exponential_lr, lambda_lr ------------------------------


@check(points=2, rtol=RTOL, atol=ATOL)
def step_lr_matches_torch(ex):
    """StepLR(step_size=3, gamma=0.5): epochs 0-2 use 0.1, epochs 3-5 use 0.05, ..."""
    yours = [ex.step_lr(0.1, t, step_size=3, gamma=0.5) for t in range(12)]
    theirs = torch_lrs(lambda opt: lr_scheduler.StepLR(opt, step_size=3, gamma=0.5), 0.1, 12)
    return against_torch("StepLR", yours, theirs)


@check(points=2, rtol=RTOL, atol=ATOL)
def multistep_lr_matches_torch(ex):
    """MultiStepLR(milestones=[2, 5, 9], gamma=0.1): the new lr is in use at the milestone epoch."""
    yours = [ex.multistep_lr(1.0, t, milestones=[2, 5, 9], gamma=0.1) for t in range(12)]
    theirs = torch_lrs(lambda opt: lr_scheduler.MultiStepLR(opt, milestones=[2, 5, 9], gamma=0.1), 1.0, 12)
    return against_torch("MultiStepLR", yours, theirs)


@check(points=2, rtol=RTOL, atol=ATOL)
def exponential_and_lambda_match_torch(ex):
    """ExponentialLR(gamma=0.9) and LambdaLR(0.95 ** epoch): epoch 0 uses the base lr."""
    decay = lambda epoch: 0.95**epoch  # noqa: E731
    exponential = [ex.exponential_lr(0.1, t, gamma=0.9) for t in range(15)]
    with_lambda = [ex.lambda_lr(0.2, t, lr_lambda=decay) for t in range(15)]
    return {
        "exponential": against_torch(
            "ExponentialLR", exponential, torch_lrs(lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.9), 0.1, 15)
        ),
        "lambda": against_torch(
            "LambdaLR", with_lambda, torch_lrs(lambda opt: lr_scheduler.LambdaLR(opt, lr_lambda=decay), 0.2, 15)
        ),
    }


@check(points=2, hidden=True, rtol=RTOL, atol=ATOL)
def decays_random(ex):
    """Random settings for StepLR, MultiStepLR, ExponentialLR and LambdaLR."""
    epochs = randint(10, 40)
    base_lr = uniform(1e-3, 1.0)
    step_size, gamma = randint(1, 7), uniform(0.1, 0.9)
    milestones = sorted({randint(1, epochs) for _ in range(randint(1, 5))})
    rate = uniform(0.01, 0.3)
    decay = lambda epoch: 1.0 / (1.0 + rate * epoch)  # noqa: E731
    return {
        "step": against_torch(
            "StepLR",
            [ex.step_lr(base_lr, t, step_size=step_size, gamma=gamma) for t in range(epochs)],
            torch_lrs(lambda opt: lr_scheduler.StepLR(opt, step_size=step_size, gamma=gamma), base_lr, epochs),
        ),
        "multistep": against_torch(
            "MultiStepLR",
            [ex.multistep_lr(base_lr, t, milestones=milestones, gamma=gamma) for t in range(epochs)],
            torch_lrs(lambda opt: lr_scheduler.MultiStepLR(opt, milestones=milestones, gamma=gamma), base_lr, epochs),
        ),
        "exponential": against_torch(
            "ExponentialLR",
            [ex.exponential_lr(base_lr, t, gamma=gamma) for t in range(epochs)],
            torch_lrs(lambda opt: lr_scheduler.ExponentialLR(opt, gamma=gamma), base_lr, epochs),
        ),
        "lambda": against_torch(
            "LambdaLR",
            [ex.lambda_lr(base_lr, t, lr_lambda=decay) for t in range(epochs)],
            torch_lrs(lambda opt: lr_scheduler.LambdaLR(opt, lr_lambda=decay), base_lr, epochs),
        ),
    }


# --- cosine_annealing_lr -----------------------------------------------------------


def _cosine(ex, base_lr, T_max, eta_min=None):
    kwargs = {} if eta_min is None else {"eta_min": eta_min}
    yours = [ex.cosine_annealing_lr(base_lr, t, T_max=T_max, **kwargs) for t in range(T_max + 1)]
    theirs = torch_lrs(lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=T_max, **kwargs), base_lr, T_max + 1)
    observed = against_torch("CosineAnnealingLR", yours, theirs)
    torch_key = next(iter(observed))
    # Where the two classic slips show most: the floor is reached at T_max, and it is eta_min.
    return {torch_key: observed[torch_key], "lr at epoch T_max": yours[-1], "lr": yours}


@check(points=2, rtol=RTOL, atol=ATOL)
def cosine_reaches_eta_min_at_T_max(ex):
    """T_max=10, eta_min=0.001: 0.1 at epoch 0, 0.0505 at epoch 5, exactly eta_min at epoch 10."""
    return _cosine(ex, 0.1, T_max=10, eta_min=0.001)


@check(points=1, rtol=RTOL, atol=ATOL)
def cosine_default_floor_is_zero(ex):
    """T_max=8 with the default eta_min: half the lr at epoch 4, 0 at epoch 8."""
    return _cosine(ex, 0.5, T_max=8)


@check(points=1, hidden=True, rtol=RTOL, atol=ATOL)
def cosine_random(ex):
    """Random T_max and eta_min, against PyTorch's recursive CosineAnnealingLR."""
    base_lr = uniform(0.01, 1.0)
    return _cosine(ex, base_lr, T_max=randint(2, 60), eta_min=uniform(0.0, 0.5) * base_lr)


# --- warmup_cosine_lr --------------------------------------------------------------


def _warmup_cosine(ex, base_lr, warmup, total, start_factor, eta_min):
    yours = [
        ex.warmup_cosine_lr(
            base_lr, t, warmup_epochs=warmup, total_epochs=total, start_factor=start_factor, eta_min=eta_min
        )
        for t in range(total + 1)
    ]

    def sequential(opt):
        warm = lr_scheduler.LinearLR(opt, start_factor=start_factor, total_iters=warmup)
        cosine = lr_scheduler.CosineAnnealingLR(opt, T_max=total - warmup, eta_min=eta_min)
        return lr_scheduler.SequentialLR(opt, [warm, cosine], milestones=[warmup])

    return against_torch("SequentialLR(LinearLR, CosineAnnealingLR)", yours, torch_lrs(sequential, base_lr, total + 1))


@check(points=2, rtol=RTOL, atol=ATOL)
def warmup_then_cosine_matches_sequential_lr(ex):
    """3 warm-up epochs from 0.01 to 0.1 (reached at epoch 3), then cosine down to 0.001 at epoch 10."""
    return _warmup_cosine(ex, 0.1, warmup=3, total=10, start_factor=0.1, eta_min=0.001)


@check(points=1, hidden=True, rtol=RTOL, atol=ATOL)
def warmup_cosine_random(ex):
    """Random warm-up length, cosine length, start factor and floor, against SequentialLR."""
    warmup = randint(1, 8)
    base_lr, total = uniform(0.01, 1.0), warmup + randint(2, 40)
    start_factor, eta_min = uniform(0.01, 0.5), uniform(0.0, 1e-3)
    return _warmup_cosine(ex, base_lr, warmup, total, start_factor=start_factor, eta_min=eta_min)


# --- PlateauScheduler --------------------------------------------------------------


def _plateau(ex, lr, metrics, **settings):
    """Feed the same metrics to the learner's class and to torch's ReduceLROnPlateau."""
    yours = ex.PlateauScheduler(lr, **settings)
    lrs, bad, best = [], [], []
    for metric in metrics:
        lrs.append(yours.step(metric))
        bad.append(yours.num_bad_epochs)
        best.append(yours.best)
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr)
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, **settings)
    theirs = []
    for metric in metrics:
        scheduler.step(metric)
        theirs.append(float(optimizer.param_groups[0]["lr"]))
    return {**against_torch("ReduceLROnPlateau", lrs, theirs), "num_bad_epochs": bad, "best": best}


# Relative threshold 0.01 around losses of 3-5: "better" means at least 1% lower,
# i.e. 0.03-0.05 lower, not 0.01 lower.
PLATEAU_LOSSES = [5.0, 4.0, 3.97, 3.965, 3.961, 3.5, 3.6, 3.7, 3.8, 3.4, 3.39, 3.38, 3.37, 3.0, 2.98]


@check(points=2, rtol=RTOL, atol=ATOL)
def plateau_min_mode_relative_threshold(ex):
    """patience=2: the lr halves on the third bad epoch in a row; 3.97 after 4.0 is not 1% better."""
    return _plateau(ex, 0.1, PLATEAU_LOSSES, mode="min", factor=0.5, patience=2, threshold=0.01)


@check(points=2, rtol=RTOL, atol=ATOL)
def plateau_max_mode_cooldown_min_lr(ex):
    """mode="max", threshold_mode="abs", cooldown=2, min_lr=0.005: bad epochs in cooldown do not count."""
    accuracies = [0.5, 0.6, 0.603, 0.6, 0.59, 0.58, 0.58, 0.57, 0.61, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
    settings = {"factor": 0.1, "patience": 1, "threshold": 0.005, "threshold_mode": "abs"}
    settings.update(cooldown=2, min_lr=0.005)
    return _plateau(ex, 1.0, accuracies, mode="max", **settings)


@check(points=1, hidden=True, rtol=RTOL, atol=ATOL)
def plateau_random(ex):
    """Random settings (both modes, both threshold modes) on a noisy random walk; then the
    default relative threshold on losses around 20, where 1% is far more than the threshold itself."""
    mode = ("min", "max")[randint(0, 2)]
    walk = 2.0 + torch.cumsum(0.05 * torch.randn(40) + (0.01 if mode == "max" else -0.01), 0)
    settings = {
        "mode": mode,
        "factor": uniform(0.1, 0.9),
        "patience": randint(0, 4),
        "threshold": uniform(0.0, 0.02),
        "threshold_mode": ("rel", "abs")[randint(0, 2)],
        "cooldown": randint(0, 3),
        "min_lr": uniform(0.0, 0.01),
    }
    losses = 20.0 + torch.cumsum(0.2 * torch.randn(40) - 0.1, 0)
    return {
        "random settings": _plateau(ex, uniform(0.05, 0.5), [float(v) for v in walk.clamp(min=0.1)], **settings),
        "default threshold_mode": _plateau(
            ex,
            0.1,
            [float(v) for v in losses.clamp(min=1.0)],
            factor=0.5,
            patience=randint(0, 3),
            threshold=uniform(0.005, 0.02),
        ),
    }


# --- train_with_schedule -----------------------------------------------------------

WRONG_ORDER_WARNING = "before `optimizer.step()`"


def _train(ex, model, inputs, targets, epochs, lr, make_scheduler):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lrs, params = ex.train_with_schedule(model, inputs, targets, epochs, lr, make_scheduler)
    return {
        "PyTorch warned: lr_scheduler.step() called before optimizer.step()": any(
            WRONG_ORDER_WARNING in str(w.message) for w in caught
        ),
        "lrs": lrs,
        "params": params,
    }


def _linear(weight, bias):
    model = torch.nn.Linear(len(weight), 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([weight]))
        model.bias.copy_(torch.tensor([bias]))
    return model


# Final parameters are float32 after a few SGD steps: allow float32 rounding.
@check(points=2, rtol=1e-5, atol=1e-6)
def train_steps_optimizer_then_scheduler(ex):
    """StepLR(2, 0.5) over 6 epochs: lrs [0.1, 0.1, 0.05, 0.05, 0.025, 0.025], updates made with them."""
    inputs = torch.linspace(-1.0, 1.0, 24).reshape(8, 3)
    targets = inputs @ torch.tensor([[1.0], [2.0], [-1.0]]) + 0.5
    model = _linear([0.5, -0.3, 0.2], 0.1)
    return _train(
        ex, model, inputs, targets, 6, 0.1, lambda opt: lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    )


@check(points=1, hidden=True, rtol=1e-5, atol=1e-6)
def train_random(ex):
    """Random data, sizes, epochs, lr, and a cosine or multi-step schedule."""
    n, features, epochs = randint(6, 17), randint(2, 6), randint(4, 11)
    inputs = torch.randn(n, features)
    targets = inputs @ torch.randn(features, 1) + 0.1 * torch.randn(n, 1)
    model = _linear(torch.randn(features).tolist(), float(torch.randn(())))
    if randint(0, 2):
        make = lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=epochs, eta_min=0.01)  # noqa: E731
    else:
        make = lambda opt: lr_scheduler.MultiStepLR(opt, milestones=[1, epochs // 2], gamma=0.3)  # noqa: E731
    return _train(ex, model, inputs, targets, epochs, uniform(0.05, 0.2), make)
