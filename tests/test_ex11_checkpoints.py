"""Graded checks for ex11_checkpoints, one section per function (or pair of functions).

Every probe writes its files in its own `tempfile.TemporaryDirectory()`. Models
are small MLPs with a BatchNorm layer (so that buffers must be saved too) and
fixed weights; fresh models, as after a crash, are built with random weights.
The resume probes train the same model twice on fixed data, once straight
through and once interrupted (save, fresh model and optimizer, load, go on), and
report whether the two runs end bit-identical.
"""

import argparse
import operator
import os
import struct
import tempfile
import zipfile
from pathlib import Path

import torch
from torch import nn

from grader import check
from grader import Raised, capture

# --- shared helpers ---------------------------------------------------------------------


def _model(hidden=8, dropout=0.0, inputs=3, outputs=2):
    """Linear → BatchNorm1d → Tanh (→ Dropout) → Linear, with default (random) initialisation."""
    layers = [nn.Linear(inputs, hidden), nn.BatchNorm1d(hidden), nn.Tanh()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(hidden, outputs))
    return nn.Sequential(*layers)


def _fix(model):
    """Overwrite every parameter with fixed values, whatever the RNG did."""
    with torch.no_grad():
        for index, p in enumerate(model.parameters()):
            p.copy_(0.6 * torch.sin(0.37 * torch.arange(p.numel(), dtype=p.dtype) + index).reshape(p.shape))
    return model


def _fixed_data(n=16, inputs=3, outputs=2, batch=4):
    X = torch.sin(0.7 * torch.arange(n * inputs, dtype=torch.float32)).reshape(n, inputs)
    y = torch.cos(0.3 * torch.arange(n * outputs, dtype=torch.float32)).reshape(n, outputs)
    return list(zip(X.split(batch), y.split(batch)))


def _train_one_epoch(model, optimizer, data):
    model.train()
    for xb, yb in data:
        optimizer.zero_grad()
        nn.functional.mse_loss(model(xb), yb).backward()
        optimizer.step()


def _state(model):
    return {name: t.detach().clone() for name, t in model.state_dict().items()}


def _same_state(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def _optimizer_state(optimizer):
    """A copy of the optimizer's state_dict: its per-parameter tensors cloned, its groups as they are."""
    state = optimizer.state_dict()
    cloned = {i: {k: v.clone() if isinstance(v, torch.Tensor) else v for k, v in s.items()} for i, s in state["state"].items()}
    return {"state": cloned, "param_groups": state["param_groups"]}


def _same_optimizer_state(a, b):
    def same(x, y):
        return torch.equal(x, y) if isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor) else x == y

    def same_entries(x, y):
        return x.keys() == y.keys() and all(same(v, y[k]) for k, v in x.items())

    return (
        a["param_groups"] == b["param_groups"]
        and a["state"].keys() == b["state"].keys()
        and all(same_entries(a["state"][i], b["state"][i]) for i in a["state"])
    )


def _attempt(fn, *args):
    """`capture`, except that a stub's NotImplementedError propagates: the check is then "not started"."""
    try:
        return fn(*args)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - every other exception is an observation
        return Raised.of(error)


def _loaded_kind(value):
    """What a plain torch.load gave: the exception, or a word for the kind of object."""
    if isinstance(value, Raised):
        return value
    return "a dict" if isinstance(value, dict) else type(value).__name__


def _as_if_saved_on(path, location="cuda:7"):
    """Rewrite a `torch.save` file so that its tensors claim to come from `location`.

    Each storage records its device as a string in the pickle (`'cpu'`); on this
    machine there is no cuda:7, so loading the file without `map_location` fails,
    exactly as a checkpoint from a GPU server fails on a laptop.
    """
    with zipfile.ZipFile(path) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    old = b"X\x03\x00\x00\x00cpu"  # BINUNICODE 'cpu', as torch.save's pickle protocol 2 writes it
    new = b"X" + struct.pack("<I", len(location)) + location.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in entries:
            if name.endswith("/data.pkl"):
                if old not in data:
                    raise ValueError("no CPU storage found in the file: save it with torch.save's defaults")
                data = data.replace(old, new)
            archive.writestr(name, data)


