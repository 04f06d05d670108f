"""The hook keeps the layer's output tensor itself (detached, not cloned): the in-place ReLU that runs
next overwrites it, and the "BatchNorm output" has no negative values left."""

VERDICTS = {
    "capture_features_hook": ("failed", "'features.block1.bn output keeps its negative values (cloned before the in-place ReLU)'"),
}
DIAGNOSIS = {"*": ("clone", "shares memory")}

import torch  # noqa: E402


def capture_features(model, layer_name, x):
    layer = model.get_submodule(layer_name)
    kept = []
    handle = layer.register_forward_hook(lambda module, inputs, output: kept.append(output.detach()))
    try:
        with torch.no_grad():
            model(x)
    finally:
        handle.remove()
    return kept[-1]
