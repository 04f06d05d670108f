"""Keeps `model.state_dict()` without copying it: its tensors are the live parameters, so the
"best" weights loaded at the end are the last epoch's."""

VERDICTS = {
    "fit_restores_best_weights": ("failed", "'val loss of the returned model equals the best val loss'"),
    "fit_random": ("failed", "\"parameters after fit: the best epoch's (a copy restored).0.weight\""),
    "fit_counts_bad_epochs_since_the_best": ("failed", "\"bias after fit: the best epoch's (a copy restored)\""),
    "fit_scripted_random": ("failed", "\"bias after fit: the best epoch's (a copy restored)\""),
}
DIAGNOSIS = {"*": ("copy", "clone", "shares memory", "deepcopy")}

import math  # noqa: E402


def fit(model, train_loader, val_loader, optimizer, criterion, device, *, max_epochs, patience):
    history = {"train_loss": [], "val_loss": [], "val_accuracy": [], "best_epoch": 0}
    best_loss, best_state, bad_epochs = math.inf, None, 0
    for epoch in range(max_epochs):
        history["train_loss"].append(train_one_epoch(model, train_loader, optimizer, criterion, device))
        val_loss, val_accuracy = evaluate(model, val_loader, criterion, device)
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_accuracy)
        if val_loss < best_loss:
            best_loss, history["best_epoch"] = val_loss, epoch
            best_state = model.state_dict()
            bad_epochs = 0
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                break
    model.load_state_dict(best_state)
    return history
