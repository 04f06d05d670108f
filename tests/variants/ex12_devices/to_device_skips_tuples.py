"""to_device walks dicts and lists but returns tuples as they are: the tensors of an
(inputs, targets) pair stay on the CPU. Invisible on a CPU run; the move to the meta device shows it."""

VERDICTS = {
    "to_device_moves_every_tensor": ("failed", "'every tensor on the device (structure)'"),
    "to_device_moves_random_nesting": ("failed", "'every tensor on the device (structure)'"),
}
DIAGNOSIS = {"*": ("every tensor on the device", "tuple")}

import torch  # noqa: E402


def to_device(batch, device):
    if isinstance(batch, torch.Tensor):
        return batch.to(device)
    if isinstance(batch, dict):
        return {key: to_device(value, device) for key, value in batch.items()}
    if isinstance(batch, list):
        return [to_device(item, device) for item in batch]
    return batch
