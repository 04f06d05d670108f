"""Correct, written differently: the confusion matrix as a product of one-hot matrices, counts with
index_put_, top-k from argsort, ratios computed in float64 then rounded to float32, nan_to_num for 0/0."""

VERDICTS = {}

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def predicted_labels(pred):
    if pred.dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        return torch.argmax(pred, dim=-1).to(torch.int64)
    return pred.to(torch.int64)


def accuracy(pred, target):
    matrix = confusion_matrix(pred, target, int(max(int(target.max()), int(predicted_labels(pred).max()))) + 1)
    return (matrix.trace().double() / matrix.sum().double()).float()


def top_k_accuracy(scores, target, k):
    order = scores.argsort(dim=1, descending=True)[:, :k]
    hits = (order == target.view(-1, 1)).sum(dim=1)
    return (hits.sum().double() / len(target)).float()


def confusion_matrix(pred, target, num_classes):
    truth = F.one_hot(target.long(), num_classes)  # (N, C) int64
    guess = F.one_hot(predicted_labels(pred), num_classes)
    return truth.T @ guess


def counts_from_confusion(matrix):
    c = matrix.shape[0]
    tp = torch.zeros(c, dtype=torch.int64)
    predicted = torch.zeros(c, dtype=torch.int64)
    actual = torch.zeros(c, dtype=torch.int64)
    rows, cols = torch.meshgrid(torch.arange(c), torch.arange(c), indexing="ij")
    predicted.index_put_((cols.reshape(-1),), matrix.reshape(-1), accumulate=True)
    actual.index_put_((rows.reshape(-1),), matrix.reshape(-1), accumulate=True)
    tp.copy_(torch.diag(matrix))
    return tp, predicted - tp, actual - tp


def precision_recall_f1(pred, target, num_classes, average="macro"):
    if average not in {"none", "macro"}:
        raise ValueError(average)
    tp, fp, fn = (x.double() for x in counts_from_confusion(confusion_matrix(pred, target, num_classes)))
    precision = torch.nan_to_num(tp / (tp + fp), nan=0.0)
    recall = torch.nan_to_num(tp / (tp + fn), nan=0.0)
    f1 = torch.nan_to_num(2 * tp / (2 * tp + fp + fn), nan=0.0)
    if average == "macro":
        precision, recall, f1 = precision.mean(), recall.mean(), f1.mean()
    return precision.float(), recall.float(), f1.float()
