"""Exercise 10 — classification metrics: accuracy, top-k, confusion matrix, precision, recall, F1.

A loss tells the optimizer which way to go; a metric tells *you* how good the
model is. Metrics are counts divided by counts, so they should be exact: two
correct implementations must agree to the last bit on the same predictions.
Three habits get you there:

- keep counts in integer tensors (int64), and divide only at the end, into
  float32 ratios;
- fix the conventions before you code: which axis of the confusion matrix is
  the true class (here: rows = true, columns = predicted, as scikit-learn and
  torchmetrics), and what 0/0 means (here: 0, as scikit-learn's
  `zero_division=0`, never NaN);
- average over the classes you were *told* exist (`num_classes`), not over the
  ones that happen to appear in this batch.

Shapes used below: N samples, C classes. `pred` is either (N, C) floating
scores (logits or probabilities; the predicted class is the argmax over the
class dimension 1) or (N,) integer predicted labels; `target` is (N,) integer
labels in [0, C). Every function assumes N ≥ 1.
"""

import torch


# --- from scores to labels --------------------------------------------------------


def predicted_labels(pred: torch.Tensor) -> torch.Tensor:
    """The predicted class of each sample, as an int64 tensor of shape (N,).

    What: if `pred` is floating point with shape (N, C), return the index of the
    largest score of each row (argmax over dim=1); if it is an (N,) integer tensor
    of labels already, return it converted to int64.
    Why: a model outputs one row of C scores per sample; the class axis is
    dim=1, the batch axis dim=0. argmax over dim=0 would answer "which sample
    scores highest for each class", a tensor of C values, not N. Softmax is not
    needed: it does not change which score is largest.
    Example: predicted_labels(torch.tensor([[0.1, 2.0], [3.0, -1.0], [0.0, 0.5]]))
    → tensor([1, 0, 1]); predicted_labels(torch.tensor([2, 0], dtype=torch.int32))
    → tensor([2, 0]) (int64).
    """
    # BEGIN SOLUTION scores (N, C): argmax over the class dimension; labels: convert to int64
    if pred.is_floating_point():
        return pred.argmax(dim=1)
    return pred.to(torch.int64)
    # END SOLUTION


# --- accuracy -------------------------------------------------------------------------


