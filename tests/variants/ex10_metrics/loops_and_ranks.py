"""Correct, written differently: Python loops for the confusion matrix, top-k from the rank of the
true score, torch.where for 0/0, F1 as the harmonic mean 2PR / (P + R), accuracy as a mean of floats."""

VERDICTS = {}

import torch  # noqa: E402


def predicted_labels(pred):
    if pred.dim() == 2:
        return pred.max(dim=-1).indices
    return pred.long()


def accuracy(pred, target):
    return (predicted_labels(pred) == target).float().mean()


def top_k_accuracy(scores, target, k):
    true_score = scores.gather(1, target[:, None])
    rank = (scores > true_score).sum(dim=1)  # how many classes score strictly higher
    return (rank < k).float().mean()


def confusion_matrix(pred, target, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.int64)
    for t, p in zip(target.tolist(), predicted_labels(pred).tolist()):
        matrix[t, p] += 1
    return matrix


def counts_from_confusion(matrix):
    c = matrix.shape[0]
    tp = torch.tensor([int(matrix[i, i]) for i in range(c)])
    fp = torch.tensor([int(matrix[:, i].sum()) - int(matrix[i, i]) for i in range(c)])
    fn = torch.tensor([int(matrix[i, :].sum()) - int(matrix[i, i]) for i in range(c)])
    return tp, fp, fn


def precision_recall_f1(pred, target, num_classes, average="macro"):
    tp, fp, fn = counts_from_confusion(confusion_matrix(pred, target, num_classes))
    tp, fp, fn = tp.float(), fp.float(), fn.float()
    zero = torch.zeros(num_classes)
    precision = torch.where(tp + fp > 0, tp / (tp + fp), zero)
    recall = torch.where(tp + fn > 0, tp / (tp + fn), zero)
    f1 = torch.where(precision + recall > 0, 2 * precision * recall / (precision + recall), zero)
    if average == "none":
        return precision, recall, f1
    if average == "macro":
        return precision.sum() / num_classes, recall.sum() / num_classes, f1.sum() / num_classes
    raise ValueError(f"unknown average {average!r}")
