"""torch.manual_seed(seed) instead of a generator of the loader's own: the base seed and the shuffle then
come from the global RNG, which this resets for everybody else."""

VERDICTS = {
    "loader_workers_reproducible": ("failed", "'the global RNG is not reseeded': wrong value"),
    "loader_random": ("failed", "'the global RNG is not reseeded'"),
}
DIAGNOSIS = {"*": ("global RNG", "generator")}

import torch  # noqa: E402


def reproducible_loader(dataset, batch_size, seed, num_workers=2):
    torch.manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=num_workers, worker_init_fn=seed_worker)