def accuracy(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Fraction of samples whose predicted class equals the target: a float32 0-d tensor.

    What: labels = predicted_labels(pred); count the matches (an integer), divide
    by N.
    Why: the most common metric, and the easiest to get subtly wrong: argmax over
    the wrong dimension, or comparing tensors of shapes (N, 1) and (N,), which
    broadcasts to (N, N) and averages nonsense without any error.
    Example: accuracy(torch.tensor([2, 0, 1, 1, 0]), torch.tensor([2, 1, 1, 0, 0]))
    → tensor(0.6000) (3 of 5).
    """
    # BEGIN SOLUTION count matches of predicted_labels(pred) with target, divide by N into float32
    correct = (predicted_labels(pred) == target).sum()
    return correct.to(torch.float32) / target.numel()
    # END SOLUTION


def top_k_accuracy(scores: torch.Tensor, target: torch.Tensor, k: int) -> torch.Tensor:
    """Fraction of samples whose true class is among the k highest scores: float32 0-d.

    What: `scores` is (N, C) floating, 1 ≤ k ≤ C. A sample counts as correct when
    its target is *any* of its k best classes (not only the k-th best). With
    k = 1 this is `accuracy`; with k = C it is 1. Ties between scores are broken
    as `torch.topk` does (the checks use scores without ties).
    Why: with many similar classes (ImageNet's 1000, next-word prediction) top-1
    is harsh; top-5 tells whether the model at least ranks the answer high.
    Example: scores [[0.1, 0.5, 0.4], [0.8, 0.15, 0.05]] and target [2, 2]:
    top-1 → 0.0, top-2 → 0.5 (class 2 is the second best of row 0, the third
    of row 1), top-3 → 1.0.
    """
    # BEGIN SOLUTION indices of the k best classes per row; a hit if the target is any of them
    best = scores.topk(k, dim=1).indices  # (N, k)
    hits = (best == target.unsqueeze(1)).any(dim=1)
    return hits.sum().to(torch.float32) / target.numel()
    # END SOLUTION


# --- confusion matrix -------------------------------------------------------------------


def confusion_matrix(pred: torch.Tensor, target: torch.Tensor, num_classes: int) -> torch.Tensor:
    """The C×C matrix of counts M[i, j] = number of samples of true class i predicted as j.

    What: rows = true class (target), columns = predicted class; int64, shape
    (num_classes, num_classes), with zero rows and columns for classes that never
    occur. `pred` may be scores or labels (use `predicted_labels`).
    Why: every classification metric is read off this matrix: the diagonal holds
    the correct predictions, row i sums to the number of samples of class i,
    column j to the number of times j was predicted. Writing it with one
    `torch.bincount` (of target·C + pred) is exact and fast; loops or a product
    of one-hot matrices give the same integers.
    Example: confusion_matrix(torch.tensor([0, 1, 1]), torch.tensor([0, 0, 1]), 3)
    → tensor([[1, 1, 0], [0, 1, 0], [0, 0, 0]]): one sample of class 0 was predicted as 1.
    """
    # BEGIN SOLUTION one bincount of target * num_classes + pred, reshaped to (C, C)
    labels = predicted_labels(pred)
    flat = target.to(torch.int64) * num_classes + labels
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)
    # END SOLUTION


def counts_from_confusion(matrix: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-class (true positives, false positives, false negatives) from a confusion matrix.

    What: for each class c, with rows = true and columns = predicted:
    tp[c] = M[c, c]; fp[c] = (column c summed) − tp[c] (predicted c, but it was
    another class); fn[c] = (row c summed) − tp[c] (was c, predicted another
    class). Three int64 tensors of shape (C,).
    Why: precision, recall and F1 of each class are ratios of these three counts
    ("one class against the rest"), so they are the integers to get right.
    Example: M = [[1, 1, 0], [0, 1, 0], [0, 0, 0]] → tp [1, 1, 0], fp [0, 1, 0], fn [1, 0, 0].
    """
    # BEGIN SOLUTION diagonal; column sums minus diagonal; row sums minus diagonal
    tp = matrix.diagonal()
    fp = matrix.sum(dim=0) - tp
    fn = matrix.sum(dim=1) - tp
    return tp.clone(), fp, fn
    # END SOLUTION


# --- precision, recall, F1 --------------------------------------------------------------


def precision_recall_f1(
    pred: torch.Tensor, target: torch.Tensor, num_classes: int, average: str = "macro"
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Precision, recall and F1 of each class, or their macro averages: float32 tensors.

    What: from the per-class counts of `confusion_matrix(pred, target, num_classes)`:
        precision[c] = tp / (tp + fp)     (of the samples predicted c, the fraction right)
        recall[c]    = tp / (tp + fn)     (of the samples of class c, the fraction found)
        f1[c]        = 2·tp / (2·tp + fp + fn)
                     = 2·precision·recall / (precision + recall)  (their harmonic mean)
    Zero division gives 0, never NaN (scikit-learn's `zero_division=0`): a class
    never predicted has precision 0, a class absent from `target` has recall 0,
    and F1 is 0 whenever tp = 0.
    `average="none"` returns three tensors of shape (num_classes,);
    `average="macro"` returns three 0-d tensors, each the plain mean of the
    per-class values over *all* num_classes classes (absent ones count as 0).
    Macro F1 is the mean of the per-class F1, not the F1 of macro precision and
    macro recall. Any other `average` raises ValueError.
    Why: accuracy hides what happens to rare classes; per-class precision and
    recall show it, and macro averaging weighs every class equally.
    Example: pred [0, 0, 1], target [0, 1, 1], 2 classes, average="none" →
    precision [0.5, 1.0], recall [1.0, 0.5], f1 [0.6667, 0.6667].
    """
    # BEGIN SOLUTION counts from the confusion matrix; ratios with 0 for 0/0; mean over classes for "macro"
    if average not in ("macro", "none"):
        raise ValueError(f"average must be 'macro' or 'none', got {average!r}")
    tp, fp, fn = counts_from_confusion(confusion_matrix(pred, target, num_classes))

    def ratio(numerator: torch.Tensor, denominator: torch.Tensor) -> torch.Tensor:
        # numerator is 0 wherever denominator is 0, so dividing by max(denominator, 1) gives 0 there
        return numerator.to(torch.float32) / denominator.clamp(min=1).to(torch.float32)

    precision = ratio(tp, tp + fp)
    recall = ratio(tp, tp + fn)
    f1 = ratio(2 * tp, 2 * tp + fp + fn)
    if average == "macro":
        return precision.mean(), recall.mean(), f1.mean()
    return precision, recall, f1
    # END SOLUTION
