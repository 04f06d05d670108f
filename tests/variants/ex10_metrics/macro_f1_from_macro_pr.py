"""Macro F1 as the harmonic mean of macro precision and macro recall, not the mean of per-class F1."""

VERDICTS = {
    "precision_recall_f1_macro": ("failed", "'macro f1 (the mean of per-class f1)': wrong value"),
    "precision_recall_f1_random": ("failed", "'macro over all num_classes from labels.f1 (the mean of per-class f1)': wrong value"),
}
DIAGNOSIS = {"*": ("harmonic mean", "per-class f1")}

import torch  # noqa: E402

_per_class = precision_recall_f1


def precision_recall_f1(pred, target, num_classes, average="macro"):
    precision, recall, f1 = _per_class(pred, target, num_classes, average)
    if average == "macro":
        f1 = torch.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return precision, recall, f1
