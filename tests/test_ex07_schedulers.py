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

from grader import capture, check

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


def against_torch(name, yours, theirs, lr_key="lr"):
    """The learner's lrs (under `lr_key`, which may say the rule they follow), and where they first leave PyTorch's."""
    # The PyTorch key comes before the lrs; a check puts the keys named after the rule a classic
    # slip breaks (the floor, patience, ...) before both, so that they are what a learner reads first.
    return {f"first epoch where lr differs from torch {name}": first_difference(yours, theirs), lr_key: yours}


def _lowest_at(lrs, start=0):
    """The first epoch (from `start`) with the lowest lr of the learner's own schedule; None if not all numbers."""
    tail = lrs[start:]
    if not tail or not all(type(lr) in (int, float) for lr in tail):
        return None
    return start + tail.index(min(tail))


def _floor(lrs, last, start=0):
    """The two facts where a cosine's classic slips show: the last lr (eta_min) and where the lowest one is."""
    return {
        f"lr at epoch {last} is eta_min": lrs[-1],
        f"the lowest lr is reached at epoch {last}, not one epoch early": _lowest_at(lrs, start),
    }


# LambdaLR multiplies the base lr by lr_lambda(epoch); MultiplicativeLR would compound the factors.
LAMBDA_RULE = "lr = base lr * lr_lambda(epoch), not compounded"


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
            "LambdaLR",
            with_lambda,
            torch_lrs(lambda opt: lr_scheduler.LambdaLR(opt, lr_lambda=decay), 0.2, 15),
            LAMBDA_RULE,
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
            LAMBDA_RULE,
        ),
    }


# --- cosine_annealing_lr -----------------------------------------------------------


def _cosine(ex, base_lr, T_max, eta_min=None):
    kwargs = {} if eta_min is None else {"eta_min": eta_min}
    yours = [ex.cosine_annealing_lr(base_lr, t, T_max=T_max, **kwargs) for t in range(T_max + 1)]
    theirs = torch_lrs(lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=T_max, **kwargs), base_lr, T_max + 1)
    # Where the two classic slips show most, first: the floor is eta_min, and it is reached at T_max.
    return {**_floor(yours, "T_max"), **against_torch("CosineAnnealingLR", yours, theirs)}


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

    return {
        "the cosine counts from the end of the warm-up: lr at epoch warmup_epochs is base_lr": yours[warmup],
        **_floor(yours, "total_epochs", start=warmup),
        **against_torch("SequentialLR(LinearLR, CosineAnnealingLR)", yours, torch_lrs(sequential, base_lr, total + 1)),
    }


@check(points=2, rtol=RTOL, atol=ATOL)
def warmup_then_cosine_matches_sequential_lr(ex):
    """3 warm-up epochs from 0.01 to 0.1 (reached at epoch 3), then cosine down to 0.001 at epoch 10."""
    return _warmup_cosine(ex, 0.1, warmup=3, total=10, start_factor=0.1, eta_min=0.001)


@check(points=1, rtol=RTOL, atol=ATOL)
def warmup_of_zero_epochs_is_plain_cosine(ex):
    """warmup_epochs=0: no warm-up at all, the cosine from epoch 0 (CosineAnnealingLR(T_max=total_epochs))."""
    yours = [ex.warmup_cosine_lr(0.1, t, warmup_epochs=0, total_epochs=8, start_factor=0.1, eta_min=0.001) for t in range(9)]
    theirs = torch_lrs(lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=8, eta_min=0.001), 0.1, 9)
    return {**_floor(yours, "total_epochs"), **against_torch("CosineAnnealingLR", yours, theirs)}


@check(points=1, hidden=True, rtol=RTOL, atol=ATOL)
def warmup_cosine_random(ex):
    """Random warm-up length, cosine length, start factor and floor, against SequentialLR."""
    warmup = randint(1, 8)
    base_lr, total = uniform(0.01, 1.0), warmup + randint(2, 40)
    start_factor, eta_min = uniform(0.01, 0.5), uniform(0.0, 1e-3)
    return _warmup_cosine(ex, base_lr, warmup, total, start_factor=start_factor, eta_min=eta_min)


# --- PlateauScheduler --------------------------------------------------------------

