"""Exercise 11 — checkpoints: saving and loading tensors, weights and whole training runs.

`torch.save(obj, path)` pickles `obj` into a zip file, with the tensors' bytes
stored beside the pickle; `torch.load(path)` reads it back. What you save decides
what can go wrong later:

- **Save state, not objects.** `model.state_dict()` is a dict from names
  (`"0.weight"`, `"1.running_mean"`) to tensors: parameters *and* buffers
  (BatchNorm's running statistics). It loads into any freshly built model of the
  same architecture. `torch.save(model)` instead pickles the model object, which
  ties the file to your class definitions and import paths.
- **Load safely.** Unpickling can run arbitrary code, so since PyTorch 2.6
  `torch.load` defaults to `weights_only=True`: it only rebuilds tensors, numbers,
  strings and plain containers (dict, list, tuple, OrderedDict), and raises
  `pickle.UnpicklingError` on anything else, such as a pickled `nn.Module`. The
  fix is to save state_dicts, never to pass `weights_only=False` to a file you
  did not write. When a trusted file holds one harmless extra class, allow that
  class alone with `torch.serialization.safe_globals([...])`.
- **Load anywhere.** Each tensor remembers the device it was saved from
  (`"cuda:0"`); on a machine without that device `torch.load` fails unless you
  pass `map_location="cpu"`. `load_state_dict` then copies the values into the
  model's own parameters, wherever they live.
- **A checkpoint is the whole training state.** Resuming needs the model's
  state_dict, the optimizer's (momentum buffers, Adam's running averages and
  step count, the learning rates), the epoch to continue from, and the random
  number generator's state when training draws random numbers (dropout,
  shuffling). With all of them, an interrupted run ends *bit-identical* to one
  that was never interrupted; forget one and it silently trains a different model.

Every function here takes the file path first (`torch.save` itself takes the
object first). Paths may be `str` or `pathlib.Path`.
"""

from __future__ import annotations

import os
from typing import Any

import torch
from torch import nn

PathLike = str | os.PathLike


# --- tensors, lists and dicts of tensors -----------------------------------------------


def save_tensors(path: PathLike, tensors: Any) -> None:
    """Save a tensor, or a list / dict (nested as you like) of tensors, to `path`.

    What: `torch.save(tensors, path)`: nothing else, the object as it is.
    Why: the building block of every checkpoint. `torch.save` keeps each tensor's
    dtype, shape and `requires_grad`, and keeps views as views: two tensors that
    share memory when saved still share it when loaded.
    Example: save_tensors("t.pt", {"w": torch.ones(2, 3), "steps": [torch.tensor(1)]}).
    """
    # BEGIN SOLUTION one call to torch.save (note its argument order)
    torch.save(tensors, path)
    # END SOLUTION


def load_tensors(path: PathLike) -> Any:
    """Load what `save_tensors` saved, onto the CPU, refusing anything but plain data.

    What: `torch.load(path, map_location="cpu", weights_only=True)`.
    Why: `weights_only=True` (the default since PyTorch 2.6, but say it: older
    versions and many tutorials default to False) only rebuilds tensors, numbers,
    strings and plain containers, so a malicious or outdated file raises
    `pickle.UnpicklingError` instead of running code. `map_location="cpu"` loads
    tensors saved from a GPU on a machine that has none.
    Example: load_tensors("t.pt")["w"] is a (2, 3) float32 tensor of ones, on the CPU.
    """
    # BEGIN SOLUTION torch.load with map_location and weights_only
    return torch.load(path, map_location="cpu", weights_only=True)
    # END SOLUTION


def save_compact(path: PathLike, tensor: torch.Tensor) -> None:
    """Save `tensor`, which may be a small view of a big tensor, without the big one.

    What: save a contiguous copy: `torch.save(tensor.clone(), path)`.
    Why: `torch.save` writes whole *storages*, the memory blocks tensors live in,
    so that views stay views. Saving `big[:10]` therefore writes all of `big`,
    and the loaded slice still drags the whole storage along. Cloning first gives
    the slice a storage of its own, exactly its size.
    Example: big = torch.zeros(1_000_000); save_compact("s.pt", big[:10]) writes a
    file of about a kilobyte, not 4 MB.
    """
    # BEGIN SOLUTION give the tensor its own storage before saving it
    torch.save(tensor.clone(), path)
    # END SOLUTION


# --- model weights --------------------------------------------------------------------


def save_weights(path: PathLike, model: nn.Module) -> None:
    """Save the model's `state_dict()` to `path`: its weights, not the model object.

    What: `torch.save(model.state_dict(), path)`. The file then holds exactly the
    state_dict, so anyone can load it with `torch.load(path)` and
    `model.load_state_dict(...)`.
    Why: the state_dict has every parameter *and* every buffer (BatchNorm's
    running mean and variance, its batch counter) under stable names.
    `model.parameters()` alone misses the buffers, and `torch.save(model)`
    pickles the object itself, which `torch.load` refuses by default.
    Example: save_weights("w.pt", nn.Linear(2, 1)); torch.load("w.pt").keys()
    → odict_keys(['weight', 'bias']).
    """
    # BEGIN SOLUTION save the state_dict, not the module
    torch.save(model.state_dict(), path)
    # END SOLUTION


