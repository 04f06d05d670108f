"""evaluate moves the targets but feeds the model the CPU inputs: on a GPU the first forward raises."""

VERDICTS = {
    "batches_moved_to_the_device": ("failed", "'evaluate.inputs reaching the model': wrong value\nexpected 'on the device every time', got 'NOT on the device: on cpu'"),
    "digits_classifier_on_the_device": ("failed", "'returns an nn.Module': raised RuntimeError"),
}
DIAGNOSIS = {"*": "inputs reaching the model"}

import torch  # noqa: E402


def evaluate(model, loader, criterion, device):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            targets = targets.to(device)
            outputs = model(inputs)
            total += criterion(outputs, targets).item() * inputs.shape[0]
            correct += int((outputs.argmax(dim=1) == targets).sum())
            count += inputs.shape[0]
    return total / count, correct / count
