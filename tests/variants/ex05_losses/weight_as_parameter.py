"""WeightedMSELoss keeps its weight as an nn.Parameter: an optimizer would train the loss's weight."""

VERDICTS = {"weighted_mse_module": ("failed", "'parameters'")}
DIAGNOSIS = {"*": "buffer"}

from torch import nn  # noqa: E402


class WeightedMSELoss(nn.Module):
    def __init__(self, weight):
        super().__init__()
        self.weight = nn.Parameter(weight)

    def forward(self, input, target):
        return (self.weight * (input - target) ** 2).mean()
