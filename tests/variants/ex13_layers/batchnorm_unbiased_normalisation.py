"""BatchNorm1d normalises with the unbiased variance (x.var() divides by n − 1): the training outputs are too small."""

VERDICTS = {
    "batchnorm_training_updates_running_stats": ("failed", "'output 0'"),
    "batchnorm_eval_uses_running_stats": ("failed", "'training output 0 (N, C, L)'"),
    "batchnorm_random": ("failed", "'output 0'"),
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
            var = x.var(dim=dims)
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var)
                self.num_batches_tracked += 1
        else:
            mean, var = self.running_mean, self.running_var
        normalised = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + self.eps)
        return normalised * self.weight.reshape(shape) + self.bias.reshape(shape)
