"""Computes target · C + pred in the target's own dtype: int8 labels of 12 classes overflow
(11 · 12 = 132 > 127) before bincount sees them."""

VERDICTS = {
    "confusion_matrix_of_narrow_integer_labels": ("failed", "'confusion_matrix of int8 targets, uint8 predictions'"),
}
DIAGNOSIS = {"*": ("int8", "overflow")}

import torch  # noqa: E402


def confusion_matrix(pred, target, num_classes):
    flat = target * num_classes + predicted_labels(pred)
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)
