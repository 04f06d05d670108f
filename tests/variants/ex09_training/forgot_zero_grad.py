"""The training loop without optimizer.zero_grad(): each step uses the sum of all past gradients."""

VERDICTS = {
    "train_one_epoch_matches_reference": ("failed", "'parameters.0.weight'"),
    "train_one_epoch_switches_to_train_mode": ("failed", "'parameters.0.weight'"),
    "train_one_epoch_random": ("failed", "'parameters.0.weight'"),
    "train_and_evaluate_on_device[cpu]": ("failed", "'parameters.0.weight'"),
    "fit_stops_early": ("failed", "'val_loss'"),
    "fit_restores_best_weights": ("failed", "'parameters.weight'"),
    "fit_random": ("failed", "'val_loss'"),
    "digits_classifier_reaches_95_percent": ("failed", "'test accuracy >= 0.95'"),
    "fit_ties_are_not_improvements": ("failed", "'val_loss'"),
}
DIAGNOSIS = {"*": "zero_grad"}


def train_one_epoch(model, loader, optimizer, criterion, device):
    model.train()
    total, count = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item() * inputs.shape[0]
        count += inputs.shape[0]
    return total / count
