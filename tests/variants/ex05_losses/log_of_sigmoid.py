"""bce_with_logits as log(sigmoid(x)): sigmoid(-1000) is 0 in float32, and its log is -inf."""

VERDICTS = {"bce_with_logits_extreme_logits": ("failed", "NaN/Inf where finite values were expected")}
DIAGNOSIS = {"*": ("log(0)", "logsigmoid", "-inf")}

import torch  # noqa: E402


def bce_with_logits(logits, target, pos_weight=None):
    p = torch.sigmoid(logits)
    positive = target * torch.log(p)
    if pos_weight is not None:
        positive = pos_weight * positive
    return -(positive + (1 - target) * torch.log(1 - p)).mean()
