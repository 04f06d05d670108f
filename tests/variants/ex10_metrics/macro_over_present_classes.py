"""Macro averages only over the classes present in target or pred, not over all num_classes."""

VERDICTS = {
    "zero_division_gives_zero": ("failed", "'macro precision (the mean over all num_classes)': wrong value"),
    "precision_recall_f1_random": ("failed", "'macro over all num_classes from labels.precision': wrong value"),
}
DIAGNOSIS = {"*": ("present", "all num_classes", "absent")}

import torch  # noqa: E402

_per_class = precision_recall_f1


def precision_recall_f1(pred, target, num_classes, average="macro"):
    precision, recall, f1 = _per_class(pred, target, num_classes, "none" if average == "macro" else average)
    if average == "macro":
        present = torch.unique(torch.cat([predicted_labels(pred), target]))
        return precision[present].mean(), recall[present].mean(), f1[present].mean()
    return precision, recall, f1
