"""train_with_schedule returns p.detach() without .clone(): views of the model's own parameters,
which change whenever the model trains on (or is changed) after the call."""

VERDICTS = {
    "train_steps_optimizer_then_scheduler": ("failed", "'a copy: returned params after the model is changed in place[0]'"),
    "train_random": ("failed", "'cosine.a copy: returned params after the model is changed in place[0]'"),
}
DIAGNOSIS = {"*": ("a copy",)}

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
    return lrs, [p.detach() for p in model.parameters()]
