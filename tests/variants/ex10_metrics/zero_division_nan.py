"""Plain divisions tp / (tp + fp) and 2PR / (P + R): every 0/0 becomes NaN, and NaN spreads into the macro mean."""

VERDICTS = {
    "zero_division_gives_zero": ("failed", "'precision': 2 of 5 elements are NaN/Inf where finite values were expected"),
    "precision_recall_f1_random": ("failed", "NaN/Inf where finite values were expected"),
}
DIAGNOSIS = {"*": ("0 / 0", "zero division")}

import torch  # noqa: E402


def precision_recall_f1(pred, target, num_classes, average="macro"):
    if average not in ("macro", "none"):
        raise ValueError(average)
    tp, fp, fn = counts_from_confusion(confusion_matrix(pred, target, num_classes))
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    if average == "macro":
        return precision.mean(), recall.mean(), f1.mean()
    return precision, recall, f1
