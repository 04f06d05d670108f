"""The mean of the batch losses, unweighted: a short last batch counts as much as a full one."""

VERDICTS = {
    "train_one_epoch_matches_reference": ("failed", "'loss'"),
    "train_one_epoch_random": ("failed", "'loss'"),
    "train_and_evaluate_on_device[cpu]": ("failed", "'train loss'"),
    "evaluate_in_eval_mode": ("failed", "'loss equals cross_entropy over the whole set'"),
    "evaluate_random": ("failed", "'loss'"),
    "fit_stops_early": ("failed", "'epochs run'"),
    "fit_restores_best_weights": ("failed", "'val loss of the returned model equals the best val loss'"),
    "fit_random": ("failed", "_loss'"),  # 'val_loss' or 'train_loss': whichever differs beyond rtol 1e-5 in the draw
    "fit_ties_are_not_improvements": ("failed", "'val_loss'"),
}
DIAGNOSIS = {"*": ("weighted", "batch size", "short last batch")}

import torch  # noqa: E402


def train_one_epoch(model, loader, optimizer, criterion, device):
    model.train()
    losses = []
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)


def evaluate(model, loader, criterion, device):
    model.eval()
    losses, accuracies = [], []
    with torch.no_grad():
        for inputs, targets in loader:
            outputs = model(inputs.to(device))
            losses.append(criterion(outputs, targets.to(device)).item())
            accuracies.append((outputs.argmax(dim=1) == targets.to(device)).float().mean().item())
    return sum(losses) / len(losses), sum(accuracies) / len(accuracies)
