"""The mean of the batch losses, unweighted: a short last batch counts as much as a full one."""

VERDICTS = {
    "train_one_epoch_matches_reference": ("failed", "'loss returned: the mean over the samples of the batch losses (batches weighted by size)'"),
    "train_one_epoch_random": ("failed", "'loss returned: the mean over the samples of the batch losses (batches weighted by size)'"),
    "train_and_evaluate_on_device[cpu]": ("failed", "'train loss: the mean over the samples of the batch losses (batches weighted by size)'"),
    "evaluate_in_eval_mode": ("failed", "'loss equals cross_entropy over the whole set (batches weighted by size)'"),
    "evaluate_random": ("failed", "'loss returned: the mean over the samples of the batch losses (batches weighted by size)'"),
    "fit_stops_early": ("failed", "'epochs run'"),
    "fit_restores_best_weights": ("failed", "'val loss of the returned model equals the best val loss'"),
    "fit_random": ("failed", "_loss (each a mean over the samples: batches weighted by size)'"),  # val_ or train_: whichever differs in the draw
    "fit_ties_are_not_improvements": ("failed", "'val_loss (each a mean over the samples: batches weighted by size)'"),
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
