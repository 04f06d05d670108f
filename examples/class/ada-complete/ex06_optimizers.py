"""Exercise 6 — optimizers: the update rules behind `torch.optim`, written by hand.

An optimizer turns gradients into parameter changes. `optimizer.step()` looks
magic until you write the few lines it runs; then every hyperparameter has a
meaning you can check:

- **SGD**: p ← p − lr·d, where d is the gradient, optionally with *weight
  decay* (d = g + wd·p, an L2 penalty folded into the gradient *before*
  anything else) and *momentum* (a running buffer b ← μ·b + (1 − dampening)·d,
  started at the first d itself, not at zero). Nesterov looks ahead: d + μ·b.
- **Adam** keeps two running averages per parameter, of the gradient (m) and of
  its square (v), both started at zero. Early on they are biased towards zero,
  so Adam divides them by (1 − β₁ᵗ) and (1 − β₂ᵗ): *bias correction*. Without it
  the first steps are the wrong size.
- **State** (momentum buffers, Adam's averages and step count) is part of the
  training run: a checkpoint without it resumes a *different* run.

You write the updates twice: as pure functions (new params and new state out,
inputs untouched — how JAX/optax libraries work, and easy to test), and as a
`torch.optim.Optimizer` subclass (in-place updates, `param_groups`, `state`,
and a `state_dict()` that resumes exactly). Every result is compared with
`torch.optim` itself on the same problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch

# --- pure update rules --------------------------------------------------------------


def sgd_step(
    params: list[torch.Tensor],
    grads: list[torch.Tensor],
    state: dict[str, Any],
    *,
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
) -> tuple[list[torch.Tensor], dict[str, Any]]:
    """One step of SGD, exactly as `torch.optim.SGD` does it; returns (new params, new state).

    What: for each parameter p with gradient g:
        d = g + weight_decay·p                   (weight decay first, on the raw gradient)
        if momentum ≠ 0:
            b = d                                (first step: a copy of d, no dampening)
            b = momentum·b + (1 − dampening)·d   (later steps)
            d = d + momentum·b if nesterov else b
        p_new = p − lr·d
    `state` is `{}` before the first step; with momentum, the returned state is
    `{"momentum_buffer": [b for each parameter]}` (without momentum, return `{}`).
    Pure: never modify `params`, `grads` or `state` in place; return new tensors.
    Nesterov needs momentum > 0 and dampening == 0, otherwise raise ValueError
    (as torch.optim.SGD does).

    Why: this is `torch.optim.SGD` in ten lines. The two details people get wrong:
    the buffer starts as the first gradient (starting it at zero and adding
    (1 − dampening)·d makes the early steps too small when dampening > 0), and weight
    decay enters *before* momentum, so it is averaged like the gradient.
    Example: sgd_step([torch.tensor([1., 2.])], [torch.tensor([0.5, -1.])], {}, lr=0.1)
    → ([tensor([0.95, 2.10])], {}).
    """
    # BEGIN SOLUTION weight decay, then the momentum buffer (first step: a copy), then p − lr·d; build new tensors
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")
    buffers = state.get("momentum_buffer")
    new_params, new_buffers = [], []
    for i, (p, g) in enumerate(zip(params, grads)):
        d = g + weight_decay * p if weight_decay != 0 else g
        if momentum != 0:
            if buffers is None:
                b = d.clone()
            else:
                b = momentum * buffers[i] + (1 - dampening) * d
            new_buffers.append(b)
            d = d + momentum * b if nesterov else b
        new_params.append(p - lr * d)
    return new_params, ({"momentum_buffer": new_buffers} if momentum != 0 else {})
    # END SOLUTION


def adam_step(
    params: list[torch.Tensor],
    grads: list[torch.Tensor],
    state: dict[str, Any],
    *,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> tuple[list[torch.Tensor], dict[str, Any]]:
    """One step of Adam, exactly as `torch.optim.Adam` does it; returns (new params, new state).

    What: the step count t goes up by one (t = 1 on the first step). For each p, g:
        g = g + weight_decay·p                   (L2 as in torch.optim.Adam; AdamW differs)
        m = β₁·m + (1 − β₁)·g                    (m and v start at zero)
        v = β₂·v + (1 − β₂)·g²
        m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)    (bias correction)
        p_new = p − lr·m̂ / (√v̂ + eps)
    `state` is `{}` before the first step and afterwards
    `{"step": t (an int), "exp_avg": [m, ...], "exp_avg_sq": [v, ...]}`,
    the names torch.optim.Adam uses. Pure: inputs are never modified.

    Why: m and v start at zero, so after one step m = (1 − β₁)·g = 0.1·g: far too
    small. Dividing by (1 − β₁ᵗ) undoes exactly that bias; the division matters
    most in the first few hundred steps, which is when training is most fragile.
    Example: on the first step m̂ = g and v̂ = g², so every parameter moves by
    almost exactly lr, against the sign of its gradient:
    adam_step([torch.tensor([1., 1.])], [torch.tensor([3., -0.2])], {}, lr=0.1)[0]
    → [tensor([0.9, 1.1])].
    """
    # BEGIN SOLUTION count the step, update m and v (from zeros at first), correct their bias, then step
    beta1, beta2 = betas
    step = state.get("step", 0) + 1
    exp_avgs = state.get("exp_avg") or [torch.zeros_like(p) for p in params]
    exp_avg_sqs = state.get("exp_avg_sq") or [torch.zeros_like(p) for p in params]
    new_params, new_m, new_v = [], [], []
    for p, g, m, v in zip(params, grads, exp_avgs, exp_avg_sqs):
        if weight_decay != 0:
            g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**step)
        v_hat = v / (1 - beta2**step)
        new_params.append(p - lr * m_hat / (v_hat.sqrt() + eps))
        new_m.append(m)
        new_v.append(v)
    return new_params, {"step": step, "exp_avg": new_m, "exp_avg_sq": new_v}
    # END SOLUTION


# --- an optimizer class ---------------------------------------------------------------


class MySGD(torch.optim.Optimizer):
    """SGD with momentum and weight decay as a real `torch.optim.Optimizer`.

    What: `__init__` validates the hyperparameters and hands
    `defaults = {"lr": ..., "momentum": ..., "weight_decay": ...}` to the base
    class, which builds `self.param_groups` (each group gets the defaults it does
    not set itself). `step(closure=None)` updates every parameter that has a
    gradient, in place, with *its group's* hyperparameters:
        d = p.grad + weight_decay·p
        b = d on the first step, else b = momentum·b + d     (only if momentum ≠ 0)
        p ← p − lr·b   (or p − lr·d without momentum)
    The buffer lives in `self.state[p]["momentum_buffer"]`, as in torch.optim.SGD.
    If a `closure` is given, `step` calls it (with gradients enabled) first and
    returns its loss; otherwise it returns None. A negative lr, momentum or
    weight_decay raises ValueError.

    Why: `self.state` and `self.param_groups` are what the inherited
    `state_dict()` / `load_state_dict()` save and restore. Keep the buffer
    anywhere else (an attribute, a dict of your own) and a run resumed from a
    checkpoint silently restarts its momentum. Reading hyperparameters from the
    group (not from `self.defaults`) is what makes per-layer learning rates and
    schedulers work.
    Example:
        opt = MySGD([{"params": [w]}, {"params": [b], "lr": 0.01}], lr=0.1, momentum=0.9)
        loss.backward(); opt.step(); opt.zero_grad()
    """

    def __init__(
        self,
        params: Iterable[torch.Tensor] | Iterable[dict[str, Any]],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        # BEGIN SOLUTION reject negative hyperparameters, then super().__init__(params, defaults)
        if lr < 0.0:
            raise ValueError(f"invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"invalid momentum: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"invalid weight_decay: {weight_decay}")
        super().__init__(params, {"lr": lr, "momentum": momentum, "weight_decay": weight_decay})
        # END SOLUTION

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        # BEGIN SOLUTION call the closure under torch.enable_grad(); for each group, each p with a grad: update in place
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, momentum, weight_decay = group["lr"], group["momentum"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                d = p.grad if weight_decay == 0 else p.grad.add(p, alpha=weight_decay)
                if momentum != 0:
                    state = self.state[p]
                    buffer = state.get("momentum_buffer")
                    if buffer is None:
                        buffer = state["momentum_buffer"] = d.clone()
                    else:
                        buffer.mul_(momentum).add_(d)
                    d = buffer
                p.add_(d, alpha=-lr)
        return loss
        # END SOLUTION


# --- around the optimizer -----------------------------------------------------------------


def zero_grad(params: Iterable[torch.Tensor], set_to_none: bool = True) -> None:
    """Clear the gradients of `params`, as `torch.optim.Optimizer.zero_grad` does.

    What: for every parameter that has a gradient: with `set_to_none=True` (the
    default since PyTorch 2.0) set `p.grad = None`; otherwise zero the existing
    gradient tensor *in place* (detach it from any graph first with
    `p.grad.detach_()`). Parameters without a gradient keep `None`.
    `params` may be a generator such as `model.parameters()`: go through it once.

    Why: `backward()` adds into `.grad`, so gradients must be cleared between
    steps. `None` frees the memory and makes the next backward *assign* instead
    of add; it also makes optimizers skip parameters that got no gradient,
    whereas a zero gradient still moves them (momentum, weight decay).
    Example: p.grad = tensor([1., 2.]); zero_grad([p], set_to_none=False)
    → p.grad is the same tensor, now [0., 0.]; zero_grad([p]) → p.grad is None.
    """
    # BEGIN SOLUTION one loop: skip missing grads; None, or detach_() and zero_() in place
    for p in params:
        if p.grad is None:
            continue
        if set_to_none:
            p.grad = None
        else:
            p.grad.detach_()
            p.grad.zero_()
    # END SOLUTION


def build_optimizer(name: str, params: Iterable[Any], lr: float, **options: Any) -> torch.optim.Optimizer:
    """A `torch.optim` optimizer chosen by name: "sgd", "adam" or "rmsprop" (any case).

    What: return `torch.optim.SGD`, `torch.optim.Adam` or `torch.optim.RMSprop`
    built on `params` with learning rate `lr` and any extra keyword `options`
    (momentum=0.9, betas=(0.9, 0.99), ...). Any other name raises ValueError
    listing the known names.

    Why: training scripts take the optimizer from a config file or the command
    line; one factory keeps the choice in one place and fails loudly on a typo
    instead of silently training with a default.
    Example: build_optimizer("Adam", model.parameters(), 3e-4) is a torch.optim.Adam
    whose param_groups[0]["lr"] is 3e-4.
    """
    # BEGIN SOLUTION a dict from lower-case name to class; unknown names raise ValueError
    known = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop}
    kind = known.get(name.lower())
    if kind is None:
        raise ValueError(f"unknown optimizer {name!r}: choose one of {', '.join(known)}")
    return kind(params, lr=lr, **options)
    # END SOLUTION
