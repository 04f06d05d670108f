"""MySGD stores d itself as the first momentum buffer: without weight decay that is p.grad.

zero_grad(set_to_none=False) then zeroes the momentum with the gradient, and the next
backward accumulates into the buffer: the run leaves torch.optim.SGD's trajectory.
"""

VERDICTS = {
    "my_sgd_buffer_is_a_copy": ("failed", "'a copy: momentum_buffer after the caller zeroes p.grad in place'"),
}
DIAGNOSIS = {"*": ("a copy",)}

import torch  # noqa: E402


class MySGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        if lr < 0.0 or momentum < 0.0 or weight_decay < 0.0:
            raise ValueError("negative hyperparameter")
        super().__init__(params, {"lr": lr, "momentum": momentum, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                d = p.grad if group["weight_decay"] == 0 else p.grad.add(p, alpha=group["weight_decay"])
                if group["momentum"] != 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = d
                    else:
                        state["momentum_buffer"].mul_(group["momentum"]).add_(d)
                    d = state["momentum_buffer"]
                p.add_(d, alpha=-group["lr"])
        return loss
