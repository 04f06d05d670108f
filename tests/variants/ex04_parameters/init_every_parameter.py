"""Initialisers without the isinstance(module, nn.Linear) test: biases drawn too, LayerNorm/BatchNorm overwritten."""

VERDICTS = {
    "init_weights_only_touches_linear": ("failed", "'0.bias'"),
    "init_weights_statistics": ("failed", "'bias is all zeros'"),
    "init_constant_through_apply": ("failed", "'1.weight (LayerNorm)'"),
}
DIAGNOSIS = {"*": ("isinstance", "bias", "LayerNorm", "BatchNorm")}

from torch import nn  # noqa: E402


def init_weights(module):
    for parameter in module.parameters(recurse=False):
        nn.init.normal_(parameter, 0.0, 0.01)


def init_constant(module, value):
    if hasattr(module, "weight"):
        nn.init.constant_(module.weight, value)
        nn.init.zeros_(module.bias)
