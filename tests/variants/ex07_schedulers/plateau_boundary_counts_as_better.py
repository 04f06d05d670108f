"""A value exactly at the threshold's boundary counts as better (<= and >= instead of < and >)."""

VERDICTS = {
    "plateau_max_mode_relative_threshold": ("failed", "'first epoch where lr differs from torch ReduceLROnPlateau'"),
    "plateau_boundary_is_not_better": ("failed", "'mode=min, threshold_mode=rel, threshold=0.25.first epoch where lr differs"),
    "plateau_random": ("failed", "'mode=min, threshold_mode=rel."),
    "plateau_non_finite_first_metric": ("failed", "'mode=min, first metric inf.first epoch where lr differs"),
}
DIAGNOSIS = {"*": ("strictly", "boundary")}


class PlateauScheduler(PlateauScheduler):  # noqa: F821 - the reference's class
    def is_better(self, value):
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return value <= self.best * (1 - self.threshold)
            return value <= self.best - self.threshold
        if self.threshold_mode == "rel":
            return value >= self.best * (1 + self.threshold)
        return value >= self.best + self.threshold
