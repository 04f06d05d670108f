"""A worker_init_fn that reseeds only the global RNGs (as many recipes do): the dataset's own generator
is the same copy in every worker, so both workers draw the same numbers, and the same again each epoch."""

VERDICTS = {
    "loader_workers_reproducible": ("failed", "'every worker draws its own random numbers': wrong value"),
    "loader_random": ("failed", "'every worker draws its own random numbers'"),
}
DIAGNOSIS = {"*": ("every worker draws", "reseed", "worker_init_fn")}

import random  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402


def seed_worker(worker_id):
    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)
