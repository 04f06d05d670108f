"""embedding ignores padding_idx: the padding row is trained by every padded position."""

VERDICTS = {"embedding_lookup_and_padding": ("failed", "'padding_idx=2: weight.grad'")}
DIAGNOSIS = {"*": ("padding_idx", "padding")}


def embedding(indices, weight, padding_idx=None):
    return weight[indices]
