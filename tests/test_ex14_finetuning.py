"""Graded checks for ex14_finetuning, one section per function.

The probes start from the shipped pretrained model (data/digits_cnn.safetensors,
read with the module's given `load_pretrained`) or from small models of their
own, and the digits data read by the probe's own reader. They return what the
learner's code left behind: which parameters require gradients and received
one, the mode of every module, BatchNorm statistics before and after a forward,
the module tree as names and types, what a layer output, what the model was
fed and in which grad mode (recorded by hooks), and state dicts after training.
Where PyTorch computes the same thing another way (the layers run by hand, a
twin model built with the new activation, the probe's own image pipeline), the
probe also reports whether the learner's result agrees with it.
"""

import copy
import gzip
import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from grader import capture, check

DATA = Path(__file__).resolve().parents[1] / "data"
WEIGHTS = DATA / "digits_cnn.safetensors"
DIGIT_PNG = DATA / "digit_3.png"
DIGITS = DATA / "digits.csv.gz"
CLASS_NAMES = ("0", "1", "2", "3", "4")
MEAN, STD = 0.3, 0.38  # the pretrained model's transform, (pixels - MEAN) / STD


# --- data, models and recorders shared by the probes ----------------------------------------


def _read_digits():
    """The probe's own reader: pixels (n, 8, 8) int64 in 0..16, labels (n,) int64."""
    with gzip.open(DIGITS, "rt") as file:
        table = torch.tensor([[int(v) for v in line.split(",")] for line in file if line.strip()])
    return table[:, :64].reshape(-1, 8, 8), table[:, 64]


def _inputs(pixels):
    """Digits pixels (..., 8, 8) in 0..16 → the model's input (N, 1, 8, 8)."""
    return ((pixels.float() / 16 - MEAN) / STD).reshape(-1, 1, 8, 8)


def _some_digits(n=4):
    """The first n images of the digits 0..4, as model inputs."""
    pixels, labels = _read_digits()
    return _inputs(pixels[labels < 5][:n])


def _pretrained(ex):
    return ex.load_pretrained(WEIGHTS)


def _bn_stats(model):
    return {name: buffer.clone() for name, buffer in model.named_buffers() if "running" in name}


def _same_tensors(before, after):
    return before.keys() == after.keys() and all(torch.equal(before[k], after[k]) for k in before)


def _state(model):
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


def _modes(model):
    """The training flag of every module, by name ('(model)' for the model itself)."""
    return {name or "(model)": module.training for name, module in model.named_modules()}


def _types(model):
    return {name or "(model)": type(module).__name__ for name, module in model.named_modules()}


def _names(model, parameters):
    """Parameter names, in the order given, of parameters of `model` ('?' for a stranger)."""
    by_id = {id(p): name for name, p in model.named_parameters()}
    return ", ".join(by_id.get(id(p), "?") for p in parameters)


def randint(low, high):
    """A Python int in [low, high), drawn with torch's (seeded) generator."""
    return int(torch.randint(low, high, ()))


class MLPNet(nn.Module):
    """features → classifier, with a BatchNorm1d in the backbone and Dropout in the head."""

    def __init__(self, n_in=6, hidden=7, n_out=4):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(n_in, hidden), nn.BatchNorm1d(hidden), nn.ReLU())
        self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Linear(hidden, n_out))


