"""BatchNorm1d initialises weight to zeros and bias to ones (swapped): a fresh layer outputs
all ones until it has trained."""

VERDICTS = {
    "batchnorm_training_updates_running_stats": ("failed", "'initial weight (ones)'"),
}
DIAGNOSIS = {"*": ("initial weight", "initial bias")}

import torch  # noqa: E402
from torch import nn  # noqa: E402

class BatchNorm1d(BatchNorm1d):  # noqa: F821 - the solution's class, defined above
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__(num_features, eps, momentum)
        self.weight = nn.Parameter(torch.zeros(num_features))
        self.bias = nn.Parameter(torch.ones(num_features))
