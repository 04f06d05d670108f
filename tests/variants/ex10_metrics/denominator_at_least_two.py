"""Guards 0/0 by dividing by max(denominator, 2) instead of max(denominator, 1): a ratio over a single
count (1/1) comes out halved."""

VERDICTS = {
    "precision_recall_of_single_counts": ("failed", "'precision, a denominator of 1 divided by as it is'"),
}
DIAGNOSIS = {"*": ("denominator of 1",)}

import torch  # noqa: E402


def precision_recall_f1(pred, target, num_classes, average="macro"):
    if average not in ("macro", "none"):
        raise ValueError(f"average must be 'macro' or 'none', got {average!r}")
    tp, fp, fn = counts_from_confusion(confusion_matrix(pred, target, num_classes))

    def ratio(numerator, denominator):
        return numerator.to(torch.float32) / denominator.clamp(min=2).to(torch.float32)

    precision, recall, f1 = ratio(tp, tp + fp), ratio(tp, tp + fn), ratio(2 * tp, 2 * tp + fp + fn)
    if average == "macro":
        return precision.mean(), recall.mean(), f1.mean()
    return precision, recall, f1
