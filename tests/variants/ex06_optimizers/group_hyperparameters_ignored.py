"""MySGD.step reads lr, momentum and weight_decay from self.defaults instead of each param group.

Per-group settings are ignored, and so are the hyperparameters restored by load_state_dict.
"""

VERDICTS = {
    "my_sgd_param_groups_match_torch": ("failed", "'agrees with torch.optim.SGD'"),
    "my_sgd_state_dict_resumes_exactly": ("failed", "'continuous, param groups with their own lr'"),
    "my_sgd_random_matches_torch": ("failed", "'trajectory with per-group lr and momentum'"),
    "my_sgd_momentum_one_weight_decay_one": ("failed", "'trajectory, momentum=1 in one param group"),
}
DIAGNOSIS = {"*": ("param group", "self.defaults", "per-group")}

import torch  # noqa: E402


class MySGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        if min(lr, momentum, weight_decay) < 0.0:
            raise ValueError("negative hyperparameter")
        super().__init__(params, {"lr": lr, "momentum": momentum, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        lr, momentum, weight_decay = self.defaults["lr"], self.defaults["momentum"], self.defaults["weight_decay"]
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                d = p.grad.add(p, alpha=weight_decay)
                if momentum != 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = d.clone()
                    else:
                        state["momentum_buffer"].mul_(momentum).add_(d)
                    d = state["momentum_buffer"]
                p.add_(d, alpha=-lr)
        return loss
