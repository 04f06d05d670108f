"""running_mean and num_batches as plain tensor attributes: not in state_dict, left behind by .double()."""

VERDICTS = {
    "buffer_vs_parameter": ("failed", "'state_dict keys'"),
    "buffers_saved_and_converted": ("failed", "'loaded running_mean'"),
    "state_stays_on_the_device[meta]": ("failed", "'RunningCenter: buffers after .to(device).running_mean.on the device': wrong value"),
}
DIAGNOSIS = {"*": ("buffer",)}

import torch  # noqa: E402
from torch import nn  # noqa: E402


class RunningCenter(RunningCenter):  # noqa: F821 - the reference class, defined above
    def __init__(self, num_features, momentum=0.1):
        nn.Module.__init__(self)
        self.momentum = momentum
        self.scale = nn.Parameter(torch.ones(num_features))
        self.running_mean = torch.zeros(num_features)
        self.num_batches = torch.tensor(0)
