"""Correct, written differently: is_available() and torch.device("cuda", i); a pytree map for
to_device; inference_mode and .to("cpu") in predict; torch.amp.autocast with positional
arguments; an explicit unscale_ before the step and zero_grad(set_to_none=False)."""

VERDICTS = {}

import torch  # noqa: E402
from torch.utils import _pytree as pytree  # noqa: E402


def try_gpu(i=0):
    if torch.cuda.is_available() and i < torch.cuda.device_count():
        return torch.device("cuda", i)
    return torch.device("cpu")


def try_all_gpus():
    if not torch.cuda.is_available():
        return [torch.device("cpu")]
    return [torch.device("cuda", i) for i in range(torch.cuda.device_count())]


def get_device():
    if torch.cuda.is_available():
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("mps" if torch.backends.mps.is_available() else "cpu")


def to_device(batch, device):
    return pytree.tree_map(lambda leaf: leaf.to(device) if isinstance(leaf, torch.Tensor) else leaf, batch)


@torch.inference_mode()
def predict(model, x, device):
    model.eval().to(device)
    return model(x.to(device)).to("cpu")


def autocast_forward(model, x, device):
    half = {"cuda": torch.float16}.get(device.type, torch.bfloat16)
    with torch.amp.autocast(device.type, half):
        out = model(x)
    return out


def scaled_step(model, optimizer, scaler, x, y, criterion):
    for p in model.parameters():
        if p.grad is not None:
            p.grad.zero_()
    half = torch.float16 if x.device.type == "cuda" else torch.bfloat16
    with torch.autocast(x.device.type, dtype=half):
        prediction = model(x)
        loss = criterion(prediction, y)
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)
    scaler.step(optimizer)
    scaler.update()
    return float(loss.detach().cpu())
