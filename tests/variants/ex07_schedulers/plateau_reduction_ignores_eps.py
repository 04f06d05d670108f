"""Every reduction is applied, however small: eps (ignore changes smaller than eps) is forgotten."""

VERDICTS = {
    "plateau_eps_and_min_lr": ("failed", "'eps=0.25: 1 -> 0.5, then 0.5 -> 0.25 is a change of exactly eps.first epoch where lr differs"),
}
DIAGNOSIS = {"*": ("change of exactly eps",)}


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
        if self.num_bad_epochs > self.patience:
            self.lr = max(self.lr * self.factor, self.min_lr)
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        return self.lr
