"""A sampler without padding that gives every rank n // num_replicas indices even without
drop_last: the last n % num_replicas samples are never trained on."""

VERDICTS = {
    "sampler_matches_distributed_sampler": ("failed", "'10 samples on 3 ranks, drop_last=False: how many different samples the ranks see'"),
    "sampler_shuffles_per_epoch": ("failed", "'epoch 0 (set_epoch never called): shards[0]'"),
    "sampler_random": ("failed", "'shuffle=True, drop_last=False: how many different samples the ranks see'"),
}
DIAGNOSIS = {"*": ("how many different samples", "remainder", "padding", "lacks one element")}


class ShardedSampler(ShardedSampler):
    def __init__(self, dataset, num_replicas, rank, shuffle=True, seed=0, drop_last=False):
        super().__init__(dataset, num_replicas, rank, shuffle, seed, drop_last)
        self.num_samples = self.size // num_replicas

    def __iter__(self):
        if self.shuffle:
            generator = torch.Generator()
            generator.manual_seed(self.seed + self.epoch)
            order = torch.randperm(self.size, generator=generator).tolist()
        else:
            order = list(range(self.size))
        total = self.num_samples * self.num_replicas
        return iter(order[self.rank : total : self.num_replicas])
