"""BatchNorm1d with momentum as in an optimizer: running = momentum·running + (1 − momentum)·batch; PyTorch weights the new batch by momentum."""

VERDICTS = {
    "batchnorm_training_updates_running_stats": ("failed", "'running_mean after batch 0 (momentum weights the new batch)'"),
    "batchnorm_eval_uses_running_stats": ("failed", "'eval output (N, C, L)'"),
    "batchnorm_random": ("failed", "'running_mean (momentum weights the new batch)'"),
}
DIAGNOSIS = {"*": "momentum"}

import torch  # noqa: E402


class BatchNorm1d(BatchNorm1d):  # noqa: F821 - the reference class, defined above in the module
    def forward(self, x):
        dims = [0] + list(range(2, x.dim()))
        shape = [1, -1] + [1] * (x.dim() - 2)
        if self.training:
            n = x.numel() // x.shape[1]
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, unbiased=False)
            with torch.no_grad():
                self.running_mean.mul_(self.momentum).add_((1 - self.momentum) * mean)
                self.running_var.mul_(self.momentum).add_((1 - self.momentum) * var * n / (n - 1))
                self.num_batches_tracked += 1
        else:
            mean, var = self.running_mean, self.running_var
        normalised = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + self.eps)
        return normalised * self.weight.reshape(shape) + self.bias.reshape(shape)
