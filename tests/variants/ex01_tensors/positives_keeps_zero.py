"""`x >= 0` where the strictly positive entries are asked: zeros (and -0.0) slip into the result."""

VERDICTS = {
    "row_column_block_mask": ("failed", "'positives (strictly: 0 is not positive)'"),
    "indexing_random": ("failed", "'positives (strictly: 0 is not positive)'"),
}
DIAGNOSIS = {"*": ("0 is not positive", "strictly")}


def positives(x):
    return x[x >= 0]
