"""The dataset's generator seeded with the worker id: the workers differ, but every epoch and every
seed give the same augmentations."""

VERDICTS = {
    "loader_workers_reproducible": ("failed", "'a second epoch draws new numbers': wrong value"),
    "loader_random": ("failed", "'a second epoch draws new numbers'"),
}
DIAGNOSIS = {"*": ("second epoch", "base seed", "worker id")}


def seed_worker(worker_id):
    get_worker_info().dataset.generator.manual_seed(worker_id)
