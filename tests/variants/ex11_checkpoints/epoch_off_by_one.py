"""load_checkpoint returns the saved epoch itself: the resumed loop trains that epoch a second time."""

VERDICTS = {
    "resume_adam_bit_identical": ("failed", "'next epoch returned by load_checkpoint[0]': wrong value"),
    "resume_twice_sgd_momentum": ("failed", "'next epoch returned by load_checkpoint[0]': wrong value"),
    "resume_with_dropout_restores_rng": ("failed", "'next epoch returned by load_checkpoint[0]': wrong value"),
    "resume_random": ("failed", "'next epoch returned by load_checkpoint[0]': wrong value"),
    "checkpoint_from_gpu_loads_on_cpu": ("failed", "'next epoch returned by load_checkpoint(checkpoint saved on cuda:7)': wrong value"),
}
DIAGNOSIS = {"*": ("off by one", "epoch + 1", "next epoch")}

import torch  # noqa: E402


def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    torch.set_rng_state(checkpoint["rng_state"])
    return checkpoint["epoch"]
