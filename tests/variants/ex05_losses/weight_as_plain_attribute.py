"""WeightedMSELoss keeps its weight as a plain attribute: not in state_dict, left behind by .double() and .to()."""

VERDICTS = {
    "weighted_mse_module": ("failed", "'state_dict keys'"),
    "losses_stay_on_the_device[meta]": ("failed", "'WeightedMSELoss: weight (a buffer) after .to(device).on the device': wrong value"),
}
DIAGNOSIS = {"*": "buffer"}

from torch import nn  # noqa: E402


class WeightedMSELoss(nn.Module):
    def __init__(self, weight):
        super().__init__()
        self.weight = weight

    def forward(self, input, target):
        return (self.weight * (input - target) ** 2).mean()
