"""train_with_schedule returns p.clone() without .detach(): copies that still require grad and
hang on to the autograd graph of the model's parameters."""

VERDICTS = {
    "train_steps_optimizer_then_scheduler": ("failed", "'params returned detached (requires_grad)[0]'"),
    "train_random": ("failed", "'cosine.params returned detached (requires_grad)[0]'"),
}
DIAGNOSIS = {"*": ("detached",)}

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def train_with_schedule(model, inputs, targets, epochs, lr, make_scheduler):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(epochs):
        lrs.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.zero_grad()
        F.mse_loss(model(inputs), targets).backward()
        optimizer.step()
        scheduler.step()
    return lrs, [p.clone() for p in model.parameters()]
