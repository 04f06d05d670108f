"""running_mean as nn.Parameter(requires_grad=False): saved, but now listed by parameters() and handed to optimizers."""

VERDICTS = {
    "buffer_vs_parameter": ("failed", "'named_parameters'"),
    "buffers_saved_and_converted": ("failed", "'tensors the optimizer updates'"),
}
DIAGNOSIS = {"*": ("buffer", "named_parameters", "optimizer updates")}

import torch  # noqa: E402
from torch import nn  # noqa: E402


class RunningCenter(RunningCenter):  # noqa: F821 - the reference class, defined above
    def __init__(self, num_features, momentum=0.1):
        nn.Module.__init__(self)
        self.momentum = momentum
        self.scale = nn.Parameter(torch.ones(num_features))
        self.running_mean = nn.Parameter(torch.zeros(num_features), requires_grad=False)
        self.register_buffer("num_batches", torch.tensor(0))
