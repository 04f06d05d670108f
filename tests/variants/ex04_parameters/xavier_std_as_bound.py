"""Xavier uniform with sqrt(2 / (fan_in + fan_out)) as the bound: that is the std, the bound is sqrt(3) times larger."""

VERDICTS = {
    "xavier_matches_torch": ("failed", "'equals nn.init.xavier_uniform_ under the same seed'"),
    "xavier_random_shapes_and_gains": ("failed", "'equals nn.init.xavier_uniform_ under the same seed'"),
}
DIAGNOSIS = {"*": ("sqrt(3)", "sqrt(1/3)", "bound", "scale or normaliser", "factor lost or added")}

import math  # noqa: E402

import torch  # noqa: E402


def xavier_uniform_(weight, gain=1.0):
    fan_out, fan_in = weight.shape
    bound = gain * math.sqrt(2.0 / (fan_in + fan_out))
    with torch.no_grad():
        weight.uniform_(-bound, bound)
    return weight
