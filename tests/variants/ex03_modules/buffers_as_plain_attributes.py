"""Standardize keeps mean and std as plain tensor attributes: not in state_dict,
not moved by .double(), and reference weights (with norm.mean, norm.std) do not load."""

VERDICTS = {
    "standardize_registers_buffers": ("failed", "'buffers': wrong value"),
    "complex_model_state_dict": ("failed", "'state_dict.norm.mean': missing from the result"),
    "complex_model_loads_weights": ("error", 'Unexpected key(s) in state_dict: "norm.mean", "norm.std"'),
    "complex_model_random": ("error", 'Unexpected key(s) in state_dict: "norm.mean", "norm.std"'),
    "dropout_sits_before_the_head": ("error", 'Unexpected key(s) in state_dict: "norm.mean", "norm.std"'),
    "standardize_keeps_copies": ("failed", "'mean buffer after the caller changed its mean (a copy: unchanged)': expected torch.Tensor, got None"),
    "modules_move_to_the_device[meta]": ("failed", "'Standardize output': raised RuntimeError: Tensor on device cpu is not on the expected device meta!"),
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
