"""MyLinear.forward through `.data`, as a widely copied tutorial writes it: the
output is right, but no gradient reaches weight or bias."""

VERDICTS = {
    "my_linear_gradients_reach_parameters": ("failed", "'weight.grad': expected torch.Tensor, got None"),
    "my_linear_random": ("failed", "'bias.grad'"),
    "sequential_with_custom_layers": ("failed", "'grad.0.weight': expected torch.Tensor, got None"),
}
DIAGNOSIS = {"*": (".data", "detach", "no gradient")}

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units,))

    def forward(self, X):
        linear = torch.matmul(X, self.weight.data) + self.bias.data
        return F.relu(linear)
