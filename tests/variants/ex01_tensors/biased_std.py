"""Population std (divides by n) where the unbiased one (n − 1) is asked for."""

VERDICTS = {
    "column_statistics": ("failed", "'std'"),
    "column_statistics_random": ("failed", "'std'"),
}
DIAGNOSIS = {"*": ("biased", "n - 1", "correction")}


def column_stats(x):
    largest, where = x.max(dim=0)
    return x.mean(dim=0), x.std(dim=0, unbiased=False), largest, where