class TemperatureNet(nn.Module):
    """A parameter outside both the backbone and the head: it belongs to the backbone's group."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(3, 5), nn.ReLU())
        self.temperature = nn.Parameter(torch.ones(1))
        self.classifier = nn.Linear(5, 2)

    def forward(self, x):
        return self.classifier(self.features(x)) / self.temperature


# --- replace_head ----------------------------------------------------------------------------


@check(points=2)
def replace_head_new_classes(ex):
    """A new nn.Linear(in_features, k) with a bias and default initialisation; the backbone keeps its weights."""
    model = _pretrained(ex)
    backbone = {k: v for k, v in _state(model).items() if k.startswith("features.")}
    old_head = model.classifier.weight.detach().clone()
    x = _some_digits()
    returned = ex.replace_head(model, 3)
    with torch.no_grad():
        logits = model(x)
    small = nn.Sequential()
    small.features = nn.Identity()
    small.classifier = nn.Linear(7, 4)
    ex.replace_head(small, 1)
    return {
        "output shape for 4 images, 3 classes": tuple(logits.shape),
        "new head (in_features, out_features)": (model.classifier.in_features, model.classifier.out_features),
        "in_features read from the old head: Linear(7, 4) -> (in, out)": (
            small.classifier.in_features,
            small.classifier.out_features,
        ),
        "new head type": type(model.classifier).__name__,
        "new head has a bias": model.classifier.bias is not None,
        "new head weight (default initialisation)": model.classifier.weight,
        "new head bias": model.classifier.bias,
        "new head trainable": all(p.requires_grad for p in model.classifier.parameters()),
        "backbone unchanged": _same_tensors(backbone, {k: v for k, v in _state(model).items() if k in backbone}),
        "old head's first rows reused": torch.equal(model.classifier.weight.detach(), old_head[:3]),
        "state_dict keys": ", ".join(model.state_dict()),
        "returns the same model": returned is model,
    }


@check(points=1)
def replace_head_on_the_models_device_and_dtype(ex):
    """A model on the meta device gets a head on meta; a float64 model a float64 head."""
    on_meta = ex.DigitsCNN().to("meta")
    ex.replace_head(on_meta, 4)
    in_double = ex.DigitsCNN().double().eval()
    ex.replace_head(in_double, 2)
    out = capture(in_double, _some_digits(2).double())
    return {
        "meta model: new head's weight device": str(on_meta.classifier.weight.device),
        "meta model: new head's bias device": str(on_meta.classifier.bias.device),
        "meta model: new head's out_features": on_meta.classifier.out_features,
        "float64 model: new head's weight dtype": str(in_double.classifier.weight.dtype),
        "float64 model: new head's bias dtype": str(in_double.classifier.bias.dtype),
        "float64 model: output dtype on float64 images": str(getattr(out, "dtype", out)),
    }


# --- freeze_backbone -------------------------------------------------------------------------


def _train_step_facts(model, x):
    """One training-mode forward and backward: which parameters got a gradient, and the BN statistics."""
    before = _bn_stats(model)
    model.zero_grad(set_to_none=True)
    model(x).pow(2).sum().backward()
    after = _bn_stats(model)
    return {
        "parameters with a .grad after backward": ", ".join(n for n, p in model.named_parameters() if p.grad is not None),
        "BatchNorm running statistics unchanged by a forward": _same_tensors(before, after),
        "running_mean of features.block1.bn after a forward": after.get("features.block1.bn.running_mean"),
    }


@check(points=3)
def freeze_backbone_stops_gradients_and_batchnorm(ex):
    """requires_grad off in the backbone only; with bn_eval every BatchNorm (1d or 2d) in eval mode, nothing else;
    without it BatchNorm keeps training."""
    x = _some_digits(6)
    model = _pretrained(ex).train()
    returned = ex.freeze_backbone(model)
    observed = {
        "bn_eval=True: " + key: value for key, value in _train_step_facts(model, x).items()
    }
    observed["bn_eval=True: training flag of every module"] = _modes(model)
    observed["requires_grad of every parameter"] = {n: p.requires_grad for n, p in model.named_parameters()}
    observed["returns the same model"] = returned is model
    kept = _pretrained(ex).train()
    ex.freeze_backbone(kept, bn_eval=False)
    for key, value in _train_step_facts(kept, x).items():
        observed["bn_eval=False: " + key] = value
    observed["bn_eval=False: training flag of every module"] = _modes(kept)
    mlp = MLPNet().train()
    ex.freeze_backbone(mlp)
    observed["MLP with BatchNorm1d: training flag of every module"] = _modes(mlp)
    observed["MLP with BatchNorm1d: requires_grad"] = {n: p.requires_grad for n, p in mlp.named_parameters()}
    return observed


# --- param_groups ----------------------------------------------------------------------------


def _groups_facts(model, groups):
    """What an optimizer would see in `groups`."""
    listed = [p for group in groups for p in group["params"]] if all(type(g["params"]) is list for g in groups) else []
    trainable = [p for p in model.parameters() if p.requires_grad]
    return {
        "every trainable parameter in exactly one group": sorted(map(id, listed)) == sorted(map(id, trainable)),
        "number of groups": len(groups),
        "learning rates": [group["lr"] for group in groups],
        "parameters of each group": [_names(model, group["params"]) for group in groups],
        "params are lists": all(type(group["params"]) is list for group in groups),
    }


def _sgd_step(model, groups):
    """One SGD step with every gradient set to 1: each parameter moves by its group's learning rate."""
    before = _state(model)
    optimizer = torch.optim.SGD(groups, lr=123.0)  # the default lr is only for groups without one
    for p in model.parameters():
        p.grad = torch.ones_like(p) if p.requires_grad else None
    optimizer.step()
    return {name: (before[name] - p.detach()) for name, p in model.named_parameters()}


