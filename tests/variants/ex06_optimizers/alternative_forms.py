"""Correct, written differently: torch.optim's own formulas (lerp, addcdiv, alpha=), other loops and checks.

Adam divides by √(1 − β₂ᵗ) inside the denominator and folds 1/(1 − β₁ᵗ) into the
step size, as torch.optim.Adam does; SGD uses out-of-place add/mul with alpha;
MySGD keeps its buffer with setdefault and updates with sub_.
"""

VERDICTS = {}

import math  # noqa: E402

import torch  # noqa: E402


def sgd_step(params, grads, state, *, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and not (momentum > 0 and dampening == 0):
        raise ValueError("nesterov needs momentum > 0 and no dampening")
    decayed = [torch.add(g, p, alpha=weight_decay) for p, g in zip(params, grads)]
    if momentum == 0:
        return [torch.add(p, d, alpha=-lr) for p, d in zip(params, decayed)], {}
    if "momentum_buffer" in state:
        buffers = [b.mul(momentum).add(d, alpha=1 - dampening) for b, d in zip(state["momentum_buffer"], decayed)]
    else:
        buffers = [d.detach().clone() for d in decayed]
    directions = [d.add(b, alpha=momentum) for d, b in zip(decayed, buffers)] if nesterov else buffers
    return [torch.add(p, d, alpha=-lr) for p, d in zip(params, directions)], {"momentum_buffer": buffers}


def adam_step(params, grads, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    beta1, beta2 = betas
    t = 1 + state.get("step", 0)
    first = not state
    bias1, bias2 = 1 - beta1**t, 1 - beta2**t
    new_state = {"step": t, "exp_avg": [], "exp_avg_sq": []}
    new_params = []
    for i, p in enumerate(params):
        g = grads[i].add(p, alpha=weight_decay) if weight_decay else grads[i]
        m = torch.zeros_like(p) if first else state["exp_avg"][i]
        v = torch.zeros_like(p) if first else state["exp_avg_sq"][i]
        m = m.lerp(g, 1 - beta1)
        v = v.mul(beta2).addcmul(g, g, value=1 - beta2)
        denom = (v.sqrt() / math.sqrt(bias2)).add(eps)
        new_params.append(p.addcdiv(m, denom, value=-lr / bias1))
        new_state["exp_avg"].append(m)
        new_state["exp_avg_sq"].append(v)
    return new_params, new_state


class MySGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        if min(lr, momentum, weight_decay) < 0:
            raise ValueError("lr, momentum and weight_decay must be >= 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay))

    def step(self, closure=None):
        loss = closure() if closure is not None else None
        with torch.no_grad():
            for group in self.param_groups:
                for p in (q for q in group["params"] if q.grad is not None):
                    d = p.grad + group["weight_decay"] * p
                    if group["momentum"]:
                        state = self.state[p]
                        if "momentum_buffer" in state:
                            state["momentum_buffer"].mul_(group["momentum"]).add_(d)
                        else:
                            state["momentum_buffer"] = d.clone()
                        d = state["momentum_buffer"]
                    p.sub_(group["lr"] * d)
        return loss


def zero_grad(params, set_to_none=True):
    with_grads = [p for p in params if p.grad is not None]
    for p in with_grads:
        if set_to_none:
            p.grad = None
            continue
        if p.grad.grad_fn is not None:
            p.grad.detach_()
        else:
            p.grad.requires_grad_(False)
        p.grad.zero_()


def build_optimizer(name, params, lr, **options):
    key = name.casefold()
    if key == "sgd":
        return torch.optim.SGD(params, lr, **options)
    if key == "adam":
        return torch.optim.Adam(params, lr, **options)
    if key == "rmsprop":
        return torch.optim.RMSprop(params, lr, **options)
    raise ValueError(f"no optimizer called {name!r} (try sgd, adam or rmsprop)")
