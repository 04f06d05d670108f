"""Correct, with the CUDA and MPS questions imported by name (`from torch.cuda import ...`), an
explicit copy of every container, and `.to("cpu", non_blocking=False)` in predict."""

VERDICTS = {}

from torch.backends.mps import is_available as mps_available  # noqa: E402
from torch.cuda import device_count  # noqa: E402

import torch  # noqa: E402


def try_gpu(i=0):
    return torch.device("cuda", i) if i < device_count() else torch.device("cpu")


def try_all_gpus():
    return [torch.device("cuda", i) for i in range(device_count())] or [torch.device("cpu")]


def get_device():
    if device_count():
        return torch.device("cuda")
    return torch.device("mps") if mps_available() else torch.device("cpu")


def to_device(batch, device):
    if torch.is_tensor(batch):
        return batch.to(device=device)
    if type(batch) is dict:
        return dict((key, to_device(value, device)) for key, value in batch.items())
    if type(batch) in (list, tuple):
        return type(batch)(to_device(item, device) for item in batch)
    return batch


def predict(model, x, device):
    model = model.to(device)
    model.train(False)
    x = x.to(device)
    with torch.inference_mode():
        out = model(x)
    return out.to("cpu", non_blocking=False)
