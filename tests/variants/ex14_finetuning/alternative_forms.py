"""Correct, written differently: the head moved with .to(old weight), the backbone frozen with one
requires_grad_ call and BatchNorm found by its classes, groups split by parameter name, ReLUs
replaced by a recursion over named_children, the hook keeping its output in a dict under
inference_mode, a loop with nn.CrossEntropyLoss that zeroes gradients after each step, and the
image read through getdata() with torch.softmax."""

VERDICTS = {}

import torch  # noqa: E402
from PIL import Image  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def replace_head(model, num_classes):
    old = model.classifier
    model.classifier = nn.Linear(old.in_features, num_classes).to(old.weight)
    return model


def freeze_backbone(model, bn_eval=True):
    model.features.requires_grad_(False)
    for module in model.features.modules():
        if bn_eval and isinstance(module, BATCH_NORMS):
            module.train(False)
    return model


def param_groups(model, lr_backbone, lr_head):
    backbone, head = [], []
    for name, parameter in model.named_parameters():
        if parameter.requires_grad:
            (head if name.startswith("classifier.") else backbone).append(parameter)
    return [{"params": params, "lr": lr} for params, lr in ((backbone, lr_backbone), (head, lr_head)) if params]


def replace_activations(model, make_activation):
    count = 0
    for name, child in list(model.named_children()):
        if isinstance(child, nn.ReLU):
            setattr(model, name, make_activation())
            count += 1
        else:
            count += replace_activations(child, make_activation)
    return count


def capture_features(model, layer_name, x):
    store = {}

    def hook(module, inputs, output):
        store["output"] = output.detach().clone()

    handle = model.get_submodule(layer_name).register_forward_hook(hook)
    try:
        with torch.inference_mode():
            model(x)
    finally:
        handle.remove()
    return store["output"]


def finetune(model, features, labels, *, num_classes, freeze, epochs, lr_backbone, lr_head, batch_size, seed):
    torch.manual_seed(seed)
    model = replace_head(model, num_classes)
    if freeze:
        freeze_backbone(model, bn_eval=True)
    optimizer = torch.optim.Adam(param_groups(model, lr_backbone, lr_head))
    criterion = nn.CrossEntropyLoss()
    shuffler = torch.Generator()
    shuffler.manual_seed(seed)
    loader = DataLoader(TensorDataset(features, labels), batch_size, shuffle=True, generator=shuffler)
    for _ in range(epochs):
        model.train(True)
        if freeze:
            freeze_backbone(model, bn_eval=True)
        for inputs, targets in loader:
            criterion(model(inputs), targets).backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
    model.train(False)
    return model


def predict_image(model, path, class_names):
    with Image.open(path) as file:
        gray = file.convert("L")
        values = torch.tensor(list(gray.getdata()), dtype=torch.float32).reshape(1, 1, gray.height, gray.width)
    model.train(False)
    with torch.no_grad():
        probabilities = torch.softmax(model(digits_transform(values / 255)), dim=-1).squeeze(0)
    index = int(torch.argmax(probabilities))
    return class_names[index], float(probabilities[index])
