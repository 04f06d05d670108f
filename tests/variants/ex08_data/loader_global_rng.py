"""shuffle=True without a generator: the order comes from the global RNG and changes between runs."""

VERDICTS = {
    "seeded_shuffle_is_reproducible": ("failed", "'same order on a second run with the same seed'"),
    "seeded_shuffle_random": ("failed", "'drop_last=False.same order on a second run with the same seed'"),
}
DIAGNOSIS = {"*": ("generator", "global RNG", "same order on a second run")}


def make_loader(dataset, batch_size, shuffle=False, seed=0, drop_last=False, collate_fn=None):
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, collate_fn=collate_fn)
