"""Graded checks for ex16_logging: image grids, TensorBoard events, a CSV logger, a logged run.

Every probe that writes logs gets a fresh temporary folder (one per side: the
reference and the learner each run the probe in their own process) and reads
what was written back: TensorBoard's event files with TensorBoard's own reader
(`EventAccumulator`), the CSV logger's files with the csv and json modules. It
returns the tags, steps and values found there, never wall times or file names,
which differ from run to run. TensorBoard is imported inside the probes only,
so that loading this suite costs nothing to the other exercises.
"""

import csv
import json
import math
import tempfile
from contextlib import contextmanager
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from grader import capture, check

# Load every event: by default the reader keeps only a sample of histograms and images.
ALL_EVENTS = {"scalars": 0, "histograms": 0, "images": 0, "tensors": 0, "compressedHistograms": 0}


def randint(low, high):
    """A Python int in [low, high), drawn with torch's (seeded) generator."""
    return int(torch.randint(low, high, ()))


@contextmanager
def _folder():
    """A fresh temporary folder, removed afterwards (a learner's leftovers included)."""
    with tempfile.TemporaryDirectory(prefix="torchdrill-ex16-", ignore_cleanup_errors=True) as name:
        yield Path(name)


def _writer(folder):
    from torch.utils.tensorboard import SummaryWriter

    return SummaryWriter(str(folder))


def _accumulator(folder):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(folder), size_guidance=ALL_EVENTS)
    accumulator.Reload()
    return accumulator


def _histogram_stats(events):
    stats = {"steps": [e.step for e in events]}
    for field in ("min", "max", "num", "sum", "sum_squares"):
        stats[field] = torch.tensor([getattr(e.histogram_value, field) for e in events], dtype=torch.float64)
    return stats


def _image(event):
    """The PNG of an image event, decoded to (H, W, C) uint8 pixels."""
    import io

    import numpy
    from PIL import Image

    with Image.open(io.BytesIO(event.encoded_image_string)) as picture:
        pixels = torch.from_numpy(numpy.array(picture.convert("RGB")))
    return {"step": event.step, "width x height": [event.width, event.height], "pixels": pixels}


def _events(folder):
    """Every tag TensorBoard's reader finds in the event files of `folder` (not its sub-runs), with steps and values."""
    from tensorboard.util import tensor_util

    folder = Path(folder)
    if not folder.is_dir():
        return {"log folder exists": False}
    accumulator = _accumulator(folder)
    tags = accumulator.Tags()
    found = {
        "scalar tags": sorted(tags["scalars"]),
        "histogram tags": sorted(tags["histograms"]),
        "image tags": sorted(tags["images"]),
        "text tags": sorted(tags["tensors"]),
        "sub-runs": sorted(p.name for p in folder.iterdir() if p.is_dir()),
    }
    for tag in found["scalar tags"]:
        events = accumulator.Scalars(tag)
        found[f"scalar {tag}"] = {
            "steps": [e.step for e in events],
            "values": torch.tensor([e.value for e in events], dtype=torch.float64),
        }
    for tag in found["histogram tags"]:
        found[f"histogram {tag}"] = _histogram_stats(accumulator.Histograms(tag))
    for tag in found["image tags"]:
        found[f"image {tag}"] = [_image(e) for e in accumulator.Images(tag)]
    for tag in found["text tags"]:
        found[f"text {tag}"] = [
            [e.step, [b.decode("utf-8") for b in tensor_util.make_ndarray(e.tensor_proto).reshape(-1)]]
            for e in accumulator.Tensors(tag)
        ]
    return found


def _hparams(folder):
    """What TensorBoard's hparams view finds in a sub-run: hyperparameters, metric tags and metric values."""
    from tensorboard.plugins.hparams import plugin_data_pb2

    folder = Path(folder)
    if not folder.is_dir():
        return {"sub-run folder exists": False}
    accumulator = _accumulator(folder)
    try:
        content = accumulator.PluginTagToContent("hparams")
    except KeyError:  # no hparams summary at all
        content = {}
    found = {"hparams plugin tags": sorted(content)}
    if "_hparams_/session_start_info" in content:
        start = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"])
        found["hparams"] = {
            name: {value.WhichOneof("kind"): getattr(value, value.WhichOneof("kind"))}
            for name, value in sorted(start.session_start_info.hparams.items())
        }
    if "_hparams_/experiment" in content:
        experiment = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/experiment"]).experiment
        found["metric tags"] = sorted(m.name.tag for m in experiment.metric_infos)
    for tag in sorted(accumulator.Tags()["scalars"]):
        events = accumulator.Scalars(tag)
        found[f"metric {tag}"] = [[e.step, e.value] for e in events]
    return found


