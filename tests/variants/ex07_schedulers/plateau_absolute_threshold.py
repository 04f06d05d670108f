"""The default relative threshold applied absolutely: 3.97 after 4.0 counts as better (it is not 1% better)."""

VERDICTS = {
    "plateau_min_mode_relative_threshold": ("failed", "ReduceLROnPlateau': expected None, got int 4"),
    "plateau_random": ("failed", "'default threshold_mode.first epoch where lr differs"),
}
DIAGNOSIS = {"*": ("threshold", "relative")}


class PlateauScheduler(PlateauScheduler):  # noqa: F821 - the reference's class
    def is_better(self, value):
        if self.mode == "min":
            return value < self.best - self.threshold
        return value > self.best + self.threshold
