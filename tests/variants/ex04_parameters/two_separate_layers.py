"""Two nn.Linear(hidden, hidden) layers instead of one shared: twice the parameters, each use its own gradient."""

VERDICTS = {
    "shared_layer_is_one_object": ("failed", "'net[2] is net[4]'"),
    "shared_gradients_add_up": ("failed", "'shared.weight.grad'"),
    "shared_gradients_random": ("failed", "'shared.weight.grad is the sum of both uses of the same layer'"),
}
DIAGNOSIS = {"*": ("is net[", "one object", "the same layer")}

from torch import nn  # noqa: E402


def shared_mlp(in_features, hidden, out_features=1):
    return nn.Sequential(
        nn.Linear(in_features, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, out_features),
    )