def _number(text):
    """A CSV field as a number if it is one, else as the text itself (so "tensor(0.5000)" shows)."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _csv(path, numeric=True):
    """The rows of a CSV file, read with the csv module: the header as text, then fields as numbers where they are."""
    path = Path(path)
    if not path.is_file():
        return "missing"
    with open(path, encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    if not rows:
        return []
    return [rows[0]] + [
        [row[0], *[_number(field) for field in row[1:-1]], _number(row[-1]) if numeric else row[-1]] for row in rows[1:]
    ]


def _jsonl(path):
    path = Path(path)
    if not path.is_file():
        return "missing"
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            records.append(f"not JSON: {line[:80]}")
    return records


def _logger_files(folder):
    return {
        "scalars.csv": _csv(folder / "scalars.csv"),
        "text.csv": _csv(folder / "text.csv", numeric=False),
        "hparams.jsonl": _jsonl(folder / "hparams.jsonl"),
    }


def _device_of(fn, *args, **kwargs):
    """The device of the tensor fn returns, or the exception it raised."""
    result = capture(fn, *args, **kwargs)
    return str(result.device) if isinstance(result, torch.Tensor) else result


def _tensorboard_grid(images, nrow):
    """The grid TensorBoard's own add_images builds (no padding, 3 channels), as a tensor."""
    from torch.utils.tensorboard._utils import make_grid

    return torch.from_numpy(make_grid(images.numpy(), ncols=nrow))


# --- make_image_grid ------------------------------------------------------------------------


@check(points=3)
def image_grid_layout(ex):
    """Rows of min(nrow, N) cells, ⌈N / cols⌉ rows, padding around and between, leftover cells padding; as add_images' grid."""
    images = torch.arange(5 * 1 * 2 * 3, dtype=torch.float32).reshape(5, 1, 2, 3) + 1
    observed = {
        "5 images, nrow=2, padding=1, pad_value=-1": ex.make_image_grid(images, nrow=2, padding=1, pad_value=-1.0),
        "5 images, nrow=8 (more than N), padding=2": ex.make_image_grid(images, nrow=8),
        "5 images, nrow=5 (exactly N), padding=1": ex.make_image_grid(images, nrow=5, padding=1),
        "5 images, nrow=1, padding=0": ex.make_image_grid(images, nrow=1, padding=0),
        "4 images, nrow=2 (full rows), padding=1": ex.make_image_grid(images[:4], nrow=2, padding=1, pad_value=0.5),
        "1 image, padding=1": ex.make_image_grid(images[:1], padding=1, pad_value=9.0),
    }
    rgb = torch.rand(7, 3, 4, 5, dtype=torch.float64)
    observed["7 RGB float64 images, nrow=3, padding=2, pad_value=0.25"] = ex.make_image_grid(rgb, 3, 2, 0.25)
    ours = [ex.make_image_grid(rgb, nrow, padding=0) for nrow in (3, 7, 10)]
    observed["agrees with the grid of TensorBoard's add_images (padding 0)"] = all(
        type(grid) is torch.Tensor and grid.shape == expected.shape and torch.equal(grid, expected)
        for grid, expected in zip(ours, [_tensorboard_grid(rgb, nrow) for nrow in (3, 7, 10)])
    )
    return observed


