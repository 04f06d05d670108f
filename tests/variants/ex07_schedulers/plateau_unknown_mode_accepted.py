"""Any mode other than "min" is taken as "max", any threshold_mode other than "rel" as "abs": a typo
("maximum", "relative") trains with another rule instead of raising ValueError."""

VERDICTS = {
    "plateau_rejects_unknown_modes": ("failed", "'an unknown mode (\"maximum\") raises ValueError': expected ValueError to be raised"),
}
DIAGNOSIS = {"*": ("unknown mode", "unknown threshold_mode")}

import math  # noqa: E402


class PlateauScheduler(PlateauScheduler):  # noqa: F821 - the reference's class
    def __init__(self, lr, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 cooldown=0, min_lr=0.0, eps=1e-8):
        self.lr, self.factor, self.patience, self.threshold = lr, factor, patience, threshold
        self.mode = "min" if mode == "min" else "max"
        self.threshold_mode = "rel" if threshold_mode == "rel" else "abs"
        self.cooldown, self.min_lr, self.eps = cooldown, min_lr, eps
        self.best = math.inf if self.mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