@check(points=2, rtol=1e-5, atol=1e-7)
def param_groups_two_learning_rates(ex):
    """[backbone at lr_backbone, head at lr_head]; a parameter outside both is backbone; frozen ones and empty groups left out."""
    model = _pretrained(ex)
    groups = ex.param_groups(model, 1e-3, 1e-2)
    observed = {f"DigitsCNN: {k}": v for k, v in _groups_facts(model, groups).items()}
    moved = _sgd_step(model, groups)
    observed["SGD step with gradients of 1: features.block1.conv.bias moved by"] = moved["features.block1.conv.bias"]
    observed["SGD step with gradients of 1: classifier.bias moved by"] = moved["classifier.bias"]
    temperature = TemperatureNet()
    for key, value in _groups_facts(temperature, ex.param_groups(temperature, 0.1, 0.5)).items():
        observed[f"with a top-level parameter: {key}"] = value
    partly = _pretrained(ex)
    partly.features.block1.requires_grad_(False)
    for key, value in _groups_facts(partly, ex.param_groups(partly, 2e-4, 3e-3)).items():
        observed[f"block1 frozen: {key}"] = value
    frozen = _pretrained(ex)
    frozen.features.requires_grad_(False)
    for key, value in _groups_facts(frozen, ex.param_groups(frozen, 2e-4, 3e-3)).items():
        observed[f"backbone frozen: {key}"] = value
    everything = _pretrained(ex).requires_grad_(False)
    observed["everything frozen: number of groups"] = len(ex.param_groups(everything, 2e-4, 3e-3))
    return observed


@check(points=1, hidden=True, rtol=1e-5, atol=1e-7)
def param_groups_random(ex):
    """Random learning rates, and a random part of the backbone frozen."""
    model = _pretrained(ex)
    names = [n for n, _ in model.named_parameters() if n.startswith("features.")]
    frozen = torch.rand(len(names)) < 0.5
    one = randint(0, len(names))
    frozen[one] = True  # at least one frozen, at least one trainable
    frozen[(one + randint(1, len(names))) % len(names)] = False
    for name, is_frozen in zip(names, frozen.tolist()):
        model.get_parameter(name).requires_grad_(not is_frozen)
    lr_backbone, lr_head = float(torch.rand(())) * 1e-3, float(torch.rand(())) * 1e-1
    groups = ex.param_groups(model, lr_backbone, lr_head)
    observed = _groups_facts(model, groups)
    observed["moved by an SGD step with gradients of 1"] = _sgd_step(model, groups)
    return observed


# --- replace_activations ---------------------------------------------------------------------