# --- save_tensors, load_tensors ---------------------------------------------------------


@check(points=2)
def tensors_round_trip(ex):
    """A dict with several dtypes, a 0-d tensor, a list of views and a nested dict comes back as it went in."""
    a = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 7
    saved = {
        "weights": a,
        "half": a.half(),
        "ids": torch.tensor([3, 1, 4], dtype=torch.int64),
        "mask": torch.tensor([True, False]),
        "scalar": torch.tensor(2.5, dtype=torch.float64),
        "rows": [a[0], a[1:]],
        "nested": {"leaf": torch.ones(2, requires_grad=True)},
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tensors.pt"
        ex.save_tensors(path, saved)
        file_written = path.is_file()
        loaded = ex.load_tensors(path)
    rows = loaded["rows"] if type(loaded) is dict else None
    return {
        "file written": file_written,
        "loaded": loaded,
        "views still share memory": bool(
            rows and rows[1].untyped_storage().data_ptr() == loaded["weights"].untyped_storage().data_ptr()
        ),
        "nested.leaf.requires_grad": bool(rows and loaded["nested"]["leaf"].requires_grad),
    }


@check(points=1, hidden=True)
def tensors_round_trip_random(ex):
    """Random shapes and dtypes, in a dict and a list."""
    dtypes = (torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int32, torch.int64, torch.uint8)

    def draw():
        shape = tuple(int(s) for s in torch.randint(1, 5, (int(torch.randint(0, 4, ())),)))
        dtype = dtypes[int(torch.randint(len(dtypes), ()))]
        values = 10 * torch.randn(shape)
        return (values.abs() if dtype == torch.uint8 else values).to(dtype)

    saved = {f"t{i}": draw() for i in range(int(torch.randint(2, 6, ())))}
    saved["list"] = [draw() for _ in range(int(torch.randint(1, 4, ())))]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.pt"
        ex.save_tensors(path, saved)
        return {"loaded": ex.load_tensors(path)}


@check(points=2)
def load_tensors_safely_onto_cpu(ex):
    """A file saved from a GPU (cuda:7) loads onto the CPU; a pickled module raises UnpicklingError."""
    with tempfile.TemporaryDirectory() as folder:
        gpu_file, module_file = Path(folder) / "from_gpu.pt", Path(folder) / "module.pt"
        torch.save({"w": torch.linspace(-1, 1, 6).reshape(2, 3), "step": torch.tensor(7)}, gpu_file)
        _as_if_saved_on(gpu_file, "cuda:7")
        from_gpu = _attempt(ex.load_tensors, gpu_file)
        torch.save(_fix(_model()), module_file)
        ok = type(from_gpu) is dict
        return {
            "load_tensors(file saved on cuda:7)": _loaded_kind(from_gpu),
            "on the CPU": ok and all(t.device.type == "cpu" for t in from_gpu.values()),
            "loaded w": from_gpu["w"] if ok else None,
            "loaded step": from_gpu["step"] if ok else None,
            "load_tensors(pickled nn.Module)": _loaded_kind(_attempt(ex.load_tensors, module_file)),
        }


# --- save_compact -----------------------------------------------------------------------


@check(points=1)
def compact_slice_saves_only_itself(ex):
    """A 10-element slice of a 50 000-element tensor is saved as 40 bytes of data, not 200 kB."""
    big = torch.arange(50_000, dtype=torch.float32)
    column = big.reshape(100, 500)[:, 3]  # not contiguous: every 500th element
    observed = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, view in (("slice", big[100:110]), ("column", column)):
            path = Path(folder) / f"{name}.pt"
            ex.save_compact(path, view)
            loaded = torch.load(path)
            observed[name] = {
                "storage bytes after loading": loaded.untyped_storage().nbytes(),
                "file under 10 kB": os.path.getsize(path) < 10_000,
                "loaded": loaded,
            }
    observed["original left untouched"] = torch.equal(big, torch.arange(50_000, dtype=torch.float32))
    return observed


# --- save_weights, load_for_inference ---------------------------------------------------


def _trained_looking_model(hidden=8, dropout=0.25, batches=3, random=False):
    """A model whose BatchNorm running statistics have moved away from their defaults."""
    model = _model(hidden, dropout)
    if not random:
        _fix(model)
    model.train()
    with torch.no_grad():
        for i in range(batches):
            x = torch.randn(8, 3) if random else torch.cos(0.5 * torch.arange(24.0) + i).reshape(8, 3) * (i + 1)
            model(x)
    return model.eval()


def _round_trip(ex, model, fresh, X):
    expected = model(X).detach()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "weights.pt"
        ex.save_weights(path, model)
        fresh.train()
        returned = ex.load_for_inference(path, fresh)
        out = fresh(X).detach()
    return {
        "same outputs as the saved model": torch.equal(out, expected),
        "in eval mode after loading": not fresh.training,
        "returns the model it was given": returned is fresh,
        "buffers restored (BatchNorm running statistics)": all(
            torch.equal(mine, saved) for mine, saved in zip(fresh.buffers(), model.buffers(), strict=True)
        ),
        "outputs": out,
        "state": _state(fresh),
    }


@check(points=3)
def state_dict_round_trip(ex):
    """Weights and BatchNorm statistics load into a fresh model, which predicts identically in eval mode."""
    X = torch.sin(torch.arange(30.0)).reshape(10, 3)
    return _round_trip(ex, _trained_looking_model(), _model(dropout=0.25), X)


@check(points=1, hidden=True)
def state_dict_round_trip_random(ex):
    """Random width, weights, statistics and inputs."""
    hidden = int(torch.randint(4, 17, ()))
    model = _trained_looking_model(hidden, dropout=0.5, batches=int(torch.randint(1, 5, ())), random=True)
    return _round_trip(ex, model, _model(hidden, dropout=0.5), torch.randn(int(torch.randint(2, 12, ())), 3))


@check(points=2)
def weights_file_is_a_plain_state_dict(ex):
    """The file loads with a plain torch.load (weights_only=True) and holds the state_dict: buffers included."""
    model = _trained_looking_model()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "weights.pt"
        ex.save_weights(path, model)
        loaded = capture(torch.load, path)  # PyTorch's defaults: weights_only=True
    ok = isinstance(loaded, dict)
    return {
        "torch.load(path)": _loaded_kind(loaded),
        "keys": ", ".join(sorted(loaded)) if ok else None,
        "values equal model.state_dict()": ok and _same_state(dict(loaded), _state(model)),
    }


@check(points=1)
def pickled_objects_are_refused(ex):
    """Files holding pickled modules or optimizers raise UnpicklingError in the loaders, as in torch.load."""
    model = _fix(_model())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with tempfile.TemporaryDirectory() as folder:
        model_file, checkpoint_file = Path(folder) / "model.pt", Path(folder) / "checkpoint.pt"
        torch.save(model, model_file)
        torch.save({"model": model, "optimizer": optimizer, "epoch": 0}, checkpoint_file)
        fresh = _model()
        return {
            "load_for_inference(pickled model)": _loaded_kind(_attempt(ex.load_for_inference, model_file, fresh)),
            "load_checkpoint(pickled objects)": _loaded_kind(
                _attempt(ex.load_checkpoint, checkpoint_file, fresh, torch.optim.SGD(fresh.parameters(), lr=0.1))
            ),
            "torch.load(pickled model)": capture(torch.load, model_file),
            # It does load when you say you trust the file, which is why you must not say so lightly.
            "torch.load(pickled model, weights_only=False)": type(torch.load(model_file, weights_only=False)).__name__,
        }


# --- save_checkpoint, load_checkpoint ---------------------------------------------------


def _resume_observations(ex, build, make_optimizer, data, epochs, interrupts, seed=1234, rng=False):
    """Train `epochs` epochs straight, and again interrupted after each epoch count in `interrupts`.

    Both runs save a checkpoint after every epoch, as a real training loop does.
    At an interruption the model and optimizer are thrown away; fresh ones (with
    random weights) are built and the checkpoint is loaded into them. Whether each
    load brought back the optimizer's state (and with `rng`, for models with
    dropout, the global RNG's state) as it was before the crash is observed too.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checkpoint.pt"

        torch.manual_seed(seed)
        model = _fix(build())
        optimizer = make_optimizer(model)
        for epoch in range(epochs):
            _train_one_epoch(model, optimizer, data)
            ex.save_checkpoint(path, model, optimizer, epoch)
        straight = _state(model)

        torch.manual_seed(seed)
        model = _fix(build())
        optimizer = make_optimizer(model)
        start, starts, optimizer_restored, rng_restored = 0, [], True, True
        for stop in (*interrupts, epochs):
            for epoch in range(start, stop):
                _train_one_epoch(model, optimizer, data)
                ex.save_checkpoint(path, model, optimizer, epoch)
            if stop == epochs:
                break
            optimizer_before, rng_before = _optimizer_state(optimizer), torch.get_rng_state()
            model = build()  # a crash: everything in memory is gone
            optimizer = make_optimizer(model)
            returned = _attempt(ex.load_checkpoint, path, model, optimizer)
            optimizer_restored &= _same_optimizer_state(_optimizer_state(optimizer), optimizer_before)
            rng_restored &= torch.equal(torch.get_rng_state(), rng_before)
            starts.append(returned)
            try:
                start = operator.index(returned)
            except TypeError:
                start = stop
        resumed = _state(model)
    observed = {
        "next epoch returned by load_checkpoint": starts,
        "optimizer state restored by load_checkpoint": optimizer_restored,
    }
    if rng:
        observed["RNG state restored by load_checkpoint"] = rng_restored
    return observed | {
        "resumed run identical to the uninterrupted one": _same_state(resumed, straight),
        "final state, resumed": resumed,
        "final state, uninterrupted": straight,
    }


@check(points=3)
def resume_adam_bit_identical(ex):
    """Adam, 6 epochs, interrupted after 2: the resumed run ends bit-identical, and resumes at epoch 2."""
    return _resume_observations(
        ex,
        _model,
        lambda m: torch.optim.Adam(m.parameters(), lr=0.02, weight_decay=1e-3),
        _fixed_data(),
        epochs=6,
        interrupts=(2,),
    )


@check(points=2)
def resume_twice_sgd_momentum(ex):
    """SGD with Nesterov momentum, 5 epochs, interrupted after 1 and again after 3."""
    return _resume_observations(
        ex,
        _model,
        lambda m: torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, nesterov=True),
        _fixed_data(),
        epochs=5,
        interrupts=(1, 3),
    )


@check(points=2)
def resume_with_dropout_restores_rng(ex):
    """With Dropout, resuming is exact only if the checkpoint restores the random number generator."""
    return _resume_observations(
        ex,
        lambda: _model(dropout=0.3),
        lambda m: torch.optim.Adam(m.parameters(), lr=0.02),
        _fixed_data(),
        epochs=4,
        interrupts=(2,),
        rng=True,
    )


@check(points=2, hidden=True)
def resume_random(ex):
    """Random data, width, optimizer, dropout rate, number of epochs and interruption point."""
    hidden = int(torch.randint(4, 13, ()))
    dropout = 0.1 + 0.3 * float(torch.rand(()))
    X, y = torch.randn(12, 3), torch.randn(12, 2)
    data = list(zip(X.split(4), y.split(4)))
    optimizers = (
        lambda m: torch.optim.Adam(m.parameters(), lr=0.01, betas=(0.8, 0.95)),
        lambda m: torch.optim.SGD(m.parameters(), lr=0.03, momentum=0.8, weight_decay=1e-3),
        lambda m: torch.optim.RMSprop(m.parameters(), lr=0.005, momentum=0.5),
    )
    epochs = int(torch.randint(3, 6, ()))
    interrupt = int(torch.randint(1, epochs, ()))
    return _resume_observations(
        ex,
        lambda: _model(hidden, dropout),
        optimizers[int(torch.randint(len(optimizers), ()))],
        data,
        epochs=epochs,
        interrupts=(interrupt,),
        seed=int(torch.randint(1 << 30, ())),
        rng=True,
    )


def _tensors_in(value):
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _tensors_in(item)]
    return []


@check(points=1)
def checkpoint_is_plain_data(ex):
    """The checkpoint loads with torch.load(weights_only=True) and holds the model's and optimizer's tensors."""
    model = _fix(_model())
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    _train_one_epoch(model, optimizer, _fixed_data())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checkpoint.pt"
        ex.save_checkpoint(path, model, optimizer, 0)
        loaded = capture(torch.load, path, weights_only=True)
    found = _tensors_in(loaded)
    expected = list(model.state_dict().values())
    expected += [t for state in optimizer.state.values() for t in state.values() if isinstance(t, torch.Tensor)]
    return {
        "torch.load(checkpoint, weights_only=True)": _loaded_kind(loaded),
        "holds every tensor of model and optimizer state": all(
            any(t.shape == u.shape and t.dtype == u.dtype and torch.equal(t, u) for u in found) for t in expected
        ),
    }


@check(points=2)
def checkpoint_from_gpu_loads_on_cpu(ex):
    """A checkpoint whose tensors were saved on cuda:7 loads on this CPU and training goes on identically."""
    data = _fixed_data()
    make_optimizer = lambda m: torch.optim.Adam(m.parameters(), lr=0.02)  # noqa: E731
    model = _fix(_model())
    optimizer = make_optimizer(model)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checkpoint.pt"
        for epoch in range(2):
            _train_one_epoch(model, optimizer, data)
        ex.save_checkpoint(path, model, optimizer, 1)
        _as_if_saved_on(path, "cuda:7")
        fresh = _model()
        fresh_optimizer = make_optimizer(fresh)
        start = _attempt(ex.load_checkpoint, path, fresh, fresh_optimizer)
    loaded_ok = not isinstance(start, Raised)
    states = [t for state in fresh_optimizer.state.values() for t in state.values() if isinstance(t, torch.Tensor)]
    restored_on_cpu = loaded_ok and bool(states) and all(t.device.type == "cpu" for t in states)
    _train_one_epoch(model, optimizer, data)
    _train_one_epoch(fresh, fresh_optimizer, data)
    return {
        "next epoch returned by load_checkpoint(checkpoint saved on cuda:7)": start,
        "optimizer state restored, on the CPU": restored_on_cpu,
        "next epoch identical": loaded_ok and _same_state(_state(fresh), _state(model)),
        "state after the next epoch": _state(fresh),
    }


# --- load_with_safe_globals -------------------------------------------------------------


@check(points=2)
def safe_globals_allow_one_class(ex):
    """An argparse.Namespace is allowed when listed, only for that call; a pickled model is still refused."""
    with tempfile.TemporaryDirectory() as folder:
        old_file, model_file = Path(folder) / "old.pt", Path(folder) / "model.pt"
        args = argparse.Namespace(lr=0.1, epochs=3, name="run-7")
        torch.save({"weights": torch.linspace(0, 1, 5), "args": args}, old_file)
        torch.save(_fix(_model()), model_file)
        loaded = ex.load_with_safe_globals(old_file, [argparse.Namespace])
        ok = type(loaded) is dict and type(loaded.get("args")) is argparse.Namespace
        return {
            "args": vars(loaded["args"]) if ok else _loaded_kind(loaded),
            "weights": loaded["weights"] if ok else None,
            "with nothing allowed": _loaded_kind(_attempt(ex.load_with_safe_globals, old_file, [])),
            "plain torch.load afterwards (nothing allowed globally)": _loaded_kind(capture(torch.load, old_file)),
            "pickled model, Namespace allowed": _loaded_kind(
                _attempt(ex.load_with_safe_globals, model_file, [argparse.Namespace])
            ),
        }
