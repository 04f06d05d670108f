"""init_weights assigns new tensors drawn on the CPU to .data: the same numbers on the CPU, but a model on a GPU
ends up with its Linear weights on the CPU."""

# On a GPU the weight silently moves to the CPU; on the meta device the assignment itself is refused.
VERDICTS = {"state_stays_on_the_device[meta]": ("failed", "'init_weights through apply (drawn on the device of the model)': raised RuntimeError")}
DIAGNOSIS = {"*": "device of the model"}

import torch  # noqa: E402
from torch import nn  # noqa: E402


def init_weights(module):
    if isinstance(module, nn.Linear):
        module.weight.data = torch.randn(module.weight.shape) * 0.01
        module.bias.data = torch.zeros(module.bias.shape)
