"""Graded checks for ex08_data, one section per dataset, collate function and transform.

Probes build their data themselves: NumPy series in float64 (to catch dtypes
leaking through), small PNG folders written with Pillow into a temporary
directory, variable-length sequences. Loaders are checked by properties any
correct implementation has (the same order for the same seed whatever the global
RNG did, a permutation, a new order each epoch), not by one exact order.
"""

import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader, TensorDataset

from grader import capture, check


def randint(low, high):
    """A Python int in [low, high), drawn with torch's (seeded) generator."""
    return int(torch.randint(low, high, ()))


def raises(exception, fn, *args):
    """Whether fn(*args) raises `exception` (any other outcome is False)."""
    try:
        fn(*args)
    except exception:
        return True
    except Exception:  # noqa: BLE001 - another exception is an observation too
        return False
    return False


def close(a, b):
    """Whether tensors a and b hold the same values (within float32 rounding), whatever their dtypes."""
    try:
        return a.shape == b.shape and torch.allclose(a.double(), b.double(), rtol=1e-5, atol=1e-6)
    except Exception:  # noqa: BLE001 - not a tensor: not close
        return False


def order_of(loader):
    """The sample values of one epoch, in the order the loader yields them."""
    return [int(v) for (batch,) in loader for v in batch]


# --- TimeSeriesDataset ------------------------------------------------------------


def _series(n, features):
    """A float64 NumPy series whose rows are easy to recognise: row r is r + column/10."""
    return np.arange(n, dtype=np.float64)[:, None] + np.arange(features, dtype=np.float64) / 10


@check(points=2)
def time_series_length_and_shapes(ex):
    """100 rows, seq_len 10, horizon 1: 90 float32 windows of shapes (10, 3) and (1, 3); the last ends at row 99."""
    ds = ex.TimeSeriesDataset(_series(100, 3), seq_len=10, horizon=1)
    first, last = ds[0], ds[len(ds) - 1]
    inputs, targets = next(iter(DataLoader(ds, batch_size=4)))
    return {
        "len": len(ds),
        "sample[0] inputs": first[0],
        "sample[0] targets": first[1],
        "last window inputs": last[0],
        "last window targets": last[1],
        "first batch inputs.shape": tuple(inputs.shape),
        "first batch targets.shape": tuple(targets.shape),
    }


@check(points=1)
def time_series_indexing_like_a_list(ex):
    """horizon 3: every window lines up; ds[-1] is the last one; ds[len(ds)] raises IndexError."""
    ds = ex.TimeSeriesDataset(_series(12, 2), seq_len=4, horizon=3)
    n = len(ds)
    return {
        "len with seq_len 4, horizon 3": n,
        "ds[len(ds)] raises IndexError": raises(IndexError, ds.__getitem__, n),
        "ds[-1] targets": ds[-1][1] if n else None,
        "all inputs": torch.stack([ds[i][0] for i in range(min(n, 6))]),
        "all targets": torch.stack([ds[i][1] for i in range(min(n, 6))]),
    }


@check(points=1)
def time_series_shorter_than_the_window(ex):
    """A series too short for one window and its targets has 0 samples (not 1, not negative):
    ds[0] raises IndexError and a DataLoader yields nothing; an exact fit has exactly 1 sample."""
    too_short = ex.TimeSeriesDataset(_series(5, 2), seq_len=4, horizon=2)
    far_too_short = ex.TimeSeriesDataset(_series(3, 2), seq_len=10, horizon=1)
    exact = ex.TimeSeriesDataset(_series(6, 2), seq_len=4, horizon=2)
    return {
        "len of 5 rows, too short for seq_len 4 + horizon 2": capture(len, too_short),
        "ds[0] of 5 rows, too short for seq_len 4 + horizon 2": capture(too_short.__getitem__, 0),
        "batches of 5 rows, too short for seq_len 4 + horizon 2": capture(lambda: len(list(DataLoader(too_short, batch_size=2)))),
        "len of 3 rows, too short for seq_len 10": capture(len, far_too_short),
        "len of 6 rows with seq_len 4, horizon 2 (an exact fit)": capture(len, exact),
        "the one sample of the exact fit (its last window)": capture(exact.__getitem__, 0),
        "ds[1] of the exact fit": capture(exact.__getitem__, 1),
    }


