"""Graded checks for ex10_metrics, one section per function.

Metrics are counts and ratios of counts, so the checks are exact: counts are
int64 tensors compared bit for bit, ratios float32 tensors within float32's
default tolerance (one rounding step, far below a difference of one count).
Small hand-made cases have answers you can work out on paper; the hidden ones
draw sizes and labels at random. Probes never assume how a function is written
(bincount, loops, one-hot products, topk or ranks all pass), only what it returns.
Where a result can be cross-checked with plain PyTorch (row sums against
torch.bincount), the probe observes whether the learner's value agrees.
"""

import torch
import torch.nn.functional as F

from grader import capture, check
from grader import Raised


def labels(*values):
    return torch.tensor(values, dtype=torch.int64)


# --- predicted_labels ----------------------------------------------------------


@check(points=1)
def labels_from_scores_or_labels(ex):
    """(N, C) scores give the argmax of each row (dim=1); integer labels come back as int64."""
    scores = torch.tensor([[0.1, 2.0, -1.0], [3.0, -1.0, 0.5], [0.0, 0.5, 0.7], [-2.0, -1.0, -3.0], [1.0, 0.0, 0.9]])
    return {
        "from (5, 3) scores: the argmax of each row (dim=1)": ex.predicted_labels(scores),
        "from int64 labels": ex.predicted_labels(labels(2, 0, 1)),
        "from int32 labels": ex.predicted_labels(torch.tensor([2, 0, 1], dtype=torch.int32)),
    }


# --- accuracy --------------------------------------------------------------------


@check(points=1)
def accuracy_from_labels(ex):
    """5 of 7 labels match: 5/7 as a float32 0-d tensor; all right gives 1, none right 0."""
    target = labels(1, 0, 0, 2, 2, 0, 3)
    return {
        "accuracy": ex.accuracy(labels(1, 2, 0, 2, 1, 0, 3), target),
        "all right": ex.accuracy(target.clone(), target),
        "none right": ex.accuracy((target + 1) % 4, target),
    }


# (6, 4) logits: argmax over dim=0 gives 4 labels for 6 targets; on (3, 3) logits it gives the wrong 3.
@check(points=2)
def accuracy_from_logits(ex):
    """The predicted class is the argmax over the class dimension (dim=1), for logits or probabilities."""
    square = torch.tensor([[0.2, 1.5, -0.3], [0.1, 2.0, 0.4], [0.3, 0.9, 0.0]])
    wide = torch.tensor(
        [
            [1.2, -0.3, 0.8, 0.1],
            [0.0, 0.4, 2.2, -1.0],
            [-0.7, 1.9, 0.3, 0.2],
            [0.5, 0.6, -0.1, 0.9],
            [2.5, 1.0, 0.0, -0.5],
            [-1.0, -0.2, -0.4, -0.3],
        ]
    )
    wide_target = labels(0, 2, 3, 3, 1, 1)
    return {
        "accuracy of (3, 3) logits": ex.accuracy(square, labels(1, 1, 0)),
        "accuracy of (6, 4) logits": capture(ex.accuracy, wide, wide_target),
        "accuracy of (6, 4) softmax probabilities": capture(ex.accuracy, wide.softmax(dim=1), wide_target),
    }


@check(points=1, hidden=True)
def accuracy_random(ex):
    n, c = int(torch.randint(12, 60, ())), int(torch.randint(2, 10, ()))
    scores, target = torch.randn(n, c), torch.randint(0, c, (n,))
    return {
        "accuracy from labels": ex.accuracy(scores.argmax(dim=1), target),
        "accuracy from logits": capture(ex.accuracy, scores, target),
    }


# --- top_k_accuracy ---------------------------------------------------------------


@check(points=2)
def top_k_hand_made(ex):
    """Targets ranked 1st, 2nd, 3rd, 4th and 2nd: top-1 = 1/5, top-2 = 3/5, top-3 = 4/5, top-4 = 1."""
    scores = torch.tensor(
        [
            [2.0, 0.5, -1.0, 0.1],
            [0.3, 1.2, 0.9, -0.4],
            [-0.5, 0.2, 0.7, 0.4],
            [1.0, 3.0, 2.0, 0.0],
            [0.6, -0.2, 0.1, 0.8],
        ]
    )
    target = labels(0, 2, 1, 3, 0)
    return {f"top-{k}: target among the {k} highest scores": ex.top_k_accuracy(scores, target, k) for k in range(1, 5)}