ATTRIBUTES = ("lr", "best", "num_bad_epochs", "cooldown_counter")
BEST_START = "best starts at inf (mode=min) or -inf (mode=max)"
IMPROVEMENT = {  # (mode, threshold_mode) -> the rule is_better follows, as the key of its answers
    ("min", "rel"): "improvements (+) by is_better: metric < best * (1 - threshold), strictly",
    ("min", "abs"): "improvements (+) by is_better: metric < best - threshold, strictly",
    ("max", "rel"): "improvements (+) by is_better: metric > best * (1 + threshold), strictly",
    ("max", "abs"): "improvements (+) by is_better: metric > best + threshold, strictly",
}
PATIENCE_COUNT = "bad epochs counted before each lr drop: patience (the drop comes on the next bad epoch)"
PATIENCE_GOOD = "improving epochs that still cut the lr (only more than patience bad epochs in a row do)"


def _initial(scheduler):
    """The attributes after __init__, the start of best under a key that says what it must be."""
    return {BEST_START if name == "best" else name: getattr(scheduler, name) for name in ATTRIBUTES}


def _patience(lrs, bad_before, improved):
    """The learner's own counts at its drops, and its drops on epochs its own is_better called improvements."""
    numbers = [type(lr) in (int, float) for lr in lrs]
    drops = [t for t in range(1, len(lrs)) if numbers[t] and numbers[t - 1] and lrs[t] < lrs[t - 1]]
    counts = list(dict.fromkeys(bad_before[t] for t in drops))  # each count once, learner's types kept
    return {
        PATIENCE_COUNT: sorted(counts) if all(type(c) is int for c in counts) else counts,
        PATIENCE_GOOD: sum(1 for t in drops if improved[t] is True),
    }


def _plateau(ex, lr, metrics, **settings):
    """Feed the same metrics to the learner's class and to torch's ReduceLROnPlateau.

    The attributes are recorded as they are (types compared), after __init__ and after each step.
    """
    yours = ex.PlateauScheduler(lr, **settings)
    initial = _initial(yours)
    lrs, bad, best, cooldown = [], [], [], []
    # The learner's is_better and num_bad_epochs just before each step; is_better's answers are
    # shown as one string (+ improved, . not, ? neither True nor False): a list would outgrow the
    # observation limit of the longest runs.
    improved, bad_before = [], []
    for metric in metrics:
        improved.append(capture(yours.is_better, float(metric)))
        bad_before.append(yours.num_bad_epochs)
        lrs.append(yours.step(metric))
        bad.append(yours.num_bad_epochs)
        best.append(yours.best)
        cooldown.append(yours.cooldown_counter)
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr)
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, **settings)
    theirs = []
    for metric in metrics:
        scheduler.step(metric)
        theirs.append(float(optimizer.param_groups[0]["lr"]))
    rule = IMPROVEMENT[settings.get("mode", "min"), settings.get("threshold_mode", "rel")]
    return {
        "after __init__": initial,
        rule: "".join("+" if answer is True else "." if answer is False else "?" for answer in improved),
        **_patience([lr, *lrs], [None, *bad_before], [None, *improved]),  # `improved` as the learner gave it
        **against_torch("ReduceLROnPlateau", lrs, theirs),
        "num_bad_epochs": bad,
        "best": best,
        "cooldown_counter": cooldown,
    }


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


@check(points=2, rtol=RTOL, atol=ATOL)
def plateau_max_mode_relative_threshold(ex):
    """mode="max", threshold=0.25 relative, cooldown=1: better means above best · 1.25 (after 2.0, 2.4
    is not better and 2.5 is only equal), not above best / 1.25, best + 1.25 or best · 0.75."""
    metrics = [2.0, 2.4, 2.5, 3.0, 1.0, 3.5, 3.75, 4.0, 4.5, 5.0, 5.0, 6.0]
    return _plateau(ex, 1.0, metrics, mode="max", factor=0.5, patience=1, threshold=0.25, cooldown=1)


# Dyadic numbers, so that every boundary is exact in floating point whatever the formula:
# 4.0 · (1 − 0.25) = 3.0, then 2.75 · 0.75 = 2.0625; 4.0 − 0.5 = 3.5, then 3.25 − 0.5 = 2.75;
# 2.0 · 1.25 = 2.5, then 2.75 · 1.25 = 3.4375; 2.0 + 0.5 = 2.5, then 2.75 + 0.5 = 3.25.
# Each sequence: best, marginal, tie, better, worse or marginal, tie, better. patience=0: every bad epoch reduces.
BOUNDARIES = {
    "mode=min, threshold_mode=rel, threshold=0.25": ("min", "rel", 0.25, [4.0, 3.5, 3.0, 2.75, 3.0, 2.0625, 2.0]),
    "mode=min, threshold_mode=abs, threshold=0.5": ("min", "abs", 0.5, [4.0, 3.75, 3.5, 3.25, 3.0, 2.75, 2.25]),
    "mode=max, threshold_mode=rel, threshold=0.25": ("max", "rel", 0.25, [2.0, 2.25, 2.5, 2.75, 2.5, 3.4375, 4.0]),
    "mode=max, threshold_mode=abs, threshold=0.5": ("max", "abs", 0.5, [2.0, 2.25, 2.5, 2.75, 2.5, 3.25, 3.5]),
    "mode=min, threshold=0 (a repeat is not better)": ("min", "rel", 0.0, [1.0, 1.0, 0.5, 0.5, 0.5, 0.25]),
    "mode=max, threshold=0 (a repeat is not better)": ("max", "abs", 0.0, [1.0, 1.0, 2.0, 2.0, 2.0, 4.0]),
}


