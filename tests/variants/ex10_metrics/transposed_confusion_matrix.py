"""Confusion matrix with rows = predicted class, columns = true class: precision and recall swap."""

VERDICTS = {
    "confusion_matrix_hand_made": ("failed", "'row sums = number of samples of each true class': wrong value"),
    "confusion_matrix_random": ("failed", "'row sums = number of samples of each true class': wrong value"),
    "confusion_matrix_of_narrow_integer_labels": ("failed", "'confusion_matrix of int8 targets, uint8 predictions'"),
    "precision_recall_f1_per_class": ("failed", "'precision': 2 of 3 elements differ"),
    "precision_recall_f1_macro": ("failed", "'macro precision': wrong value"),
    "precision_recall_f1_random": ("failed", "'none from labels.precision'"),
    "precision_recall_of_single_counts": ("failed", "'precision, a denominator of 1 divided by as it is': 2 of 3 elements differ"),
}
DIAGNOSIS = {"*": ("transpose", "swapped", "rows")}

import torch  # noqa: E402


def confusion_matrix(pred, target, num_classes):
    flat = predicted_labels(pred) * num_classes + target
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)
