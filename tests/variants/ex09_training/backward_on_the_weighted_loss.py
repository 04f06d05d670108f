"""backward() on the wrong tensor: the batch-size-weighted loss kept for the running mean, so
every gradient is n_b times too large (the returned mean loss is still right)."""

VERDICTS = {
    "train_one_epoch_matches_reference": ("failed", "'parameters.0.weight'"),
    "train_one_epoch_switches_to_train_mode": ("failed", "'parameters.0.weight'"),
    "train_one_epoch_random": ("failed", "'parameters.0.weight'"),
    "train_and_evaluate_on_device[cpu]": ("failed", "'parameters.0.weight'"),
    "fit_stops_early": ("failed", "'val_loss'"),
    "fit_restores_best_weights": ("failed", "'parameters.weight'"),
    "fit_random": ("failed", "'val_loss'"),
    "fit_ties_are_not_improvements": ("failed", "'epochs run'"),
}
DIAGNOSIS = {"*": ("backward", "weighted loss")}


def train_one_epoch(model, loader, optimizer, criterion, device):
    model.train()
    total, count = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        weighted = criterion(model(inputs), targets) * inputs.shape[0]
        weighted.backward()
        optimizer.step()
        total += weighted.item()
        count += inputs.shape[0]
    return total / count