@check(points=2)
def image_grid_normalize_copies_and_errors(ex):
    """normalize scales the whole batch to [0, 1] (a constant batch to zeros); images never change or alias; bad input raises."""
    images = torch.tensor([[[[-2.0, 0.0], [6.0, 2.0]]], [[[4.0, -1.0], [1.0, 3.0]]]])
    original = images.clone()
    normalised = ex.make_image_grid(images, nrow=2, padding=1, pad_value=0.5, normalize=True)
    constant = torch.full((3, 1, 2, 2), 7.0)
    single = torch.rand(1, 1, 3, 3)
    grid = ex.make_image_grid(single, padding=0)
    grid.fill_(-5.0)  # a grid that shared memory with the images would change them
    return {
        "normalize=True: whole batch scaled to [0, 1], pad_value not scaled": normalised,
        "normalize=False: values as they are": ex.make_image_grid(images, nrow=2, padding=1, pad_value=0.5),
        "images unchanged by normalize=True": torch.equal(images, original),
        "constant batch, normalize=True: zeros, not NaN": ex.make_image_grid(constant, nrow=3, normalize=True),
        "range 1.5e-5 (above 1e-5), normalize=True: scaled by its own range": ex.make_image_grid(
            torch.tensor([0.0, 0.5e-5, 1.5e-5]).reshape(3, 1, 1, 1), nrow=3, padding=0, normalize=True
        ),
        "range 0.5e-5 (below 1e-5), normalize=True: divided by 1e-5": ex.make_image_grid(
            torch.tensor([0.0, 0.25e-5, 0.5e-5]).reshape(3, 1, 1, 1), nrow=3, padding=0, normalize=True
        ),
        "writing into the grid leaves the images alone": bool((single >= 0).all()),
        "images on the meta device: grid on": _device_of(
            ex.make_image_grid, images.to("meta"), nrow=2, padding=1, pad_value=0.5
        ),
        "3-D input": capture(ex.make_image_grid, torch.rand(2, 3, 3)),
        "no images (N=0)": capture(ex.make_image_grid, torch.rand(0, 1, 3, 3)),
        "nrow=0": capture(ex.make_image_grid, torch.rand(2, 1, 3, 3), 0),
    }


@check(points=2, hidden=True)
def image_grid_random(ex):
    """Random batch, channels, sizes, nrow, padding and pad value; a partial last row and normalisation every time."""
    cols = randint(2, 5)
    n = cols * randint(1, 4) + randint(1, cols)  # never a multiple of cols: the last row is partial
    images = 3 * torch.randn(n, randint(1, 4), randint(1, 6), randint(1, 6))
    padding, pad_value = randint(0, 4), float(torch.randn(()))
    return {
        "grid": ex.make_image_grid(images, nrow=cols, padding=padding, pad_value=pad_value),
        "normalised grid": ex.make_image_grid(images, nrow=cols, padding=padding, pad_value=pad_value, normalize=True),
        "nrow larger than the batch": ex.make_image_grid(images, nrow=n + randint(1, 4), padding=padding),
    }


# --- log_epoch ------------------------------------------------------------------------------


def _model_with_a_frozen_and_an_unused_parameter():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    model.register_parameter("unused", nn.Parameter(torch.randn(5)))  # no gradient: it takes no part
    model[0].bias.requires_grad_(False)  # frozen: no gradient either
    return model


@check(points=3)
def log_epoch_scalars_and_histograms(ex):
    """loss/train and loss/val at each epoch, floats or 0-d tensors; weights/<name> always, grads/<name> only where a gradient exists."""
    model = _model_with_a_frozen_and_an_unused_parameter()
    x, y = torch.randn(6, 3), torch.randn(6, 2)
    with _folder() as folder:
        writer = _writer(folder)
        for epoch, (train, val) in enumerate([(0.75, 0.875), (torch.tensor(0.5), torch.tensor(0.625)), (0.25, 0.5)]):
            model.zero_grad()
            if epoch > 0:  # no backward before the first epoch: no gradient at all yet
                F.mse_loss(model(x), y).backward()
                with torch.no_grad():  # different weights at every step
                    for p in model.parameters():
                        p.mul_(1.5)
            ex.log_epoch(writer, epoch, train, val, model)
        ex.log_epoch(writer, 5, 0.125, 0.375)  # without a model: scalars only
        writer.close()
        return _events(folder)


@check(points=2)
def log_epoch_works_with_any_logger(ex):
    """Without a model, log_epoch calls add_scalar only, so a logger with nothing else works (duck typing)."""

    class ScalarsOnly:
        def __init__(self):
            self.calls = []

        def add_scalar(self, tag, scalar_value, global_step=None):
            self.calls.append([tag, float(scalar_value), global_step])

    logger = ScalarsOnly()
    for epoch in range(3):
        ex.log_epoch(logger, epoch, 1.0 / (epoch + 1), 2.0 / (epoch + 2))
    ex.log_epoch(logger, 10, torch.tensor(0.5), torch.tensor(0.75))
    return {"add_scalar calls: [tag, value, step]": logger.calls}


