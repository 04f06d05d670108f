"""torch.manual_seed(seed) inside make_loader: the order repeats, but everyone else's randomness is reset."""

VERDICTS = {
    "seeded_shuffle_is_reproducible": ("failed", "'the global RNG is not reseeded'"),
    "seeded_shuffle_random": ("failed", "'drop_last=False.the global RNG is not reseeded'"),
}
DIAGNOSIS = {"*": ("global RNG", "reseed", "manual_seed")}


def make_loader(dataset, batch_size, shuffle=False, seed=0, drop_last=False, collate_fn=None):
    torch.manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, collate_fn=collate_fn)