class Block(nn.Module):
    """ReLUs at two depths, and activations that are not nn.ReLU."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 4), nn.ReLU())
        self.act = nn.ReLU(inplace=True)
        self.keep = nn.LeakyReLU(0.1)

    def forward(self, x):
        return self.keep(self.act(self.body(x)))


def _nested():
    return nn.Sequential(
        nn.ReLU(),
        nn.ModuleList([Block(), nn.ReLU6(), nn.Sequential(nn.Sequential(nn.ReLU()))]),
        nn.ModuleDict({"a": nn.ReLU(), "b": nn.Tanh()}),
    )


def _gelu_twin(model):
    """A copy of `model` whose ReLUs the probe replaced itself."""
    twin = copy.deepcopy(model)
    for name, module in list(twin.named_modules()):
        if name and isinstance(module, nn.ReLU):
            parent, _, child = name.rpartition(".")
            setattr(twin.get_submodule(parent), child, nn.GELU())
    return twin


@check(points=3)
def replace_activations_nested(ex):
    """Every nn.ReLU at any depth (Sequential, ModuleList, ModuleDict, custom blocks) becomes a new module; others stay."""
    model = _pretrained(ex)
    twin = _gelu_twin(model)
    weights = _state(model)
    count = ex.replace_activations(model, nn.GELU)
    x = _some_digits()
    with torch.no_grad():
        out, expected = model(x), twin(x)
    nested = _nested()
    made = []

    def make():
        made.append(nn.LeakyReLU(0.2))
        return made[-1]

    nested_count = ex.replace_activations(nested, make)
    root = nn.ReLU()
    return {
        "DigitsCNN: ReLUs replaced, nested ones too": count,
        "DigitsCNN: module types": _types(model),
        "DigitsCNN: output agrees with the model rebuilt with GELU": bool(torch.allclose(out, expected)),
        "DigitsCNN: output": out,
        "DigitsCNN: weights unchanged": _same_tensors(weights, _state(model)),
        "nested: ReLUs replaced at every depth": nested_count,
        "nested: module types": _types(nested),
        "nested: one new module per ReLU": len(made) == nested_count
        and sorted(map(id, made)) == sorted(id(m) for m in nested.modules() if any(m is n for n in made)),
        "count is an int": type(count) is int,
        "a bare nn.ReLU (no parent): replaced": ex.replace_activations(root, nn.GELU),
        "a bare nn.ReLU (no parent): still an nn.ReLU": type(root) is nn.ReLU,
        "an empty nn.Sequential: replaced": ex.replace_activations(nn.Sequential(), nn.GELU),
    }


def _random_tree(depth):
    """A random module tree; every tree has a ReLU at the top and one two levels down (coverage)."""
    leaves = [nn.ReLU, nn.Tanh, nn.LeakyReLU, lambda: nn.Linear(3, 3), nn.ReLU6, nn.ReLU]
    children = []
    for _ in range(randint(1, 4)):
        if depth > 0 and bool(torch.rand(()) < 0.4):
            children.append(_random_tree(depth - 1))
        else:
            children.append(leaves[randint(0, len(leaves))]())
    children.insert(randint(0, len(children) + 1), nn.ReLU())
    if depth > 0:
        children.insert(randint(0, len(children) + 1), nn.Sequential(nn.Tanh(), nn.Sequential(nn.ReLU())))
    return nn.ModuleList(children) if bool(torch.rand(()) < 0.5) else nn.Sequential(*children)


@check(points=2, hidden=True)
def replace_activations_random(ex):
    """A random tree of Sequentials and ModuleLists with ReLUs at random depths."""
    tree = _random_tree(3)
    made = []

    def make():
        made.append(nn.SiLU())
        return made[-1]

    count = ex.replace_activations(tree, make)
    return {
        "ReLUs replaced, nested ones too": count,
        "module types": _types(tree),
        "one new module per ReLU": len(made) == count and len({id(m) for m in made}) == count,
    }


# --- capture_features ------------------------------------------------------------------------


class Twice(nn.Module):
    """One layer applied twice in a forward (shared weights)."""

    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(4, 4)

    def forward(self, x):
        return self.layer(self.layer(x))


@check(points=3)
def capture_features_hook(ex):
    """A clone of the layer's output (before the in-place ReLU after it), no graph, the hook removed even on error,
    the model's mode left as it was."""
    model = _pretrained(ex)
    model.features.block1.relu.inplace = True  # overwrites the BatchNorm's output tensor in place
    x = _some_digits()
    features = ex.capture_features(model, "features.block1.bn", x)
    again = ex.capture_features(model, "features.block1.bn", x)
    with torch.no_grad():
        by_hand = model.features.block1.bn(model.features.block1.conv(x))
        flat, logits = model.features(x), model(x)
    layer = model.features.block1.bn
    failing = capture(ex.capture_features, model, "features.block1.conv", torch.zeros(2, 3, 8, 8))
    twice = Twice()
    with torch.no_grad():
        second_call = twice.layer(twice.layer(x[:, 0, 0, :4]))
    shared = ex.capture_features(twice, "layer", x[:, 0, 0, :4])
    training = _pretrained(ex).train()
    before = _bn_stats(training)
    block2 = ex.capture_features(training, "features.block2", x)
    return {
        "features.block1.bn output keeps its negative values (cloned before the in-place ReLU)": bool(features.min() < 0),
        "agrees with running conv and bn by hand": bool(torch.allclose(features, by_hand, atol=1e-6)),
        "features.block1.bn output": features,
        "requires_grad": features.requires_grad,
        "hooks left on the layer": len(layer._forward_hooks),
        "a second call gives the same output": bool(torch.equal(again, features)),
        "'features' (flattened) agrees with model.features(x)": bool(
            torch.allclose(ex.capture_features(model, "features", x), flat)
        ),
        "'classifier' agrees with model(x)": bool(torch.allclose(ex.capture_features(model, "classifier", x), logits)),
        "a forward that raises": failing,
        "hooks left after a forward that raised": len(model.features.block1.conv._forward_hooks),
        "an unknown layer name": capture(ex.capture_features, model, "features.block9", x),
        "a layer called twice in one forward: the output of its second call": bool(torch.equal(shared, second_call)),
        "model in training mode: features.block2 shape": tuple(block2.shape),
        "model in training mode: still in training mode": training.training and training.features.block2.bn.training,
        "model in training mode: BatchNorm statistics updated": not _same_tensors(before, _bn_stats(training)),
        "model in eval mode: still in eval mode": not any(_modes(model).values()),
    }


