"""to_device keeps only tensors: ids, numbers, strings and None vanish from the batch."""

VERDICTS = {
    "to_device_walks_nested_batches[cpu]": ("failed", "'batch[\"id\"] kept'"),
    "to_device_random_nesting[cpu]": ("failed", "'structure'"),
    "to_device_moves_every_tensor": ("failed", "'every tensor on the device (structure)'"),
    "to_device_moves_random_nesting": ("failed", "'every tensor on the device (structure)'"),
}
DIAGNOSIS = {"*": ("kept", "dropped")}

import torch  # noqa: E402

_CONTAINERS = (torch.Tensor, dict, list, tuple)


def to_device(batch, device):
    if isinstance(batch, torch.Tensor):
        return batch.to(device)
    if isinstance(batch, dict):
        return {k: to_device(v, device) for k, v in batch.items() if isinstance(v, _CONTAINERS)}
    if isinstance(batch, (list, tuple)):
        return type(batch)(to_device(item, device) for item in batch if isinstance(item, _CONTAINERS))
    return None
