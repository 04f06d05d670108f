"""Standardize keeps mean and std as plain tensor attributes: not in state_dict,
not moved by .double(), and reference weights (with norm.mean, norm.std) do not load."""

VERDICTS = {
    "standardize_registers_buffers": ("failed", "'buffers': wrong value"),
    "complex_model_state_dict": ("failed", "'state_dict.norm.mean': missing from the result"),
    "complex_model_loads_weights": ("error", 'Unexpected key(s) in state_dict: "norm.mean", "norm.std"'),
    "complex_model_random": ("error", 'Unexpected key(s) in state_dict: "norm.mean", "norm.std"'),
}
DIAGNOSIS = {"*": ("buffer", "'state_dict.norm")}

from torch import nn  # noqa: E402


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.mean = mean.clone()
        self.std = std.clone()

    def forward(self, X):
        return (X - self.mean) / self.std