@check(points=1, hidden=True)
def top_k_random(ex):
    """Random scores; for every draw, sample 0's target is its best class, so top-k counts more than the
    targets ranked k-th for every k >= 2."""
    n, c = int(torch.randint(5, 50, ())), int(torch.randint(2, 12, ()))
    scores, target = torch.randn(n, c), torch.randint(0, c, (n,))
    target[0] = scores[0].argmax()
    return {"top-k for k = 1..C: target among the k highest scores": [ex.top_k_accuracy(scores, target, k) for k in range(1, c + 1)]}


# --- confusion_matrix ---------------------------------------------------------------


def _against_bincount(matrix, pred, target, num_classes):
    """Facts that plain torch.bincount confirms: rows are true classes, columns predictions."""

    def sums_match(dim, labels):
        try:  # the matrix's dtype and shape are compared under their own key; here only the sums
            return bool(torch.equal(matrix.sum(dim=dim).to(torch.int64), torch.bincount(labels, minlength=num_classes)))
        except Exception:  # noqa: BLE001 - not a (C, C) tensor: the fact does not hold
            return False

    return {
        "row sums = number of samples of each true class": sums_match(1, target),
        "column sums = number of predictions of each class": sums_match(0, pred),
    }


@check(points=2)
def confusion_matrix_hand_made(ex):
    """Rows = true class, columns = predicted; int64 counts; class 3 never occurs (zero row and column)."""
    target = labels(0, 0, 1, 1, 1, 2, 2, 0, 1, 2)
    pred = labels(0, 1, 1, 2, 1, 2, 0, 0, 1, 1)
    matrix = ex.confusion_matrix(pred, target, 4)
    scores = F.one_hot(pred, 4).float() * 3 - 0.1 * torch.arange(4.0)  # argmax over dim=1 is pred
    return {
        "confusion_matrix": matrix,
        **_against_bincount(matrix, pred, target, 4),
        "from (10, 4) scores": capture(ex.confusion_matrix, scores, target, 4),
    }


# int8 targets of 12 classes: target · 12 overflows int8 (11 · 12 = 132 > 127) unless widened to int64 first.
@check(points=1)
def confusion_matrix_of_narrow_integer_labels(ex):
    """Labels may come in any integer dtype: int8 targets and uint8 predictions of 12 classes give the int64
    matrix of the same labels as int64 (widen before computing target · C + pred), and stay as they were."""
    target = torch.tensor([11, 0, 5, 11, 7, 3, 10, 11, 6], dtype=torch.int8)
    pred = torch.tensor([11, 1, 5, 10, 7, 3, 10, 0, 6], dtype=torch.uint8)
    return {
        "confusion_matrix of int8 targets, uint8 predictions": capture(ex.confusion_matrix, pred, target, 12),
        "target after the call (unchanged)": target,
        "pred after the call (unchanged)": pred,
    }


@check(points=2, hidden=True)
def confusion_matrix_random(ex):
    n, c = int(torch.randint(20, 300, ())), int(torch.randint(2, 10, ()))
    target, pred = torch.randint(0, c, (n,)), torch.randint(0, c, (n,))
    matrix = ex.confusion_matrix(pred, target, c)
    return {**_against_bincount(matrix, pred, target, c), "confusion_matrix": matrix}


# --- counts_from_confusion -------------------------------------------------------------


@check(points=1)
def counts_hand_made(ex):
    """tp = diagonal, fp = column sum − tp, fn = row sum − tp, as int64."""
    matrix = torch.tensor([[5, 1, 0], [2, 3, 4], [0, 6, 7]])
    tp, fp, fn = ex.counts_from_confusion(matrix)
    return {"tp": tp, "fp": fp, "fn": fn, "matrix unchanged": bool(torch.equal(matrix, torch.tensor([[5, 1, 0], [2, 3, 4], [0, 6, 7]])))}


@check(points=1)
def counts_are_new_tensors(ex):
    """tp, fp and fn are tensors of their own, not views of the matrix (`matrix.diagonal()` is one: copy it):
    changing the matrix after the call leaves them alone, and changing them leaves the matrix alone."""
    matrix = torch.tensor([[5, 1, 0], [2, 3, 4], [0, 6, 7]])
    result = capture(ex.counts_from_confusion, matrix)
    if isinstance(result, Raised):
        return {"tp, fp, fn are copies: as they were after the matrix is changed": result}
    matrix.fill_(100)
    after = {name: torch.as_tensor(count).clone() for name, count in zip(("tp", "fp", "fn"), result)}
    for count in result:
        count.add_(1000)
    return {
        "tp, fp, fn are copies: as they were after the matrix is changed": after,
        "the matrix after 1000 is added to tp, fp and fn": matrix,
    }


