"""backward() on the wrong tensor: the batch-size-weighted loss kept for the running mean, so
every gradient is n_b times too large (the returned mean loss is still right)."""

VERDICTS = {
    "train_one_epoch_matches_reference": ("failed", "first step's gradients: backward() of the batch's mean loss"),
    "train_one_epoch_switches_to_train_mode": ("failed", "first step's gradients: backward() of the batch's mean loss"),
    "train_one_epoch_random": ("failed", "first step's gradients: backward() of the batch's mean loss"),
    "train_and_evaluate_on_device[cpu]": ("failed", "first step's gradients: backward() of the batch's mean loss"),
    "fit_stops_early": ("failed", "first step's gradients: backward() of the batch's mean loss"),
    "fit_restores_best_weights": ("failed", "first step's gradients: backward() of the batch's mean loss"),
    "fit_random": ("failed", "first step's gradients: backward() of the batch's mean loss"),
    "fit_ties_are_not_improvements": ("failed", "first step's gradients: backward() of the batch's mean loss"),
}
DIAGNOSIS = {"*": ("backward", "weighted loss", "sum instead of a mean")}


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
