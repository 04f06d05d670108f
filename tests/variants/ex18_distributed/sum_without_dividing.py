"""all_reduce sums the gradients and nobody divides by the world size: every manual step is
world_size times too large (DDP divides for you, so the DDP runs stay right)."""

VERDICTS = {
    "average_gradients_matches_ddp": ("failed", "'world_size=2: agrees with DistributedDataParallel'"),
    "average_gradients_random": ("failed", "agrees with DistributedDataParallel'"),
    "train_by_hand_matches_one_process": ("failed", "'every rank ends with the parameters of one process on the full batches'"),
    "train_random": ("failed", "'use_ddp=False: every rank ends with the parameters of one process on the full batches'"),
}
DIAGNOSIS = {"*": ("world size", "sum instead of a mean", "divid")}


def average_gradients(model):
    for parameter in model.parameters():
        if parameter.grad is not None:
            dist.all_reduce(parameter.grad)
