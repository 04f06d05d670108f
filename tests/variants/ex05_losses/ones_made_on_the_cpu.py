"""cross_entropy builds its default weights with torch.ones(n): right on the CPU, a CPU tensor mixed with the
device's on a GPU."""

VERDICTS = {"losses_stay_on_the_device[meta]": ("failed", "'cross_entropy': raised RuntimeError: Tensor on device")}
DIAGNOSIS = {"*": ("expected device", "on the device")}

import torch  # noqa: E402


def cross_entropy(logits, target, weight=None, ignore_index=-100):
    keep = target != ignore_index
    safe_target = torch.where(keep, target, torch.zeros_like(target))
    log_probs = torch.log_softmax(logits, dim=1)
    nll = -log_probs.gather(1, safe_target.unsqueeze(1)).squeeze(1)
    w = weight[safe_target] if weight is not None else torch.ones(len(target))
    w = w * keep
    return (w * nll).sum() / w.sum()
