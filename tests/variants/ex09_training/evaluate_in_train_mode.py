"""evaluate without model.eval(): Dropout stays on and BatchNorm updates its running statistics."""

VERDICTS = {
    "evaluate_in_eval_mode": ("failed", "'every forward ran in eval mode'"),
    "evaluate_random": ("failed", "'state_dict unchanged (eval mode: BatchNorm running stats)'"),
}
DIAGNOSIS = {"*": ("eval mode", "model.eval()")}

import torch  # noqa: E402


def evaluate(model, loader, criterion, device):
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            outputs = model(inputs)
            total += criterion(outputs, targets).item() * inputs.shape[0]
            correct += int((outputs.argmax(dim=1) == targets).sum())
            count += inputs.shape[0]
    return total / count, correct / count
