"""autocast_forward without autocast: a plain float32 forward."""

VERDICTS = {
    "autocast_forward_lowers_precision[cpu]": ("failed", "'autocast dtype is the expected one for this device'"),
    "autocast_forward_random[cpu]": ("failed", "'autocast dtype is the expected one for this device'"),
}
DIAGNOSIS = {"*": "autocast"}


def autocast_forward(model, x, device):
    return model(x)
