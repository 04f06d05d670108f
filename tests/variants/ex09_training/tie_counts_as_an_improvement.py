"""`<=` instead of `<`: a validation loss equal to the best counts as an improvement, so a plateau
never stops the run, and the 'best' epoch moves to the last of the tied ones."""

VERDICTS = {
    "fit_ties_are_not_improvements": ("failed", "'epochs run': wrong value"),
    "fit_counts_bad_epochs_since_the_best": ("failed", "'epochs run': wrong value"),
    "fit_scripted_random": ("failed", "'epochs run'"),
}
DIAGNOSIS = {
    "fit_ties_are_not_improvements": ("tie", "runs too far"),  # with every tie an improvement, the run never stops
    "fit_counts_bad_epochs_since_the_best": ("tie", "<= for <"),
    "fit_scripted_random": ("tie", "<= for <"),
}

import copy  # noqa: E402
import math  # noqa: E402


def fit(model, train_loader, val_loader, optimizer, criterion, device, *, max_epochs, patience):
    history = {"train_loss": [], "val_loss": [], "val_accuracy": [], "best_epoch": 0}
    best_loss, best_state, bad_epochs = math.inf, None, 0
    for epoch in range(max_epochs):
        history["train_loss"].append(train_one_epoch(model, train_loader, optimizer, criterion, device))
        val_loss, val_accuracy = evaluate(model, val_loader, criterion, device)
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_accuracy)
        if val_loss <= best_loss:
            best_loss, history["best_epoch"] = val_loss, epoch
            best_state = copy.deepcopy(model.state_dict())
            bad_epochs = 0
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                break
    model.load_state_dict(best_state)
    return history