@check(points=2, rtol=RTOL, atol=ATOL)
def plateau_boundary_is_not_better(ex):
    """In both modes and both threshold modes, a value exactly at the threshold's boundary is not an
    improvement (strict < and >): each such epoch is a bad one."""
    return {
        name: _plateau(ex, 1.0, metrics, mode=mode, threshold_mode=threshold_mode, threshold=threshold, factor=0.5, patience=0)
        for name, (mode, threshold_mode, threshold, metrics) in BOUNDARIES.items()
    }


@check(points=1, rtol=RTOL, atol=ATOL)
def plateau_eps_and_min_lr(ex):
    """A reduction is applied only if it shrinks the lr by more than eps (by exactly eps: not applied);
    min_lr is a floor, after which the lr stays put."""
    flat = [1.0] * 6
    return {
        "eps=0.25: 1 -> 0.5, then 0.5 -> 0.25 is a change of exactly eps": _plateau(ex, 1.0, flat, factor=0.5, patience=0, eps=0.25),
        "min_lr=0.3: 1 -> 0.5 -> 0.3, then stays": _plateau(ex, 1.0, flat, factor=0.5, patience=0, min_lr=0.3),
    }


@check(points=2, rtol=RTOL, atol=ATOL)
def plateau_non_finite_first_metric(ex):
    """A NaN (or an infinite loss) as the first metric is not better than the start (best stays ±inf):
    it is a bad epoch, and with patience=0 the lr drops at once and a cooldown starts."""
    nan, inf = math.nan, math.inf
    settings = {"factor": 0.5, "patience": 0, "cooldown": 2}
    return {
        "mode=min, first metric NaN": _plateau(ex, 1.0, [nan, 5.0, 5.0, 5.0, 4.0, 4.0, nan, 3.0], **settings),
        "mode=min, first metric inf": _plateau(ex, 1.0, [inf, 5.0, 5.0, 5.0, 4.0], threshold_mode="abs", **settings),
        "mode=max, first metric NaN": _plateau(ex, 1.0, [nan, 0.5, 0.5, 0.5, 0.7, nan], mode="max", **settings),
        "mode=max, first metric -inf": _plateau(ex, 1.0, [-inf, 0.5, 0.5, 0.6], mode="max", **settings),
    }


@check(points=1)
def plateau_rejects_unknown_modes(ex):
    """mode must be "min" or "max" and threshold_mode "rel" or "abs", as in ReduceLROnPlateau: others raise ValueError."""

    def attributes(**settings):
        return _initial(ex.PlateauScheduler(0.1, **settings))

    return {
        'an unknown mode ("maximum") raises ValueError': capture(attributes, mode="maximum"),
        'an unknown threshold_mode ("relative") raises ValueError': capture(attributes, threshold_mode="relative"),
        'mode="max", threshold_mode="abs"': capture(attributes, mode="max", threshold_mode="abs"),
        "defaults": capture(attributes),
    }


GRID = 1024  # hidden metrics are multiples of 1/1024 and thresholds of 1/64: every boundary is exact


def _on_grid(value):
    return round(value * GRID) / GRID