@check(points=1, hidden=True)
def time_series_random(ex):
    n, features, seq_len, horizon = randint(10, 30), randint(1, 4), randint(1, 6), randint(2, 5)
    ds = ex.TimeSeriesDataset(torch.randn(n, features, dtype=torch.float64).numpy(), seq_len, horizon)
    count = len(ds)
    batch = next(iter(DataLoader(ds, batch_size=count)))  # count >= 2 here
    return {"len": count, "inputs": batch[0], "targets": batch[1]}


# --- DictDataset ------------------------------------------------------------------


@check(points=1)
def dict_dataset_samples(ex):
    """Samples are {"data": data[i], "label": labels[i]}; a DataLoader batches them into one dict."""
    data, labels = torch.arange(18.0).reshape(6, 3), torch.tensor([3, 1, 4, 1, 5, 9])
    ds = ex.DictDataset(data, labels)
    batch = next(iter(DataLoader(ds, batch_size=4)))
    return {"len": len(ds), "ds[2]": ds[2], "first batch": batch}


@check(points=2)
def dict_dataset_transform_per_sample(ex):
    """The transform runs in __getitem__, once per read, on one sample (not in __init__ on all data)."""
    seen = []

    def centre(x):
        seen.append(tuple(x.shape))
        return x - x.mean()

    data = torch.tensor([[1.0, 2.0, 6.0], [10.0, 20.0, 30.0], [0.0, 0.0, 3.0]])
    ds = ex.DictDataset(data, torch.tensor([0, 1, 0]), transform=centre)
    calls_after_init = len(seen)
    sample = ds[1]
    noisy = ex.DictDataset(torch.zeros(4, 2), torch.zeros(4), transform=lambda x: x + torch.randn(x.shape))
    return {
        "transform calls after __init__": calls_after_init,
        "transform calls after one ds[1]": len(seen),
        "shapes the transform saw": str(seen),
        "ds[1]": sample,
        "ds[0]['data']": ds[0]["data"],
        "a random transform draws anew at each read": not torch.equal(noisy[2]["data"], noisy[2]["data"]),
        "the data passed in is unchanged": torch.equal(data[1], torch.tensor([10.0, 20.0, 30.0])),
    }


# --- ImageFolderDataset -----------------------------------------------------------

# Created in an order that is neither sorted nor reverse-sorted, so that neither the
# creation order nor os.listdir's file-system order (ext4: by a per-disk hash) is the
# sorted one, except by a rare chance that more classes and files make negligible.
CLASSES = ["wasps", "ants", "moths", "bees", "flies", "crickets", "beetles", "gnats"]
FILES = ["img_1.png", "img_2.png", "img_10.png"]


def _write_folder(root, layout):
    """layout: {class name: [(file name, H×W×C uint8 tensor)]}; returns what was written."""
    for name, images in layout.items():
        (root / name).mkdir()
        for file, pixels in images:
            array = pixels.numpy()
            Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array).save(root / name / file)
    return layout


def _random_pixels(height, width, channels=3):
    return torch.randint(0, 256, (height, width, channels), dtype=torch.uint8)


def _expected(pixels):
    """What a correct loader returns for pixels written as PNG: RGB, C×H×W, float in [0, 1]."""
    return pixels.expand(-1, -1, 3).permute(2, 0, 1).float() / 255


