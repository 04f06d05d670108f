"""Mode "max" with a relative threshold written as the min formula's mirror image: value > best · (1 − threshold).

Any value above 75% of the best (threshold 0.25) then counts as an improvement: best can even go down.
"""

VERDICTS = {
    "plateau_max_mode_relative_threshold": ("failed", "'first epoch where lr differs from torch ReduceLROnPlateau'"),
    "plateau_boundary_is_not_better": ("failed", "'mode=max, threshold_mode=rel, threshold=0.25.first epoch where lr differs"),
    "plateau_random": ("failed", "'mode=max, threshold_mode=rel."),
    "plateau_non_finite_first_metric": ("failed", "'mode=max, first metric NaN.first epoch where lr differs"),
}
DIAGNOSIS = {"*": ("best * (1 + threshold)",)}


class PlateauScheduler(PlateauScheduler):  # noqa: F821 - the reference's class
    def is_better(self, value):
        if self.mode == "max" and self.threshold_mode == "rel":
            return value > self.best * (1 - self.threshold)
        return super().is_better(value)
