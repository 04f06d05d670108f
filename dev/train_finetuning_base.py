"""Re-create data/digits_cnn.safetensors: the "pretrained" DigitsCNN of ex14_finetuning.

    .venv/bin/python dev/train_finetuning_base.py            # writes data/digits_cnn.safetensors
    .venv/bin/python dev/train_finetuning_base.py --check    # re-trains and compares, writes nothing

What it does: the handwritten digits 0 to 4 of data/digits.csv.gz (pixels / 16,
then `digits_transform`), a split of 10% held out for the reported accuracy
(torch.randperm with a generator seeded 0), `DigitsCNN(5)` as defined in
solutions/ex14_finetuning.py, initialised after torch.manual_seed(0), Adam with
lr 3e-3, batches of 64 shuffled by a generator seeded 0, 15 epochs, on one CPU
thread with deterministic algorithms. The digits 5 to 9 are never seen: they
are the new task of the exercise. A few seconds on a CPU; the same bytes every
run on the same torch version (torch 2.13.0 CPU here).

It also writes data/digit_3.png, the first "3" of the data set as an 8×8
grayscale PNG (pixel v of 0..16 stored as round(v · 255 / 16)).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import io
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import save
from torch.utils.data import DataLoader, TensorDataset

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = ROOT / "data" / "digits_cnn.safetensors"
PNG = ROOT / "data" / "digit_3.png"
SEED, EPOCHS, LR, BATCH_SIZE = 0, 15, 3e-3, 64
BASE_CLASSES = (0, 1, 2, 3, 4)


def solution_module():
    spec = importlib.util.spec_from_file_location("ex14_solution", ROOT / "solutions" / "ex14_finetuning.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_digits() -> tuple[np.ndarray, np.ndarray]:
    with gzip.open(ROOT / "data" / "digits.csv.gz", "rt") as file:
        table = np.loadtxt(file, delimiter=",", dtype=np.int64)
    return table[:, :64].reshape(-1, 8, 8), table[:, 64]


def train(ex) -> tuple[dict[str, torch.Tensor], float]:
    pixels, labels = read_digits()
    keep = np.isin(labels, BASE_CLASSES)
    x = ex.digits_transform(torch.from_numpy(pixels[keep]).float().div(16).unsqueeze(1))
    y = torch.from_numpy(labels[keep])
    generator = torch.Generator().manual_seed(SEED)
    order = torch.randperm(len(y), generator=generator)
    held_out, train_part = order[: len(y) // 10], order[len(y) // 10 :]
    torch.manual_seed(SEED)
    model = ex.DigitsCNN(num_classes=len(BASE_CLASSES))
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    loader = DataLoader(TensorDataset(x[train_part], y[train_part]), batch_size=BATCH_SIZE, shuffle=True, generator=generator)
    for _ in range(EPOCHS):
        model.train()
        for inputs, targets in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(inputs), targets).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(x[held_out]).argmax(dim=1) == y[held_out]).float().mean().item()
    return {name: value.detach().clone().contiguous() for name, value in model.state_dict().items()}, accuracy


def png_bytes() -> bytes:
    pixels, labels = read_digits()
    first_three = pixels[int(np.flatnonzero(labels == 3)[0])]
    image = Image.fromarray(np.round(first_three * 255 / 16).astype(np.uint8), mode="L")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="re-train and compare with the shipped files")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    state, accuracy = train(solution_module())
    provenance = {
        "script": "dev/train_finetuning_base.py",
        "data": "data/digits.csv.gz, digits 0-4",
        "seed": SEED,
        "epochs": EPOCHS,
        "held_out_accuracy": round(accuracy, 4),
        "torch": torch.__version__,
    }
    # One metadata key: safetensors writes several in no fixed order, and the bytes must not change.
    metadata = {"provenance": json.dumps(provenance, sort_keys=True)}
    weights, png = save(state, metadata=metadata), png_bytes()
    print(f"held-out accuracy on digits 0-4: {accuracy:.4f}")
    print(f"weights: {len(weights)} bytes, sha256 {hashlib.sha256(weights).hexdigest()}")
    print(f"png: {len(png)} bytes, sha256 {hashlib.sha256(png).hexdigest()}")
    if args.check:
        same = WEIGHTS.read_bytes() == weights and PNG.read_bytes() == png
        print("identical to the shipped files" if same else "DIFFERENT from the shipped files")
        return 0 if same else 1
    WEIGHTS.write_bytes(weights)
    PNG.write_bytes(png)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