@check(points=1, hidden=True)
def counts_random(ex):
    c = int(torch.randint(2, 10, ()))
    tp, fp, fn = ex.counts_from_confusion(torch.randint(0, 50, (c, c)))
    return {"tp": tp, "fp": fp, "fn": fn}


# --- precision_recall_f1 ------------------------------------------------------------------

# 3 classes, every ratio defined: precision [3/4, 1/3, 2/3], recall [3/5, 1/2, 2/3], F1 [2/3, 2/5, 2/3].
CLEAN_TARGET = (0, 0, 0, 0, 0, 1, 1, 2, 2, 2)
CLEAN_PRED = (0, 0, 0, 1, 2, 1, 0, 2, 2, 1)


@check(points=2)
def precision_recall_f1_per_class(ex):
    """average="none": one value per class, float32; an unknown average raises ValueError."""
    precision, recall, f1 = ex.precision_recall_f1(labels(*CLEAN_PRED), labels(*CLEAN_TARGET), 3, average="none")
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "average='micro' raises": capture(ex.precision_recall_f1, labels(*CLEAN_PRED), labels(*CLEAN_TARGET), 3, "micro"),
    }


@check(points=2)
def precision_recall_f1_macro(ex):
    """Macro = mean of the per-class values; macro F1 is the mean of per-class F1 (26/45), not F1 of the macros."""
    precision, recall, f1 = ex.precision_recall_f1(labels(*CLEAN_PRED), labels(*CLEAN_TARGET), 3)
    return {"macro f1 (the mean of per-class f1)": f1, "macro precision": precision, "macro recall": recall}


# 5 classes: class 1 is never predicted, class 2 never true, class 3 has tp = 0 but fp = fn = 1,
# class 4 never occurs at all. Every 0/0 is 0, and macro divides by all 5 classes.
@check(points=2)
def zero_division_gives_zero(ex):
    """Precision, recall and F1 are 0 (not NaN) where a count is 0/0 or tp = 0; macro averages all 5 classes."""
    pred, target = labels(0, 0, 0, 2, 3), labels(0, 0, 1, 3, 0)
    precision, recall, f1 = ex.precision_recall_f1(pred, target, 5, average="none")
    macro = ex.precision_recall_f1(pred, target, 5, average="macro")
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "macro precision (the mean over all num_classes)": macro[0],
        "macro recall (the mean over all num_classes)": macro[1],
        "macro f1 (the mean over all num_classes)": macro[2],
    }


def _prf(ex, *args, **kwargs):
    """precision_recall_f1 as a dict; an exception is observed under each of the three keys."""
    result = capture(ex.precision_recall_f1, *args, **kwargs)
    if isinstance(result, Raised):
        return {"precision": result, "recall": result, "f1": result}
    precision, recall, f1 = result
    return {"precision": precision, "recall": recall, "f1": f1}


# Class 0 is predicted once, rightly (precision 1/1), and found once of its two samples (recall 1/2): the
# smallest denominators that are not 0/0 are divided by as they are.
@check(points=1)
def precision_recall_of_single_counts(ex):
    """A class predicted once and rightly has precision 1 (1/1), one of one found recall 1: a denominator of 1
    is not 0/0."""
    observed = _prf(ex, labels(0, 1, 2, 2), labels(0, 1, 2, 0), 3, average="none")
    return {f"{key}, a denominator of 1 divided by as it is": value for key, value in observed.items()}


# Labels drawn from [0, C - 1): the last class never occurs, and must still count in the macro mean.
@check(points=2, hidden=True)
def precision_recall_f1_random(ex):
    n, c = int(torch.randint(30, 200, ())), int(torch.randint(3, 9, ()))
    target, pred = torch.randint(0, c - 1, (n,)), torch.randint(0, c - 1, (n,))
    scores = torch.randn(n, c)
    ex.precision_recall_f1(pred, target, c)  # a stub still raising NotImplementedError is "not started"
    predictions = (("labels", pred), ("scores", scores))
    observed = {f"none from {name}": _prf(ex, prediction, target, c, average="none") for name, prediction in predictions}
    for name, prediction in predictions:
        macro = _prf(ex, prediction, target, c, average="macro")
        observed[f"macro over all num_classes from {name}"] = {
            "precision": macro["precision"],
            "recall": macro["recall"],
            "f1 (the mean of per-class f1)": macro["f1"],
        }
    return observed