@check(points=2, hidden=True)
def capture_features_random(ex):
    """A random layer of the pretrained model and a random batch."""
    model = _pretrained(ex)
    names = [name for name, _ in model.named_modules() if name]
    name = names[randint(0, len(names))]
    x = torch.randn(randint(1, 6), 1, 8, 8)
    features = ex.capture_features(model, name, x)
    return {
        "layer": name,
        "output": features,
        "requires_grad": features.requires_grad,
        "hooks left on the layer": len(model.get_submodule(name)._forward_hooks),
    }


# --- predict_image ---------------------------------------------------------------------------


def _recorder(model):
    """Records what each forward of `model` received and whether grad mode was on."""
    seen = []

    def record(module, args):
        seen.append({"input": args[0].detach().clone(), "grad mode on": torch.is_grad_enabled()})

    model.register_forward_pre_hook(record)
    return seen


def _write_png(folder, name, pixels, mode="L"):
    """Digits pixels (8, 8) in 0..16 → an 8-bit PNG (value v stored as round(v·255/16)), gray or RGB."""
    gray = np.round(pixels.numpy() * 255 / 16).astype(np.uint8)
    image = Image.fromarray(gray, mode="L")
    path = Path(folder) / name
    (image.convert("RGB") if mode == "RGB" else image).save(path)
    return path, torch.from_numpy(gray.astype(np.float32) / 255)


