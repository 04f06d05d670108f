"""Correct, written differently: the grid assembled row by row with torch.cat (padding strips between cells),
normalisation by sub/div of scalars; one CSV writer kept per file in a dict, numbers formatted with repr,
hparams.jsonl through json.dump; log_hparams and log_image_grid with keyword arguments."""

VERDICTS = {}

import csv  # noqa: E402
import json  # noqa: E402


def make_image_grid(images, nrow=8, padding=2, pad_value=0.0, normalize=False):
    if len(images.shape) != 4:
        raise ValueError("expected (N, C, H, W)")
    n, c, h, w = images.shape
    if n < 1 or nrow < 1:
        raise ValueError("empty batch or nrow < 1")
    if normalize:
        span = (images.max() - images.min()).item()
        images = images.sub(images.min()).div(span if span > 1e-5 else 1e-5)
    cols = min(n, nrow)
    cells = list(images) + [images.new_full((c, h, w), pad_value)] * ((-n) % cols)
    vertical = images.new_full((c, h, padding), pad_value)
    lines = []
    for start in range(0, len(cells), cols):
        row = [vertical]
        for cell in cells[start : start + cols]:
            row += [cell, vertical]
        row = torch.cat(row, dim=2)
        lines += [images.new_full((c, padding, row.shape[2]), pad_value), row]
    lines.append(images.new_full((c, padding, lines[-1].shape[2]), pad_value))
    return torch.cat(lines, dim=1)


def log_image_grid(writer, tag, images, step, nrow=8):
    batch = images[:, None] if images.ndim == 3 else images
    writer.add_image(tag, make_image_grid(batch, nrow, pad_value=1.0, normalize=True), global_step=step, dataformats="CHW")


def log_hparams(writer, hparams, metrics, run_name="hparams"):
    writer.add_text(tag="hparams", text_string=hparams_table(hparams), global_step=0)
    prefixed = dict(zip(["hparam/" + name for name in metrics], metrics.values()))
    writer.add_hparams(hparam_dict=hparams, metric_dict=prefixed, run_name=run_name)


class CSVLogger:
    def __init__(self, log_dir):
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.files, self.writers = {}, {}
        for kind, last in (("scalars", "value"), ("text", "text")):
            path = self.log_dir / f"{kind}.csv"
            empty = path.stat().st_size == 0 if path.is_file() else True
            self.files[kind] = path.open("a", encoding="utf-8", newline="")
            self.writers[kind] = csv.writer(self.files[kind], quoting=csv.QUOTE_MINIMAL)
            if empty:
                self.writers[kind].writerow(["tag", "step", last])

    def add_scalar(self, tag, scalar_value, global_step=None):
        step = global_step if global_step is not None else 0
        self.writers["scalars"].writerow([tag, step, repr(float(scalar_value))])

    def add_text(self, tag, text_string, global_step=None):
        self.writers["text"].writerow([tag, 0 if global_step is None else global_step, text_string])

    def add_hparams(self, hparam_dict, metric_dict, run_name=None):
        with (self.log_dir / "hparams.jsonl").open("a", encoding="utf-8") as file:
            json.dump({"run": run_name, "hparams": hparam_dict, "metrics": {k: float(v) for k, v in metric_dict.items()}}, file)
            file.write("\n")

    def flush(self):
        for file in self.files.values():
            if not file.closed:
                file.flush()

    def close(self):
        self.flush()
        for file in self.files.values():
            file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
