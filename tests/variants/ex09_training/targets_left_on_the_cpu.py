"""Moves the inputs to the device but not the targets: on a GPU the loss raises (targets on the CPU,
outputs on cuda); on the CPU it works, which is why it goes unnoticed until the first GPU run."""

VERDICTS = {
    "batches_moved_to_the_device": ("failed", "'train_one_epoch.targets reaching the criterion'"),
    "digits_classifier_on_the_device": ("failed", "'returns an nn.Module': raised RuntimeError"),
}
DIAGNOSIS = {"*": "targets reaching the criterion"}

import torch  # noqa: E402


def train_one_epoch(model, loader, optimizer, criterion, device):
    model.train()
    total, count = 0.0, 0
    for inputs, targets in loader:
        inputs = inputs.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item() * inputs.shape[0]
        count += inputs.shape[0]
    return total / count


def evaluate(model, loader, criterion, device):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            outputs = model(inputs.to(device))
            total += criterion(outputs, targets).item() * inputs.shape[0]
            correct += int((outputs.argmax(dim=1) == targets).sum())
            count += inputs.shape[0]
    return total / count, correct / count
