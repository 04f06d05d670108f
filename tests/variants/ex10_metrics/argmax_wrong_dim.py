"""argmax over dim=0 (the batch) instead of dim=1 (the classes): one 'label' per class, not per sample."""

VERDICTS = {
    "labels_from_scores_or_labels": ("failed", "'from (5, 3) scores: the argmax of each row (dim=1)': shape [3]"),
    "accuracy_from_logits": ("failed", "'accuracy of (3, 3) logits': wrong value"),
    "accuracy_random": ("failed", "'accuracy from logits': raised RuntimeError"),
    "confusion_matrix_hand_made": ("failed", "'from (10, 4) scores': raised RuntimeError"),
    "precision_recall_f1_random": ("failed", "'none from scores.precision': raised RuntimeError"),
}
DIAGNOSIS = {"*": ("along another dimension", "dim=1", "wrong dim")}

import torch  # noqa: E402


def predicted_labels(pred):
    if pred.is_floating_point():
        return pred.argmax(dim=0)
    return pred.to(torch.int64)
