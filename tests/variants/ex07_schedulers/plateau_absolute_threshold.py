"""The default relative threshold applied absolutely: 3.97 after 4.0 counts as better (it is not 1% better)."""

VERDICTS = {
    "plateau_min_mode_relative_threshold": ("failed", "ReduceLROnPlateau': expected None, got int 4"),
    "plateau_max_mode_relative_threshold": ("failed", "'first epoch where lr differs from torch ReduceLROnPlateau'"),
    "plateau_boundary_is_not_better": ("failed", "'mode=min, threshold_mode=rel, threshold=0.25.first epoch where lr differs"),
    "plateau_random": ("failed", "'mode=min, threshold_mode=rel."),
}
DIAGNOSIS = {"*": ("threshold", "relative")}


class PlateauScheduler(PlateauScheduler):  # noqa: F821 - the reference's class
    def is_better(self, value):
        if self.mode == "min":
            return value < self.best - self.threshold
        return value > self.best + self.threshold