@check(points=2)
def image_folder_classes_and_labels(ex):
    """Classes are the sorted sub-folder names; samples go class by class, files in sorted order."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        layout = {name: [(file, _random_pixels(2, 3)) for file in FILES[: 2 + i % 2]] for i, name in enumerate(CLASSES[:5])}
        _write_folder(root, layout)
        (root / "labels.txt").write_text("a file, not a class folder\n")
        (root / "aphids").mkdir()  # a class without images (yet): still a class, sorted among the others
        ds = ex.ImageFolderDataset(root)

        def from_str():
            named = ex.ImageFolderDataset(str(root))
            return {"classes": list(named.classes), "labels": [named[i][1] for i in range(len(named))]}

        return {
            "a folder without images is still a class": "aphids" in ds.classes,
            "classes, sorted": list(ds.classes),
            "class_to_idx": dict(ds.class_to_idx),
            "labels": [ds[i][1] for i in range(len(ds))],
            "files in sample order, sorted class by class": [f"{Path(path).parent.name}/{Path(path).name}" for path, _ in ds.samples],
            "root given as a str": capture(from_str),
        }


@check(points=2)
def image_folder_pixels(ex):
    """Each image is float32 C×H×W in [0, 1] (RGB even for a grayscale file); the transform is applied."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        written = dict(
            _write_folder(
                root,
                {"bees": [("b.png", _random_pixels(4, 5)), ("gray.png", _random_pixels(3, 2, 1)), ("a.png", _random_pixels(2, 6))]},
            )["bees"]
        )
        ds = ex.ImageFolderDataset(root)
        flipped = ex.ImageFolderDataset(root, transform=lambda image: image.flip(-1))
        observed = {"len": len(ds)}
        # Keyed by file name, so that this check does not depend on the order of the samples.
        for index, (path, _) in enumerate(ds.samples):
            image, label = ds[index]
            name = Path(path).name
            observed[name] = image
            observed[f"{name} label"] = label
            observed[f"{name} as written, permuted and / 255"] = close(image, _expected(written[name]))
            observed[f"{name} with transform"] = flipped[index][0]
        return observed


@check(points=1, hidden=True)
def image_folder_random(ex):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        names = [CLASSES[i] for i in torch.randperm(len(CLASSES))[: randint(4, 7)].tolist()]
        layout = {
            name: [(f"{randint(0, 100)}_{j}.png", _random_pixels(randint(1, 6), randint(1, 6))) for j in range(randint(3, 5))]
            for name in names
        }
        _write_folder(root, layout)
        ds = ex.ImageFolderDataset(root)
        samples = [ds[i] for i in range(len(ds))]
        # The sample order first: a listing in os.listdir order shows there even when the few class
        # folders happen to be listed sorted (the order of a listing depends on the file system).
        return {
            "files in sample order, sorted class by class": [f"{Path(path).parent.name}/{Path(path).name}" for path, _ in ds.samples],
            "classes, sorted": list(ds.classes),
            "labels": [label for _, label in samples],
            "images": [image for image, _ in samples],
        }


# --- pad_collate ------------------------------------------------------------------


@check(points=2)
def pad_collate_pads_and_keeps_lengths(ex):
    """Lengths 2, 5, 3 → a (3, 5, 2) batch padded with zeros, lengths [2, 5, 3], labels in order."""
    samples = [(torch.randn(length, 2), label) for length, label in ((2, 1), (5, 0), (3, 2))]
    padded, lengths, labels = next(iter(DataLoader(samples, batch_size=3, collate_fn=ex.pad_collate)))
    sequences = [s for s, _ in samples]

    def round_trip():
        packed = torch.nn.utils.rnn.pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
        return torch.nn.utils.rnn.pad_packed_sequence(packed, batch_first=True)[0]

    minus_one = ex.pad_collate([(torch.tensor([1.0, 2.0]), 0), (torch.tensor([3.0]), 1)], padding_value=-1.0)
    # Real zeros at the end of a sequence are data, not padding: lengths come from the sequences.
    zeros = ex.pad_collate([(torch.tensor([[1.0, 2.0], [0.0, 0.0], [0.0, 0.0]]), 1), (torch.tensor([[0.0, 3.0]]), 0)])
    return {
        "lengths when sequences end with real zeros": zeros[1],
        "lengths before padding": lengths,
        "padded": padded,
        "labels": labels,
        "equals pad_sequence of the inputs": torch.equal(padded, torch.nn.utils.rnn.pad_sequence(sequences, batch_first=True)),
        "pack_padded_sequence round trip": capture(round_trip),
        "padding_value=-1": minus_one,
    }


def _where(tensor, device):
    """Facts the CPU reference can share: dtype, shape, and on which side of the device line it is."""
    if type(tensor) is not torch.Tensor:
        return f"not a tensor: {type(tensor).__name__}"
    place = "on the device" if tensor.device.type == device.type else "on the CPU" if tensor.device.type == "cpu" else str(tensor.device)
    return f"{str(tensor.dtype).removeprefix('torch.')} {list(tensor.shape)} {place}"


