"""Pickles whole objects and loads everything with weights_only=False, as before PyTorch 2.6.

torch.save(model) / torch.save(optimizer) store the objects themselves, so a plain
torch.load refuses the files; loading with weights_only=False makes them work but
would run any code a file contains. load_for_inference also returns the unpickled
model instead of loading into the one it was given.
"""

VERDICTS = {
    "load_tensors_safely_onto_cpu": ("failed", "'load_tensors(pickled nn.Module)': expected UnpicklingError"),
    "state_dict_round_trip": ("failed", "'same outputs as the saved model'"),
    "state_dict_round_trip_random": ("failed", "'same outputs as the saved model'"),
    "weights_file_is_a_plain_state_dict": ("failed", "'torch.load(path)': raised UnpicklingError"),
    "pickled_objects_are_refused": ("failed", "'load_for_inference(pickled model)': expected UnpicklingError"),
    "checkpoint_is_plain_data": ("failed", "'torch.load(checkpoint, weights_only=True)': raised UnpicklingError"),
    "safe_globals_allow_one_class": ("failed", "'with nothing allowed': expected UnpicklingError"),
}
DIAGNOSIS = {
    "state_dict_round_trip": ("returns the model it was given",),
    "state_dict_round_trip_random": ("returns the model it was given",),
    "*": ("weights_only", "UnpicklingError", "pickled"),
}

import torch  # noqa: E402


def load_tensors(path):
    return torch.load(path, map_location="cpu", weights_only=False)


def save_weights(path, model):
    torch.save(model, path)


def load_for_inference(path, model):
    loaded = torch.load(path, map_location="cpu", weights_only=False)
    return loaded.eval()


def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"model": model, "optimizer": optimizer, "epoch": epoch, "rng_state": torch.get_rng_state()}, path)


def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    model.load_state_dict(checkpoint["model"].state_dict())
    optimizer.load_state_dict(checkpoint["optimizer"].state_dict())
    torch.set_rng_state(checkpoint["rng_state"])
    return checkpoint["epoch"] + 1


def load_with_safe_globals(path, allowed):
    return torch.load(path, map_location="cpu", weights_only=False)
