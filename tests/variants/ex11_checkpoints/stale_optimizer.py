"""load_checkpoint rebuilds an optimizer inside the function and loads the state into that one.

The model is restored, but the optimizer the caller keeps training with is the
fresh one it passed in: its momentum and Adam's averages start from zero.
"""

VERDICTS = {
    "resume_adam_bit_identical": ("failed", "'optimizer state restored by load_checkpoint'"),
    "resume_twice_sgd_momentum": ("failed", "'optimizer state restored by load_checkpoint'"),
    "resume_with_dropout_restores_rng": ("failed", "'optimizer state restored by load_checkpoint'"),
    "resume_random": ("failed", "'optimizer state restored by load_checkpoint'"),
    "checkpoint_from_gpu_loads_on_cpu": ("failed", "'optimizer state restored, on the CPU'"),
}
DIAGNOSIS = {"*": ("optimizer state", "optimizer")}

import torch  # noqa: E402


def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimizer = type(optimizer)(model.parameters(), lr=optimizer.defaults["lr"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    torch.set_rng_state(checkpoint["rng_state"])
    return checkpoint["epoch"] + 1