@check(points=1, devices=("cpu", "meta", "cuda"))
def pad_collate_keeps_the_sequences_device(ex, device):
    """Sequences on a device: the padded batch is on that device too (not built on the CPU and filled
    across), while lengths stay an int64 CPU tensor, as pack_padded_sequence requires."""
    samples = [(torch.ones(length, 2, device=device), label) for length, label in ((2, 1), (4, 0), (1, 2))]
    try:
        padded, lengths, labels = ex.pad_collate(samples, padding_value=-1.0)
    except NotImplementedError as error:
        if "meta tensor" not in str(error):
            raise  # the stub's own NotImplementedError: not started
        # Copying a meta tensor into a real one: the batch was built off the device and filled from it.
        failed = f"the call raised NotImplementedError: {error}"
        return {
            "padded batch on the device of the sequences": failed,
            "padded to the longest sequence": None,
            "lengths": None,
            "labels": None,
        }
    return {
        "padded batch on the device of the sequences": _where(padded, device),
        "padded to the longest sequence": str(list(padded.shape)) if type(padded) is torch.Tensor else None,
        "lengths": _where(lengths, torch.device("cpu")),
        "labels": f"{str(labels.dtype).removeprefix('torch.')} {list(labels.shape)}" if type(labels) is torch.Tensor else type(labels).__name__,
    }


@check(points=1, hidden=True)
def pad_collate_random(ex):
    lengths = (torch.randperm(9)[: randint(2, 7)] + 1).tolist()  # distinct, so that padding shows
    samples = [(torch.randn(length), randint(0, 5)) for length in lengths]
    padded, lengths, labels = ex.pad_collate(samples)
    return {"lengths before padding": lengths, "padded": padded, "labels": labels}


# --- make_loader ------------------------------------------------------------------


@check(points=1)
def loader_batches_and_drop_last(ex):
    """10 samples in batches of 3: 4 batches (3, 3, 3, 1), or 3 with drop_last; no shuffle keeps the order."""
    ds = TensorDataset(torch.arange(10))
    kept, dropped = ex.make_loader(ds, 3), ex.make_loader(ds, 3, drop_last=True)
    return {
        "len without drop_last": len(kept),
        "len with drop_last": len(dropped),
        "batch sizes without drop_last": [len(b) for (b,) in kept],
        "batch sizes with drop_last": [len(b) for (b,) in dropped],
        "order without shuffle": order_of(kept),
    }


@check(points=1)
def loader_uses_the_collate_fn(ex):
    """collate_fn is passed on to the DataLoader (None: the default collate, which stacks)."""
    ds = TensorDataset(torch.arange(7))
    custom = ex.make_loader(ds, 3, collate_fn=lambda batch: ("collated by the caller", [int(t) for (t,) in batch]))
    return {
        "batches with a collate_fn": list(custom),
        "batches with collate_fn=None": [b for (b,) in ex.make_loader(ds, 3, collate_fn=None)],
    }


def _shuffle_facts(ex, n, batch_size, seed, drop_last=False):
    ds = TensorDataset(torch.arange(n))
    torch.manual_seed(1)
    loader = ex.make_loader(ds, batch_size, shuffle=True, seed=seed, drop_last=drop_last)
    first = order_of(loader)
    after_first = torch.rand(4)
    second = order_of(loader)
    torch.manual_seed(2)  # the global RNG is elsewhere now: the order must not change
    again = order_of(ex.make_loader(ds, batch_size, shuffle=True, seed=seed, drop_last=drop_last))
    after_again = torch.rand(4)  # equal to after_first only if make_loader reseeded the global RNG
    other = order_of(ex.make_loader(ds, batch_size, shuffle=True, seed=seed + 1, drop_last=drop_last))
    kept = n - n % batch_size if drop_last else n
    return {
        "same order on a second run with the same seed": again == first,
        "another seed gives another order": other != first,
        "a new order in the second epoch": second != first,
        "the global RNG is not reseeded": not torch.equal(after_first, after_again),
        "samples per epoch": len(first),
        "no sample twice in an epoch": len(set(first)) == len(first) and set(first) <= set(range(n)),
        "shuffled": first != list(range(kept)),
        "number of batches": len(loader),
    }