def _probe_prediction(model, pixels01):
    """The probe's own pipeline on the same pixels: transform, batch of one, eval, no_grad, softmax."""
    model.eval()
    with torch.no_grad():
        probabilities = F.softmax(model(((pixels01 - MEAN) / STD).reshape(1, 1, 8, 8)), dim=1)[0]
    return int(probabilities.argmax()), probabilities.max()


# Probabilities are float32 softmax values: another (valid) order of operations moves them by an ulp or two.
@check(points=3, rtol=1e-6, atol=1e-7)
def predict_image_png(ex):
    """data/digit_3.png → ('3', p): the training transform on a (1, 1, 8, 8) batch, eval mode, no grad, softmax;
    an RGB file is read as grayscale; p is a Python float."""
    model = _pretrained(ex).train()  # predict_image must switch to eval mode itself
    stats = _bn_stats(model)
    seen = _recorder(model)
    name, probability = ex.predict_image(model, DIGIT_PNG, CLASS_NAMES)
    with Image.open(DIGIT_PNG) as file:
        pixels01 = torch.from_numpy(np.asarray(file, dtype=np.float32) / 255)
    index, expected = _probe_prediction(_pretrained(ex), pixels01)
    observed = {
        "input the model received (transformed, a batch of one)": seen[0]["input"] if seen else None,
        "model left in eval mode": not any(_modes(model).values()),
        "BatchNorm running statistics unchanged": _same_tensors(stats, _bn_stats(model)),
        "grad mode on during the forward": any(s["grad mode on"] for s in seen),
        "probability is a Python float": type(probability) is float,
        "agrees with the probe's own pipeline": name == CLASS_NAMES[index]
        and type(probability) is float
        and abs(probability - expected.item()) < 1e-5,
        "class name": name,
        "probability": probability,
        "forwards run": len(seen),
    }
    pixels, labels = _read_digits()
    with tempfile.TemporaryDirectory() as folder:
        path, _ = _write_png(folder, "one.png", pixels[int((labels == 1).nonzero()[0])], mode="RGB")
        observed["an RGB file of a 1, classes named 'zero' … 'four'"] = ex.predict_image(
            model, path, ["zero", "one", "two", "three", "four"]
        )
    return observed


@check(points=2, hidden=True, rtol=1e-6, atol=1e-7)
def predict_image_random(ex):
    """Random digits of the data set written as PNG files, grayscale and RGB; random class names."""
    pixels, _ = _read_digits()
    names = [f"class {int(i)}" for i in torch.randperm(5)]
    model = _pretrained(ex)
    seen = _recorder(model)
    observed = {}
    with tempfile.TemporaryDirectory() as folder:
        for mode in ("L", "RGB"):
            path, _ = _write_png(folder, f"digit-{mode}.png", pixels[randint(0, len(pixels))], mode=mode)
            name, probability = ex.predict_image(model, path, names)
            observed[f"{mode}: input the model received"] = seen[-1]["input"] if seen else None
            observed[f"{mode}: class name"] = name
            observed[f"{mode}: probability"] = probability
            observed[f"{mode}: probability is a Python float"] = type(probability) is float
    return observed


# --- finetune --------------------------------------------------------------------------------


def _new_task(per_class, split_seed):
    """The digits 5..9 relabelled 0..4: `per_class` training images of each, the rest held out."""
    pixels, labels = _read_digits()
    keep = labels >= 5
    x, y = _inputs(pixels[keep]), labels[keep] - 5
    generator = torch.Generator().manual_seed(split_seed)
    train, test = [], []
    for c in range(5):
        members = (y == c).nonzero().flatten()
        members = members[torch.randperm(len(members), generator=generator)]
        train.append(members[:per_class])
        test.append(members[per_class:])
    train, test = torch.cat(train), torch.cat(test)
    return x[train], y[train], x[test], y[test]


def _run(ex, x, y, freeze, seed, **options):
    settings = dict(num_classes=5, epochs=2, lr_backbone=1e-3, lr_head=1e-2, batch_size=8)
    settings.update(options)
    model = _pretrained(ex)
    returned = ex.finetune(model, x.clone(), y.clone(), freeze=freeze, seed=seed, **settings)
    return model, returned


