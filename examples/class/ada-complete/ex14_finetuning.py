"""Exercise 14 — fine-tuning: adapting a trained network to a new task.

Training a network from scratch needs lots of data. Most real projects start
from a network someone already trained (a "pretrained" model) and adapt it:
the early layers (the *backbone*) have learned to detect strokes, edges and
shapes that are useful for many tasks; only the last layer (the *head*, or
classifier) is specific to the classes it was trained on.

Here the pretrained model is `DigitsCNN`, a small convolutional network that
was trained on the handwritten digits 0 to 4 (`data/digits_cnn.safetensors`,
made by `dev/train_finetuning_base.py`; see data/README.md). You adapt it to
tell the digits 5 to 9 apart, from only a few examples of each:

- **A new head** (`replace_head`): assigning a new `nn.Linear` to
  `model.classifier` replaces the old one in the module tree; the backbone keeps
  its trained weights. The new layer must be created where the model lives (its
  device and dtype): `model.to(...)` only moved the layers that existed then.
- **Freezing** (`freeze_backbone`): `requires_grad_(False)` on the backbone's
  parameters stops their gradients, so the optimizer leaves them alone. But
  BatchNorm layers also change in training mode *without* any gradient: their
  running statistics follow the batches. A frozen backbone keeps its BatchNorm
  layers in eval mode, and since `model.train()` switches every module back,
  that has to be redone after each `model.train()`.
- **Parameter groups** (`param_groups`): one optimizer, several learning rates.
  The backbone, already good, gets a small one; the new head, random, a larger
  one. Frozen parameters are left out of the optimizer.
- **Model surgery** (`replace_activations`): `named_modules()` walks the whole
  module tree, nested blocks included; to replace a module you set a new one
  as an attribute of its *parent*.
- **Forward hooks** (`capture_features`): `register_forward_hook` lets you read
  what any layer outputs, without changing the model's code; remove the hook
  when done (its handle's `remove()`), or it keeps running at every forward.
- **A fine-tuning run** (`finetune`): the whole recipe, with a seed. On the new
  classes, training the whole network (small learning rate for the backbone)
  beats training the head alone on a frozen backbone (a "linear probe").
- **Predicting one image** (`predict_image`): read a PNG file, apply exactly the
  transform the model was trained with, make a batch of one, eval mode, no
  gradient, softmax: a class name and its probability.

The given code below (`DigitsCNN`, `digits_transform`, `load_pretrained`) is
not part of the exercise: read it, you will use it.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import load_file
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

DATA = Path(__file__).resolve().parents[1] / "data"
WEIGHTS_PATH = DATA / "digits_cnn.safetensors"
DIGIT_PNG_PATH = DATA / "digit_3.png"

# The pretrained model's classes, in the order of its outputs.
CLASS_NAMES = ("0", "1", "2", "3", "4")

# Pixel statistics of the digits data (pixels scaled to [0, 1]): the training transform.
DIGITS_MEAN = 0.3
DIGITS_STD = 0.38


# --- given: the pretrained model, its transform, its weights ---------------------------------


class DigitsCNN(nn.Module):
    """A small CNN for 1×8×8 digit images: a convolutional backbone and a linear head.

    `features` (the backbone) maps (N, 1, 8, 8) to (N, 128):
        block1: Conv2d(1, 16, 3, padding=1) → BatchNorm2d(16) → ReLU     (N, 16, 8, 8)
        pool1:  MaxPool2d(2)                                            (N, 16, 4, 4)
        block2: Conv2d(16, 32, 3, padding=1) → BatchNorm2d(32) → ReLU   (N, 32, 4, 4)
        pool2:  MaxPool2d(2)                                            (N, 32, 2, 2)
        flatten                                                         (N, 128)
    `classifier` (the head) is Linear(128, num_classes): logits (N, num_classes).
    Submodules have names, e.g. `model.features.block1.conv`, or by path
    `model.get_submodule("features.block1.conv")`.
    """

    def __init__(self, num_classes: int = len(CLASS_NAMES)) -> None:
        super().__init__()

        def block(c_in: int, c_out: int) -> nn.Sequential:
            return nn.Sequential(
                OrderedDict(conv=nn.Conv2d(c_in, c_out, 3, padding=1), bn=nn.BatchNorm2d(c_out), relu=nn.ReLU())
            )

        self.features = nn.Sequential(
            OrderedDict(
                block1=block(1, 16),
                pool1=nn.MaxPool2d(2),
                block2=block(16, 32),
                pool2=nn.MaxPool2d(2),
                flatten=nn.Flatten(),
            )
        )
        self.classifier = nn.Linear(32 * 2 * 2, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def digits_transform(pixels: torch.Tensor) -> torch.Tensor:
    """The transform DigitsCNN was trained with: pixels in [0, 1] → (pixels − mean) / std.

    `pixels` is a float tensor of any shape ending in (8, 8), e.g. one image
    (1, 8, 8) or a batch (N, 1, 8, 8), with values in [0, 1] (the digits data
    divided by 16, or an 8-bit image divided by 255).
    """
    return (pixels - DIGITS_MEAN) / DIGITS_STD


def load_pretrained(path: str | Path = WEIGHTS_PATH) -> DigitsCNN:
    """The pretrained DigitsCNN (digits 0 to 4), read from a safetensors file, in eval mode."""
    state = load_file(str(path))
    model = DigitsCNN(num_classes=state["classifier.weight"].shape[0])
    model.load_state_dict(state)
    return model.eval()


# --- a new head ----------------------------------------------------------------------------


def replace_head(model: nn.Module, num_classes: int) -> nn.Module:
    """Give `model` a new, freshly initialised classifier for `num_classes` classes.

    What: `model.classifier` is an `nn.Linear`. Replace it with a new
    `nn.Linear(in_features, num_classes)`, where in_features is the old head's
    (read it from the old layer, do not assume 128), with PyTorch's default
    initialisation, a bias, and on the old head's device and dtype. Change the
    model in place and return it (the same object). The backbone is untouched.
    Why: the old head's rows are the old classes: no row of it means anything
    for the new ones, so the new head starts from scratch. Assigning a module to
    an attribute (`model.classifier = ...`) registers it: it appears in
    `model.parameters()` and `state_dict()`, and the old one is gone. A layer
    built after `model.to("cuda")` or `model.double()` is on the CPU in float32
    unless you say otherwise (`device=` and `dtype=` arguments of nn.Linear).
    Example: model = replace_head(load_pretrained(), 3); model(torch.zeros(2, 1, 8, 8)).shape
    → (2, 3), and model.features holds the pretrained weights still.
    """
    # BEGIN SOLUTION a new nn.Linear from the old head's in_features to num_classes, on its device and dtype
    old = model.classifier
    model.classifier = nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
    return model
    # END SOLUTION


# --- freezing the backbone -----------------------------------------------------------------


def freeze_backbone(model: nn.Module, bn_eval: bool = True) -> nn.Module:
    """Freeze `model.features`: no gradients, and (with bn_eval) BatchNorm in eval mode.

    What: switch `requires_grad` off for every parameter of `model.features`
    (the head, `model.classifier`, stays trainable). If `bn_eval`, also put every
    BatchNorm layer of the backbone (any of nn.BatchNorm1d, 2d, 3d: their common
    base class is `nn.modules.batchnorm._BatchNorm`) in eval mode, and nothing
    else: the model itself and its other layers keep their mode. Return the model.
    Why: `requires_grad_(False)` stops the gradients, so no optimizer step moves
    these weights (and backward does less work). It does not stop BatchNorm:
    in training mode a BatchNorm layer normalises with the batch's statistics
    and *updates its running mean and variance*, which are buffers, not
    parameters, so a "frozen" backbone still drifts towards the new data. In
    eval mode it uses (and keeps) its running statistics. `model.eval()` would
    do it too, but it also switches off Dropout in the head and lies about the
    model being trained; and `model.train()` undoes all of it, so call
    `freeze_backbone` again after every `model.train()`.
    Example: freeze_backbone(model); model.train(); freeze_backbone(model);
    model(x) leaves model.features.block1.bn.running_mean unchanged, and
    model.features.block1.conv.weight.grad stays None after backward.
    """
    # BEGIN SOLUTION requires_grad_(False) on the backbone's parameters; if bn_eval, eval() on each _BatchNorm module in it
    for parameter in model.features.parameters():
        parameter.requires_grad_(False)
    if bn_eval:
        for module in model.features.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.eval()
    return model
    # END SOLUTION


# --- parameter groups ----------------------------------------------------------------------


def param_groups(model: nn.Module, lr_backbone: float, lr_head: float) -> list[dict]:
    """Parameter groups for an optimizer: the backbone at lr_backbone, the head at lr_head.

    What: return a list of dicts for `torch.optim.<Optimizer>(groups, ...)`:
        [{"params": [backbone parameters], "lr": lr_backbone},
         {"params": [head parameters], "lr": lr_head}]
    The head's parameters are those of `model.classifier`; the backbone's are
    *every other* parameter of the model (`model.parameters()` minus the head's,
    in the order `model.parameters()` gives them, so none is forgotten). Only
    parameters with `requires_grad` go in; a group left empty (a frozen
    backbone) is not in the list. "params" values are lists.
    Why: the pretrained backbone is already good: large steps would destroy
    what it learned. The new head is random: it needs large steps. An optimizer
    takes a list of groups, each with its own options; the options given to the
    optimizer itself are defaults for the groups that lack them. A parameter in
    two groups is an error; a parameter in none never trains. Frozen parameters
    would only cost the optimizer time (and some optimizers, e.g. with weight
    decay, would still move them).
    Example: torch.optim.Adam(param_groups(model, 1e-4, 1e-2)) trains the
    backbone 100 times more slowly than the head; after freeze_backbone(model),
    param_groups(model, 1e-4, 1e-2) is [{"params": [weight, bias], "lr": 1e-2}].
    """
    # BEGIN SOLUTION the head's parameter ids; two lists of trainable parameters; keep the non-empty groups
    head = [p for p in model.classifier.parameters() if p.requires_grad]
    head_ids = {id(p) for p in model.classifier.parameters()}
    backbone = [p for p in model.parameters() if id(p) not in head_ids and p.requires_grad]
    groups = [{"params": backbone, "lr": lr_backbone}, {"params": head, "lr": lr_head}]
    return [group for group in groups if group["params"]]
    # END SOLUTION


# --- model surgery -------------------------------------------------------------------------


def replace_activations(model: nn.Module, make_activation: Callable[[], nn.Module]) -> int:
    """Replace every nn.ReLU inside `model` (nested ones included) by `make_activation()`.

    What: for every submodule that is an `nn.ReLU` (any depth, inside
    Sequentials, ModuleLists, custom blocks), put a new module made by calling
    `make_activation()` in its place, in the module tree of `model`, in place:
    one new module per replaced ReLU. Other activations (LeakyReLU, ReLU6, …)
    are not ReLUs and stay. The model itself is never replaced (there is no
    parent to put it in). Return the number of ReLUs replaced, an int.
    Why: swapping a layer type throughout a pretrained network (ReLU → GELU,
    BatchNorm → GroupNorm, Linear → a quantised Linear) is everyday surgery.
    `model.named_modules()` yields ("features.block1.relu", module) for the
    whole tree; the module lives as the attribute "relu" of its parent
    `model.get_submodule("features.block1")`, and `setattr(parent, "relu",
    new)` replaces it (for a Sequential or ModuleList the attribute name is the
    index, "0", "1", …, and setattr works the same). Rebinding a loop variable
    changes nothing in the model, and a walk over `model.children()` only sees
    the top level. Collect the names first: the tree changes as you replace.
    Example: replace_activations(model, nn.GELU) on a DigitsCNN returns 2, and
    model.features.block1.relu is now an nn.GELU.
    """
    # BEGIN SOLUTION list the names of the nn.ReLU modules first; for each, get the parent and setattr a new module
    names = [name for name, module in model.named_modules() if name and isinstance(module, nn.ReLU)]
    for name in names:
        parent_name, _, child_name = name.rpartition(".")
        setattr(model.get_submodule(parent_name), child_name, make_activation())
    return len(names)
    # END SOLUTION


# --- forward hooks -------------------------------------------------------------------------


def capture_features(model: nn.Module, layer_name: str, x: torch.Tensor) -> torch.Tensor:
    """The output of the layer called `layer_name` when `model` runs on `x`.

    What: find the layer with `model.get_submodule(layer_name)` (an unknown
    name raises AttributeError: let it), register a forward hook on it that
    keeps a *clone* of the layer's output, run `model(x)` under
    `torch.no_grad()` and return what the hook kept. Remove the hook before
    returning, also when the forward raises (try/finally). Leave the model's
    mode (train/eval) as it is. A layer that runs several times in one forward
    (a shared layer) gives the output of its last call.
    Why: a hook `hook(module, inputs, output)` runs right after the module's
    forward, for every call, until `handle.remove()`: forget to remove it and
    every later forward runs it again (and keeps its tensors alive). The clone
    matters: the next layer may work in place (`nn.ReLU(inplace=True)` is common
    in pretrained networks) and overwrite the very tensor you kept, so you would
    see the ReLU's output instead of the layer's.
    Example: capture_features(model, "features.block2", x) for x of shape
    (4, 1, 8, 8) → a (4, 32, 4, 4) tensor, without a graph, and
    model.features.block2 has no hook left.
    """
    # BEGIN SOLUTION get_submodule; register_forward_hook storing output.clone(); run under no_grad; remove in finally
    layer = model.get_submodule(layer_name)
    kept = []
    handle = layer.register_forward_hook(lambda module, inputs, output: kept.append(output.clone()))
    try:
        with torch.no_grad():
            model(x)
    finally:
        handle.remove()
    return kept[-1]
    # END SOLUTION


# --- a fine-tuning run ---------------------------------------------------------------------


def finetune(
    model: nn.Module,
    features: torch.Tensor,
    labels: torch.Tensor,
    *,
    num_classes: int,
    freeze: bool,
    epochs: int,
    lr_backbone: float,
    lr_head: float,
    batch_size: int,
    seed: int,
) -> nn.Module:
    """Adapt a pretrained `model` to `num_classes` new classes; return it in eval mode.

    What: `features` (n, 1, 8, 8) are transformed images (digits_transform
    applied), `labels` (n,) int64 in 0 … num_classes − 1. In this order:
      1. `torch.manual_seed(seed)`, then `replace_head(model, num_classes)`
         (the new head's initial weights come from that seed);
      2. if `freeze`: `freeze_backbone(model)` (BatchNorm in eval mode);
      3. `torch.optim.Adam(param_groups(model, lr_backbone, lr_head))`;
      4. a DataLoader over (features, labels), `batch_size`, shuffled by its own
         generator, `torch.Generator().manual_seed(seed)`;
      5. for each epoch: `model.train()`, and if `freeze` `freeze_backbone(model)`
         again (model.train() put BatchNorm back in training mode); then per
         batch: zero_grad, `F.cross_entropy(model(x), y)`, backward, step.
    Return `model.eval()` (the same model, trained).
    Why: this is the whole recipe of transfer learning. With `freeze=True` it is
    the "linear probe" baseline: only the head learns, on the features the
    backbone already computes. With `freeze=False` the backbone adapts too, with
    a learning rate small enough not to wreck it; on digits it never saw (5 to 9)
    it then does better than the probe. Everything random comes from `seed`, so
    the same call gives the same model twice.
    Example: finetune(load_pretrained(), x, y, num_classes=5, freeze=False, epochs=10,
    lr_backbone=1e-3, lr_head=1e-2, batch_size=16, seed=0) trained on 20 images
    of each digit 5 … 9 classifies about 96% of the other images of those digits.
    """
    # BEGIN SOLUTION seed; new head; maybe freeze; Adam on param_groups; seeded loader; epochs of train() (+ freeze again), zero_grad, loss, backward, step
    torch.manual_seed(seed)
    replace_head(model, num_classes)
    if freeze:
        freeze_backbone(model)
    optimizer = torch.optim.Adam(param_groups(model, lr_backbone, lr_head))
    loader = DataLoader(
        TensorDataset(features, labels),
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    for _ in range(epochs):
        model.train()
        if freeze:
            freeze_backbone(model)
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(inputs), targets)
            loss.backward()
            optimizer.step()
    return model.eval()
    # END SOLUTION


# --- predicting one image ------------------------------------------------------------------


def predict_image(model: nn.Module, path: str | Path, class_names: Sequence[str]) -> tuple[str, float]:
    """Classify the 8×8 image in the file at `path`: (class name, its probability).

    What: open the file with Pillow and convert it to grayscale ("L": one 8-bit
    channel, whatever the file holds); make it a float32 tensor of shape
    (1, 8, 8) with values in [0, 1] (divide by 255); apply `digits_transform`;
    add a batch dimension, (1, 1, 8, 8); put the model in eval mode and run it
    under `torch.no_grad()`; softmax over the classes. Return the name of the
    most probable class, `class_names[index]`, and its probability as a Python
    float.
    Why: at prediction time the input must go through exactly the transform
    used in training (same scale to [0, 1], same normalisation): the model has
    only ever seen normalised images, and a raw 0–255 image is far outside
    them. Models take batches: one image is a batch of one. In training mode
    BatchNorm would normalise this one image with its own statistics (and
    update the running ones), and Dropout would drop units: predictions need
    eval mode; no_grad because nobody calls backward.
    Example: predict_image(load_pretrained(), "data/digit_3.png", CLASS_NAMES)
    → ("3", 0.99…).
    """
    # BEGIN SOLUTION PIL open + convert("L"); float32 / 255; digits_transform; a batch of one (1, 1, 8, 8); eval + no_grad; softmax; max
    with Image.open(path) as file:
        pixels = torch.from_numpy(np.asarray(file.convert("L"), dtype=np.float32) / 255.0)
    batch = digits_transform(pixels).reshape(1, 1, *pixels.shape)
    model.eval()
    with torch.no_grad():
        probabilities = F.softmax(model(batch), dim=1)[0]
    probability, index = probabilities.max(dim=0)
    return class_names[int(index)], probability.item()
    # END SOLUTION
