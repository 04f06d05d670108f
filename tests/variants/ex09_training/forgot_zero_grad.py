"""The training loop without optimizer.zero_grad(): each step uses the sum of all past gradients."""

VERDICTS = {
    "train_one_epoch_matches_reference": ("failed", "'gradients zeroed between steps (zero_grad)': wrong value"),
    "train_one_epoch_switches_to_train_mode": ("failed", "'gradients zeroed between steps (zero_grad)': wrong value"),
    "train_one_epoch_random": ("failed", "'gradients zeroed between steps (zero_grad)': wrong value"),
    "train_and_evaluate_on_device[cpu]": ("failed", "'gradients zeroed between steps (zero_grad)': wrong value"),
    "fit_stops_early": ("failed", "'gradients zeroed between steps (zero_grad)': wrong value"),
    "fit_restores_best_weights": ("failed", "'gradients zeroed between steps (zero_grad)': wrong value"),
    "fit_random": ("failed", "'gradients zeroed between steps (zero_grad)': wrong value"),
    "digits_classifier_reaches_95_percent": ("failed", "'gradients zeroed between steps (zero_grad)': wrong value"),
    "fit_ties_are_not_improvements": ("failed", "'gradients zeroed between steps (zero_grad)': wrong value"),
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
