"""Correct, written differently: the grid without a Python loop (pad every image, then reshape and permute
the cells into place), normalisation with torch.aminmax; log_epoch through a loop over a dict of losses and
named tags; the table from a list comprehension; a CSV logger that opens its files for every row (csv.DictWriter,
header decided by tell()), flush and close with nothing to do; train_and_log with try/finally and inference_mode."""

VERDICTS = {}

import csv  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402

import torch.nn.functional as F  # noqa: E402


def make_image_grid(images, nrow=8, padding=2, pad_value=0.0, normalize=False):
    if images.ndim != 4 or len(images) == 0 or nrow <= 0:
        raise ValueError("a non-empty (N, C, H, W) batch and nrow >= 1, please")
    if normalize:
        low, high = torch.aminmax(images)
        images = (images - low) / max(float(high - low), 1e-5)
    n, c, h, w = images.shape
    cols = n if n < nrow else nrow
    rows = -(-n // cols)
    blank = images.new_full((rows * cols - n, c, h, w), pad_value)
    cells = torch.cat([images, blank])
    # each cell gets `padding` on its top and left; the grid gets one more strip at the bottom and the right
    cells = F.pad(cells, (padding, 0, padding, 0), value=pad_value)
    grid = cells.reshape(rows, cols, c, h + padding, w + padding).permute(2, 0, 3, 1, 4)
    grid = grid.reshape(c, rows * (h + padding), cols * (w + padding))
    return F.pad(grid, (0, padding, 0, padding), value=pad_value)


def log_epoch(writer, epoch, train_loss, val_loss, model=None):
    for split, value in {"train": train_loss, "val": val_loss}.items():
        writer.add_scalar("/".join(("loss", split)), value, global_step=epoch)
    for name, parameter in (model.named_parameters() if model is not None else ()):
        writer.add_histogram("weights/" + name, parameter, global_step=epoch)
        if parameter.grad is None:
            continue
        writer.add_histogram("grads/" + name, parameter.grad.clone(), global_step=epoch)


def hparams_table(hparams):
    escape = lambda item: str(item).replace("|", r"\|")  # noqa: E731
    rows = [f"| {escape(k)} | {escape(v)} |" for k, v in hparams.items()]
    return "\n".join(["| hparam | value |", "|---|---|", *rows])


class CSVLogger:
    FIELDS = {"scalars.csv": ["tag", "step", "value"], "text.csv": ["tag", "step", "text"]}

    def __init__(self, log_dir):
        os.makedirs(log_dir, exist_ok=True)
        self.folder = str(log_dir)
        for name in self.FIELDS:
            self._append(name, None)

    def _append(self, name, row):
        with open(os.path.join(self.folder, name), "a", encoding="utf-8", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=self.FIELDS[name])
            if file.tell() == 0:
                writer.writeheader()
            if row is not None:
                writer.writerow(dict(zip(self.FIELDS[name], row)))

    def add_scalar(self, tag, scalar_value, global_step=None):
        value = scalar_value.item() if isinstance(scalar_value, torch.Tensor) else float(scalar_value)
        self._append("scalars.csv", [tag, global_step or 0, value])

    def add_text(self, tag, text_string, global_step=None):
        self._append("text.csv", [tag, global_step or 0, text_string])

    def add_hparams(self, hparam_dict, metric_dict, run_name=None):
        metrics = {}
        for key in metric_dict:
            metrics[key] = float(metric_dict[key])
        line = json.dumps({"run": run_name, "hparams": hparam_dict, "metrics": metrics}, ensure_ascii=False)
        with open(os.path.join(self.folder, "hparams.jsonl"), "a", encoding="utf-8") as file:
            print(line, file=file)

    def flush(self):
        pass  # every row is written and closed at once

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        self.close()
        return False


def train_and_log(model, train_data, val_data, log_dir, *, epochs, lr, loss_fn=nn.functional.mse_loss, logger="tensorboard"):
    if logger not in ("tensorboard", "csv"):
        raise ValueError(logger)
    if logger == "csv":
        writer = CSVLogger(log_dir)
    else:
        import torch.utils.tensorboard as tb

        writer = tb.SummaryWriter(log_dir=os.fspath(log_dir))
    optimizer = torch.optim.SGD(model.parameters(), lr)
    history = {"train_loss": [], "val_loss": []}
    try:
        for epoch in range(epochs):
            model.train(True)
            loss = loss_fn(model(train_data[0]), train_data[1])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            model.train(False)
            with torch.inference_mode():
                val = float(loss_fn(model(val_data[0]), val_data[1]))
            train = float(loss.detach())
            history["train_loss"].append(train)
            history["val_loss"].append(val)
            log_epoch(writer, epoch, train, val, model=None if isinstance(writer, CSVLogger) else model)
        log_hparams(writer, dict(lr=lr, epochs=epochs), dict(train_loss=train, val_loss=val), run_name="hparams")
    finally:
        writer.close()
    return history
