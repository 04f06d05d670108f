"""to_device moves only floating-point tensors ("the inputs"): integer labels and boolean masks
stay on the CPU, and the loss on the GPU fails with a device mismatch far from the cause."""

VERDICTS = {
    "to_device_moves_every_tensor": ("failed", "'every tensor on the device (structure)'"),
    "to_device_moves_random_nesting": ("failed", "'every tensor on the device (structure)'"),
}
DIAGNOSIS = {"*": ("every tensor on the device",)}

import torch  # noqa: E402


def to_device(batch, device):
    if isinstance(batch, torch.Tensor):
        return batch.to(device) if batch.is_floating_point() else batch
    if isinstance(batch, dict):
        return {key: to_device(value, device) for key, value in batch.items()}
    if isinstance(batch, list):
        return [to_device(item, device) for item in batch]
    if isinstance(batch, tuple):
        return tuple(to_device(item, device) for item in batch)
    return batch
