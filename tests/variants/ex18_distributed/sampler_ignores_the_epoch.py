"""The sampler seeds its generator with the seed alone: set_epoch is accepted but changes
nothing, and every epoch has the same order."""

VERDICTS = {
    "sampler_shuffles_per_epoch": ("failed", "'epoch 1: shards[0]'"),
    "sampler_random": ("failed", "'shuffle=True, drop_last=False: shards[0]'"),
}
DIAGNOSIS = {"*": ("epoch 1", "set_epoch")}


class ShardedSampler(ShardedSampler):
    def set_epoch(self, epoch):
        pass