def _plateau_metrics(mode, threshold_mode, threshold, patience, cooldown, first=()):
    """A random metric sequence that holds, whatever the seed, every case the rules tell apart.

    Six blocks: a clear improvement, then patience + cooldown + 1 to + 3 epochs that are not
    improvements, in random order: worse values, values exactly at the boundary (ties), values
    between the best and the boundary, and, in "rel" mode, values better than the best by more
    than the threshold itself but less than threshold · best (what an absolute threshold accepts).
    Each block ends with at least one reduction.
    """
    up = 1.0 if mode == "max" else -1.0

    def boundary(best):
        if threshold_mode == "rel":
            return best * (1 + threshold) if mode == "max" else best * (1 - threshold)
        return best + threshold if mode == "max" else best - threshold

    def between(low, high):
        return _on_grid(low + (high - low) * uniform(0.2, 0.8))

    best = _on_grid(uniform(3.0, 4.0))
    metrics = [*first, best]
    for block in range(6):
        if block:
            best = _on_grid(boundary(best) + (boundary(best) - best) * uniform(0.25, 1.0))
            metrics.append(best)
        kinds = ["worse", "tie", "marginal"] + (["above the absolute threshold"] if threshold_mode == "rel" else [])
        kinds += [kinds[randint(0, len(kinds))] for _ in range(patience + cooldown + randint(1, 4) - len(kinds))]
        for index in torch.randperm(len(kinds)).tolist():
            kind = kinds[index]
            if kind == "worse":
                metrics.append(_on_grid(best - up * uniform(0.05, 1.0)))
            elif kind == "tie":
                metrics.append(boundary(best))
            elif kind == "marginal":
                metrics.append(between(best, boundary(best)))
            else:
                metrics.append(between(best + up * threshold, boundary(best)))
    return metrics


@check(points=2, hidden=True, rtol=RTOL, atol=ATOL)
def plateau_random(ex):
    """Random settings in each of the four mode × threshold_mode cases (every seed runs all four,
    with a cooldown, ties, marginal values and a min_lr that is reached; two start with NaN), then
    the defaults (mode="min", threshold_mode="rel"), on metrics built by `_plateau_metrics`."""
    observed = {}
    for mode, threshold_mode, first in (("min", "rel", ()), ("max", "rel", (math.nan,)), ("min", "abs", (math.nan,)), ("max", "abs", ())):
        lr, factor = uniform(0.05, 0.5), uniform(0.1, 0.9)
        settings = {
            "threshold": randint(1, 4) / 64,
            "patience": randint(0, 4),
            "cooldown": randint(1, 4),
        }
        metrics = _plateau_metrics(mode, threshold_mode, first=first, **settings)
        settings.update(mode=mode, threshold_mode=threshold_mode, factor=factor, min_lr=lr * factor**3)
        observed[f"mode={mode}, threshold_mode={threshold_mode}"] = _plateau(ex, lr, metrics, **settings)
    # factor 0.8: at most 43 epochs, so the lr stays above 0.1 · 0.8^43 ≈ 7e-6 and every reduction
    # exceeds the default eps (1e-8) whatever the seed: eps is the visible check's business.
    threshold, patience = randint(1, 4) / 64, randint(0, 4)
    metrics = _plateau_metrics("min", "rel", threshold, patience, cooldown=0)
    observed["defaults (mode and threshold_mode not passed)"] = _plateau(
        ex, 0.1, metrics, factor=0.8, patience=patience, threshold=threshold
    )
    return observed


# --- train_with_schedule -----------------------------------------------------------

WRONG_ORDER_WARNING = "before `optimizer.step()`"


def _train(ex, model, inputs, targets, epochs, lr, make_scheduler):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lrs, params = ex.train_with_schedule(model, inputs, targets, epochs, lr, make_scheduler)
    returned = [p.detach().clone() if isinstance(p, torch.Tensor) else p for p in params]
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)  # the caller goes on training the model: its own copies must not follow
    return {
        "PyTorch warned: lr_scheduler.step() called before optimizer.step()": any(
            WRONG_ORDER_WARNING in str(w.message) for w in caught
        ),
        "lrs": lrs,
        "params": returned,
        "params returned detached (requires_grad)": [isinstance(p, torch.Tensor) and p.requires_grad for p in params],
        "a copy: returned params after the model is changed in place": params,
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
    """Random data, sizes, epochs and lr, trained twice from the same start: with a cosine and with a
    multi-step schedule (every seed runs both)."""
    n, features, epochs = randint(6, 17), randint(2, 6), randint(4, 11)
    inputs = torch.randn(n, features)
    targets = inputs @ torch.randn(features, 1) + 0.1 * torch.randn(n, 1)
    weight, bias, lr = torch.randn(features).tolist(), float(torch.randn(())), uniform(0.05, 0.2)
    schedules = {
        "cosine": lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=epochs, eta_min=0.01),
        "multistep": lambda opt: lr_scheduler.MultiStepLR(opt, milestones=[1, epochs // 2], gamma=0.3),
    }
    return {name: _train(ex, _linear(weight, bias), inputs, targets, epochs, lr, make) for name, make in schedules.items()}
