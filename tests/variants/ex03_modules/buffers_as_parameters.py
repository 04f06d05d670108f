"""Standardize makes mean and std nn.Parameters: the state_dict keys are right,
so weights load, but the statistics become trainable and are counted as parameters."""

VERDICTS = {
    "standardize_registers_buffers": ("failed", "'parameters': wrong value"),
    "complex_model_state_dict": ("failed", "'buffers': wrong value"),
    "complex_model_loads_weights": ("failed", "'buffers': wrong value"),
    "complex_model_random": ("failed", "'buffers': wrong value"),
    "count_parameters_counts_each_once": ("failed", "'ComplexModel(5, 8, 3) (parameters, not buffers)': wrong value\nexpected 147, got 157"),
    "standardize_keeps_copies": ("failed", "'mean buffer after the caller changed its mean (a copy: unchanged)': expected torch.Tensor, got None"),
}
DIAGNOSIS = {"*": ("buffer", "'parameters'", "register_buffer")}

from torch import nn  # noqa: E402


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.mean = nn.Parameter(mean.clone())
        self.std = nn.Parameter(std.clone())

    def forward(self, X):
        return (X - self.mean) / self.std
