"""make_loader forgets to pass collate_fn on: the default collate runs instead (and fails on
sequences of different lengths, which is what pad_collate is for)."""

VERDICTS = {"loader_uses_the_collate_fn": ("failed", "'batches with a collate_fn")}
DIAGNOSIS = {"*": ("collate_fn",)}


def make_loader(dataset, batch_size, shuffle=False, seed=0, drop_last=False, collate_fn=None):
    generator = torch.Generator().manual_seed(seed)  # noqa: F821
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, generator=generator)  # noqa: F821
