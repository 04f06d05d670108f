"""Sums `loss` instead of `loss.item()`: every batch's graph stays alive and a tensor comes back."""

VERDICTS = {
    "train_one_epoch_matches_reference": ("failed", "'loss': expected number, got a tensor"),
    "train_one_epoch_switches_to_train_mode": ("failed", "'loss': expected number, got a tensor"),
    "train_one_epoch_random": ("failed", "'loss': expected number, got a tensor"),
    "train_and_evaluate_on_device[cpu]": ("failed", "'train loss': expected number, got a tensor"),
    "fit_stops_early": ("failed", "'history values are Python floats'"),
    "fit_random": ("failed", "'history values are Python floats'"),
    "fit_ties_are_not_improvements": ("failed", "'history values are Python floats'"),
    "fit_counts_bad_epochs_since_the_best": ("failed", "'history values are Python floats'"),
    "fit_scripted_random": ("failed", "'history values are Python floats'"),
}
DIAGNOSIS = {"*": (".item()", "Python float", "Python number")}


def train_one_epoch(model, loader, optimizer, criterion, device):
    model.train()
    total, count = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss * inputs.shape[0]
        count += inputs.shape[0]
    return total / count
