"""to_device rebuilds every sequence as a list: a (inputs, targets) tuple comes back as a list."""

VERDICTS = {
    "to_device_walks_nested_batches[cpu]": ("failed", "'type of batch[\"pair\"]'"),
    "to_device_random_nesting[cpu]": ("failed", "'structure'"),
    "to_device_moves_every_tensor": ("failed", "'every tensor on the device (structure)'"),
    "to_device_moves_random_nesting": ("failed", "'every tensor on the device (structure)'"),
}
DIAGNOSIS = {"*": ("tuple", "type of")}

import torch  # noqa: E402


def to_device(batch, device):
    if isinstance(batch, torch.Tensor):
        return batch.to(device)
    if isinstance(batch, dict):
        return {key: to_device(value, device) for key, value in batch.items()}
    if isinstance(batch, (list, tuple)):
        return [to_device(item, device) for item in batch]
    return batch
