"""Exercise 16 — logging: TensorBoard scalars, histograms, images, text and hparams, and a CSV fallback.

A training run you cannot see is a run you cannot debug. TensorBoard is the
standard way to watch one: `torch.utils.tensorboard.SummaryWriter(log_dir)`
appends *events* to a file in `log_dir`, and `tensorboard --logdir runs` draws
them (looking at them is optional here: the checks read the files back with
TensorBoard's own reader). Every event is a **tag** (the name of a series,
"loss/train"), a **step** (the x axis: the epoch or the batch number) and a value:

- `add_scalar(tag, value, step)`: one point of a curve. A slash groups tags
  into one section: "loss/train" and "loss/val" are drawn side by side, and
  logged with the same step they line up, which is how you see overfitting.
- `add_histogram(tag, values, step)`: the distribution of a tensor, e.g. a
  layer's weights or gradients, epoch after epoch: weights that never move or
  gradients that vanish show up at a glance.
- `add_image(tag, image, step)`: one image, (C, H, W) by default, floats in
  [0, 1] (or uint8). Several images are tiled into one grid first.
- `add_text(tag, text, step)`: Markdown, e.g. the run's configuration.
- `add_hparams(hparams, metrics, run_name=...)`: the hyperparameters of the run
  and the metrics they gave, for the table that compares runs.

Events go through a queue to a background thread that writes the file: nothing
is guaranteed to be on disk before `flush()` or `close()`. Use the writer as a
context manager (`with SummaryWriter(log_dir) as writer:`), which closes it
even when training fails halfway.

Not every machine has TensorBoard, and some people want a spreadsheet: the
`CSVLogger` here has the same methods (add_scalar, add_text, add_hparams,
flush, close, `with`) and writes plain CSV and JSON files. Code that only calls
those methods works with either logger: that is duck typing, and it is how
`train_and_log` picks its logger with one argument.

Importing TensorBoard takes a moment, so this module imports it inside the one
function that needs it, never at the top.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

# --- an image grid ------------------------------------------------------------------------


def make_image_grid(
    images: torch.Tensor,
    nrow: int = 8,
    padding: int = 2,
    pad_value: float = 0.0,
    normalize: bool = False,
) -> torch.Tensor:
    """Tile a batch of images into one image, as `torchvision.utils.make_grid`.

    What: images is (N, C, H, W), floating point, N ≥ 1. The grid has
    cols = min(nrow, N) columns and rows = ⌈N / cols⌉ rows; image k sits in row
    k // cols, column k % cols. Every image is surrounded by `padding` pixels of
    `pad_value` (between two images too, so the gap is `padding` wide), and the
    cells left over in the last row stay `pad_value`. Return a new tensor of
    shape (C, rows·(H + padding) + padding, cols·(W + padding) + padding), with
    the dtype of `images`. With `normalize=True`, first scale the whole batch
    to [0, 1]: (x − min) / (max − min), with max − min replaced by 1e-5 when it
    is smaller (a constant batch becomes zeros, not NaN); pad_value is not
    scaled. Never modify `images`. Raise ValueError when images is not 4-D,
    N = 0 or nrow < 1. Use torch operations only (torchvision is not needed).
    Why: `add_image` takes one image; a grid shows a batch of inputs, of
    reconstructions or of first-layer filters at once. Normalising makes
    images of any range (weights, activations) visible, since TensorBoard clips
    floats to [0, 1]. Unlike torchvision's, this grid keeps one-channel
    images as they are and pads a single image too.
    Example: five 1×2×2 images with nrow=2, padding=1 → a (1, 10, 7) grid:
    three rows of two cells, the last cell of the last row only padding.
    """
    # BEGIN SOLUTION check the input; normalise a copy; fill a new tensor with pad_value; copy each image into its cell
    if images.dim() != 4 or images.shape[0] == 0:
        raise ValueError(f"images must be a non-empty (N, C, H, W) batch, got shape {tuple(images.shape)}")
    if nrow < 1:
        raise ValueError(f"nrow must be positive, got {nrow}")
    if normalize:
        low, high = images.min(), images.max()
        images = (images - low) / torch.clamp(high - low, min=1e-5)
    n, channels, height, width = images.shape
    cols = min(nrow, n)
    rows = math.ceil(n / cols)
    grid = images.new_full(
        (channels, rows * (height + padding) + padding, cols * (width + padding) + padding), pad_value
    )
    for k in range(n):
        top = padding + (k // cols) * (height + padding)
        left = padding + (k % cols) * (width + padding)
        grid[:, top : top + height, left : left + width] = images[k]
    return grid
    # END SOLUTION


# --- TensorBoard --------------------------------------------------------------------------


def log_epoch(
    writer: Any,
    epoch: int,
    train_loss: float | torch.Tensor,
    val_loss: float | torch.Tensor,
    model: nn.Module | None = None,
) -> None:
    """Log one epoch: both losses in the "loss" family and, given a model, histograms.

    What: `writer` is a SummaryWriter (or anything with its methods). Add the
    scalars "loss/train" = train_loss and "loss/val" = val_loss at step
    `epoch` (a loss may be a Python float or a 0-d tensor: `add_scalar` takes
    both). If `model` is given, for each `model.named_parameters()` (name, p),
    in that order, add the histogram "weights/<name>" of p, and, when p.grad is
    not None, "grads/<name>" of p.grad, both at step `epoch`. Without a model,
    log the two scalars only (so that a logger without `add_histogram` works).
    Why: one tag family per quantity puts the training and validation curves of
    a run in one section, on the same steps, where the gap between them (the
    overfitting) is visible. Histograms of weights and gradients, epoch after
    epoch, show dead layers and exploding or vanishing gradients. A frozen
    parameter (or one not used yet) has no gradient: skip it instead of failing.
    Example: log_epoch(writer, 3, 0.52, 0.61, model) with model = nn.Linear(2, 1)
    after a backward adds "loss/train", "loss/val", "weights/weight",
    "grads/weight", "weights/bias" and "grads/bias", all at step 3.
    """
    # BEGIN SOLUTION two add_scalar calls with the same step; if a model is given, one histogram per parameter and per existing grad
    writer.add_scalar("loss/train", train_loss, epoch)
    writer.add_scalar("loss/val", val_loss, epoch)
    if model is not None:
        for name, parameter in model.named_parameters():
            writer.add_histogram(f"weights/{name}", parameter, epoch)
            if parameter.grad is not None:
                writer.add_histogram(f"grads/{name}", parameter.grad, epoch)
    # END SOLUTION


def log_image_grid(writer: Any, tag: str, images: torch.Tensor, step: int, nrow: int = 8) -> None:
    """Log a batch of images as one normalised grid image.

    What: images is (N, C, H, W), or (N, H, W) for one-channel images (add
    the channel dimension first: (N, 1, H, W)). Build
    `make_image_grid(images, nrow=nrow, padding=2, pad_value=1.0, normalize=True)`
    and add it with `writer.add_image(tag, grid, step)`.
    Why: `add_image` expects one (C, H, W) image by default (`dataformats="CHW"`)
    and, for floats, values in [0, 1]: it multiplies by 255 and clips, so raw
    weights or activations would come out as a black and white blur. The white
    lines (pad_value 1.0) separate images whose borders are dark.
    Example: log_image_grid(writer, "inputs", batch[:16], epoch, nrow=4)
    shows the first 16 inputs as a 4 × 4 mosaic.
    """
    # BEGIN SOLUTION unsqueeze a missing channel dim; a normalised grid with white padding; add_image
    if images.dim() == 3:
        images = images.unsqueeze(1)
    grid = make_image_grid(images, nrow=nrow, padding=2, pad_value=1.0, normalize=True)
    writer.add_image(tag, grid, step)
    # END SOLUTION


def hparams_table(hparams: dict[str, Any]) -> str:
    """The hyperparameters as a Markdown table, for `add_text`.

    What: the lines "| hparam | value |" and "|---|---|", then one line
    "| name | value |" per entry, in the dict's order, with str(value);
    a "|" inside a name or a value becomes "\\|" (so that it does not split a
    cell). Lines are joined by "\\n", with no newline at the end.
    Why: TensorBoard renders text as Markdown: a run's configuration as a table
    next to its curves answers "what was different in this run?" without
    digging through scripts.
    Example: hparams_table({"lr": 0.1, "optimizer": "sgd"}) →
    "| hparam | value |\\n|---|---|\\n| lr | 0.1 |\\n| optimizer | sgd |".
    """
    # BEGIN SOLUTION a header line, a separator line, one row per item with str() and escaped "|"; join with newlines
    lines = ["| hparam | value |", "|---|---|"]
    for name, value in hparams.items():
        cells = [str(name).replace("|", "\\|"), str(value).replace("|", "\\|")]
        lines.append(f"| {cells[0]} | {cells[1]} |")
    return "\n".join(lines)
    # END SOLUTION


def log_hparams(writer: Any, hparams: dict[str, Any], metrics: dict[str, float], run_name: str = "hparams") -> None:
    """Log a run's hyperparameters: as a Markdown table, and for the hparams view.

    What: add the text "hparams" = hparams_table(hparams) at step 0; then
    `writer.add_hparams(hparams, prefixed, run_name=run_name)` where prefixed
    holds every metric under the tag "hparam/<name>".
    Why: `add_hparams` records the hyperparameters and the metrics they gave,
    for TensorBoard's table that compares runs. It writes them into a sub-run
    (a folder `run_name` inside the log folder); without `run_name` that folder
    is named after the current time, so every call makes a new one. The
    metrics are logged there as scalars too, so "hparam/" keeps them from
    landing among the "loss/..." curves of the run.
    Example: log_hparams(writer, {"lr": 0.1}, {"val_loss": 0.3}) writes the
    text "hparams" and, in log_dir/hparams, lr = 0.1 and "hparam/val_loss" = 0.3.
    """
    # BEGIN SOLUTION add_text the table at step 0; add_hparams with "hparam/"-prefixed metric names and run_name
    writer.add_text("hparams", hparams_table(hparams), 0)
    writer.add_hparams(hparams, {f"hparam/{name}": value for name, value in metrics.items()}, run_name=run_name)
    # END SOLUTION


# --- a logger without TensorBoard ---------------------------------------------------------


class CSVLogger:
    """SummaryWriter's everyday methods, writing plain CSV and JSON files.

    What: a logger for `log_dir` with
    - `__init__(log_dir)`: create the folder (and its parents; fine if it
      exists). Open `scalars.csv` and `text.csv` in it for *appending*, with
      encoding="utf-8" and newline="" (as the csv module wants), each with a
      `csv.writer`. When a file is new or empty, write its header row first:
      tag,step,value and tag,step,text. Reopening a folder adds to its files.
    - `add_scalar(tag, scalar_value, global_step=None)`: the row
      [tag, step, float(scalar_value)], where step is global_step, or 0 when it
      is None (as SummaryWriter records it). A 0-d tensor becomes its number.
    - `add_text(tag, text_string, global_step=None)`: the row [tag, step, text].
    - `add_hparams(hparam_dict, metric_dict, run_name=None)`: append one line to
      `hparams.jsonl` (open it just for that, in append mode, utf-8): the JSON of
      {"run": run_name, "hparams": hparam_dict, "metrics": {name: float(value)}}.
    - `flush()`: flush both CSV files, so that a reader sees every row so far.
    - `close()`: flush and close them; closing twice does nothing.
    - `__enter__` returns the logger, `__exit__` closes it and lets any
      exception through (return nothing).
    Why: the same interface as SummaryWriter means any code that logs through
    these methods can switch logger with one line. The csv module quotes what
    needs quoting (commas, quotes, newlines in a text), which a hand-made
    f"{tag},{value}" does not; float() turns a tensor into a number, where
    str(tensor) would write "tensor(0.5000)". Files are buffered: rows reach
    the disk on flush() or close(), and `with` closes even after an exception.
    Example: with CSVLogger("runs/a") as log: log.add_scalar("loss/train", 0.5, 1)
    leaves runs/a/scalars.csv holding "tag,step,value" and "loss/train,1,0.5".
    """

    def __init__(self, log_dir: str | Path) -> None:
        # BEGIN SOLUTION mkdir(parents, exist_ok); for each CSV: is it new or empty? open to append; csv.writer; header if new
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._files = []
        self._writers = []
        for name, header in (("scalars.csv", ("tag", "step", "value")), ("text.csv", ("tag", "step", "text"))):
            path = self.log_dir / name
            new = not path.exists() or path.stat().st_size == 0
            file = open(path, "a", encoding="utf-8", newline="")  # noqa: SIM115 - closed by close()
            writer = csv.writer(file)
            if new:
                writer.writerow(header)
            self._files.append(file)
            self._writers.append(writer)
        # END SOLUTION

    def add_scalar(self, tag: str, scalar_value: float | torch.Tensor, global_step: int | None = None) -> None:
        # BEGIN SOLUTION one row: tag, step (0 when None), float(value)
        step = 0 if global_step is None else global_step
        self._writers[0].writerow([tag, step, float(scalar_value)])
        # END SOLUTION

    def add_text(self, tag: str, text_string: str, global_step: int | None = None) -> None:
        # BEGIN SOLUTION one row: tag, step (0 when None), the text as it is
        step = 0 if global_step is None else global_step
        self._writers[1].writerow([tag, step, text_string])
        # END SOLUTION

    def add_hparams(
        self, hparam_dict: dict[str, Any], metric_dict: dict[str, float], run_name: str | None = None
    ) -> None:
        # BEGIN SOLUTION one JSON object on one line, appended to hparams.jsonl
        record = {
            "run": run_name,
            "hparams": dict(hparam_dict),
            "metrics": {name: float(value) for name, value in metric_dict.items()},
        }
        with open(self.log_dir / "hparams.jsonl", "a", encoding="utf-8") as file:
            file.write(json.dumps(record) + "\n")
        # END SOLUTION

    def flush(self) -> None:
        # BEGIN SOLUTION flush every open file
        for file in self._files:
            file.flush()
        # END SOLUTION

    def close(self) -> None:
        # BEGIN SOLUTION close every file that is still open (close() flushes)
        for file in self._files:
            if not file.closed:
                file.close()
        # END SOLUTION

    def __enter__(self) -> CSVLogger:
        # BEGIN SOLUTION the logger itself
        return self
        # END SOLUTION

    def __exit__(self, *exc_info: Any) -> None:
        # BEGIN SOLUTION close; return nothing, so that an exception goes on
        self.close()
        # END SOLUTION


# --- a whole run --------------------------------------------------------------------------


def train_and_log(
    model: nn.Module,
    train_data: tuple[torch.Tensor, torch.Tensor],
    val_data: tuple[torch.Tensor, torch.Tensor],
    log_dir: str | Path,
    *,
    epochs: int,
    lr: float,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = nn.functional.mse_loss,
    logger: str = "tensorboard",
) -> dict[str, list[float]]:
    """Train with full-batch gradient descent, logging every epoch; return the losses.

    What: the logger is `SummaryWriter(log_dir)` for logger="tensorboard"
    (import it here, inside the function) or `CSVLogger(log_dir)` for "csv";
    raise ValueError for anything else, before touching log_dir. Use it as a
    context manager. With `torch.optim.SGD(model.parameters(), lr=lr)`, for
    epoch = 0 … epochs − 1 (epochs ≥ 1):
      1. training: model.train(), zero the gradients, loss = loss_fn(model(x), y)
         on all of train_data, backward, step;
      2. validation: model.eval() and, under torch.no_grad(), the val loss on
         val_data;
      3. `log_epoch(writer, epoch, train_loss, val_loss, model)`, with both
         losses as Python floats (`.item()`), and the model only with
         TensorBoard (None with the CSV logger, which draws no histograms).
    After the last epoch: `log_hparams(writer, {"lr": lr, "epochs": epochs},
    {"train_loss": last train loss, "val_loss": last val loss})` (run_name
    "hparams"). Return {"train_loss": [...], "val_loss": [...]}, one float per epoch.
    Why: this is what a logged run looks like: the same step for both curves,
    the weights after each step with the gradients that moved them, the
    configuration and the outcome next to each other. When `train_and_log`
    returns, the writer is closed, so every event is on disk for whoever reads it.
    Example: train_and_log(model, (x, y), (vx, vy), "runs/exp1", epochs=20, lr=0.1)
    then `tensorboard --logdir runs` shows loss/train and loss/val over 20 steps.
    """
    # BEGIN SOLUTION pick the logger; with it: per epoch train step, eval under no_grad, log_epoch; then log_hparams; return history
    if logger == "tensorboard":
        from torch.utils.tensorboard import SummaryWriter

        writer: Any = SummaryWriter(str(log_dir))
    elif logger == "csv":
        writer = CSVLogger(log_dir)
    else:
        raise ValueError(f"unknown logger {logger!r}: use 'tensorboard' or 'csv'")
    (x, y), (val_x, val_y) = train_data, val_data
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history: dict[str, list[float]] = {"train_loss": [], "val_loss": []}
    with writer:
        for epoch in range(epochs):
            model.train()
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            train_loss = loss.item()
            model.eval()
            with torch.no_grad():
                val_loss = loss_fn(model(val_x), val_y).item()
            history["train_loss"].append(train_loss)
            history["val_loss"].append(val_loss)
            log_epoch(writer, epoch, train_loss, val_loss, model if logger == "tensorboard" else None)
        log_hparams(
            writer,
            {"lr": lr, "epochs": epochs},
            {"train_loss": history["train_loss"][-1], "val_loss": history["val_loss"][-1]},
        )
    return history
    # END SOLUTION
