"""Correct, written differently: the head built with device= and dtype= from the old bias, BatchNorm
found through its running statistics, groups by identity against the head's parameters collected
first, ReLUs replaced while walking named_modules by splitting the dotted name, the hook as a small
class with a removable handle, and the image read with np.array in float64 before float32."""

VERDICTS = {}

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from PIL import Image  # noqa: E402
from torch import nn  # noqa: E402


def replace_head(model, num_classes):
    bias = model.classifier.bias
    model.classifier = nn.Linear(model.classifier.weight.shape[1], num_classes, device=bias.device, dtype=bias.dtype)
    return model


def freeze_backbone(model, bn_eval=True):
    for name, parameter in model.features.named_parameters():
        parameter.requires_grad = False
    if bn_eval:
        for module in model.features.modules():
            if isinstance(module, nn.modules.batchnorm._NormBase) and module.track_running_stats:
                module.eval()
    return model


def param_groups(model, lr_backbone, lr_head):
    head = list(model.classifier.parameters())
    backbone = [p for p in model.parameters() if p.requires_grad and not any(p is h for h in head)]
    head = [p for p in head if p.requires_grad]
    groups = []
    if backbone:
        groups.append({"params": backbone, "lr": lr_backbone})
    if head:
        groups.append({"params": head, "lr": lr_head})
    return groups


def replace_activations(model, make_activation):
    found = [name for name, module in model.named_modules() if type(module) is nn.ReLU and name != ""]
    for name in found:
        *path, last = name.split(".")
        parent = model
        for part in path:
            parent = getattr(parent, part) if not isinstance(parent, (nn.ModuleList, nn.Sequential)) else parent._modules[part]
        parent._modules[last] = make_activation()
    return len(found)


class _Keeper:
    def __init__(self, module):
        self.value = None
        self.handle = module.register_forward_hook(self)

    def __call__(self, module, inputs, output):
        self.value = torch.clone(output)


def capture_features(model, layer_name, x):
    keeper = _Keeper(model.get_submodule(layer_name))
    try:
        with torch.no_grad():
            model(x)
    finally:
        keeper.handle.remove()
    return keeper.value


def predict_image(model, path, class_names):
    with Image.open(path) as file:
        pixels = np.array(file.convert("L")) / 255.0
    x = digits_transform(torch.from_numpy(pixels).float())[None, None]
    model.eval()
    with torch.no_grad():
        probabilities = F.log_softmax(model(x), dim=1).exp()
    best = probabilities.argmax(dim=1).item()
    return class_names[best], probabilities[0, best].item()