# --- log_image_grid -------------------------------------------------------------------------


def _half_step_images(n, channels, height, width):
    """Images whose normalised values times 255 sit halfway between two integers: PNG rounding never hesitates."""
    values = torch.arange(n * channels * height * width, dtype=torch.float32) * 37 % 254 + 0.5
    values[0], values[-1] = 0.0, 255.0  # the batch's minimum and maximum
    return (values / 255 * 4 - 2).reshape(n, channels, height, width)


@check(points=2)
def log_image_grid_reads_back(ex):
    """The PNG TensorBoard stores: a normalised grid with white padding, (N, C, H, W) and (N, H, W) inputs, at the given step."""
    rgb = _half_step_images(5, 3, 4, 3)
    gray = _half_step_images(3, 1, 5, 4)[:, 0]
    with _folder() as folder:
        writer = _writer(folder)
        ex.log_image_grid(writer, "samples/rgb", rgb, 2, nrow=2)
        ex.log_image_grid(writer, "samples/gray", gray, 7)
        writer.close()
        return _events(folder)


class _ImageWriter:
    """A writer that keeps what add_image is given (TensorBoard's PNG clips to [0, 1]: it cannot show pad_value 2)."""

    def __init__(self):
        self.calls = []

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        self.calls.append({"tag": tag, "image": img_tensor, "step": global_step, "dataformats": dataformats})


@check(points=1)
def log_image_grid_hands_add_image_the_grid(ex):
    """add_image gets the (C, H, W) grid itself: normalised to [0, 1], padding 2 of exactly 1.0, tag and step as given."""
    writer = _ImageWriter()
    ex.log_image_grid(writer, "samples/rgb", _half_step_images(3, 3, 2, 2), 4, nrow=2)
    ex.log_image_grid(writer, "samples/gray", _half_step_images(2, 1, 2, 3)[:, 0], 9)
    return {"add_image calls": writer.calls}


# --- hparams ----------------------------------------------------------------------------------


@check(points=2)
def hparams_table_markdown(ex):
    """A header and separator line, one row per entry in order, str() values, '|' escaped, no trailing newline."""
    return {
        "lr and optimizer": ex.hparams_table({"lr": 0.1, "optimizer": "sgd"}),
        "ints, bools, None, a tuple, in the dict's order": ex.hparams_table(
            {"width": 64, "batch_norm": True, "schedule": None, "betas": (0.9, 0.999)}
        ),
        "a '|' in a name and in a value": ex.hparams_table({"a|b": "x | y"}),
        "no hyperparameters: the two header lines": ex.hparams_table({}),
    }


@check(points=2)
def log_hparams_reads_back(ex):
    """The table as the text "hparams" at step 0, and a sub-run named run_name with the hparams and "hparam/"-prefixed metrics."""
    hparams = {"lr": 0.05, "optimizer": "adam", "layers": 3}
    with _folder() as folder:
        writer = _writer(folder)
        ex.log_hparams(writer, hparams, {"val_loss": 0.25, "accuracy": 0.875}, run_name="trial-1")
        ex.log_hparams(writer, {"lr": 0.5}, {"val_loss": 0.75})  # the default run_name
        writer.close()
        return {
            "run": _events(folder),
            "sub-run trial-1": _hparams(folder / "trial-1"),
            "sub-run hparams (the default run_name)": _hparams(folder / "hparams"),
        }


# --- CSVLogger --------------------------------------------------------------------------------

AWKWARD_TEXT = 'a, "quoted" word\non two lines — naïve ✓'


@check(points=3)
def csv_logger_files(ex):
    """Headers, one row per call (tensor values as numbers, None steps as 0, awkward text intact), rows on disk after flush(), hparams.jsonl."""
    with _folder() as folder:
        logs = folder / "runs" / "first"  # does not exist yet, nor does its parent
        logger = ex.CSVLogger(logs)
        logger.add_scalar("loss/train", 0.5, 0)
        logger.add_scalar("loss/train", torch.tensor(0.25), 1)
        logger.add_scalar("loss/val", 3, 1)
        logger.add_scalar("lr", 0.125)
        logger.add_text("notes", AWKWARD_TEXT, 2)
        logger.add_text("config", "plain")
        logger.flush()
        after_flush = {"scalars.csv": _csv(logs / "scalars.csv"), "text.csv": _csv(logs / "text.csv", numeric=False)}
        logger.add_hparams({"lr": 0.1, "name": "baseline", "bn": False}, {"hparam/loss": torch.tensor(0.5)}, run_name="r1")
        logger.add_hparams({"lr": 0.2}, {"hparam/loss": 0.75})
        logger.add_scalar("loss/val", 0.0625, 2)
        logger.close()
        return {
            "after flush(), before close()": after_flush,
            "after close()": _logger_files(logs),
            "a second close() does nothing": capture(logger.close),
            "files in the folder": sorted(p.name for p in logs.iterdir()),
        }