@check(points=2)
def seeded_shuffle_is_reproducible(ex):
    """The same seed gives the same order whatever the global RNG did; each epoch is a new permutation."""
    return _shuffle_facts(ex, 20, 4, seed=7)


@check(points=1, hidden=True)
def seeded_shuffle_random(ex):
    """Random sizes and seed, with and without drop_last (every seed: N not a multiple of the batch size)."""
    batch_size, seed = randint(2, 6), randint(0, 1000)
    n = batch_size * randint(3, 8) + randint(1, batch_size)
    return {f"drop_last={drop_last}": _shuffle_facts(ex, n, batch_size, seed, drop_last=drop_last) for drop_last in (False, True)}


# --- to_tensor, normalize, compose --------------------------------------------------


@check(points=2)
def to_tensor_layout_and_scale(ex):
    """H×W×C uint8 → C×H×W float32 / 255 (permuted, not reshaped); H×W → 1×H×W; tensors accepted."""
    image = torch.randint(0, 256, (2, 4, 3), dtype=torch.uint8)
    out = ex.to_tensor(image.numpy())
    return {
        "to_tensor(2×4×3 array)": out,
        "channel 0 is the image's first channel": close(out[0], image[..., 0].float() / 255),
        "to_tensor(2×3 grayscale array)": ex.to_tensor(np.array([[0, 51, 255], [102, 204, 0]], dtype=np.uint8)),
        "to_tensor(3×2×3 uint8 tensor)": ex.to_tensor(torch.randint(0, 256, (3, 2, 3), dtype=torch.uint8)),
        "to_tensor(2×2×3 float64 array of 0…255 values) is float32": ex.to_tensor(
            np.array([[[0, 51, 255], [102, 204, 0]], [[255, 255, 255], [1, 2, 3]]], dtype=np.float64)
        ),
        "to_tensor(PIL RGB image)": ex.to_tensor(Image.fromarray(image.numpy())),
    }


# (x − mean) / std equals batch_norm in eval mode with running_var = std², up to rounding;
# x / std − mean / std is as valid but cancels near 0, hence atol=1e-5 (values are up to ~10).
@check(points=2, rtol=1e-5, atol=1e-5)
def normalize_and_compose(ex):
    """normalize is per channel, out of place, like F.batch_norm(eval); compose applies in list order."""
    x = torch.rand(3, 2, 4)
    copy = x.clone()
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    out = ex.normalize(mean, std)(x)
    torch_out = F.batch_norm(x[None], torch.tensor(mean), torch.tensor(std) ** 2, training=False, eps=0.0)[0]
    image = torch.randint(0, 256, (2, 3, 3), dtype=torch.uint8).numpy()
    pipeline = ex.compose([ex.to_tensor, ex.normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25])])
    scaled = ex.to_tensor(image)
    return {
        "input unchanged (not normalized in place)": torch.equal(x, copy),
        "normalized": out,
        "matches F.batch_norm": torch.allclose(out, torch_out, rtol=1e-5, atol=1e-5),
        "input after the call (normalize returns a new tensor)": x,
        "compose([+1, ×2])(1)": ex.compose([lambda v: v + 1, lambda v: 2 * v])(1),
        "compose([])(7)": ex.compose([])(7),
        "to_tensor(image) within 0…1": bool(scaled.min() >= 0 and scaled.max() <= 1),
        "compose([to_tensor, normalize])(image)": pipeline(image),
    }


@check(points=1, hidden=True, rtol=1e-5, atol=1e-5)
def transforms_random(ex):
    channels, height, width = randint(2, 5), randint(2, 6), randint(2, 6)
    image = torch.randint(0, 256, (height, width, channels), dtype=torch.uint8).numpy()
    mean, std = torch.rand(channels).tolist(), (0.1 + torch.rand(channels)).tolist()
    return {
        "to_tensor": ex.to_tensor(image),
        "pipeline": ex.compose([ex.to_tensor, ex.normalize(mean, std), lambda t: t * 2])(image),
    }
