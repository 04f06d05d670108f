"""Warm-up then cosine, but the cosine keeps counting from epoch 0 over all total_epochs."""

VERDICTS = {
    "warmup_then_cosine_matches_sequential_lr": ("failed", "CosineAnnealingLR)': expected None, got int 3"),
    "warmup_cosine_random": ("failed", "differs from torch SequentialLR(LinearLR, CosineAnnealingLR)'"),
}
DIAGNOSIS = {"*": ("counts from", "warm-up", "warmup")}


def warmup_cosine_lr(base_lr, epoch, warmup_epochs, total_epochs, start_factor=0.1, eta_min=0.0):
    if epoch < warmup_epochs:
        return base_lr * (start_factor + (1 - start_factor) * epoch / warmup_epochs)
    return cosine_annealing_lr(base_lr, epoch, T_max=total_epochs, eta_min=eta_min)
