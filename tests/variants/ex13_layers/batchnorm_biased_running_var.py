"""BatchNorm1d keeps the biased batch variance (divided by n) in running_var; PyTorch stores the unbiased one (n − 1)."""

VERDICTS = {
    "batchnorm_training_updates_running_stats": ("failed", "'running_var after batch 0 (momentum on the unbiased, n - 1, batch variance)'"),
    "batchnorm_eval_uses_running_stats": ("failed", "'eval output (N, C, L)'"),
    "batchnorm_random": ("failed", "'running_var (momentum on the unbiased, n - 1, batch variance)'"),
}
# The variance's divisor (n or n - 1) is a normaliser: a hint that says so names this mistake too.
DIAGNOSIS = {"*": ("biased", "n - 1", "correction", "normaliser")}

import torch  # noqa: E402


class BatchNorm1d(BatchNorm1d):  # noqa: F821 - the reference class, defined above in the module
    def forward(self, x):
        dims = [0] + list(range(2, x.dim()))
        shape = [1, -1] + [1] * (x.dim() - 2)
        if self.training:
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, unbiased=False)
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var)
                self.num_batches_tracked += 1
        else:
            mean, var = self.running_mean, self.running_var
        normalised = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + self.eps)
        return normalised * self.weight.reshape(shape) + self.bias.reshape(shape)
