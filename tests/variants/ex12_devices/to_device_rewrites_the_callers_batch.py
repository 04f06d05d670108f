"""to_device moves the tensors into the caller's own dicts and lists (in place) and returns them:
the caller's batch is no longer on the CPU, and the "copy" is the caller's object."""

VERDICTS = {
    "to_device_moves_every_tensor": ("failed", "'the batch passed in unchanged by the call'"),
    "to_device_moves_random_nesting": ("failed", "'the batch passed in unchanged by the call'"),
}
DIAGNOSIS = {"*": ("unchanged by the call", "in place")}

import torch  # noqa: E402


def to_device(batch, device):
    if isinstance(batch, torch.Tensor):
        return batch.to(device)
    if isinstance(batch, dict):
        for key, value in batch.items():
            batch[key] = to_device(value, device)
        return batch
    if isinstance(batch, list):
        batch[:] = [to_device(item, device) for item in batch]
        return batch
    if isinstance(batch, tuple):
        return tuple(to_device(item, device) for item in batch)
    return batch
