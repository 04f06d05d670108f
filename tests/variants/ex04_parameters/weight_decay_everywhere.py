"""SGD(net.parameters(), weight_decay=λ): every parameter, biases included, is decayed."""

VERDICTS = {
    "param_groups_options": ("failed", "'weight_decay of 0.bias'"),
    "one_step_update": ("failed", "'0.bias after one step'"),
    "param_groups_random": ("failed", "'weight_decay of 0.bias'"),
}
DIAGNOSIS = {"*": ("weight_decay of 0.bias", "no_decay")}

import torch  # noqa: E402


def decay_first_weight(net, lr, weight_decay):
    return torch.optim.SGD(net.parameters(), lr=lr, weight_decay=weight_decay)
