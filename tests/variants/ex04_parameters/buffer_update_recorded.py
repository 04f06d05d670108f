"""The running mean updated outside no_grad and without detach: the buffer drags a growing graph along."""

VERDICTS = {
    "running_mean_training_and_eval": ("failed", "'running_mean.requires_grad after training'"),
}
DIAGNOSIS = {"*": ("requires_grad", "no_grad", "detach")}

from torch import nn  # noqa: E402


class RunningCenter(RunningCenter):  # noqa: F821 - the reference class, defined above
    def forward(self, x):
        if self.training:
            mean = x.mean(dim=0)
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
            self.num_batches = self.num_batches + 1
        else:
            mean = self.running_mean
        return (x - mean) * self.scale
