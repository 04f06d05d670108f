"""best starts as None and the first metric is taken as the best whatever it is.

With a NaN first metric, best becomes NaN and no later value is ever better (every comparison
with NaN is False): the lr keeps dropping however well training goes.
"""

VERDICTS = {
    "plateau_non_finite_first_metric": ("failed", "'mode=min, first metric NaN.after __init__.best starts at inf"),
    "plateau_random": ("failed", "'mode=max, threshold_mode=rel."),
    "plateau_min_mode_relative_threshold": ("failed", "after __init__.best starts at inf (mode=min) or -inf (mode=max)': expected number, got None"),
    "plateau_max_mode_cooldown_min_lr": ("failed", "after __init__.best starts at inf (mode=min) or -inf (mode=max)': expected number, got None"),
    "plateau_max_mode_relative_threshold": ("failed", "after __init__.best starts at inf (mode=min) or -inf (mode=max)': expected number, got None"),
    "plateau_boundary_is_not_better": ("failed", "after __init__.best starts at inf (mode=min) or -inf (mode=max)': expected number, got None"),
    "plateau_eps_and_min_lr": ("failed", "after __init__.best starts at inf (mode=min) or -inf (mode=max)': expected number, got None"),
    "plateau_rejects_unknown_modes": ("failed", "'mode=\"max\", threshold_mode=\"abs\".best starts at inf"),
}
# Where a first metric is kept as the best unseen, the bad epochs after it are counted one short: the lr cuts
# come one epoch late, which the hidden check's draws sometimes show as a schedule shifted by one.
DIAGNOSIS = {"*": ("best starts at", "first metric"), "plateau_random": ("best starts at", "first metric", "off by one")}


class PlateauScheduler(PlateauScheduler):  # noqa: F821 - the reference's class
    def __init__(self, lr, **settings):
        super().__init__(lr, **settings)
        self.best = None

    def step(self, metric):
        value = float(metric)
        if self.best is None or self.is_better(value):
            self.best = value
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        return self.lr
