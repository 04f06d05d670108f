"""scheduler.step() before optimizer.step(): every update uses the next epoch's lr."""

VERDICTS = {
    "train_steps_optimizer_then_scheduler": (
        "failed",
        "'PyTorch warned: lr_scheduler.step() called before optimizer.step()': wrong value\nexpected False, got True",
    ),
    "train_random": ("failed", "'cosine.params[0]'"),
}
DIAGNOSIS = {"*": "scheduler.step() called before optimizer.step()"}

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def train_with_schedule(model, inputs, targets, epochs, lr, make_scheduler):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(epochs):
        lrs.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.zero_grad()
        loss = F.mse_loss(model(inputs), targets)
        loss.backward()
        scheduler.step()
        optimizer.step()
    return lrs, [p.detach().clone() for p in model.parameters()]
