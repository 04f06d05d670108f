"""RunningCenter.forward centres its input in place (x -= mean): the caller's batch is overwritten, and a batch
that requires grad (the output of an earlier layer, a leaf here) cannot be changed in place at all."""

VERDICTS = {
    "buffers_saved_and_converted": ("failed", "'training input after forward (unchanged: no x -= mean)'"),
    "running_mean_training_and_eval": ("error", "in-place operation"),
}
DIAGNOSIS = {"*": ("x -= mean", "changed in place", "in place")}

import torch  # noqa: E402


class RunningCenter(RunningCenter):  # noqa: F821 - the reference class, defined above
    def forward(self, x):
        if self.training:
            mean = x.mean(dim=0)
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.num_batches += 1
        else:
            mean = self.running_mean
        x -= mean
        return x * self.scale
