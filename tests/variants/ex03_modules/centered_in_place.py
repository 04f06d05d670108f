"""CenteredLayer subtracts the mean in place (X -= X.mean()) and returns X: right output, but the caller's input is gone."""

VERDICTS = {
    "centered_layer_subtracts_the_mean": ("failed", "'3x4 matrix: input after the call (unchanged: no X -= ...)'"),
}
DIAGNOSIS = {"*": ("X -=", "in place")}

from torch import nn  # noqa: E402


class CenteredLayer(nn.Module):
    def forward(self, X):
        X -= X.mean()
        return X