def _still_trainable(model):
    """How many of the backbone's parameters (`features.`) require grad: a frozen backbone has none."""
    return sum(p.requires_grad for name, p in model.named_parameters() if name.startswith("features."))


# Two epochs of Adam sum the same floats in the same order on both sides; a little room for
# an implementation that orders a reduction differently.
@check(points=3, rtol=1e-4, atol=1e-6)
def finetune_matches_reference(ex):
    """Seed, new head, (freeze), Adam on the two groups, a seeded loader, train mode each epoch: the same
    weights and BatchNorm statistics; the same seed gives the same model, another seed another."""
    x, y, _, _ = _new_task(6, 0)
    pretrained = _state(_pretrained(ex))
    backbone = {k: v for k, v in pretrained.items() if k.startswith("features.")}
    frozen, frozen_returned = _run(ex, x, y, True, 3)
    tuned, tuned_returned = _run(ex, x, y, False, 3)
    again, _ = _run(ex, x, y, False, 3)
    other, _ = _run(ex, x, y, False, 4)
    untrained, _ = _run(ex, x, y, True, 3, epochs=0)
    frozen_state, tuned_state = _state(frozen), _state(tuned)
    return {
        "frozen: backbone parameters with requires_grad still on": _still_trainable(frozen),
        "frozen: backbone unchanged (weights and BatchNorm statistics)": _same_tensors(
            backbone, {k: v for k, v in frozen_state.items() if k in backbone}
        ),
        "fine-tuned: backbone changed": not _same_tensors(
            backbone, {k: v for k, v in tuned_state.items() if k in backbone}
        ),
        "frozen: state_dict": frozen_state,
        "fine-tuned: state_dict": tuned_state,
        "same seed, same model": _same_tensors(tuned_state, _state(again)),
        "another seed, another model": not _same_tensors(tuned_state, _state(other)),
        "returns the same model": frozen_returned is frozen and tuned_returned is tuned,
        "returned in eval mode": not any(_modes(frozen).values()) and not any(_modes(tuned).values()),
        "frozen, 0 epochs: requires_grad": {n: p.requires_grad for n, p in untrained.named_parameters()},
        "frozen, 0 epochs: new head": {n: p for n, p in untrained.classifier.named_parameters()},
    }


@check(points=3, timeout=30)
def finetune_beats_frozen_baseline(ex):
    """20 images of each digit 5..9: fine-tuning everything beats a frozen backbone on the 800 held-out images."""
    x, y, test_x, test_y = _new_task(20, 4)
    accuracies = {}
    for freeze in (True, False):
        model, _ = _run(ex, x, y, freeze, 4, epochs=10, batch_size=16)
        model.eval()
        with torch.no_grad():
            accuracies[freeze] = (model(test_x).argmax(dim=1) == test_y).double().mean().item()
    return {
        "fine-tuned accuracy beats the frozen baseline": accuracies[False] > accuracies[True],
        "fine-tuned accuracy >= 0.96": accuracies[False] >= 0.96,
        "frozen baseline accuracy >= 0.9": accuracies[True] >= 0.9,
    }


@check(points=2, hidden=True, rtol=1e-4, atol=1e-6)
def finetune_random(ex):
    """Random seed, subset, batch size and learning rates; frozen and not."""
    x, y, _, _ = _new_task(randint(3, 7), randint(0, 1000))
    seed, batch_size = randint(0, 10_000), randint(4, 13)
    lr_backbone, lr_head = float(torch.rand(())) * 2e-3, float(torch.rand(())) * 2e-2
    observed = {}
    for freeze in (True, False):
        model, _ = _run(ex, x, y, freeze, seed, batch_size=batch_size, lr_backbone=lr_backbone, lr_head=lr_head)
        observed[f"freeze={freeze}: backbone parameters with requires_grad still on"] = _still_trainable(model)
        observed[f"freeze={freeze}: state_dict"] = _state(model)
    return observed
