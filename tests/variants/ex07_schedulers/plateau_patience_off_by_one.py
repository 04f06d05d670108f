"""Patience counted wrong: the lr drops on the patience-th bad epoch (>=), one epoch too early."""

VERDICTS = {
    "plateau_min_mode_relative_threshold": ("failed", "ReduceLROnPlateau': expected None, got int 3"),
    "plateau_max_mode_cooldown_min_lr": ("failed", "'first epoch where lr differs from torch ReduceLROnPlateau'"),
    "plateau_random": ("failed", "'mode=min, threshold_mode=rel.first epoch where lr differs from torch ReduceLROnPlateau'"),
    "plateau_max_mode_relative_threshold": ("failed", "'first epoch where lr differs from torch ReduceLROnPlateau'"),
    "plateau_boundary_is_not_better": ("failed", "'mode=min, threshold_mode=rel, threshold=0.25.first epoch where lr differs"),
    "plateau_eps_and_min_lr": ("failed", "first epoch where lr differs from torch ReduceLROnPlateau'"),
    "plateau_non_finite_first_metric": ("failed", "'mode=min, first metric NaN.first epoch where lr differs"),
}
DIAGNOSIS = {"*": ("off by one", "patience", "one epoch early")}


class PlateauScheduler(PlateauScheduler):  # noqa: F821 - the reference's class
    def step(self, metric):
        value = float(metric)
        if self.is_better(value):
            self.best = value
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs >= self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        return self.lr