@check(points=2)
def csv_logger_context_and_reopen(ex):
    """`with` returns the logger and closes it, even when the block raises (which still propagates); reopening appends, one header; an empty file gets one."""
    with _folder() as folder:
        with ex.CSVLogger(folder) as logger:
            entered = type(logger).__name__
            logger.add_scalar("loss/train", 1.5, 0)
        first = _csv(folder / "scalars.csv")
        propagated = False
        try:
            with ex.CSVLogger(folder) as logger:
                logger.add_scalar("loss/train", 0.75, 1)
                logger.add_text("status", "crashed", 1)
                raise KeyError("inside the with block")
        except KeyError:
            propagated = True
        empty = folder / "empty"
        empty.mkdir()
        (empty / "scalars.csv").touch()  # exists, but empty: still needs its header
        with ex.CSVLogger(empty) as logger:
            logger.add_scalar("loss/val", 0.5, 3)
        return {
            "__enter__ returns": entered,
            "closed by with: rows on disk": first,
            "reopened folder: rows appended, one header": _logger_files(folder),
            "an exception inside with propagates": propagated,
            "an empty scalars.csv already there gets its header": _csv(empty / "scalars.csv"),
        }


def _same_calls(logger, calls):
    for method, args in calls:
        getattr(logger, method)(*args)


def _scalar_rows_from_events(events):
    rows = []
    for tag in events["scalar tags"]:
        series = events[f"scalar {tag}"]
        rows += [[tag, step, value] for step, value in zip(series["steps"], series["values"].tolist())]
    return sorted(rows)


@check(points=2)
def csv_logger_matches_tensorboard(ex):
    """The same add_scalar calls through the CSV logger and a SummaryWriter read back as the same (tag, step, value) rows."""
    calls = [("add_scalar", ("loss/train", 0.1 * (i + 1), i)) for i in range(4)]
    calls += [("add_scalar", ("loss/val", torch.tensor(0.3) / (i + 1), i)) for i in range(4)]
    calls += [("add_scalar", ("accuracy", 0.875))]
    with _folder() as folder:
        with ex.CSVLogger(folder / "csv") as logger:
            _same_calls(logger, calls)
        writer = _writer(folder / "tensorboard")
        _same_calls(writer, calls)
        writer.close()
        rows = _csv(folder / "csv" / "scalars.csv")
        ours = sorted(rows[1:]) if isinstance(rows, list) else rows
        theirs = _scalar_rows_from_events(_events(folder / "tensorboard"))
        agrees = isinstance(ours, list) and len(ours) == len(theirs)
        agrees = agrees and all(
            a[:2] == b[:2] and type(a[2]) is float and math.isclose(a[2], b[2], rel_tol=1e-6) for a, b in zip(ours, theirs)
        )
        return {"agrees with SummaryWriter: (tag, step, value) rows": agrees, "rows, sorted": ours}


@check(points=2, hidden=True)
def csv_logger_random(ex):
    """Random tags, steps, values (floats and tensors) and texts, through flush, close and a reopen."""
    tags = [f"group{randint(0, 3)}/series{i}" for i in range(randint(2, 5))]
    with _folder() as folder:
        snapshots = []
        for _ in range(2):
            with ex.CSVLogger(folder) as logger:
                for i in range(randint(3, 9)):  # a tensor first, a float second, then either
                    tag, step, value = tags[randint(0, len(tags))], randint(0, 100), float(torch.randn(()))
                    logger.add_scalar(tag, torch.tensor(value) if i == 0 or (i > 1 and randint(0, 2)) else value, step)
                logger.add_text(tags[0], f"value, {float(torch.rand(())):.3f}\n\"{randint(0, 9)}\"", randint(0, 5))
                logger.flush()
                snapshots.append(_csv(folder / "scalars.csv"))
                logger.add_hparams({"seed": randint(0, 1000)}, {"hparam/score": float(torch.rand(()))})
        return {"after each flush: scalars.csv": snapshots, "at the end": _logger_files(folder)}


