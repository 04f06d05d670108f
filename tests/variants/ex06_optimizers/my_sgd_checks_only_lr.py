"""MySGD rejects a negative lr only: a negative momentum or weight_decay is accepted silently."""

VERDICTS = {"my_sgd_validates_hyperparameters": ("failed", "'momentum=-0.5': expected ValueError to be raised")}
DIAGNOSIS = {"*": ("momentum=-0.5", "weight_decay=-0.01")}

import torch  # noqa: E402

_ReferenceSGD = MySGD  # noqa: F821 - the reference's class


class MySGD(_ReferenceSGD):
    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        if lr < 0.0:
            raise ValueError(f"invalid learning rate: {lr}")
        torch.optim.Optimizer.__init__(self, params, {"lr": lr, "momentum": momentum, "weight_decay": weight_decay})
