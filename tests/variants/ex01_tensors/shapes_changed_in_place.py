"""unsqueeze_ and transpose_ (with a trailing underscore): right results, but the caller's tensor changes shape too."""

VERDICTS = {
    "reshape_flatten_unsqueeze_transpose": ("failed", "'input.add_batch_dim': shape [1, 2, 3]"),
}
DIAGNOSIS = {"*": "in place"}


def add_batch_dim(x):
    return x.unsqueeze_(0)


def swap_last_two(x):
    return x.transpose_(-2, -1)
