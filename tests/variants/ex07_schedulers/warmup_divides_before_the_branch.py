"""The warm-up fraction epoch / warmup_epochs is computed before testing the phase: with
warmup_epochs=0 (no warm-up) it divides by zero instead of giving the plain cosine."""

VERDICTS = {"warmup_of_zero_epochs_is_plain_cosine": ("error", "ZeroDivisionError")}
DIAGNOSIS = {"*": ("ZeroDivisionError", "division by zero")}


def warmup_cosine_lr(base_lr, epoch, warmup_epochs, total_epochs, start_factor=0.1, eta_min=0.0):
    progress = epoch / warmup_epochs
    if progress < 1:
        return base_lr * (start_factor + (1 - start_factor) * progress)
    return cosine_annealing_lr(base_lr, epoch - warmup_epochs, T_max=total_epochs - warmup_epochs, eta_min=eta_min)  # noqa: F821
