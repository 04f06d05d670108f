"""The hook is never removed: it stays on the layer and runs again at every later forward."""

VERDICTS = {
    "capture_features_hook": ("failed", "'hooks left on the layer': wrong value\nexpected 0, got 2"),
    "capture_features_random": ("failed", "'hooks left on the layer'"),
}
DIAGNOSIS = {"*": ("hooks left", "remove")}

import torch  # noqa: E402


def capture_features(model, layer_name, x):
    kept = []
    model.get_submodule(layer_name).register_forward_hook(lambda module, inputs, output: kept.append(output.clone()))
    with torch.no_grad():
        model(x)
    return kept[-1]