# --- train_and_log ----------------------------------------------------------------------------


class RecordingMSE:
    """mse_loss that notes, for each call, whether the model was training and whether its input carries a graph."""

    def __init__(self, model):
        self.model = model
        self.calls = []

    def __call__(self, prediction, target):
        self.calls.append(["train mode" if self.model.training else "eval mode", prediction.requires_grad])
        return F.mse_loss(prediction, target)


def _regression(n_in=3, n_hidden=6, n_out=2, n_train=16, n_val=8):
    """A small model with dropout (so that train and eval modes differ) and data it can fit."""
    model = nn.Sequential(nn.Linear(n_in, n_hidden), nn.Tanh(), nn.Dropout(0.25), nn.Linear(n_hidden, n_out))
    teacher = torch.randn(n_in, n_out)
    x, val_x = torch.randn(n_train, n_in), torch.randn(n_val, n_in)
    return model, (x, torch.tanh(x @ teacher)), (val_x, torch.tanh(val_x @ teacher))


def _writer_threads():
    """The background threads of the SummaryWriters now open: `close()` stops and joins its writer's thread."""
    import threading

    from tensorboard.summary.writer.event_file_writer import _AsyncWriterThread

    return {thread for thread in threading.enumerate() if isinstance(thread, _AsyncWriterThread)}


def _run(ex, model, train, val, folder, **kwargs):
    """Train and log; the history, the loss calls, and how many SummaryWriters were left open."""
    loss = RecordingMSE(model)
    before = _writer_threads()
    history = ex.train_and_log(model, train, val, folder, loss_fn=loss, **kwargs)
    return history, loss.calls, len(_writer_threads() - before)


@check(points=3)
def train_and_log_tensorboard(ex):
    """Three epochs: the returned losses, every event on disk when it returns (scalars, histograms, text, hparams), modes and no_grad."""
    model, train, val = _regression()
    with _folder() as folder:
        history, calls, left_open = _run(ex, model, train, val, folder, epochs=3, lr=0.2)
        return {
            "SummaryWriters left open when train_and_log returns": left_open,
            "loss calls: [model mode, prediction carries a graph] (validation in eval mode, under no_grad)": calls,
            "history": history,
            "history values are Python floats": all(type(v) is float for v in sum(history.values(), [])),
            "run": _events(folder),
            "sub-run hparams": _hparams(folder / "hparams"),
            "trained parameters": dict(model.named_parameters()),
        }


@check(points=2)
def train_and_log_csv(ex):
    """logger="csv": the same training, losses in scalars.csv, the table in text.csv, hparams.jsonl; an unknown logger raises first."""
    model, train, val = _regression()
    with _folder() as folder:
        history, calls, _ = _run(ex, model, train, val, folder / "csv", epochs=2, lr=0.3, logger="csv")
        unknown = capture(ex.train_and_log, model, train, val, folder / "other", epochs=1, lr=0.1, logger="wandb")
        return {
            "loss calls: [model mode, prediction carries a graph] (validation in eval mode, under no_grad)": calls,
            "files": _logger_files(folder / "csv"),
            "history": history,
            "unknown logger": unknown,
            "unknown logger: log folder left alone": not (folder / "other").exists(),
            "trained parameters": dict(model.named_parameters()),
        }


@check(points=2, hidden=True)
def train_and_log_random(ex):
    """Random model, data, epochs and learning rate, with TensorBoard: the same history, events and weights."""
    model, train, val = _regression(randint(2, 5), randint(3, 9), randint(1, 4), randint(8, 20), randint(4, 10))
    with _folder() as folder:
        history, calls, left_open = _run(ex, model, train, val, folder, epochs=randint(2, 6), lr=0.05 + 0.3 * float(torch.rand(())))
        return {
            "SummaryWriters left open": left_open,
            "loss calls: [model mode, prediction carries a graph] (validation in eval mode, under no_grad)": calls,
            "history": history,
            "run": _events(folder),
            "sub-run hparams": _hparams(folder / "hparams"),
            "trained parameters": dict(model.named_parameters()),
        }
