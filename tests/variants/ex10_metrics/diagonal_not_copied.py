"""Returns `matrix.diagonal()` as tp without a copy: tp is a view of the caller's matrix, so changing
one changes the other."""

VERDICTS = {
    "counts_are_new_tensors": ("failed", "'tp, fp, fn are copies: as they were after the matrix is changed.tp'"),
}
DIAGNOSIS = {"*": ("copies", "a view", "copy")}


def counts_from_confusion(matrix):
    tp = matrix.diagonal()
    return tp, matrix.sum(dim=0) - tp, matrix.sum(dim=1) - tp
