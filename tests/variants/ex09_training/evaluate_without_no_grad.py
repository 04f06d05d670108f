"""evaluate in eval mode but without torch.no_grad(): right numbers, and a graph built for nothing."""

VERDICTS = {
    "evaluate_builds_no_graph": ("failed", "'outputs reaching the criterion carry a graph'"),
}
DIAGNOSIS = {"*": ("graph", "no_grad")}


def evaluate(model, loader, criterion, device):
    model.eval()
    total, correct, count = 0.0, 0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        outputs = model(inputs)
        total += criterion(outputs, targets).item() * inputs.shape[0]
        correct += int((outputs.argmax(dim=1) == targets).sum())
        count += inputs.shape[0]
    return total / count, correct / count