def load_for_inference(path: PathLike, model: nn.Module) -> nn.Module:
    """Load weights saved by `save_weights` into `model`, ready for predictions.

    What: load the file (on the CPU, `weights_only=True`), `model.load_state_dict`
    it (strict: every key must match), switch the model to evaluation mode with
    `model.eval()`, and return the same `model`.
    Why: `model` is a freshly built instance of the same architecture, with random
    weights; loading overwrites them in place. Evaluation mode matters as much as
    the weights: in training mode Dropout drops units at random and BatchNorm
    normalises with the current batch's statistics instead of the saved running
    ones, so predictions differ from the trained model's and change from call
    to call. A file holding a pickled model object must be refused (it raises
    `pickle.UnpicklingError`): never load it with `weights_only=False` unless you
    made it yourself.
    Example: load_for_inference("w.pt", build_model())(x) equals the saved model's
    output in eval mode, bit for bit.
    """
    # BEGIN SOLUTION load safely onto the CPU, load_state_dict, then eval(); return the model
    state = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    model.eval()
    return model
    # END SOLUTION


# --- training checkpoints -------------------------------------------------------------


def save_checkpoint(path: PathLike, model: nn.Module, optimizer: torch.optim.Optimizer, epoch: int) -> None:
    """Save everything needed to resume training after `epoch` to `path`.

    What: save one dict holding
        the model's state_dict,
        the optimizer's state_dict (momentum buffers, Adam's averages and step
            count, the param groups' learning rates),
        `epoch`: the index of the epoch that just finished (0-based, as in
            `for epoch in range(epochs)`), a plain int,
        the random number generator's state, `torch.get_rng_state()`.
    Choose the key names yourself (the usual ones are "model", "optimizer",
    "epoch", "rng_state"). Only tensors, numbers and plain containers: the file
    must load with `torch.load(path, weights_only=True)`.
    Why: resuming without the optimizer state restarts momentum and Adam's
    averages from zero, and without the RNG state dropout draws different masks
    than the uninterrupted run would have. Either way training quietly diverges
    from the run you interrupted. (A learning-rate scheduler's state_dict belongs
    in the checkpoint too, when there is one.)
    Example: after `for epoch in range(3): train_one_epoch(...)`,
    save_checkpoint("ckpt.pt", model, optimizer, epoch=2).
    """
    # BEGIN SOLUTION one dict of state_dicts, the epoch and the RNG state; torch.save it
    torch.save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "epoch": epoch,
            "rng_state": torch.get_rng_state(),
        },
        path,
    )
    # END SOLUTION


def load_checkpoint(path: PathLike, model: nn.Module, optimizer: torch.optim.Optimizer) -> int:
    """Restore a checkpoint saved by `save_checkpoint`; return the epoch to continue from.

    What: load the file with `map_location="cpu"` and `weights_only=True`; load
    the model's state_dict into `model` and the optimizer's into `optimizer`
    (both in place: the caller keeps using these two objects); restore the RNG
    state with `torch.set_rng_state`; return the index of the *next* epoch to
    run, that is the saved epoch + 1.
    Why: `model` and `optimizer` are freshly built (the optimizer on the fresh
    model's parameters), as after a crash. With everything restored, the loop
    `for epoch in range(load_checkpoint(...), epochs): ...` ends exactly where an
    uninterrupted run would have. Returning the saved epoch itself repeats one
    epoch. `map_location="cpu"` makes a checkpoint saved on a GPU load on any
    machine; `load_state_dict` moves the values onto the model's device.
    Example: after save_checkpoint("ckpt.pt", model, optimizer, epoch=2),
    load_checkpoint("ckpt.pt", new_model, new_optimizer) → 3.
    """
    # BEGIN SOLUTION load, restore model, optimizer and RNG state in place, return the next epoch
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    torch.set_rng_state(checkpoint["rng_state"])
    return checkpoint["epoch"] + 1
    # END SOLUTION


# --- trusted extras -------------------------------------------------------------------


def load_with_safe_globals(path: PathLike, allowed: list[type]) -> Any:
    """Load `path` with `weights_only=True`, allowing the classes in `allowed` as well.

    What: inside `with torch.serialization.safe_globals(allowed):`, return
    `torch.load(path, map_location="cpu", weights_only=True)`.
    Why: old checkpoints often hold one harmless extra object, typically the
    `argparse.Namespace` of the run's hyperparameters, and the safe loader refuses
    it. Allow exactly that class instead of switching to `weights_only=False`,
    which would also run whatever else the file contains. Use the context
    manager, not `torch.serialization.add_safe_globals`: the latter changes every
    later `torch.load` in the program.
    Example: load_with_safe_globals("old.pt", [argparse.Namespace])["args"].lr → 0.1.
    """
    # BEGIN SOLUTION the safe_globals context manager around a weights_only load
    with torch.serialization.safe_globals(allowed):
        return torch.load(path, map_location="cpu", weights_only=True)
    # END SOLUTION
