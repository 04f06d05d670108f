"""Loads without map_location: a file saved on a GPU cannot be loaded on a machine without that GPU."""

VERDICTS = {
    "load_tensors_safely_onto_cpu": ("failed", "'load_tensors(file saved on cuda:7)': raised RuntimeError"),
    "checkpoint_from_gpu_loads_on_cpu": (
        "failed",
        "'next epoch returned by load_checkpoint(checkpoint saved on cuda:7)': raised RuntimeError",
    ),
}
DIAGNOSIS = {"*": "map_location"}

import torch  # noqa: E402


def load_tensors(path):
    return torch.load(path, weights_only=True)


def load_for_inference(path, model):
    model.load_state_dict(torch.load(path, weights_only=True))
    return model.eval()


def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    torch.set_rng_state(checkpoint["rng_state"])
    return checkpoint["epoch"] + 1
